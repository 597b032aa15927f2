"""The layers functional models need, in float64: each one's hand-written
(or ops-recorded) backward against central differences, input and weight
gradients, over the same table the parity rows use."""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_models import LAYER_CASES
from keraslite import autodiff
from tests.ops_cases import inputs
from tests.test_gradcheck import numeric_grad


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


@pytest.mark.parametrize("name,make,shapes,kind", LAYER_CASES,
                         ids=[c[0] for c in LAYER_CASES])
def test_layer_gradients_match_central_differences(float64, name, make, shapes, kind):
    arrays = inputs(shapes, kind, seed=3, dtype="float64")
    one = len(arrays) == 1
    layer = make(keraslite.layers)
    value = np.asarray(layer(arrays[0] if one else list(arrays)))
    if layer.get_weights():
        rng = np.random.default_rng(4)
        layer.set_weights([rng.normal(0.5, 0.2, w.shape) for w in layer.get_weights()])
        value = np.asarray(layer(arrays[0] if one else list(arrays)))
    dy = np.random.default_rng(5).normal(size=value.shape)
    tensors = [autodiff.Tensor(a.copy(), requires_grad=True) for a in arrays]
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(tensors[0] if one else tensors)
    weight_grads = tape.gradient([(out, dy.copy())])

    def objective():
        return float(np.sum(np.asarray(layer(arrays[0] if one else list(arrays))) * dy))

    for i, (a, t) in enumerate(zip(arrays, tensors)):
        np.testing.assert_allclose(t.grad, numeric_grad(objective, a),
                                   rtol=1e-6, atol=1e-8, err_msg=f"{name} input {i}")
    for var in layer.trainable_weights:
        np.testing.assert_allclose(weight_grads[id(var)],
                                   numeric_grad(objective, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=f"{name} {var.name}")
