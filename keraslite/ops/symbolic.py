"""`keraslite.ops` on KerasTensors: each call becomes a node of the graph.

`x = ops.relu(h) + 1.0` while building a functional model wraps the op in
an `OpLayer` (no weights), called on the KerasTensors among its arguments;
running the model calls the op on their values, so it is recorded on the
tape with its gradient like any other op.

In files the op is written as Keras 3 writes its `Operation`: module
`keras.src.ops.<numpy|nn|core>`, class `Relu`, `GetItem`, ... (the op's
name in CamelCase), its non-tensor arguments in the config and the tensor
arguments (with constants such as the `1.0` of `x + 1.0`) in the node.
"""
import functools
import inspect

from keraslite.layers.layer import Layer
from keraslite.ops.node import KerasTensor
from keraslite.utils.naming import unique_name


class OpLayer(Layer):
    """One call of a `keraslite.ops` function inside a functional graph."""

    _cast_inputs = False
    _protect_inputs = False

    def __init__(self, fn, args, kwargs, name=None):
        super().__init__(name=name or unique_name(fn.__name__))
        self.fn = fn
        self.template = (args, kwargs)

    def call(self, inputs):
        values = iter(inputs)
        args, kwargs = self.template
        return self.fn(*[_fill(a, values) for a in args], **kwargs)

    def compute_output_shape(self, input_shape):
        return self._infer_output_shape(input_shape)

    def get_config(self):
        return self.keras_entry()[0]["config"]

    def keras_entry(self):
        """`(entry, call_args)`: the Keras 3 config entry of this op (without
        `name`/`inbound_nodes`) and the arguments of its one node."""
        args, kwargs = self.template
        bound = inspect.signature(self.fn).bind(*args, **kwargs)
        bound.apply_defaults()
        call_args = [v for k, v in bound.arguments.items() if k in _CALL_PARAMETERS]
        config = {"name": self.name}
        config.update((k, v) for k, v in bound.arguments.items()
                      if k not in _CALL_PARAMETERS)
        class_name = keras_class_name(self.fn.__name__)
        return {"module": "keras.src.ops." + self.fn.__module__.rsplit(".", 1)[-1],
                "class_name": class_name, "config": config,
                "registered_name": class_name}, call_args


# The parameters of `keras.ops` functions that Keras's Operation classes
# take in `call` (tensors and indexing keys); all others are constructor
# arguments, stored in the config.
_CALL_PARAMETERS = ("x", "x1", "x2", "xs", "condition", "key", "variable")


def keras_class_name(op_name):
    """The Keras Operation class of an op: `log_softmax` -> `LogSoftmax`."""
    return "".join(part.capitalize() for part in op_name.split("_"))


@functools.cache
def op_classes():
    """`{Keras Operation class name: keraslite op function}` for every op
    that can appear in a functional model's file (built once; read-only)."""
    from keraslite.ops import core, nn, numpy

    return {keras_class_name(name): getattr(module, name)
            for module in (core, nn, numpy) for name in module.__all__
            if name not in ("shape", "convert_to_numpy", "ones", "zeros")}


def op_from_config(entry):
    """A callable that rebuilds an op's node from its file entry:
    `build(call_args) -> outputs`."""
    fn = op_classes()[entry["class_name"]]
    config = dict(entry.get("config") or {})
    name = config.pop("name", None)
    parameters = inspect.signature(fn).parameters
    unknown = set(config) - set(parameters)
    if unknown:
        raise ValueError(f"Unknown arguments {sorted(unknown)} for op "
                         f"{entry['class_name']}.")

    def build(call_args):
        if fn.__name__ == "get_item" and isinstance(call_args[-1], list):
            call_args = call_args[:-1] + [tuple(call_args[-1])]  # as Keras's GetItem
        # The call parameters lead every op's signature.
        return OpLayer(fn, tuple(call_args), config, name=name)(_tensors(call_args))

    return build


def _fill(arg, values):
    if isinstance(arg, KerasTensor):
        return next(values)
    if isinstance(arg, (list, tuple)):
        return type(arg)(_fill(a, values) for a in arg)
    return arg


def _tensors(args):
    out = []
    for arg in args:
        if isinstance(arg, KerasTensor):
            out.append(arg)
        elif isinstance(arg, (list, tuple)):
            out.extend(_tensors(arg))
    return out


def call_symbolic(fn, args, kwargs):
    """The KerasTensor(s) of `fn(*args, **kwargs)`, as one new graph node."""
    return OpLayer(fn, args, kwargs)(_tensors(args))
