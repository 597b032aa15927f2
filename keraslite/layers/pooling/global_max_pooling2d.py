"""GlobalMaxPooling2D: the maximum of each channel over rows and columns."""
from keraslite.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling over rows and columns.

    Args:
        data_format: "channels_last", inputs `(batch, height, width, channels)`,
            or "channels_first", `(batch, channels, height, width)`; None means
            `keraslite.config.image_data_format()`.
        keepdims: Whether the output keeps the rows and columns
            as axes of size 1.

    Example:
    >>> GlobalMaxPooling2D()(np.ones((4, 5, 5, 8), "float32")).shape
    (4, 8)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, pool_mode="max",
                         data_format=data_format, keepdims=keepdims, **kwargs)
