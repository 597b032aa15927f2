"""F-scores: the (weighted) harmonic mean of precision and recall."""
import numpy as np

from keraslite import backend
from keraslite.losses import _as_float
from keraslite.metrics.metric import Metric


class FBetaScore(Metric):
    """F-beta score, `(1 + b2) * precision * recall / (b2 * precision + recall)`.

    Works for multi-class and multi-label classification, on 2-D inputs
    `(batch, classes)`.

    Args:
        average: None (one score per class), "micro" (from the counts of
            all classes together), "macro" (mean of the class scores) or
            "weighted" (mean weighted by each class's number of true labels).
        beta: Weight of recall against precision (a float > 0).
        threshold: Predictions above it count as 1; None marks the
            largest prediction of each row.
        name: Name of the metric.
        dtype: dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None,
                 name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                "{None, 'micro', 'macro', 'weighted'}. "
                f"Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. "
                "It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                "Invalid `beta` argument value. "
                "It should be > 0. "
                f"Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. "
                    "It should be a Python float. "
                    f"Received: threshold={threshold} "
                    f"of type '{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. "
                    "It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape "
                "(batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in self._state_names:
            setattr(self, name, np.zeros(shape, self.dtype))
        self._built = True

    _state_names = ("true_positives", "false_positives", "false_negatives",
                    "intermediate_weights")

    def _state(self):
        if not self._built:
            return {}
        return {name: getattr(self, name) for name in self._state_names}

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _as_float(y_true, self.dtype)
        y_pred = _as_float(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            # The row's largest prediction, unless it is 0 ([0, 0] stays [0, 0]).
            threshold = y_pred.max(axis=-1, keepdims=True)
            y_pred = (y_pred >= threshold) & (np.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self.dtype)
        if sample_weight is not None:
            sample_weight = np.expand_dims(_as_float(sample_weight, self.dtype), 1)

        def weighted_sum(values):
            if sample_weight is not None:
                values = values * sample_weight
            return values.sum(axis=self.axis)

        self.true_positives = self.true_positives + weighted_sum(y_pred * y_true)
        self.false_positives = self.false_positives + weighted_sum(
            y_pred * (1 - y_true))
        self.false_negatives = self.false_negatives + weighted_sum(
            (1 - y_pred) * y_true)
        self.intermediate_weights = self.intermediate_weights + weighted_sum(y_true)

    def result(self):
        eps = backend.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        b2 = self.beta ** 2
        f_score = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (
                self.intermediate_weights.sum() + eps)
            f_score = np.sum(f_score * weights)
        elif self.average is not None:  # micro, macro
            f_score = np.mean(f_score)
        return np.asarray(f_score, self.dtype)[()]

    def get_config(self):
        return {**super().get_config(), "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F-1 score, `2 * precision * recall / (precision + recall)`.

    Args:
        average: None, "micro", "macro" or "weighted" (see `FBetaScore`).
        threshold: Predictions above it count as 1; None marks the
            largest prediction of each row.
        name: Name of the metric.
        dtype: dtype of the state and result.

    Example:
    >>> m = keraslite.metrics.F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> m.result().round(4)
    array([0.5   , 0.8   , 0.6667], dtype=float32)
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold,
                         name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
