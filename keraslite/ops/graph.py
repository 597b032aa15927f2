"""What every op shares: reading its inputs and recording its gradient.

An op computes its value with NumPy on plain arrays and, when a tape is
active and an input needs a gradient, records `backward(g)`: the gradient
of each input given the gradient `g` of the output. A backward never
changes `g` in place and never returns the same array for two inputs
(layers may overwrite the gradient they receive).
"""
import numpy as np

from keraslite import autodiff, backend


def read(x):
    """The array of `x`, and the value that stands for it on the tape.

    Variables become their leaf Tensor on the active tape (so their
    gradient is recorded), other inputs stay as they are.
    """
    from keraslite.layers.layer import Variable

    if isinstance(x, Variable):
        tape = autodiff.current_tape()
        if tape is not None:
            x = tape.leaf(x)
            return x.value, x
        return x.value, x.value
    if isinstance(x, autodiff.Tensor):
        return x.value, x
    if isinstance(x, (np.ndarray, int, float, bool, np.generic)):
        return x, x  # Python numbers stay weakly typed, as in NumPy 2
    array = as_array(x)
    return array, array


def as_array(x, dtype=None):
    """NumPy array of `x`; Python floats become floatx, as in Keras."""
    if isinstance(x, autodiff.Tensor):
        x = x.value
    if dtype is not None:
        return np.asarray(x, dtype=dtype)
    array = np.asarray(x)
    if array.dtype == np.float64 and not isinstance(x, np.ndarray):
        array = array.astype(backend.floatx())
    return array


def symbolic(fn):
    """`fn` that also accepts KerasTensors (see `ops/symbolic.py`)."""
    from keraslite.ops.node import KerasTensor

    def op(*args, **kwargs):
        for arg in args:
            if isinstance(arg, KerasTensor) or (
                    isinstance(arg, (list, tuple))
                    and any(isinstance(a, KerasTensor) for a in arg)):
                from keraslite.ops.symbolic import call_symbolic

                return call_symbolic(fn, args, kwargs)
        return fn(*args, **kwargs)

    op.__name__, op.__qualname__, op.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    op.__module__, op.__wrapped__ = fn.__module__, fn
    return op


def record(value, inputs, backward):
    """Returns `value`, recorded as a Tensor when an input needs a gradient.

    Args:
        value: The op's output array.
        inputs: The tape values of the op's inputs (from `read`).
        backward: `backward(g) -> tuple of input gradients` (None where an
            input needs none).
    """
    tape = autodiff.current_tape()
    if tape is None or not any(autodiff.needs_grad(x) for x in inputs):
        return value
    out = autodiff.Tensor(value, requires_grad=True)

    def run(grads):
        g = grads[0]
        if g is None:
            return (None,) * len(inputs)
        in_grads = list(backward(g))
        _distinct(in_grads)
        return in_grads

    tape.record(run, inputs, [out])
    return out


def record_many(values, inputs, backward):
    """As `record`, for an op with several outputs (`backward(grads)`)."""
    tape = autodiff.current_tape()
    if tape is None or not any(autodiff.needs_grad(x) for x in inputs):
        return list(values)
    outs = [autodiff.Tensor(v, requires_grad=True) for v in values]

    def run(grads):
        grads = [np.zeros_like(v) if g is None else g
                 for g, v in zip(grads, values)]
        in_grads = list(backward(grads))
        _distinct(in_grads)
        return in_grads

    tape.record(run, inputs, outs)
    return outs


def _distinct(grads):
    for i, g in enumerate(grads):
        if g is not None and any(g is other for other in grads[:i]):
            grads[i] = g.copy()


def unbroadcast(grad, shape):
    """Sums `grad` over the axes along which an input of `shape` was broadcast."""
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def grad_cast(grad, array):
    """The gradient in the input's dtype; None for non-float inputs."""
    if np.asarray(array).dtype.kind not in "fc":
        return None
    return grad if grad.dtype == array.dtype else grad.astype(array.dtype)
