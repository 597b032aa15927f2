"""Base class of the separable convolutions: a depthwise convolution
followed by a pointwise (1x1) one, which is one more matrix product."""
import numpy as np

from keraslite.layers.convolutional.base_conv import ConvCore, check_positive_int
from keraslite.layers.layer import Layer


class BaseSeparableConv(ConvCore, Layer):
    """Abstract separable convolution (SeparableConv2D builds on it).

    Weights, in Keras's order: `depthwise_kernel` (*kernel_size, channels,
    depth_multiplier), `pointwise_kernel` (1, ..., 1, channels *
    depth_multiplier, filters) and `bias` (filters,).
    """

    _keras2_keys = {"groups": 1, "kernel_initializer": None,
                    "kernel_regularizer": None, "kernel_constraint": None}

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.depth_multiplier = check_positive_int(depth_multiplier,
                                                   "depth_multiplier")
        self.filters = check_positive_int(filters, "filters")
        self._init_conv_args(rank, kernel_size, strides, padding, data_format,
                             dilation_rate, activation, use_bias)
        self._init_weight_args(
            activity_regularizer,
            depthwise=(depthwise_initializer, depthwise_regularizer,
                       depthwise_constraint),
            pointwise=(pointwise_initializer, pointwise_regularizer,
                       pointwise_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint))
        self.depthwise_kernel = None
        self.pointwise_kernel = None
        self.bias = None

    def build(self, input_shape):
        channels = self._start_build(input_shape)
        self.depthwise_kernel = self._add_conv_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            "depthwise")
        self.pointwise_kernel = self._add_conv_weight(
            "pointwise_kernel",
            (1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            "pointwise")
        self.bias = self._add_bias(self.filters)
        self.built = True

    def compute_output_shape(self, input_shape):
        channels = self._input_channels(input_shape)
        return self._conv_output_shape(
            input_shape, self.kernel_size + (channels, self.filters), self.filters)

    def _count_weights(self, input_shape):
        """The number of weights `build(input_shape)` would create."""
        middle = self._input_channels(input_shape) * self.depth_multiplier
        return (int(np.prod(self.kernel_size)) * middle + middle * self.filters
                + self.filters * self.use_bias)

    def _kernels(self):
        """The depthwise kernel as a grouped one, the pointwise one as a matrix."""
        depthwise = self.depthwise_kernel.value
        return (depthwise.reshape(self.kernel_size + (1, -1)),
                self.pointwise_kernel.value.reshape(-1, self.filters))

    def forward(self, x, training=False, keep=False):
        """`activation(pointwise(depthwise(x)) + bias)`."""
        slot = self._slot
        depthwise, pointwise = self._kernels()
        g, col, mid = self._conv_forward(x, depthwise, self._built_channels, slot)
        z = self._buffer("z_pointwise", (g.rows, self.filters), slot)
        np.matmul(mid, pointwise, out=z)
        if self.use_bias:
            z += self.bias.value
        y, pre = self._activate(z, g.n, g.oh, g.ow, keep, slot)
        return y, ((g, col, mid, x.shape, y, pre, slot) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Returns the input gradient (or None) and the gradients of
        `[depthwise_kernel, pointwise_kernel, bias]`."""
        g, col, mid, shape, y, pre, slot = ctx
        depthwise, pointwise = self._kernels()
        dz = self._activation_grad(dy, y, pre, from_logits, slot)
        d_pointwise = self._buffer("d_pointwise", self.pointwise_kernel.shape, slot)
        np.matmul(mid.T, dz, out=d_pointwise.reshape(pointwise.shape))
        d_mid = self._buffer("d_mid", mid.shape, slot)
        np.matmul(dz, pointwise.T, out=d_mid)
        d_depthwise = self._buffer("d_depthwise", self.depthwise_kernel.shape, slot)
        dx = self._conv_backward(g, col, d_mid, depthwise,
                                 d_depthwise.reshape(depthwise.shape), shape,
                                 need_input_grad, slot)
        grads = [d_depthwise, d_pointwise]
        if self.use_bias:
            grads.append(self._bias_grad(dz, slot))
        return dx, grads

    def _own_config(self):
        return {"depth_multiplier": self.depth_multiplier, "filters": self.filters}
