"""Permute: reorders the axes of each sample."""
import numpy as np

from keraslite.layers.layer import Layer


class Permute(Layer):
    """Permutes the non-batch axes: `dims` is 1-based, e.g. `(2, 1)`.

    Args:
        dims: Tuple of ints, a permutation of `1..rank`.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The "
                "set of indices in `dims` must be consecutive and start from "
                f"1. Received dims={dims}"
            )

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def forward(self, x, training=False, keep=False):
        return np.transpose(x, (0,) + self.dims), True

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        inverse = np.argsort((0,) + self.dims)
        return np.transpose(dy, inverse), []

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
