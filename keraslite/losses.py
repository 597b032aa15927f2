"""Loss functions and their gradients, in function and class form.

Each per-sample loss function `f(y_true, y_pred, ...)` is followed by
`_f_grad(y_true, y_pred, ...)`, the derivative of each sample's loss with
respect to `y_pred` (same shape as `y_pred`). Loss classes reduce the
per-sample values as Keras does ("sum_over_batch_size" by default) and
`Loss.value_and_grad` returns the reduced value with its gradient, which is
what training needs.

As in Keras's TensorFlow backend, a softmax (sigmoid) output followed by
categorical (binary) crossentropy is computed from the logits: the model
calls `value_and_grad(..., from_logits=True)` with the pre-activation, so
the gradient is the fused `softmax(z) - y`.
"""
import warnings

import numpy as np

from keraslite import backend
from keraslite.utils.naming import snake_case
from keraslite.registry import lookup, serialize_object
from keraslite import registry


def _as_float(x, dtype=None):
    x = np.asarray(x)
    dtype = dtype or backend.floatx()
    return x if x.dtype == dtype else x.astype(dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeezes or expands the last axis when the ranks differ by one."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _apply_mask(sample_weight, mask, reduction, dtype="float32"):
    """Sample weights with a prediction's mask merged in, as Keras's
    `losses.loss.apply_mask`: for "sum_over_batch_size"/"mean" the kept
    entries weigh `total / valid`, so the mean is over the kept entries."""
    mask = np.asarray(mask).astype(bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = np.float32(mask.sum())
        weight = np.float32(mask.size) / valid if valid else np.float32(0.0)
        float_mask = np.where(mask, weight, np.float32(0.0)).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = np.asarray(sample_weight, dtype=dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask,
                                                              sample_weight)
    return sample_weight * float_mask


def _check_same_shape(y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={y_true.shape}, "
            f"output.shape={y_pred.shape}"
        )


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -88.0, 88.0)))


# --- mean squared / absolute error ------------------------------------------
def mean_squared_error(y_true, y_pred):
    """Per-sample `mean(square(y_true - y_pred), axis=-1)`."""
    y_pred = _as_float(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_float(y_true), y_pred)
    return np.mean(np.square(y_pred - y_true), axis=-1)


def _mean_squared_error_grad(y_true, y_pred):
    diff = y_pred - y_true
    diff *= 2.0 / y_pred.shape[-1]
    return diff


def mean_absolute_error(y_true, y_pred):
    """Per-sample `mean(abs(y_true - y_pred), axis=-1)`."""
    y_pred = _as_float(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_float(y_true), y_pred)
    return np.mean(np.abs(y_pred - y_true), axis=-1)


def _mean_absolute_error_grad(y_true, y_pred):
    return np.sign(y_pred - y_true) / y_pred.shape[-1]


# --- crossentropies -----------------------------------------------------------
def _smooth_categorical(y_true, label_smoothing):
    if label_smoothing:
        classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    return y_true


def categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Per-sample crossentropy between one-hot labels and predictions.

    Args:
        y_true: One-hot (or soft) labels, shape `(batch, classes)`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Mixes the labels with the uniform distribution.
        axis: Class axis (only -1 is supported).
    """
    _check_axis(axis, y_pred)
    y_pred = _as_float(y_pred)
    y_true = _smooth_categorical(_as_float(y_true), label_smoothing)
    _check_same_shape(y_true, y_pred)
    if from_logits:
        return -np.sum(y_true * _log_softmax(y_pred), axis=-1)
    eps = backend.epsilon()
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)
    p = np.clip(p, eps, 1.0 - eps)
    return -np.sum(y_true * np.log(p), axis=-1)


def _categorical_crossentropy_grad(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        # d/dz of -sum(y * log_softmax(z)) = softmax(z) * sum(y) - y
        return _softmax(y_pred) * y_true.sum(axis=-1, keepdims=True) - y_true
    eps = backend.epsilon()
    total = y_pred.sum(axis=-1, keepdims=True)
    p = y_pred / total
    inside = (p >= eps) & (p <= 1.0 - eps)
    d_p = np.where(inside, -y_true / np.clip(p, eps, 1.0 - eps), 0.0)
    # p = y_pred / total: chain through the normalisation.
    return ((d_p - np.sum(d_p * p, axis=-1, keepdims=True)) / total).astype(
        y_pred.dtype
    )


def _sparse_labels(y_true, y_pred):
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            "Argument `output` must have rank (ndim) `target.ndim - 1`. "
            f"Received: target.shape={y_true.shape}, "
            f"output.shape={y_pred.shape}"
        )
    labels = y_true.astype("int64", copy=False)  # only read
    if labels.size and (np.minimum.reduce(labels, axis=None) < 0 or
                        np.maximum.reduce(labels, axis=None) >= y_pred.shape[-1]):
        raise ValueError(
            "Received a label value outside the valid range "
            f"[0, {y_pred.shape[-1]}) for sparse_categorical_crossentropy: "
            f"min={labels.min()}, max={labels.max()}."
        )
    return labels


def _sparse_logits(y_pred, from_logits):
    if from_logits:
        return y_pred
    eps = backend.epsilon()
    return np.log(np.clip(y_pred, eps, 1.0 - eps))


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    """Per-sample crossentropy between integer labels and predictions.

    Args:
        y_true: Integer class indices, shape `(batch,)` or `(batch, 1)`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        from_logits: Whether `y_pred` are logits.
        ignore_class: A label value whose samples get zero loss.
        axis: Class axis (only -1 is supported).
    """
    _check_axis(axis, y_pred)
    return _sparse_softmax_terms(y_true, _as_float(y_pred), from_logits,
                                 ignore_class)[0]


def _sparse_categorical_crossentropy_grad(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    return _sparse_softmax_terms(y_true, y_pred, from_logits, ignore_class)[1]


def _sparse_categorical_crossentropy_value_and_grad(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    """Both at once when `y_pred` is in floatx (else the values are computed
    in floatx and the gradient in `y_pred`'s dtype, as the two functions)."""
    if np.asarray(y_pred).dtype != backend.floatx():
        return (sparse_categorical_crossentropy(y_true, y_pred, from_logits,
                                                ignore_class, axis),
                _sparse_categorical_crossentropy_grad(y_true, y_pred, from_logits,
                                                      ignore_class, axis))
    _check_axis(axis, y_pred)
    return _sparse_softmax_terms(y_true, y_pred, from_logits, ignore_class)


def _sparse_softmax_terms(y_true, y_pred, from_logits, ignore_class):
    """The per-sample values and the gradient, sharing one softmax.

    As Keras: softmax crossentropy on the logits, or on log(clip(p));
    `log_softmax(z) = s - log(sum(exp(s)))` and `softmax(z) = exp(s) /
    sum(exp(s))` with `s = z - max(z)`; the gradient with respect to the
    logits is the softmax less 1 at the label.
    """
    y_true, valid = _ignore(np.asarray(y_true), ignore_class)
    labels = _sparse_labels(y_true, y_pred)
    logits = _sparse_logits(y_pred, from_logits)
    shifted = logits - np.maximum.reduce(logits, axis=-1, keepdims=True)
    # The labels' entries, through flat (row, label) pairs.
    rows = np.arange(labels.size)
    flat_labels = labels.reshape(-1)
    picked = shifted.reshape(-1, shifted.shape[-1])[rows, flat_labels]
    exp = np.exp(shifted, out=shifted)
    total = np.add.reduce(exp, axis=-1, keepdims=True)
    # -log_p at the labels: log(total) - s, which is -(s - log(total))
    # exactly (and +0 rather than -0 where the two are equal, as TensorFlow's
    # kernel), without log_p's other entries.
    values = (np.log(total).reshape(-1) - picked).reshape(labels.shape)
    grad = np.divide(exp, total, out=exp)
    grad.reshape(-1, grad.shape[-1])[rows, flat_labels] -= 1.0
    if not from_logits:
        eps = backend.epsilon()
        inside = (y_pred >= eps) & (y_pred <= 1.0 - eps)
        grad = np.where(inside, grad / np.clip(y_pred, eps, 1.0 - eps), 0.0)
    if valid is not None:
        values = np.where(valid.reshape(values.shape), values, 0.0)
        grad = grad * valid.reshape(grad.shape[:-1] + (1,))
    return values.astype(y_pred.dtype, copy=False), grad.astype(y_pred.dtype, copy=False)


def _ignore(y_true, ignore_class):
    if ignore_class is None:
        return y_true, None
    valid = y_true != ignore_class
    return np.where(valid, y_true, 0), valid


def binary_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Per-sample binary crossentropy, averaged over the last axis.

    Args:
        y_true: 0/1 labels with the shape of `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Squeezes the labels towards 0.5.
        axis: Axis to average over.
    """
    y_pred = _as_float(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_as_float(y_true), y_pred)
    _check_same_shape(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return np.mean(_binary_crossentropy_elements(y_true, y_pred, from_logits),
                   axis=axis)


def _binary_crossentropy_elements(y_true, y_pred, from_logits):
    """Elementwise crossentropy, as Keras's TensorFlow backend computes it."""
    if from_logits:
        z = y_pred
        return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
    eps = backend.epsilon()
    p = np.clip(y_pred, eps, 1.0 - eps)
    return -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))


def _binary_crossentropy_grad(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    n = y_pred.shape[axis]
    if from_logits:
        return ((_sigmoid(y_pred) - y_true) / n).astype(y_pred.dtype)
    eps = backend.epsilon()
    p = np.clip(y_pred, eps, 1.0 - eps)
    inside = (y_pred >= eps) & (y_pred <= 1.0 - eps)
    grad = np.where(inside, (p - y_true) / (p * (1.0 - p)), 0.0) / n
    return grad.astype(y_pred.dtype)


def _check_axis(axis, y_pred):
    if axis not in (-1, np.ndim(y_pred) - 1):
        raise ValueError(
            f"Only axis=-1 is currently supported. Received: axis={axis}"
        )


def _check_same_shape_and_rank(y_true, y_pred):
    """Keras's `ops.binary_crossentropy` checks, rank first."""
    if y_true.ndim != y_pred.ndim:
        raise ValueError(
            "Arguments `target` and `output` must have the same rank "
            f"(ndim). Received: target.shape={y_true.shape}, "
            f"output.shape={y_pred.shape}"
        )
    _check_same_shape(y_true, y_pred)


def _axis_arg(axis):
    """An axis argument NumPy accepts (configs read from JSON hold lists)."""
    return tuple(axis) if isinstance(axis, list) else axis


def _pair(y_true, y_pred, same_rank=False):
    """`y_pred` in floatx and `y_true` cast to it (rank-matched if asked)."""
    y_pred = _as_float(y_pred)
    y_true = _as_float(y_true, y_pred.dtype)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


# --- huber, log-cosh, msle, mape ------------------------------------------------
def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss: `0.5 * x**2` for `|x| <= delta`, else
    `delta * |x| - 0.5 * delta**2`, averaged over the last axis.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        delta: Where the loss changes from quadratic to linear.
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=True)
    delta = y_pred.dtype.type(delta)
    error = y_pred - y_true
    abs_error = np.abs(error)
    return np.mean(np.where(abs_error <= delta, 0.5 * np.square(error),
                            delta * abs_error - 0.5 * np.square(delta)), axis=-1)


def _huber_grad(y_true, y_pred, delta=1.0):
    delta = y_pred.dtype.type(delta)
    error = y_pred - y_true
    grad = np.where(np.abs(error) <= delta, error, delta * np.sign(error))
    return grad / y_pred.shape[-1]


def log_cosh(y_true, y_pred):
    """Per-sample `mean(log(cosh(y_pred - y_true)), axis=-1)`.

    Computed as Keras does, `x + softplus(-2x) - log(2)`, which does not
    overflow for large errors.
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=True)
    x = y_pred - y_true
    return np.mean(x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0).astype(x.dtype),
                   axis=-1)


def _log_cosh_grad(y_true, y_pred):
    return np.tanh(y_pred - y_true) / y_pred.shape[-1]


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample `mean(square(log(y_true + 1) - log(y_pred + 1)), axis=-1)`.

    Values below `epsilon()` (including negatives) count as `epsilon()`.
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=True)
    eps = backend.epsilon()
    first = np.log(np.maximum(y_pred, eps) + 1.0)
    second = np.log(np.maximum(y_true, eps) + 1.0)
    return np.mean(np.square(first - second), axis=-1)


def _mean_squared_logarithmic_error_grad(y_true, y_pred):
    eps = backend.epsilon()
    shifted = np.maximum(y_pred, eps) + 1.0
    diff = np.log(shifted) - np.log(np.maximum(y_true, eps) + 1.0)
    # As TensorFlow's maximum: the gradient flows where y_pred >= epsilon.
    grad = np.where(y_pred >= eps, 2.0 * diff / shifted, 0.0)
    return (grad / y_pred.shape[-1]).astype(y_pred.dtype)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample `100 * mean(abs((y_true - y_pred) / y_true), axis=-1)`.

    The divisor is `maximum(abs(y_true), epsilon())`.
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=True)
    divisor = np.maximum(np.abs(y_true), backend.epsilon())
    return 100.0 * np.mean(np.abs((y_true - y_pred) / divisor), axis=-1)


def _mean_absolute_percentage_error_grad(y_true, y_pred):
    divisor = np.maximum(np.abs(y_true), backend.epsilon())
    return (100.0 / y_pred.shape[-1]) * np.sign(y_pred - y_true) / divisor


# --- probabilistic: KL divergence, Poisson ----------------------------------------
def kl_divergence(y_true, y_pred):
    """Per-sample `sum(y_true * log(y_true / y_pred), axis=-1)`.

    Both are clipped to `[epsilon(), 1]` first.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    t = np.clip(y_true, eps, 1.0)
    p = np.clip(y_pred, eps, 1.0)
    return np.sum(t * np.log(t / p), axis=-1)


def _kl_divergence_grad(y_true, y_pred):
    eps = backend.epsilon()
    t = np.clip(y_true, eps, 1.0)
    inside = (y_pred >= eps) & (y_pred <= 1.0)
    return np.where(inside, -t / np.clip(y_pred, eps, 1.0), 0.0).astype(
        y_pred.dtype)


def poisson(y_true, y_pred):
    """Per-sample `mean(y_pred - y_true * log(y_pred + epsilon()), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred)
    return np.mean(y_pred - y_true * np.log(y_pred + backend.epsilon()), axis=-1)


def _poisson_grad(y_true, y_pred):
    return (1.0 - y_true / (y_pred + backend.epsilon())) / y_pred.shape[-1]


# --- cosine similarity ----------------------------------------------------------------
def _inverse_norm(x, axis):
    """`minimum(rsqrt(sum(x**2)), 1 / epsilon())`, as `ops.normalize`, and
    whether the first term was taken (where the norm has a gradient)."""
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.sqrt(np.sum(np.square(x), axis=axis, keepdims=True))
    cap = x.dtype.type(1.0 / backend.epsilon())
    return np.minimum(inv, cap), inv <= cap


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample `-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        axis: The axis along which the similarity is computed.
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=True)
    t = y_true * _inverse_norm(y_true, axis)[0]
    p = y_pred * _inverse_norm(y_pred, axis)[0]
    return -np.sum(t * p, axis=axis)


def _cosine_similarity_grad(y_true, y_pred, axis=-1):
    t = y_true * _inverse_norm(y_true, axis)[0]
    inv, through = _inverse_norm(y_pred, axis)
    dot = np.sum(t * y_pred, axis=axis, keepdims=True)
    # loss = -dot * inv; d inv / d y_pred = -inv**3 * y_pred where it flows.
    return -inv * t + np.where(through, dot * inv ** 3, 0.0) * y_pred


# --- hinge losses -----------------------------------------------------------------------
def _hinge_labels(y_true):
    """0/1 labels become -1/1 (only when every label is 0 or 1, as Keras)."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """Per-sample `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`.

    Labels are -1/1; 0/1 labels are converted.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    margin = 1.0 - _hinge_labels(y_true) * y_pred
    return np.mean(np.maximum(margin, 0.0), axis=-1)


def _hinge_grad(y_true, y_pred):
    t = _hinge_labels(y_true)
    # NOTE: at margin == 0 TensorFlow's maximum passes the gradient on.
    grad = np.where(1.0 - t * y_pred >= 0.0, -t, 0.0)
    return (grad / y_pred.shape[-1]).astype(y_pred.dtype)


def squared_hinge(y_true, y_pred):
    """Per-sample `mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`.

    Labels are -1/1; 0/1 labels are converted.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    margin = 1.0 - _hinge_labels(y_true) * y_pred
    return np.mean(np.square(np.maximum(margin, 0.0)), axis=-1)


def _squared_hinge_grad(y_true, y_pred):
    t = _hinge_labels(y_true)
    margin = np.maximum(1.0 - t * y_pred, 0.0)
    return (-2.0 / y_pred.shape[-1]) * t * margin


def categorical_hinge(y_true, y_pred):
    """Per-sample `maximum(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)`
    and `neg = max((1 - y_true) * y_pred)` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0)


def _categorical_hinge_grad(y_true, y_pred):
    others = (1.0 - y_true) * y_pred
    neg = others.max(axis=-1, keepdims=True)
    pos = np.sum(y_true * y_pred, axis=-1, keepdims=True)
    # As TensorFlow's reduce_max, tied maxima share the gradient.
    tied = (others == neg).astype(y_pred.dtype)
    d_neg = (1.0 - y_true) * tied / tied.sum(axis=-1, keepdims=True)
    return np.where(neg - pos + 1.0 >= 0.0, d_neg - y_true, 0.0).astype(
        y_pred.dtype)


# --- focal crossentropies -----------------------------------------------------------------
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0,
                                   from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """Per-sample `sum(alpha * (1 - p)**gamma * -y_true * log(p), axis)`.

    Args:
        y_true: One-hot (or soft) labels.
        y_pred: Probabilities, or logits when `from_logits=True`.
        alpha: Weight of every class (a float or one float per class).
        gamma: Focusing parameter; 0 gives categorical crossentropy times alpha.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Mixes the labels with the uniform distribution.
        axis: The class axis.
    """
    if isinstance(axis, bool):
        raise ValueError(
            "`axis` must be of type `int`. "
            f"Received: axis={axis} of type {type(axis)}"
        )
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_focal_crossentropy, expected "
            "y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    y_true = _smooth_categorical(y_true, label_smoothing)
    probs = _softmax_along(y_pred, axis) if from_logits else y_pred
    eps = backend.epsilon()
    p = np.clip(probs / probs.sum(axis=axis, keepdims=True), eps, 1.0 - eps)
    alpha = np.asarray(alpha, dtype=p.dtype)
    return np.sum(alpha * np.power(1.0 - p, gamma) * (-y_true * np.log(p)),
                  axis=axis)


def _categorical_focal_crossentropy_grad(y_true, y_pred, alpha=0.25, gamma=2.0,
                                         from_logits=False, label_smoothing=0.0,
                                         axis=-1):
    y_true = _smooth_categorical(y_true, label_smoothing)
    probs = _softmax_along(y_pred, axis) if from_logits else y_pred
    eps = backend.epsilon()
    total = probs.sum(axis=axis, keepdims=True)
    normalized = probs / total
    p = np.clip(normalized, eps, 1.0 - eps)
    alpha = np.asarray(alpha, dtype=p.dtype)
    # d/dp of alpha * (1-p)**g * -y log p
    d_p = alpha * y_true * (gamma * np.power(1.0 - p, gamma - 1.0) * np.log(p)
                            - np.power(1.0 - p, gamma) / p)
    d_p = np.where((normalized >= eps) & (normalized <= 1.0 - eps), d_p, 0.0)
    # Through the normalisation p = probs / total, then the softmax.
    grad = (d_p - np.sum(d_p * normalized, axis=axis, keepdims=True)) / total
    if from_logits:
        grad = probs * (grad - np.sum(grad * probs, axis=axis, keepdims=True))
    return grad.astype(y_pred.dtype)


def _softmax_along(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False,
                              alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Per-sample `mean((1 - p_t)**gamma * bce, axis)`, with `p_t` the
    probability given to the true class.

    Args:
        y_true: 0/1 labels with the shape of `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        apply_class_balancing: Weight class 1 by `alpha`, class 0 by
            `1 - alpha`.
        alpha: The class-1 weight when balancing.
        gamma: Focusing parameter; 0 gives binary crossentropy.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Squeezes the labels towards 0.5.
        axis: Axis to average over.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape_and_rank(y_true, y_pred)
    # As Keras's TensorFlow backend, the crossentropy of a sigmoid output is
    # computed from its logits; the focal factor from the probability.
    p = _sigmoid(y_pred) if from_logits else y_pred
    bce = _binary_crossentropy_elements(y_true, y_pred, from_logits)
    p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
    focal = np.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = focal * (y_true * alpha + (1.0 - y_true) * (1.0 - alpha))
    return np.mean(focal, axis=axis)


def _binary_focal_crossentropy_grad(y_true, y_pred, apply_class_balancing=False,
                                    alpha=0.25, gamma=2.0, from_logits=False,
                                    label_smoothing=0.0, axis=-1):
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    p = _sigmoid(y_pred) if from_logits else y_pred
    bce = _binary_crossentropy_elements(y_true, y_pred, from_logits)
    p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
    factor = np.power(1.0 - p_t, gamma)
    # d factor / d p (p_t = y p + (1 - y)(1 - p), so d p_t / d p = 2y - 1)
    d_factor = -gamma * np.power(1.0 - p_t, gamma - 1.0) * (2.0 * y_true - 1.0)
    if from_logits:
        # d bce / d z = p - y; d p / d z = p (1 - p).
        grad = d_factor * p * (1.0 - p) * bce + factor * (p - y_true)
    else:
        eps = backend.epsilon()
        clipped = np.clip(p, eps, 1.0 - eps)
        d_bce = np.where((p >= eps) & (p <= 1.0 - eps),
                         (clipped - y_true) / (clipped * (1.0 - clipped)), 0.0)
        grad = d_factor * bce + factor * d_bce
    if apply_class_balancing:
        grad = grad * (y_true * alpha + (1.0 - y_true) * (1.0 - alpha))
    return (grad / y_pred.shape[axis]).astype(y_pred.dtype)


# --- segmentation: Dice, Tversky ---------------------------------------------------------
def dice(y_true, y_pred, axis=None):
    """`1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))` over `axis`.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        axis: Axis or tuple of axes to sum over; None (all) gives one value
            for the whole batch.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    intersection, denominator = _dice_terms(y_true, y_pred, axis)
    return 1.0 - 2.0 * intersection / denominator


def _dice_grad(y_true, y_pred, axis=None):
    intersection, denominator = _dice_terms(y_true, y_pred, axis, keepdims=True)
    grad = -2.0 * (y_true * denominator - intersection) / denominator ** 2
    return np.broadcast_to(grad, y_pred.shape).astype(y_pred.dtype)


def _dice_terms(y_true, y_pred, axis, keepdims=False):
    axis = _axis_arg(axis)
    intersection = np.sum(y_true * y_pred, axis=axis, keepdims=keepdims)
    denominator = (np.sum(y_true, axis=axis, keepdims=keepdims)
                   + np.sum(y_pred, axis=axis, keepdims=keepdims)
                   + backend.epsilon())
    return intersection, denominator


def _tversky_terms(y_true, y_pred, alpha, beta, axis, keepdims=False):
    """Intersection and denominator of the Tversky index."""
    axis = _axis_arg(axis)
    intersection = np.sum(y_true * y_pred, axis=axis, keepdims=keepdims)
    fp = np.sum((1.0 - y_pred) * y_true, axis=axis, keepdims=keepdims)
    fn = np.sum(y_pred * (1.0 - y_true), axis=axis, keepdims=keepdims)
    denominator = intersection + fp * alpha + fn * beta + backend.epsilon()
    return intersection, denominator


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - sum(y_true * y_pred) / (sum(y_true * y_pred) + alpha * fp +
    beta * fn)` over `axis`, as Keras's `fp = sum((1 - y_pred) * y_true)`,
    `fn = sum(y_pred * (1 - y_true))`.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        alpha: Weight of `fp`.
        beta: Weight of `fn`.
        axis: Axis or tuple of axes to sum over; None (all) gives one value
            for the whole batch.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    intersection, denominator = _tversky_terms(y_true, y_pred, alpha, beta, axis)
    return 1.0 - intersection / denominator


def _tversky_grad(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    intersection, denominator = _tversky_terms(y_true, y_pred, alpha, beta, axis,
                                               keepdims=True)
    d_denominator = y_true - alpha * y_true + beta * (1.0 - y_true)
    grad = -(y_true * denominator - intersection * d_denominator) / denominator ** 2
    return np.broadcast_to(grad, y_pred.shape).astype(y_pred.dtype)


# Each loss function beside its gradient, and the output activation whose
# logits Keras's TensorFlow backend feeds it instead of the probabilities.
_GRADIENTS = {
    mean_squared_error: _mean_squared_error_grad,
    mean_absolute_error: _mean_absolute_error_grad,
    categorical_crossentropy: _categorical_crossentropy_grad,
    sparse_categorical_crossentropy: _sparse_categorical_crossentropy_grad,
    binary_crossentropy: _binary_crossentropy_grad,
    huber: _huber_grad,
    log_cosh: _log_cosh_grad,
    mean_squared_logarithmic_error: _mean_squared_logarithmic_error_grad,
    mean_absolute_percentage_error: _mean_absolute_percentage_error_grad,
    kl_divergence: _kl_divergence_grad,
    poisson: _poisson_grad,
    cosine_similarity: _cosine_similarity_grad,
    hinge: _hinge_grad,
    squared_hinge: _squared_hinge_grad,
    categorical_hinge: _categorical_hinge_grad,
    categorical_focal_crossentropy: _categorical_focal_crossentropy_grad,
    binary_focal_crossentropy: _binary_focal_crossentropy_grad,
    dice: _dice_grad,
    tversky: _tversky_grad,
}

# Losses whose per-sample values and gradient are computed together (one
# pass shares their common part); `value_and_grad` uses them.
_VALUES_AND_GRADIENTS = {
    sparse_categorical_crossentropy: _sparse_categorical_crossentropy_value_and_grad,
}
_LOGITS_ACTIVATION = {
    categorical_crossentropy: "softmax",
    sparse_categorical_crossentropy: "softmax",
    binary_crossentropy: "sigmoid",
    binary_focal_crossentropy: "sigmoid",
}
# Losses whose labels must have the model output's shape (trainer's check).
_LABELS_LIKE_OUTPUT = frozenset(
    set(_GRADIENTS) - {categorical_crossentropy, sparse_categorical_crossentropy}
)

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean",
               "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Returns `reduction` if Keras accepts it, else raises ValueError."""
    if reduction not in _REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. "
            f"Expected one of {set(_REDUCTIONS)}. Received: "
            f"reduction={reduction}"
        )
    return reduction


class Loss:
    """Base loss: `__call__` computes `call(y_true, y_pred)` and reduces it.

    Args:
        name: Name of the loss.
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None.
        dtype: Computation dtype (float32 by default).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _as_float(y_pred, self.dtype)
        y_true = _as_float(y_true, self.dtype)
        values = self.call(y_true, y_pred)
        weights = self._weights(y_true, values, sample_weight)
        return self._reduce(values, weights)

    def call(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred)."
        )

    def _weights(self, y_true, values, sample_weight):
        """Sample weights merged with any mask the loss defines."""
        if sample_weight is None:
            return None
        sw = _as_float(sample_weight, values.dtype)
        # NOTE: as Keras, the weights multiply the values by broadcasting
        # (one loss for the whole batch, as Dice's with axis=None, takes the
        # weights' shape) and "mean_with_sample_weight" divides by their sum
        # as given (a scalar weight is not spread first). Keras expands
        # rank-1 losses to (n, 1) to meet (n, 1) weights; squeezing the
        # weights instead gives the same products and keeps the values' shape.
        sw = squeeze_or_expand_to_same_rank(values, sw, expand_rank_1=False)[1]
        if sw.ndim == values.ndim - 1 and values.shape[-1] == 1:
            sw = sw[..., None]  # (n, 1) losses (e.g. Dice over some axes)
        return sw

    def _reduce(self, values, weights):
        if weights is not None:
            values = values * weights
        if self.reduction in (None, "none") or values.ndim == 0:
            return values
        total = values.sum(dtype=values.dtype)
        if self.reduction == "sum":
            return total
        divisor = self._divisor(values, weights)
        return values.dtype.type(total / divisor if divisor else 0.0)

    def _divisor(self, values, weights):
        """What the summed loss is divided by (1 for "sum")."""
        if self.reduction == "sum":
            return 1.0
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            return float(weights.sum())
        if weights is not None:
            return float(np.broadcast(values, weights).size)
        return float(values.size)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """Wraps a per-sample loss function (and its gradient) as a Loss."""

    def __init__(
        self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _weights(self, y_true, values, sample_weight):
        weights = super()._weights(y_true, values, sample_weight)
        ignore_class = self._fn_kwargs.get("ignore_class")
        if ignore_class is None:
            return weights
        # As Keras: ignored samples are masked and the mean is over the rest.
        labels = y_true[..., 0] if y_true.ndim == values.ndim + 1 else y_true
        valid = (labels != ignore_class).reshape(values.shape)
        mask = valid.astype(values.dtype)
        if self.reduction in ("mean", "sum_over_batch_size") and valid.any():
            mask *= valid.size / valid.sum()
        return mask if weights is None else mask * weights

    @property
    def logits_activation(self):
        """"softmax"/"sigmoid" when Keras would use that output's logits."""
        if self._fn_kwargs.get("from_logits"):
            return None
        return _LOGITS_ACTIVATION.get(self.fn)

    def value_and_grad(self, y_true, y_pred, sample_weight=None, from_logits=False):
        """Reduced loss value and its gradient with respect to `y_pred`.

        Args:
            y_true: Labels.
            y_pred: Predictions, or the logits of the output activation when
                `from_logits=True` (see `logits_activation`).
            sample_weight: Optional per-sample weights.
            from_logits: Compute from logits (the fused softmax/sigmoid path).

        Returns:
            `(value, grad)` with `grad` shaped like `y_pred`.
        """
        grad_fn = _GRADIENTS.get(self.fn)
        if grad_fn is None:
            raise ValueError(
                f"Loss function {self.fn!r} has no gradient in keraslite."
            )
        kwargs = dict(self._fn_kwargs)
        if from_logits:
            kwargs["from_logits"] = True
        # Labels are fitted to the prediction's rank, never the reverse, so
        # that the gradient has the model output's shape.
        y_true = squeeze_or_expand_to_same_rank(y_true, y_pred)[0]
        if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        fused = _VALUES_AND_GRADIENTS.get(self.fn)
        if fused is not None:
            values, grad = fused(y_true, y_pred, **kwargs)
        else:
            values = self.fn(y_true, y_pred, **kwargs)
        weights = self._weights(y_true, values, sample_weight)
        value = self._reduce(values, weights)
        if fused is None:
            grad = grad_fn(y_true, y_pred, **kwargs)
        if values.ndim == 0 and (weights is None or weights.ndim == 0):
            divisor = 1.0  # a scalar loss is returned as it is, unreduced
        else:
            divisor = self._divisor(values, weights)
        scale = 1.0 / divisor if divisor else 0.0
        if weights is None:
            grad *= scale
        elif values.ndim == 0:
            grad *= weights.sum(dtype=grad.dtype) * scale
        else:
            axes = _reduced_axes(kwargs.get("axis", -1), grad.ndim, values.ndim)
            grad *= np.expand_dims(np.broadcast_to(weights, values.shape) * scale,
                                   axes)
        return value, grad

    def get_config(self):
        config = super().get_config()
        for key in self._config_keys:
            config[key] = self._fn_kwargs[key]
        return config

    # The keyword arguments each class's config holds, in Keras's order
    # (Keras leaves out e.g. Huber's delta and CosineSimilarity's axis).
    _config_keys = ()


def _reduced_axes(axis, grad_ndim, values_ndim):
    """The axes of `y_pred` a loss function reduced (its `axis`, or all)."""
    if axis is None:
        return tuple(range(grad_ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if len(axes) != grad_ndim - values_ndim:
        axes = tuple(range(values_ndim, grad_ndim))  # the trailing axes
    return tuple(sorted(a % grad_ndim for a in axes))


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error",
                 dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction,
                         dtype=dtype)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for one-hot labels (see `categorical_crossentropy`)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name,
                         reduction=reduction, dtype=dtype,
                         from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for integer labels (see `sparse_categorical_crossentropy`)."""

    _config_keys = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None,
                 reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name,
                         reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class


class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy for 0/1 labels (see `binary_crossentropy`)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy",
                 dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean squared logarithmic error (see `mean_squared_logarithmic_error`)."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name,
                         reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """Mean absolute percentage error (see `mean_absolute_percentage_error`)."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name,
                         reduction=reduction, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity of labels and predictions (see
    `cosine_similarity`); its config, as Keras's, leaves out `axis`."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size",
                 name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction,
                         dtype=dtype, axis=axis)


class Huber(LossFunctionWrapper):
    """Huber loss (see `huber`); its config, as Keras's, leaves out `delta`."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size",
                 name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype,
                         delta=delta)


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the error (see `log_cosh`)."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh",
                 dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """Hinge loss for -1/1 (or 0/1) labels (see `hinge`)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss for -1/1 (or 0/1) labels (see `squared_hinge`)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge",
                 dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction,
                         dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss for one-hot labels (see `categorical_hinge`)."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge",
                 dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction,
                         dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence (see `kl_divergence`)."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence",
                 dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction,
                         dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss (see `poisson`)."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson",
                 dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal crossentropy for 0/1 labels (see `binary_focal_crossentropy`)."""

    _config_keys = ("from_logits", "label_smoothing", "axis",
                    "apply_class_balancing", "alpha", "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                 from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name,
                         reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Focal crossentropy for one-hot labels (see
    `categorical_focal_crossentropy`)."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name,
                         reduction=reduction, dtype=dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma


class Dice(LossFunctionWrapper):
    """Dice loss (see `dice`); `axis=None` gives one value for the batch."""

    _config_keys = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None,
                 dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """Tversky loss (see `tversky`); alpha = beta = 0.5 is the Dice loss."""

    _config_keys = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size",
                 name="tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype,
                         alpha=alpha, beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis


# Aliases as in keras.losses.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

ALL_FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        mean_squared_error,
        mean_absolute_error,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
        binary_crossentropy,
        huber,
        log_cosh,
        kl_divergence,
        poisson,
        cosine_similarity,
        hinge,
        squared_hinge,
        categorical_hinge,
        mean_squared_logarithmic_error,
        mean_absolute_percentage_error,
        categorical_focal_crossentropy,
        binary_focal_crossentropy,
        tversky,
        dice,
    )
}
# The string aliases of keras.losses.get (Keras 3 has no "logcosh").
_FUNCTION_ALIASES = {
    "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
}
_CLASS_OF_FUNCTION = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
    huber: Huber,
    log_cosh: LogCosh,
    kl_divergence: KLDivergence,
    poisson: Poisson,
    cosine_similarity: CosineSimilarity,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy,
    tversky: Tversky,
    dice: Dice,
}
ALL_CLASSES = {cls.__name__: cls for cls in _CLASS_OF_FUNCTION.values()}
registry.register_builtins("losses", ALL_CLASSES)
_REGISTRY = {**ALL_FUNCTIONS, **_FUNCTION_ALIASES, **ALL_CLASSES}


def serialize(loss):
    """Returns the Keras 3 config of a loss: a class config dict or a name."""
    if isinstance(loss, Loss):
        return serialize_object(loss, "keras.losses")
    for name, fn in ALL_FUNCTIONS.items():
        if fn is loss:
            # NOTE: Keras returns {"class_name": "function", "config": name,
            # ...} here; keraslite returns the name, the form compile configs
            # store (`deserialize` accepts both).
            return name
    raise ValueError(f"Could not serialize loss {loss!r}.")


def deserialize(config):
    """Rebuilds a loss (function or class instance) from a name or config."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        return lookup(_REGISTRY, config.get("config"), "loss")
    if isinstance(config, dict):
        cls = lookup(ALL_CLASSES, config.get("class_name"), "loss")
        return cls.from_config(config.get("config") or {})
    return lookup(_REGISTRY, config, "loss")


def get(identifier):
    """Returns a loss function or Loss instance from a name, config or object.

    Example:
    >>> keraslite.losses.get("mse") is keraslite.losses.mean_squared_error
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        identifier = deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def as_loss_object(identifier):
    """The Loss instance training uses for `compile(loss=identifier)`."""
    loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    cls = _CLASS_OF_FUNCTION.get(loss)
    if cls is None:
        raise ValueError(
            f"Could not interpret loss identifier: {identifier!r}. keraslite "
            "trains with its built-in losses: "
            + ", ".join(sorted(_REGISTRY)) + "."
        )
    return cls()
