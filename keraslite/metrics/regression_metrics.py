"""Regression metrics."""
from keraslite.losses import mean_absolute_error, mean_squared_error
from keraslite.metrics.reduction_metrics import _FunctionMetric


class MeanSquaredError(_FunctionMetric):
    """Mean of squared errors."""

    _fn = staticmethod(mean_squared_error)
    _default_name = "mean_squared_error"


class MeanAbsoluteError(_FunctionMetric):
    """Mean of absolute errors."""

    _fn = staticmethod(mean_absolute_error)
    _default_name = "mean_absolute_error"
