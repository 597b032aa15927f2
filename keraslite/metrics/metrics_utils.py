"""Thresholding and confusion-matrix updates shared by the confusion
metrics, as Keras 3's `keras/src/metrics/metrics_utils.py`.

`update_confusion_matrix_variables` adds, at every threshold `t`, the
(weighted) counts of `y_true == True and y_pred > t` (true positives),
`y_true == False and y_pred > t` (false positives) and their complements
to the arrays it is given. Evenly spaced thresholds take Keras's bucket
path (one pass over the predictions and a reversed cumulative sum); other
thresholds compare every prediction with every threshold. Both paths are
kept because they round a prediction that sits exactly on a threshold the
same way Keras's do.
"""
from enum import Enum

import numpy as np

from keraslite import backend
from keraslite.losses import squeeze_or_expand_to_same_rank

NEG_INF = -1e10


def to_list(x):
    """`x` if it is a list, else `[x]` (Keras's `python_utils.to_list`)."""
    return x if isinstance(x, list) else [x]


def assert_thresholds_range(thresholds):
    if thresholds is not None:
        invalid_thresholds = [
            t for t in thresholds if t is None or t < 0 or t > 1
        ]
        if invalid_thresholds:
            raise ValueError(
                "Threshold values must be in [0, 1]. "
                f"Received: {invalid_thresholds}"
            )


def parse_init_thresholds(thresholds, default_threshold=0.5):
    if thresholds is not None:
        assert_thresholds_range(to_list(thresholds))
    return to_list(default_threshold if thresholds is None else thresholds)


class ConfusionMatrix(Enum):
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


class AUCCurve(Enum):
    """Type of AUC curve (ROC, PR or PRGAIN)."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key):
        if key in ("pr", "PR"):
            return AUCCurve.PR
        if key in ("roc", "ROC"):
            return AUCCurve.ROC
        if key in ("prgain", "PRGAIN"):
            return AUCCurve.PRGAIN
        raise ValueError(
            f'Invalid AUC curve value: "{key}". '
            'Expected values are ["PR", "ROC", "PRGAIN"]'
        )


class AUCSummationMethod(Enum):
    """Riemann sum of the AUC: 'interpolation' (mid-point; for PR, Davis &
    Goadrich's interpolation of the counts), 'minoring' (the lower of the
    two ends of each interval) or 'majoring' (the higher)."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key):
        if key in ("interpolation", "Interpolation"):
            return AUCSummationMethod.INTERPOLATION
        if key in ("majoring", "Majoring"):
            return AUCSummationMethod.MAJORING
        if key in ("minoring", "Minoring"):
            return AUCSummationMethod.MINORING
        raise ValueError(
            f'Invalid AUC summation method value: "{key}". '
            'Expected values are ["interpolation", "majoring", "minoring"]'
        )


def is_evenly_distributed_thresholds(thresholds):
    """Whether `thresholds` are `[0, 1/(n-1), ..., 1]` (n >= 3)."""
    num_thresholds = len(thresholds)
    if num_thresholds < 3:
        return False
    even_thresholds = np.arange(num_thresholds, dtype=np.float32) / (
        num_thresholds - 1
    )
    return np.allclose(thresholds, even_thresholds, atol=backend.epsilon())


def divide_no_nan(x, y):
    """`x / y`, and 0 where `y == 0` (as `ops.divide_no_nan`)."""
    x, y = np.asarray(x), np.asarray(y)
    safe = np.where(y == 0, np.ones_like(y), y)
    return np.where(y == 0, np.zeros_like(x), x / safe)


def update_confusion_matrix_variables(
    variables_to_update,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
):
    """Adds the weighted confusion counts at each threshold to the arrays.

    Args:
        variables_to_update: `{ConfusionMatrix.X: array}`; each array of
            shape `(num_thresholds,)` (or `(num_thresholds, num_labels)`
            when `multi_label`) is updated in place.
        y_true: Labels, cast to bool.
        y_pred: Predictions in [0, 1], same shape as `y_true` (up to a
            trailing axis of 1).
        thresholds: List or array of thresholds (or `[NEG_INF]` with top_k).
        top_k: Only the `top_k` largest predictions of the last axis count
            as positive.
        class_id: Only this class (index of the last axis) is counted.
        sample_weight: Weights broadcastable to `y_true`.
        multi_label: Count each label (column) separately instead of
            flattening.
        label_weights: Per-label weights, for the flattened case only.
        thresholds_distributed_evenly: Use the bucket path (thresholds must
            be evenly spaced).
    """
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled "
            "outside of `update_confusion_matrix_variables` when "
            "`multi_label` is True."
        )
    if variables_to_update is None:
        return
    valid = list(ConfusionMatrix)
    invalid_keys = [key for key in variables_to_update if key not in valid]
    if not variables_to_update or len(invalid_keys) == len(variables_to_update):
        raise ValueError(
            "Please provide at least one valid confusion matrix "
            "variable to update. Valid variable key options are: "
            f'"{valid}". Received: "{variables_to_update.keys()}"'
        )
    if invalid_keys:
        raise ValueError(
            f'Invalid keys: "{invalid_keys}". '
            f'Valid variable key options are: "{valid}"'
        )

    dtype = list(variables_to_update.values())[0].dtype
    y_true = np.asarray(y_true).astype(dtype)
    y_pred = np.asarray(y_pred).astype(dtype)
    if thresholds_distributed_evenly:
        # Thresholds below 0 and above 1 (AUC's -eps and 1 + eps) mean that
        # the first bucket also counts predictions equal to 0.
        thresholds_with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    thresholds = np.asarray(thresholds, dtype=dtype)

    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight).astype(dtype)[..., None]
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array "
                "with shape (num_samples, num_classes), found shape: "
                f"{y_pred.shape}"
            )
        # Keep the axis, so that sample weights still broadcast.
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]

    if sample_weight is not None:
        sample_weight = np.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        label_weights = np.broadcast_to(
            np.asarray(label_weights, dtype=dtype)[None], y_pred.shape
        )
    if thresholds_distributed_evenly:
        counts = _bucket_counts(y_true, y_pred, len(thresholds), multi_label,
                                sample_weight, label_weights,
                                thresholds_with_epsilon)
    else:
        counts = _threshold_counts(y_true, y_pred, thresholds, multi_label,
                                   sample_weight, label_weights,
                                   set(variables_to_update))
    for key, variable in variables_to_update.items():
        variable += counts[key].astype(dtype)


def _weights(sample_weight, label_weights, shape, dtype):
    """sample_weight * label_weights broadcast to `shape`, or None."""
    weights = None
    for w in (sample_weight, label_weights):
        if w is not None:
            w = np.broadcast_to(w, shape)
            weights = w if weights is None else weights * w
    return None if weights is None else weights.astype(dtype)


def _threshold_counts(y_true, y_pred, thresholds, multi_label, sample_weight,
                      label_weights, keys):
    """Counts by comparing every prediction with every threshold."""
    dtype = y_pred.dtype
    weights = _weights(sample_weight, label_weights, y_pred.shape, dtype)
    if multi_label:
        preds, labels = y_pred, y_true.astype(bool)      # (N, L)
        thresh = thresholds.reshape(-1, 1, 1)           # (T, 1, 1)
    else:
        preds, labels = y_pred.reshape(-1), y_true.reshape(-1).astype(bool)
        thresh = thresholds.reshape(-1, 1)              # (T, 1)
        if weights is not None:
            weights = weights.reshape(-1)
    pred_is_pos = preds[None] > thresh                  # (T, N[, L])
    label_is_pos = np.broadcast_to(labels[None], pred_is_pos.shape)

    def weighted_count(label, pred):
        both = np.logical_and(label, pred)
        if weights is None:
            return both.astype(dtype).sum(axis=1, dtype=dtype)
        return np.where(both, weights[None], 0).astype(dtype).sum(axis=1,
                                                                   dtype=dtype)

    counts = {ConfusionMatrix.TRUE_POSITIVES: weighted_count(label_is_pos,
                                                             pred_is_pos)}
    if keys & {ConfusionMatrix.FALSE_NEGATIVES, ConfusionMatrix.TRUE_NEGATIVES}:
        counts[ConfusionMatrix.FALSE_NEGATIVES] = weighted_count(label_is_pos,
                                                                 ~pred_is_pos)
    if keys & {ConfusionMatrix.FALSE_POSITIVES, ConfusionMatrix.TRUE_NEGATIVES}:
        counts[ConfusionMatrix.FALSE_POSITIVES] = weighted_count(~label_is_pos,
                                                                 pred_is_pos)
    if ConfusionMatrix.TRUE_NEGATIVES in keys:
        counts[ConfusionMatrix.TRUE_NEGATIVES] = weighted_count(~label_is_pos,
                                                                ~pred_is_pos)
    return counts


def _bucket_counts(y_true, y_pred, num_thresholds, multi_label, sample_weight,
                   label_weights, thresholds_with_epsilon):
    """Counts for evenly spaced thresholds `[0, 1/(n-1), ..., 1]`.

    A prediction p is above the thresholds of indices `0 .. bucket(p)` with
    `bucket(p) = ceil(p * (n - 1)) - 1`, so the positives at threshold i are
    the (weighted) labels of buckets >= i: a reversed cumulative sum.
    """
    dtype = y_pred.dtype
    weights = _weights(sample_weight, label_weights, y_pred.shape, dtype)
    weights = dtype.type(1.0) if weights is None else weights
    y_pred = np.clip(y_pred, 0.0, 1.0)
    y_true = y_true.astype(bool).astype(dtype)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        if np.ndim(weights):
            weights = weights.reshape(-1)
    true_labels = y_true * weights
    false_labels = (dtype.type(1.0) - y_true) * weights
    buckets = np.ceil(y_pred * dtype.type(num_thresholds - 1)) - 1
    if thresholds_with_epsilon:
        buckets = np.maximum(buckets, 0)  # p == 0 is above the -eps threshold
    buckets = buckets.astype(np.int64)

    def reversed_cumsum(labels):
        if multi_label:  # (N, L): one bucket sum per label
            sums = np.stack([_segment_sum(labels[:, j], buckets[:, j],
                                          num_thresholds)
                             for j in range(labels.shape[1])], axis=1)
        else:
            sums = _segment_sum(labels, buckets, num_thresholds)
        return np.flip(np.cumsum(np.flip(sums, 0), axis=0, dtype=dtype), 0)

    tp, fp = reversed_cumsum(true_labels), reversed_cumsum(false_labels)
    total_true = true_labels.sum(axis=0, dtype=dtype)
    total_false = false_labels.sum(axis=0, dtype=dtype)
    return {
        ConfusionMatrix.TRUE_POSITIVES: tp,
        ConfusionMatrix.FALSE_POSITIVES: fp,
        ConfusionMatrix.TRUE_NEGATIVES: total_false - fp,
        ConfusionMatrix.FALSE_NEGATIVES: total_true - tp,
    }


def _segment_sum(data, segment_ids, num_segments):
    """Sums of `data` per segment; ids outside [0, num_segments) are dropped
    (as TensorFlow's `unsorted_segment_sum`)."""
    keep = (segment_ids >= 0) & (segment_ids < num_segments)
    data = np.broadcast_to(data, segment_ids.shape)
    out = np.zeros(num_segments, dtype=data.dtype)
    np.add.at(out, segment_ids[keep], data[keep])
    return out


def _filter_top_k(x, k):
    """Keeps the top-k values of the last axis, sets the rest to NEG_INF."""
    # A stable sort keeps the first of equal values, as `top_k` does.
    top_k_idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = np.zeros_like(x)
    np.put_along_axis(mask, top_k_idx, 1.0, axis=-1)
    return x * mask + x.dtype.type(NEG_INF) * (1 - mask)
