"""BatchNormalization: normalizes each channel by batch (training) or moving
(inference) statistics."""
import numpy as np

from keraslite import constraints, initializers, regularizers
from keraslite.layers.input_spec import check_axes, check_ndim
from keraslite import autodiff
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

    With a mask (one axis fewer than the inputs, e.g. `(batch, steps)` from
    `Embedding(mask_zero=True)`), the batch statistics in training are the
    masked moments of Keras 3: `sum(m * x) / (sum(m) + epsilon())` over the
    unmasked positions only; every position is normalized, and the mask is
    passed on.

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

    supports_masking = True  # the output mask is the input's (as Keras)
    _forward_takes_mask = True

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

    def forward(self, x, training=False, keep=False, mask=None):
        if mask is not None:
            mask = self._check_mask(mask, x.shape)
        layout = self._layout(x.shape)
        vec, axis = layout.vec, layout.axis
        xv = x.reshape(layout.view_shape)
        dtype = x.dtype.type
        masked = None
        if training and self.trainable:
            if mask is None:
                count = dtype(x.size // x.shape[axis])
                mean = channel_sum(x, axis) / count
                diff = np.subtract(xv, vec(mean), out=self._buffer("diff", xv.shape))
                np.multiply(diff, diff, out=diff)
                variance = channel_sum(diff.reshape(x.shape), axis) / count
            else:
                mean, variance, masked = self._masked_moments(x, mask, axis)
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
        ctx = (x, mean, inv, batch_stats, self._slot, masked) if keep else None
        return y.reshape(x.shape), ctx

    def _check_mask(self, mask, input_shape):
        mask = np.asarray(autodiff.value_of(mask))
        if mask.ndim != len(input_shape) - 1:
            raise ValueError(
                "The mask provided should be one dimension less than the "
                f"inputs. Received: mask.shape={mask.shape}, "
                f"inputs.shape={tuple(input_shape)}")
        return mask

    def _masked_moments(self, x, mask, axis):
        """Keras 3's masked moments: with `m` the mask broadcast over the
        last axis and `n = sum(m) + epsilon()` per channel,
        `mean = sum(m * x) / n` and `variance = sum(m * (x - mean)**2) / n`.
        Returns them and what the backward needs: (m, n, sum(m * (x - mean)))."""
        from keraslite import backend

        dtype = x.dtype.type
        m = np.broadcast_to(np.expand_dims(mask, -1), x.shape).astype(x.dtype)
        n = channel_sum(m, axis) + dtype(backend.epsilon())
        mean = channel_sum(x * m, axis) / n
        shape = [1] * x.ndim
        shape[axis] = -1
        diff = (x - mean.reshape(shape)) * m
        variance = channel_sum(diff * diff, axis) / n
        return mean, variance, (m, n, channel_sum(diff, axis))

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Gradients through the batch statistics in training, through a
        fixed affine map in inference."""
        x, mean, inv, batch_stats, slot, masked = ctx
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
        if batch_stats and masked is not None:
            dx = self._masked_input_grad(dy, xhat, masked, scaled, inv,
                                         d_beta, d_gamma, layout)
        elif batch_stats:
            count = dy.dtype.type(x.size // x.shape[axis])
            # dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat))
            xhat *= vec(d_gamma / count)
            np.subtract(dy, vec(d_beta / count), out=dx)
            dx -= xhat
            dx *= vec(scaled)
        else:
            np.multiply(dy, vec(scaled), out=dx)
        return dx.reshape(x.shape), grads

    @staticmethod
    def _masked_input_grad(dy, xhat, masked, scaled, inv, d_beta, d_gamma, layout):
        """dx of the masked moments (every position is normalized; only the
        unmasked ones set mean and variance):
        `dx = scaled * dy + m * (d_mean / n + xhat * (-scaled * d_gamma / n))`
        with `d_var = -scaled * inv * d_gamma / 2` and
        `d_mean = -scaled * d_beta - 2 * d_var * sum(m * (x - mean)) / n`
        (the last term is nonzero only by `epsilon()` in `n`)."""
        m, n, centered_sum = masked
        vec = layout.vec
        d_var = -0.5 * scaled * inv * d_gamma
        d_mean = -scaled * d_beta - 2.0 * d_var * centered_sum / n
        m = m.reshape(layout.view_shape)
        dx = xhat * vec(-scaled * d_gamma / n)
        dx += vec(d_mean / n)
        dx *= m
        dx += dy * vec(scaled)
        return dx

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
