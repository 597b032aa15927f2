"""Accuracy metrics: functions of (y_true, y_pred) and their classes."""
import numpy as np

from keraslite import backend
from keraslite.losses import squeeze_or_expand_to_same_rank
from keraslite.metrics.reduction_metrics import _FunctionMetric


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


class BinaryAccuracy(_FunctionMetric):
    """How often `y_pred > threshold` matches 0/1 labels."""

    _direction = "up"
    _fn = staticmethod(binary_accuracy)
    _config_keys = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(name=name, dtype=dtype, threshold=threshold)


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


def _check_k(k, where):
    # NOTE: Keras returns 0 for k <= 0 (nothing is in the top 0) and fails
    # with a TypeError at the first update for a non-integer k; keraslite
    # raises at once, naming the metric.
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(
            f"Argument `k` of {where} must be a positive integer. "
            f"Received: k={k!r}"
        )
    if k < 1:
        raise ValueError(
            f"Argument `k` of {where} must be a positive integer. "
            f"Received: k={k}"
        )


def _in_top_k(targets, predictions, k):
    """Whether each target is among the `k` largest of its row of predictions.

    As `tf.math.in_top_k`: ties at the boundary count as in the top k, and a
    target out of range or a row holding NaN or Inf gives False.
    """
    num_classes = predictions.shape[-1]
    valid = (targets >= 0) & (targets < num_classes)
    rows = np.arange(len(targets))
    target_scores = predictions[rows, np.where(valid, targets, 0)]
    greater = (predictions > target_scores[:, None]).sum(axis=-1)
    finite = np.isfinite(predictions).all(axis=-1)
    return valid & finite & (greater < k)


def _flat_top_k(y_true, y_pred, matches_fn):
    """Flattens labels to (n,) and predictions to (n, classes), as Keras."""
    shape = y_true.shape
    flat_pred = y_pred.reshape(-1, y_pred.shape[-1]) if y_pred.ndim > 2 else y_pred
    flat_true = y_true.reshape(-1)
    if flat_true.shape[0] != flat_pred.shape[0]:
        raise ValueError(
            "Expected one label per row of predictions (class ids for the "
            "sparse top-k accuracy, one-hot rows for the categorical one). "
            f"Received: y_true.shape={shape}, y_pred.shape={y_pred.shape}"
        )
    y_true, y_pred = flat_true, flat_pred
    matches = matches_fn(y_true, y_pred).astype(backend.floatx())
    return matches.reshape(shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per sample 1.0 when the one-hot label's class is in the top `k`."""
    _check_k(k, "top_k_categorical_accuracy")
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true, dtype=y_pred.dtype).argmax(axis=-1)
    return _flat_top_k(y_true, y_pred, lambda t, p: _in_top_k(t, p, k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5,
                                      from_sorted_ids=False):
    """Per sample 1.0 when the integer label is in the top `k` predictions.

    Args:
        y_true: Class indices, shape `(batch,)`.
        y_pred: Scores of every class, `(batch, classes)`; or with
            `from_sorted_ids=True`, the ids of the top classes, best first.
        k: How many of the top classes count.
        from_sorted_ids: Whether `y_pred` holds sorted class ids.
    """
    _check_k(k, "sparse_top_k_categorical_accuracy")
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if from_sorted_ids:
        y_true = y_true.astype(y_pred.dtype)
        return _flat_top_k(
            y_true, y_pred, lambda t, p: (t[:, None] == p[:, :k]).any(axis=1))
    # As Keras, labels are cast to int32 (1.7 -> 1).
    return _flat_top_k(y_true.astype("int32"), y_pred,
                       lambda t, p: _in_top_k(t, p, k))


class TopKCategoricalAccuracy(_FunctionMetric):
    """How often the one-hot label's class is in the top `k` predictions.

    Args:
        k: Number of top elements to look at. Defaults to 5.
        name: Name of the metric.
        dtype: dtype of the result.
    """

    _direction = "up"
    _fn = staticmethod(top_k_categorical_accuracy)
    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        _check_k(k, "TopKCategoricalAccuracy")
        super().__init__(name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_FunctionMetric):
    """How often the integer label is in the top `k` predictions.

    Args:
        k: Number of top elements to look at. Defaults to 5.
        name: Name of the metric.
        dtype: dtype of the result.
        from_sorted_ids: Whether `y_pred` holds the ids of the top classes,
            best first, instead of every class's score.
    """

    _direction = "up"
    _fn = staticmethod(sparse_top_k_categorical_accuracy)
    _config_keys = ("k", "from_sorted_ids")

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy",
                 dtype=None, from_sorted_ids=False):
        _check_k(k, "SparseTopKCategoricalAccuracy")
        super().__init__(name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)

    def get_config(self):
        config = super().get_config()
        if not self.from_sorted_ids:  # as Keras: written only when True
            del config["from_sorted_ids"]
        return config
