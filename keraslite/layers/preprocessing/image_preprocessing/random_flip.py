"""RandomFlip: flips each image horizontally and/or vertically with
probability 1/2 while training."""
import numpy as np

from keraslite.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer)

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseImagePreprocessingLayer):
    """Randomly flips images while training (the identity at inference).

    Args:
        mode: "horizontal" (left-right), "vertical" (upside down) or
            "horizontal_and_vertical" (an image drawn for flipping is flipped
            both ways, as in Keras).
        seed: Optional integer seed.
        data_format: "channels_last" or "channels_first"; defaults to
            `keraslite.config.image_data_format()`.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            # Keras 3 accepts any mode and then flips nothing.
            raise ValueError(
                f"RandomFlip layer {self.name} received an unknown mode "
                f"argument {mode}. Expected one of '{HORIZONTAL}', "
                f"'{VERTICAL}', '{HORIZONTAL_AND_VERTICAL}'."
            )
        self.mode = mode

    def get_random_transformation(self, data, training=True, seed=None):
        """`{"flips": (n, 1, 1, 1) bools}`: which images flip (u <= 0.5)."""
        if not training:
            return None
        shape = np.shape(data)
        flips_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        uniform = self._generator(seed).random(flips_shape, dtype=np.float32)
        return {"flips": uniform <= 0.5, "input_shape": shape}

    def _axes(self):
        horizontal, vertical = (-1, -2) if self.data_format == "channels_first" \
            else (-2, -3)
        axes = []
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            axes.append(horizontal)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            axes.append(vertical)
        return tuple(axes)

    def _transform(self, images, transformation):
        flips = np.asarray(transformation["flips"]).reshape(-1, 1, 1, 1)
        return np.where(flips, np.flip(images, axis=self._axes()), images), flips

    def _transform_backward(self, flips, dy):
        # A flip is its own inverse (and its own transpose).
        return np.where(flips, np.flip(dy, axis=self._axes()), dy)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}
