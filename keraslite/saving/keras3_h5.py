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
from keraslite.saving import _state
from keraslite.saving._io import FileFormatError, get_dataset, get_group
from keraslite.utils.naming import snake_case


def layer_paths(model):
    """`[(layer, "layers/<path>")]` with Keras 3's per-class numbering."""
    used = {}
    out = []
    for layer in model.layers:
        name = snake_case(type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        out.append((layer, f"layers/{name}"))
    return out


def is_keras3_layout(h5file):
    """Whether an open HDF5 file has the Keras 3 weights layout."""
    return "layer_names" not in h5file.attrs and (
        "layers" in h5file or "vars" in h5file or "optimizer" in h5file
    )


def write(h5file, model, include_optimizer=True):
    """Writes the model's (and optimizer's) variables into an open file."""
    root = h5file.create_group("vars")
    root.attrs["name"] = model.name
    for layer, path in layer_paths(model):
        group = h5file.create_group(path).create_group("vars")
        group.attrs["name"] = layer.name
        for i, weight in enumerate(layer.weights):
            group[str(i)] = weight.numpy()
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


def plan(h5file, model, skip_mismatch=False, load_optimizer=True,
         where="the file"):
    """Reads and validates all weights (and optimizer state) into a LoadPlan."""
    result = _state.LoadPlan(skip_mismatch)
    if not is_keras3_layout(h5file):
        raise FileFormatError(
            f"{where} does not have the Keras 3 weights layout "
            "(`layers/<name>/vars/<i>`)."
        )
    layers_group = get_group(h5file, "layers", required=False)
    seen = set()
    for layer, path in layer_paths(model):
        seen.add(path.split("/", 1)[1])
        vars_group = get_group(h5file, path + "/vars", required=False)
        if vars_group is None:
            if layer.weights:
                result.mismatch(
                    f"Layer '{layer.name}' ({type(layer).__name__}) has "
                    f"{len(layer.weights)} weight(s) but {where} has no group "
                    f"'{path}/vars' for it."
                )
            continue
        datasets = _numbered(vars_group, f"{path}/vars")
        saved_name = vars_group.attrs.get("name", "?")
        arrays = _state.read_layer_arrays(
            result, layer, datasets, f"{where} ('{path}', saved as {saved_name!r})"
        )
        if arrays is not None:
            result.add_layer(layer, arrays)
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
