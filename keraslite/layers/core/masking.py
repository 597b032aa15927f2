"""Masking: skips the time steps whose features all equal `mask_value`."""
import numpy as np

from keraslite.layers.layer import Layer


class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps.

    A step (axis 1) whose values all equal `mask_value` is masked: its
    output is zeros and the layers after it that support masking skip it
    (recurrent layers, GlobalAveragePooling1D, the losses and metrics).

    Args:
        mask_value: The value of padded steps (0.0 by default).

    Example:
    >>> x = np.ones((2, 3, 4), "float32"); x[:, 1] = 0.0
    >>> Masking()(x)[0, :, 0]
    array([1., 0., 1.], dtype=float32)
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config", None):
            raise ValueError(
                "keraslite's Masking takes a number as `mask_value`. "
                f"Received: mask_value={mask_value}"
            )
        self.mask_value = mask_value
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return np.any(np.not_equal(inputs, self.mask_value), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def forward(self, x, training=False, keep=False):
        """`where(any(x != mask_value, -1), x, 0)`; the backward lets the
        gradient through the kept steps only."""
        kept = np.any(np.not_equal(x, self.mask_value), axis=-1, keepdims=True)
        y = self._buffer("y", x.shape)
        y[...] = 0.0
        np.copyto(y, x, where=kept)
        return y, (kept if keep else None)

    def backward(self, kept, dy, need_input_grad=True, from_logits=False):
        if not need_input_grad:
            return None, []
        return np.multiply(dy, kept, out=dy), []

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
