"""Per-sample loss functions that Keras's metric classes wrap and that
keraslite.losses does not have yet; each is Keras's function of the same name
without the underscore (`keras/src/losses/losses.py`). When keraslite.losses
gains them, the metric modules import those instead and this file goes.
"""
import numpy as np

from keraslite import backend
from keraslite.losses import _as_float, squeeze_or_expand_to_same_rank


def _pair(y_true, y_pred, same_rank=True):
    y_pred = _as_float(y_pred)
    y_true = _as_float(y_true, y_pred.dtype)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _convert_binary_labels_to_hinge(y_true):
    """0/1 labels become -1/1; other labels are left as they are."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def _hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`, 0/1 labels as -1/1."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    y_true = _convert_binary_labels_to_hinge(y_true)
    return np.mean(np.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def _squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    y_true = _convert_binary_labels_to_hinge(y_true)
    return np.mean(np.square(np.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def _categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1.0, y_pred.dtype.type(0.0))


def _mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), eps)))`."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = y_pred.dtype.type(backend.epsilon())
    diff = np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), eps))
    return 100.0 * np.mean(diff, axis=-1)


def _mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)))`."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = y_pred.dtype.type(backend.epsilon())
    first_log = np.log(np.maximum(y_pred, eps) + 1.0)
    second_log = np.log(np.maximum(y_true, eps) + 1.0)
    return np.mean(np.square(first_log - second_log), axis=-1)


def _log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2)
    softplus = np.logaddexp(0.0, -2.0 * x).astype(x.dtype)
    return np.mean(x + softplus - np.log(2.0).astype(x.dtype), axis=-1)


def _kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to [eps, 1]."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    eps = backend.epsilon()
    y_true = np.clip(y_true, eps, 1.0)
    y_pred = np.clip(y_pred, eps, 1.0)
    return np.sum(y_true * np.log(y_true / y_pred), axis=-1)


def _poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + eps), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    eps = y_pred.dtype.type(backend.epsilon())
    return np.mean(y_pred - y_true * np.log(y_pred + eps), axis=-1)
