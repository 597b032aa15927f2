"""VGG16 (Simonyan & Zisserman, https://arxiv.org/abs/1409.1556).

Ported from Keras 3 (`keras/src/applications/vgg16.py`, Apache License
2.0): the same layers, names, weight files, URLs and hashes. `_vgg` builds
VGG19 too (`vgg19.py`).
"""
from keraslite.applications import imagenet_utils

WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"
)
WEIGHTS_PATH_NO_TOP = (
    "https://storage.googleapis.com/tensorflow/"
    "keras-applications/vgg16/"
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
WEIGHTS_HASH = "64373286793e3c8b2b4e3219cbf3544b"
WEIGHTS_HASH_NO_TOP = "6d6bbae143d832006294945121d1f1fc"


def VGG16(include_top=True, weights="imagenet", input_tensor=None,
          input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    return _vgg("vgg16", (2, 2, 3, 3, 3), include_top, weights, input_tensor,
                input_shape, pooling, classes, classifier_activation, name)


VGG16.__doc__ = imagenet_utils._application_doc("VGG16", "vgg16", 224, 32,
                                                imagenet_utils._CAFFE_DOC)


def _vgg(model_name, convs_per_block, include_top, weights, input_tensor,
         input_shape, pooling, classes, classifier_activation, name):
    """VGG16 or VGG19: five blocks of 3x3 convolutions and a max pooling."""
    from keraslite import layers

    imagenet_utils._check_weights(weights, include_top, classes)
    input_shape = imagenet_utils._input_shape(input_shape, 224, 32, include_top,
                                               weights)
    img_input = imagenet_utils._image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(
            zip((64, 128, 256, 512, 512), convs_per_block), start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)

    if include_top:
        # Classification block
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = imagenet_utils._pooling_head(x, pooling)

    model = imagenet_utils._functional(input_tensor, img_input, x, name)
    base = ("https://storage.googleapis.com/tensorflow/keras-applications/"
            f"{model_name}/")
    fname = f"{model_name}_weights_tf_dim_ordering_tf_kernels" + (
        ".h5" if include_top else "_notop.h5")
    hashes = _HASHES[model_name]
    # VGG16's no-top URL is written in two pieces in Keras; it is the same URL.
    return imagenet_utils._load_weights(model, weights, fname, base + fname,
                                        hashes[0] if include_top else hashes[1])


_HASHES = {
    "vgg16": (WEIGHTS_HASH, WEIGHTS_HASH_NO_TOP),
    "vgg19": ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
}


preprocess_input = imagenet_utils._preprocess_input_for("caffe")
decode_predictions = imagenet_utils.decode_predictions
