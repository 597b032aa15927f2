"""`keras.ops` core functions: conversion, casting, shapes."""
import numpy as np

from keraslite import autodiff
from keraslite.ops.graph import as_array, read, record


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` as an array (Python floats as floatx); recorded tensors stay."""
    if sparse or ragged:
        raise ValueError("keraslite supports dense tensors only.")
    from keraslite.ops.node import KerasTensor

    if isinstance(x, KerasTensor):
        return x
    value, tape_value = read(x)
    if isinstance(tape_value, autodiff.Tensor):
        return tape_value if dtype is None else cast(tape_value, dtype)
    return as_array(value, dtype)


def convert_to_numpy(x):
    """A NumPy array of `x`."""
    return np.array(read(x)[0])


def cast(x, dtype):
    """`x` converted to `dtype`; gradients flow between float types."""
    a, t = read(x)
    a = np.asarray(a)
    out = a.astype(dtype)
    if out.dtype.kind not in "fc":
        return out
    return record(out, (t,), lambda g: (
        g.astype(a.dtype) if a.dtype.kind in "fc" else None,))


def shape(x):
    """The shape of `x` as a tuple (a KerasTensor's static shape)."""
    from keraslite.ops.node import KerasTensor

    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(np.shape(read(x)[0]))


def stop_gradient(variable):
    """The value of `variable`, with no gradient flowing back through it."""
    return np.asarray(read(variable)[0])


__all__ = ["cast", "convert_to_numpy", "convert_to_tensor", "shape",
           "stop_gradient"]
