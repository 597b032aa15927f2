"""Activation: applies an activation function as a layer of its own."""
import numpy as np

from keraslite import activations
from keraslite.layers.layer import Layer


class Activation(Layer):
    """Applies `activation` to its input.

    Args:
        activation: Activation function name or function.
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._act_forward, self._act_backward, _ = (
            activations.kernels(self.activation)
        )
        self._keeps_logits = activations._has_logits(self.activation)

    def forward(self, x, training=False, keep=False):
        """Applies the activation; with `keep`, keeps input and output."""
        y = self._buffer("y", x.shape)
        np.copyto(y, x)  # the input belongs to the previous layer
        y = self._act_forward(y)
        return y, ((x, y) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        x, y = ctx
        if from_logits:
            return dy, []
        return self._act_backward(dy, y, x), []

    def _logits_of(self, ctx):
        return ctx[0] if self._keeps_logits else None

    def get_config(self):
        return {
            **super().get_config(),
            "activation": activations.serialize(self.activation),
        }
