"""Optimizers: `keraslite.optimizers.RMSprop()` or the string "rmsprop"."""
from keraslite.optimizers import schedules
from keraslite.optimizers.adadelta import Adadelta
from keraslite.optimizers.adafactor import Adafactor
from keraslite.optimizers.adagrad import Adagrad
from keraslite.optimizers.adam import Adam
from keraslite.optimizers.adamax import Adamax
from keraslite.optimizers.adamw import AdamW
from keraslite.optimizers.ftrl import Ftrl
from keraslite.optimizers.lamb import Lamb
from keraslite.optimizers.lion import Lion
from keraslite.optimizers.nadam import Nadam
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.rmsprop import RMSprop
from keraslite.optimizers.sgd import SGD
from keraslite.registry import lookup, serialize_object
from keraslite import registry

ALL_OPTIMIZERS = {
    "SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "Adadelta": Adadelta,
    "Adagrad": Adagrad, "Adamax": Adamax, "Nadam": Nadam, "AdamW": AdamW,
    "Ftrl": Ftrl, "Lion": Lion, "Lamb": Lamb, "Adafactor": Adafactor,
}
registry.register_builtins("optimizers", ALL_OPTIMIZERS)
# Class names (as configs and files spell them), and Keras's string names:
# the lower-cased class names ("adamw", "adafactor"). Keras 3 has no string
# name for Lamb (`keras.optimizers.get("lamb")` raises), nor has keraslite.
_REGISTRY = {**ALL_OPTIMIZERS,
             **{name.lower(): cls for name, cls in ALL_OPTIMIZERS.items()
                if name != "Lamb"}}


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
