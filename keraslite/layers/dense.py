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
            "kernel", (input_dim, self.units), self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias", (self.units,), self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self._grads = [np.empty_like(w.value) for w in self._weights]
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, training=False, logits=False):
        """Computes the output; with `logits=True` stops before the activation.

        In training it keeps the input, and the output (or, for activations
        that need it, the pre-activation) for `backward`.
        """
        lead = x.shape[:-1]
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
        z = self._buffer("z", (x.shape[0], self.units))
        np.matmul(x, self.kernel.value, out=z)
        if self.use_bias:
            z += self.bias.value
        if training:
            self._x = x
            self._lead = lead
        if not logits:
            if training and self._act_needs_input:
                self._z = self._buffer("pre", z.shape)
                np.copyto(self._z, z)
            z = self._act_forward(z)
            if training:
                self._y = z
        return z.reshape(lead + (self.units,)) if len(lead) != 1 else z

    def backward(self, dy, need_input_grad=True, from_logits=False):
        """Backprop through activation and matmul.

        Args:
            dy: Gradient of the loss w.r.t. the output (or the logits when
                `from_logits`); overwritten.
            need_input_grad: False for the first layer, whose input
                gradient nobody needs.

        Returns:
            The gradient w.r.t. the input, or None.
        """
        dy = dy.reshape(-1, self.units)
        if not from_logits:
            dy = self._act_backward(dy, self._y, getattr(self, "_z", None))
        grads = self._grads
        np.matmul(self._x.T, dy, out=grads[0])
        if self.use_bias:
            np.sum(dy, axis=0, out=grads[1])
        for grad, var in zip(grads, self._weights):
            if var.regularizer is not None:
                grad += var.regularizer.gradient(var.value)
        self.gradients = grads if self.trainable else []
        if not need_input_grad:
            return None
        dx = self._buffer("dx", self._x.shape)
        np.matmul(dy, self.kernel.value.T, out=dx)
        # The input gradient has the input's shape (e.g. (batch, steps, d)).
        return dx if len(self._lead) == 1 else dx.reshape(self._lead + dx.shape[-1:])

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
