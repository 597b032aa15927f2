"""The base of the image augmentation layers: random in training only.

As in Keras 3, a layer draws one transformation per image
(`get_random_transformation`) and applies it (`transform_images`) when
training (in `fit`, or `training=True`, or when called directly with no
`training` argument, whose default is True as in Keras); otherwise it is the
identity. Its backward is the exact gradient of the transformation it drew.
"""
import math

import numpy as np

from keraslite import autodiff, backend
from keraslite.layers.layer import Layer
from keraslite.ops import image as image_ops
from keraslite.utils.argument_validation import standardize_data_format


class BaseImagePreprocessingLayer(Layer):
    """Base class of image augmentation layers.

    Subclasses give `get_random_transformation(data, training, seed)`
    (a dict of arrays, with Keras's keys) and `_transform(images,
    transformation)` -> `(outputs, ctx)` with `_transform_backward(ctx, dy)`,
    on batched images `(n, h, w, c)` (or channels first).
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor=None, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.seed = seed
        self._rng = backend.make_rng(seed) if seed is not None else None
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(
                f"Layer {type(self).__name__} does not take "
                f"a `factor` argument. Received: factor={factor}"
            )

    def _set_factor(self, factor):
        low, high = self._FACTOR_BOUNDS
        error_msg = (
            "The `factor` argument should be a number (or a list of two "
            f"numbers) in the range [{low}, {high}]. Received: factor={factor}"
        )
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(error_msg)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if factor < low or factor > high:
                raise ValueError(error_msg)
            factor = abs(factor)
            lower, upper = [max(-factor, low), factor]
        else:
            raise ValueError(error_msg)
        self.factor = lower, upper

    # --- calling ------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        from keraslite.ops.node import KerasTensor, flatten

        inputs = args[0] if args else kwargs.get("inputs")
        if len(args) < 2 and "training" not in kwargs and \
                autodiff.current_depth() == 0 and \
                not any(isinstance(t, KerasTensor) for t in flatten(inputs)):
            kwargs["training"] = True  # Keras's `call(data, training=True)`
        return super().__call__(*args, **kwargs)

    def _check_rank(self, shape):
        if not isinstance(shape, tuple) or len(shape) not in (3, 4):
            raise ValueError(
                "Expected image tensor to have rank 3 (single image) or 4 "
                f"(batch of images). Received: data.shape={shape}"
            )

    def _maybe_build(self, input_shape):
        self._check_rank(tuple(input_shape))
        super()._maybe_build(input_shape)

    def _check_input_shape(self, input_shape):
        self._check_rank(input_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _generator(self, seed=None):
        if isinstance(seed, np.random.Generator):
            return seed
        if seed is not None:
            return backend.make_rng(seed)
        return self._rng or backend.rng()

    def _uniform(self, seed, lower, upper, shape):
        """float32 draws uniform in `[lower, upper)`, as Keras's
        `random.uniform(shape, minval=lower, maxval=upper)`."""
        uniform = self._generator(seed).random(shape, dtype=np.float32)
        return (np.float32(lower) + uniform * np.float32(upper - lower)).astype(
            np.float32)

    def _batch_and_size(self, data):
        """`(batch_size, height, width)` of batched images or a single one."""
        shape = np.shape(data)
        if len(shape) == 3:
            shape = (1,) + shape
        return (shape[0],) + self._spatial_size(shape)

    def _spatial_size(self, shape):
        """`(height, width)` of a batched images shape."""
        return tuple(shape[2:4]) if self.data_format == "channels_first" \
            else tuple(shape[1:3])

    def transform_images(self, images, transformation, training=True):
        """Applies `transformation` to batched `images` when training."""
        images = np.asarray(images, dtype=self.dtype)
        if not training or transformation is None:
            return images
        return self._transform(images, transformation)[0]

    def forward(self, x, training=False, keep=False):
        """The identity (no record) unless training; then a fresh random
        transformation per image, kept for the backward."""
        if not training:
            return x, None
        self._check_rank(x.shape)
        single = x.ndim == 3
        images = x[None] if single else x
        transformation = self.get_random_transformation(images, training=True)
        y, ctx = self._transform(images, transformation)
        return (y[0] if single else y), (ctx, single)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        ctx, single = ctx
        dx = self._transform_backward(ctx, dy[None] if single else dy)
        return (dx[0] if single else dx), []

    # --- affine transforms (RandomRotation, RandomZoom, RandomTranslation) --
    def _set_affine_args(self, fill_mode, interpolation, fill_value):
        if fill_mode not in self._SUPPORTED_FILL_MODE:
            raise NotImplementedError(
                f"Unknown `fill_mode` {fill_mode}. Expected of one "
                f"{self._SUPPORTED_FILL_MODE}."
            )
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError(
                f"Unknown `interpolation` {interpolation}. Expected of one "
                f"{self._SUPPORTED_INTERPOLATION}."
            )
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def _affine(self, images, matrix):
        """`images` warped by the `(n, 8)` matrices, as Keras's
        `ops.image.affine_transform`; returns the output and the plan."""
        channels_first = self.data_format == "channels_first"
        batch = np.moveaxis(images, 1, -1) if channels_first else images
        height, width = batch.shape[1:3]
        plan = image_ops.sampling_plan(matrix, height, width, self.interpolation,
                                       self.fill_mode)
        out = image_ops.sample(np.ascontiguousarray(batch), plan, self.fill_value)
        return (np.moveaxis(out, -1, 1) if channels_first else out), plan

    def _transform_backward(self, plan, dy):
        channels_first = self.data_format == "channels_first"
        dy = np.ascontiguousarray(np.moveaxis(dy, 1, -1) if channels_first else dy)
        dx = image_ops.sample_adjoint(dy, plan)
        return np.moveaxis(dx, -1, 1) if channels_first else dx

    def _compute_affine_matrix(self, center_x, center_y, angle, translate_x,
                               translate_y, scale, shear_x, shear_y, height,
                               width):
        """Keras's `(n, 8)` matrix of a rotation (degrees) about the centre,
        with translation, scale and shear, computed in float32 as Keras."""
        f32 = np.float32
        to_radians = f32(math.pi / 180.0)
        angle = np.asarray(angle, f32) * to_radians
        shear_x = np.tan(np.asarray(shear_x, f32) * to_radians)
        shear_y = np.tan(np.asarray(shear_y, f32) * to_radians)
        scale = np.asarray(scale, f32)
        cx = f32(center_x) * (f32(width) - f32(1))
        cy = f32(center_y) * (f32(height) - f32(1))
        cos, sin = np.cos(angle), np.sin(angle)
        a0 = scale * (cos + shear_x * sin)
        a1 = scale * (-sin + shear_x * cos)
        a2 = np.asarray(translate_x, f32) + cx - cx * a0 - cy * a1
        b0 = scale * (shear_y * cos + sin)
        b1 = scale * (shear_y * -sin + cos)
        b2 = np.asarray(translate_y, f32) + cy - cx * b0 - cy * b1
        zeros = np.zeros_like(a0)
        return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(f32)

    def _affine_config(self):
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value,
                "data_format": self.data_format}

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
