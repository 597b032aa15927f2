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
    """Elementwise product of a list of inputs."""

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


class Average(Merge):
    """Elementwise mean of a list of inputs."""

    def _merge(self, inputs):
        return Add._merge(self, inputs) / np.float32(len(inputs))

    def _merge_backward(self, inputs, out, dy):
        scale = np.float32(1.0 / len(inputs))
        return [dy * scale for _ in inputs]


class Maximum(Merge):
    """Elementwise maximum; a tie sends the gradient to the first input (as
    TensorFlow's `maximum`, applied pairwise from the left)."""

    _pick = staticmethod(np.greater_equal)
    _combine = staticmethod(np.maximum)

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
