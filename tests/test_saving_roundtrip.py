"""keraslite -> file -> keraslite round trips in every format (NumPy/h5py only)."""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

import keraslite
from keraslite import constraints, layers, optimizers, regularizers
from keraslite.saving import FileFormatError

FORMATS = ["model.keras", "model.h5", "model.weights.h5", "legacy.h5"]


def _dense_stack(units, **dense_kwargs):
    def build():
        stack = [keraslite.Input((4,))]
        for i, n in enumerate(units):
            stack.append(layers.Dense(n, name=f"custom_{i}", **dense_kwargs))
        return stack
    return build


# name -> (layers builder, optimizer factory, loss, metrics)
MODELS = {
    "relu-adam": (lambda: [keraslite.Input((4,)),
                           layers.Dense(5, activation="relu"),
                           layers.Dense(3, activation="softmax")],
                  lambda: optimizers.Adam(), "categorical_crossentropy",
                  ["accuracy"]),
    "no-bias-sgd-momentum": (_dense_stack([6, 3], use_bias=False,
                                          activation="tanh"),
                             lambda: optimizers.SGD(0.1, momentum=0.9,
                                                    nesterov=True),
                             "mse", ["mae"]),
    "dropout-flatten-rmsprop": (lambda: [keraslite.Input((2, 2)),
                                         layers.Flatten(),
                                         layers.Dense(8, activation="selu"),
                                         layers.Dropout(0.3),
                                         layers.Activation("sigmoid"),
                                         layers.Dense(3, activation="softmax")],
                                lambda: optimizers.RMSprop(momentum=0.5,
                                                           centered=True),
                                "categorical_crossentropy",
                                ["categorical_accuracy"]),
    "regularized-amsgrad": (lambda: [
        keraslite.Input((4,)),
        layers.Dense(4, activation="elu",
                     kernel_regularizer=regularizers.L1L2(0.01, 0.02),
                     bias_regularizer="l2",
                     activity_regularizer=regularizers.L1(0.001),
                     kernel_constraint=constraints.MaxNorm(3.0),
                     bias_constraint="non_neg",
                     kernel_initializer="he_normal",
                     bias_initializer=keraslite.initializers.Constant(0.1)),
        layers.Dense(3, activation="softmax")],
        lambda: optimizers.Adam(0.01, amsgrad=True),
        keraslite.losses.CategoricalCrossentropy(label_smoothing=0.1),
        [keraslite.metrics.CategoricalAccuracy()]),
    "four-layers-sparse": (_dense_stack([7, 6, 5, 3], activation="softplus"),
                           lambda: optimizers.SGD(),
                           "sparse_categorical_crossentropy", ["accuracy"]),
}


def _data(model, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((16,) + tuple(model.input_shape[1:]), dtype="float32")
    labels = np.arange(16) % 3
    if model.loss == "sparse_categorical_crossentropy":
        y = labels
    else:
        y = np.eye(3, dtype="float32")[labels]
    return x, y


def make(name, steps=2):
    build, opt, loss, metrics = MODELS[name]
    keraslite.utils.set_random_seed(1)
    model = keraslite.Sequential(build(), name=f"model_{name.replace('-', '_')}")
    model.compile(optimizer=opt(), loss=loss, metrics=metrics)
    x, y = _data(model)
    for _ in range(steps):
        model.train_on_batch(x, y)
    return model, x, y


def save(model, path):
    if path.endswith("weights.h5") or os.path.basename(path).startswith("legacy"):
        model.save_weights(path)
    else:
        model.save(path)


def reload(model, path):
    """The model rebuilt from `path` (weights files load into a clone)."""
    if path.endswith((".keras", "model.h5")):
        return keraslite.models.load_model(path)
    clone = keraslite.Sequential.from_config(model.get_config())
    build, opt, loss, metrics = MODELS[_name_of(model)]
    clone.compile(optimizer=opt(), loss=loss, metrics=metrics)
    clone.load_weights(path)
    return clone


def _name_of(model):
    return model.name[len("model_"):].replace("_", "-")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_round_trip_predictions_and_training(tmp_path, name, fmt):
    model, x, y = make(name)
    path = str(tmp_path / fmt)
    save(model, path)
    loaded = reload(model, path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                  model.predict(x, verbose=0))
    assert loaded.get_config() == model.get_config()
    if fmt == "legacy.h5":  # Keras 2 weights files hold no optimizer state
        return
    state = model.optimizer.get_state()
    for a, b in zip(loaded.optimizer.get_state(), state):
        np.testing.assert_array_equal(a, b)
    # Training resumes on the same trajectory (dropout seeded alike).
    for m in (model, loaded):
        keraslite.utils.set_random_seed(7)
        for _ in range(3):
            m.train_on_batch(x, y)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_archive_layout(tmp_path):
    import json
    import zipfile

    model, _, _ = make("dropout-flatten-rmsprop")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json",
                                 "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
        meta = json.loads(zf.read("metadata.json"))
    assert set(meta) == {"keras_version", "date_saved"}
    assert config["class_name"] == "Sequential"
    assert config["build_config"] == {"input_shape": [None, 2, 2]}
    assert config["compile_config"]["optimizer"]["class_name"] == "RMSprop"
    entries = {e["class_name"]: e for e in config["config"]["layers"]}
    assert "build_config" in entries["Dense"] and "build_config" in entries["Flatten"]
    assert "build_config" not in entries["Dropout"]
    assert entries["Dense"]["config"]["dtype"]["class_name"] == "DTypePolicy"


def test_weights_h5_layout(tmp_path):
    model, _, _ = make("dropout-flatten-rmsprop")
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert f["vars"].attrs["name"] == model.name
        assert sorted(f["layers"]) == ["activation", "dense", "dense_1",
                                       "dropout", "flatten"]
        assert f["layers/dense_1/vars"].attrs["name"] == model.layers[-1].name
        assert f["layers/dense/vars/0"].shape == (4, 8)
        assert f["optimizer/vars"].attrs["name"] == model.optimizer.name
        # iteration, learning_rate, 4 velocities, 4 momentums, 4 averages
        assert len(f["optimizer/vars"]) == 2 + 3 * 4
        assert f["optimizer/vars/0"].dtype == np.int64


def test_legacy_h5_layout(tmp_path):
    model, _, _ = make("relu-adam")
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        assert set(f.attrs) == {"keras_version", "backend", "model_config",
                                "training_config"}
        weights = f["model_weights"]
        assert list(weights.attrs["layer_names"]) == [l.name for l in model.layers]
        first = model.layers[0].name
        assert list(weights[first].attrs["weight_names"]) == [
            f"{model.name}/{first}/kernel", f"{model.name}/{first}/bias"]
        names = list(f["optimizer_weights"].attrs["weight_names"])
        opt = model.optimizer.name
        assert names[:2] == [f"{opt}/iteration", f"{opt}/learning_rate"]
        assert len(names) == 2 + 2 * 4


@pytest.mark.parametrize("fmt,renamed", [("model.keras", "model.bin"),
                                         ("model.h5", "model.dat"),
                                         ("model.weights.h5", "weights.h5"),
                                         ("legacy.h5", "legacy.weights.h5")])
def test_format_detected_from_content(tmp_path, fmt, renamed):
    model, x, _ = make("relu-adam")
    save(model, str(tmp_path / fmt))
    shutil.move(tmp_path / fmt, tmp_path / renamed)
    if fmt in ("model.keras", "model.h5"):
        loaded = keraslite.models.load_model(tmp_path / renamed)
    else:
        loaded = keraslite.Sequential.from_config(model.get_config())
        loaded.load_weights(tmp_path / renamed)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_load_weights_from_keras_archive_and_full_h5(tmp_path):
    model, x, _ = make("relu-adam")
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    for path in ("m.keras", "m.h5"):
        clone = keraslite.Sequential.from_config(model.get_config())
        clone.load_weights(tmp_path / path)
        np.testing.assert_array_equal(clone.predict(x, verbose=0),
                                      model.predict(x, verbose=0))


def test_load_by_name_and_skip_mismatch(tmp_path):
    model, x, _ = make("four-layers-sparse")
    model.save_weights(tmp_path / "w.h5")
    # A model whose layers come in another order, with one new layer.
    other = keraslite.Sequential([keraslite.Input((4,)),
                                  layers.Dense(7, name="custom_0"),
                                  layers.Dense(9, name="custom_1"),
                                  layers.Dense(2, name="brand_new")])
    with pytest.raises(FileFormatError, match="custom_1.*\\(7, 9\\).*\\(7, 6\\)"):
        other.load_weights(tmp_path / "w.h5", by_name=True)
    with pytest.warns(UserWarning, match="custom_1"):
        other.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].get_weights()[0],
                                  model.layers[0].get_weights()[0])


def test_skip_mismatch_keras3_weights(tmp_path):
    model, _, _ = make("four-layers-sparse")
    model.save_weights(tmp_path / "w.weights.h5")
    other = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(7),
                                  layers.Dense(2)])
    with pytest.warns(UserWarning):
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].get_weights()[0],
                                  model.layers[0].get_weights()[0])


def test_unbuilt_optimizer_is_built_when_loading_state(tmp_path):
    model, x, y = make("relu-adam")
    model.save_weights(tmp_path / "w.weights.h5")
    fresh = keraslite.Sequential.from_config(model.get_config())
    fresh.compile(optimizer="adam", loss="categorical_crossentropy")
    assert not fresh.optimizer.built
    fresh.load_weights(tmp_path / "w.weights.h5")
    assert fresh.optimizer.built and fresh.optimizer.iterations == 2
    for a, b in zip(fresh.optimizer.get_state(), model.optimizer.get_state()):
        np.testing.assert_array_equal(a, b)


def test_compile_false_and_uncompiled(tmp_path):
    model, x, _ = make("relu-adam")
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    for path in ("m.keras", "m.h5"):
        loaded = keraslite.models.load_model(tmp_path / path, compile=False)
        assert not loaded.compiled
    plain = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2)])
    plain.save(tmp_path / "p.keras")
    plain.save(tmp_path / "p.h5")
    for path in ("p.keras", "p.h5"):
        loaded = keraslite.models.load_model(tmp_path / path)
        assert not loaded.compiled
        assert loaded.get_config() == plain.get_config()


@pytest.mark.parametrize("call,match", [
    (lambda m, p: m.save(p / "m.txt"), "extension"),
    (lambda m, p: m.save(p / "m.keras", zipped=False), "zip"),
    (lambda m, p: m.save(p / "m.keras", foo=1), "not supported"),
    (lambda m, p: m.save_weights(p / "m.keras"), "must end in"),
    (lambda m, p: m.save(p / "m.tf", save_format="tf"), "save_format"),
])
def test_save_argument_errors(tmp_path, call, match):
    model, _, _ = make("relu-adam", steps=0)
    with pytest.raises(ValueError, match=match):
        call(model, tmp_path)


def test_overwrite_false(tmp_path):
    model, _, _ = make("relu-adam", steps=0)
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(FileExistsError):
        model.save_weights(tmp_path / "w.weights.h5", overwrite=False)


def test_weights_only_file_is_not_a_model(tmp_path):
    model, _, _ = make("relu-adam", steps=0)
    for name in ("w.weights.h5", "w.h5"):
        model.save_weights(tmp_path / name)
        with pytest.raises(FileFormatError, match="load_weights"):
            keraslite.models.load_model(tmp_path / name)


def test_by_name_refused_for_keras3_files(tmp_path):
    model, _, _ = make("relu-adam", steps=0)
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(tmp_path / "w.weights.h5", by_name=True)


def test_import_keraslite_does_not_import_h5py():
    code = ("import sys, keraslite, keraslite.saving; "
            "m = keraslite.Sequential([keraslite.Input((2,)), "
            "keraslite.layers.Dense(1)]); m.get_config(); "
            "print('h5py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"
