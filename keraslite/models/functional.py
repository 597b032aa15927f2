"""Functional models: a graph of layer calls from `Input`s to outputs.

The graph is read from the outputs' `_keras_history` back to the inputs,
as Keras's `ops/function.py` does (`map_graph`): nodes are sorted by depth
(distance from the outputs), layers are listed in that order, and a tensor
that cannot be computed from the inputs raises "Graph disconnected".
Running the model runs each node's layer on its inputs' values, in order;
a layer used at several nodes (shared) is called once per node.
"""
import collections

from keraslite.models.model import Model, call_and_mask, fit_input
from keraslite.ops.node import KerasTensor, flatten, map_structure, pack_like
from keraslite.utils.naming import unique_name


def _has_mask(mask):
    if isinstance(mask, (list, tuple)):
        return any(_has_mask(m) for m in mask)
    if isinstance(mask, dict):
        return any(_has_mask(m) for m in mask.values())
    return mask is not None


class Functional(Model):
    """A model defined by `Model(inputs, outputs)` (see `Model`).

    Args:
        inputs: An `Input` tensor, or a list or dict of them.
        outputs: A tensor, or a list or dict of tensors, computed from
            `inputs` by layer calls.
        name: Model name (`functional`, `functional_1`, ...).
    """

    _protect_inputs = False

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name or unique_name("functional"),
                       trainable=trainable, **kwargs)
        for what, structure in (("inputs", inputs), ("outputs", outputs)):
            for tensor in flatten(structure):
                if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
                    raise ValueError(
                        f"All `{what}` of a functional model must be "
                        "KerasTensors from `keraslite.Input` and layer calls. "
                        f"Received: {tensor!r}"
                    )
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        self._nodes_by_depth, layers = _map_graph(self.inputs, self.outputs)
        self._run_order = [node for depth in sorted(self._nodes_by_depth, reverse=True)
                           for node in self._nodes_by_depth[depth]]
        self._tracked_layers = layers
        self._sample_output_shapes = [t.shape for t in self.outputs]
        # No layer makes a mask: `call` skips all mask work (the common case).
        self._mask_free = not any(node.layer._may_make_mask()
                                  for node in self._run_order)
        self.built = True

    @property
    def layers(self):
        """Every layer of the graph, InputLayers included, in Keras's order
        (ops called on symbolic tensors are not layers, as in Keras)."""
        from keraslite.ops.symbolic import OpLayer

        return [la for la in self._tracked_layers if not isinstance(la, OpLayer)]

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=False, mask=None):
        return self._run_graph(inputs, training, mask)[0]

    def _call_and_mask(self, inputs, mask, kwargs):
        """The outputs and their masks (for a model used as a layer)."""
        return call_and_mask(self, inputs, mask, kwargs, self._run_graph)

    def _may_make_mask(self):
        return not self._mask_free

    def _run_graph(self, inputs, training, mask):
        """Runs every node; returns the outputs and (None when the model is
        mask-free) their masks, carried beside the values as Keras carries
        them on its tensors (`_keras_mask`)."""
        values = {}
        masks = None if mask is None and self._mask_free else {}
        # Relu Conv2D + tiling MaxPooling2D pairs as one step (conv_pool);
        # the pooling's node is then skipped: its output has a value.
        fused = self._conv_pools() if masks is None else None
        flat_inputs = self._flatten_inputs(inputs)
        for tensor, value in zip(self.inputs, flat_inputs):
            values[id(tensor)] = value
        if masks is not None and mask is not None:
            for tensor, m in zip(self.inputs, flatten(mask)
                                 if isinstance(mask, (list, tuple, dict)) else [mask]):
                masks[id(tensor)] = m
        for node in self._run_order:
            if any(id(t) in values for t in node.output_tensors) or node.is_input:
                continue  # a model input (or an InputLayer)
            if fused and id(node) in fused and fused[id(node)].run(values):
                continue
            args = pack_like(node.arguments, [
                values[id(leaf)] if isinstance(leaf, KerasTensor) else leaf
                for leaf in flatten(node.arguments)])
            kwargs = {k: map_structure(
                lambda v: values[id(v)] if isinstance(v, KerasTensor) else v, arg)
                for k, arg in node.kwargs.items()}
            # As Keras's functional `operation_fn`: the model's training flag
            # wins over one recorded in the node (Keras writes training=True
            # for the augmentation layers, whose call defaults to it).
            kwargs["training"] = training
            if masks is None:
                out = node.layer._eager_call(args, **kwargs)
            else:
                # An explicit `mask=` of the call wins over the inputs' masks,
                # as in Keras (its configs may also carry mask=None).
                in_mask = kwargs.pop("mask", None)
                if in_mask is None:
                    in_mask = pack_like(node.arguments, [
                        masks.get(id(leaf)) if isinstance(leaf, KerasTensor) else None
                        for leaf in flatten(node.arguments)])
                out, out_mask = node.layer._call_and_mask(
                    args, in_mask if _has_mask(in_mask) else None, kwargs)
                flat_masks = flatten(out_mask) if isinstance(out_mask, (list, tuple)) \
                    else [out_mask] * len(node.output_tensors)
                for tensor, m in zip(node.output_tensors, flat_masks):
                    if m is not None:
                        masks[id(tensor)] = m
            for tensor, value in zip(node.output_tensors, flatten(out)):
                values[id(tensor)] = value
        outputs = pack_like(self._outputs_struct,
                            [values[id(t)] for t in self.outputs])
        if masks is None:
            return outputs, None
        out_masks = [masks.get(id(t)) for t in self.outputs]
        return outputs, out_masks if len(out_masks) > 1 else out_masks[0]

    def _conv_pools(self):
        """`conv_pool.plan_graph` of the graph, made once (the graph is fixed)."""
        steps = self.__dict__.get("_conv_pools_cache")
        if steps is None:
            from keraslite.layers.convolutional import conv_pool

            steps = conv_pool.plan_graph(self._run_order, self.outputs)
            self.__dict__["_conv_pools_cache"] = steps  # not a tracked attribute
        return steps

    def _flatten_inputs(self, inputs):
        if isinstance(inputs, dict):
            names = self._input_names()
            return [inputs[name] for name in names]
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != len(self.inputs):
                raise ValueError(
                    f"Model '{self.name}' expects {len(self.inputs)} input(s), "
                    f"but it received {len(inputs)} input tensors."
                )
            return list(inputs)
        return [inputs]

    def compute_output_shape(self, input_shape):
        return self.output_shape

    # --- config ---------------------------------------------------------------------------
    def get_config(self):
        """Keras's functional config: layers with inbound nodes, inputs, outputs."""
        from keraslite import layers as layers_module
        from keraslite.saving import functional_config

        return functional_config.get_config(self, layers_module.serialize)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the graph from `get_config()` output (or Keras's)."""
        from keraslite.saving import serialization

        return serialization.model_from_config(
            {"class_name": "Functional", "config": config}, custom_objects)

    # --- what the trainer needs ---------------------------------------------------------
    def _input_names(self):
        if isinstance(self._inputs_struct, dict):
            return sorted(self._inputs_struct)
        return [t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self):
        if isinstance(self._outputs_struct, dict):
            return sorted(self._outputs_struct)
        return [t._keras_history[0].name for t in self.outputs]

    def _output_names_known(self):
        return True

    # The inputs were checked against the graph's inputs (`_fit_inputs`).
    _run_call = Model._call_checked_inputs

    def _pack_inputs(self, xs):
        return list(xs)

    def _fit_inputs(self, xs):
        return [fit_input(x, t.shape, _first_consumer(self, t), i)
                for i, (x, t) in enumerate(zip(xs, self.inputs))]

    def _output_shapes(self):
        return [t.shape for t in self.outputs]

    def _structure_outputs(self, outputs):
        return pack_like(self._outputs_struct, outputs)


def _first_consumer(model, tensor):
    """The name of the first layer that reads `tensor` (for error messages)."""
    for node in model._run_order:
        if any(t is tensor for t in node.input_tensors):
            return node.layer.name
    return model.name


def _map_graph(inputs, outputs):
    """Nodes by depth and the ordered layers of the graph (as Keras).

    Raises:
        ValueError: "Graph disconnected" when an output needs a tensor that
            is not computed from `inputs`; duplicate layer names.
    """
    finished, in_progress, ordered, first_seen = set(), set(), [], {}

    def visit(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if not node.is_input and any(tensor is t for t in inputs):
            finished.add(id(node))  # a declared input computed elsewhere
            return
        if id(node) in in_progress:
            raise ValueError(
                f"Tensor {tensor} from layer '{layer.name}' is part of a cycle."
            )
        first_seen.setdefault(id(layer), (len(first_seen), layer))
        in_progress.add(id(node))
        if not any(tensor is t for t in inputs):
            for parent in node.input_tensors:
                visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)

    node_depth, layer_depth = {}, {}
    in_graph = {id(n) for n in ordered}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0),
                    layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    nodes = {id(n): n for n in ordered}
    for tensor in inputs:  # unused inputs still belong to the model
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(layer) not in layer_depth and node.is_input:
            layer_depth[id(layer)] = 0
            first_seen[id(layer)] = (-1, layer)
            node_depth[id(node)] = 0
            nodes[id(node)] = node

    nodes_by_depth = collections.defaultdict(list)
    for key, depth in node_depth.items():
        nodes_by_depth[depth].append(nodes[key])
    layers_by_depth = collections.defaultdict(list)
    for key, depth in layer_depth.items():
        layers_by_depth[depth].append(first_seen[key])
    layers = [layer for depth in sorted(layers_by_depth, reverse=True)
              for _, layer in sorted(layers_by_depth[depth], key=lambda p: p[0])]

    computable = {id(t) for t in inputs}
    reached = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for tensor in node.input_tensors:
                if id(tensor) not in computable:
                    raise ValueError(
                        "Graph disconnected: cannot find parent for tensor "
                        f"{tensor} at layer '{node.layer.name}'. The following "
                        f"previous layers were accessed without issue: {reached}"
                    )
            reached.append(node.layer.name)
            computable.update(id(t) for t in node.output_tensors)
    # An InputLayer not among the model's inputs cannot be fed.
    for depth_nodes in nodes_by_depth.values():
        for node in depth_nodes:
            for tensor in node.output_tensors:
                if node.is_input and not any(tensor is t for t in inputs):
                    raise ValueError(
                        "Graph disconnected: cannot find parent for tensor "
                        f"{tensor}: the model's outputs need the input "
                        f"'{node.layer.name}', which is not in `inputs`."
                    )
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the '
                "model. All layer names should be unique."
            )
    return dict(nodes_by_depth), layers
