"""Rescaling: `inputs * scale + offset`, e.g. pixels from [0, 255] to [0, 1]."""
import numpy as np

from keraslite import backend
from keraslite.layers.layer import Layer


class Rescaling(Layer):
    """Multiplies inputs by `scale` and adds `offset`.

    Args:
        scale: Float, or a list of floats (one per channel).
        offset: Float, or a list of floats.

    Example:
    >>> Rescaling(1.0 / 255)(np.full((1, 2), 255.0, "float32"))
    array([[1., 1.]], dtype=float32)
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def _scale(self):
        scale = np.asarray(self.scale, dtype=self.dtype)
        if scale.ndim and backend.image_data_format() == "channels_first":
            # As Keras: a per-channel scale meets channels on axis 1.
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        return scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, x, training=False, keep=False):
        return x * self._scale() + np.asarray(self.offset, dtype=self.dtype), True

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        return dy * self._scale(), []

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
