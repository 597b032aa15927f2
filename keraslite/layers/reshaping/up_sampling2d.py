"""UpSampling2D: enlarges images by integer factors, repeating rows and
columns ("nearest") or interpolating them ("bilinear", as TensorFlow's
`resize` with half-pixel centers)."""
import numpy as np

from keraslite.layers.input_spec import RankChecked
from keraslite.layers.layer import Layer
from keraslite.utils.argument_validation import (standardize_data_format,
                                                 standardize_tuple)

INTERPOLATIONS = ("bilinear", "nearest")


def bilinear_matrix(in_size, out_size):
    """The `(out_size, in_size)` matrix of 1-D bilinear resizing with
    half-pixel centers (TensorFlow's `resize_bilinear`,
    `half_pixel_centers=True`): output `i` reads input coordinate
    `(i + 0.5) * in_size / out_size - 0.5`, clamped to the edges."""
    scale = np.float32(in_size) / np.float32(out_size)
    coord = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale \
        - np.float32(0.5)
    floor = np.floor(coord)
    lerp = coord - floor
    lower = np.maximum(floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(coord).astype(np.int64), in_size - 1)
    matrix = np.zeros((out_size, in_size), dtype=np.float32)
    rows = np.arange(out_size)
    np.add.at(matrix, (rows, lower), 1 - lerp)
    np.add.at(matrix, (rows, upper), lerp)
    return matrix


class UpSampling2D(RankChecked, Layer):
    """Upsampling layer for 2D inputs.

    Args:
        size: Int or tuple of 2 ints, the factors for rows and columns.
        data_format: "channels_last" (`(batch, height, width, channels)`)
            or "channels_first"; defaults to
            `keraslite.config.image_data_format()`.
        interpolation: "nearest" (repeat) or "bilinear".

    Example:
    >>> UpSampling2D((2, 3))(np.ones((1, 2, 2, 1), "float32")).shape
    (1, 4, 6, 1)
    """

    _input_ndim = 4

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest",
                 **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in INTERPOLATIONS:
            # Keras raises the same at the first call (ops.image.resize).
            raise ValueError(
                "Invalid value for argument `interpolation`. Expected of one "
                f"{INTERPOLATIONS}. Received: interpolation={interpolation}"
            )

    def _axes(self):
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._axes(), self.size):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def _matrices(self, shape):
        return [bilinear_matrix(shape[axis], shape[axis] * factor)
                for axis, factor in zip(self._axes(), self.size)]

    def forward(self, x, training=False, keep=False):
        h, w = self._axes()
        if self.interpolation == "nearest":
            y = np.repeat(np.repeat(x, self.size[0], axis=h), self.size[1], axis=w)
            return y, x.shape
        rows, cols = self._matrices(x.shape)
        # y = rows @ x @ cols.T over the two spatial axes.
        y = np.moveaxis(np.tensordot(rows, x, axes=([1], [h])), 0, h)
        y = np.moveaxis(np.tensordot(cols, y, axes=([1], [w])), 0, w)
        return np.ascontiguousarray(y), x.shape

    def backward(self, shape, dy, need_input_grad=True, from_logits=False):
        h, w = self._axes()
        if self.interpolation == "nearest":
            blocks = list(shape)
            blocks.insert(w + 1, self.size[1])
            blocks.insert(h + 1, self.size[0])
            return dy.reshape(blocks).sum(axis=(h + 1, w + 2)), []
        rows, cols = self._matrices(shape)
        dx = np.moveaxis(np.tensordot(rows.T, dy, axes=([1], [h])), 0, h)
        dx = np.moveaxis(np.tensordot(cols.T, dx, axes=([1], [w])), 0, w)
        return np.ascontiguousarray(dx), []

    def get_config(self):
        return {**super().get_config(), "size": self.size,
                "data_format": self.data_format,
                "interpolation": self.interpolation}
