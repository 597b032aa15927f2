"""Keras 3 weights files (`.weights.h5`, and `model.weights.h5` in `.keras`).

Layout, as Keras 3's `saving_lib` writes it:

```
vars/                          attrs: name=<model name>
layers/<path>/vars/<i>         attrs on vars: name=<layer name>
optimizer/vars/<i>             attrs on vars: name=<optimizer name>
```
`<path>` is the layer's class in snake case, numbered per class in model
order (`dense`, `dropout`, `dense_1`, ...), so weights are matched by
position, not by layer name. `<i>` counts the layer's weights (kernel,
bias); the optimizer's are `iteration, learning_rate, *slots`.
"""
from keraslite.registry import builtin
from keraslite.saving import _state
from keraslite.saving._io import FileFormatError, get_dataset, get_group
from keraslite.utils.naming import snake_case


def own_weights(layer):
    """The variables a layer saves itself (trainable first, as Keras)."""
    return [w for w in layer._weights if w.trainable] + \
        [w for w in layer._weights if not w.trainable]


def layer_paths(model):
    """`[(layer, "layers/<path>")]` for every layer holding weights of its own.

    As Keras 3's `saving_lib._walk_saveable`: a Sequential's or functional
    model's `layers` come first, each named by its class in snake case and
    numbered per class (`dense`, `dense_1`, ...); then the layers held in
    attributes, by attribute name in sorted order (private ones last), and
    `layers` of subclassed models; a layer already saved is skipped.
    """
    out = []
    _walk(model, "", out, {id(model)})
    return out


def _walk(obj, path, out, visited):
    Functional, Model, Sequential = (builtin("models", name) for name in
                                     ("Functional", "Model", "Sequential"))
    children = []
    if isinstance(obj, (Sequential, Functional)):
        children.append(("layers", obj.layers))
    attributes = {} if isinstance(obj, (Sequential, Functional)) else {
        name: value for name, value in vars(obj).items()
        if name not in _internal_attributes(obj)}
    if isinstance(obj, Model) and not isinstance(obj, (Sequential, Functional)):
        attributes["layers"] = obj.layers
    for name in sorted(attributes, key=lambda n: f"~{n}" if n.startswith("_") else n):
        children.append((name, attributes[name]))
    for name, child in children:
        if isinstance(child, dict):
            child = list(child.values())
        if isinstance(child, (list, tuple)):
            used = {}
            for item in child:
                if _is_layer(item):
                    _visit(item, _join(path, name, _unique(item, used)), out, visited)
        elif _is_layer(child):
            _visit(child, _join(path, name), out, visited)


def _visit(layer, path, out, visited):
    if id(layer) in visited:
        return
    visited.add(id(layer))
    out.append((layer, path))
    _walk(layer, path, out, visited)


def _is_layer(value):
    return isinstance(value, builtin("base", "Layer"))


def _unique(layer, used):
    name = snake_case(type(layer).__name__)
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _join(*parts):
    return "/".join(p for p in parts if p)


_INTERNAL = {}


def _internal_attributes(obj):
    """Attribute names every keraslite Layer (or Model) has: not saveables."""
    Layer, Model = builtin("base", "Layer"), builtin("models", "Model")
    key = Model if isinstance(obj, Model) else Layer
    if key not in _INTERNAL:
        reference = Model.__new__(Model) if key is Model else Layer.__new__(Layer)
        if key is Model:
            Model.__init__(reference, name="reference")
        else:
            Layer.__init__(reference, name="reference")
        _INTERNAL[key] = set(vars(reference)) | {"optimizer"}
    return _INTERNAL[key]


def is_keras3_layout(h5file):
    """Whether an open HDF5 file has the Keras 3 weights layout."""
    return "layer_names" not in h5file.attrs and (
        "layers" in h5file or "vars" in h5file or "optimizer" in h5file
    )


def write(h5file, model, include_optimizer=True):
    """Writes the model's (and optimizer's) variables into an open file."""
    root = h5file.create_group("vars")
    root.attrs["name"] = model.name
    for i, weight in enumerate(own_weights(model)):
        root[str(i)] = weight.numpy()
    for layer, path in layer_paths(model):
        group = h5file.create_group(path).create_group("vars")
        group.attrs["name"] = layer.name
        for i, weight in enumerate(own_weights(layer)):
            group[str(i)] = weight.numpy()
        if hasattr(layer, "save_own_variables"):  # named state (TextVectorization)
            store = {}
            layer.save_own_variables(store)
            for key, value in store.items():
                group[key] = value
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and model.compiled:
        group = h5file.create_group("optimizer").create_group("vars")
        group.attrs["name"] = optimizer.name
        for i, value in enumerate(optimizer.get_state()):
            group[str(i)] = value


def _numbered(group, where):
    """The datasets `0, 1, ...` of a `vars` group, in order."""
    keys = list(group.keys())
    expected = [str(i) for i in range(len(keys))]
    if sorted(keys) != sorted(expected):
        raise FileFormatError(
            f"Invalid weights group '{where}': expected datasets named "
            f"0..{len(keys) - 1}, found {sorted(keys)[:10]}."
        )
    return [get_dataset(group, key) for key in expected]


def _plan_named_state(plan, layer, group, where):
    """Reads the named datasets a layer saved with `save_own_variables`
    (`idf_weights`, as Keras names them); `load_own_variables` gets them
    when the plan is applied."""
    expected = {}
    layer.save_own_variables(expected)
    store = {}
    for key in expected:
        if key not in group:
            plan.mismatch(f"{where} has no dataset 'vars/{key}' for layer "
                          f"'{layer.name}' ({type(layer).__name__}).")
            return
        value = get_dataset(group, key)[()]
        if getattr(value, "ndim", 0) != 1 or value.dtype.kind != "f":
            plan.mismatch(f"{where}: 'vars/{key}' must be a 1-D float array; "
                          f"found {getattr(value, 'shape', ())} "
                          f"{getattr(value, 'dtype', type(value))}.")
            return
        store[key] = value
    plan.calls.append(lambda: layer.load_own_variables(store))


def plan(h5file, model, skip_mismatch=False, load_optimizer=True,
         where="the file"):
    """Reads and validates all weights (and optimizer state) into a LoadPlan."""
    result = _state.LoadPlan(skip_mismatch)
    if not is_keras3_layout(h5file):
        raise FileFormatError(
            f"{where} does not have the Keras 3 weights layout "
            "(`layers/<name>/vars/<i>`)."
        )
    own = own_weights(model)
    if own:
        group = get_group(h5file, "vars", required=False)
        datasets = _numbered(group, "vars") if group is not None else []
        arrays = _state.read_layer_arrays(result, model, datasets,
                                          f"{where} ('vars')", expected=own)
        if arrays is not None:
            result.add_layer(model, arrays, own)
    layers_group = get_group(h5file, "layers", required=False)
    seen = set()
    for layer, path in layer_paths(model):
        if path.startswith("layers/"):
            seen.add(path.split("/")[1])
        vars_group = get_group(h5file, path + "/vars", required=False)
        if vars_group is None:
            if own_weights(layer):
                result.mismatch(
                    f"Layer '{layer.name}' ({type(layer).__name__}) has "
                    f"{len(own_weights(layer))} weight(s) but {where} has no "
                    f"group '{path}/vars' for it."
                )
            continue
        if hasattr(layer, "load_own_variables"):
            _plan_named_state(result, layer, vars_group, f"{where} ('{path}')")
            continue
        datasets = _numbered(vars_group, f"{path}/vars")
        saved_name = vars_group.attrs.get("name", "?")
        own = own_weights(layer)
        arrays = _state.read_layer_arrays(
            result, layer, datasets, f"{where} ('{path}', saved as {saved_name!r})",
            expected=own,
        )
        if arrays is not None:
            result.add_layer(layer, arrays, own)
    if layers_group is not None:
        for key in layers_group.keys():
            if key in seen:
                continue
            extra = get_group(layers_group, key + "/vars", required=False)
            if extra is not None and len(extra.keys()):
                result.mismatch(
                    f"{where} has weights for 'layers/{key}' (saved as "
                    f"{extra.attrs.get('name', '?')!r}) but the model has no "
                    f"such layer: the model has {len(model.layers)} layers "
                    f"({', '.join(p for _, p in layer_paths(model))})."
                )
    if load_optimizer and getattr(model, "optimizer", None) is not None:
        group = get_group(h5file, "optimizer/vars", required=False)
        if group is not None:
            datasets = _numbered(group, "optimizer/vars")
            names = ["iteration"] + [""] * (len(datasets) - 1)
            _state.plan_optimizer(result, model, datasets, names, where)
    return result
