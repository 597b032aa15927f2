"""Optimizers: `keraslite.optimizers.RMSprop()` or the string "rmsprop"."""
from keraslite.optimizers import schedules
from keraslite.optimizers.adam import Adam
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.rmsprop import RMSprop
from keraslite.optimizers.sgd import SGD
from keraslite.registry import lookup, serialize_object

ALL_OPTIMIZERS = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam}
_REGISTRY = {**ALL_OPTIMIZERS, "sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def serialize(optimizer):
    """Returns the Keras 3 config dict of an optimizer."""
    return serialize_object(optimizer, "keras.optimizers")


def deserialize(config):
    """Rebuilds an optimizer from a Keras config dict."""
    cls = lookup(_REGISTRY, config.get("class_name"), "optimizer")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Returns an optimizer from a name, config dict, class or instance.

    Example:
    >>> keraslite.optimizers.get("rmsprop").learning_rate
    0.001
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup(_REGISTRY, identifier, "optimizer")()
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
