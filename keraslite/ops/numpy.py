"""`keras.ops` functions of NumPy's meaning, each beside its gradient.

Each op reads its inputs (`read`), computes its value with NumPy and
returns it, recorded with its `backward(g)` when a tape is active and an
input needs a gradient (see `ops/graph.py`).
"""
import builtins

import numpy as np

from keraslite.ops.graph import as_array, read, record, record_many
from keraslite.ops.graph import unbroadcast


# --- elementwise arithmetic ------------------------------------------------------
def add(x1, x2):
    """`x1 + x2`, with broadcasting."""
    (a, ta), (b, tb) = read(x1), read(x2)
    return record(np.add(a, b), (ta, tb), lambda g: (
        unbroadcast(g, np.shape(a)), unbroadcast(g, np.shape(b))))


def subtract(x1, x2):
    """`x1 - x2`, with broadcasting."""
    (a, ta), (b, tb) = read(x1), read(x2)
    return record(np.subtract(a, b), (ta, tb), lambda g: (
        unbroadcast(g, np.shape(a)), unbroadcast(-g, np.shape(b))))


def multiply(x1, x2):
    """`x1 * x2`, with broadcasting."""
    (a, ta), (b, tb) = read(x1), read(x2)
    return record(np.multiply(a, b), (ta, tb), lambda g: (
        unbroadcast(g * b, np.shape(a)), unbroadcast(g * a, np.shape(b))))


def divide(x1, x2):
    """`x1 / x2`, with broadcasting (true division)."""
    (a, ta), (b, tb) = read(x1), read(x2)
    out = np.true_divide(a, b)
    return record(out, (ta, tb), lambda g: (
        unbroadcast(g / b, np.shape(a)),
        unbroadcast(-g * out / b, np.shape(b))))


def power(x1, x2):
    """`x1 ** x2`, with broadcasting."""
    (a, ta), (b, tb) = read(x1), read(x2)
    out = np.power(a, b)

    def backward(g):
        da = unbroadcast(g * b * np.power(a, b - 1), np.shape(a))
        db = None
        if tb is not b:  # the exponent is a recorded tensor
            safe = np.where(a > 0, a, 1)
            db = unbroadcast(g * out * np.log(safe) * (a > 0), np.shape(b))
        return da, db

    return record(out, (ta, tb), backward)


def negative(x):
    """`-x`."""
    a, t = read(x)
    return record(np.negative(a), (t,), lambda g: (-g,))


def abs(x):
    """`|x|` (gradient `sign(x)`, 0 at 0)."""
    a, t = read(x)
    return record(np.abs(a), (t,), lambda g: (g * np.sign(a),))


absolute = abs


def square(x):
    """`x * x`."""
    a, t = read(x)
    return record(np.square(a), (t,), lambda g: (g * 2 * a,))


def sqrt(x):
    """Square root."""
    a, t = read(x)
    out = np.sqrt(as_float(a))
    return record(out, (t,), lambda g: (g * 0.5 / out,))


def exp(x):
    """`e ** x`."""
    a, t = read(x)
    out = np.exp(as_float(a))
    return record(out, (t,), lambda g: (g * out,))


def log(x):
    """Natural logarithm."""
    a, t = read(x)
    return record(np.log(as_float(a)), (t,), lambda g: (g / a,))


def tanh(x):
    """Hyperbolic tangent."""
    a, t = read(x)
    out = np.tanh(as_float(a))
    return record(out, (t,), lambda g: (g * (1 - out * out),))


def maximum(x1, x2):
    """Elementwise maximum; ties send the gradient to `x1` (as TensorFlow)."""
    (a, ta), (b, tb) = read(x1), read(x2)
    first = np.greater_equal(a, b)
    return record(np.maximum(a, b), (ta, tb), lambda g: (
        unbroadcast(g * first, np.shape(a)), unbroadcast(g * ~first, np.shape(b))))


def minimum(x1, x2):
    """Elementwise minimum; ties send the gradient to `x1` (as TensorFlow)."""
    (a, ta), (b, tb) = read(x1), read(x2)
    first = np.less_equal(a, b)
    return record(np.minimum(a, b), (ta, tb), lambda g: (
        unbroadcast(g * first, np.shape(a)), unbroadcast(g * ~first, np.shape(b))))


def clip(x, x_min, x_max):
    """Clips `x` to `[x_min, x_max]`; the gradient passes inside the range."""
    a, t = read(x)
    inside = (a >= x_min) & (a <= x_max)
    return record(np.clip(a, x_min, x_max), (t,), lambda g: (g * inside,))


def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; with one argument, the
    indices where `condition` holds (as `np.nonzero`)."""
    cond = as_array(condition).astype(bool)
    if x1 is None and x2 is None:
        return np.nonzero(cond)
    if x1 is None or x2 is None:
        raise ValueError(
            "`x1` and `x2` either both should be `None` or both should have "
            "non-None value."
        )
    (a, ta), (b, tb) = read(x1), read(x2)
    return record(np.where(cond, a, b), (ta, tb), lambda g: (
        unbroadcast(np.where(cond, g, 0), np.shape(a)),
        unbroadcast(np.where(cond, 0, g), np.shape(b))))


# --- comparisons (no gradient) ----------------------------------------------------
def _compare(fn):
    def op(x1, x2):
        return fn(read(x1)[0], read(x2)[0])

    op.__name__ = fn.__name__
    op.__doc__ = f"Elementwise `{fn.__name__}` (a boolean array, no gradient)."
    return op


less = _compare(np.less)
less_equal = _compare(np.less_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
equal = _compare(np.equal)
not_equal = _compare(np.not_equal)


# --- products ----------------------------------------------------------------------
def matmul(x1, x2):
    """Matrix product with NumPy's broadcasting and 1-D rules."""
    (a, ta), (b, tb) = read(x1), read(x2)
    out = np.matmul(a, b)

    def backward(g):
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        da = np.matmul(g2, np.swapaxes(b2, -1, -2))
        db = np.matmul(np.swapaxes(a2, -1, -2), g2)
        if a.ndim == 1:
            da = np.squeeze(da, -2)
        if b.ndim == 1:
            db = np.squeeze(db, -1)
        return unbroadcast(da, a.shape), unbroadcast(db, b.shape)

    return record(out, (ta, tb), backward)


def dot(x1, x2):
    """`np.dot`: products over the last axis of `x1` and the second to last
    of `x2` (a scalar on either side multiplies)."""
    (a, ta), (b, tb) = read(x1), read(x2)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return multiply(x1, x2)
    if b.ndim == 1 or (a.ndim <= 2 and b.ndim == 2):
        return matmul(x1, x2)
    out = np.dot(a, b)

    def backward(g):
        na, nb = a.ndim, b.ndim
        g_axes = list(range(na - 1, na - 1 + nb - 2)) + [g.ndim - 1]
        da = np.tensordot(g, b, axes=(g_axes, list(range(nb - 2)) + [nb - 1]))
        db = np.tensordot(a, g, axes=(list(range(na - 1)), list(range(na - 1))))
        return da, np.moveaxis(db, 0, nb - 2)

    return record(out, (ta, tb), backward)


# --- reductions ---------------------------------------------------------------------
def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axis)


def _expand(g, shape, axis, keepdims):
    """A reduced gradient broadcast back to `shape`."""
    if not keepdims:
        for a in sorted(_axes(axis, len(shape))):
            g = np.expand_dims(g, a)
    return np.broadcast_to(g, shape)


def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (all axes by default)."""
    a, t = read(x)
    out = np.sum(a, axis=_tuple(axis), keepdims=keepdims)
    return record(out, (t,), lambda g: (
        np.array(_expand(g, a.shape, axis, keepdims)),))


def mean(x, axis=None, keepdims=False):
    """Mean over `axis` (all axes by default)."""
    a, t = read(x)
    out = np.mean(as_float(a), axis=_tuple(axis), keepdims=keepdims)
    count = a.size // builtins.max(1, np.size(out))
    return record(out, (t,), lambda g: (
        _expand(g, a.shape, axis, keepdims) / np.asarray(count, g.dtype),))


def _extreme(fn, x, axis, keepdims, initial):
    a, t = read(x)
    kwargs = {} if initial is None else {"initial": initial}
    out = fn(a, axis=_tuple(axis), keepdims=keepdims, **kwargs)

    def backward(g):
        # As TensorFlow: the gradient is shared equally between ties.
        full = _expand(out, a.shape, axis, keepdims)
        hits = (a == full).astype(g.dtype)
        count = np.sum(hits, axis=_axes(axis, a.ndim), keepdims=True)
        return (hits / np.maximum(count, 1) * _expand(g, a.shape, axis, keepdims),)

    return record(out, (t,), backward)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis` (all axes by default)."""
    return _extreme(np.max, x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis` (all axes by default)."""
    return _extreme(np.min, x, axis, keepdims, initial)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` (no gradient)."""
    return np.argmax(read(x)[0], axis=axis, keepdims=keepdims).astype("int32")


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis` (no gradient)."""
    return np.argmin(read(x)[0], axis=axis, keepdims=keepdims).astype("int32")


def _tuple(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# --- shapes --------------------------------------------------------------------------
def reshape(x, newshape):
    """`x` with shape `newshape` (one entry may be -1)."""
    a, t = read(x)
    newshape = tuple(-1 if d is None else d for d in _shape_tuple(newshape))
    return record(np.reshape(a, newshape), (t,), lambda g: (g.reshape(a.shape),))


def transpose(x, axes=None):
    """`x` with its axes permuted (reversed by default)."""
    a, t = read(x)
    out = np.transpose(a, axes)
    inverse = None if axes is None else np.argsort(axes)
    return record(out, (t,), lambda g: (np.transpose(g, inverse),))


def expand_dims(x, axis):
    """`x` with a new axis of size 1 at `axis`."""
    a, t = read(x)
    return record(np.expand_dims(a, axis), (t,), lambda g: (g.reshape(a.shape),))


def squeeze(x, axis=None):
    """`x` without its axes of size 1 (or only `axis`)."""
    a, t = read(x)
    return record(np.squeeze(a, axis), (t,), lambda g: (g.reshape(a.shape),))


def concatenate(xs, axis=0):
    """Joins the tensors `xs` along `axis`."""
    arrays, tapes = zip(*(read(x) for x in xs))
    out = np.concatenate(arrays, axis=axis)
    bounds = np.cumsum([a.shape[axis] for a in arrays])[:-1]
    return record(out, tapes, lambda g: tuple(np.split(g, bounds, axis=axis)))


def stack(x, axis=0):
    """Stacks the tensors `x` along a new axis `axis`."""
    arrays, tapes = zip(*(read(v) for v in x))
    out = np.stack(arrays, axis=axis)
    return record(out, tapes, lambda g: tuple(
        np.take(g, i, axis=axis) for i in range(len(arrays))))


def split(x, indices_or_sections, axis=0):
    """Splits `x` along `axis` into equal sections or at the given indices."""
    a, t = read(x)
    parts = np.split(a, indices_or_sections, axis=axis)
    return record_many(parts, (t,), lambda grads: (
        np.concatenate(grads, axis=axis),))


def get_item(x, key):
    """`x[key]`: NumPy's basic and advanced indexing."""
    a, t = read(x)
    key = _plain_key(key)

    def backward(g):
        grad = np.zeros_like(a)
        if _is_basic(key):
            grad[key] = g
        else:
            np.add.at(grad, key, g)  # repeated indices add up
        return (grad,)

    return record(a[key], (t,), backward)


def _plain_key(key):
    if isinstance(key, tuple):
        return tuple(_plain_key(k) for k in key)
    return read(key)[0] if not isinstance(key, (slice, type(None), type(Ellipsis))) \
        else key


def _is_basic(key):
    keys = key if isinstance(key, tuple) else (key,)
    return builtins.all(
        isinstance(k, (slice, int, np.integer, type(None), type(Ellipsis)))
        for k in keys
    )


def _shape_tuple(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(shape)


# --- creation ---------------------------------------------------------------------------
def ones_like(x, dtype=None):
    """Ones of the shape (and dtype) of `x`."""
    return np.ones_like(read(x)[0], dtype=dtype)


def zeros_like(x, dtype=None):
    """Zeros of the shape (and dtype) of `x`."""
    return np.zeros_like(read(x)[0], dtype=dtype)


def ones(shape, dtype=None):
    """An array of ones (floatx by default)."""
    from keraslite import backend

    return np.ones(_shape_tuple(shape), dtype=dtype or backend.floatx())


def zeros(shape, dtype=None):
    """An array of zeros (floatx by default)."""
    from keraslite import backend

    return np.zeros(_shape_tuple(shape), dtype=dtype or backend.floatx())


def as_float(a):
    """Integer inputs of float functions compute in floatx, as Keras."""
    from keraslite import backend

    a = np.asarray(a)
    return a if a.dtype.kind in "fc" else a.astype(backend.floatx())


__all__ = [
    "abs", "absolute", "add", "argmax", "argmin", "clip", "concatenate",
    "divide", "dot", "equal", "exp", "expand_dims", "get_item", "greater",
    "greater_equal", "less", "less_equal", "log", "matmul", "max", "maximum",
    "mean", "min", "minimum", "multiply", "negative", "not_equal", "ones",
    "ones_like", "power", "reshape", "split", "sqrt", "square", "squeeze",
    "stack", "subtract", "sum", "tanh", "transpose", "where", "zeros",
    "zeros_like",
]
