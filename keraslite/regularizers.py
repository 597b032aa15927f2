"""Weight penalties: `reg(x)` is the penalty, `reg.gradient(x)` its derivative."""
import numpy as np

from keraslite.registry import lookup


class Regularizer:
    """Base class: `__call__(x)` returns a scalar penalty added to the loss."""

    def __call__(self, x):
        return 0.0

    def gradient(self, x):
        """Derivative of the penalty with respect to `x` (same shape)."""
        return np.zeros_like(x)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _validate(value, name):
    if value is None or value < 0 or not np.isfinite(value):
        raise ValueError(
            f"Value of '{name}' must be a non-negative finite number. "
            f"Received: {name}={value}"
        )
    return float(value)


class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Args:
        l1: L1 factor (default 0.0).
        l2: L2 factor (default 0.0).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate(l1, "l1")
        self.l2 = _validate(l2, "l2")

    def __call__(self, x):
        penalty = np.float32(0.0)
        if self.l1:
            penalty += np.float32(self.l1) * np.abs(x).sum(dtype=np.float32)
        if self.l2:
            penalty += np.float32(self.l2) * np.square(x).sum(dtype=np.float32)
        return np.float32(penalty)

    def gradient(self, x):
        grad = np.zeros_like(x)
        if self.l1:
            grad += np.float32(self.l1) * np.sign(x)
        if self.l2:
            grad += np.float32(2.0 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """`l1 * sum(abs(x))` (default l1=0.01)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """`l2 * sum(square(x))` (default l2=0.01)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """An L1L2 regularizer with both factors (defaults 0.01), as in Keras."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

ALL_CLASSES = {"L1L2": L1L2, "L1": L1, "L2": L2}
_REGISTRY = {**ALL_CLASSES, "l1": L1, "l2": L2, "l1_l2": l1_l2}


def serialize(regularizer):
    """Returns the Keras 3 config dict of a regularizer (None for None)."""
    if regularizer is None:
        return None
    return {
        "module": "keras.regularizers",
        "class_name": type(regularizer).__name__,
        "config": regularizer.get_config(),
        "registered_name": None,
    }


def deserialize(config):
    cls = lookup(ALL_CLASSES, config.get("class_name"), "regularizer")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Returns a regularizer from None, a name, a config dict or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup(_REGISTRY, identifier, "regularizer")()
    if isinstance(identifier, Regularizer):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
