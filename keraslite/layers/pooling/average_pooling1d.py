"""AveragePooling1D: the mean over windows of steps."""
from keraslite.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """Average pooling over the steps of a sequence.

    Args:
        pool_size: Int, the window size.
        strides: Int; None (default) means `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last", inputs `(batch, steps, features)`,
            or "channels_first", `(batch, features, steps)`; None means
            `keraslite.config.image_data_format()`.

    Example:
    >>> AveragePooling1D(2, padding="same")(np.ones((4, 5, 3), "float32")).shape
    (4, 3, 3)
    """

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1,
                         pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)
