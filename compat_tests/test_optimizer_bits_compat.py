"""keraslite's optimizers step by step against Keras on TensorFlow, bit for
bit: each update is Keras's elementwise expression in Keras's order of
operations, so the weights and slots after many steps are *equal*, not just
close (the parity table allows 1e-5). Variables larger than one block of the
update (`optimizers/optimizer.py` `_BLOCK`) check the blocked path too."""
import numpy as np
import pytest

import keraslite
from keraslite.optimizers import optimizer as optimizer_module

keras = pytest.importorskip("keras")

SHAPES = [(3 * optimizer_module._BLOCK // 128 + 5, 128), (7,), (33, 10)]

CASES = {
    "RMSprop": {},
    "RMSprop-centered": {"centered": True, "learning_rate": 0.01},
    "RMSprop-momentum": {"momentum": 0.9, "rho": 0.8},
    "Adam": {"learning_rate": 0.01},
    "Adam-amsgrad": {"amsgrad": True},
    "SGD-momentum": {"learning_rate": 0.05, "momentum": 0.9},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_update_equals_keras_bit_for_bit(name):
    keras.backend.clear_session()
    keraslite.backend.clear_session()
    rng = np.random.default_rng(3)
    cls = name.split("-")[0]
    init = [rng.normal(size=s).astype("float32") for s in SHAPES]
    ours_vars = [keraslite.Variable(w.copy(), name=f"w{i}") for i, w in enumerate(init)]
    theirs_vars = [keras.Variable(w.copy(), name=f"w{i}") for i, w in enumerate(init)]
    ours = getattr(keraslite.optimizers, cls)(**CASES[name])
    theirs = getattr(keras.optimizers, cls)(**CASES[name])
    ours.build(ours_vars)
    for step in range(12):
        grads = [(rng.normal(size=s) * (3.0 if step % 5 == 0 else 0.1)).astype("float32")
                 for s in SHAPES]
        ours.apply([g.copy() for g in grads], ours_vars)
        theirs.apply(grads, theirs_vars)
    for o, k in zip(ours_vars, theirs_vars):
        np.testing.assert_array_equal(o.value, np.asarray(k))
    for o, k in zip(ours.variables, theirs.variables):
        np.testing.assert_array_equal(np.asarray(o.numpy()), np.asarray(k))
