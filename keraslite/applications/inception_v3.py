"""InceptionV3 (Szegedy et al., https://arxiv.org/abs/1512.00567).

Ported from Keras 3 (`keras/src/applications/inception_v3.py`, Apache
License 2.0): the same modules mixed0..mixed10, layer names (the
convolutions, batch normalizations and activations keep their automatic
names, `conv2d`, `conv2d_1`, ...), weight files, URLs and hashes.
"""
from keraslite import backend
from keraslite.applications import imagenet_utils

WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
)
WEIGHTS_PATH_NO_TOP = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
WEIGHTS_HASH = "9a0d58056eeedaa3f26cb7ebd46da564"
WEIGHTS_HASH_NO_TOP = "bcbd6486424b2319ff4ef7d526e38f63"


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="inception_v3"):
    from keraslite import layers

    imagenet_utils._check_weights(
        weights, include_top, classes,
        weights_error=(
            "The `weights` argument should be either "
            "`None` (random initialization), `imagenet` "
            "(pre-training on ImageNet), "
            "or the path to the weights file to be loaded; "
            "Received: weights={weights}"),
        classes_error=(
            'If using `weights="imagenet"` with `include_top=True`, '
            "`classes` should be 1000. "
            "Received classes={classes}"))
    input_shape = imagenet_utils._input_shape(input_shape, 299, 75, include_top,
                                               weights)
    img_input = imagenet_utils._image_input(input_tensor, input_shape)
    channel_axis = 1 if backend.image_data_format() == "channels_first" else 3

    def concatenate(tensors, name=None):
        return layers.Concatenate(axis=channel_axis, name=name)(tensors)

    def avg_pool(tensor):
        return layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(tensor)

    def max_pool(tensor):
        return layers.MaxPooling2D((3, 3), strides=(2, 2))(tensor)

    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = max_pool(x)

    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = max_pool(x)

    # mixed 0, 1, 2: 35 x 35 x 256, 288, 288
    for i, pool_filters in enumerate((32, 64, 64)):
        branch1x1 = conv2d_bn(x, 64, 1, 1)

        branch5x5 = conv2d_bn(x, 48, 1, 1)
        branch5x5 = conv2d_bn(branch5x5, 64, 5, 5)

        branch3x3dbl = conv2d_bn(x, 64, 1, 1)
        branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3)
        branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3)

        branch_pool = conv2d_bn(avg_pool(x), pool_filters, 1, 1)
        x = concatenate([branch1x1, branch5x5, branch3x3dbl, branch_pool],
                        name=f"mixed{i}")

    # mixed 3: 17 x 17 x 768
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")

    branch3x3dbl = conv2d_bn(x, 64, 1, 1)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2), padding="valid")

    branch_pool = max_pool(x)
    x = concatenate([branch3x3, branch3x3dbl, branch_pool], name="mixed3")

    # mixed 4, 5, 6, 7: 17 x 17 x 768
    for i, width in enumerate((128, 160, 160, 192)):
        branch1x1 = conv2d_bn(x, 192, 1, 1)

        branch7x7 = conv2d_bn(x, width, 1, 1)
        branch7x7 = conv2d_bn(branch7x7, width, 1, 7)
        branch7x7 = conv2d_bn(branch7x7, 192, 7, 1)

        branch7x7dbl = conv2d_bn(x, width, 1, 1)
        branch7x7dbl = conv2d_bn(branch7x7dbl, width, 7, 1)
        branch7x7dbl = conv2d_bn(branch7x7dbl, width, 1, 7)
        branch7x7dbl = conv2d_bn(branch7x7dbl, width, 7, 1)
        branch7x7dbl = conv2d_bn(branch7x7dbl, 192, 1, 7)

        branch_pool = conv2d_bn(avg_pool(x), 192, 1, 1)
        x = concatenate([branch1x1, branch7x7, branch7x7dbl, branch_pool],
                        name=f"mixed{4 + i}")

    # mixed 8: 8 x 8 x 1280
    branch3x3 = conv2d_bn(x, 192, 1, 1)
    branch3x3 = conv2d_bn(branch3x3, 320, 3, 3, strides=(2, 2), padding="valid")

    branch7x7x3 = conv2d_bn(x, 192, 1, 1)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 1, 7)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 7, 1)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, strides=(2, 2), padding="valid")

    branch_pool = max_pool(x)
    x = concatenate([branch3x3, branch7x7x3, branch_pool], name="mixed8")

    # mixed 9, 10: 8 x 8 x 2048
    for i in range(2):
        branch1x1 = conv2d_bn(x, 320, 1, 1)

        branch3x3 = conv2d_bn(x, 384, 1, 1)
        branch3x3_1 = conv2d_bn(branch3x3, 384, 1, 3)
        branch3x3_2 = conv2d_bn(branch3x3, 384, 3, 1)
        branch3x3 = concatenate([branch3x3_1, branch3x3_2], name=f"mixed9_{i}")

        branch3x3dbl = conv2d_bn(x, 448, 1, 1)
        branch3x3dbl = conv2d_bn(branch3x3dbl, 384, 3, 3)
        branch3x3dbl_1 = conv2d_bn(branch3x3dbl, 384, 1, 3)
        branch3x3dbl_2 = conv2d_bn(branch3x3dbl, 384, 3, 1)
        branch3x3dbl = concatenate([branch3x3dbl_1, branch3x3dbl_2])

        branch_pool = conv2d_bn(avg_pool(x), 192, 1, 1)
        x = concatenate([branch1x1, branch3x3, branch3x3dbl, branch_pool],
                        name=f"mixed{9 + i}")

    if include_top:
        # Classification block
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = imagenet_utils._pooling_head(x, pooling)

    model = imagenet_utils._functional(input_tensor, img_input, x, name)
    if include_top:
        fname, origin, file_hash = (
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
            WEIGHTS_PATH, WEIGHTS_HASH)
    else:
        fname, origin, file_hash = (
            "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            WEIGHTS_PATH_NO_TOP, WEIGHTS_HASH_NO_TOP)
    return imagenet_utils._load_weights(model, weights, fname, origin, file_hash)


InceptionV3.__doc__ = imagenet_utils._application_doc(
    "Inception v3", "inception_v3", 299, 75, imagenet_utils._TF_DOC)


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1),
              name=None):
    """Conv2D (no bias) + BatchNormalization (no scale) + relu.

    Args:
        x: input tensor.
        filters: filters in `Conv2D`.
        num_row: height of the convolution kernel.
        num_col: width of the convolution kernel.
        padding: padding mode in `Conv2D`.
        strides: strides in `Conv2D`.
        name: name of the activation; the convolution is `name + '_conv'`
            and the batch normalization `name + '_bn'`. None keeps the
            automatic names.

    Returns:
        Output tensor after applying `Conv2D` and `BatchNormalization`.
    """
    from keraslite import layers

    bn_name = None if name is None else f"{name}_bn"
    conv_name = None if name is None else f"{name}_conv"
    bn_axis = 1 if backend.image_data_format() == "channels_first" else 3
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=conv_name)(x)
    x = layers.BatchNormalization(axis=bn_axis, scale=False, name=bn_name)(x)
    return layers.Activation("relu", name=name)(x)


preprocess_input = imagenet_utils._preprocess_input_for("tf")
decode_predictions = imagenet_utils.decode_predictions
