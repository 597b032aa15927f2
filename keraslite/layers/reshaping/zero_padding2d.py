"""ZeroPadding2D: adds rows and columns of zeros around each image."""
from keraslite.layers.reshaping.zero_padding1d import ZeroPadding1D
from keraslite.utils.argument_validation import (standardize_data_format,
                                                 standardize_tuple)


def standardize_2d(value, name):
    """An int, 2 ints or 2 pairs of ints as `((top, bottom), (left, right))`,
    with Keras's messages (ZeroPadding2D's `padding`, Cropping2D's
    `cropping`)."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError(
                f"`{name}` cannot be negative. Received: {name}={value}."
            )
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` should have two elements. Received: {name}={value}."
            )
        return (standardize_tuple(value[0], 2, f"1st entry of {name}", allow_zero=True),
                standardize_tuple(value[1], 2, f"2nd entry of {name}", allow_zero=True))
    raise ValueError(
        f"`{name}` should be either an int, a tuple of 2 ints "
        "(symmetric_height_crop, symmetric_width_crop), "
        "or a tuple of 2 tuples of 2 ints "
        "((top_crop, bottom_crop), (left_crop, right_crop)). "
        f"Received: {name}={value}."
    )


def spatial_widths(widths, data_format):
    """`((0, 0), (0, 0), rows, cols)` or `((0, 0), rows, cols, (0, 0))`:
    the per-axis widths of a 4D input for `np.pad` or `crop`."""
    if data_format == "channels_first":
        return ((0, 0), (0, 0)) + tuple(widths)
    return ((0, 0),) + tuple(widths) + ((0, 0),)


class ZeroPadding2D(ZeroPadding1D):
    """Zero-padding layer for 2D input (e.g. picture).

    Args:
        padding: Int (the same on all sides), tuple of 2 ints (symmetric
            height and width padding) or `((top, bottom), (left, right))`.
        data_format: "channels_last" (`(batch, height, width, channels)`)
            or "channels_first" (`(batch, channels, height, width)`);
            defaults to `keraslite.config.image_data_format()`.

    Example:
    >>> ZeroPadding2D(1)(np.ones((1, 2, 2, 1), "float32")).shape
    (1, 4, 4, 1)
    """

    _input_ndim = 4

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super(ZeroPadding1D, self).__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = standardize_2d(padding, "padding")

    def _widths(self):
        return spatial_widths(self.padding, self.data_format)
