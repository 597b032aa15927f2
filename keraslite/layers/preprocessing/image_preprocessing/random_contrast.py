"""RandomContrast: scales each image's deviation from its mean while training."""
import numpy as np

from keraslite.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer)


class RandomContrast(BaseImagePreprocessingLayer):
    """Randomly adjusts contrast while training (the identity at inference).

    Each image and channel becomes `(x - mean) * f + mean`, the mean taken
    over the pixels, with `f` drawn per image uniformly in
    `[1 - factor[0], 1 + factor[1]]` (as Keras 3, where a single number
    `factor` gives `(0, factor)`); the result is clipped to `value_range`.

    Args:
        factor: A number or a pair of numbers in [0, 1].
        value_range: `(min, max)` of the images' values.
        seed: Optional integer seed.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range

    def get_random_transformation(self, data, training=True, seed=None):
        """`{"contrast_factor": (n, 1, 1, 1)}` (zeros when not training)."""
        shape = np.shape(data)
        if len(shape) not in (3, 4):
            raise ValueError(
                "Expected the input image to be rank 3 or 4. Received "
                f"inputs.shape={shape}"
            )
        factor_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        if not training:
            return {"contrast_factor": np.zeros(factor_shape, np.float32)}
        return {"contrast_factor": self._uniform(
            seed, 1.0 - self.factor[0], 1.0 + self.factor[1], factor_shape)}

    def _spatial_axes(self):
        return (-2, -1) if self.data_format == "channels_first" else (-3, -2)

    def _transform(self, images, transformation):
        factor = np.asarray(transformation["contrast_factor"], dtype=images.dtype)
        factor = factor.reshape(-1, 1, 1, 1)
        mean = images.mean(axis=self._spatial_axes(), keepdims=True)
        adjusted = (images - mean) * factor + mean
        low, high = self.value_range
        inside = (adjusted >= low) & (adjusted <= high)
        return np.clip(adjusted, low, high).astype(images.dtype), (factor, inside)

    def _transform_backward(self, ctx, dy):
        factor, inside = ctx
        d_adjusted = np.where(inside, dy, 0).astype(dy.dtype)
        # d/dx of (x - mean) f + mean: f, plus (1 - f) / pixels through the mean.
        d_mean = d_adjusted.mean(axis=self._spatial_axes(), keepdims=True)
        return d_adjusted * factor + d_mean * (1 - factor)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
