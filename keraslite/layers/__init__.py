"""Layers: `from keraslite.layers import Dense` as in `keras.layers`."""
from keraslite.layers.activations.activation import Activation
from keraslite.layers.activations.elu import ELU
from keraslite.layers.activations.prelu import PReLU
from keraslite.layers.activations.relu import LeakyReLU, ReLU
from keraslite.layers.activations.softmax import Softmax
from keraslite.layers.convolutional.conv1d import Conv1D
from keraslite.layers.convolutional.conv2d import Conv2D
from keraslite.layers.convolutional.conv2d_transpose import Conv2DTranspose
from keraslite.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from keraslite.layers.convolutional.separable_conv2d import SeparableConv2D
from keraslite.layers.core.identity import Identity
from keraslite.layers.core.lambda_layer import Lambda
from keraslite.layers.core.dense import Dense
from keraslite.layers.core.embedding import Embedding
from keraslite.layers.core.masking import Masking
from keraslite.layers.core.wrapper import Wrapper
from keraslite.layers.regularization.dropout import Dropout
from keraslite.layers.reshaping.flatten import Flatten
from keraslite.layers.core.input_layer import Input, InputLayer
from keraslite.layers.layer import Layer
from keraslite.layers.merging.add import (Add, Average, Maximum, Minimum,
                                          Multiply, Subtract)
from keraslite.layers.merging.concatenate import Concatenate
from keraslite.layers.merging.dot import Dot
from keraslite.layers.preprocessing.image_preprocessing.random_contrast import RandomContrast
from keraslite.layers.preprocessing.image_preprocessing.random_flip import RandomFlip
from keraslite.layers.preprocessing.image_preprocessing.random_rotation import RandomRotation
from keraslite.layers.preprocessing.image_preprocessing.random_translation import (
    RandomTranslation)
from keraslite.layers.preprocessing.image_preprocessing.random_zoom import RandomZoom
from keraslite.layers.preprocessing.rescaling import Rescaling
from keraslite.layers.preprocessing.text_vectorization import TextVectorization
from keraslite.layers.regularization.spatial_dropout import (SpatialDropout1D,
                                                             SpatialDropout2D)
from keraslite.layers.reshaping.cropping1d import Cropping1D
from keraslite.layers.reshaping.cropping2d import Cropping2D
from keraslite.layers.normalization.batch_normalization import BatchNormalization
from keraslite.layers.normalization.layer_normalization import LayerNormalization
from keraslite.layers.pooling.average_pooling1d import AveragePooling1D
from keraslite.layers.pooling.average_pooling2d import AveragePooling2D
from keraslite.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from keraslite.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from keraslite.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from keraslite.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from keraslite.layers.pooling.max_pooling1d import MaxPooling1D
from keraslite.layers.pooling.max_pooling2d import MaxPooling2D
from keraslite.layers.reshaping.permute import Permute
from keraslite.layers.reshaping.repeat_vector import RepeatVector
from keraslite.layers.reshaping.reshape import Reshape
from keraslite.layers.reshaping.up_sampling1d import UpSampling1D
from keraslite.layers.reshaping.up_sampling2d import UpSampling2D
from keraslite.layers.reshaping.zero_padding1d import ZeroPadding1D
from keraslite.layers.reshaping.zero_padding2d import ZeroPadding2D
from keraslite.layers.rnn.bidirectional import Bidirectional
from keraslite.layers.rnn.time_distributed import TimeDistributed
from keraslite.layers.rnn.gru import GRU, GRUCell
from keraslite.layers.rnn.lstm import LSTM, LSTMCell
from keraslite.layers.rnn.rnn import RNN
from keraslite.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from keraslite.layers.rnn.stacked_rnn_cells import StackedRNNCells
from keraslite.registry import serialize_object
from keraslite import registry

# Keras's aliases (the same classes).
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
# Keras's other names of the convolutions (the same classes).
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D

ALL_LAYERS = {
    cls.__name__: cls
    for cls in (Activation, Add, Average, Concatenate, Conv1D, Conv2D,
                Conv2DTranspose, Dense, DepthwiseConv2D, Dot, Dropout, ELU,
                Flatten, Identity, InputLayer, Lambda, LeakyReLU, Maximum, Minimum,
                Multiply, Permute, PReLU, ReLU, RepeatVector, Reshape,
                SeparableConv2D, Softmax, Subtract)
} | {
    cls.__name__: cls
    for cls in (AveragePooling1D, AveragePooling2D, BatchNormalization,
                GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
                GlobalMaxPooling2D, LayerNormalization, MaxPooling1D, MaxPooling2D)
}
# Reshaping, spatial dropout, rescaling and image augmentation (issue 11).
_SHAPE_LAYERS = (Cropping1D, Cropping2D, RandomContrast, RandomFlip, RandomRotation,
                 RandomTranslation, RandomZoom, Rescaling, SpatialDropout1D,
                 SpatialDropout2D, UpSampling1D, UpSampling2D, ZeroPadding1D,
                 ZeroPadding2D)
ALL_LAYERS.update((cls.__name__, cls) for cls in _SHAPE_LAYERS)
# Recurrent layers (issue 12).
_RNN_LAYERS = (GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell,
               StackedRNNCells)
ALL_LAYERS.update((cls.__name__, cls) for cls in _RNN_LAYERS)
ALL_LAYERS.update(Embedding=Embedding, Masking=Masking)  # issue 12
ALL_LAYERS["TextVectorization"] = TextVectorization  # issue 12
# Wrappers (issue 12).
ALL_LAYERS.update((cls.__name__, cls) for cls in (Bidirectional, TimeDistributed))
registry.register_builtins("layers", ALL_LAYERS)
registry.register_builtins("base", {"Layer": Layer})


# Layers whose Keras 3 config entry has a `build_config` once built (Keras
# builds Dropout, Activation and InputLayer at construction).
_BUILD_CONFIG_LAYERS = ("Dense", "Flatten", "Add", "Subtract", "Multiply",
                        "Average", "Maximum", "Minimum", "Concatenate", "Dot",
                         "Reshape", "Permute", "RepeatVector", "PReLU",
                         "BatchNormalization", "LayerNormalization", "Conv1D",
                         "Conv2D", "Conv2DTranspose", "DepthwiseConv2D",
                         "SeparableConv2D", "Embedding") + tuple(
    cls.__name__ for cls in _SHAPE_LAYERS if not cls.__name__.startswith("Spatial"))
_BUILD_CONFIG_LAYERS += tuple(cls.__name__ for cls in _RNN_LAYERS)
_BUILD_CONFIG_LAYERS += ("Bidirectional", "TimeDistributed")


def _shape_list(shape):
    if isinstance(shape, (list, tuple)) and shape and \
            isinstance(shape[0], (list, tuple)):
        return [list(s) for s in shape]
    return list(shape)


def serialize(layer):
    """Returns the Keras 3 config dict of a layer (with `build_config`)."""
    from keraslite.models.model import Model
    from keraslite.saving import serialization

    if isinstance(layer, Model):
        return serialization.serialize_model(layer, include_compile=False)
    if type(layer).__name__ not in ALL_LAYERS or \
            ALL_LAYERS[type(layer).__name__] is not type(layer):
        entry = serialization.serialize_custom(layer)
        if layer.built and layer.input_shape is not None:
            entry["build_config"] = {"input_shape": _shape_list(layer.input_shape)}
        return entry
    entry = serialize_object(layer, "keras.layers")
    if (type(layer).__name__ in _BUILD_CONFIG_LAYERS and layer.built
            and layer.input_shape is not None):
        entry["build_config"] = {"input_shape": _shape_list(layer.input_shape)}
    return entry


def deserialize(config, custom_objects=None):
    """Rebuilds a layer from its Keras config dict; only known classes.

    An unknown class raises TypeError (as in Keras) listing the supported
    ones; lambdas, foreign modules and bad configs raise ValueError.
    """
    from keraslite.saving import serialization

    custom = serialization._custom_layers(custom_objects)
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in ALL_LAYERS and name not in custom and \
            name not in ("Lambda", "__lambda__"):
        # As Keras, which raises TypeError("Could not locate class ...").
        raise TypeError(
            f"Could not locate class '{name}'. keraslite supports the layers "
            f"{', '.join(sorted(ALL_LAYERS))}."
        )
    try:
        config = serialization.screen(config, custom, "layer config")
        return serialization.layer_from_config(config, 0, custom)[0]
    except serialization.FileFormatError as e:
        raise ValueError(str(e)) from None  # a plain ValueError, as Keras
