"""SpatialDropout1D/2D: Dropout of whole feature maps (channels)."""
from keraslite.layers.input_spec import RankChecked
from keraslite.layers.regularization.dropout import Dropout
from keraslite.utils.argument_validation import standardize_data_format


class BaseSpatialDropout(RankChecked, Dropout):
    """Dropout whose mask has one entry per sample and channel: in training
    each channel of a sample is zeroed with probability `rate`, the others
    scaled by `1 / (1 - rate)`; at inference the layer is the identity."""

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def get_config(self):
        # As Keras: no `trainable`, dtype as a plain name.
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                "dtype": self.dtype}


class SpatialDropout1D(BaseSpatialDropout):
    """Drops entire 1D feature maps of `(batch, steps, channels)` inputs.

    Args:
        rate: Float between 0 and 1, fraction of the channels to drop.
        seed: Optional integer seed.
    """

    _input_ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.noise_shape = (None, 1, None)


class SpatialDropout2D(BaseSpatialDropout):
    """Drops entire 2D feature maps of 4D inputs.

    Args:
        rate: Float between 0 and 1, fraction of the channels to drop.
        data_format: "channels_last" (`(batch, rows, cols, channels)`) or
            "channels_first" (`(batch, channels, rows, cols)`); defaults to
            `keraslite.config.image_data_format()`.
        seed: Optional integer seed.
    """

    _input_ndim = 4

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(data_format)
        self.noise_shape = (None, None, 1, 1) \
            if self.data_format == "channels_first" else (None, 1, 1, None)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
