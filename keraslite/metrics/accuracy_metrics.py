"""Accuracy metrics: functions of (y_true, y_pred) and their classes."""
import numpy as np

from keraslite import backend
from keraslite.losses import squeeze_or_expand_to_same_rank
from keraslite.metrics.reduction_metrics import MeanMetricWrapper, _FunctionMetric


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
