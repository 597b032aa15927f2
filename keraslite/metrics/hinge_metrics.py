"""Hinge metrics: the mean of a hinge loss."""
from keraslite.losses import categorical_hinge, hinge, squared_hinge
from keraslite.metrics.reduction_metrics import _FunctionMetric


class Hinge(_FunctionMetric):
    """Mean hinge loss, `maximum(1 - y_true * y_pred, 0)` (0/1 labels as -1/1)."""

    _direction = "down"
    _fn = staticmethod(hinge)
    _default_name = "hinge"


class SquaredHinge(_FunctionMetric):
    """Mean squared hinge loss, `square(maximum(1 - y_true * y_pred, 0))`."""

    _direction = "down"
    _fn = staticmethod(squared_hinge)
    _default_name = "squared_hinge"


class CategoricalHinge(_FunctionMetric):
    """Mean categorical hinge loss, `maximum(neg - pos + 1, 0)`."""

    _direction = "down"
    _fn = staticmethod(categorical_hinge)
    _default_name = "categorical_hinge"
