"""Learning rate schedules: `lr = schedule(step)`, as `keras.optimizers.schedules`.

An optimizer given a schedule evaluates it at its `iterations` before every
update. Each schedule computes in float32, operation for operation as
Keras 3 does, so the values match Keras's to float32 rounding.

Example:
>>> lr = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.96)
>>> optimizer = keraslite.optimizers.SGD(learning_rate=lr)
"""
import math

import numpy as np

from keraslite.registry import lookup, serialize_object
from keraslite import registry

_F32 = np.float32


# NOTE: TensorFlow's scalar cos, log and pow are (nearly always) correctly
# rounded, while NumPy's float32 versions are often 1 ulp off. Computing them
# in float64 and rounding to float32 reproduces Keras's values bit for bit
# at almost every step; everything else stays in float32, as in Keras.
def _cos(x):
    return _F32(np.cos(np.float64(x)))


def _log(x):
    return _F32(np.log(np.float64(x)))


def _pow(x, y):
    return _F32(np.power(np.float64(x), np.float64(y)))


class LearningRateSchedule:
    """Base class: subclasses define `__call__(step)` and `get_config()`.

    Example:
    >>> class MyLRSchedule(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step):
    ...         return self.initial_learning_rate / (step + 1)
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        """Instantiates a schedule from the output of `get_config()`."""
        return cls(**config)


def _check_decay_steps(value, name="decay_steps"):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class _StepDecay(LearningRateSchedule):
    """Shared by the schedules driven by `step / decay_steps` and a rate."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps(decay_steps)

    def _progress(self, step):
        """`step / decay_steps` in float32, floored with `staircase`."""
        p = _F32(step) / _F32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_StepDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: Float, the initial learning rate.
        decay_steps: Positive integer.
        decay_rate: Float, the decay rate.
        staircase: If True, `step / decay_steps` is floored (decay at
            discrete intervals).
        name: Name of the schedule.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate,
                         staircase, name)

    def __call__(self, step):
        rate = _pow(_F32(self.decay_rate), self._progress(step))
        return _F32(self.initial_learning_rate) * rate

class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[1]` while
    `step <= boundaries[1]`, ..., and `values[-1]` after the last boundary.

    Args:
        boundaries: Strictly increasing list of step numbers.
        values: List with one more element than `boundaries`.
        name: Name of the schedule.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} "
                f"of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = np.asarray(step)
        # As Keras: boundaries take the step's dtype (an integer step
        # truncates float boundaries), results take the values' dtype.
        if step.dtype.kind == "f":
            step = step.astype(np.float32)
        boundaries = [np.asarray(b).astype(step.dtype) for b in self.boundaries]
        values = [_as_float32(v) for v in self.values]
        result = values[0] * (step <= boundaries[0])
        result = result + values[-1] * (step > boundaries[-1])
        for low, high, value in zip(boundaries[:-1], boundaries[1:],
                                    values[1:-1]):
            result = result + value * ((step > low) & (step <= high))
        return result.astype(values[0].dtype)[()]

    def get_config(self):
        return {
            "boundaries": self.boundaries,
            "values": self.values,
            "name": self.name,
        }


class PolynomialDecay(LearningRateSchedule):
    """Decays to `end_learning_rate` over `decay_steps` along a polynomial:

    ```
    step = min(step, decay_steps)
    lr = (initial - end) * (1 - step / decay_steps) ** power + end
    ```
    With `cycle=True` the decay restarts, over the first multiple of
    `decay_steps` larger than `step`.

    Args:
        initial_learning_rate: Float, the initial learning rate.
        decay_steps: Positive integer.
        end_learning_rate: Float, the final learning rate (0.0001).
        power: Power of the polynomial (1.0, linear).
        cycle: Whether to cycle beyond `decay_steps`.
        name: Name of the schedule.
    """

    def __init__(self, initial_learning_rate, decay_steps,
                 end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        initial = _F32(self.initial_learning_rate)
        end = _F32(self.end_learning_rate)
        power = _F32(self.power)
        step = _F32(step)
        decay_steps = _F32(self.decay_steps)
        if self.cycle:
            multiplier = _F32(1.0) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (initial - end) * _pow(_F32(1) - p, power) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(_StepDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: Float, the initial learning rate.
        decay_steps: How often to apply decay.
        decay_rate: Float, the decay rate.
        staircase: If True, `step / decay_steps` is floored.
        name: Name of the schedule.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate,
                         staircase, name)

    def __call__(self, step):
        denom = _F32(1) + _F32(self.decay_rate) * self._progress(step)
        return _F32(self.initial_learning_rate) / denom

class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, SGDR), with an optional linear warmup.

    Without `warmup_target`:
    ```
    step = min(step, decay_steps)
    decayed = (1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha
    lr = initial_learning_rate * decayed
    ```
    With `warmup_target`, the rate first rises linearly from
    `initial_learning_rate` to `warmup_target` over `warmup_steps`, then
    decays from `warmup_target` as above over `decay_steps`.

    Args:
        initial_learning_rate: Float, the initial learning rate.
        decay_steps: Number of steps to decay over.
        alpha: Minimum learning rate, as a fraction of the decay's start.
        name: Name of the schedule.
        warmup_target: Float or None (no warmup).
        warmup_steps: Number of warmup steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0,
                 name="CosineDecay", warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _decay_function(self, step, decay_steps, decay_from_lr):
        completed_fraction = step / decay_steps
        cosine_decayed = _F32(0.5) * (
            _F32(1.0) + _cos(_F32(math.pi) * completed_fraction)
        )
        decayed = _F32(1 - self.alpha) * cosine_decayed + _F32(self.alpha)
        return decay_from_lr * decayed

    def __call__(self, step):
        initial = _F32(self.initial_learning_rate)
        decay_steps = _F32(self.decay_steps)
        step = _F32(step)
        if self.warmup_target is None:
            return self._decay_function(min(step, decay_steps), decay_steps,
                                        initial)
        warmup_target = _F32(self.warmup_target)
        warmup_steps = _F32(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            completed_fraction = step / warmup_steps
            return (warmup_target - initial) * completed_fraction + initial
        return self._decay_function(step - warmup_steps, decay_steps,
                                    warmup_target)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The multiplier decays from 1 to `alpha` over `first_decay_steps`, then
    restarts; each period lasts `t_mul` times longer than the previous one
    and starts from `m_mul` times its initial rate.

    Args:
        initial_learning_rate: Float, the initial learning rate.
        first_decay_steps: Number of steps of the first period.
        t_mul: Growth of each period's length (2.0).
        m_mul: Factor on each period's initial rate (1.0).
        alpha: Minimum learning rate, as a fraction of the initial one.
        name: Name of the schedule.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0,
                 m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_decay_steps(first_decay_steps, "first_decay_steps")

    def __call__(self, step):
        initial = _F32(self.initial_learning_rate)
        alpha = _F32(self.alpha)
        t_mul = _F32(self._t_mul)
        m_mul = _F32(self._m_mul)
        completed_fraction = _F32(step) / _F32(self.first_decay_steps)
        one = _F32(1.0)
        if t_mul == one:
            i_restart = np.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            i_restart = np.floor(
                _log(one - completed_fraction * (one - t_mul)) / _log(t_mul)
            )
            sum_r = (one - _pow(t_mul, i_restart)) / (one - t_mul)
            completed_fraction = (completed_fraction - sum_r) / _pow(t_mul, i_restart)
        m_fac = _pow(m_mul, i_restart)
        cosine_decayed = _F32(0.5) * m_fac * (
            one + _cos(_F32(math.pi) * completed_fraction)
        )
        decayed = (one - alpha) * cosine_decayed + alpha
        return initial * decayed

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def _as_float32(value):
    value = np.asarray(value)
    if value.dtype.kind == "f":
        return value.astype(np.float32)[()]
    return value[()]


ALL_SCHEDULES = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}
registry.register_builtins("schedules", ALL_SCHEDULES)


def serialize(learning_rate_schedule):
    """Returns the Keras 3 config dict of a schedule.

    Example:
    >>> serialize(ExponentialDecay(0.1, 100, 0.96))["class_name"]
    'ExponentialDecay'
    """
    return serialize_object(learning_rate_schedule, "keras.optimizers.schedules")


def deserialize(config, custom_objects=None):
    """Rebuilds a schedule from `serialize()` output (or a Keras config)."""
    registry = {**ALL_SCHEDULES, **(custom_objects or {})}
    if isinstance(config, str):
        return lookup(registry, config, "decay")()
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Could not interpret serialized decay: expected a dict with "
            f"'class_name' and 'config'. Received: config={config!r}"
        )
    cls = lookup(registry, config["class_name"], "decay")
    return cls.from_config(config.get("config") or {})
