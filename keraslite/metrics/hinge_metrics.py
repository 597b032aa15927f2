"""Hinge metrics: the mean of a hinge loss."""
from keraslite.metrics._loss_functions import (
    _categorical_hinge,
    _hinge,
    _squared_hinge,
)
from keraslite.metrics.reduction_metrics import _FunctionMetric


class Hinge(_FunctionMetric):
    """Mean hinge loss, `maximum(1 - y_true * y_pred, 0)` (0/1 labels as -1/1)."""

    _direction = "down"
    _fn = staticmethod(_hinge)
    _default_name = "hinge"


class SquaredHinge(_FunctionMetric):
    """Mean squared hinge loss, `square(maximum(1 - y_true * y_pred, 0))`."""

    _direction = "down"
    _fn = staticmethod(_squared_hinge)
    _default_name = "squared_hinge"


class CategoricalHinge(_FunctionMetric):
    """Mean categorical hinge loss, `maximum(neg - pos + 1, 0)`."""

    _direction = "down"
    _fn = staticmethod(_categorical_hinge)
    _default_name = "categorical_hinge"
