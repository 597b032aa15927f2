"""Add, Subtract, Multiply, Average, Maximum, Minimum: elementwise merges."""
import numpy as np

from keraslite.layers.merging.base_merge import Merge


class Add(Merge):
    """Sum of a list of inputs of the same shape: `x1 + x2 + ...`."""

    def _merge(self, inputs):
        out = inputs[0] + inputs[1] if len(inputs) > 1 else inputs[0].copy()
        for x in inputs[2:]:
            out = out + x
        return out

    def _merge_backward(self, inputs, out, dy):
        return [dy.copy() for _ in inputs]


class Subtract(Merge):
    """`x1 - x2` of exactly two inputs."""

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 \
                or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        super().build(input_shape)

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: inputs={inputs}"
            )
        return inputs[0] - inputs[1]

    def _merge_backward(self, inputs, out, dy):
        return [dy.copy(), -dy]


class Multiply(Merge):
    """Elementwise product of a list of inputs.

    With masks (as Keras 3), a masked entry counts as 1 in the product; when
    every input has a mask, entries masked in all of them give 0.
    """

    _forward_takes_mask = True

    def _merge(self, inputs):
        out = inputs[0].copy()
        for x in inputs[1:]:
            out = out * x
        return out

    def _merge_backward(self, inputs, out, dy):
        grads = []
        for i in range(len(inputs)):
            g = dy
            for j, x in enumerate(inputs):
                if j != i:
                    g = g * x
            grads.append(np.array(g))
        return grads


    def _merge_masked(self, inputs, masks):
        factors = [x if m is None else np.where(m, x, x.dtype.type(1))
                   for x, m in zip(inputs, masks)]
        out = self._merge(factors)
        any_kept = None
        if all(m is not None for m in masks):
            any_kept = np.logical_or.reduce(np.broadcast_arrays(*masks))
            out = np.where(any_kept, out, out.dtype.type(0))
        return out, (factors, masks, any_kept)

    def _merge_masked_backward(self, inputs, routes, dy):
        factors, masks, any_kept = routes
        if any_kept is not None:
            dy = np.where(any_kept, dy, dy.dtype.type(0))
        grads = self._merge_backward(factors, None, dy)
        return [g if m is None else np.where(m, g, g.dtype.type(0))
                for g, m in zip(grads, masks)]


class Average(Merge):
    """Elementwise mean of a list of inputs."""

    def _merge(self, inputs):
        return Add._merge(self, inputs) / np.float32(len(inputs))

    def _merge_backward(self, inputs, out, dy):
        scale = np.float32(1.0 / len(inputs))
        return [dy * scale for _ in inputs]


class Maximum(Merge):
    """Elementwise maximum; a tie sends the gradient to the first input (as
    TensorFlow's `maximum`, applied pairwise from the left).

    With masks (as Keras 3's `_apply_merge_op_and_or_mask`), applied from
    the left: a masked entry of an input is replaced by the running result
    (and a masked running result by the input), so masked values do not
    take part where another input is kept.
    """

    _pick = staticmethod(np.greater_equal)
    _combine = staticmethod(np.maximum)
    _forward_takes_mask = True

    def _merge_masked(self, inputs, masks):
        """The output and, per entry, the index of the input it came from
        (where TensorFlow's gradient of the where/maximum chain goes)."""
        out, out_mask = inputs[0], masks[0]
        source = np.zeros(out.shape, dtype=np.int64)
        for i, (x, m) in enumerate(zip(inputs[1:], masks[1:]), start=1):
            x_source = np.full(x.shape, i, dtype=np.int64)
            if m is not None:
                x, x_source = np.where(m, x, out), np.where(m, x_source, source)
            if out_mask is not None:
                out, source = np.where(out_mask, out, x), np.where(out_mask, source, x_source)
            out_mask = None if m is None or out_mask is None else out_mask | m
            left = self._pick(out, x)
            out, source = self._combine(out, x), np.where(left, source, x_source)
        return out, source

    def _merge_masked_backward(self, inputs, source, dy):
        zero = dy.dtype.type(0)
        return [np.where(source == i, dy, zero) for i in range(len(inputs))]

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = self._combine(out, x)
        return out

    def _merge_backward(self, inputs, out, dy):
        # Walk the pairwise reduction backwards: out_k = op(out_{k-1}, x_k).
        partial = [inputs[0]]
        for x in inputs[1:-1]:
            partial.append(self._combine(partial[-1], x))
        grads = [None] * len(inputs)
        g = dy
        for k in range(len(inputs) - 1, 0, -1):
            left = self._pick(partial[k - 1], inputs[k])
            grads[k] = np.where(left, 0, g).astype(dy.dtype)
            g = np.where(left, g, 0).astype(dy.dtype)
        grads[0] = g
        return grads


class Minimum(Maximum):
    """Elementwise minimum; a tie sends the gradient to the first input."""

    _pick = staticmethod(np.less_equal)
    _combine = staticmethod(np.minimum)
