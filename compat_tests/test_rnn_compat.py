"""The recurrent layers beside real Keras: whole `fit` runs from identical
weights (shuffle=False) on float sequences, file round trips both ways
(.keras, .weights.h5, legacy .h5) with Keras 3, Keras 2 (tf_keras) legacy
.h5 files loading in keraslite, and Keras's argument errors.
"""
import numpy as np
import pytest

import keraslite

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

TOL = 1e-4


def _data(seed=0, n=96, steps=8, features=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, features)).astype("float32")
    y = (np.tanh(x[:, :, 0].sum(1, keepdims=True) / 3)
         + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


MODELS = {
    "SimpleRNN": lambda L: [L.SimpleRNN(6)],
    "LSTM": lambda L: [L.LSTM(6)],
    "GRU": lambda L: [L.GRU(6)],
    "GRU reset_after=False": lambda L: [L.GRU(6, reset_after=False)],
    "stacked LSTM": lambda L: [L.LSTM(5, return_sequences=True), L.LSTM(4)],
    "SimpleRNN go_backwards + GRU": lambda L: [
        L.SimpleRNN(4, return_sequences=True, go_backwards=True), L.GRU(3)],
}


def _model(lib, name, table=None):
    table = MODELS if table is None else table
    return lib.Sequential([lib.Input((8, 3))] + table[name](lib.layers)
                          + [lib.layers.Dense(1)])


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
@pytest.mark.parametrize("name", list(MODELS))
def test_fit_matches_keras(name, optimizer):
    x, y = _data()
    xv, yv = _data(seed=1, n=32)
    ours, theirs = _model(keraslite, name), _model(keras, name)
    theirs.set_weights(ours.get_weights())
    histories = []
    for model in (ours, theirs):
        model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
        histories.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   validation_data=(xv, yv), verbose=0).history)
    assert sorted(histories[0]) == sorted(histories[1])
    for key in histories[1]:
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=TOL,
                                   atol=TOL, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(ours.predict(xv, verbose=0), theirs.predict(xv, verbose=0),
                               rtol=TOL, atol=TOL)


def test_masked_fit_matches_keras():
    """An explicit mask (the functional `mask=` argument, fed as a 0/1 float
    input, which both cast to bool) in a whole run."""
    x, y = _data()
    mask = np.ones(x.shape[:2], bool)
    mask[::3, 5:] = False
    results = []
    for lib in (keraslite, keras):
        inputs, m = lib.Input((8, 3)), lib.Input((8,))
        h = lib.layers.LSTM(4, return_sequences=True)(inputs, mask=m)
        out = lib.layers.Dense(1)(lib.layers.GRU(3)(h, mask=m))
        results.append(lib.Model([inputs, m], out))
    results[1].set_weights(results[0].get_weights())
    histories = []
    for model in results:
        model.compile(optimizer="adam", loss="mse")
        histories.append(model.fit([x, mask.astype("float32")], y, batch_size=16, epochs=2,
                                   shuffle=False, verbose=0).history)
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=TOL)
    for a, b in zip(results[0].get_weights(), results[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)


# --- files ---------------------------------------------------------------------------
FILE_MODELS = dict(MODELS, **{
    "LSTM options": lambda L: [L.LSTM(3, go_backwards=True, unit_forget_bias=False,
                                      recurrent_dropout=0.1, return_sequences=True),
                               L.SimpleRNN(2, activation="relu")],
    "RNN(cells)": lambda L: [L.RNN(L.LSTMCell(3), return_sequences=True),
                             L.RNN(L.GRUCell(2, reset_after=False))],
})


def _save(model, lib, path):
    if path.endswith(".weights.h5"):
        model.save_weights(path)
    else:
        model.save(path)


def _load(lib, name, path):
    if path.endswith(".weights.h5"):
        model = _model(lib, name, FILE_MODELS)
        model.load_weights(path)
        return model
    return lib.models.load_model(path)


@pytest.mark.parametrize("ext", [".keras", ".weights.h5", ".h5"])
@pytest.mark.parametrize("direction", ["keraslite->keras", "keras->keraslite"])
@pytest.mark.parametrize("name", list(FILE_MODELS))
def test_file_round_trip_with_keras(tmp_path, name, direction, ext):
    src, dst = (keraslite, keras) if direction.startswith("keraslite") else (keras, keraslite)
    model = _model(src, name, FILE_MODELS)
    rng = np.random.default_rng(2)
    model.set_weights([rng.normal(0, 0.4, w.shape).astype("float32")
                       for w in model.get_weights()])
    path = str(tmp_path / f"model{ext}")
    _save(model, src, path)
    loaded = _load(dst, name, path)
    x, _ = _data(n=8)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)),
                               np.asarray(loaded.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-6)
    if ext != ".weights.h5":
        assert [type(la).__name__ for la in loaded.layers] == \
            [type(la).__name__ for la in model.layers]


@pytest.mark.parametrize("direction", ["keraslite->keras", "keras->keraslite"])
def test_functional_initial_state_model_file(tmp_path, direction):
    src, dst = (keraslite, keras) if direction.startswith("keraslite") else (keras, keraslite)
    inputs = src.Input((6, 3))
    _, h, c = src.layers.LSTM(4, return_state=True)(inputs)
    out = src.layers.LSTM(4, return_sequences=True)(inputs, initial_state=[h, c])
    model = src.Model(inputs, src.layers.GRU(2)(out))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = dst.models.load_model(path)
    x, _ = _data(n=4, steps=6)
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)),
                               np.asarray(loaded.predict(x, verbose=0)), rtol=1e-5, atol=1e-6)


# --- Keras 2 files ---------------------------------------------------------------------
KERAS2_MODELS = {
    "LSTM": lambda L: [L.LSTM(4, return_sequences=True), L.LSTM(3)],
    "GRU reset_after=True": lambda L: [L.GRU(3)],
    "GRU reset_after=False": lambda L: [L.GRU(3, reset_after=False, go_backwards=True)],
    "SimpleRNN": lambda L: [L.SimpleRNN(3, return_sequences=True), L.GRU(2)],
}


@pytest.mark.parametrize("kind", ["model", "weights"])
@pytest.mark.parametrize("name", list(KERAS2_MODELS))
def test_keras2_h5_files_load(tmp_path, name, kind):
    tf_keras = pytest.importorskip("tf_keras")
    model = tf_keras.Sequential([tf_keras.Input((8, 3))] + KERAS2_MODELS[name](tf_keras.layers)
                                + [tf_keras.layers.Dense(1)])
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(0, 0.4, w.shape).astype("float32")
                       for w in model.get_weights()])
    path = str(tmp_path / "k2.h5")
    if kind == "model":
        model.save(path)
        loaded = keraslite.models.load_model(path)
    else:
        model.save_weights(path)
        loaded = keraslite.Sequential([keraslite.Input((8, 3))]
                                      + KERAS2_MODELS[name](keraslite.layers)
                                      + [keraslite.layers.Dense(1)])
        loaded.load_weights(path)
    x, _ = _data(n=8)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.asarray(loaded.predict(x, verbose=0)), rtol=1e-5, atol=1e-6)


# --- errors --------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda L: L.LSTM(0),
    lambda L: L.GRU(-2),
    lambda L: L.GRU(2, use_cudnn="yes"),
    lambda L: L.LSTM(2, use_cudnn=1.5),
    lambda L: L.SimpleRNN(2, not_an_argument=1),
], ids=["units=0", "units=-2", "use_cudnn", "use_cudnn float", "unknown kwarg"])
def test_argument_errors_match_keras(make):
    with pytest.raises(ValueError) as theirs:
        make(keras.layers)
    with pytest.raises(ValueError) as ours:
        make(keraslite.layers)
    assert str(ours.value) == str(theirs.value)


def test_stateful_without_batch_size_error_matches_keras():
    messages = []
    for lib in (keraslite, keras):
        with pytest.raises(ValueError) as e:
            lib.Sequential([lib.Input((4, 3)), lib.layers.LSTM(3, stateful=True)])
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def test_stateful_runs_match_keras():
    x, _ = _data(n=4)
    results = []
    for lib in (keraslite, keras):
        model = lib.Sequential([lib.Input((8, 3), batch_size=4),
                                lib.layers.GRU(3, stateful=True, return_sequences=True),
                                lib.layers.SimpleRNN(2, stateful=True)])
        results.append(model)
    results[1].set_weights(results[0].get_weights())
    for _ in range(2):
        outs = [np.asarray(m.predict(x, verbose=0)) for m in results]
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    for m in results:
        for layer in m.layers:
            layer.reset_states()
    np.testing.assert_allclose(np.asarray(results[0].predict(x, verbose=0)),
                               results[1].predict(x, verbose=0), rtol=1e-5, atol=1e-6)

