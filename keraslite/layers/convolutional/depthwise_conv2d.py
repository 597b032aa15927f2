"""DepthwiseConv2D: each channel convolved with its own filters."""
from keraslite.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution layer.

    Each input channel is convolved with `depth_multiplier` filters of its
    own; the outputs are concatenated (`channels * depth_multiplier` output
    channels). The kernel, named "kernel" as in Keras 3, has shape
    `(kh, kw, channels, depth_multiplier)`.

    Args:
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints.
        padding: "valid" or "same".
        depth_multiplier: Filters per input channel.
        data_format, dilation_rate, activation, use_bias: As Conv2D.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint:
            For the kernel; bias_* and activity_regularizer as Conv2D.

    Example:
    >>> x = np.ones((4, 10, 12, 3), "float32")
    >>> DepthwiseConv2D(3, depth_multiplier=2)(x).shape
    (4, 8, 10, 6)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid",
                 depth_multiplier=1, data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(
            rank=2, depth_multiplier=depth_multiplier, kernel_size=kernel_size,
            strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
