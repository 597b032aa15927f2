"""The shared part of the elementwise merge layers (Add, Multiply, ...).

Each merge layer gives its forward (`_merge(values)`) beside its backward
(`_merge_backward(values, output, dy)`, one gradient per input); inputs
broadcast as NumPy arrays do, and each gradient is summed back over the
axes its input was broadcast along.
"""
import numpy as np

from keraslite.autodiff import value_of
from keraslite.layers.layer import Layer
from keraslite.ops.graph import unbroadcast


class Merge(Layer):
    """Base class of the elementwise merge layers."""

    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """As Keras: the OR of the inputs' masks, None unless all have one."""
        if mask is None or any(m is None for m in mask):
            return None
        out = np.asarray(mask[0], dtype=bool)
        for m in mask[1:]:
            out = np.logical_or(out, m)
        return out

    def _may_make_mask(self):
        return False  # it only combines the masks it receives

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def _check_shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        batch = {s[0] for s in input_shape} - {None}
        if len(batch) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. "
                f"Received tensors with shapes {input_shape}"
            )
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0][1:])
        for other in input_shape[1:]:
            shape = _broadcast_shape(shape, tuple(other[1:]))
        batch = {s[0] for s in input_shape} - {None}
        return ((batch.pop() if len(batch) == 1 else None),) + shape

    def forward(self, inputs, training=False, keep=False, mask=None):
        if not isinstance(inputs, list):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: inputs={inputs} (not a list of tensors)"
            )
        if mask is not None and any(m is not None for m in mask):
            # Layers whose values depend on the masks (Multiply, Maximum,
            # Minimum: `_forward_takes_mask`), as Keras's `_merge_function`.
            masks = [None if m is None else np.broadcast_to(
                np.expand_dims(np.asarray(value_of(m), dtype=bool), -1), x.shape)
                for x, m in zip(inputs, mask)]
            out, routes = self._merge_masked(inputs, masks)
            return out, ((inputs, out, routes) if keep else None)
        out = self._merge(inputs)
        return out, ((inputs, out, None) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        inputs, out, routes = ctx
        if routes is None:
            grads = self._merge_backward(inputs, out, dy)
        else:
            grads = self._merge_masked_backward(inputs, routes, dy)
        return [unbroadcast(g, x.shape) for g, x in zip(grads, inputs)], []


def _broadcast_shape(a, b):
    """Keras's broadcast of two shapes without their batch axis."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(
                "Inputs have incompatible shapes. "
                f"Received shapes {a} and {b}"
            )
    return tuple(out)
