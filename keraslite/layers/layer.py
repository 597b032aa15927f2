"""The Layer base class and the Variable that holds a weight."""
import numpy as np

from keraslite import backend
from keraslite.utils.naming import snake_case, unique_name


class Variable:
    """A named weight array that layers and optimizers update in place.

    `numpy()` returns a copy; `value` is the live array.
    """

    def __init__(self, value, name, trainable=True, path=None):
        self.value = value
        self.name = name
        self.trainable = trainable
        self.path = path or name
        self.regularizer = None
        self.constraint = None

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return str(self.value.dtype)

    def numpy(self):
        return self.value.copy()

    def assign(self, value):
        value = np.asarray(value)
        if value.shape != self.value.shape:
            raise ValueError(
                f"Cannot assign to variable '{self.path}': expected shape "
                f"{self.value.shape}, received {value.shape}."
            )
        self.value[...] = value

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, "
            f"dtype={self.dtype}>"
        )


_LAYER_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size")


class Layer:
    """Base class of keraslite layers.

    Subclasses implement `build(input_shape)`, `compute_output_shape`,
    `forward(x, training)` (keeping what the backward needs) and
    `backward(dy, need_input_grad)` (returning the input gradient and
    filling `self.gradients`, aligned with `self.trainable_weights`).

    Args:
        trainable: Whether the layer's weights are trained.
        name: Layer name; unique by default (`dense`, `dense_1`, ...).
        dtype: Only "float32" is supported.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(_LAYER_KWARGS)
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {k: kwargs[k] for k in sorted(unknown)} }"
            )
        self._input_shape_arg = _input_shape_from_kwargs(kwargs)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = _check_dtype(dtype)
        self.built = False
        self._weights = []
        self._buffers = {}
        self.gradients = []
        self.activity_regularizer = None
        self.input_shape = None
        self.output_shape = None

    # --- weights ------------------------------------------------------------
    def add_weight(self, name, shape, initializer, trainable=True,
                   regularizer=None, constraint=None):
        """Creates, initialises and tracks a weight; returns its Variable."""
        value = initializer(tuple(shape), dtype=self.dtype)
        value = np.ascontiguousarray(value, dtype=self.dtype)
        var = Variable(value, name, trainable=trainable, path=f"{self.name}/{name}")
        var.regularizer = regularizer
        var.constraint = constraint
        self._weights.append(var)
        return var

    @property
    def weights(self):
        return list(self._weights)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for w in self._weights if w.trainable]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return list(self._weights)
        return [w for w in self._weights if not w.trainable]

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        """Returns copies of the layer's weights as a list of arrays."""
        return [w.numpy() for w in self._weights]

    def set_weights(self, weights):
        """Sets the layer's weights from a list of arrays (all or nothing)."""
        weights = list(weights)
        if len(weights) != len(self._weights):
            raise ValueError(
                f"Layer {self.name} weight shape mismatch: you called "
                f"`set_weights(weights)` on layer '{self.name}' with a weight "
                f"list of length {len(weights)}, but the layer was expecting "
                f"{len(self._weights)} weights."
            )
        arrays = []
        for var, value in zip(self._weights, weights):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape mismatch for "
                    f"'{var.path}': expected shape {var.shape}, received "
                    f"value with shape {value.shape}."
                )
            arrays.append(value)
        for var, value in zip(self._weights, arrays):
            var.value[...] = value

    def count_params(self):
        """Total number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                "You tried to call `count_params` on layer "
                f"'{self.name}', but the layer isn't built. You can build it "
                "manually via: `layer.build(input_shape)`."
            )
        return int(sum(w.value.size for w in self._weights))

    # --- regularisation -------------------------------------------------------
    @property
    def losses(self):
        """Regularisation penalties of the layer's current weights."""
        return [w.regularizer(w.value) for w in self._weights
                if w.regularizer is not None]

    # --- computation ----------------------------------------------------------
    def _buffer(self, key, shape):
        """A reused work array of `shape`: a row slice of a cached one.

        Training and prediction call the layer with the same few batch
        sizes, so the hot loop allocates nothing after its first step.
        """
        buf = self._buffers.get(key)
        if buf is None or buf.shape[1:] != shape[1:] or buf.shape[0] < shape[0]:
            buf = np.empty(shape, dtype=self.dtype)
            self._buffers[key] = buf
        return buf[: shape[0]]

    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            self.input_shape = tuple(input_shape)
            self.build(tuple(input_shape))
            self.built = True
            self.output_shape = self.compute_output_shape(tuple(input_shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, x, training=False):
        raise NotImplementedError(f"{type(self).__name__} must implement forward().")

    def backward(self, dy, need_input_grad=True):
        raise NotImplementedError(f"{type(self).__name__} must implement backward().")

    def __call__(self, x, training=False):
        x = np.asarray(x)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        self._maybe_build(x.shape)
        return self.forward(x, training=training).copy()

    # --- config ---------------------------------------------------------------
    def get_config(self):
        """The layer's Keras 3 config (dtype as a DTypePolicy dict)."""
        from keraslite import regularizers

        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_config(self.dtype),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(
                self.activity_regularizer
            )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def dtype_policy_config(name):
    """Keras 3's config of the dtype policy `name` (e.g. "float32")."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": name},
        "registered_name": None,
    }


def _check_dtype(dtype):
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy config
        dtype = dtype.get("config", {}).get("name", dtype)
    dtype = dtype or backend.floatx()
    if dtype != "float32" and dtype != backend.floatx():
        raise ValueError(
            f"keraslite computes in float32 only. Received: dtype={dtype}"
        )
    return str(dtype)


def _input_shape_from_kwargs(kwargs):
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])[1:]
    if kwargs.get("input_shape") is not None:
        return tuple(kwargs["input_shape"])
    if kwargs.get("input_dim") is not None:
        return (int(kwargs["input_dim"]),)
    return None
