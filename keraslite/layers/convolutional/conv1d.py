"""Conv1D: 1-D convolution over sequences (temporal convolution)."""
from keraslite.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution layer.

    The kernel has shape `(kernel_size, channels // groups, filters)`.

    Args:
        filters: Number of output channels.
        kernel_size: int or tuple of 1 int, the window length.
        strides: int or tuple of 1 int (`strides > 1` is incompatible with
            `dilation_rate > 1`).
        padding: "valid", "same" or "causal" (left padding only, so that
            `output[t]` does not depend on `input[t + 1:]`).
        data_format: "channels_last" (`(batch, steps, channels)`) or
            "channels_first"; defaults to
            `keraslite.config.image_data_format()`.
        dilation_rate, groups, activation, use_bias, initializers,
        regularizers, constraints: As Conv2D.

    Example:
    >>> x = np.ones((4, 10, 128), "float32")
    >>> Conv1D(32, 3, activation="relu")(x).shape
    (4, 8, 32)
    """

    _allows_causal = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, groups=groups, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
