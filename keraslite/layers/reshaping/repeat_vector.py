"""RepeatVector: repeats a vector `n` times, `(batch, d) -> (batch, n, d)`."""
import numpy as np

from keraslite.layers.layer import Layer


class RepeatVector(Layer):
    """Repeats the input `n` times along a new axis 1.

    Args:
        n: Number of repetitions (a positive int).
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(
                f"Expected an integer value for `n`, got {type(n)}."
            )
        self.n = n

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"Input of layer '{self.name}' should have rank 2 "
                f"(batch, features). Received: input_shape={input_shape}"
            )
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def forward(self, x, training=False, keep=False):
        return np.repeat(x[:, None, :], self.n, axis=1), True

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        return dy.sum(axis=1), []

    def get_config(self):
        return {**super().get_config(), "n": self.n}
