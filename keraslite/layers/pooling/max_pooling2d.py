"""MaxPooling2D: the maximum over windows of rows and columns."""
from keraslite.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """Max pooling over the rows and columns of an image.

    Args:
        pool_size: Int or tuple of 2 ints, the window size.
        strides: Int or tuple of 2 ints; None (default) means `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last", inputs `(batch, height, width, channels)`,
            or "channels_first", `(batch, channels, height, width)`; None means
            `keraslite.config.image_data_format()`.

    Example:
    >>> MaxPooling2D()(np.ones((4, 26, 26, 32), "float32")).shape
    (4, 13, 13, 32)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2,
                         pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)
