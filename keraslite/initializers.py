"""Weight initializers with Keras's distributions, defaults and configs.

An initializer is called as `init(shape, dtype=None)` and returns a new
float32 array. A seeded initializer returns the same values on every call,
as in Keras; an unseeded one draws from keraslite's global RNG, which
`keraslite.utils.set_random_seed` makes reproducible.
"""
import math

import numpy as np

from keraslite import backend
from keraslite.registry import lookup, serialize_object
from keraslite import registry


def compute_fans(shape, input_axes=None, output_axes=None):
    """Returns `(fan_in, fan_out)` for a weight shape, by Keras's rules."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = int(np.prod([shape[a] for a in input_axes]))
        fan_out = int(np.prod([shape[a] for a in output_axes]))
        return fan_in, fan_out
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _dtype(dtype):
    return np.dtype(dtype or backend.floatx())


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype)."
        )

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


class Zeros(Initializer):
    """Initializer that generates arrays of zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    """Initializer that generates arrays of ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=_dtype(dtype))


class Constant(Initializer):
    """Initializer that fills arrays with one value.

    Args:
        value: The scalar to fill with.
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    """Initializer that generates an identity matrix times `gain` (2D only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the optional integer seed."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(
                "`seed` argument should be an integer or None. "
                f"Received: seed={seed}"
            )
        self.seed = seed

    def _rng(self):
        return backend.make_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _truncated_normal(rng, shape, mean, stddev):
    """Normal samples redrawn until within two standard deviations."""
    size = int(np.prod(shape))
    out = rng.standard_normal(size)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return (out * stddev + mean).reshape(shape)


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution (mean=0.0, stddev=0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = self._rng().normal(self.mean, self.stddev, size=shape)
        return values.astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal draws (mean=0.0, stddev=0.05) truncated at two stddevs."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._rng(), shape, self.mean, self.stddev)
        return values.astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Draws from a uniform distribution on [minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = self._rng().uniform(self.minval, self.maxval, size=shape)
        return values.astype(_dtype(dtype))

    def get_config(self):
        return {
            **super().get_config(),
            "minval": self.minval,
            "maxval": self.maxval,
        }


class VarianceScaling(RandomInitializer):
    """Scales its distribution to the fan-in, fan-out or their average.

    Args:
        scale: Positive scaling factor.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: Optional integer seed.
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if scale <= 0.0:
            raise ValueError(
                "Argument `scale` must be positive float. "
                f"Received: scale={scale}"
            )
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(
                f"Invalid `mode` argument: {mode}. "
                f"Please use one of {allowed_modes}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}."
                f"Please use one of {allowed}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {
            "fan_in": fan_in,
            "fan_out": fan_out,
            "fan_avg": (fan_in + fan_out) / 2.0,
        }[self.mode]
        scale = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            # NOTE: 0.8796... is the stddev of a unit normal truncated at 2.
            stddev = math.sqrt(scale) / 0.87962566103423978
            values = _truncated_normal(rng, shape, 0.0, stddev)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), size=shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, size=shape)
        return values.astype(_dtype(dtype))

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed."""

    _args = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._args
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {
            "seed": self.seed,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class GlorotUniform(_FixedVarianceScaling):
    """Uniform on [-limit, limit], `limit = sqrt(6 / (fan_in + fan_out))`."""

    _args = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal, `stddev = sqrt(2 / (fan_in + fan_out))`."""

    _args = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform on [-limit, limit], `limit = sqrt(6 / fan_in)`."""

    _args = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal, `stddev = sqrt(2 / fan_in)`."""

    _args = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform on [-limit, limit], `limit = sqrt(3 / fan_in)`."""

    _args = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal, `stddev = sqrt(1 / fan_in)`."""

    _args = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times `gain`, from the QR of a normal draw."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        num_rows = int(np.prod(shape[:-1]))
        num_cols = shape[-1]
        flat = (max(num_cols, num_rows), min(num_cols, num_rows))
        q, r = np.linalg.qr(self._rng().normal(size=flat))
        q *= np.sign(np.diag(r))
        if num_rows < num_cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


ALL_INITIALIZERS = {
    cls.__name__: cls
    for cls in (
        Zeros,
        Ones,
        Constant,
        Identity,
        RandomNormal,
        TruncatedNormal,
        RandomUniform,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeUniform,
        HeNormal,
        LecunUniform,
        LecunNormal,
        Orthogonal,
    )
}
registry.register_builtins("initializers", ALL_INITIALIZERS)
_ALIASES = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "identity": Identity,
    "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "random_uniform": RandomUniform,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    # Keras 3's short aliases (used by its RNN cell examples).
    "normal": RandomNormal,
    "one": Ones,
    "uniform": RandomUniform,
    "zero": Zeros,
    "IdentityInitializer": Identity,
    "OrthogonalInitializer": Orthogonal,
}
_REGISTRY = {**ALL_INITIALIZERS, **_ALIASES}


def serialize(initializer):
    """Returns the Keras 3 config dict of an initializer."""
    return serialize_object(initializer, "keras.initializers")


def deserialize(config):
    """Rebuilds an initializer from a Keras config dict."""
    cls = lookup(_REGISTRY, config.get("class_name"), "initializer")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Returns an initializer from a name, config dict, class or instance.

    Example:
    >>> keraslite.initializers.get("glorot_uniform")((2, 3)).shape
    (2, 3)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup(_REGISTRY, identifier, "initializer")()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
