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


_BLOCK = 128


def channel_sum(a, axis):
    """Per-channel sums of `a` over every axis but `axis`, as float32.

    NOTE: a plain float32 running sum over a 128x26x26 batch loses ~1e-5 of
    the mean (TensorFlow's tree reductions do not): rows are summed in
    blocks of 128 by einsum, and the block sums in float64.
    """
    channels = a.shape[axis]
    lead = int(np.prod(a.shape[:axis], dtype=np.int64))
    trail = int(np.prod(a.shape[axis + 1:], dtype=np.int64))
    if trail > 1:
        partial = np.einsum("acb->ac", a.reshape(lead, channels, trail))
        return partial.sum(0, dtype=np.float64).astype(a.dtype)
    rows = a.reshape(lead, channels)
    full = lead - lead % _BLOCK
    total = rows[full:].sum(0, dtype=np.float64)
    if full:
        blocks = np.einsum("nbc->nc", rows[:full].reshape(-1, _BLOCK, channels))
        total += blocks.sum(0, dtype=np.float64)
    return total.astype(a.dtype)


class _Channels:
    """How per-channel (C,) vectors meet an input of `shape`.

    With the channels last, the input is seen as (rows / k, k * C) and the
    vectors are tiled k times: broadcasting a (C,) row over (rows, C) makes
    NumPy run C-long inner loops, ~5x slower than long ones. Otherwise the
    input keeps its shape and the vectors become (C, 1, ..., 1).
    """

    def __init__(self, shape, axis):
        self.axis = axis
        channels = shape[axis]
        if axis == len(shape) - 1:
            rows = int(np.prod(shape[:-1], dtype=np.int64))
            self.repeat = max(k for k in (64, 32, 16, 8, 4, 2, 1) if rows % k == 0)
            self.view_shape = (rows // self.repeat, self.repeat * channels)
            self.vector_shape = None
        else:
            self.view_shape = shape
            self.vector_shape = (channels,) + (1,) * (len(shape) - axis - 1)

    def vec(self, v):
        if self.vector_shape is None:
            return np.tile(v, self.repeat)
        return v.reshape(self.vector_shape)


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
        self._layouts = {}

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

    def _layout(self, shape):
        layout = self._layouts.get(shape)
        if layout is None:
            layout = self._layouts[shape] = _Channels(shape, self.axis % len(shape))
        return layout

    def forward(self, x, training=False, keep=False):
        layout = self._layout(x.shape)
        vec, axis = layout.vec, layout.axis
        xv = x.reshape(layout.view_shape)
        dtype = x.dtype.type
        if training and self.trainable:
            count = dtype(x.size // x.shape[axis])
            mean = channel_sum(x, axis) / count
            diff = np.subtract(xv, vec(mean), out=self._buffer("diff", xv.shape))
            np.multiply(diff, diff, out=diff)
            variance = channel_sum(diff.reshape(x.shape), axis) / count
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
        y = np.multiply(xv, vec(scaled), out=self._buffer("y", xv.shape))
        y += vec(shift)
        ctx = (x, mean, inv, batch_stats, self._slot) if keep else None
        return y.reshape(x.shape), ctx

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Gradients through the batch statistics in training, through a
        fixed affine map in inference."""
        x, mean, inv, batch_stats, slot = ctx
        layout = self._layout(x.shape)
        vec, axis = layout.vec, layout.axis
        dy = dy.reshape(layout.view_shape)
        # xhat = (x - mean) / sqrt(var + epsilon)
        xhat = np.subtract(x.reshape(layout.view_shape), vec(mean),
                           out=self._buffer("xhat", dy.shape, slot))
        xhat *= vec(inv)
        d_beta = channel_sum(dy.reshape(x.shape), axis)
        product = np.multiply(xhat, dy, out=self._buffer("dx", dy.shape, slot))
        d_gamma = channel_sum(product.reshape(x.shape), axis)
        grads = ([d_gamma] if self.scale else []) + ([d_beta] if self.center else [])
        if not need_input_grad:
            return None, grads
        scaled = inv * self.gamma.value if self.scale else inv
        dx = product  # reused
        if batch_stats:
            count = dy.dtype.type(x.size // x.shape[axis])
            # dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat))
            xhat *= vec(d_gamma / count)
            np.subtract(dy, vec(d_beta / count), out=dx)
            dx -= xhat
            dx *= vec(scaled)
        else:
            np.multiply(dy, vec(scaled), out=dx)
        return dx.reshape(x.shape), grads

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
