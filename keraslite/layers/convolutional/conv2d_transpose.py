"""Conv2DTranspose: the transposed 2-D convolution ("deconvolution")."""
from keraslite.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution layer.

    Maps a `(batch, height, width, channels)` input to the size a Conv2D
    with the same arguments would take it from. The kernel has shape
    `(kh, kw, filters, channels)`.

    Args:
        filters: Number of output channels.
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints (`strides > 1` is incompatible with
            `dilation_rate > 1`).
        padding: "valid" or "same".
        output_padding: int or tuple of 2 ints, each less than its stride,
            or None (the output size is inferred).
        data_format, dilation_rate, activation, use_bias, initializers,
        regularizers, constraints: As Conv2D.

    Example:
    >>> x = np.ones((4, 10, 8, 128), "float32")
    >>> Conv2DTranspose(32, 2, 2, activation="relu")(x).shape
    (4, 20, 16, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(
            rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, output_padding=output_padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
