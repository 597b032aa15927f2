"""Layers that use a mask as Keras 3 does (issue 12), NumPy only: float64
central differences over the parity cases (compat_tests/parity_masks.py:
BatchNormalization's masked moments, Softmax's `mask`, Multiply, Maximum,
Minimum), exact properties of the masked values, masks reaching these layers
in models, and bad masks."""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_masks import (MASKED_CASES, case_inputs, ours_masked,
                                       set_case_weights)
from tests.test_gradcheck import float64, numeric_grad  # noqa: F401 (a fixture)

L = keraslite.layers


def _value(layer, x, mask, kwargs):
    return ours_masked(layer, x, mask, kwargs)[0]


@pytest.mark.parametrize("name,make,make_inputs,mask,kwargs", MASKED_CASES,
                         ids=[c[0] for c in MASKED_CASES])
def test_masked_gradients_match_central_differences(float64, name, make,
                                                    make_inputs, mask, kwargs):
    x = case_inputs(make_inputs, "float64")
    layer = make(L)
    layer.build([a.shape for a in x] if isinstance(x, list) else x.shape)
    set_case_weights(layer)
    moving = [w.copy() for w in layer.get_weights()]
    value, _, dy, dx, dw = ours_masked(layer, x, mask, kwargs)
    assert value.dtype == np.float64

    def objective():
        layer.set_weights([w.copy() for w in moving])  # moving stats step once
        return float(np.sum(_value(layer, x, mask, kwargs) * dy))

    arrays = x if isinstance(x, list) else [x]
    for i, (a, g) in enumerate(zip(arrays, dx)):
        np.testing.assert_allclose(g, numeric_grad(objective, a), rtol=1e-6,
                                   atol=1e-8, err_msg=f"{name} input {i}")
    for var, g in zip(layer.trainable_weights, dw):
        index = [id(v) for v in layer.weights].index(id(var))

        def objective_w(index=index):
            weights = [w.copy() for w in moving]
            weights[index] = var.value
            layer.set_weights(weights)
            return float(np.sum(_value(layer, x, mask, kwargs) * dy))

        np.testing.assert_allclose(g, numeric_grad(objective_w, var.value), rtol=1e-6,
                                   atol=1e-8, err_msg=f"{name} {var.name}")
    assert any(np.abs(g).max() > 0 for g in dx)  # the check is not vacuous


def test_batch_normalization_masked_moments_are_the_kept_positions():
    rng = np.random.default_rng(0)
    x = rng.normal(2, 3, (4, 6, 3)).astype("float32")
    mask = rng.random((4, 6)) > 0.5
    layer = L.BatchNormalization(momentum=0.0, epsilon=0.0)
    y = layer(x, training=True, mask=mask)
    kept = x[mask].astype("float64")
    np.testing.assert_allclose(layer.moving_mean.value, kept.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.value, kept.var(0), rtol=1e-4)
    # Every position is normalized by those moments, masked ones too.
    np.testing.assert_allclose(y, (x - kept.mean(0)) / kept.std(0), rtol=1e-4,
                               atol=1e-4)
    unmasked = L.BatchNormalization(momentum=0.0, epsilon=0.0)
    unmasked(x, training=True)
    assert not np.allclose(unmasked.moving_mean.value, layer.moving_mean.value)


def test_softmax_mask_values():
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 9.0]], "float32")
    mask = np.array([[True, False, True], [False, False, False]])
    y = L.Softmax()(x, mask=mask)
    e = np.exp([1.0, 3.0])
    np.testing.assert_allclose(y[0], [e[0] / e.sum(), 0.0, e[1] / e.sum()], rtol=1e-6)
    np.testing.assert_array_equal(y[1], 0.0)  # a fully masked row: zeros


def test_masked_merges_differ_from_plain_ones():
    a = np.array([[[1.0], [5.0]]], "float32")
    b = np.array([[[3.0], [2.0]]], "float32")
    keep_a = np.array([[True, False]])
    keep_b = np.array([[True, True]])
    autodiff = keraslite.autodiff
    autodiff.enter_call()
    try:
        out, mask = L.Maximum()._call_and_mask([a, b], [keep_a, keep_b], {})
        prod, _ = L.Multiply()._call_and_mask([a, b], [keep_a, None], {})
    finally:
        autodiff.exit_call()
    np.testing.assert_array_equal(out, [[[3.0], [2.0]]])  # a's masked 5 is out
    np.testing.assert_array_equal(mask, [[True, True]])
    np.testing.assert_array_equal(prod, [[[3.0], [2.0]]])  # a's masked 5 counts as 1


def _masked_model():
    ids = keraslite.Input((5,), dtype="int32")
    x = L.Embedding(7, 3, mask_zero=True)(ids)
    x = L.BatchNormalization()(x)
    return keraslite.Model(ids, L.LSTM(2)(x))


def test_mask_reaches_batch_normalization_in_models():
    ids = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0], [2, 2, 2, 0, 0]])
    model = _masked_model()
    bn = model.layers[2]
    model(ids, training=True)
    steps = model.layers[1](ids)[ids != 0].astype("float64")
    expected = 0.01 * steps.mean(0)  # moving mean after one step from zeros
    np.testing.assert_allclose(bn.moving_mean.value, expected, rtol=1e-4, atol=1e-7)
    seq = keraslite.Sequential([keraslite.Input((5,), dtype="int32"),
                                L.Embedding(7, 3, mask_zero=True),
                                L.BatchNormalization()])
    seq.layers[0].set_weights(model.layers[1].get_weights())
    seq(ids, training=True)
    np.testing.assert_allclose(seq.layers[1].moving_mean.value, expected,
                               rtol=1e-4, atol=1e-7)


def test_explicit_mask_reaches_softmax_in_a_functional_model():
    scores = keraslite.Input((4,))
    keep = keraslite.Input((4,))
    model = keraslite.Model([scores, keep], L.Softmax()(scores, mask=keep))
    x = np.array([[1.0, 2.0, 3.0, 4.0]], "float32")
    y = model.predict([x, np.array([[1.0, 0.0, 0.0, 1.0]], "float32")], verbose=0)
    e = np.exp([1.0, 4.0])
    np.testing.assert_allclose(y, [[e[0] / e.sum(), 0, 0, e[1] / e.sum()]], rtol=1e-6)


@pytest.mark.parametrize("call,message", [
    (lambda: L.Softmax()(np.ones((2, 3), "float32"), mask=np.ones((1, 2, 3), bool)),
     "must not have more dimensions"),
    (lambda: L.Softmax()(np.ones((2, 3), "float32"), mask=np.ones((2, 2), bool)),
     "Each mask dimension must be 1"),
    (lambda: L.BatchNormalization()(np.ones((2, 3), "float32"),
                                    mask=np.ones((2, 3), bool), training=True),
     "one dimension less than the inputs"),
])
def test_bad_masks(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mask_support_flags():
    assert L.BatchNormalization().supports_masking
    assert L.Softmax().supports_masking
    assert not L.Lambda(lambda x: x).supports_masking
    assert L.Lambda(lambda x: x).compute_mask(np.ones((2, 3)), np.ones((2,), bool)) is None


def test_lambda_mask_argument_and_mask_taking_function():
    ids = keraslite.Input((4,), dtype="int32")
    x = L.Embedding(5, 2, mask_zero=True)(ids)
    seen = {}

    def zero_masked(x, mask):
        seen["mask"] = mask
        return x * keraslite.ops.expand_dims(keraslite.ops.cast(mask, "float32"), -1)

    y = L.Lambda(zero_masked, mask=lambda inputs, mask: mask)(x)
    model = keraslite.Model(ids, L.GlobalAveragePooling1D()(y))  # the mean of kept steps
    data = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    out = model.predict(data, verbose=0)
    np.testing.assert_array_equal(np.asarray(seen["mask"]), data != 0)
    table = model.layers[1].get_weights()[0]
    np.testing.assert_allclose(out, [table[[1, 2]].mean(0), table[3]], rtol=1e-6)
    with_mask = L.Lambda(lambda t: t, mask=lambda inputs, mask: mask)
    assert with_mask.supports_masking
    config = with_mask.get_config()
    assert config["mask"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="None or a callable"):
        L.Lambda(lambda t: t, mask=np.ones((2, 3), bool))
