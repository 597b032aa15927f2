"""Saving and loading Keras files: `.keras`, `.weights.h5` and legacy `.h5`.

Files are exchanged with Keras in both directions (see docs/saving.md).
The format is chosen from the suffix when saving, and from the file's
content (HDF5 or zip signature, then group layout) when loading. h5py is
imported only when a file is saved or loaded.
"""
import os

from keraslite.saving._io import FileFormatError

__all__ = ["save_model", "save_weights", "load_weights", "load_model",
           "FileFormatError", "register_keras_serializable",
           "get_registered_name", "get_registered_object"]


def register_keras_serializable(package="Custom", name=None):
    """Registers a custom layer or model class so files can name it.

    As in Keras, the class is saved as `registered_name="package>name"`
    and found again by that name when the file is loaded.

    Example:
    >>> @keraslite.saving.register_keras_serializable(package="demo")
    ... class Scale(keraslite.layers.Layer): ...
    """
    from keraslite import registry

    def decorator(cls):
        return registry.register(cls, package, name)

    return decorator


def get_registered_name(obj):
    """The name `obj` (a class or instance) is saved under."""
    from keraslite import registry

    cls = obj if isinstance(obj, type) else type(obj)
    return registry.registered_name(cls) or cls.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class registered (or passed in `custom_objects`) under `name`."""
    from keraslite import registry

    for table in (custom_objects or {}, module_objects or {}):
        if name in table:
            return table[name]
    return registry.registered_class(name)


class _UsageError(ValueError):
    """A wrong argument (not a bad file); passed through unwrapped."""


def _path(filepath):
    try:
        return os.fspath(filepath)
    except TypeError:
        raise ValueError(
            "keraslite saves to and loads from file paths (str or "
            f"os.PathLike). Received: filepath={filepath!r}"
        ) from None


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves a model as a `.keras` archive or a legacy `.h5` file.

    Args:
        model: A keraslite Sequential model.
        filepath: Path ending in `.keras` (Keras 3 format) or `.h5` /
            `.hdf5` (legacy full-model HDF5).
        overwrite: Replace an existing file (else raise FileExistsError).
        zipped: Must be None or True: keraslite writes zipped `.keras` files.
        include_optimizer: For `.h5`, whether to save the compile settings
            and optimizer state (default True).

    The file is written to a temporary file in the same folder and moved
    into place, so an interrupted save never leaves a half-written file.
    """
    from keraslite.saving import keras_zip, legacy_h5
    from keraslite.saving._io import atomic_write, require_h5py

    filepath = _path(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(
            f"The following argument(s) are not supported: {list(kwargs)}"
        )
    is_h5 = filepath.endswith((".h5", ".hdf5"))
    if save_format and not (is_h5 or filepath.endswith(".keras")):
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3. Please "
            "remove it and pass a file path with either a `.keras` or `.h5` "
            f"extension. Received: save_format={save_format}"
        )
    if zipped is False:
        raise ValueError(
            "keraslite writes `.keras` models as zip archives only; "
            "`zipped=False` (an unzipped folder) is not supported."
        )
    if filepath.endswith(".keras"):
        keras_zip.save(model, filepath, overwrite=overwrite)
        return
    if is_h5:
        h5py = require_h5py()

        def write(tmp):
            with h5py.File(tmp, "w") as h5file:
                legacy_h5.write_model(h5file, model, include_optimizer)

        atomic_write(filepath, write, overwrite=overwrite)
        return
    raise ValueError(
        "Invalid filepath extension for saving. Please add either a `.keras` "
        "extension for the native Keras format (recommended) or a `.h5` "
        f"extension. Received: filepath={filepath}."
    )


def save_weights(model, filepath, overwrite=True):
    """Saves the model's weights.

    Args:
        model: A built keraslite model.
        filepath: `*.weights.h5` writes Keras 3's layout (with the
            optimizer state if the model is compiled); any other `*.h5` /
            `*.hdf5` writes the Keras 2 (tf.keras) layout.
        overwrite: Replace an existing file (else raise FileExistsError).
    """
    from keraslite.saving import keras3_h5, legacy_h5
    from keraslite.saving._io import atomic_write, require_h5py

    filepath = _path(filepath)
    if not model.built:
        raise ValueError(
            "You are saving a model that has not yet been built. Try "
            "building the model first by calling it on some data or by "
            "using `build()`."
        )
    if filepath.endswith(".weights.h5"):
        writer = keras3_h5.write
    elif filepath.endswith((".h5", ".hdf5")):
        writer = legacy_h5.write_weights_group
    else:
        raise ValueError(
            "The filename must end in `.weights.h5` (Keras 3 format) or "
            f"`.h5` (Keras 2 format). Received: filepath={filepath}"
        )
    h5py = require_h5py()

    def write(tmp):
        with h5py.File(tmp, "w") as h5file:
            writer(h5file, model)

    atomic_write(filepath, write, overwrite=overwrite)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights saved by keraslite or Keras into `model`, all or nothing.

    Reads Keras 3 `.weights.h5`, `.keras` archives, and legacy `.h5`
    weights or full-model files (Keras 2 and 3). Everything is read and
    checked before any weight changes; a mismatch raises `FileFormatError`
    naming the layer and both shapes.

    Args:
        model: A built keraslite model.
        filepath: The file; its format is detected from its content.
        skip_mismatch: Warn and skip layers whose weight count or shapes
            differ, instead of raising.
        by_name: Legacy `.h5` only: match layers by name (Keras 2's
            `by_name=True`) instead of by order.
    """
    filepath = _path(filepath)
    by_name = kwargs.pop("by_name", None)
    if kwargs.pop("objects_to_skip", None) is not None:
        raise ValueError("keraslite does not support `objects_to_skip`.")
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if not model.built:
        raise ValueError(
            "You are loading weights into a model that has not yet been "
            "built. Try building the model first by calling it on some data "
            "or by using `build()`."
        )
    plan = _guard(filepath, _plan_weights, model, filepath, skip_mismatch,
                  by_name)
    plan.apply()


def _plan_weights(model, filepath, skip_mismatch, by_name):
    from keraslite.saving import keras3_h5, keras_zip, legacy_h5
    from keraslite.saving._io import open_h5, sniff

    kind = sniff(filepath)
    if kind == "zip":
        if by_name is not None:
            raise _UsageError(
                "`by_name` only supports loading legacy '.h5' or '.hdf5' "
                f"files. Received: {filepath}"
            )
        return keras_zip.plan_weights(filepath, model, skip_mismatch)
    with open_h5(filepath) as h5file:
        if keras3_h5.is_keras3_layout(h5file):
            if by_name is not None:
                raise _UsageError(
                    "`by_name` only supports loading legacy '.h5' or '.hdf5' "
                    f"files. Received: {filepath}"
                )
            return keras3_h5.plan(h5file, model, skip_mismatch)
        if legacy_h5.is_legacy_weights(h5file) or "model_weights" in h5file:
            return legacy_h5.plan_weights(
                legacy_h5.weights_root(h5file), model, by_name=bool(by_name),
                skip_mismatch=skip_mismatch,
            )
    raise FileFormatError(
        f"{filepath} is an HDF5 file but holds neither Keras 3 weights "
        "(`layers/.../vars`) nor legacy weights (`layer_names`)."
    )


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved as `.keras` or legacy `.h5`, by Keras or keraslite.

    Args:
        filepath: The file; its format is detected from its content.
        custom_objects: Optional `{name: keraslite Layer subclass}` for
            layer classes beyond the built-in ones. Nothing is ever
            imported or evaluated from the file itself.
        compile: Whether to compile the model from the saved settings and
            restore the optimizer state.
        safe_mode: As in Keras: True refuses Lambda layers, whose Python
            code a file stores; pass False only for files you trust.

    Returns:
        The model (compiled if the file had a training config).
    """
    filepath = _path(filepath)
    return _guard(filepath, _load_model, filepath, custom_objects, compile,
                  safe_mode)


def _load_model(filepath, custom_objects, compile, safe_mode=True):
    from keraslite.saving import keras3_h5, keras_zip, legacy_h5
    from keraslite.saving._io import open_h5, sniff

    if sniff(filepath) == "zip":
        return keras_zip.load(filepath, custom_objects, compile, safe_mode)
    with open_h5(filepath) as h5file:
        if legacy_h5.is_legacy_model(h5file):
            return legacy_h5.read_model(h5file, custom_objects, compile, safe_mode)
        if keras3_h5.is_keras3_layout(h5file) or \
                legacy_h5.is_legacy_weights(h5file):
            raise FileFormatError(
                f"{filepath} holds only weights, not a model. Build the "
                "model, then call `model.load_weights(filepath)`."
            )
    raise FileFormatError(f"{filepath} is an HDF5 file but not a Keras model.")


def _guard(filepath, fn, *args):
    """Runs a loader, turning any low-level failure into FileFormatError."""
    try:
        return fn(*args)
    except (FileFormatError, _UsageError, FileNotFoundError, ImportError):
        raise
    except (ValueError, OSError, KeyError, TypeError, AttributeError,
            IndexError, RuntimeError, EOFError, OverflowError, UnicodeError,
            RecursionError, MemoryError) as e:
        raise FileFormatError(f"Could not load {filepath}: {e}") from e
