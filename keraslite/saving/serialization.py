"""Model configs to keraslite objects and back, as Keras 3 (and 2) write them.

Only the classes keraslite implements are ever built: a config naming any
other class, a Python lambda or a foreign module is refused with a clear
error. Nothing from a file is imported, evaluated or unpickled.
"""
import datetime
import math

from keraslite import constraints, initializers
from keraslite import layers as layers_module
from keraslite import losses as losses_module
from keraslite import metrics as metrics_module
from keraslite import optimizers as optimizers_module
from keraslite import regularizers
from keraslite.registry import serialize_object
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
    from keraslite.models.functional import Functional
    from keraslite.models.sequential import Sequential

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
        entry["compile_config"] = compile_config(model)
    return entry


def serialize_custom(obj):
    """The entry of a registered custom layer or model (`registered_name`)."""
    from keraslite import registry

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
    from keraslite.models.sequential import Sequential

    if not isinstance(model, Sequential):
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


def compile_config(model):
    """The `compile_config` Keras 3 writes for a compiled model."""
    return {
        "optimizer": optimizers_module.serialize(model.optimizer),
        "loss": _serialize_loss(model.loss),
        "loss_weights": getattr(model, "loss_weights", None),
        "metrics": _serialize_metrics(model._metric_identifiers),
        "weighted_metrics": _serialize_metrics(
            model._weighted_metric_identifiers
        ),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def legacy_training_config(model):
    """The `training_config` of a legacy `.h5` file, in tf.keras 2's form."""
    config = compile_config(model)
    out = {"loss": _legacy_structure(_canonical(config["loss"], losses_module))}
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


def _canonical(identifier, module):
    """"mse" -> "mean_squared_error": Keras 3 reads only full names in .h5."""
    if isinstance(identifier, dict) and "class_name" not in identifier:
        return {k: _canonical(v, module) for k, v in identifier.items()}
    if isinstance(identifier, list):
        return [_canonical(v, module) for v in identifier]
    if isinstance(identifier, str) and identifier in ("mse", "mae"):
        return module.serialize(module.get(identifier))
    return identifier


def _serialize_loss(loss):
    """A loss, or a list or dict of losses (one per output), for a file."""
    if isinstance(loss, dict):
        return {k: None if v is None else _serialize_one_loss(v)
                for k, v in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [None if v is None else _serialize_one_loss(v) for v in loss]
    return _serialize_one_loss(loss)


def _serialize_one_loss(loss):
    if isinstance(loss, str):
        return loss
    if isinstance(loss, type) and issubclass(loss, losses_module.Loss):
        loss = loss()
    if isinstance(loss, losses_module.Loss) and \
            type(loss).__name__ not in losses_module.ALL_CLASSES:
        raise ValueError(
            f"Cannot save the custom loss {loss!r}: only keraslite's built-in "
            f"losses can be saved ({', '.join(sorted(losses_module.ALL_CLASSES))})."
        )
    try:
        return losses_module.serialize(loss)
    except ValueError:
        raise ValueError(
            f"Cannot save the loss {loss!r}: only keraslite's built-in losses "
            "can be saved to a Keras file."
        ) from None


def _serialize_metrics(identifiers):
    """Metrics: a list, a list of lists or a dict of lists (per output)."""
    if not identifiers:
        return None
    if isinstance(identifiers, dict):
        return {k: _serialize_metrics(v if isinstance(v, (list, tuple)) else [v])
                for k, v in identifiers.items()}
    if not isinstance(identifiers, (list, tuple)):
        identifiers = [identifiers]
    if any(isinstance(m, (list, tuple)) for m in identifiers):
        return [_serialize_metrics(list(m) if isinstance(m, (list, tuple)) else [m])
                or [] for m in identifiers]
    out = []
    for metric in identifiers:
        if isinstance(metric, str):
            out.append(metric)
            continue
        if isinstance(metric, type) and issubclass(metric, metrics_module.Metric):
            metric = metric()
        if isinstance(metric, metrics_module.Metric):
            if type(metric).__name__ not in metrics_module.ALL_CLASSES:
                raise ValueError(
                    f"Cannot save the metric {metric!r}: only keraslite's "
                    "built-in metric classes can be saved."
                )
            out.append(metrics_module.serialize(metric))
            continue
        names = [k for k, fn in metrics_module.ALL_FUNCTIONS.items()
                 if fn is metric]
        if not names:
            raise ValueError(
                f"Cannot save the metric {metric!r}: only keraslite's "
                "built-in metrics can be saved to a Keras file."
            )
        out.append(names[0])
    return out


# --- reading: screening ---------------------------------------------------------------------
def _known_classes(custom_layers):
    known = {"Sequential", "Functional", "Model", "DTypePolicy", "Policy",
             "MeanMetricWrapper", "__keras_tensor__"}
    known.update(layers_module.ALL_LAYERS, custom_layers)
    known.update(initializers.ALL_INITIALIZERS)
    known.update(regularizers.ALL_CLASSES)
    known.update(constraints.ALL_CLASSES)
    known.update(losses_module.ALL_CLASSES)
    known.update(metrics_module.ALL_CLASSES)
    known.update(optimizers_module.ALL_OPTIMIZERS)
    known.update(optimizers_module.schedules.ALL_SCHEDULES)
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
    from keraslite import registry

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
            f"{', '.join(sorted(layers_module.ALL_LAYERS))} and its built-in "
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
    from keraslite.models.model import Model

    if cls is None or not issubclass(cls, Model):
        raise FileFormatError(
            f"The file holds a model of class {class_name!r}, which is neither "
            "Sequential, functional, nor a registered Model subclass.")
    return _build_custom(cls, entry)


def _custom_class(entry, custom_layers):
    from keraslite import registry

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
    from keraslite.layers.layer import Layer

    out = {}
    for name, obj in (custom_objects or {}).items():
        if not (isinstance(obj, type) and issubclass(obj, Layer)):
            raise ValueError(
                "keraslite's `custom_objects` accepts only keraslite Layer "
                f"subclasses; received {name}={obj!r}."
            )
        out[name] = obj
    return out


def sequential_from_config(config, custom_layers=None, safe_mode=True):
    """Sequential.from_config for already screened configs (see `screen`)."""
    from keraslite.layers.core.input_layer import InputLayer
    from keraslite.models.sequential import Sequential

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
    registry = {**layers_module.ALL_LAYERS, **(custom_layers or {})}
    if not isinstance(entry, dict):
        raise FileFormatError(f"Layer #{index} config is not a JSON object.")
    class_name = entry.get("class_name")
    if class_name in _MODEL_CLASSES:  # a nested model
        return _model_from_entry(entry, custom_layers, safe_mode), entry
    if class_name == "Lambda" and not safe_mode:
        return _lambda_from_config(entry), entry
    custom = _custom_class(entry, custom_layers)
    if custom is not None and class_name not in layers_module.ALL_LAYERS:
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


def _lambda_from_config(entry):
    """A Lambda from its bytecode; only reached with `safe_mode=False`."""
    import codecs
    import marshal
    import types

    from keraslite.layers.core.lambda_layer import Lambda

    config = dict(entry.get("config") or {})
    function = config.pop("function", None)
    if not isinstance(function, dict) or function.get("class_name") != "__lambda__":
        raise FileFormatError("keraslite loads Lambda layers of Python lambdas only.")
    inner = function.get("config") or {}
    try:
        code = marshal.loads(codecs.decode(inner["code"].encode("ascii"), "base64"))
        fn = types.FunctionType(code, {"__builtins__": __builtins__},
                                argdefs=tuple(inner.get("defaults") or ()) or None)
    except (KeyError, ValueError, TypeError, EOFError) as e:
        raise FileFormatError(f"Could not rebuild the Lambda's function: {e}") from e
    return Lambda(fn, **config)


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
        if isinstance(layer, layers_module.Dense):
            if len(shape) < 2 or shape[-1] is None:
                raise FileFormatError(
                    f"Dense layer '{layer.name}' needs a defined last input "
                    f"dimension; the config gives input shape {tuple(shape)}."
                )
            total += shape[-1] * layer.units + (layer.units if layer.use_bias else 0)
            shape = shape[:-1] + [layer.units]
        elif isinstance(layer, layers_module.Flatten):
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
            except ValueError as e:
                raise FileFormatError(f"Layer '{layer.name}': {e}") from None
        if total * 4 > MAX_WEIGHT_BYTES:
            raise FileFormatError(
                f"The config declares {total} weights ({total * 4} bytes) by "
                f"layer '{layer.name}', more than keraslite's cap of "
                f"{MAX_WEIGHT_BYTES} bytes (keraslite.saving._io."
                "MAX_WEIGHT_BYTES)."
            )
    return total


# --- reading: compile -------------------------------------------------------------------
def compile_from_config(model, config, legacy=False):
    """Compiles `model` from a Keras 3 compile_config or legacy training_config.

    Returns False (and leaves the model uncompiled) when the config has no
    loss, which keraslite needs to train.
    """
    if not isinstance(config, dict):
        raise FileFormatError("The compile/training config must be a JSON object.")
    config = screen(config, where="compile_config")
    optimizer = config.get("optimizer_config" if legacy else "optimizer")
    loss = _deserialize_loss(config.get("loss"))
    if loss is None:
        return False
    metrics = _deserialize_metrics(config.get("metrics"), "metrics")
    weighted = _deserialize_metrics(config.get("weighted_metrics"),
                                    "weighted_metrics")
    optimizer = deserialize_optimizer(optimizer)
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                      weighted_metrics=weighted,
                      loss_weights=config.get("loss_weights"))
    except (ValueError, TypeError) as e:
        raise FileFormatError(f"Could not compile the model from the file: {e}") from e
    return True


def deserialize_optimizer(config):
    """An optimizer from a name or a Keras 3 / Keras 2 optimizer config."""
    if config is None:
        return optimizers_module.get("rmsprop")
    try:
        if isinstance(config, str):
            return optimizers_module.get(config)
        if not isinstance(config, dict):
            raise FileFormatError(f"Invalid optimizer config {config!r}.")
        name = config.get("class_name")
        if not isinstance(name, str) or name not in optimizers_module._REGISTRY:
            raise FileFormatError(
                f"Unsupported optimizer {name!r}; keraslite supports "
                f"{', '.join(sorted(optimizers_module.ALL_OPTIMIZERS))}."
            )
        params = config.get("config") or {}
        if not isinstance(params, dict):
            raise FileFormatError(f"Invalid config for optimizer {name}.")
        params = dict(params)
        for key in ("is_legacy_optimizer", "jit_compile"):
            params.pop(key, None)
        if "lr" in params:  # Keras 2.0-2.2
            params.setdefault("learning_rate", params.pop("lr"))
        decay = params.pop("decay", 0.0)
        if decay not in (0, 0.0, None):
            raise FileFormatError(
                f"The optimizer uses Keras 2's `decay={decay}`, which Keras 3 "
                "and keraslite do not support."
            )
        return optimizers_module._REGISTRY[name].from_config(params)
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ImportError,
            OverflowError) as e:
        raise FileFormatError(f"Could not rebuild the optimizer: {e}") from e


_LOSS_REDUCTIONS = {"auto": "sum_over_batch_size",
                    "sum_over_batch_size": "sum_over_batch_size"}


def _deserialize_loss(config):
    if config is None:
        return None
    if isinstance(config, dict) and "class_name" not in config:
        return {k: _deserialize_loss(v) for k, v in config.items()}  # per output
    if isinstance(config, list):
        if len(config) == 1:
            return _deserialize_loss(config[0])
        return [_deserialize_loss(v) for v in config]
    try:
        if isinstance(config, str):
            losses_module.get(config)
            return config
        if isinstance(config, dict):
            params = dict(config.get("config") or {})
            reduction = params.get("reduction")
            if reduction in _LOSS_REDUCTIONS:
                params["reduction"] = _LOSS_REDUCTIONS[reduction]
            return losses_module.deserialize(
                {"class_name": config["class_name"], "config": params}
            )
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise FileFormatError(f"Could not rebuild the loss {config!r}: {e}") from e
    raise FileFormatError(f"Invalid loss config {config!r}.")


_WRAPPED_METRICS = {
    "accuracy": metrics_module.Accuracy,
    "binary_accuracy": metrics_module.BinaryAccuracy,
    "categorical_accuracy": metrics_module.CategoricalAccuracy,
    "sparse_categorical_accuracy": metrics_module.SparseCategoricalAccuracy,
    "mean_squared_error": metrics_module.MeanSquaredError,
    "mean_absolute_error": metrics_module.MeanAbsoluteError,
}


def _deserialize_metrics(config, key):
    if config is None:
        return None
    if isinstance(config, dict) and "class_name" not in config:
        return {k: _deserialize_metrics(v, key) or [] for k, v in config.items()}
    if not isinstance(config, list):
        config = [config]
    if len(config) > 1 and all(isinstance(item, list) for item in config):
        return [_deserialize_metrics(item, key) or [] for item in config]
    flat = []
    for item in config:  # Keras 2 nests one list per output
        flat.extend(item if isinstance(item, list) else [item])
    return [_deserialize_metric(item) for item in flat]


def _deserialize_metric(config):
    try:
        if isinstance(config, str):
            if config.lower() not in ("accuracy", "acc"):
                metrics_module.get(config)
            return config
        if isinstance(config, dict):
            params = dict(config.get("config") or {})
            if config["class_name"] == "MeanMetricWrapper":  # Keras 2
                fn = params.pop("fn", None)
                if fn not in _WRAPPED_METRICS:
                    raise FileFormatError(f"Unsupported metric function {fn!r}.")
                return _WRAPPED_METRICS[fn].from_config(params)
            return metrics_module.deserialize(
                {"class_name": config["class_name"], "config": params}
            )
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise FileFormatError(f"Could not rebuild the metric {config!r}: {e}") from e
    raise FileFormatError(f"Invalid metric config {config!r}.")
