"""Intersection-over-union metrics, from a confusion matrix accumulated over
batches: `IoU = true_positives / (true_positives + false_positives +
false_negatives)` per class."""
import warnings

import numpy as np

from keraslite import backend
from keraslite.metrics.metric import Metric


def _confusion_matrix(labels, predictions, num_classes, weights=None,
                     dtype="int64"):
    """The `(num_classes, num_classes)` matrix of (weighted) label/prediction
    counts: rows are labels, columns predictions."""
    index = labels.astype("int64") * num_classes + predictions.astype("int64")
    if weights is None:
        counts = np.bincount(index, minlength=num_classes * num_classes)
    else:
        counts = np.bincount(index, weights=weights,
                             minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(dtype)


def _check_num_classes(num_classes, where):
    if (isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer))
            or num_classes < 1):
        raise ValueError(
            f"Argument `num_classes` of {where} must be a positive integer. "
            f"Received: num_classes={num_classes!r}"
        )


class _IoUBase(Metric):
    """The confusion matrix behind the IoU metrics (state
    `total_confusion_matrix`, int64 by default as in Keras)."""

    _direction = "up"

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        _check_num_classes(num_classes, type(self).__name__)
        super().__init__(name=name, dtype=dtype or "int64")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = np.zeros((num_classes, num_classes), self.dtype)

    def _state(self):
        return {"total_confusion_matrix": self.total_cm}

    def reset_state(self):
        self.total_cm = np.zeros_like(self.total_cm)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        # NOTE: as Keras's cast, float class ids are truncated (1.9 -> 1).
        y_true = np.asarray(y_true).astype(self.dtype).reshape(-1)
        y_pred = np.asarray(y_pred).astype(self.dtype).reshape(-1)
        if sample_weight is None:
            sample_weight = np.ones((), self.dtype)
        else:
            sample_weight = np.asarray(sample_weight)
            if "float" in str(sample_weight.dtype) and "int" in str(self.dtype):
                warnings.warn(
                    "You are passing weight as `float`, but dtype is `int`. "
                    "This may result in an incorrect weight due to type casting"
                    " Consider using integer weights."
                )
            sample_weight = sample_weight.astype(self.dtype).reshape(-1)
        sample_weight = np.broadcast_to(sample_weight, y_true.shape)
        # Class ids out of [0, num_classes), and the ignored class, are left out.
        keep = ((y_true >= 0) & (y_true < self.num_classes)
                & (y_pred >= 0) & (y_pred < self.num_classes))
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        self.total_cm = self.total_cm + _confusion_matrix(
            y_true[keep], y_pred[keep], self.num_classes,
            weights=sample_weight[keep], dtype=self.dtype)


class IoU(_IoUBase):
    """Intersection-over-union of the classes in `target_class_ids`, averaged.

    Args:
        num_classes: Number of classes; the confusion matrix is
            `(num_classes, num_classes)`.
        target_class_ids: The class ids whose IoU is averaged.
        name: Name of the metric.
        dtype: dtype of the confusion matrix (int64 by default, so float
            sample weights are truncated, as in Keras).
        ignore_class: A label id left out of the counts.
        sparse_y_true: Whether labels are class ids (else one-hot / scores,
            reduced by argmax over `axis`).
        sparse_y_pred: Whether predictions are class ids (else scores).
        axis: The class axis of non-sparse inputs.

    Example:
    >>> m = keraslite.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        target_class_ids = list(target_class_ids)
        if not target_class_ids:
            raise ValueError(
                f"Argument `target_class_ids` of {type(self).__name__} must "
                f"name at least one class. Received: target_class_ids=[]"
            )
        # NOTE: Keras checks only the largest id; a negative id gives a
        # meaningless result there, and an error here.
        for class_id in (max(target_class_ids), min(target_class_ids)):
            if not 0 <= class_id < num_classes:
                raise ValueError(
                    f"Target class id {class_id} is out of range, which is "
                    f"[0, {num_classes})."
                )
        self.target_class_ids = target_class_ids

    def result(self):
        cm = self.total_cm
        sum_over_row = cm.sum(axis=0).astype(self.dtype)
        sum_over_col = cm.sum(axis=1).astype(self.dtype)
        true_positives = np.diag(cm).astype(self.dtype)
        # sum_over_row + sum_over_col = 2 * tp + fp + fn
        denominator = sum_over_row + sum_over_col - true_positives
        ids = np.asarray(self.target_class_ids, "int32")
        true_positives = true_positives[ids].astype("float32")
        denominator = denominator[ids].astype("float32")
        valid = denominator > 1e-9  # absent classes count for nothing
        iou = np.where(valid, true_positives / (denominator + backend.epsilon()),
                       np.float32(0.0))
        return np.float32(iou.sum(axis=self.axis)
                          / (valid.sum(dtype="float32") + backend.epsilon()))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of 0/1 labels against predictions thresholded at `threshold`.

    Args:
        target_class_ids: Among (0, 1), the classes whose IoU is averaged.
        threshold: Predictions >= threshold count as class 1.
        name: Name of the metric.
        dtype: dtype of the confusion matrix (int64 by default).
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None,
                 dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids,
                         name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, "float32") >= self.threshold
        super().update_state(y_true, y_pred.astype(self.dtype), sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids,
                "threshold": self.threshold, "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all `num_classes` classes (see `IoU`)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        _check_num_classes(num_classes, type(self).__name__)
        super().__init__(num_classes=num_classes,
                         target_class_ids=list(range(num_classes)), name=name,
                         dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU of one-hot labels against class scores (see `IoU`)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes,
                         target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred,
                         axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """IoU of one-hot labels against class scores, over all classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
