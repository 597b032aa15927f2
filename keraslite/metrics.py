"""Stateful metrics: `update_state(y_true, y_pred)`, `result()`, `reset_state()`.

As in Keras, a metric keeps a float32 `total` and `count` across batches,
so its result over an epoch is weighted by batch size.
"""
import numpy as np

from keraslite import backend
from keraslite import losses as losses_module
from keraslite.losses import (
    mean_absolute_error,
    mean_squared_error,
    squeeze_or_expand_to_same_rank,
)
from keraslite.utils.naming import snake_case
from keraslite.registry import lookup, serialize_object


def accuracy(y_true, y_pred):
    """Per-element `y_true == y_pred` as floats."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(backend.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per-element match of `y_true` with `y_pred > threshold`."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == predicted).astype(backend.floatx())


def categorical_accuracy(y_true, y_pred):
    """Per-sample match of `argmax(y_true)` with `argmax(y_pred)`."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(
        backend.floatx()
    )


def sparse_categorical_accuracy(y_true, y_pred):
    """Per-sample match of integer labels with `argmax(y_pred)`."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    predicted = y_pred.argmax(axis=-1)
    return (y_true.astype(y_pred.dtype) == predicted).astype(backend.floatx())


class Metric:
    """Base class of stateful metrics.

    Args:
        name: Name of the metric (the key in logs and History).
        dtype: dtype of the metric's state and result.
    """

    # "up" or "down": which way is better, read by EarlyStopping & co. in
    # mode="auto" (Keras's metrics carry the same attribute).
    _direction = None

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or backend.floatx()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} must implement update_state()."
        )

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        for name, value in self._state().items():
            setattr(self, name, np.zeros_like(value))

    def _state(self):
        return {}

    @property
    def variables(self):
        return list(self._state().values())

    @property
    def dtype_type(self):
        """The NumPy scalar type of the metric's state (float32)."""
        return np.dtype(self.dtype).type

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


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


class Accuracy(_FunctionMetric):
    """How often predictions equal labels."""

    _direction = "up"

    _fn = staticmethod(accuracy)
    _default_name = "accuracy"


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches 0/1 labels."""

    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype,
                         threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(_FunctionMetric):
    """How often `argmax(y_pred)` matches one-hot labels."""

    _direction = "up"

    _fn = staticmethod(categorical_accuracy)
    _default_name = "categorical_accuracy"


class SparseCategoricalAccuracy(_FunctionMetric):
    """How often `argmax(y_pred)` matches integer labels."""

    _direction = "up"

    _fn = staticmethod(sparse_categorical_accuracy)
    _default_name = "sparse_categorical_accuracy"


class MeanSquaredError(_FunctionMetric):
    """Mean of squared errors."""

    _fn = staticmethod(mean_squared_error)
    _default_name = "mean_squared_error"


class MeanAbsoluteError(_FunctionMetric):
    """Mean of absolute errors."""

    _fn = staticmethod(mean_absolute_error)
    _default_name = "mean_absolute_error"


ALL_CLASSES = {
    cls.__name__: cls
    for cls in (
        Mean,
        Sum,
        Accuracy,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
        MeanSquaredError,
        MeanAbsoluteError,
    )
}
ALL_FUNCTIONS = {
    "accuracy": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mae": mean_absolute_error,
}
# As Keras's metrics registry: a string names a class (by its name or its
# snake_case form, or the aliases mse/MSE/mae/MAE) and `get` instantiates it.
_REGISTRY = {
    **ALL_CLASSES,
    **{snake_case(name): cls for name, cls in ALL_CLASSES.items()},
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
}

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


def serialize(metric):
    """Returns the Keras 3 config of a metric object."""
    return serialize_object(metric, "keras.metrics")


def deserialize(config):
    """Rebuilds a metric from a name or config dict."""
    if isinstance(config, dict):
        cls = lookup(ALL_CLASSES, config.get("class_name"), "metric")
        return cls.from_config(config.get("config") or {})
    return lookup(_REGISTRY, config, "metric")


def get(identifier):
    """Returns a Metric (or a metric function) from a name, config or object.

    As in Keras, a string gives a new instance of the metric class it names:
    `get("mse")` is a `MeanSquaredError()`.
    """
    if isinstance(identifier, (str, dict)):
        identifier = deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def resolve(identifier, y_true_shape, y_pred_shape):
    """The Metric that `compile(metrics=[identifier])` tracks, as Keras does.

    "accuracy"/"acc" become binary, sparse categorical or categorical
    accuracy depending on the label and prediction shapes; the metric is
    named after the string given.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary = y_pred_shape[-1] == 1
        is_sparse = len(y_true_shape) < len(y_pred_shape) or (
            y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
        )
        if is_binary:
            metric = BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = CategoricalAccuracy(name=str(identifier))
    else:
        metric = get(identifier)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
