"""Base class of the transposed convolutions.

A transposed convolution is the input gradient of a convolution, so it is
lowered with the same two steps in the other order: the forward is one
product `x @ kernel.T` (a column matrix) that col2im adds onto the output,
the backward is im2col of the output gradient and two products.
"""
import numpy as np

from keraslite.layers.convolutional.base_conv import (
    ConvCore, Geometry, check_positive_int, col2im, im2col, pad_into,
    rows_by_taps, standardize_tuple, tap_matrices, taps_major)
from keraslite.layers.layer import Layer


def deconv_output_length(size, kernel, stride, dilation, padding, output_padding):
    """The output length of one axis, as Keras computes it (None stays None)."""
    if size is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        if output_padding is None:
            output_padding = max(kernel, stride) - kernel
        return (size - 1) * stride + kernel + output_padding
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + kernel % 2 + output_padding


class BaseConvTranspose(ConvCore, Layer):
    """Abstract transposed convolution (Conv2DTranspose builds on it).

    The kernel has shape `(*kernel_size, filters, channels)`, as in Keras.

    Args:
        rank: The number of spatial dimensions.
        filters: Number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: As
            Conv2D.
        output_padding: int or tuple of `rank` ints, the extra rows/columns
            at the end of the output, each strictly less than the stride;
            None infers the output size.
        activation, use_bias, initializers, regularizers, constraints: As
            Conv2D.
    """

    _keras2_keys = {"groups": 1}

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self._init_conv_args(rank, kernel_size, strides, padding, data_format,
                             dilation_rate, activation, use_bias)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides)):
                if op >= s:
                    raise ValueError(
                        "`output_padding` must be strictly less than "
                        f"`strides` for all dimensions. At dimension {i}, "
                        f"`output_padding` is {op} but `strides` is {s}. "
                        f"Received: output_padding={self.output_padding}, "
                        f"strides={self.strides}"
                    )
        self._check_strides_and_dilation()
        self._init_weight_args(
            activity_regularizer,
            kernel=(kernel_initializer, kernel_regularizer, kernel_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint))
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        channels = self._start_build(input_shape)
        self.kernel = self._add_conv_weight(
            "kernel", self.kernel_size + (self.filters, channels), "kernel")
        self.bias = self._add_bias(self.filters)
        self.built = True

    def _count_weights(self, input_shape):
        """The number of weights `build(input_shape)` would create."""
        channels = self._input_channels(input_shape)
        return (int(np.prod(self.kernel_size)) * self.filters * channels
                + self.filters * self.use_bias)

    def _output_lengths(self, spatial):
        paddings = self.output_padding or (None,) * self.rank
        return tuple(deconv_output_length(size, k, s, d, self.padding, op)
                     for size, k, s, d, op in zip(spatial, self.kernel_size,
                                                  self.strides, self.dilation_rate,
                                                  paddings))

    def compute_output_shape(self, input_shape):
        self._input_channels(input_shape)
        spatial = self._spatial(input_shape)
        out = self._output_lengths(spatial)
        for size, length, k, s, d in zip(spatial, out, self.kernel_size,
                                         self.strides, self.dilation_rate):
            if size is not None:
                self._axis_pads(size, length, k, s, d)  # validates
        return self._output_shape(input_shape, out, self.filters)

    def _axis_pads(self, size, length, kernel, stride, dilation):
        """(before, padded length) of one output axis: the output is the
        input of a convolution with this padding whose output is `size`."""
        effective = dilation * (kernel - 1) + 1
        span = (size - 1) * stride + effective
        if self.padding == "valid":
            before, back = 0, (length - effective) // stride + 1
        else:
            before, back = max(span - length, 0) // 2, -(-length // stride)
        if size <= 0 or back != size:
            raise ValueError(
                f"Layer '{self.name}' cannot compute a transposed convolution "
                f"of an axis of size {size} with kernel_size={kernel}, "
                f"strides={stride}, dilation_rate={dilation}, "
                f"padding={self.padding} and output_padding="
                f"{self.output_padding}: the output length {length} does not "
                f"convolve back to {size}."
            )
        return before, max(span, before + length)

    def _geometry_of(self, shape):
        """The Geometry of the convolution from this layer's output (`h, w`)
        to its input (`oh, ow`)."""
        spatial = self._spatial(shape)
        out = self._output_lengths(spatial)
        kernel, strides, dilation = self.kernel_size, self.strides, self.dilation_rate
        if self.rank == 1:
            spatial, out = (1,) + spatial, (1,) + out
            kernel, strides, dilation = (1,) + kernel, (1,) + strides, (1,) + dilation
        (top, hp), (left, wp) = [self._axis_pads(*args) for args in zip(
            spatial, out, kernel, strides, dilation)]
        return Geometry(shape[0], out[0], out[1], self.filters, hp, wp, top, left,
                        spatial[0], spatial[1], kernel[0], kernel[1], strides[0],
                        strides[1], dilation[0], dilation[1], 1)

    def _input_matrix(self, x, slot):
        """The input as a contiguous (N * H * W, channels) matrix."""
        x = self._channels_last_2d(x)
        if not x.flags.c_contiguous:
            copy = self._buffer("x_cl", x.shape, slot)
            np.copyto(copy, x)
            x = copy
        return x.reshape(-1, x.shape[-1])

    def forward(self, x, training=False, keep=False):
        """`activation(conv_transpose(x, kernel) + bias)`."""
        slot = self._slot
        g = self._geometry_of(x.shape)
        x_mat = self._input_matrix(x, slot)
        taps = self._buffer("taps", (g.kh * g.kw, 1, g.rows, g.c), slot)
        np.matmul(x_mat, tap_matrices(self.kernel.value, 1, g.kh, g.kw), out=taps)
        out = self._buffer("out", (g.n, g.hp, g.wp, g.c), slot)
        col2im(taps, g, out)
        z = self._buffer("z", (g.n * g.h * g.w, self.filters), slot)
        np.copyto(z.reshape(g.n, g.h, g.w, g.c),
                  out[:, g.top:g.top + g.h, g.left:g.left + g.w])
        if self.use_bias:
            z += self.bias.value
        y, pre = self._activate(z, g.n, g.h, g.w, keep, slot)
        return y, ((g, x_mat, x.shape, y, pre, slot) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Returns the input gradient (or None) and `[dkernel, dbias]`."""
        g, x_mat, shape, y, pre, slot = ctx
        dz = self._activation_grad(dy, y, pre, from_logits, slot)
        grads = []
        dzp = self._buffer("dzp", (g.n, g.hp, g.wp, g.c), slot)
        pad_into(dz.reshape(g.n, g.h, g.w, g.c), g, dzp)
        col = self._buffer("col", (1, g.taps, g.rows) if taps_major(g)
                           else (1, g.rows, g.taps), slot)
        im2col(dzp, g, col)
        col = rows_by_taps(col, g)[0]
        kernel = self.kernel.value.reshape(-1, self._built_channels)
        d_kernel = self._buffer("d_kernel", self.kernel.shape, slot)
        np.matmul(col.T, x_mat, out=d_kernel.reshape(kernel.shape))
        grads.append(d_kernel)
        if self.use_bias:
            grads.append(self._bias_grad(dz, slot))
        if not need_input_grad:
            return None, grads
        dx_mat = self._buffer("dx_mat", x_mat.shape, slot)
        np.matmul(col, kernel, out=dx_mat)
        if self.data_format == "channels_last":
            return dx_mat.reshape(shape), grads
        dx = self._buffer("dx", shape, slot)
        np.copyto(self._channels_last_2d(dx), dx_mat.reshape(
            g.n, g.oh, g.ow, self._built_channels))
        return dx, grads

    def _own_config(self):
        return {"filters": self.filters, "output_padding": self.output_padding}
