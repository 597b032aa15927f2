"""VGG19 (Simonyan & Zisserman, https://arxiv.org/abs/1409.1556).

Ported from Keras 3 (`keras/src/applications/vgg19.py`, Apache License
2.0); built by `vgg16._vgg` with four convolutions in blocks 3-5.
"""
from keraslite.applications import imagenet_utils
from keraslite.applications.vgg16 import _HASHES, _vgg

WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5"
)
WEIGHTS_PATH_NO_TOP = (
    "https://storage.googleapis.com/tensorflow/"
    "keras-applications/vgg19/"
    "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
WEIGHTS_HASH, WEIGHTS_HASH_NO_TOP = _HASHES["vgg19"]


def VGG19(include_top=True, weights="imagenet", input_tensor=None,
          input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    return _vgg("vgg19", (2, 2, 4, 4, 4), include_top, weights, input_tensor,
                input_shape, pooling, classes, classifier_activation, name)


VGG19.__doc__ = imagenet_utils._application_doc("VGG19", "vgg19", 224, 32,
                                                imagenet_utils._CAFFE_DOC)
preprocess_input = imagenet_utils._preprocess_input_for("caffe")
decode_predictions = imagenet_utils.decode_predictions
