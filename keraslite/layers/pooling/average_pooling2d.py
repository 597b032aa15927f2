"""AveragePooling2D: the mean over windows of rows and columns."""
from keraslite.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Average pooling over the rows and columns of an image.

    Args:
        pool_size: Int or tuple of 2 ints, the window size.
        strides: Int or tuple of 2 ints; None (default) means `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last", inputs `(batch, height, width, channels)`,
            or "channels_first", `(batch, channels, height, width)`; None means
            `keraslite.config.image_data_format()`.

    Example:
    >>> AveragePooling2D(3, strides=1)(np.ones((4, 5, 5, 2), "float32")).shape
    (4, 3, 3, 2)
    """

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2,
                         pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)
