"""Weight/activity regularizers and Dropout side by side with real Keras.

Twin models share their initial weights; the reported loss includes the
regularization penalties in both, so losses, gradients (through the weights
after SGD steps) and configs must agree. Dropout is compared where it is
deterministic: rate 0 in training, and any rate at inference.
"""
import numpy as np
import pytest

import keras

import keraslite

TOL = 1e-5


def weights(seed=0, hidden=16):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.4, size=(10, hidden)).astype("float32"),
            rng.normal(scale=0.1, size=hidden).astype("float32"),
            rng.normal(scale=0.4, size=(hidden, 1)).astype("float32"),
            rng.normal(scale=0.1, size=1).astype("float32")]


def data(n=64, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10)).astype("float32")
    y = (x[:, :3].sum(axis=1) > 0).astype("float32").reshape(-1, 1)
    return x, y


def regularized_twins(first, second, dropout=None, optimizer="SGD", lr=0.05):
    """Dense(16, relu, **first) [-> Dropout] -> Dense(1, sigmoid, **second)."""
    models = []
    for lib in (keras, keraslite):
        stack = [lib.Input((10,)), lib.layers.Dense(16, activation="relu", **first(lib))]
        if dropout is not None:
            stack.append(lib.layers.Dropout(dropout))
        stack.append(lib.layers.Dense(1, activation="sigmoid", **second(lib)))
        model = lib.Sequential(stack)
        model.compile(optimizer=getattr(lib.optimizers, optimizer)(lr),
                      loss="binary_crossentropy", metrics=["accuracy"])
        model.set_weights(weights())
        models.append(model)
    return models


REGULARIZER_CASES = {
    "l2 kernels (book)": (lambda r: {"kernel_regularizer": r.regularizers.l2(0.001)},
                          lambda r: {}),
    "l1 kernel, l2 bias": (lambda r: {"kernel_regularizer": r.regularizers.l1(0.001),
                                      "bias_regularizer": r.regularizers.l2(0.01)},
                           lambda r: {"kernel_regularizer": r.regularizers.L1L2(l1=0.001,
                                                                                l2=0.002)}),
    "l1_l2 everywhere": (lambda r: {"kernel_regularizer": r.regularizers.l1_l2(l1=0.001,
                                                                               l2=0.001),
                                    "bias_regularizer": r.regularizers.l1_l2(l1=0.01)},
                         lambda r: {"kernel_regularizer": r.regularizers.l1_l2(l2=0.01),
                                    "bias_regularizer": r.regularizers.L1(0.02)}),
    "activity l1 and l2": (lambda r: {"activity_regularizer": r.regularizers.l1(0.001)},
                           lambda r: {"activity_regularizer": r.regularizers.l2(0.01)}),
    "all three with strings": (lambda r: {"kernel_regularizer": "l2", "bias_regularizer": "l1",
                                          "activity_regularizer": "l1l2"},
                               lambda r: {"kernel_regularizer": "l1"}),
}


def wrap(factory):
    return lambda lib: factory(lib)


@pytest.mark.parametrize("case", list(REGULARIZER_CASES))
def test_regularized_loss_and_training_match_keras(case):
    first, second = REGULARIZER_CASES[case]
    k_model, l_model = regularized_twins(wrap(first), wrap(second))
    x, y = data()
    # The penalties themselves, on the same weights.
    k_penalty = float(sum(np.asarray(v) for v in k_model.losses)) if k_model.losses else 0.0
    l_penalty = float(sum(l_model.losses)) if l_model.losses else 0.0
    np.testing.assert_allclose(l_penalty, k_penalty, rtol=TOL, atol=1e-7)
    # evaluate: data loss + weight penalties (+ activity penalties / batch size).
    k_eval = k_model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    l_eval = l_model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    np.testing.assert_allclose(l_eval["loss"], k_eval["loss"], rtol=TOL)
    # Training: per-batch losses, epoch histories and final weights.
    for step in range(3):
        batch = slice(16 * step, 16 * step + 16)
        k_loss = k_model.train_on_batch(x[batch], y[batch], return_dict=True)["loss"]
        l_loss = l_model.train_on_batch(x[batch], y[batch], return_dict=True)["loss"]
        np.testing.assert_allclose(l_loss, float(k_loss), rtol=TOL)
    val = data(32, seed=2)
    k_hist = k_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                         validation_data=val).history
    l_hist = l_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                         validation_data=val).history
    for key in ("loss", "val_loss", "accuracy"):
        np.testing.assert_allclose(l_hist[key], k_hist[key], rtol=TOL, atol=1e-6)
    for kw, lw in zip(k_model.get_weights(), l_model.get_weights()):
        np.testing.assert_allclose(lw, kw, rtol=TOL, atol=1e-6)


def test_penalty_makes_the_reported_loss_larger_by_exactly_the_penalty():
    plain_k, plain_l = regularized_twins(lambda lib: {}, lambda lib: {})
    reg_k, reg_l = regularized_twins(
        lambda lib: {"kernel_regularizer": lib.regularizers.l2(0.01)}, lambda lib: {})
    x, y = data()
    for plain, reg in ((plain_k, reg_k), (plain_l, reg_l)):
        gap = reg.evaluate(x, y, verbose=0)[0] - plain.evaluate(x, y, verbose=0)[0]
        expected = 0.01 * float(np.square(weights()[0]).sum())
        np.testing.assert_allclose(gap, expected, rtol=1e-4)


@pytest.mark.parametrize("optimizer", ["SGD", "RMSprop"])
def test_dropout_rate_zero_trains_like_keras(optimizer):
    k_model, l_model = regularized_twins(lambda lib: {}, lambda lib: {}, dropout=0.0,
                                         optimizer=optimizer, lr=0.01)
    x, y = data()
    k_hist = k_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    l_hist = l_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(l_hist["loss"], k_hist["loss"], rtol=TOL)
    for kw, lw in zip(k_model.get_weights(), l_model.get_weights()):
        np.testing.assert_allclose(lw, kw, rtol=TOL, atol=1e-6)


def test_dropout_is_the_identity_at_inference():
    k_model, l_model = regularized_twins(lambda lib: {}, lambda lib: {}, dropout=0.5)
    x, y = data()
    np.testing.assert_allclose(l_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=TOL, atol=1e-7)
    np.testing.assert_allclose(l_model.evaluate(x, y, verbose=0)[0],
                               k_model.evaluate(x, y, verbose=0)[0], rtol=TOL)
    np.testing.assert_allclose(l_model(x), np.asarray(k_model(x)), rtol=TOL, atol=1e-7)


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_training_keeps_and_rescales_like_keras(rate):
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(400, 50)).astype("float32")
    outputs = {
        "keras": np.asarray(keras.layers.Dropout(rate, seed=1)(x, training=True)),
        "keraslite": keraslite.layers.Dropout(rate, seed=1)(x, training=True),
    }
    for name, out in outputs.items():
        kept = out != 0
        # Kept entries are scaled by 1 / (1 - rate); the rest are zero.
        np.testing.assert_allclose(out[kept], x[kept] / (1 - rate), rtol=1e-6, err_msg=name)
        assert abs(kept.mean() - (1 - rate)) < 0.02, name
        # The expected sum is preserved.
        np.testing.assert_allclose(out.mean(), x.mean(), rtol=0.03, err_msg=name)


@pytest.mark.parametrize("noise_shape", [(None, 1), (1, None)])
def test_dropout_noise_shape_like_keras(noise_shape):
    x = np.ones((40, 30), "float32")
    for layer in (keras.layers.Dropout(0.5, noise_shape=noise_shape, seed=2),
                  keraslite.layers.Dropout(0.5, noise_shape=noise_shape, seed=2)):
        out = np.asarray(layer(x, training=True))
        axis = 1 if noise_shape == (None, 1) else 0
        # The mask is shared along the axis of size 1 in noise_shape.
        assert np.all(out.min(axis=axis) == out.max(axis=axis))
        assert set(np.unique(out)) <= {0.0, 2.0}


# --- configs and identifiers ----------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda r: r.regularizers.L1(0.01),
    lambda r: r.regularizers.l1(),
    lambda r: r.regularizers.L2(0.001),
    lambda r: r.regularizers.l2(),
    lambda r: r.regularizers.L1L2(l1=0.001, l2=0.001),
    lambda r: r.regularizers.l1_l2(l1=0.001, l2=0.001),
    lambda r: r.regularizers.l1_l2(),
    lambda r: r.regularizers.get("l1"),
    lambda r: r.regularizers.get("l2"),
    lambda r: r.regularizers.get("l1l2"),
    lambda r: r.regularizers.get("L1L2"),
])
def test_regularizer_configs_match_keras(make):
    k_reg, l_reg = make(keras), make(keraslite)
    assert keraslite.regularizers.serialize(l_reg) == keras.regularizers.serialize(k_reg)
    # Each reads the other's config.
    assert keras.regularizers.serialize(
        keras.regularizers.deserialize(keraslite.regularizers.serialize(l_reg))
    ) == keras.regularizers.serialize(k_reg)
    assert keraslite.regularizers.serialize(
        keraslite.regularizers.deserialize(keras.regularizers.serialize(k_reg))
    ) == keraslite.regularizers.serialize(l_reg)
    w = np.random.default_rng(3).normal(size=(7, 5)).astype("float32")
    np.testing.assert_allclose(float(l_reg(w)), float(np.asarray(k_reg(w))), rtol=1e-6)


@pytest.mark.parametrize("identifier", ["l1_l2", "L3"])
def test_unknown_regularizer_names_fail_in_both(identifier):
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        keras.regularizers.get(identifier)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        keraslite.regularizers.get(identifier)


@pytest.mark.parametrize("kwargs", [{"l1": -1.0}, {"l2": float("nan")}, {"l1": "0.1"}])
def test_invalid_factors_fail_in_both(kwargs):
    with pytest.raises(ValueError, match="Invalid value for argument"):
        keras.regularizers.L1L2(**kwargs)
    with pytest.raises(ValueError, match="Invalid value for argument"):
        keraslite.regularizers.L1L2(**kwargs)


def test_dense_regularizer_configs_match_keras():
    kwargs = lambda r: dict(kernel_regularizer=r.regularizers.l2(0.001),
                            bias_regularizer=r.regularizers.l1(0.01),
                            activity_regularizer=r.regularizers.l1_l2(l1=0.001))
    k_config = keras.layers.Dense(3, **kwargs(keras)).get_config()
    l_config = keraslite.layers.Dense(3, **kwargs(keraslite)).get_config()
    for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
        assert l_config[key] == k_config[key]
    rebuilt = keraslite.layers.Dense.from_config(k_config)
    assert rebuilt.get_config()["kernel_regularizer"] == k_config["kernel_regularizer"]
