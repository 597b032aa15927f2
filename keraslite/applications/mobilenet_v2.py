"""MobileNetV2 (Sandler et al., https://arxiv.org/abs/1801.04381).

Ported from Keras 3 (`keras/src/applications/mobilenet_v2.py`, Apache
License 2.0): the same inverted residual blocks, width multiplier `alpha`,
layer names, weight file names and URLs (Keras gives no hash for them).
"""
import warnings

from keraslite import backend
from keraslite.applications import imagenet_utils
from keraslite.ops.node import KerasTensor

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
)
_SIZES = [96, 128, 160, 192, 224]


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    from keraslite import layers

    imagenet_utils._check_weights(
        weights, include_top, classes,
        weights_error=(
            "The `weights` argument should be either "
            "`None` (random initialization), `imagenet` "
            "(pre-training on ImageNet), "
            "or the path to the weights file to be loaded.  "
            "Received `weights={weights}`"),
        classes_error=(
            'If using `weights="imagenet"` with `include_top` '
            "as true, `classes` should be 1000. Received `classes={classes}`"))

    channels_first = backend.image_data_format() == "channels_first"
    # If both input_shape and input_tensor are used, they should match.
    if input_shape is not None and input_tensor is not None:
        if not isinstance(input_tensor, KerasTensor):
            raise ValueError(
                "input_tensor is not a Keras tensor; "
                f"Received `input_tensor={input_tensor}`"
            )
        if channels_first and input_tensor.shape[1] != input_shape[1]:
            raise ValueError(
                "input_shape[1] must equal shape(input_tensor)[1] "
                "when `image_data_format` is `channels_first`; "
                "Received `input_tensor.shape="
                f"{input_tensor.shape}`"
                f", `input_shape={input_shape}`"
            )
        if not channels_first and input_tensor.shape[2] != input_shape[1]:
            raise ValueError(
                "input_tensor.shape[2] must equal input_shape[1]; "
                "Received `input_tensor.shape="
                f"{input_tensor.shape}`, "
                f"`input_shape={input_shape}`"
            )

    # The default size: the given (or the input tensor's) square size when it
    # is one of Keras's weight sizes, else 224.
    rows = cols = None
    if input_shape is not None:
        rows, cols = input_shape[1:3] if channels_first else input_shape[0:2]
    elif isinstance(input_tensor, KerasTensor):
        rows, cols = (input_tensor.shape[2:4] if channels_first
                      else input_tensor.shape[1:3])
    default_size = rows if rows == cols and rows in _SIZES else 224

    input_shape = imagenet_utils._input_shape(input_shape, default_size, 32, include_top,
                                               weights)
    rows, cols = input_shape[1:3] if channels_first else input_shape[0:2]

    if weights == "imagenet":
        if alpha not in [0.35, 0.50, 0.75, 1.0, 1.3, 1.4]:
            raise ValueError(
                "If imagenet weights are being loaded, "
                "alpha must be one of `0.35`, `0.50`, `0.75`, "
                "`1.0`, `1.3` or `1.4` only;"
                f" Received `alpha={alpha}`"
            )
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn(
                "`input_shape` is undefined or non-square, "
                "or `rows` is not in [96, 128, 160, 192, 224]. "
                "Weights for input shape (224, 224) will be "
                "loaded as the default.",
                stacklevel=2,
            )

    img_input = imagenet_utils._image_input(input_tensor, input_shape)
    channel_axis = 1 if channels_first else -1

    first_block_filters = _make_divisible(32 * alpha, 8)
    x = layers.Conv2D(first_block_filters, kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)

    # (filters, stride, expansion) of blocks 0..16
    blocks = ([(16, 1, 1)] + [(24, 2, 6), (24, 1, 6)]
              + [(32, 2, 6)] + [(32, 1, 6)] * 2
              + [(64, 2, 6)] + [(64, 1, 6)] * 3
              + [(96, 1, 6)] * 3
              + [(160, 2, 6)] + [(160, 1, 6)] * 2
              + [(320, 1, 6)])
    for block_id, (filters, stride, expansion) in enumerate(blocks):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)

    # No alpha on the last convolution (as in the paper), unless it widens.
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False,
                      name="Conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = imagenet_utils._pooling_head(x, pooling)

    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = imagenet_utils._functional(input_tensor, img_input, x, name)

    fname = ("mobilenet_v2_weights_tf_dim_ordering_tf_kernels"
             f"_{float(alpha)}_{rows}" + (".h5" if include_top else "_no_top.h5"))
    return imagenet_utils._load_weights(model, weights, fname,
                                        BASE_WEIGHT_PATH + fname)


MobileNetV2.__doc__ = imagenet_utils._application_doc(
    "MobileNetV2", "mobilenet_v2", 224, 32, imagenet_utils._TF_DOC, extra="""
            Defaults to `mobilenetv2_{alpha:0.2f}_{rows}`.
        alpha: the width multiplier: below 1.0 fewer, above 1.0 more
            filters in each layer. ImageNet weights exist for 0.35, 0.5,
            0.75, 1.0, 1.3 and 1.4, and square inputs of 96, 128, 160, 192
            and 224 (other shapes load the 224 weights, with a warning).""")


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Inverted ResNet block."""
    from keraslite import layers

    channel_axis = 1 if backend.image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[channel_axis]
    pointwise_conv_filters = int(filters * alpha)
    # The last 1x1 convolution has a number of filters divisible by 8.
    pointwise_filters = _make_divisible(pointwise_conv_filters, 8)
    x = inputs
    prefix = f"block_{block_id}_"

    def bn(tensor, suffix):
        return layers.BatchNormalization(axis=channel_axis, epsilon=1e-3,
                                         momentum=0.999,
                                         name=f"{prefix}{suffix}")(tensor)

    if block_id:
        # Expand with a pointwise 1x1 convolution.
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None,
                          name=f"{prefix}expand")(x)
        x = bn(x, "expand_BN")
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"

    # Depthwise 3x3 convolution.
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None,
                               use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = bn(x, "depthwise_BN")
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)

    # Project with a pointwise 1x1 convolution.
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same",
                      use_bias=False, activation=None, name=f"{prefix}project")(x)
    x = bn(x, "project_BN")

    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    # Make sure that round down does not go down by more than 10%.
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


preprocess_input = imagenet_utils._preprocess_input_for("tf")
decode_predictions = imagenet_utils.decode_predictions
