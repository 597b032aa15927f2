"""RandomRotation: rotates each image by a random angle while training."""
import numpy as np

from keraslite.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer)


class RandomRotation(BaseImagePreprocessingLayer):
    """Randomly rotates images about their centre while training (the
    identity at inference).

    Args:
        factor: A number or pair of numbers in [-1, 1], as fractions of 2*pi:
            the angle is drawn per image uniformly in
            `[factor[0] * 360, factor[1] * 360]` degrees (a number `f` means
            `(-f, f)`); positive angles turn counter clockwise.
        fill_mode: How points outside the input are filled: "reflect",
            "wrap", "constant" (with `fill_value`) or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: Optional integer seed.
        fill_value: The value outside the image with `fill_mode="constant"`.
        data_format: "channels_last" or "channels_first".
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, seed=seed, **kwargs)
        self._set_affine_args(fill_mode, interpolation, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        """`{"angle": (n,) degrees, "rotation_matrix": (n, 8), ...}`."""
        if not training:
            return None
        batch_size, height, width = self._batch_and_size(data)
        angle = self._uniform(seed, self.factor[0] * 360.0, self.factor[1] * 360.0,
                              (batch_size,))
        zeros = np.zeros(batch_size, np.float32)
        matrix = self._compute_affine_matrix(0.5, 0.5, angle, zeros, zeros,
                                             np.ones(batch_size, np.float32),
                                             zeros, zeros, height, width)
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height,
                "image_width": width, "batch_size": batch_size}

    def _transform(self, images, transformation):
        matrix = np.asarray(transformation["rotation_matrix"], np.float32).reshape(-1, 8)
        return self._affine(images, matrix)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, **self._affine_config()}
