"""Legacy HDF5 files: Keras 2 style weights (`.h5`) and full models.

Weights layout (root of a weights file, or `model_weights/` of a model):

```
attrs: layer_names, backend, keras_version
<layer name>/                 attrs: weight_names (list of paths)
<layer name>/<weight name>    one dataset per weight, e.g. sequential/dense/kernel
top_level_model_weights/      attrs: weight_names = []
```
A full model adds root attrs `model_config` and `training_config` (JSON,
in tf.keras 2's form so that tf.keras 2 and Keras 3 both load them; see
`serialization.legacy_model_config`) and `optimizer_weights/` (attrs:
weight_names; Keras 3's variables, which tf.keras cannot take). Weights are matched by
order of the layers that have weights, or by layer name with `by_name`.
"""
from keraslite.registry import builtin
from keraslite.saving import _state
from keraslite.saving import serialization
from keraslite.saving._io import (
    FileFormatError,
    get_dataset,
    get_group,
    parse_json,
    read_name_list,
    read_text_attr,
    to_json,
    write_name_list,
)


def _legacy_weights(layer):
    return layer.trainable_weights + layer.non_trainable_weights


def _weight_path(model, layer, weight):
    """The weight's name as Keras writes it: its variable path, which has the
    Sequential model's name in front, or a nested model's."""
    if isinstance(model, builtin("models", "Sequential")):
        if weight.path.startswith(f"{layer.name}/"):  # a wrapper's inner layer
            return f"{model.name}/{weight.path}"
        return f"{model.name}/{layer.name}/{weight.name}"
    if weight.path.split("/")[0] == layer.name:
        return weight.path
    return f"{layer.name}/{weight.path}"


# --- writing ------------------------------------------------------------------------
def write_weights_group(group, model):
    """Keras's `save_weights_to_hdf5_group` for a keraslite model."""
    write_name_list(group, "layer_names",
                    [layer.name.encode("utf8") for layer in model.layers])
    group.attrs["backend"] = serialization.BACKEND.encode("utf8")
    group.attrs["keras_version"] = serialization.KERAS_VERSION.encode("utf8")
    for layer in sorted(model.layers, key=lambda x: x.name):
        layer_group = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = [_weight_path(model, layer, w).encode("utf8") for w in weights]
        _write_subset(layer_group, names, [w.numpy() for w in weights])
    _write_subset(group.create_group("top_level_model_weights"), [], [])


def _write_subset(group, names, values):
    write_name_list(group, "weight_names", names)
    for name, value in zip(names, values):
        dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
        if not value.shape:
            dataset[()] = value
        else:
            dataset[:] = value


def write_model(h5file, model, include_optimizer=True):
    """Keras's `save_model_to_hdf5` layout for a keraslite model."""
    meta = {
        "keras_version": serialization.KERAS_VERSION,
        "backend": serialization.BACKEND,
        "model_config": serialization.legacy_model_config(model),
    }
    with_optimizer = include_optimizer and model.compiled
    if with_optimizer:
        meta["training_config"] = serialization.legacy_training_config(model)
    for key, value in meta.items():
        if isinstance(value, (dict, list, tuple)):
            h5file.attrs[key] = to_json(value).encode("utf8")
        else:
            h5file.attrs[key] = value
    write_weights_group(h5file.create_group("model_weights"), model)
    if with_optimizer:
        optimizer = model.optimizer
        group = h5file.create_group("optimizer_weights")
        names = []
        for var in optimizer.variables:
            if var.name in ("iteration", "learning_rate"):
                name = f"{optimizer.name}/{var.name}"
            else:
                name = f"{optimizer.name}/{model.name}_{var.name}"
            # NOTE: Adafactor names its r and c slots after the variable, so
            # names repeat; HDF5 needs unique ones (Keras fails here).
            unique, count = name, 0
            while unique in names:
                count += 1
                unique = f"{name}_{count}"
            names.append(unique)
        names = [n.encode("utf8") for n in names]
        write_name_list(group, "weight_names", names)
        for name, value in zip(names, optimizer.get_state()):
            dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
            if not value.shape:
                dataset[()] = value
            else:
                dataset[:] = value
    h5file.flush()


# --- reading ------------------------------------------------------------------------
def is_legacy_weights(h5file):
    return "layer_names" in h5file.attrs or "layer_names0" in h5file.attrs


def is_legacy_model(h5file):
    return "model_config" in h5file.attrs or "model_weights" in h5file


def weights_root(h5file):
    """The group holding layer weights: the root, or `model_weights/`."""
    if not is_legacy_weights(h5file) and "model_weights" in h5file:
        return get_group(h5file, "model_weights")
    return h5file


def _saved_layers(group):
    out = []
    for name in read_name_list(group, "layer_names"):
        layer_group = get_group(group, name)
        weight_names = read_name_list(layer_group, "weight_names")
        datasets = [get_dataset(layer_group, w) for w in weight_names]
        out.append((name, datasets))
    return out


def plan_weights(group, model, by_name=False, skip_mismatch=False,
                 plan=None, where="the file"):
    """Validates legacy weights against the model; returns a LoadPlan."""
    plan = plan or _state.LoadPlan(skip_mismatch)
    if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        raise FileFormatError(
            f"{where} has no `layer_names`: not a Keras weights file."
        )
    saved = _saved_layers(group)
    if by_name:
        index = {layer.name: layer for layer in model.layers}
        for name, datasets in saved:
            layer = index.get(name)
            if layer is not None:
                _plan_layer(plan, layer, datasets, f"{where} (layer '{name}')")
    else:
        layers = [layer for layer in model.layers if _legacy_weights(layer)]
        saved = [(name, ds) for name, ds in saved if ds]
        if len(saved) != len(layers):
            raise FileFormatError(
                "Layer count mismatch when loading weights from file. Model "
                f"expected {len(layers)} layers with weights "
                f"{[layer.name for layer in layers]}, found {len(saved)} "
                f"saved layers {[name for name, _ in saved]}."
            )
        for layer, (name, datasets) in zip(layers, saved):
            _plan_layer(plan, layer, datasets,
                        f"{where} (saved layer '{name}')")
    if "top_level_model_weights" in group:
        top = get_group(group, "top_level_model_weights")
        if read_name_list(top, "weight_names"):
            plan.mismatch(
                f"{where} has top-level model weights; keraslite's "
                "Sequential and functional models have none."
            )
    return plan


def _plan_layer(plan, layer, datasets, where):
    # Legacy files list trainable weights first; keraslite assigns in
    # `layer.weights` order, so reorder the datasets to match.
    legacy = _legacy_weights(layer)
    if len(datasets) == len(legacy) == len(layer.weights):
        by_var = {id(v): d for v, d in zip(legacy, datasets)}
        datasets = [by_var[id(v)] for v in layer.weights]
    arrays = _state.read_layer_arrays(plan, layer, datasets, where)
    if arrays is not None:
        plan.add_layer(layer, arrays)


def read_model(h5file, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds, compiles and fills a model from a legacy full-model file."""
    text = read_text_attr(h5file, "model_config", required=False)
    if text is None:
        raise FileFormatError(
            "No model config found in the file: it holds only weights. Build "
            "the model and call `model.load_weights(filepath)` instead."
        )
    model = serialization.model_from_config(
        parse_json(text, "model_config"), custom_objects, safe_mode
    )
    plan = plan_weights(get_group(h5file, "model_weights"), model,
                        where="model_weights")
    if compile:
        text = read_text_attr(h5file, "training_config", required=False)
        if text is not None:
            training = parse_json(text, "training_config")
            if serialization.compile_from_config(model, training, legacy=True) \
                    and "optimizer_weights" in h5file:
                group = get_group(h5file, "optimizer_weights")
                names = read_name_list(group, "weight_names")
                datasets = [get_dataset(group, n) for n in names]
                _state.plan_optimizer(plan, model, datasets, names,
                                      "optimizer_weights")
    plan.apply()
    return model
