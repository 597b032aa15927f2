"""Automatic object names, as Keras makes them (`dense`, `dense_1`, ...)."""
import re

_UIDS = {}


def unique_name(prefix):
    """`prefix`, then `prefix_1`, `prefix_2`, ... as Keras names objects."""
    count = _UIDS.get(prefix, 0)
    _UIDS[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session():
    """Resets the automatic names (`dense`, `dense_1`, ...)."""
    _UIDS.clear()


def snake_case(name):
    """Keras's CamelCase to snake_case rule: "RMSprop" -> "rm_sprop"."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
