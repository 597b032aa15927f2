"""`keras.ops` neural-network functions, each beside its gradient."""
import numpy as np

from keraslite.ops.graph import read, record
from keraslite.ops.numpy import as_float


def relu(x):
    """`max(x, 0)`; the gradient passes where the output is positive."""
    a, t = read(x)
    out = np.maximum(a, 0)
    return record(out, (t,), lambda g: (g * (out > 0),))


def sigmoid(x):
    """`1 / (1 + exp(-x))`, computed without overflow."""
    a, t = read(x)
    a = as_float(a)
    # NOTE: exp of a large negative number only, never of a large positive one.
    e = np.exp(-np.abs(a))
    out = np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype)
    return record(out, (t,), lambda g: (g * out * (1 - out),))


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis`."""
    a, t = read(x)
    a = as_float(a)
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    out = e / np.sum(e, axis=axis, keepdims=True)
    return record(out, (t,), lambda g: (
        out * (g - np.sum(g * out, axis=axis, keepdims=True)),))


def log_softmax(x, axis=-1):
    """`x - log(sum(exp(x)))` along `axis`."""
    a, t = read(x)
    a = as_float(a)
    shifted = a - np.max(a, axis=axis, keepdims=True)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return record(out, (t,), lambda g: (
        g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),))


__all__ = ["log_softmax", "relu", "sigmoid", "softmax"]
