"""Dropout: zeroes a random fraction of inputs in training, rescales the rest."""
import numpy as np

from keraslite import backend
from keraslite.layers.layer import Layer


class Dropout(Layer):
    """Sets inputs to 0 with probability `rate` during training.

    Kept inputs are scaled by `1 / (1 - rate)` so the expected sum is
    unchanged; at inference the layer is the identity.

    Args:
        rate: Float in [0, 1), fraction of the inputs to drop.
        noise_shape: Shape of the binary mask, broadcast over the input
            (None entries take the input's size).
        seed: Optional integer seed.
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for argument `rate`. Expected a float "
                f"value between 0 and 1. Received: rate={rate}"
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self._rng = backend.make_rng(seed) if seed is not None else None

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        return tuple(
            s if n is None else n for s, n in zip(shape, self.noise_shape)
        )

    def forward(self, x, training=False, keep=False):
        """Drops inputs in training; the identity (no record) otherwise."""
        if not training or self.rate == 0:
            return x, None
        if self.rate == 1:
            mask = np.zeros(x.shape, dtype=x.dtype)
            return mask.copy(), mask
        rng = self._rng or backend.rng()
        shape = self._mask_shape(x.shape)
        mask = self._buffer("keep", shape)
        rng.random(shape, dtype=mask.dtype, out=mask)
        # mask := (u >= rate) / (1 - rate), as tf.nn.dropout does.
        np.greater_equal(mask, self.rate, out=mask, casting="unsafe")
        mask *= 1.0 / (1.0 - self.rate)
        y = self._buffer("y", x.shape)
        return np.multiply(x, mask, out=y), mask

    def backward(self, mask, dy, need_input_grad=True, from_logits=False):
        if dy.shape != np.broadcast_shapes(dy.shape, mask.shape):
            return dy * mask, []
        return np.multiply(dy, mask, out=dy), []

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }
