"""Base class of the depthwise convolutions: each input channel convolved
with its own `depth_multiplier` filters (a grouped convolution with one
input channel per group, lowered as such in base_conv)."""
import numpy as np

from keraslite.layers.convolutional.base_conv import ConvCore, check_positive_int
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
        self._init_weight_args(
            activity_regularizer,
            depthwise=(depthwise_initializer, depthwise_regularizer,
                       depthwise_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint))
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        channels = self._start_build(input_shape)
        self.kernel = self._add_conv_weight(
            "kernel", self.kernel_size + (channels, self.depth_multiplier), "depthwise")
        self.bias = self._add_bias(channels * self.depth_multiplier)
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

    def _groups(self):
        return self._built_channels  # one input channel per group

    def _grouped_kernel(self, kernel):
        """(*kernel_size, C, m) as a grouped kernel (*kernel_size, 1, C * m)."""
        return kernel.reshape(self.kernel_size + (1, -1))

    def _own_config(self):
        return {"depth_multiplier": self.depth_multiplier}
