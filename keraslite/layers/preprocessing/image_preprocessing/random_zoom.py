"""RandomZoom: zooms each image in or out by a random factor while training."""
import numpy as np

from keraslite.layers.preprocessing.image_preprocessing.random_translation import (
    RandomTranslation)


class RandomZoom(RandomTranslation):
    """Randomly zooms images while training (the identity at inference).

    (It shares RandomTranslation's arguments and their checks; only the
    drawn parameters and the matrix differ.)

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
    _WIDTH_OPTIONAL = True

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(height_factor, width_factor, fill_mode=fill_mode,
                         interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)

    def _out_of_range(self, number):
        return number > 1.0 or number <= -1.0

    def get_random_transformation(self, data, training=True, seed=None):
        """`{"height_zoom": (n, 1), "width_zoom": (n, 1)}`."""
        if not training:
            return None
        batch_size = self._batch_and_size(data)[0]
        rng = self._generator(seed)
        height_zoom = self._uniform(rng, 1.0 + self.height_lower,
                                    1.0 + self.height_upper, (batch_size, 1))
        width_zoom = height_zoom if self.width_factor is None else self._uniform(
            rng, 1.0 + self.width_lower, 1.0 + self.width_upper, (batch_size, 1))
        return {"height_zoom": height_zoom, "width_zoom": width_zoom,
                "input_shape": np.shape(data)}

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
