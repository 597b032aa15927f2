"""ZeroPadding1D: adds zeros at both ends of the steps axis of a 3D input."""
import numpy as np

from keraslite.layers.input_spec import RankChecked
from keraslite.layers.layer import Layer
from keraslite.layers.reshaping.cropping1d import crop
from keraslite.utils.argument_validation import (standardize_data_format,
                                                 standardize_tuple)


class ZeroPadding1D(RankChecked, Layer):
    """Zero-padding layer for 1D input (e.g. temporal sequence).

    Args:
        padding: Int or tuple of 2 ints `(left_pad, right_pad)`: how many
            zeros to add at the beginning and end of the steps axis.
        data_format: "channels_last" (`(batch, steps, features)`) or
            "channels_first" (`(batch, features, steps)`); defaults to
            `keraslite.config.image_data_format()`.

    Example:
    >>> ZeroPadding1D(2)(np.ones((2, 2, 3), "float32")).shape
    (2, 6, 3)
    """

    _input_ndim = 3

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = standardize_tuple(padding, 2, "padding", allow_zero=True)

    def _widths(self):
        if self.data_format == "channels_first":
            return ((0, 0), (0, 0), self.padding)
        return ((0, 0), self.padding, (0, 0))

    def compute_output_shape(self, input_shape):
        return tuple(None if d is None else d + sum(w)
                     for d, w in zip(input_shape, self._widths()))

    def forward(self, x, training=False, keep=False):
        return np.pad(x, self._widths()), True

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        return crop(dy, self._widths()), []

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}
