"""RandomTranslation: shifts each image by a random offset while training."""
import numpy as np

from keraslite.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer)


class RandomTranslation(BaseImagePreprocessingLayer):
    """Randomly translates images while training (the identity at inference).

    Args:
        height_factor: A number or pair of numbers in [-1, 1], fractions of
            the height: the vertical shift is drawn per image uniformly in
            `[height_factor[0] * height, height_factor[1] * height]` (a
            number `f` means `(-f, f)`); positive shifts move down.
        width_factor: The same for the horizontal shift (positive: right).
        fill_mode: "reflect", "wrap", "constant" (with `fill_value`) or
            "nearest".
        interpolation: "bilinear" or "nearest".
        seed: Optional integer seed.
        fill_value: The value outside the image with `fill_mode="constant"`.
        data_format: "channels_last" or "channels_first".
    """

    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = (
        "The `factor` argument should be a number (or a list of two numbers) "
        "in the range [-1.0, 1.0]. "
    )

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self._set_factors(height_factor, width_factor)
        self._set_affine_args(fill_mode, interpolation, fill_value)

    # RandomZoom's width_factor may be None (the height's zoom is used).
    _WIDTH_OPTIONAL = False

    def _set_factors(self, height_factor, width_factor):
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._factor_range(
            height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None or not self._WIDTH_OPTIONAL:
            self.width_lower, self.width_upper = self._factor_range(
                width_factor, "width_factor")

    def _out_of_range(self, number):
        return number > 1.0 or number < -1.0

    def _factor_range(self, factor, name):
        """`(lower, upper)` of a factor, with Keras's checks and messages."""
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_VALIDATION_ERROR
                                 + f"Received: {name}={factor}")
            bounds = list(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            bounds = [factor]
        else:
            raise ValueError(self._FACTOR_VALIDATION_ERROR
                             + f"Received: {name}={factor}")
        for number in bounds:
            if self._out_of_range(number):
                raise ValueError(self._FACTOR_VALIDATION_ERROR
                                 + f"Received: input_number={number}")
        if len(bounds) == 1:
            return -abs(factor), abs(factor)
        lower, upper = sorted(bounds)
        return lower, upper

    def get_random_transformation(self, data, training=True, seed=None):
        """`{"translations": (n, 2) pixels as (x, y)}`."""
        if not training:
            return None
        batch_size, height, width = self._batch_and_size(data)
        rng = self._generator(seed)
        dy = self._uniform(rng, self.height_lower, self.height_upper, (batch_size, 1))
        dx = self._uniform(rng, self.width_lower, self.width_upper, (batch_size, 1))
        dy, dx = dy * np.float32(height), dx * np.float32(width)
        return {"translations": np.concatenate([dx, dy], axis=1).astype(np.float32),
                "input_shape": np.shape(data)}

    def _transform(self, images, transformation):
        shift = np.asarray(transformation["translations"], np.float32)
        n = len(shift)
        ones, zeros = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
        matrix = np.concatenate([ones, zeros, -shift[:, 0:1], zeros, ones,
                                 -shift[:, 1:], zeros, zeros], axis=1)
        return self._affine(images, matrix)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._affine_config()}
