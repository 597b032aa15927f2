"""SeparableConv2D: a depthwise convolution, then a pointwise (1x1) one."""
from keraslite.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv2D(BaseSeparableConv):
    """2-D separable convolution layer.

    Args:
        filters: Number of output channels.
        kernel_size: int or tuple of 2 ints (the depthwise window).
        strides, padding, data_format, dilation_rate: As Conv2D (of the
            depthwise step).
        depth_multiplier: Depthwise filters per input channel.
        activation, use_bias: As Conv2D.
        depthwise_initializer, pointwise_initializer, bias_initializer,
        depthwise_regularizer, pointwise_regularizer, bias_regularizer,
        activity_regularizer, depthwise_constraint, pointwise_constraint,
        bias_constraint: Of the weights `depthwise_kernel` (kh, kw,
            channels, depth_multiplier), `pointwise_kernel` (1, 1, channels *
            depth_multiplier, filters) and `bias`.

    Example:
    >>> x = np.ones((4, 10, 12, 3), "float32")
    >>> SeparableConv2D(8, 3)(x).shape
    (4, 8, 10, 8)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(
            rank=2, depth_multiplier=depth_multiplier, filters=filters,
            kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
