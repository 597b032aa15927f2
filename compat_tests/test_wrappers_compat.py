"""The wrappers beside Keras: models with TimeDistributed through `.keras`,
`.weights.h5` and legacy `.h5`, written by keraslite and read by Keras and
the other way (same predictions within 1e-6, same layer configs, names
aside), tf.keras 2 legacy files, and whole `fit` runs from identical
weights with shuffle=False (History and final weights within 1e-4)."""
import json

import numpy as np
import pytest

import keraslite

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

TOL = 1e-4


def _td_dense(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((5, 3)),
                           L.TimeDistributed(L.Dense(4, activation="relu")),
                           L.TimeDistributed(L.Dense(2, activation="softmax"))])


def _td_conv(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((3, 6, 6, 2)), L.TimeDistributed(L.Conv2D(3, 3)),
                           L.TimeDistributed(L.MaxPooling2D()),
                           L.TimeDistributed(L.Flatten()), L.TimeDistributed(L.Dense(2))])


def _td_functional(lib):
    L = lib.layers
    inputs = lib.Input((4, 3))
    h = L.TimeDistributed(L.Dense(5, activation="tanh"))(inputs)
    h = L.TimeDistributed(L.Dropout(0.3))(h)
    outputs = L.TimeDistributed(L.BatchNormalization())(h)
    return lib.Model(inputs, outputs)


def _bi_stack(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((6, 3)),
                           L.Bidirectional(L.LSTM(4, return_sequences=True)),
                           L.Bidirectional(L.GRU(2), merge_mode="ave")])


def _bi_functional(lib):
    L = lib.layers
    inputs = lib.Input((5, 3))
    a, b = L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode=None)(inputs)
    h = L.Concatenate()([a, b])
    h = L.Bidirectional(L.GRU(2, reset_after=False, return_sequences=True),
                        backward_layer=L.LSTM(2, return_sequences=True, go_backwards=True),
                        merge_mode="mul")(h)
    return lib.Model(inputs, L.TimeDistributed(L.Dense(1))(h))


MODELS = {"TimeDistributed(Dense) x2": (_td_dense, (6, 5, 3)),
          "TimeDistributed(Conv2D, MaxPooling2D, Flatten, Dense)": (_td_conv, (4, 3, 6, 6, 2)),
          "functional TimeDistributed(Dense, Dropout, BatchNormalization)":
              (_td_functional, (5, 4, 3)),
          "Bidirectional(LSTM, return_sequences) -> Bidirectional(GRU, ave)":
              (_bi_stack, (4, 6, 3)),
          "functional Bidirectional(SimpleRNN, None), backward_layer=LSTM, mul":
              (_bi_functional, (4, 5, 3))}


def _random_weights(model, seed=3):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32")
                       if "variance" in getattr(v, "path", v.name) else
                       rng.normal(0, 0.5, w.shape).astype("float32")
                       for v, w in zip(model.weights, model.get_weights())])


def _config(layer):
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "name"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(json.dumps(layer.get_config(), default=str)))


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("name", list(MODELS))
def test_time_distributed_files_cross_both_ways(tmp_path, name, suffix):
    build, shape = MODELS[name]
    x = np.random.default_rng(6).normal(size=shape).astype("float32")
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = build(writer)
        _random_weights(source)
        path = tmp_path / f"{writer.__name__}{suffix}"
        if suffix == ".weights.h5":
            source.save_weights(path)
            loaded = build(reader)
            loaded.load_weights(path)
        else:
            source.save(path)
            loaded = reader.models.load_model(path)
        np.testing.assert_allclose(loaded.predict(x, verbose=0),
                                   source.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
        for a, b in zip(loaded.layers, source.layers):
            assert type(a).__name__ == type(b).__name__
            assert _config(a) == _config(b)


def test_legacy_h5_weight_names_are_keras_paths(tmp_path):
    import h5py

    names = []
    for lib in (keraslite, keras):
        model = lib.Sequential([lib.Input((5, 3)), lib.layers.TimeDistributed(
            lib.layers.Dense(4, name="d"), name="td")], name="s")
        model.save(tmp_path / f"{lib.__name__}.h5")
        with h5py.File(tmp_path / f"{lib.__name__}.h5") as f:
            names.append([n.decode() if isinstance(n, bytes) else n
                          for n in f["model_weights"]["td"].attrs["weight_names"]])
    assert names[0] == names[1] == ["s/td/d/kernel", "s/td/d/bias"]


def test_tf_keras_2_time_distributed_h5_loads(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    L = tf_keras.layers
    model = tf_keras.Sequential([tf_keras.Input((5, 4, 3)),
                                 L.TimeDistributed(L.Conv1D(2, 2, padding="same")),
                                 L.TimeDistributed(L.Flatten()),
                                 L.TimeDistributed(L.Dense(3, activation="relu"))])
    _random_weights(model)
    model.save(tmp_path / "k2.h5")
    ours = keraslite.models.load_model(tmp_path / "k2.h5")
    assert [type(la.layer).__name__ for la in ours.layers] == ["Conv1D", "Flatten", "Dense"]
    x = np.random.default_rng(0).normal(size=(3, 5, 4, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_tf_keras_2_bidirectional_h5_loads(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    L = tf_keras.layers
    model = tf_keras.Sequential([
        tf_keras.Input((6, 3)), L.Bidirectional(L.LSTM(4, return_sequences=True)),
        L.Bidirectional(L.GRU(3, reset_after=False), merge_mode="sum",
                        backward_layer=L.GRU(3, reset_after=False, go_backwards=True)),
        L.Dense(2)])
    _random_weights(model)
    model.save(tmp_path / "k2.h5")
    ours = keraslite.models.load_model(tmp_path / "k2.h5")
    assert [type(la).__name__ for la in ours.layers] == ["Bidirectional", "Bidirectional",
                                                         "Dense"]
    x = np.random.default_rng(0).normal(size=(3, 6, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


# Sequential only: keraslite (as Keras 3) writes a functional model's legacy
# config in Keras 3's form, which tf.keras 2 does not read.
@pytest.mark.parametrize("name", [n for n in MODELS if not n.startswith("functional")])
def test_keraslite_h5_loads_in_tf_keras_2(tmp_path, name):
    tf_keras = pytest.importorskip("tf_keras")
    build, shape = MODELS[name]
    model = build(keraslite)
    _random_weights(model)
    model.save(tmp_path / "ours.h5")
    theirs = tf_keras.models.load_model(tmp_path / "ours.h5")
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


# --- whole runs -----------------------------------------------------------------------
def _stacked_lstm_td(lib):
    """Stacked LSTM(return_sequences) + TimeDistributed(Dense)."""
    L = lib.layers
    return lib.Sequential([lib.Input((7, 3)), L.LSTM(8, return_sequences=True),
                           L.LSTM(5, return_sequences=True),
                           L.TimeDistributed(L.Dense(2))])


def _bi_lstm_gru(lib):
    """Bidirectional(LSTM, return_sequences) -> GRU -> Dense."""
    L = lib.layers
    return lib.Sequential([lib.Input((7, 3)),
                           L.Bidirectional(L.LSTM(6, return_sequences=True)),
                           L.GRU(4), L.Dense(3, activation="softmax")])


RUNS = {
    "stacked LSTM + TimeDistributed(Dense), mse, adam":
        (_stacked_lstm_td, "mse", lambda lib: lib.optimizers.Adam(1e-2), ["mae"], (7, 2)),
    "Bidirectional(LSTM) -> GRU, crossentropy, rmsprop":
        (_bi_lstm_gru, "categorical_crossentropy",
         lambda lib: lib.optimizers.RMSprop(1e-2), ["accuracy"], (3,)),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_whole_fit_matches_keras(name):
    build, loss, optimizer, metrics, target = RUNS[name]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 7, 3)).astype("float32")
    if target == (3,):
        y = np.eye(3, dtype="float32")[(x[:, :, 0].sum(1) > 0).astype(int)
                                       + (x[:, :, 1].sum(1) > 1)]
    else:
        y = np.stack([np.cumsum(x[..., 0], 1), x[..., 1] * x[..., 2]], -1) * 0.3
    ours, theirs = build(keraslite), build(keras)
    weights = [rng.normal(0, 0.4, w.shape).astype("float32") for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    histories = []
    for lib, model in ((keraslite, ours), (keras, theirs)):
        model.compile(optimizer(lib), loss, metrics=metrics)
        histories.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   validation_split=0.25, verbose=0).history)
    assert sorted(histories[0]) == sorted(histories[1])
    for key in histories[1]:
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=TOL,
                                   atol=TOL, err_msg=key)
    for a, b, var in zip(ours.get_weights(), theirs.get_weights(), ours.weights):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=var.path)


def _states_model(lib):
    L = lib.layers
    sequences = lib.Input((4, 3))
    states = [lib.Input((2,)) for _ in range(4)]
    first = L.Dense(2)(states[0])
    out = L.Bidirectional(L.LSTM(2, return_sequences=True))(
        sequences, initial_state=[first] + states[1:])
    return lib.Model([sequences] + states, out)


def test_functional_initial_state_from_tensors_matches_keras(tmp_path):
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(6, 4, 3)).astype("float32")] + [
        rng.normal(size=(6, 2)).astype("float32") for _ in range(4)]
    y = rng.normal(size=(6, 4, 4)).astype("float32")
    ours, theirs = _states_model(keraslite), _states_model(keras)
    _random_weights(ours)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours.predict(xs, verbose=0), theirs.predict(xs, verbose=0),
                               rtol=1e-6, atol=1e-6)
    for writer, reader, model in ((keraslite, keras, ours), (keras, keraslite, theirs)):
        model.save(tmp_path / f"{writer.__name__}.keras")
        loaded = reader.models.load_model(tmp_path / f"{writer.__name__}.keras")
        np.testing.assert_allclose(loaded.predict(xs, verbose=0),
                                   model.predict(xs, verbose=0), rtol=1e-6, atol=1e-6)
    histories = []
    for lib, model in ((keraslite, ours), (keras, theirs)):
        model.compile(lib.optimizers.Adam(1e-2), "mse")
        histories.append(model.fit(xs, y, batch_size=2, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=TOL, atol=TOL)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)
