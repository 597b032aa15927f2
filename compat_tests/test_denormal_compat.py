"""Subnormal floats: Keras's TensorFlow kernels flush them to zero, and so
do keraslite's fit, evaluate and predict (keraslite.utils.denormal)."""
import numpy as np
import pytest

import keraslite
from keraslite.utils import denormal

TINY = np.float32(1e-20)  # TINY * TINY = 1e-40: a float32 subnormal

pytestmark = pytest.mark.skipif(
    not denormal.supported(),
    reason="flushing subnormals needs Linux on x86-64 (a no-op elsewhere)")


def scaled(lib):
    """Dense output 4e-40 (subnormal), scaled up by 1e30."""
    model = lib.Sequential([lib.Input((4,)),
                            lib.layers.Dense(1, use_bias=False),
                            lib.layers.Rescaling(1e30)])
    model.set_weights([np.full((4, 1), TINY, np.float32)])
    model.compile(optimizer="rmsprop", loss="mse")
    return model


def test_predict_and_evaluate_flush_as_keras():
    import keras

    x = np.full((8, 4), TINY, np.float32)
    y = np.ones((8, 1), np.float32)
    ours, theirs = scaled(keraslite), scaled(keras)
    expected = theirs.predict(x, verbose=0)
    assert np.all(expected == 0)  # TensorFlow flushed 4e-40 to 0
    np.testing.assert_array_equal(ours.predict(x, verbose=0), expected)
    np.testing.assert_array_equal(ours.predict(x, batch_size=3, verbose=0),
                                  expected)
    assert ours.evaluate(x, y, verbose=0) == theirs.evaluate(x, y, verbose=0)


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "nadam"])
def test_subnormal_optimizer_slots_flush_as_keras(optimizer):
    """Gradients ~1e-20: their squares (the velocities) are subnormal, 0 in
    Keras; keraslite's slots and weights after fit equal Keras's exactly."""
    import keras

    x = np.full((8, 4), TINY, np.float32)
    y = np.ones((8, 1), np.float32)
    models = []
    for lib in (keraslite, keras):
        model = lib.Sequential([lib.Input((4,)),
                                lib.layers.Dense(1, use_bias=False)])
        model.set_weights([np.full((4, 1), 0.5, np.float32)])
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
        models.append(model)
    ours, theirs = models
    np.testing.assert_array_equal(ours.get_weights()[0],
                                  theirs.get_weights()[0])
    slots = [np.asarray(v) for v in ours.optimizer.variables[2:]]
    expected = [np.asarray(v) for v in theirs.optimizer.variables[2:]]
    assert len(slots) == len(expected)
    for mine, ref in zip(slots, expected):
        np.testing.assert_array_equal(mine, ref)
    assert any(np.all(ref == 0) for ref in expected)  # a flushed slot
