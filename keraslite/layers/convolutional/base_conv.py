"""Base class of the convolutions, and their lowering to matrix products.

A convolution of `x` (N, H, W, C) with a kernel (kh, kw, C // groups, F) is
computed as in Caffe's im2col: the windows of the padded input, read through
a strided view, are copied into a column matrix `col` with one row per output
position (N * OH * OW rows) and one column per kernel tap (kh * kw * C //
groups, per group), and multiplied by the kernel reshaped to a matrix: one
BLAS product. The backward pass is two more: `col.T @ dz` (the kernel
gradient) and `dz @ kernel.T` (the gradient of the columns), which col2im
adds back onto the input, one strided add per kernel tap (kh * kw of them).

Conv1D is the H = 1 case; channels_first inputs are transposed to
channels_last on the way in and back on the way out. A depthwise
convolution is the grouped one with one input channel per group.
"""
import numbers
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from keraslite import activations, constraints, initializers
from keraslite import regularizers
from keraslite.layers.layer import Layer
from keraslite.utils.argument_validation import (  # noqa: F401 (re-exported)
    _is_int, standardize_data_format, standardize_tuple)
from keraslite.utils.numerical_utils import column_sums


# --- arguments, as Keras's standardize_* helpers ----------------------------------
def standardize_padding(value, allow_causal=False):
    allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {allowed}. "
            f"Received: {value}"
        )
    return padding


def check_positive_int(value, name):
    """Keras's "Received filters=-1." error, also for non-integers."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Invalid value for argument `{name}`. Expected a strictly "
            f"positive integer. Received {name}={value!r}."
        )
    if not _is_int(value) or value <= 0:
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a strictly "
            f"positive value. Received {name}={value}."
        )
    return int(value)


# --- geometry -----------------------------------------------------------------
class Geometry(NamedTuple):
    """One convolution's sizes, all in channels_last 2-D terms.

    `h, w, c`: the unpadded input; `hp, wp`: the padded input, of which the
    input occupies rows `top:top + h` and columns `left:left + w`;
    `oh, ow`: the output; `kh, kw`, `sh, sw`, `dh, dw`: kernel, strides and
    dilation; `groups`: the channel groups.
    """

    n: int
    h: int
    w: int
    c: int
    hp: int
    wp: int
    top: int
    left: int
    oh: int
    ow: int
    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    groups: int

    @property
    def rows(self):
        return self.n * self.oh * self.ow

    @property
    def taps(self):
        """Columns of `col` per group."""
        return self.kh * self.kw * (self.c // self.groups)


def conv_output_length(size, kernel, stride, dilation, padding):
    """The output length of one spatial axis (None stays None)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return (size - 1) // stride + 1  # same, causal


def _pads(size, out, kernel, stride, dilation, padding):
    """(before, after) padding of one axis, as TensorFlow pads "same"."""
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return dilation * (kernel - 1), 0
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def geometry(n, spatial, c, kernel_size, strides, dilation, padding, groups):
    """The Geometry of a convolution of an input (n, *spatial, c)."""
    if len(spatial) == 1:  # 1-D: a single row
        spatial, kernel_size = (1,) + tuple(spatial), (1,) + tuple(kernel_size)
        strides, dilation = (1,) + tuple(strides), (1,) + tuple(dilation)
    (h, w), (kh, kw) = spatial, kernel_size
    (sh, sw), (dh, dw) = strides, dilation
    oh = conv_output_length(h, kh, sh, dh, padding)
    ow = conv_output_length(w, kw, sw, dw, padding)
    top, bottom = _pads(h, oh, kh, sh, dh, padding)
    left, right = _pads(w, ow, kw, sw, dw, padding)
    return Geometry(n, h, w, c, h + top + bottom, w + left + right, top, left,
                    oh, ow, kh, kw, sh, sw, dh, dw, groups)


# --- the lowering ----------------------------------------------------------------
def pad_into(x, g, xp):
    """Writes `x` (N, H, W, C) into the padded buffer `xp`, borders zeroed."""
    top, left = g.top, g.left
    bottom, right = top + g.h, left + g.w
    xp[:, :top] = 0
    xp[:, bottom:] = 0
    xp[:, top:bottom, :left] = 0
    xp[:, top:bottom, right:] = 0
    np.copyto(xp[:, top:bottom, left:right], x)


# Below this many input channels per group, the columns are stored tap by
# tap (each tap one contiguous row of N * OH * OW values), which copies far
# faster than rows of a few values each (e.g. grayscale images, depthwise).
TAPS_MAJOR_BELOW = 4


# The column gradient is made and added back (col2im) this many bytes of
# it (and of the output gradient) at a time, to stay in the cache.
COL2IM_CHUNK_BYTES = 4 << 20


def taps_major(g):
    """Whether `col` is stored (groups, taps, rows) rather than (groups, rows, taps)."""
    return g.c // g.groups < TAPS_MAJOR_BELOW


def im2col(xp, g, col):
    """Copies the windows of `xp` (N, Hp, Wp, C) into `col`.

    Per group, `col` holds one row per output position (N * OH * OW rows)
    and one column per tap, the taps in (kh, kw, channel) order, the order
    of the kernel's first three axes: shape (groups, rows, taps), or
    (groups, taps, rows) when `taps_major(g)`.
    """
    sn, sy, sx, sc = xp.strides
    cg = g.c // g.groups
    position = ((g.n, sn), (g.oh, sy * g.sh), (g.ow, sx * g.sw))
    tap = ((g.kh, sy * g.dh), (g.kw, sx * g.dw), (cg, sc))
    axes = ((g.groups, sc * cg),) + (tap + position if taps_major(g) else position + tap)
    windows = as_strided(xp, shape=[a[0] for a in axes], strides=[a[1] for a in axes],
                         writeable=False)
    np.copyto(col.reshape(windows.shape), windows)


def col2im(taps, g, dxp):
    """Adds the column gradient onto `dxp` (N, Hp, Wp, C), one add per tap.

    `taps` holds it tap by tap, shape (kh * kw, groups, N * OH * OW,
    C // groups), so that each add reads one contiguous block.
    """
    cg = g.c // g.groups
    target = dxp.reshape(g.n, g.hp, g.wp, g.groups, cg)
    # With stride 1 the first tap covers the block [:oh, :ow] whole: it is
    # copied there and only the rest is zeroed (one pass fewer).
    dense = g.sh == 1 and g.sw == 1
    if dense:
        dxp[:, g.oh:] = 0
        dxp[:, :g.oh, g.ow:] = 0
    else:
        dxp.fill(0)
    last_y, last_x = (g.oh - 1) * g.sh + 1, (g.ow - 1) * g.sw + 1
    for i in range(g.kh):
        for j in range(g.kw):
            y, x = i * g.dh, j * g.dw
            part = target[:, y:y + last_y:g.sh, x:x + last_x:g.sw]
            tap = taps[i * g.kw + j].reshape(g.groups, g.n, g.oh, g.ow, cg)
            tap = tap[0, :, :, :, None] if g.groups == 1 else np.moveaxis(tap, 0, 3)
            if dense and i == j == 0:
                np.copyto(part, tap)
            else:
                part += tap


def tap_matrices(kernel, groups, kh, kw):
    """The kernel (kh, kw, C // groups, F) as (kh * kw, groups, F // groups,
    C // groups): per tap and group, the matrix that maps output-channel
    gradients to input-channel gradients."""
    cg, f = kernel.shape[-2], kernel.shape[-1]
    return kernel.reshape(kh * kw, cg, groups, f // groups).transpose(0, 2, 3, 1)


def grouped(kernel, groups):
    """The kernel (..., C // groups, F) as per-group matrices (groups, taps, F // groups)."""
    f = kernel.shape[-1]
    return kernel.reshape(-1, groups, f // groups).transpose(1, 0, 2)


def bias_folded(g, col):
    """Whether `col` carries the ones tap of a folded bias (see
    `ConvCore._conv_forward`)."""
    return taps_major(g) and col.shape[1] == g.taps + 1


def col_shape(g, fold, rows):
    """The shape of `col` for `rows` output positions, with one more tap
    when the bias is folded (see `ConvCore._conv_forward`)."""
    if taps_major(g):
        return (g.groups, g.taps + fold, rows)
    return (g.groups, rows, g.taps)


def rows_by_taps(col, g):
    """`col` as (groups, rows, taps), whichever way it is stored (a view)."""
    return col.transpose(0, 2, 1) if taps_major(g) else col


def matmul_groups(a, b, out):
    """`a @ b` per group: a (groups, M, K), b (groups, K, P) into out (M, groups * P)."""
    if a.shape[0] == 1:
        np.matmul(a[0], b[0], out=out)
    else:
        groups, m, p = a.shape[0], a.shape[1], b.shape[2]
        np.copyto(out.reshape(m, groups, p), np.matmul(a, b).transpose(1, 0, 2))


class ConvCore:
    """The parts every convolution shares: its arguments, the layout of its
    inputs and outputs, and the activation fused into its forward and
    backward (as Dense does)."""

    def _init_conv_args(self, rank, kernel_size, strides, padding, data_format,
                        dilation_rate, activation, use_bias):
        self.rank = rank
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1
                                           and self._allows_causal)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self._act_forward, self._act_backward, self._act_needs_input = (
            activations.kernels(self.activation))
        self._keeps_logits = activations._has_logits(self.activation)
        self.use_bias = bool(use_bias)

    _allows_causal = False
    # Keys tf.keras 2 writes in this layer's config that Keras 3 has no
    # argument for, with the only values they can take (None: any value).
    _keras2_keys = {}

    @classmethod
    def from_config(cls, config):
        """Also reads tf.keras 2 configs (e.g. a DepthwiseConv2D's
        `groups: 1`, which Keras 3's own loader refuses)."""
        config = dict(config)
        for key, only in cls._keras2_keys.items():
            if key in config:
                value = config.pop(key)
                if only is not None and value != only:
                    raise ValueError(
                        f"{cls.__name__} does not support `{key}`. Received: "
                        f"{key}={value}")
        return cls(**config)

    def _check_strides_and_dilation(self):
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )

    def _init_weight_args(self, activity_regularizer, **weights):
        """Sets `<weight>_initializer`, `_regularizer` and `_constraint` from
        `weight=(initializer, regularizer, constraint)`, in Keras's order."""
        for weight, (initializer, regularizer, constraint) in weights.items():
            setattr(self, f"{weight}_initializer", initializers.get(initializer))
            setattr(self, f"{weight}_regularizer", regularizers.get(regularizer))
            setattr(self, f"{weight}_constraint", constraints.get(constraint))
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._weight_args = tuple(weights)

    def _start_build(self, input_shape):
        """Validates the input (rank, channels, output size); returns its channels."""
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._built_channels = channels
        return channels

    def _add_conv_weight(self, name, shape, args):
        """A weight with the initializer, regularizer and constraint `args_*`."""
        return self.add_weight(
            name=name, shape=shape,
            initializer=getattr(self, f"{args}_initializer"),
            regularizer=getattr(self, f"{args}_regularizer"),
            constraint=getattr(self, f"{args}_constraint"),
        )

    def _add_bias(self, size):
        return self._add_conv_weight("bias", (size,), "bias") if self.use_bias else None

    def _weight_config(self):
        """The serialized initializers, regularizers and constraints, in the
        order of Keras's configs."""
        config = {}
        for kind, module in (("initializer", initializers),
                             ("regularizer", regularizers),
                             ("constraint", constraints)):
            for weight in self._weight_args:
                key = f"{weight}_{kind}"
                config[key] = module.serialize(getattr(self, key))
            if kind == "regularizer":
                config["activity_regularizer"] = regularizers.serialize(
                    self.activity_regularizer)
        return config

    # --- shapes -------------------------------------------------------------
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape):
        return tuple(shape[1:-1] if self.data_format == "channels_last" else shape[2:])

    def _check_rank(self, input_shape):
        ndim = self.rank + 2
        if len(input_shape) == ndim:
            return
        hint = ""
        if len(input_shape) == ndim - 1 and all(d is not None for d in input_shape[1:]):
            with_channels = tuple(input_shape[1:]) + (1,) \
                if self.data_format == "channels_last" else (1,) + tuple(input_shape[1:])
            hint = (f". If each sample is one-channel data of shape "
                    f"{tuple(input_shape[1:])}, add a channels axis: reshape the "
                    f"inputs to {with_channels} (e.g. `x.reshape((-1,) + "
                    f"{with_channels})`)")
        raise ValueError(
            f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
            f"expected ndim={ndim}, found ndim={len(input_shape)}. Full shape "
            f"received: {tuple(input_shape)}{hint}"
        )

    def _input_channels(self, input_shape):
        self._check_rank(input_shape)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(
                f"The channel dimension of the inputs to layer '{self.name}' "
                f"should be defined. Received: input_shape={tuple(input_shape)}"
            )
        return int(channels)

    def _check_input_shape(self, input_shape):
        if not isinstance(input_shape, tuple) or not self.built:
            return
        self._check_rank(input_shape)
        axis = self._channel_axis()
        if input_shape[axis] not in (None, self._built_channels):
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the "
                f"layer: expected axis {axis} of input shape to have value "
                f"{self._built_channels}, but received input with shape "
                f"{input_shape}"
            )

    def _check_output_size(self, input_shape, out_spatial, kernel_shape):
        if any(d is not None and d <= 0 for d in out_spatial):
            raise ValueError(
                "Computed output size would be zero or negative. Received "
                f"`inputs shape={tuple(input_shape)}`, "
                f"`kernel shape={tuple(kernel_shape)}`, "
                f"`dilation_rate={self.dilation_rate}`, "
                f"`strides={self.strides}`, `padding={self.padding}` "
                f"(layer '{self.name}')."
            )

    def _conv_output_shape(self, input_shape, kernel_shape, channels):
        """The output shape (validated) of a convolution of `input_shape`."""
        out = tuple(conv_output_length(size, k, s, d, self.padding)
                    for size, k, s, d in zip(self._spatial(input_shape),
                                             self.kernel_size, self.strides,
                                             self.dilation_rate))
        self._check_output_size(input_shape, out, kernel_shape)
        return self._output_shape(input_shape, out, channels)

    def _output_shape(self, input_shape, out_spatial, channels):
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(out_spatial) + (channels,)
        return (input_shape[0], channels) + tuple(out_spatial)

    # --- layouts --------------------------------------------------------------
    def _channels_last_2d(self, x):
        """The input as (N, H, W, C) (a view; Conv1D's H is 1)."""
        if self.data_format == "channels_first":
            x = np.moveaxis(x, 1, -1)
        return x[:, None] if self.rank == 1 else x

    def _padded(self, x, g, slot):
        """The input in channels_last 2-D, padded (the input itself if it
        already is)."""
        x = self._channels_last_2d(x)
        if g.hp == g.h and g.wp == g.w and x.flags.c_contiguous:
            return x
        xp = self._buffer("xp", (g.n, g.hp, g.wp, g.c), slot)
        pad_into(x, g, xp)
        return xp

    def _unpadded(self, dxp, g, input_shape, slot):
        """The gradient of the padded input, cropped and in the input's layout."""
        unpadded = g.hp == g.h and g.wp == g.w
        if unpadded and self.data_format == "channels_last":
            return dxp.reshape(input_shape)
        dx = self._buffer("dx", input_shape, slot)
        np.copyto(self._channels_last_2d(dx),
                  dxp[:, g.top:g.top + g.h, g.left:g.left + g.w])
        return dx

    def _activate(self, z, n, oh, ow, keep, slot):
        """Bias-added `z` (n * oh * ow, channels) to the activated output in
        the layer's layout; also the pre-activation when the backward or a
        loss needs it."""
        channels = z.shape[1]
        spatial = (ow,) if self.rank == 1 else (oh, ow)
        if self.data_format == "channels_last":
            y = z.reshape((n,) + spatial + (channels,))
        else:
            y = self._buffer("y", (n, channels) + spatial, slot)
            np.copyto(y, np.moveaxis(z.reshape((n,) + spatial + (channels,)), -1, 1))
        pre = None
        if keep and (self._act_needs_input or self._keeps_logits):
            pre = self._buffer("pre", y.shape, slot)
            np.copyto(pre, y)
        return self._act_forward(y), pre

    def _activation_grad(self, dy, y, pre, from_logits, slot):
        """The gradient of the pre-activation as (n * oh * ow, channels)."""
        if not from_logits:
            dy = self._act_backward(dy, y, pre)
        if self.data_format == "channels_last":
            return dy.reshape(-1, dy.shape[-1])
        dz = self._buffer("dz", (dy.size // dy.shape[1], dy.shape[1]), slot)
        np.copyto(dz.reshape(np.moveaxis(dy, 1, -1).shape), np.moveaxis(dy, 1, -1))
        return dz

    def _logits_of(self, ctx):
        return ctx[-2] if self._keeps_logits else None

    def _record(self, tape, inputs, outputs, ctx):
        out = Layer._record(self, tape, inputs, outputs, ctx)
        if self._act_backward is activations._relu_backward and \
                self.activity_regularizer is None:
            # A max pooling that alone reads `out` may apply relu's mask to
            # its own output gradient and mark this record `from_logits`
            # (BasePooling.backward): the same numbers, a quarter of the pass.
            out.relu_record = tape.records[-1]
        return out

    def _geometry(self, shape, groups, padding=None):
        g = geometry(shape[0], self._spatial(shape), shape[self._channel_axis()],
                     self.kernel_size, self.strides, self.dilation_rate,
                     padding or self.padding, groups)
        if g.oh <= 0 or g.ow <= 0:
            self._check_output_size(shape, (g.oh, g.ow), self.kernel_size)
        return g

    # --- the convolution ----------------------------------------------------------
    def _conv_forward(self, x, kernel, groups, slot, bias=None):
        """The convolution of `x` as `z` (rows, F); returns (geometry, col, z).

        With a `bias` and a single group stored taps-major (few input
        channels, e.g. a first layer on images), `col` gets one more tap
        of ones and the kernel matrix the bias as its last row: the product
        adds the bias (and in the backward the kernel-gradient product sums
        the bias gradient), saving two passes over `z`. Check with
        `bias_folded(g, col)`.
        """
        g = self._geometry(x.shape, groups)
        xp = self._padded(x, g, slot)
        fold = bias is not None and groups == 1 and taps_major(g)
        col = self._buffer("col", col_shape(g, fold, g.rows), slot)
        im2col(xp, g, col[:, :g.taps] if fold else col)
        return g, col, self._col_product(g, col, kernel, bias, g.rows, slot)

    def _col_product(self, g, col, kernel, bias, rows, slot):
        """`z` (rows, F): the filled `col` times the kernel, plus the bias
        (folded into the product when `col` has room for its ones tap)."""
        z = self._buffer("z", (rows, kernel.shape[-1]), slot)
        if bias is not None and bias_folded(g, col):
            col[0, g.taps] = 1
            matrix = self._buffer("kernel_and_bias", (g.taps + 1, kernel.shape[-1]), slot)
            np.copyto(matrix[:g.taps], kernel.reshape(g.taps, -1))
            np.copyto(matrix[g.taps], bias)
            np.matmul(col[0].T, matrix, out=z)
        else:
            matmul_groups(rows_by_taps(col, g), grouped(kernel, g.groups), z)
            if bias is not None:
                z += bias
        return z

    def _conv_backward(self, g, col, dz, kernel, d_kernel, input_shape,
                       need_input_grad, slot, d_bias=None):
        """Fills `d_kernel` (and `d_bias` when the forward folded the bias,
        see `_conv_forward`); returns the input gradient (or None).
        Overwrites `col` with the column gradient."""
        groups = g.groups
        if bias_folded(g, col):
            both = self._buffer("d_kernel_and_bias", (g.taps + 1, dz.shape[1]), slot)
            np.matmul(col[0], dz, out=both)
            np.copyto(d_kernel.reshape(g.taps, -1), both[:g.taps])
            np.copyto(d_bias, both[g.taps])
            col = col[:, :g.taps]
            return self._input_grad(g, col, dz, kernel, input_shape, need_input_grad, slot)
        dz_groups = dz.reshape(g.rows, groups, -1).transpose(1, 0, 2)
        taps_by_rows = rows_by_taps(col, g).transpose(0, 2, 1)
        if groups == 1:
            np.matmul(taps_by_rows[0], dz, out=d_kernel.reshape(g.taps, -1))
        else:
            np.copyto(grouped(d_kernel, groups), np.matmul(taps_by_rows, dz_groups))
        return self._input_grad(g, col, dz, kernel, input_shape, need_input_grad, slot)

    def _input_grad(self, g, col, dz, kernel, input_shape, need_input_grad, slot):
        """The input gradient (or None), col2im of the column gradient,
        which overwrites `col`."""
        if not need_input_grad:
            return None
        groups, cg = g.groups, g.c // g.groups
        matrices = tap_matrices(kernel, groups, g.kh, g.kw)
        dxp = self._buffer("dxp", (g.n, g.hp, g.wp, g.c), slot)
        # The column gradient, tap by tap, in the memory of `col`; a chunk of
        # images at a time, so that col2im reads it back from the cache.
        per_image = g.oh * g.ow
        chunk = max(1, COL2IM_CHUNK_BYTES // (per_image * (g.kh * g.kw * g.c + dz.shape[1])
                                              * dz.itemsize))
        flat = col.reshape(-1)
        for start in range(0, g.n, chunk):
            part = g._replace(n=min(chunk, g.n - start))  # these images alone
            rows = dz[start * per_image:(start + part.n) * per_image]
            taps = flat[:part.rows * g.kh * g.kw * g.c].reshape(
                g.kh * g.kw, groups, part.rows, cg)
            np.matmul(rows.reshape(part.rows, groups, -1).transpose(1, 0, 2), matrices,
                      out=taps)
            col2im(taps, part, dxp[start:start + part.n])
        return self._unpadded(dxp, g, input_shape, slot)

    def _bias_grad(self, dz, slot):
        return column_sums(dz, out=self._buffer("d_bias", (dz.shape[1],), slot))

    # --- a (grouped) convolution, bias and activation: Conv*D and Depthwise ---------
    def _grouped_kernel(self, kernel):
        """The kernel as (*kernel_size, C // groups, F) (see DepthwiseConv2D)."""
        return kernel

    def forward(self, x, training=False, keep=False):
        """`activation(conv(x, kernel) + bias)`; with `keep`, also what the
        backward needs (the column matrix, the output, the pre-activation)."""
        slot = self._slot
        g, col, z = self._conv_forward(x, self._grouped_kernel(self.kernel.value),
                                       self._groups(), slot,
                                       self.bias.value if self.use_bias else None)
        y, pre = self._activate(z, g.n, g.oh, g.ow, keep, slot)
        return y, ((g, col, x.shape, y, pre, slot) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Backprop through the activation, the bias and the convolution.

        Returns the input gradient (or None) and `[dkernel, dbias]`.
        """
        g, col, shape, y, pre, slot = ctx
        dz = self._activation_grad(dy, y, pre, from_logits, slot)
        d_kernel = self._buffer("d_kernel", self.kernel.shape, slot)
        d_bias = self._buffer("d_bias", self.bias.shape, slot) if self.use_bias else None
        dx = self._conv_backward(g, col, dz, self._grouped_kernel(self.kernel.value),
                                 self._grouped_kernel(d_kernel), shape,
                                 need_input_grad, slot, d_bias)
        grads = [d_kernel]
        if self.use_bias:
            if not bias_folded(g, col):
                self._bias_grad(dz, slot)  # into the same "d_bias" buffer
            grads.append(d_bias)
        return dx, grads

    def get_config(self):
        config = Layer.get_config(self)
        config.pop("activity_regularizer", None)  # placed as Keras places it
        return {
            **config,
            **self._own_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            **self._more_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._weight_config(),
        }

    def _own_config(self):
        """The config keys Keras lists before `kernel_size`."""
        return {}

    def _more_config(self):
        """The config keys Keras lists after `dilation_rate`."""
        return {}



class BaseConv(ConvCore, Layer):
    """Abstract N-D convolution (Conv1D, Conv2D build on it).

    Args:
        rank: The number of spatial dimensions (1 or 2).
        filters: Number of output channels.
        kernel_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints. `strides > 1` is incompatible
            with `dilation_rate > 1`.
        padding: "valid" (none) or "same" (as TensorFlow pads: the extra
            row/column at the end); "causal" for Conv1D.
        data_format: "channels_last" or "channels_first"; defaults to
            `keraslite.config.image_data_format()`.
        dilation_rate: int or tuple of `rank` ints.
        groups: Number of channel groups; input channels and `filters` must
            both be divisible by it.
        activation, use_bias: As Dense.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: As Dense.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        for key in ("lora_rank", "lora_alpha"):
            if kwargs.pop(key, None) is not None:
                raise ValueError(f"keraslite's convolutions do not support `{key}`.")
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        if not _is_int(groups) or groups <= 0:
            raise ValueError(
                "The number of groups must be a positive integer. "
                f"Received: groups={groups}."
            )
        self.groups = int(groups)
        if self.filters % self.groups != 0:
            raise ValueError(
                "The number of filters must be evenly divisible by the "
                f"number of groups. Received: groups={self.groups}, "
                f"filters={self.filters}."
            )
        self._init_conv_args(rank, kernel_size, strides, padding, data_format,
                             dilation_rate, activation, use_bias)
        self._check_strides_and_dilation()
        self._init_weight_args(
            activity_regularizer,
            kernel=(kernel_initializer, kernel_regularizer, kernel_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint))
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups != 0:
            raise ValueError(
                "The number of input channels must be evenly divisible by "
                f"the number of groups. Received groups={self.groups}, but the "
                f"input has {channels} channels (full input shape is "
                f"{tuple(input_shape)}) (layer '{self.name}')."
            )
        self._start_build(input_shape)
        self.kernel = self._add_conv_weight(
            "kernel", self.kernel_size + (channels // self.groups, self.filters),
            "kernel")
        self.bias = self._add_bias(self.filters)
        self.built = True

    def compute_output_shape(self, input_shape):
        channels = self._input_channels(input_shape)
        return self._conv_output_shape(
            input_shape, self.kernel_size + (channels, self.filters), self.filters)

    def _count_weights(self, input_shape):
        """The number of weights `build(input_shape)` would create."""
        taps = int(np.prod(self.kernel_size)) * self._input_channels(input_shape)
        return taps // self.groups * self.filters + self.filters * self.use_bias

    def _groups(self):
        return self.groups

    def _own_config(self):
        return {"filters": self.filters}

    def _more_config(self):
        return {"groups": self.groups}
