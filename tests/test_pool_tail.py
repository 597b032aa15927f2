"""Pooling with strides == pool_size on sizes the windows do not divide: the
backward zeroes only the tail past the last window (the rest of `dx` is
written window by window), which must equal zero-filling all of `dx` first,
also when the reused buffer holds stale values."""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_pool_norm import POOL_NORM_CASES
from keraslite import autodiff
from keraslite.layers.pooling import base_pooling

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


# --- chunks: the batch goes through `CHUNK_BYTES` of input at a time ---------------

POOLING = [c for c in POOL_NORM_CASES if "Pooling" in c[0] and "Global" not in c[0]]


def _pass(make, x):
    layer = make(L)
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape() as tape:
        out = layer._eager_call(t, training=True)
    dy = np.random.default_rng(1).normal(size=out.shape).astype(x.dtype)
    tape.gradient([(out, dy)])
    return np.array(out.value, copy=True), t.grad


@pytest.mark.parametrize("name,make,shapes,kind", POOLING, ids=[c[0] for c in POOLING])
def test_one_image_per_chunk_gives_the_bits_of_the_whole_batch(monkeypatch, name, make,
                                                               shapes, kind):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5,) + tuple(shapes[0][1:])).astype("float32")
    x[1] = np.round(x[1])  # ties for max pooling
    monkeypatch.setattr(base_pooling, "CHUNK_BYTES", 1 << 40)
    whole = _pass(make, x)
    monkeypatch.setattr(base_pooling, "CHUNK_BYTES", 1)
    chunked = _pass(make, x)
    for a, b in zip(whole, chunked):
        np.testing.assert_array_equal(a, b, err_msg=name)
