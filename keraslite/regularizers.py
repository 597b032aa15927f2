"""Weight penalties: `reg(x)` is the penalty, `reg.gradient(x)` its derivative.

A layer adds the penalties of its weights (`kernel_regularizer`,
`bias_regularizer`) to the loss, and the penalty of its output
(`activity_regularizer`) divided by the batch size, as Keras 3 does; the
reported loss includes them.

Example:
>>> layers.Dense(16, kernel_regularizer=regularizers.l2(0.001))
"""
import math

import numpy as np

from keraslite import registry
from keraslite.registry import lookup, serialize_object


class Regularizer:
    """Base class: `__call__(x)` returns a scalar penalty added to the loss.

    A custom regularizer subclasses this and defines both `__call__(x)` and
    `gradient(x)` (keraslite computes gradients by hand, so it needs the
    derivative of the penalty).
    """

    def __call__(self, x):
        return 0.0

    def gradient(self, x):
        """Derivative of the penalty with respect to `x` (same shape)."""
        if type(self).__call__ is not Regularizer.__call__:
            raise TypeError(_missing_gradient_message(self))
        return np.zeros_like(x)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _missing_gradient_message(obj):
    return (
        f"Regularizer {type(obj).__name__} defines a penalty `__call__(x)` "
        "but no `gradient(x)`; keraslite computes gradients by hand, so a "
        "custom regularizer must subclass `keraslite.regularizers.Regularizer` "
        "and define both."
    )


def validate_float_arg(value, name):
    """Returns `value` as a float, or raises Keras's ValueError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative "
            f"float. Received: {name}={value}"
        )
    return float(value)


class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Also available as `regularizers.l1_l2` (as in Keras 3, both factors
    default to 0).

    Args:
        l1: L1 factor (default 0.0).
        l2: L2 factor (default 0.0).

    Example:
    >>> regularizers.l1_l2(l1=0.001, l2=0.001)
    """

    def __init__(self, l1=0.0, l2=0.0):
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        self.l1 = validate_float_arg(l1, name="l1")
        self.l2 = validate_float_arg(l2, name="l2")

    def __call__(self, x):
        penalty = np.float32(0.0)
        if self.l1 != 0.0:
            penalty += np.float32(self.l1) * np.abs(x).sum(dtype=np.float32)
        if self.l2 != 0.0:
            penalty += np.float32(self.l2) * np.square(x).sum(dtype=np.float32)
        return np.float32(penalty)

    def gradient(self, x):
        grad = np.zeros_like(x)
        if self.l1 != 0.0:
            grad += np.float32(self.l1) * np.sign(x)
        if self.l2 != 0.0:
            grad += np.float32(2.0 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(abs(x))`.

    Args:
        l1: L1 factor (default 0.01).
    """

    def __init__(self, l1=0.01):
        l1 = 0.01 if l1 is None else l1
        # NOTE: Keras keeps this factor as a float32 tensor, so its config
        # holds the float32 value (0.01 -> 0.009999999776482582).
        self.l1 = float(np.float32(validate_float_arg(l1, name="l1")))

    def __call__(self, x):
        return np.float32(self.l1) * np.abs(x).sum(dtype=np.float32)

    def gradient(self, x):
        return np.float32(self.l1) * np.sign(x)

    def get_config(self):
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """`l2 * sum(square(x))`.

    Args:
        l2: L2 factor (default 0.01).
    """

    def __init__(self, l2=0.01):
        l2 = 0.01 if l2 is None else l2
        self.l2 = validate_float_arg(l2, name="l2")

    def __call__(self, x):
        return np.float32(self.l2) * np.square(x).sum(dtype=np.float32)

    def gradient(self, x):
        return np.float32(2.0 * self.l2) * x

    def get_config(self):
        return {"l2": self.l2}


# Keras 3 exports the classes under these lower-case names too.
l1 = L1
l2 = L2
l1_l2 = L1L2

ALL_CLASSES = {"Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2}
registry.register_builtins("regularizers", ALL_CLASSES)
# Keras's registry: class names and their snake_case forms ("l1l2").
_REGISTRY = {**ALL_CLASSES, "regularizer": Regularizer, "l1": L1, "l2": L2,
             "l1l2": L1L2}


def serialize(regularizer):
    """Returns the Keras 3 config dict of a regularizer (None for None)."""
    if regularizer is None:
        return None
    return serialize_object(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None):
    """Rebuilds a regularizer from `serialize()` output or a name."""
    registry = {**_REGISTRY, **(custom_objects or {})}
    if isinstance(config, str):
        return lookup(registry, config, "regularizer")()
    cls = lookup(registry, config.get("class_name"), "regularizer")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Returns a regularizer from None, a name, a config dict or an instance.

    Names are Keras's: "l1" and "l2" (factor 0.01), "l1l2" (factors 0).
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup(_REGISTRY, identifier, "regularizer")()
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        identifier = identifier()
    if isinstance(identifier, Regularizer):
        if type(identifier).__call__ is not Regularizer.__call__ and \
                type(identifier).gradient is Regularizer.gradient:
            raise ValueError(_missing_gradient_message(identifier))
        return identifier
    if callable(identifier):
        raise ValueError(
            f"Could not interpret regularizer identifier: {identifier!r}. "
            "keraslite needs the penalty's gradient: subclass "
            "`keraslite.regularizers.Regularizer` and define `__call__(x)` "
            "and `gradient(x)`."
        )
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
