"""The shared part of the global pooling layers: one value per channel."""
import numpy as np

from keraslite.layers.input_spec import check_ndim
from keraslite.layers.layer import Layer
from keraslite.utils.argument_validation import standardize_data_format


class BaseGlobalPooling(Layer):
    """Base global pooling layer: the max or mean over every spatial axis.

    Args:
        pool_dimensions: 1 (steps) or 2 (rows and columns).
        pool_mode: "max" or "average".
        data_format: "channels_last" or "channels_first"; None means
            `keraslite.config.image_data_format()`.
        keepdims: Whether the spatial axes stay, with size 1.
    """

    def __init__(self, pool_dimensions, pool_mode="max", data_format=None,
                 keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.pool_mode = pool_mode
        self._ndim = pool_dimensions + 2
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + pool_dimensions))

    def build(self, input_shape):
        check_ndim(self, tuple(input_shape), self._ndim)
        self.built = True

    def _check_input_shape(self, input_shape):
        check_ndim(self, input_shape, self._ndim)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1] if self.data_format == "channels_last" \
            else input_shape[1]
        spatial = (1,) * (self._ndim - 2) if self.keepdims else ()
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (channels,)
        return (input_shape[0], channels) + spatial

    def forward(self, x, training=False, keep=False):
        if self.pool_mode == "max":
            y = np.max(x, axis=self._axes, keepdims=True)
        else:
            y = np.mean(x, axis=self._axes, keepdims=True, dtype=x.dtype)
        ctx = (x if self.pool_mode == "max" else x.shape, y) if keep else None
        return (y if self.keepdims else y.reshape(y.shape[0], -1)), ctx

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Average: `dy / size` to every element. Max: `dy` shared equally by
        the elements equal to the maximum (as TensorFlow's reduce_max)."""
        if not need_input_grad:
            return None, []
        source, y = ctx
        dy = dy.reshape(y.shape)
        if self.pool_mode == "max":
            dx = self._buffer("dx", source.shape)
            np.equal(source, y, out=dx, casting="unsafe")
            count = np.sum(dx, axis=self._axes, keepdims=True)
            dx *= dy / count
            return dx, []
        dx = self._buffer("dx", source)
        size = np.prod([source[a] for a in self._axes])
        np.copyto(dx, dy / dx.dtype.type(size))
        return dx, []

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}
