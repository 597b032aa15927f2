"""The losses beyond the first five in training and in files, beside Keras.

Small models are trained 2 epochs with shuffle=False in both libraries from
the same weights, with each loss given as Keras users give it (a name, an
alias, a function, a configured class): History and final weights agree
within 1e-4. Compile configs carrying these losses cross `.keras` files
both ways and evaluate to the same loss.
"""
import json
import zipfile

import numpy as np
import pytest

import keraslite
from compat_tests.test_models_compat import copy_weights, leaf_layers

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

N = 48


def _targets(kind, rng, units):
    if kind == "regression":
        return rng.normal(size=(N, units)).astype("float32")
    if kind == "counts":
        return rng.poisson(1.5, (N, units)).astype("float32")
    if kind == "binary":
        return rng.integers(0, 2, (N, units)).astype("float32")
    if kind == "onehot":
        return np.eye(units, dtype="float32")[rng.integers(0, units, N)]
    if kind == "distributions":
        return rng.dirichlet(np.ones(units), N).astype("float32")
    if kind == "away_from_zero":
        return rng.uniform(1.0, 3.0, (N, units)).astype("float32")
    if kind == "signs":
        return (2 * rng.integers(0, 2, (N, units)) - 1).astype("float32")
    raise ValueError(kind)


def assert_same_run(h1, h2, ours, theirs):
    """Same History keys and values, and the same final weights (1e-4)."""
    assert sorted(h1) == sorted(h2)
    for key in h2:
        np.testing.assert_allclose(h1[key], h2[key], rtol=1e-4, atol=1e-4,
                                   err_msg=key)
    other = dict(leaf_layers(theirs))
    for name, layer in leaf_layers(ours):
        for w1, w2 in zip(layer.get_weights(), other[name].get_weights()):
            np.testing.assert_allclose(w1, w2, atol=1e-4, err_msg=name)


def mlp(lib, out_units, out_activation):
    return lib.Sequential([
        lib.Input((5,)),
        lib.layers.Dense(8, activation="tanh", name="hidden"),
        lib.layers.Dense(out_units, activation=out_activation, name="out"),
    ], name="net")


def _loss(lib, spec):
    """A loss spec, made in `lib`: a string, or (class name, kwargs), or
    ("function", name) for the function object."""
    if isinstance(spec, str):
        return spec
    kind, arg = spec
    if kind == "function":
        return getattr(lib.losses, arg)
    return getattr(lib.losses, kind)(**arg)


# (id, loss spec, output units, output activation, target kind)
FITS = [
    ("huber", "huber", 2, "linear", "regression"),
    ("Huber(delta=0.3)", ("Huber", {"delta": 0.3}), 2, "linear", "regression"),
    ("log_cosh function", ("function", "log_cosh"), 2, "linear", "regression"),
    ("kld alias, softmax", "kld", 4, "softmax", "distributions"),
    ("poisson, softplus", "poisson", 3, "softplus", "counts"),
    ("CosineSimilarity", ("CosineSimilarity", {}), 3, "linear", "regression"),
    ("hinge, 0/1 labels", "hinge", 3, "tanh", "binary"),
    ("squared_hinge", "squared_hinge", 3, "tanh", "signs"),
    ("categorical_hinge", "categorical_hinge", 4, "linear", "onehot"),
    ("msle alias, softplus", "msle", 2, "softplus", "counts"),
    ("MeanAbsolutePercentageError", ("MeanAbsolutePercentageError", {}), 2, "linear",
     "away_from_zero"),
    ("CategoricalFocalCrossentropy, softmax",
     ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.5}),
     4, "softmax", "onehot"),
    ("BinaryFocalCrossentropy, sigmoid (fused logits)",
     ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4}),
     3, "sigmoid", "binary"),
    ("binary_focal_crossentropy from_logits",
     ("BinaryFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
     3, "linear", "binary"),
    ("Dice(axis=1) sum reduction, sigmoid",
     ("Dice", {"axis": 1, "reduction": "sum"}), 3, "sigmoid", "binary"),
    ("tversky (one value per batch)", "tversky", 3, "sigmoid", "binary"),
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", FITS, ids=[c[0] for c in FITS])
def test_fit_matches_keras(case, weighted):
    _, spec, units, activation, kind = case
    ours, theirs = mlp(keraslite, units, activation), mlp(keras, units, activation)
    copy_weights(ours, theirs, 5)
    rng = np.random.default_rng(6)
    x = rng.normal(size=(N, 5)).astype("float32")
    y = _targets(kind, rng, units)
    sw = rng.uniform(0.2, 2.0, N).astype("float32") if weighted else None
    val = (x[:16], y[:16])
    ours.compile(keraslite.optimizers.Adam(0.02), loss=_loss(keraslite, spec))
    theirs.compile(keras.optimizers.Adam(0.02), loss=_loss(keras, spec))
    h1 = ours.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False,
                  verbose=0, validation_data=val).history
    h2 = theirs.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False,
                    verbose=0, validation_data=val).history
    assert sorted(h1) == ["loss", "val_loss"]
    assert_same_run(h1, h2, ours, theirs)


def two_outputs(lib):
    a = lib.Input((5,), name="a")
    h = lib.layers.Dense(8, activation="relu", name="h")(a)
    seg = lib.layers.Dense(3, activation="sigmoid", name="seg")(h)
    reg = lib.layers.Dense(2, name="reg")(h)
    return lib.Model(a, [seg, reg], name="two")


def test_two_outputs_with_new_losses_match_keras():
    ours, theirs = two_outputs(keraslite), two_outputs(keras)
    copy_weights(ours, theirs, 7)
    rng = np.random.default_rng(8)
    x = rng.normal(size=(N, 5)).astype("float32")
    y = {"seg": _targets("binary", rng, 3), "reg": _targets("regression", rng, 2)}
    for lib, model in ((keraslite, ours), (keras, theirs)):
        model.compile(lib.optimizers.RMSprop(0.01),
                      loss={"seg": lib.losses.Tversky(alpha=0.3, beta=0.7, axis=-1),
                            "reg": "log_cosh"},
                      loss_weights={"seg": 1.0, "reg": 0.5})
    h1 = ours.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0).history
    h2 = theirs.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0).history
    assert_same_run(h1, h2, ours, theirs)


# --- compile configs through .keras files ---------------------------------------------
def _compile_config(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))["compile_config"]


# (id, loss spec, output units, activation, target kind)
FILES = [
    ("BinaryFocalCrossentropy configured",
     ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3,
                                  "gamma": 1.5, "label_smoothing": 0.1}),
     3, "sigmoid", "binary"),
    ("Tversky axis tuple", ("Tversky", {"alpha": 0.2, "beta": 0.8, "axis": (1,)}),
     3, "sigmoid", "binary"),
    ("CategoricalFocalCrossentropy alpha list",
     ("CategoricalFocalCrossentropy", {"alpha": [0.1, 0.2, 0.3, 0.4]}),
     4, "softmax", "onehot"),
    ("huber function object", ("function", "huber"), 2, "linear", "regression"),
    ("mape alias", "mape", 2, "linear", "regression"),
]


def _file_case(case, lib):
    _, spec, units, activation, kind = case
    model = mlp(lib, units, activation)
    model.compile("sgd", loss=_loss(lib, spec))
    rng = np.random.default_rng(9)
    x = rng.normal(size=(N, 5)).astype("float32")
    return model, x, _targets(kind, rng, units)


@pytest.mark.parametrize("case", FILES, ids=[c[0] for c in FILES])
def test_keraslite_compile_config_loads_in_keras(tmp_path, case):
    model, x, y = _file_case(case, keraslite)
    model.save(tmp_path / "m.keras")
    reference = _file_case(case, keras)[0]
    reference.save(tmp_path / "reference.keras")
    ours, theirs = (_compile_config(tmp_path / name)["loss"]
                    for name in ("m.keras", "reference.keras"))
    if isinstance(theirs, dict) and theirs["class_name"] == "function":
        # NOTE: keraslite writes a loss function by its name, which Keras
        # reads too, where Keras writes {"class_name": "function", ...}.
        theirs = theirs["config"]
    assert ours == theirs
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", FILES, ids=[c[0] for c in FILES])
def test_keras_compile_config_loads_in_keraslite(tmp_path, case):
    model, x, y = _file_case(case, keras)
    model.save(tmp_path / "m.keras")
    loaded = keraslite.models.load_model(tmp_path / "m.keras")
    reference = _file_case(case, keraslite)[0]
    spec = case[1]
    if isinstance(loaded.loss, keraslite.losses.Loss):
        assert type(loaded.loss).__name__ == spec[0]
        assert loaded.loss.get_config() == json.loads(json.dumps(
            reference.loss.get_config()))
    else:
        assert keraslite.losses.get(loaded.loss) is keraslite.losses.get(
            reference.loss)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), rtol=1e-5, atol=1e-6)
    # And back: the file keraslite writes from it reads in Keras.
    loaded.save(tmp_path / "again.keras")
    again = keras.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spec", ["kld", "msle", ("function", "huber"),
                                  ("Tversky", {"alpha": 0.2, "axis": (1,)})],
                         ids=str)
def test_legacy_h5_training_config_both_ways(tmp_path, spec):
    """Aliases, functions and configured classes in legacy .h5 training
    configs, both ways (keraslite writes aliases by their full names)."""
    case = ("h5", spec, 3, "sigmoid", "binary")
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        model, x, y = _file_case(case, writer)
        model.save(tmp_path / "m.h5")
        loaded = reader.models.load_model(tmp_path / "m.h5")
        np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                                   model.evaluate(x, y, verbose=0),
                                   rtol=1e-5, atol=1e-6)
