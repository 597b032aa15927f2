"""Base class of the depthwise convolutions: each input channel convolved
with its own `depth_multiplier` filters (a grouped convolution with one
input channel per group, lowered as such in base_conv)."""
import numpy as np

from keraslite import activations, constraints, initializers, regularizers
from keraslite.layers.convolutional.base_conv import (ConvCore, _config_of,
                                                      check_positive_int)
from keraslite.layers.layer import Layer


class BaseDepthwiseConv(ConvCore, Layer):
    """Abstract depthwise convolution (DepthwiseConv2D builds on it).

    The kernel has shape `(*kernel_size, channels, depth_multiplier)` and is
    named "kernel", as in Keras 3; output channel `c * depth_multiplier + m`
    is channel `c` convolved with filter `m`.
    """

    _keras2_keys = {"groups": 1}

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.depth_multiplier = check_positive_int(depth_multiplier,
                                                   "depth_multiplier")
        self._init_conv_args(rank, kernel_size, strides, padding, data_format,
                             dilation_rate, activation, use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)  # validates the output size
        self._built_channels = channels
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(channels * self.depth_multiplier,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def compute_output_shape(self, input_shape):
        channels = self._input_channels(input_shape)
        return self._conv_output_shape(
            input_shape, self.kernel_size + (channels, self.depth_multiplier),
            channels * self.depth_multiplier)

    def _count_weights(self, input_shape):
        """The number of weights `build(input_shape)` would create."""
        out = self._input_channels(input_shape) * self.depth_multiplier
        return int(np.prod(self.kernel_size)) * out + out * self.use_bias

    def _as_grouped(self, kernel):
        """(*kernel_size, C, m) as a grouped kernel (*kernel_size, 1, C * m)."""
        return kernel.reshape(self.kernel_size + (1, -1))

    def forward(self, x, training=False, keep=False):
        """`activation(depthwise_conv(x, kernel) + bias)`."""
        slot = self._slot
        kernel = self._as_grouped(self.kernel.value)
        g, col, z = self._conv_forward(x, kernel, self._built_channels, slot)
        if self.use_bias:
            z += self.bias.value
        y, pre = self._activate(z, g.n, g.oh, g.ow, keep, slot)
        return y, ((g, col, x.shape, y, pre, slot) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Returns the input gradient (or None) and `[dkernel, dbias]`."""
        g, col, shape, y, pre, slot = ctx
        dz = self._activation_grad(dy, y, pre, from_logits, slot)
        d_kernel = self._buffer("d_kernel", self.kernel.shape, slot)
        dx = self._conv_backward(g, col, dz, self._as_grouped(self.kernel.value),
                                 self._as_grouped(d_kernel), shape,
                                 need_input_grad, slot)
        grads = [d_kernel]
        if self.use_bias:
            grads.append(self._bias_grad(dz, slot))
        return dx, grads

    def get_config(self):
        return {
            **self._layer_config(),
            "depth_multiplier": self.depth_multiplier,
            **self._base_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **_config_of([
                ("depthwise_initializer", self.depthwise_initializer),
                ("bias_initializer", self.bias_initializer),
                ("depthwise_regularizer", self.depthwise_regularizer),
                ("bias_regularizer", self.bias_regularizer),
                ("activity_regularizer", self.activity_regularizer),
                ("depthwise_constraint", self.depthwise_constraint),
                ("bias_constraint", self.bias_constraint)]),
        }
