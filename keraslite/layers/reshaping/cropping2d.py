"""Cropping2D: trims rows and columns off the borders of each image."""
from keraslite.layers.reshaping.cropping1d import Cropping1D
from keraslite.layers.reshaping.zero_padding2d import spatial_widths, standardize_2d
from keraslite.utils.argument_validation import standardize_data_format


class Cropping2D(Cropping1D):
    """Cropping layer for 2D input (e.g. picture).

    Args:
        cropping: Int (the same on all sides), tuple of 2 ints (symmetric
            height and width cropping) or `((top, bottom), (left, right))`.
        data_format: "channels_last" (`(batch, height, width, channels)`)
            or "channels_first" (`(batch, channels, height, width)`);
            defaults to `keraslite.config.image_data_format()`.

    Example:
    >>> Cropping2D(((2, 2), (4, 4)))(np.zeros((2, 28, 28, 3), "float32")).shape
    (2, 24, 20, 3)
    """

    _input_ndim = 4

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super(Cropping1D, self).__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.cropping = standardize_2d(cropping, "cropping")

    def _widths(self):
        return spatial_widths(self.cropping, self.data_format)

    def _check_length(self, shape, what):
        if any(d is not None and sum(w) >= d for d, w in zip(shape, self._widths())
               if sum(w)):
            raise ValueError(
                "Values in `cropping` argument should be smaller than the "
                "corresponding spatial dimension of the input. Received: "
                f"{what}={shape}, cropping={self.cropping}"
            )

    def compute_output_shape(self, input_shape):
        self._check_length(tuple(input_shape), "input_shape")
        return tuple(None if d is None else d - sum(w)
                     for d, w in zip(input_shape, self._widths()))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
