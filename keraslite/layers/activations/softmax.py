"""Softmax: `exp(x) / sum(exp(x))` along one or more axes."""
import numpy as np

from keraslite import autodiff
from keraslite.layers.layer import Layer


class Softmax(Layer):
    """Softmax along `axis`; a loss may use its input as logits.

    Args:
        axis: Integer or list of integers (-1).

    Call arguments:
        inputs: The logits.
        mask: Optional, broadcastable to `inputs` (each of its dimensions 1
            or the input's, aligned from the last): as in Keras 3, masked
            positions get the logit -1e9 before the softmax and the output
            0 after it (so a fully masked axis gives zeros). The input's
            mask is passed on.
    """

    supports_masking = True  # the output mask is the input's (as Keras)
    _forward_takes_mask = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self._keeps_logits = axis == -1

    def _axes(self):
        return tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis

    def forward(self, x, training=False, keep=False, mask=None):
        axes = self._axes()
        if mask is not None:
            mask = _check_mask(mask, x.shape)
            x = np.where(mask, x, x.dtype.type(-1e9))
        e = np.exp(x - np.max(x, axis=axes, keepdims=True))
        y = (e / np.sum(e, axis=axes, keepdims=True)).astype(x.dtype)
        if mask is not None:
            y = np.where(mask, y, x.dtype.type(0))
        return y, ((x, y, mask is not None) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """`y * (dy - sum(dy * y))`; with a mask `y` is the masked output,
        zero at masked positions, which is then also their gradient."""
        x, y, _ = ctx
        if from_logits:
            return dy, []
        return y * (dy - np.sum(dy * y, axis=self._axes(), keepdims=True)), []

    def _logits_of(self, ctx):
        # A masked output is not a softmax of logits a loss could use.
        return ctx[0] if self._keeps_logits and not ctx[2] else None

    @property
    def activation(self):
        from keraslite import activations

        return activations.softmax

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _check_mask(mask, input_shape):
    """The mask as booleans (`> 0.5` unless bool, as Keras) after Keras's
    broadcasting checks."""
    mask = np.asarray(mask)
    if mask.ndim > len(input_shape):
        raise ValueError(
            "The `mask` must be broadcastable to `inputs` and must not have "
            f"more dimensions. Received: inputs.shape={tuple(input_shape)}, "
            f"mask.shape={mask.shape}")
    for m_dim, i_dim in zip(mask.shape[::-1], input_shape[::-1]):
        if m_dim != 1 and m_dim != i_dim:
            raise ValueError(
                "The `mask` must be broadcastable to `inputs`. Each mask "
                "dimension must be 1 or match the corresponding input "
                f"dimension. Received: inputs.shape={tuple(input_shape)}, "
                f"mask.shape={mask.shape}")
    return mask if mask.dtype == bool else mask > 0.5
