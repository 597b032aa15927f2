"""Cropping1D: trims steps off both ends of axis 1 of `(batch, steps, features)`."""
import numpy as np

from keraslite.layers.input_spec import RankChecked
from keraslite.layers.layer import Layer
from keraslite.utils.argument_validation import standardize_tuple


def crop(x, widths):
    """`x` without `widths[axis] = (before, after)` entries at each axis's ends
    (the inverse of `np.pad(x, widths)`)."""
    return x[tuple(slice(b, x.shape[axis] - a) for axis, (b, a) in enumerate(widths))]


class Cropping1D(RankChecked, Layer):
    """Cropping layer for 1D input (e.g. temporal sequence).

    Args:
        cropping: Int or tuple of 2 ints `(left_crop, right_crop)`: how many
            steps to trim off the beginning and end of axis 1.

    Example:
    >>> Cropping1D(1)(np.zeros((2, 3, 2), "float32")).shape
    (2, 1, 2)
    """

    _input_ndim = 3

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", allow_zero=True)

    def _check_length(self, shape, what):
        if shape[1] is not None and sum(self.cropping) >= shape[1]:
            raise ValueError(
                "`cropping` parameter of `Cropping1D` layer must be smaller "
                f"than the input length. Received: {what}={shape}, "
                f"cropping={self.cropping}"
            )

    def compute_output_shape(self, input_shape):
        self._check_length(tuple(input_shape), "input_shape")
        length = None if input_shape[1] is None else \
            input_shape[1] - sum(self.cropping)
        return (input_shape[0], length, input_shape[2])

    def _widths(self):
        return ((0, 0), self.cropping, (0, 0))

    def forward(self, x, training=False, keep=False):
        self._check_length(x.shape, "inputs.shape")
        return crop(x, self._widths()), x.shape

    def backward(self, shape, dy, need_input_grad=True, from_logits=False):
        return np.pad(dy, self._widths()), []

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}
