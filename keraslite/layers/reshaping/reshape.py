"""Reshape: gives each sample a new shape (one entry may be -1)."""
import numpy as np

from keraslite.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept).

    Args:
        target_shape: Tuple of ints; one entry may be -1 (inferred).
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in "
                f"target_shape. Received: target_shape={target_shape}"
            )
        self.target_shape = target_shape

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        shape = list(self.target_shape)
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1]))
            if any(d is None for d in rest):
                shape[shape.index(-1)] = None
            else:
                total = int(np.prod(rest))
                if known == 0 or total % known:
                    raise ValueError(
                        "The total size of the tensor must be unchanged. "
                        f"Received: input_shape={input_shape}, "
                        f"target_shape={self.target_shape}"
                    )
                shape[shape.index(-1)] = total // known
        elif not any(d is None for d in rest) and \
                int(np.prod(rest)) != int(np.prod(shape)):
            raise ValueError(
                "The total size of the tensor must be unchanged. "
                f"Received: input_shape={input_shape}, "
                f"target_shape={self.target_shape}"
            )
        return (input_shape[0],) + tuple(shape)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def forward(self, x, training=False, keep=False):
        return x.reshape((x.shape[0],) + self.target_shape), x.shape

    def backward(self, shape, dy, need_input_grad=True, from_logits=False):
        return dy.reshape(shape), []

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
