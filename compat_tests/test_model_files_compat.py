"""Files of functional, nested and subclassed models cross between Keras and
keraslite in both directions: `.keras`, legacy `.h5`, `.weights.h5`.

Each model is built by the same function for both libraries
(`compat_tests/test_models_compat.py`), so the file written by one is
loaded by the other and must predict the same numbers.
"""
import warnings

import numpy as np
import pytest

import keraslite
from compat_tests.test_models_compat import random_graph

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _inputs(model, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(6,) + tuple(t.shape[1:])).astype("float32")
            for t in model.inputs]


def _as_list(outputs):
    return outputs if isinstance(outputs, list) else [outputs]


def _same(a, b):
    for x, y in zip(_as_list(a), _as_list(b)):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6)


def _train_a_little(model, lib, xs):
    losses = ["categorical_crossentropy", "mse"][: len(model.outputs)]
    ys = [np.eye(3, dtype="float32")[np.arange(len(xs[0])) % 3],
          np.ones((len(xs[0]), 1), "float32")][: len(losses)]
    model.compile(lib.optimizers.Adam(1e-2), losses if len(losses) > 1 else losses[0],
                  metrics=[["accuracy"], ["mae"]][: len(losses)] if len(losses) > 1
                  else ["accuracy"])
    model.fit(xs, ys if len(ys) > 1 else ys[0], epochs=2, verbose=0)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("writer,seed", [("keraslite", 0), ("keraslite", 3),
                                         ("keraslite", 5), ("keras", 1),
                                         ("keras", 2), ("keras", 6)])
def test_functional_files_cross(tmp_path, writer, seed, suffix):
    source_lib, target_lib = (keraslite, keras) if writer == "keraslite" \
        else (keras, keraslite)
    source = random_graph(source_lib, seed)
    xs = _inputs(source, seed)
    _train_a_little(source, source_lib, xs)
    path = tmp_path / f"model{suffix}"
    source.save(path)
    with warnings.catch_warnings():
        if target_lib is keras:
            warnings.simplefilter("error")  # Keras loads it without a warning
        loaded = target_lib.models.load_model(path)
    assert [la.name for la in loaded.layers] == [la.name for la in source.layers]
    _same(source.predict(xs, verbose=0), loaded.predict(xs, verbose=0))
    assert list(loaded.output_names) == list(source.output_names)
    if suffix == ".keras":  # the optimizer state crossed too
        assert int(np.asarray(loaded.optimizer.iterations)) == \
            int(np.asarray(source.optimizer.iterations))
    if target_lib is keraslite:
        assert type(loaded).__name__ == "Functional" and loaded.compiled


@pytest.mark.parametrize("direction", ["keraslite->keras", "keras->keraslite"])
def test_functional_weights_files_cross(tmp_path, direction):
    ours, theirs = random_graph(keraslite, 4), random_graph(keras, 4)
    source, target = (ours, theirs) if direction == "keraslite->keras" else (theirs, ours)
    path = tmp_path / "w.weights.h5"
    source.save_weights(path)
    target.load_weights(path)
    xs = _inputs(ours)
    _same(ours.predict(xs, verbose=0), theirs.predict(xs, verbose=0))


def _registered_model(lib, package):
    """A registered subclassed model with a registered custom layer."""
    register = lib.saving.register_keras_serializable(package=package)

    @register
    class Scale(lib.layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     name="w")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @register
    class Net(lib.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.scale = Scale(2.0, name="scale")
            self.dense = lib.layers.Dense(units, name="dense")

        def call(self, x):
            return self.dense(self.scale(x))

        def get_config(self):
            return {"units": self.units, "name": self.name}

    return Net, Scale


def test_registered_subclassed_model_crosses_both_ways(tmp_path):
    OurNet, OurScale = _registered_model(keraslite, "files_compat")
    TheirNet, TheirScale = _registered_model(keras, "files_compat")
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    ours = OurNet(name="net")
    ours(x)
    ours.scale.set_weights([np.arange(4, dtype="float32")])
    ours.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    _same(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))
    theirs.dense.set_weights([w * 2 for w in theirs.dense.get_weights()])
    theirs.save(tmp_path / "theirs.keras")
    back = keraslite.models.load_model(tmp_path / "theirs.keras")
    assert isinstance(back, OurNet)
    _same(back.predict(x, verbose=0), theirs.predict(x, verbose=0))
    # A functional model with the custom layer, both ways.
    inp = keraslite.Input((4,), name="x")
    func = keraslite.Model(inp, OurScale(3.0, name="sc")(inp))
    func.save(tmp_path / "func.keras")
    theirs = keras.models.load_model(tmp_path / "func.keras")
    _same(func.predict(x, verbose=0), theirs.predict(x, verbose=0))
    back = keraslite.models.load_model(tmp_path / "func.keras")
    _same(func.predict(x, verbose=0), back.predict(x, verbose=0))


def test_lambda_needs_safe_mode_false(tmp_path):
    inp = keras.Input((3,), name="x")
    out = keras.layers.Lambda(lambda t: t * 2.0 + 1.0, name="lam")(inp)
    keras.Model(inp, out).save(tmp_path / "lam.keras")
    with pytest.raises(keraslite.saving.FileFormatError, match="safe_mode"):
        keraslite.models.load_model(tmp_path / "lam.keras")
    model = keraslite.models.load_model(tmp_path / "lam.keras", safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x * 2 + 1)


def test_tf_keras_2_functional_h5_loads(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    a = tf_keras.Input((3,), name="a")
    b = tf_keras.Input((2,), name="b")
    shared = tf_keras.layers.Dense(2, name="shared")
    h = tf_keras.layers.Concatenate(name="cat")([shared(a), b, shared(
        tf_keras.layers.Dense(3, name="pre")(a))])
    out = tf_keras.layers.Dense(1, name="out")(h)
    model = tf_keras.Model([a, b], out)
    model.save(tmp_path / "k2.h5")
    ours = keraslite.models.load_model(tmp_path / "k2.h5")
    xs = [np.ones((4, 3), "float32"), np.ones((4, 2), "float32")]
    np.testing.assert_allclose(ours.predict(xs, verbose=0), model.predict(xs, verbose=0),
                               rtol=1e-6, atol=1e-6)


def _one_layer_model(lib, make, shapes):
    tensors = [lib.Input(s[1:], name=f"in{i}") for i, s in enumerate(shapes)]
    layer = make(lib.layers)
    out = layer(tensors[0] if len(tensors) == 1 else tensors)
    return lib.Model(tensors, out)


def _layer_cases():
    from compat_tests.parity_models import LAYER_CASES

    return LAYER_CASES


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name,make,shapes,kind", _layer_cases(),
                         ids=[c[0] for c in _layer_cases()])
def test_every_graph_layer_file_crosses_both_ways(tmp_path, name, make, shapes, kind,
                                                  suffix):
    from tests.ops_cases import inputs as case_inputs

    xs = case_inputs(shapes, kind, seed=6)
    safe = name != "Lambda"  # a Lambda's bytecode loads only with safe_mode=False
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = _one_layer_model(writer, make, shapes)
        if source.get_weights():
            rng = np.random.default_rng(7)
            source.set_weights([rng.normal(0.5, 0.2, w.shape).astype("float32")
                                for w in source.get_weights()])
        path = tmp_path / f"{writer.__name__}{suffix}"
        source.save(path)
        loaded = reader.models.load_model(path, safe_mode=safe)
        _same(source.predict(xs, verbose=0), loaded.predict(xs, verbose=0))
        assert type(loaded.layers[-1]).__name__ == type(source.layers[-1]).__name__


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("graph", ["ops_graph", "every_op_graph"])
def test_models_with_ops_on_symbolic_tensors_cross_both_ways(tmp_path, graph, suffix):
    """Ops called on KerasTensors are written as Keras's Operation entries
    (`keras.src.ops.numpy` `GetItem`, `Split`, ...) and read back both ways.
    Keras 3.15 cannot reload such a model from its own legacy `.h5` ("Unknown
    layer: 'Tanh'": that file drops the ops' module), so `.h5` is checked
    Keras -> keraslite only."""
    from compat_tests.test_models_compat import ops_graph
    from tests.test_models import every_op_graph

    build = {"ops_graph": ops_graph, "every_op_graph": every_op_graph}[graph]
    directions = [(keraslite, keras), (keras, keraslite)]
    for writer, reader in directions[1:] if suffix == ".h5" else directions:
        source = build(writer)
        rng = np.random.default_rng(9)
        source.set_weights([rng.normal(0.3, 0.4, w.shape).astype("float32")
                            for w in source.get_weights()])
        path = tmp_path / f"{writer.__name__}{suffix}"
        source.save(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Keras loads ours without warnings
            loaded = reader.models.load_model(path)
        xs = _inputs(source, seed=4)
        _same(source.predict(xs, verbose=0), loaded.predict(xs, verbose=0))
        assert [la.name for la in loaded.layers] == [la.name for la in source.layers]
