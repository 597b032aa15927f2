"""`use_ema` and `gradient_accumulation_steps` against Keras: `fit` side by
side (History and final weights), and `.keras` files carrying the averages
and accumulators in both directions, training on identically after."""
import numpy as np
import pytest

import keraslite

keras = pytest.importorskip("keras")

# name: (optimizer class, kwargs)
OPTIMIZERS = {
    "adam-ema": ("Adam", {"learning_rate": 0.01, "use_ema": True}),
    "sgd-accumulate-2": ("SGD", {"learning_rate": 0.05,
                                 "gradient_accumulation_steps": 2}),
    "nadam-ema-7-accumulate-2": ("Nadam", {"learning_rate": 0.01, "use_ema": True,
                                           "ema_overwrite_frequency": 7,
                                           "gradient_accumulation_steps": 2}),
    "sgd-momentum-ema-3-accumulate-3": ("SGD", {
        "learning_rate": 0.05, "momentum": 0.9, "use_ema": True,
        "ema_momentum": 0.9, "ema_overwrite_frequency": 3,
        "gradient_accumulation_steps": 3, "clipnorm": 1.0}),
}


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()
    keraslite.backend.clear_session()


def _build(lib, name, weights=None):
    cls, kwargs = OPTIMIZERS[name]
    model = lib.Sequential([lib.Input((5,)),
                            lib.layers.Dense(8, activation="tanh", name="hidden"),
                            lib.layers.Dense(3, activation="softmax", name="out")],
                           name="net")
    model.compile(optimizer=getattr(lib.optimizers, cls)(name="opt", **kwargs),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    if weights is not None:
        model.set_weights(weights)
    return model


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    return x, y


def _pair(name):
    ours = _build(keraslite, name)
    theirs = _build(keras, name, [np.asarray(w) for w in ours.get_weights()])
    return ours, theirs


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def _state(model):
    return [np.asarray(v) for v in model.optimizer.variables]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fit_matches_keras(name):
    x, y = _data()
    xv, yv = _data(12, seed=1)
    ours, theirs = _pair(name)
    kwargs = dict(batch_size=8, epochs=2, shuffle=False, verbose=0,
                  validation_data=(xv, yv))
    history = ours.fit(x, y, **kwargs).history
    k_history = theirs.fit(x, y, **kwargs).history
    assert sorted(history) == sorted(k_history)
    for key in k_history:
        np.testing.assert_allclose(history[key], k_history[key], atol=1e-4)
    for a, b in zip(_weights(ours), _weights(theirs)):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert ours.optimizer.iterations == int(np.asarray(theirs.optimizer.iterations))
    # NOTE: Keras's weight paths inside this Sequential start with the
    # model's name ("net/hidden/kernel"), keraslite's do not (a difference
    # of the layers, not the optimizer; files store variables by position).
    names = [v.name.replace("net_", "", 1) for v in theirs.optimizer.variables]
    assert [v.name for v in ours.optimizer.variables] == names
    for a, b in zip(ours.optimizer.get_state(), _state(theirs)):
        np.testing.assert_allclose(a, b, atol=1e-4)


@pytest.mark.parametrize("direction", ["keras->keraslite", "keraslite->keras"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_keras_files_carry_the_state_both_ways(tmp_path, name, direction):
    x, y = _data(8)
    ours, theirs = _pair(name)
    saver = theirs if direction.startswith("keras-") else ours
    # 5 steps: the accumulators are part way and the averages have moved.
    for _ in range(5):
        saver.train_on_batch(x, y)
    path = str(tmp_path / "net.keras")
    saver.save(path)
    loader = keraslite if direction.startswith("keras-") else keras
    loaded = loader.models.load_model(path)
    assert loaded.optimizer.get_config() == saver.optimizer.get_config()
    assert len(loaded.optimizer.variables) == len(saver.optimizer.variables)
    for a, b in zip(_state(loaded), _state(saver)):
        np.testing.assert_array_equal(a, b)
    for _ in range(7):
        saver.train_on_batch(x, y)
        loaded.train_on_batch(x, y)
    for a, b in zip(_weights(loaded), _weights(saver)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    for a, b in zip(_state(loaded), _state(saver)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    saver.optimizer.finalize_variable_values(saver.trainable_weights)
    loaded.optimizer.finalize_variable_values(loaded.trainable_weights)
    for a, b in zip(_weights(loaded), _weights(saver)):
        np.testing.assert_allclose(a, b, atol=1e-6)
