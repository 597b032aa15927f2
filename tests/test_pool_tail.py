"""Pooling with strides == pool_size on sizes the windows do not divide: the
backward zeroes only the tail past the last window (the rest of `dx` is
written window by window), which must equal zero-filling all of `dx` first,
also when the reused buffer holds stale values."""
import numpy as np
import pytest

import keraslite
from keraslite import autodiff

L = keraslite.layers

CASES = [  # (make, input shape)
    (lambda: L.MaxPooling2D(), (2, 11, 11, 3)),
    (lambda: L.MaxPooling2D((2, 3)), (2, 7, 10, 2)),
    (lambda: L.MaxPooling2D(3), (2, 9, 8, 2)),
    (lambda: L.MaxPooling2D(2, data_format="channels_first"), (2, 3, 7, 6)),
    (lambda: L.MaxPooling1D(), (3, 9, 2)),
    (lambda: L.MaxPooling1D(2, data_format="channels_first"), (2, 3, 7)),
    (lambda: L.AveragePooling2D(2), (2, 11, 9, 3)),
    (lambda: L.AveragePooling1D(3), (2, 8, 3)),
]


def _backward(layer, x, fill_all=False):
    layer(x)
    g = layer._geometry(x.shape)
    assert g.tail  # these cases have a tail
    if fill_all:
        g.tail = None
    for buffer in layer._buffers.values():  # stale values in reused buffers
        buffer.fill(np.nan)
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape() as tape:
        out = layer._eager_call(t, training=True)
    dy = np.random.default_rng(1).normal(size=out.shape).astype(x.dtype)
    tape.gradient([(out, dy)])
    return t.grad


@pytest.mark.parametrize("make,shape", CASES, ids=[str(i) for i in range(len(CASES))])
def test_zeroing_the_tail_equals_zeroing_everything(make, shape):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=shape).astype("float32")  # ties too
    layer = make()
    _backward(layer, x)  # a first step allocates the buffers
    tail_dx = _backward(layer, x)
    full_dx = _backward(make(), x, fill_all=True)
    assert not np.isnan(tail_dx).any()
    np.testing.assert_array_equal(tail_dx, full_dx)
