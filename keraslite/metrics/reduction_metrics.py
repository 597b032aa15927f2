"""Mean, Sum and MeanMetricWrapper: as in Keras, a metric keeps a float32
`total` and `count` across batches, so its result over an epoch is weighted
by batch size."""
import numpy as np

from keraslite import losses as losses_module
from keraslite.losses import squeeze_or_expand_to_same_rank
from keraslite.metrics.metric import Metric


class Mean(Metric):
    """Weighted mean of the values it is given, over all updates."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = np.zeros((), self.dtype)
        self.count = np.zeros((), self.dtype)

    def _state(self):
        return {"total": self.total, "count": self.count}

    def update_state(self, values, sample_weight=None):
        values = np.asarray(values, dtype=self.dtype)
        if sample_weight is None:
            if values.ndim > 1:
                values = values.mean(axis=tuple(range(1, values.ndim)))
            count = values.shape[0] if values.ndim else 1
        else:
            values, sample_weight = _weighted_samplewise(
                values, np.asarray(sample_weight, dtype=self.dtype))
            count = sample_weight.sum(dtype=self.dtype)
        self.total = self.dtype_type(self.total + values.sum(dtype=self.dtype))
        self.count = self.dtype_type(self.count + count)

    def result(self):
        if self.count == 0:
            return self.dtype_type(0.0)
        return self.dtype_type(self.total / self.count)


def _weighted_samplewise(values, sample_weight):
    """Per-sample weighted values and weights, as Keras's
    `reduce_to_samplewise_values`: values are averaged down to the weights'
    rank, weighted, then both are averaged over their trailing axes."""
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    if values.ndim > sample_weight.ndim:
        values = values.mean(axis=tuple(range(sample_weight.ndim, values.ndim)))
    sample_weight = np.broadcast_to(sample_weight, values.shape)
    values = values * sample_weight
    if sample_weight.ndim > 1:
        sample_weight = sample_weight.mean(axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """Weighted sum of the values it is given."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = np.zeros((), self.dtype)

    def _state(self):
        return {"total": self.total}

    def update_state(self, values, sample_weight=None):
        values = np.asarray(values, dtype=self.dtype)
        if sample_weight is not None:
            values = values * np.asarray(sample_weight, dtype=self.dtype)
        self.total = self.dtype_type(self.total + values.sum(dtype=self.dtype))

    def result(self):
        return self.dtype_type(self.total)


class MeanMetricWrapper(Mean):
    """Mean of a per-sample function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if any(fn is loss for loss in losses_module.ALL_FUNCTIONS.values()):
            self._direction = "down"  # a wrapped loss: lower is better

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


class _FunctionMetric(MeanMetricWrapper):
    """A MeanMetricWrapper whose function is fixed by the subclass."""

    _fn = None
    _default_name = None

    def __init__(self, name=None, dtype=None):
        super().__init__(
            type(self)._fn, name=name or self._default_name, dtype=dtype
        )
