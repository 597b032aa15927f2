"""LayerNormalization: normalizes each sample over its feature axes."""
import warnings

import numpy as np

from keraslite import constraints, initializers, regularizers
from keraslite.layers.layer import Layer
from keraslite.layers.normalization.batch_normalization import check_axis


class LayerNormalization(Layer):
    """Normalizes each sample over `axis`: `gamma * (x - mean) / sqrt(var +
    epsilon) + beta`, with `gamma` and `beta` spanning `axis`.

    Args:
        axis: Int or list of ints, the axes to normalize over (-1).
        epsilon: Added to the variance (1e-3).
        center, scale: Whether to add `beta` and multiply by `gamma`.
        beta_initializer, gamma_initializer: "zeros" and "ones".
        beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: Optional.
        rms_scaling: Deprecated in Keras 3 (warns, as Keras): no centering
            and no `beta`, `x * gamma / sqrt(var + epsilon)`.

    Example:
    >>> layer = LayerNormalization(axis=[1, 2])
    >>> layer(np.ones((2, 3, 4), "float32")).shape
    (2, 3, 4)
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This "
                "argument incorrectly scales the input by the variance, not "
                "the root mean square. To correctly use RMS Normalization, "
                "please use `keras.layers.RMSNormalization` instead.")
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the "
                            f"argument 'axis', but received: {axis!r}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def build(self, input_shape):
        check_axis(self, self.axis, input_shape)
        # As Keras: the axis becomes a sorted list once built.
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        shape = tuple(input_shape[a] for a in self.axis)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self._rank = len(input_shape)
        self.built = True

    def _check_input_shape(self, input_shape):
        if isinstance(input_shape, tuple):
            check_axis(self, self.axis, input_shape)

    def compute_output_shape(self, input_shape):
        check_axis(self, self.axis, input_shape)
        return tuple(input_shape)

    def _axes(self, shape):
        """The normalized axes (positive), the other axes, and the shape that
        `gamma` and `beta` are reshaped to (as Keras: the input's sizes on the
        normalized axes, 1 elsewhere)."""
        ndim = len(shape)
        axes = tuple(sorted(a % ndim for a in self.axis))
        param_shape = tuple(shape[a] if a in axes else 1 for a in range(ndim))
        return axes, tuple(a for a in range(ndim) if a not in axes), param_shape

    def forward(self, x, training=False, keep=False):
        axes, _, param_shape = self._axes(x.shape)
        dtype = x.dtype.type
        mean = np.mean(x, axis=axes, keepdims=True)
        centred = np.subtract(x, mean, out=self._buffer("centred", x.shape))
        variance = np.mean(np.square(centred), axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(variance + dtype(self.epsilon))
        gamma = None if self.gamma is None else self.gamma.value.reshape(param_shape)
        if self.rms_scaling:  # as Keras: x (not x - mean) over sqrt(var + eps)
            y = np.multiply(x, rstd, out=self._buffer("y", x.shape))
            if gamma is not None:
                y *= gamma
        else:
            # As Keras's ops.layer_normalization: x * inv + (beta - mean * inv).
            inv = rstd if gamma is None else rstd * gamma
            y = np.multiply(x, inv, out=self._buffer("y", x.shape))
            shift = -mean * inv
            if self.beta is not None:
                shift = shift + self.beta.value.reshape(param_shape)
            y += shift
        return y, ((x, centred, rstd, self._slot) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """With `xhat = (x - mean) * rstd` and `g = dy * gamma`:
        `dx = rstd * (g - mean(g) - xhat * mean(g * xhat))` (rms_scaling:
        `y = x * rstd * gamma`, so `dx = rstd * g - x_c * rstd**3 * mean(g * x)`)."""
        x, centred, rstd, slot = ctx
        axes, others, param_shape = self._axes(x.shape)
        gamma = None if self.gamma is None else self.gamma.value.reshape(param_shape)
        base = x if self.rms_scaling else centred
        normalized = np.multiply(base, rstd, out=self._buffer("xhat", x.shape, slot))
        grads = []
        if self.gamma is not None:
            grads.append(np.sum(dy * normalized, axis=others).reshape(self.gamma.shape))
        if self.beta is not None:
            grads.append(np.sum(dy, axis=others).reshape(self.beta.shape))
        if not need_input_grad:
            return None, grads
        g = dy if gamma is None else np.multiply(dy, gamma,
                                                 out=self._buffer("g", x.shape, slot))
        if self.rms_scaling:
            correction = np.mean(g * x, axis=axes, keepdims=True) * rstd ** 3
            dx = np.multiply(g, rstd, out=self._buffer("dx", x.shape, slot))
            dx -= centred * correction
            return dx, grads
        xhat = normalized
        dx = np.subtract(g, np.mean(g, axis=axes, keepdims=True),
                         out=self._buffer("dx", x.shape, slot))
        xhat *= np.mean(g * xhat, axis=axes, keepdims=True)
        dx -= xhat
        dx *= rstd
        return dx, grads

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
