"""Mean, Sum and MeanMetricWrapper: as in Keras, a metric keeps a float32
`total` and `count` across batches, so its result over an epoch is weighted
by batch size."""
import numpy as np

from keraslite import losses as losses_module
from keraslite.losses import squeeze_or_expand_to_same_rank
from keraslite.metrics.metric import Metric


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Per-sample (weighted) values and weights, as Keras's function of that name.

    Values are reduced (`reduce_fn`: np.mean or np.sum) down to the weights'
    rank, multiplied by the broadcast weights, then both are reduced over
    their trailing axes.
    """
    values = np.asarray(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """Weighted sum of the values it is given.

    Example:
    >>> m = keraslite.metrics.Sum()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = np.zeros((), self.dtype)

    def _state(self):
        return {"total": self.total}

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum,
                                                self.dtype)
        self.total = self.dtype_type(self.total + values.sum(dtype=self.dtype))

    def result(self):
        return self.dtype_type(self.total)


class Mean(Metric):
    """Weighted mean of the values it is given, over all updates.

    Example:
    >>> m = keraslite.metrics.Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = np.zeros((), self.dtype)
        self.count = np.zeros((), self.dtype)

    def _state(self):
        return {"total": self.total, "count": self.count}

    def update_state(self, values, sample_weight=None):
        if type(sample_weight) is int and isinstance(values, (float, np.floating)):
            # A scalar weighted by a count (fit's loss tracker, each step):
            # the general path's float32 arithmetic, without its arrays.
            scalar = self.dtype_type
            weight = scalar(sample_weight)
            self.total = scalar(self.total + scalar(values) * weight)
            self.count = scalar(self.count + weight)
            return
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, np.mean, self.dtype)
        if sample_weight is not None:
            count = sample_weight.sum(dtype=self.dtype)
        else:
            count = values.shape[0] if values.ndim else 1
        self.total = self.dtype_type(self.total + values.sum(dtype=self.dtype))
        self.count = self.dtype_type(self.count + count)

    def result(self):
        if self.count == 0:
            return self.dtype_type(0.0)
        return self.dtype_type(self.total / self.count)


def _is_builtin_loss(fn):
    return (any(fn is loss for loss in losses_module.ALL_FUNCTIONS.values())
            or type(fn) in losses_module.ALL_CLASSES.values())


def serialize_function(fn):
    """Keras 3's config of a metric function: a Loss config or its name."""
    if isinstance(fn, losses_module.Loss):
        return losses_module.serialize(fn)
    return {"module": "builtins", "class_name": "function",
            "config": fn.__name__, "registered_name": "function"}


class MeanMetricWrapper(Mean):
    """Mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: The metric function, returning one value per sample.
        name: Name of the metric (by default "mean_metric_wrapper").
        dtype: dtype of the metric's state and result.
        **kwargs: Passed on to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_builtin_loss(fn):
            self._direction = "down"  # a wrapped loss: lower is better

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), "fn": serialize_function(self._fn),
                **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), dict):
            from keraslite import metrics  # the registry of metric functions

            config["fn"] = metrics._deserialize_function(config["fn"])
        return cls(**config)


class _FunctionMetric(MeanMetricWrapper):
    """A MeanMetricWrapper whose function is fixed by the subclass.

    Its config is `name`, `dtype` and the attributes in `_config_keys`,
    as the Keras class of the same name writes it.
    """

    _fn = None
    _default_name = None
    _config_keys = ()

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(
            type(self)._fn, name=name or self._default_name, dtype=dtype, **kwargs
        )
        for key in self._config_keys:
            setattr(self, key, kwargs[key])

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype}
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
