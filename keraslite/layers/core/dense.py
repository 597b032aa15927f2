"""Dense: `output = activation(dot(input, kernel) + bias)`."""
import numpy as np

from keraslite import activations, initializers, regularizers
from keraslite import constraints
from keraslite.layers.layer import Layer


class Dense(Layer):
    """Densely connected layer.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation function (name or function); None is linear.
        use_bias: Whether the layer adds a bias vector.
        kernel_initializer: Initializer for the kernel (glorot_uniform).
        bias_initializer: Initializer for the bias (zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer:
            Optional regularizers (see `keraslite.regularizers`).
        kernel_constraint, bias_constraint: Optional constraints applied
            after each optimizer step (see `keraslite.constraints`).

    Example:
    >>> layer = Dense(3, activation="relu")
    >>> layer(np.ones((2, 4), "float32")).shape
    (2, 3)
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        for key in ("lora_rank", "lora_alpha", "quantization_config"):
            if kwargs.pop(key, None) is not None:
                raise ValueError(
                    f"keraslite's Dense does not support `{key}`."
                )
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) \
                or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive "
                f"integer. Received: units={units}"
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self._act_forward, self._act_backward, self._act_needs_input = (
            activations.kernels(self.activation)
        )
        self._keeps_logits = activations._has_logits(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"The last dimension of the input to Dense layer '{self.name}' "
                f"must be defined. Received: input_shape={input_shape}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def _check_input_shape(self, input_shape):
        if not isinstance(input_shape, tuple) or self.kernel is None:
            return
        expected = self.kernel.shape[0]
        if not input_shape or input_shape[-1] not in (None, expected):
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the "
                f"layer: expected axis -1 of input shape to have value "
                f"{expected}, but received input with shape {input_shape}"
            )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, training=False, keep=False):
        """`activation(x @ kernel + bias)`; with `keep`, also what the
        backward needs: the input, the output and (for activations that
        need it, or whose logits a loss may use) the pre-activation."""
        lead = x.shape[:-1]
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
        z = self._buffer("z", (x.shape[0], self.units))
        np.matmul(x, self.kernel.value, out=z)
        if self.use_bias:
            z += self.bias.value
        pre = None
        if keep and (self._act_needs_input or self._keeps_logits):
            pre = self._buffer("pre", z.shape)
            np.copyto(pre, z)
        y = self._act_forward(z)
        ctx = (x, lead, y, pre, self._slot) if keep else None
        return (y.reshape(lead + (self.units,)) if len(lead) != 1 else y), ctx

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Backprop through activation and matmul.

        Args:
            ctx: What `forward` kept.
            dy: Gradient of the loss w.r.t. the output (or the logits when
                `from_logits`); overwritten.
            need_input_grad: False when nothing below needs a gradient.

        Returns:
            The gradient w.r.t. the input (or None) and `[dkernel, dbias]`.
        """
        x, lead, y, pre, slot = ctx
        dy = dy.reshape(-1, self.units)
        if not from_logits:
            dy = self._act_backward(dy, y, pre)
        d_kernel = self._buffer("d_kernel", self.kernel.shape, slot)
        np.matmul(x.T, dy, out=d_kernel)
        grads = [d_kernel]
        if self.use_bias:
            grads.append(np.sum(dy, axis=0, out=self._buffer("d_bias", (self.units,), slot)))
        if not need_input_grad:
            return None, grads
        dx = self._buffer("dx", x.shape, slot)
        np.matmul(dy, self.kernel.value.T, out=dx)
        # The input gradient has the input's shape (e.g. (batch, steps, d)).
        return (dx if len(lead) == 1 else dx.reshape(lead + dx.shape[-1:])), grads

    def _logits_of(self, ctx):
        if not self._keeps_logits:
            return None
        pre, lead = ctx[3], ctx[1]
        # The logits have the output's shape (e.g. (batch, steps, units)).
        return pre if len(lead) == 1 else pre.reshape(lead + (self.units,))

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
