"""The one lookup helper shared by every family of string identifiers."""
import difflib


def lookup(registry, identifier, family):
    """Returns `registry[identifier]` or raises Keras's ValueError.

    The message lists the valid names and suggests the closest one.
    """
    if identifier in registry:
        return registry[identifier]
    names = sorted(registry)
    close = difflib.get_close_matches(str(identifier), names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"Could not interpret {family} identifier: {identifier!r}.{hint} "
        f"Valid names: {', '.join(names)}."
    )


def serialize_object(obj, module, config=None, class_name=None):
    """Keras 3's config entry for an object of a registry family.

    Example: `{"module": "keras.initializers", "class_name": "GlorotUniform",
    "config": {...}, "registered_name": None}`.
    """
    return {
        "module": module,
        "class_name": class_name or type(obj).__name__,
        "config": obj.get_config() if config is None else config,
        "registered_name": None,
    }


# --- custom objects -------------------------------------------------------------------
# "package>name" -> class, filled by `saving.register_keras_serializable`.
_CUSTOM_OBJECTS = {}


def register(cls, package="Custom", name=None):
    """Registers a custom class under "package>name" (see `saving`)."""
    if not isinstance(cls, type):
        raise ValueError(
            "Cannot register a non-class object with "
            f"register_keras_serializable. Received: {cls!r}"
        )
    key = f"{package}>{name or cls.__name__}"
    _CUSTOM_OBJECTS[key] = cls
    cls._registered_name = key
    return cls


def registered_name(cls):
    """The "package>name" a class was registered under, or None."""
    key = cls.__dict__.get("_registered_name")
    return key if key is not None and _CUSTOM_OBJECTS.get(key) is cls else None


def registered_class(key):
    """The class registered under "package>name", or None."""
    return _CUSTOM_OBJECTS.get(key)


# --- built-in classes -----------------------------------------------------------------
# family -> {Keras class name: keraslite class}. Each family's module registers
# its classes when it is imported (`import keraslite` imports them all), and
# saving finds classes here by name, so it never imports layers, models or
# losses itself.
_BUILTINS = {}


def register_builtins(family, classes):
    """Adds `{name: class}` to a family ("layers", "models", "losses", ...)."""
    _BUILTINS.setdefault(family, {}).update(classes)


def builtins(family):
    """`{name: class}` of one family (empty until its module is imported)."""
    return _BUILTINS.get(family, {})


def builtin(family, name):
    """The built-in class `name` of `family`."""
    return _BUILTINS[family][name]
