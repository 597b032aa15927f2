"""MaxPooling1D: the maximum over windows of steps."""
from keraslite.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling over the steps of a sequence.

    Args:
        pool_size: Int, the window size.
        strides: Int; None (default) means `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last", inputs `(batch, steps, features)`,
            or "channels_first", `(batch, features, steps)`; None means
            `keraslite.config.image_data_format()`.

    Example:
    >>> MaxPooling1D(2)(np.ones((4, 10, 3), "float32")).shape
    (4, 5, 3)
    """

    def __init__(self, pool_size=2, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1,
                         pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)
