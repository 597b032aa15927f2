"""Functional model configs in Keras's own format, both ways.

Keras 3 writes each layer with its `inbound_nodes`: one entry per call of
the layer inside the model, `{"args": [...], "kwargs": {...}}`, where each
input tensor is `{"class_name": "__keras_tensor__", "config": {"shape",
"dtype", "keras_history": [layer name, node index, tensor index]}}`; the
model's `input_layers` / `output_layers` are such triples. Keras 2 (tf.keras)
wrote each node as a list of `[layer name, node index, tensor index,
kwargs]`. Node indices count only the nodes inside the model.
"""
from keraslite.ops.node import KerasTensor, flatten
from keraslite.registry import builtin
from keraslite.saving._io import FileFormatError


# --- writing ---------------------------------------------------------------------------
def get_config(model, serialize_layer):
    """The `config` of a functional model (Keras 3's form)."""
    in_model = {id(node) for nodes in model._nodes_by_depth.values() for node in nodes}
    index_of = {}  # id(node) -> its index among the layer's nodes in the model
    every_layer = model._tracked_layers  # ops on KerasTensors included
    for layer in every_layer:
        count = 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                index_of[id(node)] = count
                count += 1

    def tensor_config(tensor):
        layer, node_index, tensor_index = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        return [layer.name, index_of.get(id(node), 0), tensor_index]

    def argument(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__", "config": {
                "shape": list(value.shape), "dtype": value.dtype,
                "keras_history": tensor_config(value)}}
        if isinstance(value, (list, tuple)):
            return [argument(v) for v in value]
        if isinstance(value, dict):
            return {k: argument(v) for k, v in value.items()}
        return _constant(value)

    layers = []
    for layer in every_layer:
        if hasattr(layer, "keras_entry"):  # an op called on KerasTensors
            entry, call_args = layer.keras_entry()
            entry["config"] = {k: _constant(v) for k, v in entry["config"].items()}
            entry["name"] = layer.name
            entry["inbound_nodes"] = [{"args": argument(call_args), "kwargs": {}}]
            layers.append(entry)
            continue
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": [argument(node.arguments)],
             "kwargs": {k: argument(v) for k, v in node.kwargs.items()}}
            for node in layer._inbound_nodes
            if id(node) in in_model and not node.is_input
        ]
        layers.append(entry)

    def structure(value):
        if isinstance(value, dict):
            return {k: structure(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [structure(v) for v in value]
        return tensor_config(value)

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": structure(model._inputs_struct),
        "output_layers": structure(model._outputs_struct),
    }


def _constant(value):
    """A node's non-tensor argument as Keras's `serialize_keras_object`
    writes it (slices, Ellipsis and arrays as tagged objects)."""
    import numpy as np

    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {
            "start": _constant(value.start), "stop": _constant(value.stop),
            "step": _constant(value.step)}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_constant(v) for v in value]
    return value


# --- reading ---------------------------------------------------------------------------
def from_config(config, build_layer):
    """Rebuilds a functional model from a screened config.

    Args:
        config: The `config` of a Functional (Keras 3 or Keras 2 form).
        build_layer: `build_layer(entry, index) -> layer` for one layer
            entry (nested models included).
    """
    InputLayer, Functional = builtin("layers", "InputLayer"), builtin("models", "Functional")

    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise FileFormatError("The functional model config has no `layers` list.")
    created = {}  # layer name -> layer
    pending = []  # (layer, [node args]) still to call, in config order
    outputs = {}  # layer name -> [outputs of each processed node]
    for index, entry in enumerate(config["layers"]):
        if not isinstance(entry, dict):
            raise FileFormatError(f"Layer #{index} config is not a JSON object.")
        layer = build_layer(entry, index)
        name = entry.get("name") or getattr(layer, "name", None)
        if name in created:
            raise FileFormatError(f"Duplicate layer name {name!r} in the config.")
        created[name] = layer
        if isinstance(layer, InputLayer):
            outputs[name] = [layer.output]
            continue
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list):
            raise FileFormatError(f"Invalid inbound_nodes of layer {name!r}.")
        outputs[name] = []
        pending.append((name, layer,
                        [_node_call(node, name, is_op(layer)) for node in nodes]))

    def resolve(value):
        if isinstance(value, _TensorRef):
            produced = outputs.get(value.layer)
            if produced is None or value.node >= len(produced):
                raise _NotReady()
            out = flatten(produced[value.node])
            if value.tensor >= len(out):
                raise FileFormatError(f"Invalid tensor index in {value}.")
            return out[value.tensor]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    # As Keras: call each layer on its nodes' inputs as soon as they exist.
    progress = True
    while pending and progress:
        progress = False
        for item in list(pending):
            name, layer, calls = item
            while len(outputs[name]) < len(calls):
                args, kwargs = calls[len(outputs[name])]
                try:
                    inputs = resolve(args)
                    kwargs = resolve(kwargs)
                except _NotReady:
                    break
                try:
                    outputs[name].append(layer(inputs) if is_op(layer)
                                         else layer(inputs, **kwargs))
                except (ValueError, TypeError) as e:
                    raise FileFormatError(
                        f"Could not rebuild the graph at layer {name!r}: {e}") from e
                progress = True
            if len(outputs[name]) == len(calls):
                pending.remove(item)
    if pending:
        raise FileFormatError(
            "The functional config's graph cannot be rebuilt: layers "
            f"{[name for name, _, _ in pending]} need inputs no layer produces."
        )
    try:
        inputs = resolve(_refs(config.get("input_layers"), "input_layers"))
        outputs_struct = resolve(_refs(config.get("output_layers"), "output_layers"))
        if _is_keras2(config):  # tf.keras listed even a single input/output
            inputs = inputs[0] if isinstance(inputs, list) and len(inputs) == 1 \
                else inputs
            if isinstance(outputs_struct, list) and len(outputs_struct) == 1:
                outputs_struct = outputs_struct[0]
    except _NotReady:
        raise FileFormatError("The model's inputs or outputs name missing layers.") \
            from None
    try:
        return Functional(inputs, outputs_struct, name=config.get("name"),
                          trainable=config.get("trainable", True))
    except ValueError as e:
        raise FileFormatError(f"Could not rebuild the functional model: {e}") from e


def is_op(layer):
    """True for the builder of an op's node (see `ops.symbolic.op_from_config`)."""
    return not hasattr(layer, "_inbound_nodes")


def _is_keras2(config):
    return any(isinstance(node, list) for entry in config["layers"]
               if isinstance(entry, dict)
               for node in entry.get("inbound_nodes") or [])


class _NotReady(Exception):
    """A node's input is not computed yet."""


class _TensorRef:
    def __init__(self, layer, node, tensor):
        if not isinstance(layer, str) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 1 << 20
                for i in (node, tensor)):
            raise FileFormatError(
                f"Invalid tensor reference {[layer, node, tensor]!r}.")
        self.layer, self.node, self.tensor = layer, node, tensor

    def __repr__(self):
        return f"[{self.layer!r}, {self.node}, {self.tensor}]"


def _is_triple(value):
    return isinstance(value, list) and len(value) in (3, 4) and \
        isinstance(value[0], str) and all(isinstance(v, int) for v in value[1:3])


def _refs(value, what):
    """input_layers / output_layers as _TensorRefs (a triple, list or dict)."""
    if _is_triple(value):
        return _TensorRef(*value[:3])
    if isinstance(value, list):
        return [_refs(v, what) for v in value]
    if isinstance(value, dict):
        return {k: _refs(v, what) for k, v in value.items()}
    raise FileFormatError(f"Invalid `{what}` in the functional config: {value!r}.")


def _node_call(node, layer_name, all_args=False):
    """`(args, kwargs)` of one inbound node, tensors as _TensorRefs (a
    layer's first argument; with `all_args`, an op's whole argument list)."""
    if isinstance(node, dict):  # Keras 3
        args = node.get("args", [])
        kwargs = node.get("kwargs", {})
        if not isinstance(args, list) or not args or not isinstance(kwargs, dict):
            raise FileFormatError(f"Invalid inbound node of layer {layer_name!r}.")
        first = _arguments(args if all_args else args[0])
        return first, {k: _arguments(v) for k, v in kwargs.items()}
    if isinstance(node, list) and node:  # Keras 2: [[name, node, tensor, kwargs], ...]
        refs = []
        kwargs = {}
        for item in node:
            if not _is_triple(item):
                raise FileFormatError(f"Invalid inbound node of layer {layer_name!r}.")
            refs.append(_TensorRef(*item[:3]))
            if len(item) == 4 and isinstance(item[3], dict):
                kwargs.update(item[3])
        return (refs[0] if len(refs) == 1 else refs), kwargs
    raise FileFormatError(f"Invalid inbound node of layer {layer_name!r}.")


def _arguments(value):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = (value.get("config") or {}).get("keras_history")
        if not _is_triple(history):
            raise FileFormatError(f"Invalid keras_history {history!r}.")
        return _TensorRef(*history[:3])
    if isinstance(value, dict) and value.get("class_name") in _TAGGED:
        return _TAGGED[value["class_name"]](value.get("config") or {})
    if isinstance(value, list):
        return [_arguments(v) for v in value]
    if isinstance(value, dict):
        return {k: _arguments(v) for k, v in value.items()}
    return value


def _slice(config):
    parts = [config.get(k) for k in ("start", "stop", "step")]
    if not all(p is None or (isinstance(p, int) and not isinstance(p, bool))
               for p in parts):
        raise FileFormatError(f"Invalid __slice__ {config!r}.")
    return slice(*parts)


def _numpy(config):
    import numpy as np

    try:
        return np.array(config["value"], dtype=np.dtype(config["dtype"]))
    except (KeyError, TypeError, ValueError) as e:
        raise FileFormatError(f"Invalid __numpy__ constant: {e}") from None


# Keras's tagged constants in node arguments (`serialize_keras_object`).
_TAGGED = {"__slice__": _slice, "__ellipsis__": lambda config: Ellipsis,
           "__numpy__": _numpy}
