"""Activation functions, each beside the derivative used by backprop.

The public functions (`relu(x)`, ...) take an array and return a new one,
as `keras.activations.*` do. Layers use the paired in-place kernels from
`_KERNELS`: `forward(z)` overwrites the pre-activation `z` with the output,
and `backward(dy, y, z)` turns the output gradient into the pre-activation
gradient, in place, from the output `y` (and from `z` for the few
activations that need their input, flagged by `needs_input`).
"""
import numpy as np

from keraslite.registry import lookup

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _f(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype("float32")
    return x


# --- linear -----------------------------------------------------------------
def linear(x):
    """Identity activation: `linear(x) = x`."""
    return _f(x)


def _linear_forward(z):
    return z


def _linear_backward(dy, y, z):
    return dy


# --- relu -------------------------------------------------------------------
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, `max(x, 0)`, with Keras's optional arguments.

    Args:
        x: Input array.
        negative_slope: Slope below the threshold.
        max_value: Saturation value, or None.
        threshold: Values below it are damped.
    """
    x = _f(x)
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        y = np.minimum(y, max_value)
    return y.astype(x.dtype, copy=False)


def _relu_forward(z):
    return np.maximum(z, 0, out=z)


def _relu_backward(dy, y, z):
    # NOTE: the derivative is read from the output: y > 0 exactly where x > 0.
    return np.multiply(dy, y > 0, out=dy)


def relu6(x):
    """ReLU capped at 6: `min(max(x, 0), 6)`."""
    return np.clip(_f(x), 0, 6)


def _relu6_forward(z):
    return np.clip(z, 0, 6, out=z)


def _relu6_backward(dy, y, z):
    return np.multiply(dy, (y > 0) & (y < 6), out=dy)


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` if `x > 0` else `negative_slope * x`."""
    x = _f(x)
    return np.where(x > 0, x, x * x.dtype.type(negative_slope))


def _leaky_relu_forward(z):
    return np.multiply(z, np.where(z > 0, 1.0, 0.2).astype(z.dtype), out=z)


def _leaky_relu_backward(dy, y, z):
    return np.multiply(dy, np.where(y > 0, 1.0, 0.2).astype(dy.dtype), out=dy)


# --- elu / selu ---------------------------------------------------------------
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0` else `alpha * (exp(x) - 1)`."""
    x = _f(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _elu_forward(z):
    np.copyto(z, np.expm1(np.minimum(z, 0)), where=z <= 0)
    return z


def _elu_backward(dy, y, z):
    # For x <= 0 the derivative alpha * exp(x) equals y + alpha.
    return np.multiply(dy, np.where(y > 0, 1.0, y + 1.0).astype(dy.dtype), out=dy)


def selu(x):
    """Scaled ELU with the fixed constants of Klambauer et al. (2017)."""
    x = _f(x)
    neg = _SELU_ALPHA * np.expm1(np.minimum(x, 0))
    return (_SELU_SCALE * np.where(x > 0, x, neg)).astype(x.dtype)


def _selu_forward(z):
    np.copyto(z, z.dtype.type(_SELU_SCALE) * _selu_neg(z), where=z <= 0)
    np.multiply(z, z.dtype.type(_SELU_SCALE), out=z, where=z > 0)
    return z


def _selu_neg(z):
    return _SELU_ALPHA * np.expm1(np.minimum(z, 0))


def _selu_backward(dy, y, z):
    # As TensorFlow's SeluGrad: the negative branch only where y < 0, so the
    # slope at exactly 0 is `scale`.
    d = np.where(y < 0, y + _SELU_SCALE * _SELU_ALPHA, _SELU_SCALE)
    return np.multiply(dy, d.astype(dy.dtype), out=dy)


# --- sigmoid family -------------------------------------------------------------
def sigmoid(x):
    """Logistic sigmoid: `1 / (1 + exp(-x))`."""
    return _sigmoid_forward(_f(x).copy())


def _sigmoid_forward(z):
    # NOTE: the lower clip keeps exp(-z) from overflowing (sigmoid(-88) is
    # ~6e-39 in float32 anyway); no upper one is needed: exp(-z) of a large
    # z underflows quietly to a value that leaves 1 + it at 1, the clipped
    # result (each clip took ~7 us of a 30 us sigmoid of 128 x 128 floats).
    # (0.5 * tanh(0.5 * z) + 0.5 takes 12 us but rounds to 0 below z ~ -17,
    # where Keras's sigmoid still gives exp(z): log(sigmoid(-20)) would be
    # -inf.)
    np.maximum(z, -88.0, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _sigmoid_backward(dy, y, z):
    dy *= y
    return np.multiply(dy, 1.0 - y, out=dy)


def hard_sigmoid(x):
    """Piecewise linear sigmoid: `relu6(x + 3) / 6`."""
    return np.clip(_f(x) / 6.0 + 0.5, 0.0, 1.0)


def _hard_sigmoid_forward(z):
    z /= 6.0
    z += 0.5
    return np.clip(z, 0.0, 1.0, out=z)


def _hard_sigmoid_backward(dy, y, z):
    return np.multiply(dy, ((y > 0) & (y < 1)) / 6.0, out=dy, casting="unsafe")


def silu(x):
    """SiLU (Swish): `x * sigmoid(x)`. Keras 3's name is `silu`."""
    x = _f(x)
    return x * sigmoid(x)


swish = silu


def _swish_forward(z):
    z *= sigmoid(z)
    return z


def _swish_backward(dy, y, z):
    s = sigmoid(z)
    return np.multiply(dy, s * (1.0 + z * (1.0 - s)), out=dy)


# --- softmax ---------------------------------------------------------------------
def softmax(x, axis=-1):
    """Softmax over `axis`: `exp(x) / sum(exp(x))`, computed stably."""
    return _softmax_forward(_f(x).copy(), axis)


def _softmax_forward(z, axis=-1):
    # The ufuncs' reduce, not the `max`/`sum` methods' Python wrappers.
    np.subtract(z, np.maximum.reduce(z, axis=axis, keepdims=True), out=z)
    np.exp(z, out=z)
    np.divide(z, np.add.reduce(z, axis=axis, keepdims=True), out=z)
    return z


def _softmax_backward(dy, y, z):
    # dx = y * (dy - sum(dy * y))
    s = np.einsum("...i,...i->...", dy, y)[..., None]
    dy -= s
    return np.multiply(dy, y, out=dy)


# --- others -----------------------------------------------------------------------
def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(_f(x))


def _tanh_forward(z):
    return np.tanh(z, out=z)


def _tanh_backward(dy, y, z):
    return np.multiply(dy, 1.0 - y * y, out=dy)


def softplus(x):
    """Softplus: `log(exp(x) + 1)`, computed stably."""
    x = _f(x)
    return np.logaddexp(x.dtype.type(0), x)


def _softplus_forward(z):
    return np.logaddexp(z.dtype.type(0), z, out=z)


def _softplus_backward(dy, y, z):
    # sigmoid(x) = 1 - exp(-softplus(x))
    return np.multiply(dy, -np.expm1(-y), out=dy)


def softsign(x):
    """Softsign: `x / (abs(x) + 1)`."""
    x = _f(x)
    return x / (np.abs(x) + 1)


def _softsign_forward(z):
    z /= np.abs(z) + 1
    return z


def _softsign_backward(dy, y, z):
    d = 1.0 - np.abs(y)
    return np.multiply(dy, d * d, out=dy)


def exponential(x):
    """Exponential activation: `exp(x)`."""
    return np.exp(_f(x))


def _exponential_forward(z):
    return np.exp(z, out=z)


def _exponential_backward(dy, y, z):
    return np.multiply(dy, y, out=dy)


# Each public function beside its in-place forward, backward and whether the
# backward needs the pre-activation input.
_KERNELS = {
    linear: (_linear_forward, _linear_backward, False),
    relu: (_relu_forward, _relu_backward, False),
    relu6: (_relu6_forward, _relu6_backward, False),
    leaky_relu: (_leaky_relu_forward, _leaky_relu_backward, False),
    elu: (_elu_forward, _elu_backward, False),
    selu: (_selu_forward, _selu_backward, False),
    sigmoid: (_sigmoid_forward, _sigmoid_backward, False),
    hard_sigmoid: (_hard_sigmoid_forward, _hard_sigmoid_backward, False),
    silu: (_swish_forward, _swish_backward, True),
    softmax: (_softmax_forward, _softmax_backward, False),
    tanh: (_tanh_forward, _tanh_backward, False),
    softplus: (_softplus_forward, _softplus_backward, False),
    softsign: (_softsign_forward, _softsign_backward, False),
    exponential: (_exponential_forward, _exponential_backward, False),
}

ALL_ACTIVATIONS = {
    "linear": linear,
    "relu": relu,
    "relu6": relu6,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
    "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid,
    "swish": silu,
    "silu": silu,
    "softmax": softmax,
    "tanh": tanh,
    "softplus": softplus,
    "softsign": softsign,
    "exponential": exponential,
}


def serialize(activation):
    """Returns the registered name of an activation function."""
    if activation is silu:
        return "silu"  # Keras 3 saves swish under its name "silu".
    for name, fn in ALL_ACTIVATIONS.items():
        if fn is activation:
            return name
    raise ValueError(
        f"Could not serialize activation {activation!r}: only the built-in "
        f"activations can be saved ({', '.join(sorted(ALL_ACTIVATIONS))})."
    )


def deserialize(config):
    """Returns the activation named by a string or a Keras config dict."""
    if isinstance(config, dict):
        config = config.get("config", config.get("class_name"))
    return lookup(ALL_ACTIVATIONS, config, "activation function")


def get(identifier):
    """Returns an activation function from a name, None, or a callable.

    Args:
        identifier: None (linear), a name such as "relu", a Keras config
            dict, or one of the functions of this module.

    Returns:
        The activation function.

    Example:
    >>> keraslite.activations.get("relu") is keraslite.activations.relu
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}"
    )


def kernels(activation):
    """Returns `(forward, backward, needs_input)` for a built-in activation."""
    try:
        return _KERNELS[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"Activation {activation!r} has no backward pass in keraslite. "
            "Use one of: " + ", ".join(sorted(ALL_ACTIVATIONS)) + "."
        ) from None


def _has_logits(activation):
    """Whether a loss may read this activation's input as logits (as Keras's
    TensorFlow backend keeps `_keras_logits` on softmax and sigmoid outputs)."""
    return activation is softmax or activation is sigmoid
