"""Weight constraints: projections applied to a weight after each update."""
import numpy as np

from keraslite import backend
from keraslite.registry import lookup, serialize_object
from keraslite import registry


class Constraint:
    """Base class: `__call__(w)` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value` (2)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (backend.epsilon() + norms))).astype(w.dtype)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Clips weights at zero from below."""

    def __call__(self, w):
        return np.maximum(w, 0).astype(w.dtype)


class UnitNorm(Constraint):
    """Rescales weights to unit norm along `axis` (0)."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return (w / (backend.epsilon() + _norms(w, self.axis))).astype(w.dtype)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves norms along `axis` into [min_value, max_value] at `rate`."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (
            self.rate * np.clip(norms, self.min_value, self.max_value)
            + (1 - self.rate) * norms
        )
        return (w * (desired / (backend.epsilon() + norms))).astype(w.dtype)

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


ALL_CLASSES = {
    "MaxNorm": MaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm,
}
registry.register_builtins("constraints", ALL_CLASSES)
_REGISTRY = {
    **ALL_CLASSES,
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}


def serialize(constraint):
    """Returns the Keras 3 config dict of a constraint (None for None)."""
    if constraint is None:
        return None
    return serialize_object(constraint, "keras.constraints")


def get(identifier):
    """Returns a constraint from None, a name, a config dict or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = lookup(ALL_CLASSES, identifier.get("class_name"), "constraint")
        return cls.from_config(identifier.get("config") or {})
    if isinstance(identifier, str):
        return lookup(_REGISTRY, identifier, "constraint")()
    if isinstance(identifier, Constraint):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
