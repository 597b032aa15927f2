"""The benchmark's hand-written NumPy loop (benchmarks/numpy_loop.py) does
keraslite's training step: same weights and History as keraslite's fit."""
import numpy as np
import pytest

import keraslite
from benchmarks import numpy_loop
from keraslite import layers


def _model(hidden):
    model = keraslite.Sequential([
        keraslite.Input((32,)), layers.Dense(hidden, activation="relu"),
        layers.Dense(10, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    return model


# 32 x 2100 kernel: more than one 64K block of RMSprop; 300 / 64: a last, smaller batch
@pytest.mark.parametrize("n, batch_size, hidden", [(300, 64, 16), (256, 128, 2100)])
def test_numpy_loop_trains_as_keraslite_fit(n, batch_size, hidden):
    rng = np.random.default_rng(3)
    x = rng.random((n, 32), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    keraslite.utils.set_random_seed(0)
    model = _model(hidden)
    weights = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=batch_size, epochs=3, shuffle=False,
                        verbose=0).history
    seconds, epoch_s, loop_history = numpy_loop.train(
        x, y, batch_size, 3, weights, shuffle=False)
    assert seconds > 0 and len(epoch_s) == 3
    for ours, theirs in zip(weights, model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    np.testing.assert_allclose(loop_history["loss"], history["loss"], rtol=1e-6)
    np.testing.assert_allclose(loop_history["accuracy"], history["accuracy"], rtol=1e-6)


def test_glorot_weights_are_keras_defaults():
    w1, b1, w2, b2 = numpy_loop.glorot_weights(784, 512, 10)
    assert w1.dtype == np.float32 and w1.shape == (784, 512)
    assert np.abs(w1).max() <= np.sqrt(6 / (784 + 512))
    assert not b1.any() and not b2.any() and w2.shape == (512, 10)
