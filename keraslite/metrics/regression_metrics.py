"""Regression metrics."""
import warnings

import numpy as np

from keraslite import backend
from keraslite.losses import (
    _as_float,
    log_cosh,
    mean_absolute_percentage_error,
    mean_absolute_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    squeeze_or_expand_to_same_rank,
)
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import Mean, _FunctionMetric


class MeanSquaredError(_FunctionMetric):
    """Mean of squared errors."""

    _direction = "down"
    _fn = staticmethod(mean_squared_error)
    _default_name = "mean_squared_error"


class MeanAbsoluteError(_FunctionMetric):
    """Mean of absolute errors."""

    _direction = "down"
    _fn = staticmethod(mean_absolute_error)
    _default_name = "mean_absolute_error"


class MeanAbsolutePercentageError(_FunctionMetric):
    """Mean of `100 * abs((y_true - y_pred) / y_true)`."""

    _direction = "down"
    _fn = staticmethod(mean_absolute_percentage_error)
    _default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_FunctionMetric):
    """Mean of `square(log(y_pred + 1) - log(y_true + 1))`."""

    _direction = "down"
    _fn = staticmethod(mean_squared_logarithmic_error)
    _default_name = "mean_squared_logarithmic_error"


class LogCoshError(_FunctionMetric):
    """Mean of `log(cosh(y_pred - y_true))`."""

    _direction = "down"
    _fn = staticmethod(log_cosh)
    _default_name = "logcosh"


def _l2_normalize(x, axis):
    # As keras.ops.normalize: x * min(rsqrt(sum(x**2)), 1 / epsilon).
    with np.errstate(divide="ignore"):
        inv_norm = 1.0 / np.sqrt(np.sum(np.square(x), axis=axis, keepdims=True))
    return x * np.minimum(inv_norm, x.dtype.type(1.0 / backend.epsilon()))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample cosine of the angle between labels and predictions."""
    y_pred = _as_float(y_pred)
    y_true = _as_float(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return np.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis),
                  axis=axis)


class CosineSimilarity(_FunctionMetric):
    """Mean cosine similarity between labels and predictions.

    Args:
        name: Name of the metric.
        dtype: dtype of the result.
        axis: The axis along which the similarity is computed.
    """

    _direction = "up"
    _fn = staticmethod(cosine_similarity)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        # NOTE: as Keras, `axis` is not part of the config.
        super().__init__(name=name, dtype=dtype, axis=axis)


class RootMeanSquaredError(Mean):
    """Square root of the (weighted) mean of squared errors."""

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _as_float(y_true, self.dtype)
        y_pred = _as_float(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return self.dtype_type(np.sqrt(super().result()))


class R2Score(Metric):
    """The coefficient of determination, `1 - residual / total` sum of squares.

    Args:
        class_aggregation: How the per-output scores are combined: None
            (one score per output), "uniform_average" (their mean) or
            "variance_weighted_average" (weighted by each output's variance).
        num_regressors: Number of independent regressors; above 0 the
            adjusted R2 score is computed.
        name: Name of the metric.
        dtype: dtype of the result.

    Example:
    >>> m = keraslite.metrics.R2Score()
    >>> m.update_state([[1], [4], [3]], [[2], [4], [4]])
    >>> round(float(m.result()), 4)
    0.5714
    """

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected "
                f"one of {valid}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. "
                "Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = np.zeros((), self.dtype)
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape "
                "(batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        zeros = np.zeros((y_pred_shape[-1],), self.dtype)
        self.squared_sum = zeros.copy()
        self.sum = zeros.copy()
        self.total_mse = zeros.copy()
        self.count = zeros.copy()
        self._built = True

    def _state(self):
        state = {"num_samples": self.num_samples}
        if self._built:
            state.update(squared_sum=self.squared_sum, sum=self.sum,
                         residual=self.total_mse, count=self.count)
        return state

    def reset_state(self):
        self.num_samples = np.zeros_like(self.num_samples)
        if self._built:
            for name in ("squared_sum", "sum", "total_mse", "count"):
                setattr(self, name, np.zeros_like(getattr(self, name)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _as_float(y_true, self.dtype)
        y_pred = _as_float(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        sample_weight = _as_float(1 if sample_weight is None else sample_weight,
                                  self.dtype)
        if sample_weight.ndim == 1:
            sample_weight = sample_weight[:, None]  # a features dimension
        sample_weight = np.broadcast_to(sample_weight, y_true.shape)
        weighted_y_true = y_true * sample_weight
        self.sum = self.sum + weighted_y_true.sum(axis=0)
        self.squared_sum = self.squared_sum + (y_true * weighted_y_true).sum(axis=0)
        self.total_mse = self.total_mse + (
            np.square(y_true - y_pred) * sample_weight).sum(axis=0)
        self.count = self.count + sample_weight.sum(axis=0)
        self.num_samples = self.dtype_type(self.num_samples + y_true.size)

    def result(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum / self.count
            total = self.squared_sum - self.sum * mean
            raw_scores = 1 - (self.total_mse / total)
        raw_scores = np.where(np.isinf(raw_scores), 0.0, raw_scores).astype(self.dtype)
        if self.class_aggregation == "uniform_average":
            r2_score = np.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = np.sum(total * raw_scores) / np.sum(total)
        else:
            r2_score = raw_scores
        if self.num_regressors != 0:
            if self.num_regressors > self.num_samples - 1:
                warnings.warn(
                    "More independent predictors than datapoints "
                    "in adjusted R2 score. Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif self.num_regressors == self.num_samples - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. "
                    "Falling back to standard R2 score.",
                    stacklevel=2,
                )
            else:
                n = np.float32(self.num_samples)
                p = np.float32(self.num_regressors)
                r2_score = 1.0 - (1.0 - r2_score) * (n - 1.0) / (n - p - 1.0)
        return np.asarray(r2_score, self.dtype)[()]

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
