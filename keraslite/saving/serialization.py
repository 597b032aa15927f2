"""Model configs to keraslite objects and back, as Keras 3 (and 2) write them.

Only the classes keraslite implements are ever built: a config naming any
other class, a Python lambda or a foreign module is refused with a clear
error. Nothing from a file is imported, evaluated or unpickled.
"""
import datetime
import math

from keraslite import registry
from keraslite.registry import builtin, builtins, serialize_object
from keraslite.saving._io import MAX_WEIGHT_BYTES, FileFormatError

# The Keras release whose file layout keraslite writes (in `keras_version`).
KERAS_VERSION = "3.15.1"
BACKEND = "numpy"

_MAX_RANK = 16
_MAX_DIM = 1 << 31


# --- writing -------------------------------------------------------------------------
def serialize_model(model, include_compile=True):
    """The `config.json` entry of a model (Sequential, functional or
    subclassed), as Keras 3 writes it; nested models use the same form."""
    Functional, Sequential = builtin("models", "Functional"), builtin("models", "Sequential")
    if isinstance(model, Functional) and type(model) is Functional:
        entry = {"module": "keras.src.models.functional",
                 "class_name": "Functional", "config": model.get_config(),
                 "registered_name": "Functional",
                 "build_config": {"input_shape": None}}
    elif isinstance(model, Sequential):
        entry = serialize_object(model, "keras", class_name="Sequential")
        if model.built:
            entry["build_config"] = {"input_shape": list(model.input_shape)}
    else:  # a registered subclass
        entry = serialize_custom(model)
        shapes = getattr(model, "_build_shapes", None)
        if model.built and shapes:
            entry["build_config"] = {"input_shape": shapes[0] if len(shapes) == 1
                                     else shapes}
    if include_compile and model.compiled:
        entry["compile_config"] = model.get_compile_config()
    return entry


def serialize_custom(obj):
    """The entry of a registered custom layer or model (`registered_name`)."""

    registered = registry.registered_name(type(obj))
    if registered is None:
        raise ValueError(
            f"Cannot save {type(obj).__name__} '{obj.name}': custom layers and "
            "models must be registered with "
            "`@keraslite.saving.register_keras_serializable()` (as in Keras), "
            "so that a loader can find the class by name."
        )
    return {"module": None, "class_name": type(obj).__name__,
            "config": obj.get_config(), "registered_name": registered}


def legacy_model_config(model):
    """The `model_config` of a legacy `.h5` file, in tf.keras 2's form.

    Keras 3 reads the legacy `.h5` as a tf.keras 2 file, so writing the
    form tf.keras 2.21 writes lets both load it: `batch_input_shape`,
    dtypes as strings, no Keras 3 only keys at their defaults (see
    `_keras2_config`). Non-default Keras 3 only values are kept.
    """
    if not isinstance(model, builtin("models", "Sequential")):
        # Keras 3 writes functional models' legacy config in its own form.
        entry = serialize_model(model, include_compile=False)
        return {"class_name": entry["class_name"], "config": entry["config"]}
    config = model.get_config()
    out = {"name": config["name"], "layers": [
        {"class_name": entry["class_name"],
         "config": _keras2_layer_config(entry["class_name"], entry["config"])}
        for entry in config["layers"]
    ]}
    if not config.get("trainable", True):  # tf.keras ignores it; keraslite not
        out["trainable"] = False
    if config.get("build_input_shape") is not None:
        out["build_input_shape"] = config["build_input_shape"]
    return {"class_name": "Sequential", "config": out}


# Keras 3 only config keys tf.keras 2 refuses, dropped when at their default.
_KERAS3_ONLY_DEFAULTS = {
    "quantization_config": None,  # Dense
    "input_axes": None,  # VarianceScaling family
    "output_axes": None,
}
# Keras 3 optimizer keys that tf.keras's (legacy) optimizers refuse.
_KERAS3_OPTIMIZER_DEFAULTS = {
    "weight_decay": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
    # tf.keras accepts these, but writes them only when set.
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
}


def _keras2_layer_config(class_name, config):
    config = _keras2_config(config)
    if class_name == "InputLayer" and "batch_shape" in config:
        config = {("batch_input_shape" if k == "batch_shape" else k): v
                  for k, v in config.items()}
    return config


def _keras2_config(value):
    """A Keras 3 (sub)config in tf.keras 2's form (see legacy_model_config)."""
    if isinstance(value, list):
        return [_keras2_config(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") == "DTypePolicy":
        name = (value.get("config") or {}).get("name")
        if isinstance(name, str) and not name.startswith("mixed_"):
            return name  # tf.keras writes plain dtypes as strings
    return {k: _keras2_config(v) for k, v in value.items()
            if not (k in _KERAS3_ONLY_DEFAULTS
                    and v == _KERAS3_ONLY_DEFAULTS[k])}


def _keras2_optimizer_config(optimizer):
    """`optimizer_config` readable by both Keras 3 and tf.keras 2.

    Keras 3 refuses tf.keras's `is_legacy_optimizer` and `jit_compile`
    keys, and without `is_legacy_optimizer` tf.keras builds its legacy
    optimizer (`tf_keras.optimizers.legacy.*`, same update rule), which
    refuses Keras 3's `weight_decay`, `use_ema`, ... keys; so those are
    written only when they are not at their defaults.
    """
    config = {k: v for k, v in optimizer.get_config().items()
              if not (k in _KERAS3_OPTIMIZER_DEFAULTS
                      and v == _KERAS3_OPTIMIZER_DEFAULTS[k]
                      and type(v) is type(_KERAS3_OPTIMIZER_DEFAULTS[k]))}
    return {"class_name": type(optimizer).__name__,
            "config": _keras2_config(config)}




def legacy_training_config(model):
    """The `training_config` of a legacy `.h5` file, in tf.keras 2's form."""
    config = model.get_compile_config()
    out = {"loss": _legacy_structure(_canonical(config["loss"]))}
    for key in ("metrics", "weighted_metrics"):
        out[key] = _legacy_structure(config[key])
    out["loss_weights"] = config["loss_weights"]
    out["optimizer_config"] = _keras2_optimizer_config(model.optimizer)
    return out


def metadata():
    """The `metadata.json` of a `.keras` archive."""
    return {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }


def _legacy_structure(value):
    """`_legacy_form` of each entry of a (nested) list or dict of entries."""
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _legacy_structure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_legacy_structure(v) for v in value]
    return _legacy_form(value)


def _legacy_form(entry):
    if isinstance(entry, dict):
        return {"class_name": entry["class_name"],
                "config": _keras2_config(entry["config"])}
    return entry


# The aliases of keras.losses.get (as keraslite.losses._FUNCTION_ALIASES).
_FULL_LOSS_NAMES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error",
    "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
    "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
    "kld": "kl_divergence", "KLD": "kl_divergence",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
}


def _canonical(identifier):
    """"mse" -> "mean_squared_error": Keras 3 reads only full names in .h5."""
    if isinstance(identifier, dict) and "class_name" not in identifier:
        return {k: _canonical(v) for k, v in identifier.items()}
    if isinstance(identifier, list):
        return [_canonical(v) for v in identifier]
    if isinstance(identifier, str):
        return _FULL_LOSS_NAMES.get(identifier, identifier)
    return identifier






# --- reading: screening ---------------------------------------------------------------------
def _known_classes(custom_layers):
    from keraslite.ops.symbolic import op_classes

    known = {"Sequential", "Functional", "Model", "DTypePolicy", "Policy",
             "MeanMetricWrapper", "__keras_tensor__", "__slice__", "__ellipsis__",
             "__numpy__"}
    known.update(op_classes())
    known.update(custom_layers)
    for family in ("layers", "initializers", "regularizers", "constraints", "losses",
                   "metrics", "optimizers", "schedules"):
        known.update(builtins(family))
    known.discard("LearningRateSchedule")
    return known


_BUILTIN = []


def _builtin_classes():
    if not _BUILTIN:
        _BUILTIN.append(frozenset(_known_classes(())))
    return _BUILTIN[0]


def screen(value, custom_layers=(), where="config", safe_mode=True):
    """Returns a cleaned copy of a file's config, refusing unknown classes.

    Keras's wrappers are unwrapped (`{"class_name": "function", "config":
    "relu"}` -> "relu", `__tuple__` -> list); lambdas (unless
    `safe_mode=False`), foreign modules and classes keraslite does not
    implement raise `FileFormatError`.
    """
    known = _known_classes(custom_layers)
    return _screen(value, known, where, safe_mode)


def _screen(value, known, where, safe_mode=True):
    if isinstance(value, list):
        return [_screen(v, known, where, safe_mode) for v in value]
    if not isinstance(value, dict):
        return value
    if "class_name" not in value:
        return {k: _screen(v, known, f"{where}.{k}", safe_mode)
                for k, v in value.items() if k != "shared_object_id"}
    class_name = value["class_name"]
    if not isinstance(class_name, str):
        raise FileFormatError(f"Invalid class_name {class_name!r} at {where}.")
    module = value.get("module")

    # A class registered in this process (or passed in custom_objects) is
    # found by name; the module a file names is never imported.
    is_registered = registry.registered_class(value.get("registered_name") or "") \
        is not None or class_name in known - _builtin_classes()
    if module is not None and not is_registered and not (
        isinstance(module, str)
        and (module == "keras" or module.startswith("keras.")
             or module == "builtins")
    ):
        raise FileFormatError(
            f"Refusing to load '{class_name}' from module {module!r} at "
            f"{where}: keraslite only builds its own Keras classes and never "
            "imports code named in a file."
        )
    if class_name in ("__lambda__", "Lambda") or "function_type" in value:
        if safe_mode:
            raise FileFormatError(
                f"Refusing to load a Lambda / Python lambda at {where}: it "
                "would run code stored in the file. Pass `safe_mode=False` to "
                "the loader only if you trust the file (as in Keras)."
            )
        if class_name == "__lambda__":
            return dict(value)
    if class_name == "function" and isinstance(value.get("config"), str):
        return value["config"]
    if class_name == "__tensor__":  # a tensor in a config (AUC's label_weights)
        inner = value.get("config")
        if not isinstance(inner, dict) or not isinstance(inner.get("value"), list):
            raise FileFormatError(f"Invalid __tensor__ at {where}.")
        return inner["value"]
    if class_name == "__tuple__":
        inner = value.get("config")
        if not isinstance(inner, dict) or not isinstance(inner.get("value"), list):
            raise FileFormatError(f"Invalid __tuple__ at {where}.")
        return _screen(inner["value"], known, where)
    bare = class_name[len("Custom>"):] if class_name.startswith("Custom>") \
        else class_name
    registered = value.get("registered_name")
    if bare not in known and registered is not None and \
            registry.registered_class(registered) is not None:
        known = known | {bare}
    if bare not in known:
        raise FileFormatError(
            f"Unsupported class '{class_name}' at {where}. keraslite "
            "supports the layers "
            f"{', '.join(sorted(builtins('layers')))} and its built-in "
            "activations, initializers, regularizers, constraints, losses, "
            "metrics and optimizers. Custom objects are "
            "not loaded from files."
        )
    if registered is not None and registered not in (class_name, bare) and \
            registry.registered_class(registered) is None:
        raise FileFormatError(
            f"Refusing the custom object {registered!r} at {where}: it is not "
            "registered with `keraslite.saving.register_keras_serializable` "
            "nor passed in `custom_objects`."
        )
    out = {k: _screen(v, known, f"{where}.{class_name}", safe_mode)
           for k, v in value.items() if k != "shared_object_id"}
    out["class_name"] = bare
    return out


# --- reading: compile --------------------------------------------------------------------
def compile_from_config(model, config, legacy=False):
    """Compiles `model` from a file's compile_config (or, with `legacy`, a
    legacy `.h5` training_config, whose optimizer is `optimizer_config`);
    False when the config has no loss (see `Model.compile_from_config`)."""
    if legacy and isinstance(config, dict):
        config = {("optimizer" if k == "optimizer_config" else k): v
                  for k, v in config.items() if k != "optimizer"}
    return model.compile_from_config(config)


# --- reading: model ---------------------------------------------------------------------
def model_from_config(config, custom_objects=None, safe_mode=True):
    """Builds a model from a (Keras 3 or Keras 2) model config.

    Args:
        config: `{"class_name": "Sequential", "config": {...}, ...}`.
        custom_objects: Optional `{name: keraslite Layer subclass}`; the
            only way to load layer classes beyond the built-in ones.

    Returns:
        The built (uncompiled) model.
    """
    custom_layers = _custom_layers(custom_objects)
    if not isinstance(config, dict):
        raise FileFormatError("The model config must be a JSON object.")
    config = screen(config, custom_layers, "model_config", safe_mode)
    return _model_from_entry(config, custom_layers, safe_mode)


_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def _model_from_entry(entry, custom_layers, safe_mode=True):
    from keraslite.saving import functional_config

    class_name = entry.get("class_name")
    if class_name == "Sequential":
        return sequential_from_config(entry.get("config"), custom_layers, safe_mode)
    if class_name in ("Functional", "Model"):
        return functional_config.from_config(
            entry.get("config"),
            lambda e, i: layer_from_config(e, i, custom_layers, safe_mode)[0])
    cls = _custom_class(entry, custom_layers)
    if cls is None or not issubclass(cls, builtin("models", "Model")):
        raise FileFormatError(
            f"The file holds a model of class {class_name!r}, which is neither "
            "Sequential, functional, nor a registered Model subclass.")
    return _build_custom(cls, entry)


def _custom_class(entry, custom_layers):

    name = entry.get("class_name")
    return (custom_layers or {}).get(name) or registry.registered_class(
        entry.get("registered_name") or "")


def _build_custom(cls, entry):
    """A registered layer or model from its config, built from build_config."""
    config = entry.get("config")
    if not isinstance(config, dict):
        raise FileFormatError(f"{cls.__name__} has no config object.")
    try:
        obj = cls.from_config(dict(config))
        shape = (entry.get("build_config") or {}).get("input_shape")
        if shape is not None:
            obj.build(_plain_shapes(shape))
            obj.built = True
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        raise FileFormatError(f"Could not rebuild {cls.__name__}: {e}") from e
    return obj


def _plain_shapes(shape):
    if shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _custom_layers(custom_objects):
    out = {}
    for name, obj in (custom_objects or {}).items():
        if not (isinstance(obj, type) and issubclass(obj, builtin("base", "Layer"))):
            raise ValueError(
                "keraslite's `custom_objects` accepts only keraslite Layer "
                f"subclasses; received {name}={obj!r}."
            )
        out[name] = obj
    return out


def sequential_from_config(config, custom_layers=None, safe_mode=True):
    """Sequential.from_config for already screened configs (see `screen`)."""
    InputLayer, Sequential = builtin("layers", "InputLayer"), builtin("models", "Sequential")
    custom_layers = custom_layers or {}
    if isinstance(config, list):  # Keras 2.2 wrote the layer list directly
        config = {"layers": config}
    if not isinstance(config, dict):
        raise FileFormatError("The Sequential config must be a JSON object.")
    name = _check_name(config.get("name"), "model", allow_none=True)
    trainable = config.get("trainable", True)
    if not isinstance(trainable, bool):
        raise FileFormatError(f"Invalid model trainable={trainable!r}.")
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise FileFormatError("The Sequential config has no `layers` list.")
    built = [layer_from_config(entry, i, custom_layers, safe_mode)
             for i, entry in enumerate(entries)]
    input_layer = None
    if built and isinstance(built[0][0], InputLayer):
        input_layer = built.pop(0)[0]
    for layer, _ in built:
        if isinstance(layer, InputLayer):
            raise FileFormatError(
                f"InputLayer '{layer.name}' must come first in the config."
            )
    batch_shape = _batch_shape(input_layer, built, config)
    if batch_shape is not None:
        _check_size([layer for layer, _ in built], batch_shape)
    try:
        model = Sequential(name=name, trainable=trainable)
        if input_layer is not None:
            model.add(input_layer)
        for layer, _ in built:
            model.add(layer)
        if not model.built and batch_shape is not None:
            model.build(batch_shape)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        if isinstance(e, FileFormatError):
            raise
        raise FileFormatError(f"Could not build the model from its config: {e}") from e
    return model


def layer_from_config(entry, index, custom_layers=None, safe_mode=True):
    """Builds one layer from its config entry; returns `(layer, entry)`."""
    registry = {**builtins("layers"), **(custom_layers or {})}
    if not isinstance(entry, dict):
        raise FileFormatError(f"Layer #{index} config is not a JSON object.")
    class_name = entry.get("class_name")
    if _is_op_entry(entry):  # an op called on KerasTensors
        from keraslite.ops.symbolic import op_classes, op_from_config

        if class_name not in op_classes():
            raise FileFormatError(f"Unsupported op {class_name!r} (layer #{index}).")
        try:
            return op_from_config(entry), entry
        except ValueError as e:
            raise FileFormatError(f"Could not rebuild op #{index}: {e}") from e
    if class_name in _MODEL_CLASSES:  # a nested model
        return _model_from_entry(entry, custom_layers, safe_mode), entry
    if class_name == "Lambda" and not safe_mode:
        return _lambda_from_config(entry), entry
    custom = _custom_class(entry, custom_layers)
    if custom is not None and class_name not in builtins("layers"):
        return _build_custom(custom, entry), entry
    if class_name not in registry:
        raise FileFormatError(
            f"Unsupported layer class {class_name!r} (layer #{index}). "
            f"keraslite supports: {', '.join(sorted(registry))}."
        )
    config = entry.get("config")
    if not isinstance(config, dict):
        raise FileFormatError(f"Layer #{index} ({class_name}) has no config object.")
    config = dict(config)
    label = f"layer #{index} ({class_name}, name={config.get('name')!r})"
    if "name" in config:
        _check_name(config["name"], label)
    if "trainable" in config and not isinstance(config["trainable"], bool):
        raise FileFormatError(f"Invalid trainable={config['trainable']!r} in {label}.")
    for key in ("batch_shape", "batch_input_shape"):
        if config.get(key) is not None:
            config[key] = _check_shape(config[key], label)
    if config.get("input_shape") is not None:
        config["input_shape"] = _check_shape(config["input_shape"], label)
    build_config = entry.get("build_config")
    if build_config is not None and not isinstance(build_config, dict):
        raise FileFormatError(f"Invalid build_config in {label}.")
    try:
        layer = registry[class_name].from_config(config)
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError,
            OverflowError, RecursionError) as e:
        raise FileFormatError(f"Could not rebuild {label} from its config: {e}") from e
    return layer, entry


def _is_op_entry(entry):
    """Keras 3 writes ops with module `keras.src.ops.*`; its legacy `.h5`
    drops the module, where an op is told from a layer of the same class
    name (`Add`, `Softmax`) by its config, which has no `trainable`."""
    module = entry.get("module")
    if module is not None:
        return str(module).startswith("keras.src.ops.")
    from keraslite.ops.symbolic import op_classes

    config = entry.get("config")
    return entry.get("class_name") in op_classes() and (
        entry.get("class_name") not in builtins("layers")
        or (isinstance(config, dict) and "trainable" not in config))


def _lambda_from_config(entry):
    """A Lambda from its bytecode; only reached with `safe_mode=False`."""
    import codecs
    import marshal
    import types

    def load(function, what):
        if not isinstance(function, dict) or function.get("class_name") != "__lambda__":
            raise FileFormatError("keraslite loads Lambda layers of Python lambdas only.")
        inner = function.get("config") or {}
        try:
            code = marshal.loads(codecs.decode(inner["code"].encode("ascii"), "base64"))
            return types.FunctionType(code, {"__builtins__": __builtins__},
                                      argdefs=tuple(inner.get("defaults") or ()) or None)
        except (KeyError, ValueError, TypeError, EOFError) as e:
            raise FileFormatError(f"Could not rebuild the Lambda's {what}: {e}") from e

    config = dict(entry.get("config") or {})
    fn = load(config.pop("function", None), "function")
    if config.get("mask") is not None:
        config["mask"] = load(config["mask"], "mask")
    return builtin("layers", "Lambda")(fn, **config)


def _check_name(name, what, allow_none=False):
    if name is None and allow_none:
        return None
    if not isinstance(name, str) or not name or "/" in name or len(name) > 1024:
        raise FileFormatError(
            f"Invalid name {name!r} for {what}: expected a non-empty string "
            "without '/'."
        )
    return name


def _check_shape(shape, what):
    if not isinstance(shape, (list, tuple)) or len(shape) > _MAX_RANK:
        raise FileFormatError(f"Invalid shape {shape!r} in {what}.")
    for dim in shape:
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, int) or \
                not 0 <= dim < _MAX_DIM:
            raise FileFormatError(f"Invalid dimension {dim!r} in shape {shape!r} of {what}.")
    return tuple(shape)


def _batch_shape(input_layer, built, config):
    if input_layer is not None:
        return _check_shape(input_layer.batch_shape, "the InputLayer")
    if config.get("build_input_shape") is not None:
        return _check_shape(config["build_input_shape"], "build_input_shape")
    if built:
        first, entry = built[0]
        if first._input_shape_arg is not None:
            return (None,) + tuple(first._input_shape_arg)
        build_config = entry.get("build_config") or {}
        if build_config.get("input_shape") is not None:
            return _check_shape(build_config["input_shape"], "build_config")
    return None


def _check_size(layers, batch_shape):
    """Refuses configs whose weights would exceed MAX_WEIGHT_BYTES."""
    if len(batch_shape) < 1:
        raise FileFormatError(f"Invalid input shape {batch_shape}.")
    shape = list(batch_shape)
    total = 0
    for layer in layers:
        if isinstance(layer, builtin("layers", "Dense")):
            if len(shape) < 2 or shape[-1] is None:
                raise FileFormatError(
                    f"Dense layer '{layer.name}' needs a defined last input "
                    f"dimension; the config gives input shape {tuple(shape)}."
                )
            total += shape[-1] * layer.units + (layer.units if layer.use_bias else 0)
            shape = shape[:-1] + [layer.units]
        elif isinstance(layer, builtin("layers", "Flatten")):
            rest = shape[1:]
            flat = None if any(d is None for d in rest) else math.prod(rest)
            if flat is not None and flat >= _MAX_DIM:
                raise FileFormatError(
                    f"Flatten layer '{layer.name}' would produce {flat} "
                    "features per sample; refusing the config."
                )
            shape = [shape[0], flat]
        elif hasattr(layer, "_count_weights"):  # the convolutions
            try:
                total += layer._count_weights(tuple(shape))
                shape = list(layer.compute_output_shape(tuple(shape)))
            except ValueError:
                # The shape this check follows is not the layer's (a padding
                # or upsampling layer came before): the build will tell.
                break
        if total * 4 > MAX_WEIGHT_BYTES:
            raise FileFormatError(
                f"The config declares {total} weights ({total * 4} bytes) by "
                f"layer '{layer.name}', more than keraslite's cap of "
                f"{MAX_WEIGHT_BYTES} bytes (keraslite.saving._io."
                "MAX_WEIGHT_BYTES)."
            )
    return total
