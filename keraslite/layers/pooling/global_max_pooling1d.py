"""GlobalMaxPooling1D: the maximum of each channel over the steps."""
from keraslite.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling over the steps.

    Args:
        data_format: "channels_last", inputs `(batch, steps, features)`,
            or "channels_first", `(batch, features, steps)`; None means
            `keraslite.config.image_data_format()`.
        keepdims: Whether the output keeps the the steps
            as axes of size 1.

    Example:
    >>> GlobalMaxPooling1D()(np.ones((4, 10, 3), "float32")).shape
    (4, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, pool_mode="max",
                         data_format=data_format, keepdims=keepdims, **kwargs)
