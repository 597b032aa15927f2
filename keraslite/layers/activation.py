"""Activation: applies an activation function as a layer of its own."""
import numpy as np

from keraslite import activations
from keraslite.layers.layer import Layer


class Activation(Layer):
    """Applies `activation` to its input.

    Args:
        activation: Activation function name or function.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._act_forward, self._act_backward, _ = (
            activations.kernels(self.activation)
        )

    def forward(self, x, training=False, logits=False):
        """Applies the activation; with `logits=True` passes `x` through
        (the loss then works on the logits, as for Dense)."""
        if logits:
            return x
        y = self._buffer("y", x.shape)
        np.copyto(y, x)  # the input belongs to the previous layer
        if training:
            self._x = x
        y = self._act_forward(y)
        if training:
            self._y = y
        return y

    def backward(self, dy, need_input_grad=True, from_logits=False):
        if from_logits:
            return dy
        return self._act_backward(dy, self._y, self._x)

    def get_config(self):
        return {
            **super().get_config(),
            "activation": activations.serialize(self.activation),
        }
