"""ELU: `x` for `x > 0`, `alpha * (exp(x) - 1)` below."""
import numpy as np

from keraslite.layers.layer import Layer


class ELU(Layer):
    """Exponential linear unit.

    Args:
        alpha: Scale of the negative part (1.0).
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def forward(self, x, training=False, keep=False):
        negative = np.float32(self.alpha) * np.expm1(np.minimum(x, 0))
        y = np.where(x > 0, x, negative).astype(x.dtype)
        return y, ((x, y) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        x, y = ctx
        # For x <= 0: d/dx alpha * (exp(x) - 1) = y + alpha.
        return np.where(x > 0, dy, dy * (y + np.float32(self.alpha))), []

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
