"""Symbolic tensors and the nodes that connect them into a graph.

Calling a layer on `KerasTensor`s computes nothing: it records a `Node`
(the layer, its input tensors, its output tensors) and returns new
KerasTensors whose `_keras_history` names that node. A functional `Model`
walks these nodes from its outputs back to its inputs.
"""


from keraslite.autodiff import TensorOps


class KerasTensor(TensorOps):
    """A symbolic tensor: a shape (None for unknown sizes) and a dtype.

    Operators and `keraslite.ops` on it add nodes to the graph.
    """

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        self._keras_history = None  # (layer, node_index, tensor_index)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}>")


class Node:
    """One call of a layer on symbolic inputs.

    Args:
        layer: The layer called.
        inputs: The call's first argument (a tensor, a list or a dict).
        outputs: The KerasTensors it returned (a tensor or a list).
        kwargs: Other call arguments (e.g. `training`), kept for the config.
    """

    def __init__(self, layer, inputs, outputs, kwargs=None):
        self.layer = layer
        self.arguments = inputs
        self.kwargs = dict(kwargs or {})
        # As Keras 3: tensors passed as keyword arguments (an RNN's
        # `initial_state`) are inputs of the node too.
        self.input_tensors = [t for t in flatten(inputs) + flatten(
            list(self.kwargs.values())) if isinstance(t, KerasTensor)]
        self.outputs = outputs
        self.output_tensors = flatten(outputs)
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, self.index, i)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        out = []
        for tensor in self.input_tensors:
            layer, index, _ = tensor._keras_history
            out.append(layer._inbound_nodes[index])
        return out

    @property
    def is_input(self):
        return not self.input_tensors


def flatten(structure):
    """The leaves of nested lists, tuples and dicts (dicts in key order)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    """`structure` with `fn` applied to each leaf."""
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, item) for item in structure)
    return fn(structure)


def pack_like(structure, leaves):
    """`leaves` (in `flatten` order) arranged as `structure`."""
    leaves = iter(leaves)

    def build(item):
        if isinstance(item, dict):
            filled = {key: build(item[key]) for key in sorted(item)}
            return {key: filled[key] for key in item}
        if isinstance(item, (list, tuple)):
            return type(item)(build(x) for x in item)
        return next(leaves)

    return build(structure)
