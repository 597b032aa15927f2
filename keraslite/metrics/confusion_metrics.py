"""Confusion-matrix metrics, as Keras 3's `keras/src/metrics/confusion_metrics.py`:
counts at thresholds (TruePositives, ...), Precision, Recall, the
sensitivity/specificity/precision/recall trade-offs and AUC.

Each keeps float32 arrays of counts, one entry per threshold, that
`update_state` adds to (`metrics_utils.update_confusion_matrix_variables`)
and `result()` reads.
"""
import numpy as np

from keraslite import activations, backend
from keraslite.metrics import metrics_utils
from keraslite.metrics.metric import Metric

_CM = metrics_utils.ConfusionMatrix


def _check_class_args(metric, y_pred, top_k=None, class_id=None):
    """ValueErrors for `top_k` / `class_id` that do not fit `y_pred`.

    Keras leaves these to TensorFlow (an InvalidArgumentError from top_k or
    a strided slice); keraslite names the metric and the value.
    """
    y_pred = np.asarray(y_pred)
    num_classes = y_pred.shape[-1] if y_pred.ndim else 1
    if top_k is not None and not 0 <= top_k <= num_classes:
        raise ValueError(
            f"{type(metric).__name__} '{metric.name}': `top_k` must be between "
            f"0 and the number of classes of y_pred ({num_classes}, shape "
            f"{y_pred.shape}). Received: top_k={top_k}"
        )
    if class_id is not None and y_pred.ndim > 1 and not (
            -num_classes <= class_id < num_classes):
        raise ValueError(
            f"{type(metric).__name__} '{metric.name}': `class_id` must index a "
            f"class of y_pred (which has {num_classes}, shape {y_pred.shape}). "
            f"Received: class_id={class_id}"
        )


class _ConfusionMatrixConditionCount(Metric):
    """Counts one cell of the confusion matrix at each threshold.

    Args:
        confusion_matrix_cond: A `metrics_utils.ConfusionMatrix` member.
        thresholds: A float or list of floats in [0, 1] (default 0.5); a
            prediction above a threshold counts as positive.
        name: Name of the metric.
        dtype: dtype of the counts.
    """

    def __init__(self, confusion_matrix_cond, thresholds=None, name=None,
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = metrics_utils.parse_init_thresholds(
            thresholds, default_threshold=0.5
        )
        self._thresholds_distributed_evenly = (
            metrics_utils.is_evenly_distributed_thresholds(self.thresholds)
        )
        self.accumulator = np.zeros((len(self.thresholds),), self.dtype)

    def _state(self):
        return {"accumulator": self.accumulator}

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of a batch (weighted by `sample_weight`)."""
        metrics_utils.update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
        )

    def result(self):
        if len(self.thresholds) == 1:
            return self.accumulator[0].copy()
        return self.accumulator.copy()

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted count of false positives at each threshold.

    Example:
        >>> m = keraslite.metrics.FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
        >>> m.result()
        2.0
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(_CM.FALSE_POSITIVES, thresholds=thresholds, name=name,
                         dtype=dtype)


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of false negatives at each threshold."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(_CM.FALSE_NEGATIVES, thresholds=thresholds, name=name,
                         dtype=dtype)


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of true negatives at each threshold."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(_CM.TRUE_NEGATIVES, thresholds=thresholds, name=name,
                         dtype=dtype)


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted count of true positives at each threshold."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(_CM.TRUE_POSITIVES, thresholds=thresholds, name=name,
                         dtype=dtype)


class _PrecisionRecallBase(Metric):
    """Precision and Recall: true positives and one other count per threshold.

    Args:
        thresholds: A float or list of floats in [0, 1]; default 0.5, or,
            with `top_k`, every top-k prediction counts as positive.
        top_k: Only the `top_k` highest predictions of each sample count.
        class_id: Only this class (an index of the last axis) is counted.
        name: Name of the metric.
        dtype: dtype of the counts.
    """

    _direction = "up"
    _other = None  # (state name, ConfusionMatrix member)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None,
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else metrics_utils.NEG_INF
        self.thresholds = metrics_utils.parse_init_thresholds(
            thresholds, default_threshold=default_threshold
        )
        self._thresholds_distributed_evenly = (
            metrics_utils.is_evenly_distributed_thresholds(self.thresholds)
        )
        shape = (len(self.thresholds),)
        self.true_positives = np.zeros(shape, self.dtype)
        setattr(self, self._other[0], np.zeros(shape, self.dtype))

    def _state(self):
        other = self._other[0]
        return {"true_positives": self.true_positives,
                other: getattr(self, other)}

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of a batch (weighted by `sample_weight`)."""
        _check_class_args(self, y_pred, self.top_k, self.class_id)
        metrics_utils.update_confusion_matrix_variables(
            {_CM.TRUE_POSITIVES: self.true_positives,
             self._other[1]: getattr(self, self._other[0])},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self):
        tp = self.true_positives
        result = metrics_utils.divide_no_nan(tp, tp + getattr(self, self._other[0]))
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecallBase):
    """Precision, `tp / (tp + fp)`, at each threshold.

    Example:
        >>> m = keraslite.metrics.Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> m.result()
        0.6666667
    """

    _other = ("false_positives", _CM.FALSE_POSITIVES)


class Recall(_PrecisionRecallBase):
    """Recall, `tp / (tp + fn)`, at each threshold.

    Example:
        >>> m = keraslite.metrics.Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> m.result()
        0.6666667
    """

    _other = ("false_negatives", _CM.FALSE_NEGATIVES)


class SensitivitySpecificityBase(Metric):
    """Base of the metrics that maximise one rate under a bound on another.

    Keeps tp, fp, tn and fn at `num_thresholds` evenly spaced thresholds in
    [0, 1] (just 0.5 when `num_thresholds == 1`).
    """

    _direction = "up"
    # Names of the rates: (constrained, maximised), each "recall",
    # "precision" or "specificity"; set by the subclasses.
    _rates = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1)
                     for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        shape = (len(self.thresholds),)
        self.true_positives = np.zeros(shape, self.dtype)
        self.false_positives = np.zeros(shape, self.dtype)
        self.true_negatives = np.zeros(shape, self.dtype)
        self.false_negatives = np.zeros(shape, self.dtype)

    def _state(self):
        return {"true_positives": self.true_positives,
                "false_positives": self.false_positives,
                "true_negatives": self.true_negatives,
                "false_negatives": self.false_negatives}

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of a batch (weighted by `sample_weight`)."""
        _check_class_args(self, y_pred, class_id=self.class_id)
        metrics_utils.update_confusion_matrix_variables(
            {_CM.TRUE_POSITIVES: self.true_positives,
             _CM.TRUE_NEGATIVES: self.true_negatives,
             _CM.FALSE_POSITIVES: self.false_positives,
             _CM.FALSE_NEGATIVES: self.false_negatives},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def _rate(self, which):
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        if which == "recall":  # = sensitivity
            return metrics_utils.divide_no_nan(tp, tp + fn)
        if which == "precision":
            return metrics_utils.divide_no_nan(tp, tp + fp)
        return metrics_utils.divide_no_nan(tn, tn + fp)  # specificity

    def result(self):
        constrained, maximised = self._rates
        return self._find_max_under_constraint(
            self._rate(constrained), self._rate(maximised))

    def _find_max_under_constraint(self, constrained, dependent):
        """The largest `dependent` where `constrained >= value` (else 0)."""
        feasible = constrained >= np.asarray(self.value, constrained.dtype)
        return np.max(np.where(feasible, dependent, 0), initial=0).astype(
            self.dtype)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id}


def _check_unit_interval(name, value):
    if value < 0 or value > 1:
        raise ValueError(
            f"Argument `{name}` must be in the range [0, 1]. "
            f"Received: {name}={value}"
        )


class _AtValue(SensitivitySpecificityBase):
    """A SensitivitySpecificityBase whose bound is the argument `_arg`."""

    _arg = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        _check_unit_interval(self._arg, value)
        setattr(self, self._arg, value)
        self.num_thresholds = num_thresholds
        super().__init__(value, num_thresholds=num_thresholds,
                         class_id=class_id, name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                self._arg: getattr(self, self._arg)}


class SensitivityAtSpecificity(_AtValue):
    """Best sensitivity (recall) where specificity >= `specificity`.

    Args:
        specificity: A float in [0, 1].
        num_thresholds: Number of evenly spaced thresholds (200).
        class_id: Only this class (an index of the last axis) is counted.
    """

    _arg = "specificity"
    _rates = ("specificity", "recall")

    def __init__(self, specificity, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_AtValue):
    """Best specificity where sensitivity (recall) >= `sensitivity`.

    Args:
        sensitivity: A float in [0, 1].
        num_thresholds: Number of evenly spaced thresholds (200).
        class_id: Only this class (an index of the last axis) is counted.
    """

    _arg = "sensitivity"
    _rates = ("recall", "specificity")

    def __init__(self, sensitivity, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_AtValue):
    """Best precision where recall >= `recall`.

    Args:
        recall: A float in [0, 1].
        num_thresholds: Number of evenly spaced thresholds (200).
        class_id: Only this class (an index of the last axis) is counted.
    """

    _arg = "recall"
    _rates = ("recall", "precision")

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_AtValue):
    """Best recall where precision >= `precision`.

    Args:
        precision: A float in [0, 1].
        num_thresholds: Number of evenly spaced thresholds (200).
        class_id: Only this class (an index of the last axis) is counted.
    """

    _arg = "precision"
    _rates = ("precision", "recall")

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


class AUC(Metric):
    """Area under the ROC or precision-recall curve, by a Riemann sum over
    `num_thresholds` thresholds.

    Args:
        num_thresholds: Number of thresholds (> 1), evenly spaced in [0, 1]
            (the ends moved out by epsilon). Default 200.
        curve: "ROC" (default), "PR" or "PRGAIN".
        summation_method: "interpolation" (default), "minoring" or
            "majoring".
        name: Name of the metric.
        dtype: dtype of the counts.
        thresholds: Explicit thresholds in [0, 1] to use instead of
            `num_thresholds` (0 - eps and 1 + eps are added).
        multi_label: Treat each column of 2-D data as its own label and
            average the per-label AUCs (else the data are flattened).
        num_labels: Number of labels with `multi_label` (else found from
            the first batch).
        label_weights: Per-label weights: of the average with `multi_label`,
            of the counts otherwise.
        from_logits: Predictions are logits (a sigmoid is applied).

    Labels must lie in [0, 1]: keraslite raises a ValueError for others
    (Keras 3 counts any non-zero label as positive).
    """

    _direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC",
                 summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(metrics_utils.to_list(thresholds))
            metrics_utils.assert_thresholds_range(thresholds)
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = (
                metrics_utils.is_evenly_distributed_thresholds(
                    np.array([0.0] + thresholds + [1.0])
                )
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # NOTE: the outer thresholds sit just outside [0, 1], so that
        # predictions of exactly 0 and 1 fall inside the curve's ends.
        self._thresholds = np.array(
            [0.0 - backend.epsilon()] + thresholds + [1.0 + backend.epsilon()]
        )
        if isinstance(curve, metrics_utils.AUCCurve):
            self.curve = curve
        else:
            self.curve = metrics_utils.AUCCurve.from_str(curve)
        if isinstance(summation_method, metrics_utils.AUCSummationMethod):
            self.summation_method = summation_method
        else:
            self.summation_method = metrics_utils.AUCSummationMethod.from_str(
                summation_method
            )
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else np.array(label_weights, dtype=self.dtype))
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError(
                    "`num_labels` is needed only when `multi_label` is True."
                )
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds, including the two outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, shape):
        """Creates the counts: (num_thresholds,) or (num_thresholds, labels)."""
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {tuple(shape)}"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = np.zeros(variable_shape, self.dtype)
        self.false_positives = np.zeros(variable_shape, self.dtype)
        self.true_negatives = np.zeros(variable_shape, self.dtype)
        self.false_negatives = np.zeros(variable_shape, self.dtype)
        self._built = True

    def _state(self):
        if not self._built:
            return {}
        return {"true_positives": self.true_positives,
                "false_positives": self.false_positives,
                "true_negatives": self.true_negatives,
                "false_negatives": self.false_negatives}

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of a batch (weighted by `sample_weight`)."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise ValueError(
                f"AUC '{self.name}' expects labels (y_true) in [0, 1]. "
                f"Received: y_true with values from {y_true.min()} to "
                f"{y_true.max()}"
            )
        if not self._built:
            self._build(y_pred.shape)
        label_weights = None if self.multi_label else self.label_weights
        if self._from_logits:
            y_pred = activations.sigmoid(y_pred)
        metrics_utils.update_confusion_matrix_variables(
            {_CM.TRUE_POSITIVES: self.true_positives,
             _CM.TRUE_NEGATIVES: self.true_negatives,
             _CM.FALSE_POSITIVES: self.false_positives,
             _CM.FALSE_NEGATIVES: self.false_negatives},
            y_true,
            y_pred,
            self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=label_weights,
        )

    def _mean_over_labels(self, by_threshold):
        """Sum over thresholds, then the (weighted) mean over labels."""
        if not self.multi_label:
            return by_threshold.sum(dtype=self.dtype)
        by_label = by_threshold.sum(axis=0, dtype=self.dtype)
        if self.label_weights is None:
            return by_label.mean(dtype=self.dtype)
        return metrics_utils.divide_no_nan(
            (by_label * self.label_weights).sum(dtype=self.dtype),
            self.label_weights.sum(dtype=self.dtype))

    def interpolate_pr_auc(self):
        """PR-AUC by Davis & Goadrich's interpolation of the counts.

        Between two thresholds the precision is `dtp / dp` times the change
        in predicted positives p, plus an intercept; integrating it over
        recall gives `slope * (dtp + intercept * log(p_prev / p_next))`
        over the number of positives.
        """
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = metrics_utils.divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = np.where(
            (p[: n - 1] > 0) & (p[1:] > 0),
            metrics_utils.divide_no_nan(p[: n - 1], np.maximum(p[1:], 0)),
            np.ones_like(p[1:]),
        )
        with np.errstate(divide="ignore"):
            log_ratio = np.log(safe_p_ratio)
        pr_auc_increment = metrics_utils.divide_no_nan(
            prec_slope * (dtp + intercept * log_ratio),
            np.maximum(tp[1:] + fn[1:], 0),
        )
        return self._mean_over_labels(pr_auc_increment).astype(self.dtype)

    def result(self):
        if (self.curve == metrics_utils.AUCCurve.PR
                and self.summation_method
                == metrics_utils.AUCSummationMethod.INTERPOLATION):
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        recall = metrics_utils.divide_no_nan(tp, tp + fn)
        if self.curve == metrics_utils.AUCCurve.ROC:
            x = metrics_utils.divide_no_nan(fp, fp + tn)  # false positive rate
            y = recall
        elif self.curve == metrics_utils.AUCCurve.PR:
            x = recall
            y = metrics_utils.divide_no_nan(tp, tp + fp)  # precision
        else:  # PRGAIN
            one = self.dtype_type(1.0)
            scaling_factor = metrics_utils.divide_no_nan(tp + fn, tn + fp)
            recall_gain = one - scaling_factor * metrics_utils.divide_no_nan(fn, tp)
            precision_gain = one - scaling_factor * metrics_utils.divide_no_nan(
                fp, tp)
            recall_gain = np.where(tp == 0, 0.0, recall_gain).astype(self.dtype)
            precision_gain = np.where(tp == 0, 1.0, precision_gain).astype(
                self.dtype)
            x = np.maximum(recall_gain, 0.0)
            y = precision_gain
        n = self.num_thresholds
        if self.summation_method == metrics_utils.AUCSummationMethod.INTERPOLATION:
            heights = (y[: n - 1] + y[1:]) / self.dtype_type(2.0)
        elif self.summation_method == metrics_utils.AUCSummationMethod.MINORING:
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        riemann_terms = (x[: n - 1] - x[1:]) * heights
        return self._mean_over_labels(riemann_terms).astype(self.dtype)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve.value,
            "summation_method": self.summation_method.value,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            # NOTE: a list, where Keras gives a tensor: Keras writes that as
            # a "__tensor__" entry that its own loader then fails on.
            "label_weights": (None if self.label_weights is None
                              else self.label_weights.tolist()),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return config

