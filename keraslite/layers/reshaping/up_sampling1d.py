"""UpSampling1D: repeats each step `size` times along axis 1."""
import numpy as np

from keraslite.layers.input_spec import RankChecked
from keraslite.layers.layer import Layer


class UpSampling1D(RankChecked, Layer):
    """Upsampling layer for 1D inputs `(batch, steps, features)`.

    Args:
        size: Positive int, the upsampling factor.

    Example:
    >>> UpSampling1D(2)(np.ones((2, 3, 4), "float32")).shape
    (2, 6, 4)
    """

    _input_ndim = 3

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(
                f"Expected an integer value for `size`, got {type(size)}."
            )
        if size <= 0:
            raise ValueError(
                "Argument `size` should be a positive integer. "
                f"Received: size={size}"
            )
        self.size = size

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else self.size * input_shape[1]
        return (input_shape[0], steps, input_shape[2])

    def forward(self, x, training=False, keep=False):
        return np.repeat(x, self.size, axis=1), True

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        n, steps, features = dy.shape
        return dy.reshape(n, steps // self.size, self.size, features).sum(axis=2), []

    def get_config(self):
        return {**super().get_config(), "size": self.size}
