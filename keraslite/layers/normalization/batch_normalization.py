"""BatchNormalization: normalizes each channel by batch (training) or moving
(inference) statistics."""
import numpy as np

from keraslite import constraints, initializers, regularizers
from keraslite.layers.input_spec import check_axes, check_ndim
from keraslite.layers.layer import Layer


def check_axis(layer, axis, input_shape):
    """Raises ValueError (naming the layer) unless `axis` indexes `input_shape`."""
    rank = len(input_shape)
    for a in (axis if isinstance(axis, (list, tuple)) else [axis]):
        if a >= rank or a < -rank:
            raise ValueError(
                f"Layer '{layer.name}': Axis {a} is out of bounds for input shape "
                f"{tuple(input_shape)}. Received: axis={axis}")


def channel_sum(a, axes):
    """Per-channel sums of `a` over `axes`, accumulated in float64.

    NOTE: a float32 running sum over a 128x26x26 batch loses ~1e-5 of the
    mean; TensorFlow's tree reductions do not. Only the (C,) result is kept,
    cast back to float32.
    """
    return np.add.reduce(a, axis=axes, dtype=np.float64).astype(a.dtype)


class BatchNormalization(Layer):
    """Normalizes its inputs per channel: `gamma * (x - mean) / sqrt(var +
    epsilon) + beta`.

    In training (`fit`, or `training=True`) the mean and variance are the
    batch's, and the moving statistics are updated as in Keras:
    `moving_mean = moving_mean * momentum + mean * (1 - momentum)` (the same
    for `moving_variance`). In inference (`predict`, `evaluate`, a plain
    call) the moving statistics are used. A layer with `trainable=False` runs
    in inference mode and its statistics stay fixed, as in Keras 3.

    Args:
        axis: The channel axis (-1; 1 after a channels_first convolution).
        momentum: Momentum of the moving averages (0.99).
        epsilon: Added to the variance (1e-3).
        center, scale: Whether to add `beta` and multiply by `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: Initializers ("zeros", "ones", "zeros",
            "ones").
        beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: Optional.

    Weights, in order: gamma, beta (trainable), moving_mean,
    moving_variance (non-trainable).
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                 scale=True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        if renorm:
            raise ValueError("keraslite's BatchNormalization does not support "
                             "`renorm`. Received: renorm=True")
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported with "
                             "the TensorFlow backend.")
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        check_axis(self, self.axis, input_shape)
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': axis {self.axis} of the input shape must "
                f"be defined. Received: input_shape={tuple(input_shape)}")
        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape, name="gamma", initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(
                shape=shape, name="beta", initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(
            shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
            trainable=False)
        self.moving_variance = self.add_weight(
            shape=shape, name="moving_variance",
            initializer=self.moving_variance_initializer, trainable=False)
        self._rank = len(input_shape)
        self.built = True

    def _check_input_shape(self, input_shape):
        if self.moving_mean is None:
            return
        check_ndim(self, input_shape, self._rank)
        check_axes(self, input_shape, {self.axis: self.moving_mean.shape[0]})

    def compute_output_shape(self, input_shape):
        check_axis(self, self.axis, input_shape)
        return tuple(input_shape)

    def _layout(self, x):
        """`x` with the channel axis last as a 2-D (rows, C) view when it is
        already last, the reduction axes, and the shape statistics broadcast to."""
        axis = self.axis % x.ndim
        if axis == x.ndim - 1:
            return x.reshape(-1, x.shape[-1]), (0,), (x.shape[-1],)
        axes = tuple(a for a in range(x.ndim) if a != axis)
        return x, axes, tuple(x.shape[a] if a == axis else 1 for a in range(x.ndim))

    def forward(self, x, training=False, keep=False):
        shape = x.shape
        x2, axes, stat_shape = self._layout(x)
        dtype = x.dtype.type
        if training and self.trainable:
            count = dtype(x.size // self.moving_mean.shape[0])
            mean = channel_sum(x2, axes) / count
            diff = np.subtract(x2, mean.reshape(stat_shape),
                               out=self._buffer("diff", x2.shape))
            np.multiply(diff, diff, out=diff)
            variance = channel_sum(diff, axes) / count
            momentum = dtype(self.momentum)
            rest = dtype(1.0 - self.momentum)
            self.moving_mean.value[...] = self.moving_mean.value * momentum + mean * rest
            self.moving_variance.value[...] = (self.moving_variance.value * momentum
                                               + variance * rest)
            batch_stats = True
        else:
            mean, variance = self.moving_mean.value, self.moving_variance.value
            batch_stats = False
        # As tf.nn.batch_normalization: x * inv + (beta - mean * inv).
        inv = 1.0 / np.sqrt(variance + dtype(self.epsilon))
        scaled = inv * self.gamma.value if self.scale else inv
        shift = -mean * scaled
        if self.center:
            shift = shift + self.beta.value
        y = np.multiply(x2, scaled.reshape(stat_shape), out=self._buffer("y", x2.shape))
        y += shift.reshape(stat_shape)
        ctx = (x2, shape, axes, stat_shape, mean, inv, batch_stats, self._slot) \
            if keep else None
        return y.reshape(shape), ctx

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Gradients through the batch statistics in training, through a
        fixed affine map in inference."""
        x2, shape, axes, stat_shape, mean, inv, batch_stats, slot = ctx
        dy = dy.reshape(x2.shape)
        # xhat = (x - mean) / sqrt(var + epsilon)
        xhat = np.subtract(x2, mean.reshape(stat_shape),
                           out=self._buffer("xhat", x2.shape, slot))
        xhat *= inv.reshape(stat_shape)
        d_beta = channel_sum(dy, axes)
        d_gamma = channel_sum(xhat * dy, axes)
        grads = ([d_gamma] if self.scale else []) + ([d_beta] if self.center else [])
        if not need_input_grad:
            return None, grads
        scaled = inv * self.gamma.value if self.scale else inv
        dx = self._buffer("dx", x2.shape, slot)
        if batch_stats:
            count = dy.dtype.type(x2.size // d_beta.size)
            # dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat))
            xhat *= (d_gamma / count).reshape(stat_shape)
            np.subtract(dy, (d_beta / count).reshape(stat_shape), out=dx)
            dx -= xhat
            dx *= scaled.reshape(stat_shape)
        else:
            np.multiply(dy, scaled.reshape(stat_shape), out=dx)
        return dx.reshape(shape), grads

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(
                self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }
