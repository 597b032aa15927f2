"""RandomZoom: zooms each image in or out by a random factor while training."""
import numpy as np

from keraslite.layers.preprocessing.image_preprocessing.random_translation import (
    RandomTranslation)
from keraslite.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer)


class RandomZoom(RandomTranslation):
    """Randomly zooms images while training (the identity at inference).

    Args:
        height_factor: A number or pair of numbers in (-1, 1]: the vertical
            zoom is drawn per image uniformly in
            `[1 + height_factor[0], 1 + height_factor[1]]` (a number `f`
            means `(-f, f)`); above 1 zooms out, below 1 zooms in.
        width_factor: The same horizontally; None keeps the aspect ratio
            (the vertical zoom is used).
        fill_mode: "reflect", "wrap", "constant" (with `fill_value`) or
            "nearest".
        interpolation: "bilinear" or "nearest".
        seed: Optional integer seed.
        fill_value: The value outside the image with `fill_mode="constant"`.
        data_format: "channels_last" or "channels_first".
    """

    _FACTOR_VALIDATION_ERROR = (
        "The `height_factor` and `width_factor` arguments "
        "should be a number (or a list of two numbers) "
        "in the range (-1.0, 1.0]. "
    )

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        BaseImagePreprocessingLayer.__init__(self, data_format=data_format,
                                             seed=seed, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._factor_range(
            height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._factor_range(
                width_factor, "width_factor")
        self._check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    def _out_of_range(self, number):
        return number > 1.0 or number <= -1.0

    def get_random_transformation(self, data, training=True, seed=None):
        """`{"height_zoom": (n, 1), "width_zoom": (n, 1)}`."""
        if not training:
            return None
        shape = np.shape(data)
        batch_size = shape[0] if len(shape) == 4 else 1
        rng = self._generator(seed)
        height_zoom = self._uniform(rng, 1.0 + self.height_lower,
                                    1.0 + self.height_upper, batch_size)
        width_zoom = height_zoom if self.width_factor is None else self._uniform(
            rng, 1.0 + self.width_lower, 1.0 + self.width_upper, batch_size)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom,
                "input_shape": shape}

    def _transform(self, images, transformation):
        zx = np.asarray(transformation["width_zoom"], np.float32).reshape(-1, 1)
        zy = np.asarray(transformation["height_zoom"], np.float32).reshape(-1, 1)
        height, width = self._spatial_size(images.shape)
        x_offset = (np.float32(width) - np.float32(1)) / np.float32(2) * (1 - zx)
        y_offset = (np.float32(height) - np.float32(1)) / np.float32(2) * (1 - zy)
        zeros = np.zeros_like(zx)
        matrix = np.concatenate([zx, zeros, x_offset, zeros, zy, y_offset,
                                 zeros, zeros], axis=1)
        return self._affine(images, matrix)
