"""Flatten: reshapes `(batch, d1, d2, ...)` to `(batch, d1 * d2 * ...)`."""
import numpy as np

from keraslite.layers.layer import Layer


class Flatten(Layer):
    """Flattens the input, keeping the batch axis.

    Args:
        data_format: "channels_last" (default) or "channels_first"; with
            channels_first the channel axis is moved last before
            flattening, as Keras does.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "The `data_format` argument must be one of "
                f"'channels_first', 'channels_last'. Received: {data_format}"
            )
        self.data_format = data_format

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        flat = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], flat)

    def _channels_first(self, x):
        return self.data_format == "channels_first" and x.ndim > 2

    def forward(self, x, training=False, keep=False):
        shape = x.shape
        if self._channels_first(x):
            x = np.moveaxis(x, 1, -1)
        return x.reshape(x.shape[0], -1), shape

    def backward(self, shape, dy, need_input_grad=True, from_logits=False):
        if self.data_format == "channels_first" and len(shape) > 2:
            moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
            return np.moveaxis(dy.reshape(moved), -1, 1), []
        return dy.reshape(shape), []

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
