"""Functional and subclassed models on NumPy alone: graphs, shared layers,
nested models, custom layers written with ops, multi-output training, and
Keras's errors for bad graphs and bad compile arguments."""
import numpy as np
import pytest

import keraslite
from keraslite import autodiff, layers, ops
from tests.test_gradcheck import numeric_grad


def numeric_grads(loss_fn, variables):
    return [numeric_grad(loss_fn, var.value) for var in variables]


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


def siamese():
    a = keraslite.Input((3,), name="a")
    b = keraslite.Input((3,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    nested = keraslite.Sequential([layers.Dense(3, activation="sigmoid", name="n1")],
                                  name="tower")
    ha, hb = nested(shared(a)), nested(shared(b))  # both shared twice
    merged = layers.Concatenate(name="cat")([layers.Subtract(name="sub")([ha, hb]),
                                             layers.Multiply(name="mul")([ha, hb])])
    cls = layers.Dense(2, activation="softmax", name="cls")(merged)
    reg = layers.Dense(1, name="reg")(layers.Add(name="add")([ha, hb]))
    return keraslite.Model([a, b], [cls, reg], name="siamese")


def test_shared_and_nested_gradients_match_central_differences(float64):
    model = siamese()
    model.compile("sgd", loss={"cls": "categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.5})
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))]
    y = {"cls": np.eye(2)[[0, 1, 1, 0, 1]], "reg": rng.normal(size=(5, 1))}
    loss, grads = model._compute_loss_and_grads(x, y)

    def objective():
        cls, reg = model(x)
        return float(np.mean(-np.sum(y["cls"] * np.log(cls), axis=1))
                     + 0.5 * np.mean((reg - y["reg"]) ** 2))

    assert loss == pytest.approx(objective(), rel=1e-9)
    variables = model.trainable_weights
    assert len(variables) == 8  # shared, n1, cls, reg: each counted once
    for g, numeric, var in zip(grads, numeric_grads(objective, variables), variables):
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8, err_msg=var.path)


class Residual(layers.Layer):
    """A custom layer written only with ops (no backward)."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], input_shape[-1]),
                                 initializer="glorot_uniform", name="w")
        self.g = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                 name="g")

    def call(self, x):
        h = ops.tanh(ops.matmul(x, self.w)) * self.g
        self.add_loss(0.01 * ops.sum(ops.square(self.g)))
        return x + h / (1.0 + ops.abs(h))


class Net(keraslite.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.res = Residual(name="res")
        self.out = layers.Dense(1, name="out")

    def call(self, x, training=False):
        h = self.res(x)
        if training:
            h = h * 1.0
        return self.out(ops.concatenate([h, ops.relu(-h)], axis=-1))


def test_subclassed_model_with_ops_layer_and_add_loss_gradients(float64):
    model = Net(name="net")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    model.compile("sgd", "mse")
    loss, grads = model._compute_loss_and_grads(x, y)
    assert [la.name for la in model.layers] == ["res", "out"]
    assert [v.path for v in model.trainable_weights] == [
        "res/w", "res/g", "out/kernel", "out/bias"]

    def objective():
        pred = model(x)
        return float(np.mean((pred - y) ** 2) + 0.01 * np.sum(model.res.g.value ** 2))

    assert loss == pytest.approx(objective(), rel=1e-9)
    for g, numeric in zip(grads, numeric_grads(objective, model.trainable_weights)):
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_subclassed_model_trains_and_is_built_on_first_call():
    model = Net()
    with pytest.raises(ValueError, match="not been built"):
        model.count_params()
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:2]).astype("float32")
    model.compile(keraslite.optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    assert model.count_params() == 9 + 3 + 7


def test_functional_structure_and_feature_extraction():
    model = siamese()
    # Keras's order (by depth from the outputs, then first traversal).
    assert [la.name for la in model.layers] == [
        "a", "b", "shared", "tower", "sub", "mul", "cat", "add", "cls", "reg"]
    assert model.get_layer(index=2).name == "shared"
    assert model.output_names == ["cls", "reg"]
    features = keraslite.Model(model.inputs, model.get_layer("cat").output)
    x = [np.ones((2, 3), "float32"), np.zeros((2, 3), "float32")]
    cat = features.predict(x, verbose=0)
    assert cat.shape == (2, 6)
    np.testing.assert_array_equal(features.get_layer("shared").kernel.value,
                                  model.get_layer("shared").kernel.value)
    seq = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(4, name="h"),
                                layers.Dense(1, name="o")])
    head = keraslite.Model(seq.input, seq.get_layer("h").output)
    np.testing.assert_allclose(head.predict(x[0], verbose=0),
                               x[0] @ seq.layers[0].kernel.value)


def test_dict_inputs_and_outputs():
    a = keraslite.Input((2,), name="a")
    b = keraslite.Input((1,), name="b")
    h = layers.Concatenate()([a, b])
    model = keraslite.Model({"a": a, "b": b},
                            {"y": layers.Dense(1, name="y")(h),
                             "z": layers.Dense(2, name="z")(h)})
    x = {"a": np.ones((4, 2), "float32"), "b": np.ones((4, 1), "float32")}
    out = model.predict(x, verbose=0)
    assert sorted(out) == ["y", "z"] and out["z"].shape == (4, 2)
    model.compile("sgd", {"y": "mse", "z": "mse"})
    history = model.fit(x, {"y": np.zeros((4, 1)), "z": np.zeros((4, 2))},
                        verbose=0)
    assert sorted(history.history) == ["loss", "y_loss", "z_loss"]


def test_bad_graphs_get_keras_errors():
    a = keraslite.Input((3,), name="a")
    b = keraslite.Input((3,), name="b")
    with pytest.raises(ValueError, match="Graph disconnected"):
        keraslite.Model(a, layers.Dense(2)(layers.Add()([a, b])))
    with pytest.raises(ValueError, match="used 2 times"):
        keraslite.Model(a, layers.Dense(2, name="same")(layers.Dense(3, name="same")(a)))
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.Add()([a, keraslite.Input((4,))])
    dense = layers.Dense(2, name="d3")
    dense(a)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        dense(keraslite.Input((5,)))
    with pytest.raises(ValueError, match="KerasTensors"):
        keraslite.Model(a, np.ones(3))
    with pytest.raises(ValueError, match="never been called"):
        layers.Dense(2).output


def test_compile_arguments_checked_against_outputs():
    model = siamese()
    with pytest.raises(ValueError, match=r"Expected keys \['cls', 'reg'\] in loss dict"):
        model.compile("sgd", loss={"cls": "mse", "nope": "mse"})
    with pytest.raises(ValueError, match="one entry per output"):
        model.compile("sgd", loss=["mse"])
    with pytest.raises(ValueError, match="list of lists"):
        model.compile("sgd", loss="mse", metrics=["mae"])


def test_training_flag_reaches_inner_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=False):
            seen.append(training)
            return x

    inp = keraslite.Input((2,))
    model = keraslite.Model(inp, layers.Dense(1)(Probe()(inp)))
    model.compile("sgd", "mse")
    seen.clear()
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0, batch_size=4)
    model.predict(np.ones((4, 2)), verbose=0)
    assert seen == [True, False]


def test_user_call_cannot_change_callers_array():
    class InPlace(layers.Layer):
        def call(self, x):
            x -= 1.0
            return x

    x = np.ones((2, 2), "float32")
    out = InPlace()(x)
    np.testing.assert_array_equal(x, 1.0)
    np.testing.assert_array_equal(out, 0.0)


def test_lambda_layer_trains_through_ops():
    inp = keraslite.Input((2,))
    h = layers.Dense(2, name="d")(inp)
    out = layers.Lambda(lambda t: ops.square(t) * 0.5)(h)
    model = keraslite.Model(inp, out)
    model.compile("sgd", "mse")
    _, grads = model._compute_loss_and_grads(np.ones((3, 2)), np.zeros((3, 2)))
    assert all(np.any(g != 0) for g in grads[:1])


def test_functional_config_round_trip_and_clone():
    model = siamese()
    clone = keraslite.models.clone_model(model)
    assert [la.name for la in clone.layers] == [la.name for la in model.layers]
    assert clone.get_config() == model.get_config()
    assert clone.count_params() == model.count_params()
    assert not np.array_equal(clone.get_layer("cls").kernel.value,
                              model.get_layer("cls").kernel.value)


def test_tape_records_nothing_in_inference():
    model = siamese()
    x = [np.ones((2, 3), "float32")] * 2
    assert autodiff.current_tape() is None
    cls, reg = model(x)
    assert isinstance(cls, np.ndarray) and isinstance(reg, np.ndarray)


def test_ops_on_keras_tensors_become_graph_nodes(float64):
    inp = keraslite.Input((3,), name="x")
    h = ops.relu(layers.Dense(4, name="d")(inp)) + 1.0
    h = h * h - ops.mean(h, axis=-1, keepdims=True)
    out = layers.Dense(1, name="o")(ops.concatenate([h, inp[:, :2]], axis=-1))
    model = keraslite.Model(inp, out)
    assert [la.name for la in model.layers] == ["x", "d", "o"]  # ops are not layers
    assert out.shape == (None, 1) and ops.shape(inp) == (None, 3)
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    d, o = model.get_layer("d"), model.get_layer("o")

    def objective():
        h = np.maximum(x @ d.kernel.value + d.bias.value, 0) + 1.0
        h = h * h - h.mean(axis=-1, keepdims=True)
        pred = np.concatenate([h, x[:, :2]], axis=-1) @ o.kernel.value + o.bias.value
        return float(np.mean((pred - y) ** 2))

    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model(x), rtol=1e-12)
    model.compile("sgd", "mse")
    loss, grads = model._compute_loss_and_grads(x, y)
    assert loss == pytest.approx(objective(), rel=1e-9)
    for g, numeric in zip(grads, numeric_grads(objective, model.trainable_weights)):
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)
    clone = keraslite.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-12)
    assert [la.name for la in clone.layers] == ["x", "d", "o"]


def every_op_graph(lib):
    """A model calling ops with tensor, constant, slice and Ellipsis
    arguments and an op with two outputs (split)."""
    ops_ = lib.ops
    inp = lib.Input((4, 6), name="x")
    h = lib.layers.Dense(6, name="d")(inp)
    a, b = ops_.split(h, 2, axis=-1)
    c = ops_.where(a > 0.1, a, ops_.zeros_like(a)) + ops_.power(ops_.abs(b), 2.0)
    c = ops_.clip(ops_.transpose(c, (0, 2, 1)), -2.0, 2.0)
    c = ops_.reshape(c, (-1, 12))[:, 1:11:2] * ops_.cast(ops_.max(h[..., 0], axis=-1,
                                                              keepdims=True), "float32")
    s = ops_.sum(ops_.expand_dims(ops_.log_softmax(c), 1), axis=1)
    return lib.Model(inp, [s, ops_.sigmoid(h[:, 0])], name="every_op")


def test_every_op_graph_survives_its_config_and_files(tmp_path):
    model = every_op_graph(keraslite)
    x = np.random.default_rng(0).normal(size=(3, 4, 6)).astype("float32")
    expected = model.predict(x, verbose=0)
    for path in (None, tmp_path / "m.keras", tmp_path / "m.h5"):
        if path is None:
            clone = keraslite.Model.from_config(model.get_config())
            clone.set_weights(model.get_weights())
        else:
            model.save(path)
            clone = keraslite.models.load_model(path)
        for got, want in zip(clone.predict(x, verbose=0), expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_batches_gathered_from_strided_views_without_copying_the_source(monkeypatch):
    from keraslite.models import data as data_module

    x = np.arange(40 * 6, dtype="float32").reshape(40, 6)
    view = x[:, :3]  # strided
    gatherer = data_module.BatchGatherer((view, None), 8)
    assert gatherer.arrays[0].flags["C_CONTIGUOUS"]
    batch, none = gatherer.gather(np.array([5, 1, 30]))
    np.testing.assert_array_equal(batch, view[[5, 1, 30]])
    assert none is None
