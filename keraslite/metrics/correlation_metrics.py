"""Correlation metrics: per-sample correlation along an axis, averaged."""
import numpy as np

from keraslite import backend
from keraslite.losses import _as_float, squeeze_or_expand_to_same_rank
from keraslite.metrics.reduction_metrics import _FunctionMetric


def _pair(y_true, y_pred):
    y_pred = _as_float(y_pred)
    y_true = _as_float(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation coefficient of labels and predictions along `axis`.

    Returns:
        The coefficient of each sample (`axis` reduced away).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true_norm = y_true - y_true.mean(axis=axis, keepdims=True)
    y_pred_norm = y_pred - y_pred.mean(axis=axis, keepdims=True)
    y_true_norm = y_true_norm / y_true_norm.std(axis=axis, keepdims=True)
    y_pred_norm = y_pred_norm / y_pred_norm.std(axis=axis, keepdims=True)
    return np.mean(y_true_norm * y_pred_norm, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Concordance correlation coefficient of labels and predictions along
    `axis`, as Keras computes it.

    Returns:
        The coefficient of each sample (`axis` reduced away).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true_mean = y_true.mean(axis=axis, keepdims=True)
    y_pred_mean = y_pred.mean(axis=axis, keepdims=True)
    y_true_var = (y_true - y_true_mean).var(axis=axis, keepdims=True)
    y_pred_var = (y_pred - y_pred_mean).var(axis=axis, keepdims=True)
    # NOTE: Keras centres y_true on y_pred's mean here; kept for parity.
    covar = (y_true - y_pred_mean) * (y_pred - y_pred_mean)
    norm = y_true_var + y_pred_var + np.square(y_true_mean - y_pred_mean)
    return np.mean(2 * covar / (norm + backend.epsilon()), axis=axis)


class PearsonCorrelation(_FunctionMetric):
    """Mean Pearson correlation coefficient (see `pearson_correlation`).

    Args:
        name: Name of the metric.
        dtype: dtype of the result.
        axis: The axis the correlation is computed along.
    """

    _direction = "up"
    _fn = staticmethod(pearson_correlation)
    _config_keys = ("axis",)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(_FunctionMetric):
    """Mean concordance correlation coefficient (see `concordance_correlation`).

    Args:
        name: Name of the metric.
        dtype: dtype of the result.
        axis: The axis the correlation is computed along.
    """

    _direction = "up"
    _fn = staticmethod(concordance_correlation)
    _config_keys = ("axis",)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)
