"""Conv2D: 2-D convolution (cross-correlation) over images."""
from keraslite.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """2-D convolution layer.

    The kernel has shape `(kh, kw, channels // groups, filters)`, as in
    Keras, so weights and files cross between the two.

    Args:
        filters: Number of output channels.
        kernel_size: int or tuple of 2 ints, the window's height and width.
        strides: int or tuple of 2 ints (`strides > 1` is incompatible with
            `dilation_rate > 1`).
        padding: "valid" or "same".
        data_format: "channels_last" (`(batch, height, width, channels)`)
            or "channels_first"; defaults to
            `keraslite.config.image_data_format()`.
        dilation_rate: int or tuple of 2 ints.
        groups: Channel groups, each convolved with `filters // groups`
            filters.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: As Dense.

    Example:
    >>> x = np.ones((4, 28, 28, 1), "float32")
    >>> Conv2D(32, 3, activation="relu")(x).shape
    (4, 26, 26, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), groups=1,
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(
            rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, groups=groups, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
