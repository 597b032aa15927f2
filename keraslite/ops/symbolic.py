"""`keraslite.ops` on KerasTensors: each call becomes a node of the graph.

`x = ops.relu(h) + 1.0` while building a functional model wraps the op in
an `OpLayer` (no weights), called on the KerasTensors among its arguments;
running the model calls the op on their values, so it is recorded on the
tape with its gradient like any other op.
"""
from keraslite.layers.layer import Layer
from keraslite.ops.node import KerasTensor
from keraslite.utils.naming import unique_name


class OpLayer(Layer):
    """One call of a `keraslite.ops` function inside a functional graph."""

    _cast_inputs = False
    _protect_inputs = False

    def __init__(self, fn, args, kwargs):
        super().__init__(name=unique_name(fn.__name__))
        self.fn = fn
        self.template = (args, kwargs)

    def call(self, inputs):
        values = iter(inputs)
        args, kwargs = self.template
        return self.fn(*[_fill(a, values) for a in args], **kwargs)

    def compute_output_shape(self, input_shape):
        return self._infer_output_shape(input_shape)

    def get_config(self):
        raise ValueError(
            f"The functional model calls `keraslite.ops.{self.fn.__name__}` on "
            "symbolic tensors; such models cannot be saved to a file yet. Use "
            "a layer instead (e.g. `layers.Add`, `layers.Activation`, a "
            "`Lambda`, or a registered custom layer)."
        )


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
