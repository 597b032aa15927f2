"""Dot: the dot product of two inputs along given axes, sample by sample."""
from keraslite import ops
from keraslite.layers.layer import Layer


class Dot(Layer):
    """`batch_dot(x1, x2, axes)`, optionally of L2-normalised inputs.

    Written with `keraslite.ops`, so its gradient comes from the tape.

    Args:
        axes: An int or a pair of ints: the axis of each input to reduce.
        normalize: L2-normalise both inputs along `axes` first, so the
            result is the cosine similarity.
    """

    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None  # as Keras: the output has no mask

    def _may_make_mask(self):
        return False


    _protect_inputs = False

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be a list or "
                    f"an int. Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two "
                    f"elements. Received: axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should "
                    f"be integers. Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize

    def _axes(self, shape1, shape2):
        if isinstance(self.axes, int):
            axes = [self.axes % len(shape1), self.axes % len(shape2)]
        else:
            axes = [self.axes[0] % len(shape1), self.axes[1] % len(shape2)]
        return axes

    def build(self, input_shape):
        if not isinstance(input_shape[0], (tuple, list)) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = input_shape
        if len(shape1) not in (2, 3) or len(shape2) not in (2, 3):
            raise ValueError(
                "keraslite's `Dot` layer takes inputs of rank 2 or 3. "
                f"Received: input_shape={input_shape}"
            )
        a1, a2 = self._axes(shape1, shape2)
        if shape1[a1] is not None and shape2[a2] is not None and \
                shape1[a1] != shape2[a2]:
            raise ValueError(
                "Incompatible input shapes: "
                f"axis values {shape1[a1]} (at axis {a1}) != "
                f"{shape2[a2]} (at axis {a2}). Full input shapes: {shape1}, {shape2}"
            )
        self.built = True

    def compute_output_shape(self, input_shape):
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._axes(shape1, shape2)
        shape1.pop(a1)
        shape2.pop(a2)
        shape2.pop(0)
        out = shape1 + shape2
        if len(out) == 1:
            out += [1]
        return tuple(out)

    def call(self, inputs, training=False):
        if len(inputs) != 2:
            raise ValueError(
                "A `Dot` layer should be called on exactly 2 inputs. "
                f"Received: inputs={inputs}"
            )
        x1, x2 = inputs
        a1, a2 = self._axes(x1.shape, x2.shape)
        if self.normalize:
            x1 = _l2_normalize(x1, a1)
            x2 = _l2_normalize(x2, a2)
        # Contract axis a1 of x1 with axis a2 of x2, sample by sample.
        x1 = ops.transpose(x1, _move_last(len(x1.shape), a1))
        x2 = ops.transpose(x2, _move_second(len(x2.shape), a2))
        if len(x1.shape) == 2 and len(x2.shape) == 2:
            return ops.sum(x1 * x2, axis=1, keepdims=True)
        if len(x1.shape) == 2:
            x1 = ops.expand_dims(x1, 1)
            return ops.squeeze(ops.matmul(x1, x2), 1)
        if len(x2.shape) == 2:
            x2 = ops.expand_dims(x2, 2)
            return ops.squeeze(ops.matmul(x1, x2), 2)
        return ops.matmul(x1, x2)

    def get_config(self):
        return {**super().get_config(), "axes": self.axes,
                "normalize": self.normalize}


def _move_last(rank, axis):
    return [i for i in range(rank) if i != axis] + [axis]


def _move_second(rank, axis):
    return [0, axis] + [i for i in range(1, rank) if i != axis]


def _l2_normalize(x, axis):
    # As keras.ops.normalize(order=2): x / sqrt(max(sum(x^2), 1e-12)).
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x / ops.sqrt(ops.maximum(square_sum, 1e-12))
