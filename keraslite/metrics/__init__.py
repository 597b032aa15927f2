"""Stateful metrics: `update_state(y_true, y_pred)`, `result()`, `reset_state()`.

One module per family, as in Keras 3 (`keras/src/metrics/`); this package
holds the registry that `compile(metrics=[...])` and files resolve names by.
"""
from keraslite.losses import mean_absolute_error, mean_squared_error
from keraslite.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from keraslite.metrics.regression_metrics import MeanAbsoluteError, MeanSquaredError
from keraslite.registry import lookup, serialize_object
from keraslite.utils.naming import snake_case
from keraslite import registry


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
registry.register_builtins("metrics", ALL_CLASSES)
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
