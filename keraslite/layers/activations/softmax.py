"""Softmax: `exp(x) / sum(exp(x))` along one or more axes."""
import numpy as np

from keraslite.layers.layer import Layer


class Softmax(Layer):
    """Softmax along `axis`; a loss may use its input as logits.

    Args:
        axis: Integer or list of integers (-1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self._keeps_logits = axis == -1

    def _axes(self):
        return tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis

    def forward(self, x, training=False, keep=False):
        axes = self._axes()
        e = np.exp(x - np.max(x, axis=axes, keepdims=True))
        y = (e / np.sum(e, axis=axes, keepdims=True)).astype(x.dtype)
        return y, ((x, y) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        x, y = ctx
        if from_logits:
            return dy, []
        return y * (dy - np.sum(dy * y, axis=self._axes(), keepdims=True)), []

    def _logits_of(self, ctx):
        return ctx[0] if self._keeps_logits else None

    @property
    def activation(self):
        from keraslite import activations

        return activations.softmax

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
