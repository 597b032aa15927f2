"""Sequence models on NumPy alone: int32 inputs of ids (as Keras's examples
declare them) and a softmax Dense on every step feeding its logits to the
loss (Keras's addition_rnn example)."""
import numpy as np
import pytest

import keraslite
from keraslite import layers
from tests.test_models import float64, numeric_grads  # noqa: F401 (fixture)


def test_softmax_on_every_step_gradients_match_central_differences(float64):  # noqa: F811
    model = keraslite.Sequential([keraslite.Input((4, 3)), layers.LSTM(5, return_sequences=True),
                                  layers.Dense(6, activation="softmax")])
    model.compile("sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 3))
    y = np.eye(6)[rng.integers(0, 6, (2, 4))]
    loss, grads = model._compute_loss_and_grads(x, y)

    def objective():
        return float(np.mean(-np.sum(y * np.log(model(x)), axis=-1)))

    assert loss == pytest.approx(objective(), rel=1e-9)
    for g, numeric, var in zip(grads, numeric_grads(objective, model.trainable_weights),
                               model.trainable_weights):
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8, err_msg=var.path)


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
def test_integer_inputs_keep_their_dtype(dtype):
    inputs = keraslite.Input(shape=(None,), dtype=dtype)
    assert inputs.dtype == dtype
    model = keraslite.Model(inputs, layers.Dense(1)(layers.Embedding(3, 2)(inputs)))
    assert model.get_config()["layers"][0]["config"]["dtype"] == dtype
    assert model.predict(np.array([[0, 1, 1]]), verbose=0).shape == (1, 3, 1)


def test_int32_ids_reach_the_embedding_as_integers():
    seen = []

    class Spy(layers.Layer):
        def call(self, x):
            seen.append(np.asarray(x).dtype)
            return keraslite.ops.cast(x, "float32")

    inputs = keraslite.Input(shape=(3,), dtype="int32")
    model = keraslite.Model(inputs, Spy()(inputs))
    model.compile("sgd", "mse")
    big = 2 ** 24 + 1  # not representable in float32
    model.predict(np.array([[big, 1, 2]], dtype="int64"), verbose=0)
    assert seen[-1] == np.int32


def test_float_input_dtypes_other_than_float32_are_refused():
    with pytest.raises(ValueError, match="float32 only"):
        keraslite.Input(shape=(3,), dtype="float16")


def test_an_explicit_mask_input_wins_over_propagated_masks():
    """`layer(h, mask=m)` with `m` a model input, in a graph whose LSTM also
    hands on a mask: the explicit one is used (as Keras's __call__)."""
    inputs, m = keraslite.Input((5, 2)), keraslite.Input((5,))
    lstm, gru = layers.LSTM(3, return_sequences=True), layers.GRU(2)
    out = gru(lstm(inputs, mask=m), mask=m)
    model = keraslite.Model([inputs, m], out)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 2)).astype("float32")
    mask = np.ones((4, 5), bool)
    mask[::2, 3:] = False
    expected = gru(lstm(x, mask=mask), mask=mask)
    np.testing.assert_allclose(model.predict([x, mask.astype("float32")], verbose=0),
                               expected, rtol=1e-6, atol=1e-7)
    unmasked = gru(lstm(x))
    assert not np.allclose(expected, unmasked)
