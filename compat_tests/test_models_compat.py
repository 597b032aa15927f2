"""Functional and subclassed models beside Keras: the same graph, weights and
data in both libraries give the same predictions, gradients and training runs.

Each model is written once as a function of the library (`lib` is
`keraslite` or `keras`), so both sides are built by the same code.
"""
import numpy as np
import pytest

import keraslite

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

GRAD_TOL = dict(rtol=1e-5, atol=1e-5)


# --- models written once for both libraries -------------------------------------------
def random_graph(lib, seed):
    """A random functional graph: 1-3 inputs, shared layers, merges, a nested
    model, 1-2 outputs. Layer names are explicit so both sides match."""
    rng = np.random.default_rng(seed)
    L = lib.layers
    n_inputs = int(rng.integers(1, 4))
    width = 4
    inputs = [lib.Input((width,), name=f"in{i}") for i in range(n_inputs)]
    shared = L.Dense(width, activation="tanh", name="shared")
    towers = [shared(x) for x in inputs]  # one layer, one call per input
    merges = [L.Add(name="add"), L.Subtract(name="subtract"),
              L.Multiply(name="multiply"), L.Average(name="average"),
              L.Maximum(name="maximum"), L.Minimum(name="minimum"),
              L.Concatenate(name="concatenate"), L.Dot(axes=1, name="dot")]
    merge = merges[seed % len(merges)]
    if len(towers) == 1:
        towers.append(L.Dense(width, activation="relu", name="second")(inputs[0]))
    pair = towers[:2]
    merged = merge(pair)
    if len(towers) > 2:
        merged = L.Concatenate(name="concat_rest")([merged] + towers[2:])
    nested = lib.Sequential([L.Dense(5, activation="relu", name="nested_dense"),
                             L.Dense(3, name="nested_out")], name="nested")
    h = nested(merged)
    h = L.Concatenate(name="skip")([h, towers[0]])
    outputs = [L.Dense(3, activation="softmax", name="cls")(h)]
    if seed % 2:
        outputs.append(L.Dense(1, name="reg")(L.ReLU(name="relu")(h)))
    return lib.Model(inputs, outputs, name="graph")


def antirectifier_class(lib):
    """Keras's `antirectifier` example layer (keras.io/examples/keras_recipes)."""

    class Antirectifier(lib.layers.Layer):
        def __init__(self, initializer="he_normal", **kwargs):
            super().__init__(**kwargs)
            self.initializer = lib.initializers.get(initializer)

        def build(self, input_shape):
            output_dim = input_shape[-1]
            self.kernel = self.add_weight(
                shape=(output_dim * 2, output_dim),
                initializer=self.initializer, name="kernel", trainable=True)

        def call(self, inputs):
            inputs -= lib.ops.mean(inputs, axis=-1, keepdims=True)
            pos = lib.ops.relu(inputs)
            neg = lib.ops.relu(-inputs)
            concatenated = lib.ops.concatenate([pos, neg], axis=-1)
            return lib.ops.matmul(concatenated, self.kernel)

    return Antirectifier


def subclassed_model(lib):
    """A subclassed model whose custom layers use only `ops` (no backward)."""
    ops = lib.ops
    Antirectifier = antirectifier_class(lib)

    class ScaledResidual(lib.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],),
                                         initializer="ones", name="scale")
            self.shift = self.add_weight(shape=(input_shape[-1],),
                                         initializer="zeros", name="shift")

        def call(self, x):
            centered = x - ops.mean(x, axis=-1, keepdims=True)
            norm = centered / ops.sqrt(ops.mean(ops.square(centered), axis=-1,
                                                keepdims=True) + 1e-3)
            return x + ops.tanh(norm * self.scale + self.shift) * ops.sigmoid(x)

    class Net(lib.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.anti = Antirectifier(name="anti")
            self.hidden = lib.layers.Dense(8, activation="elu", name="hidden")
            self.residual = ScaledResidual(name="residual")
            self.head = lib.layers.Dense(3, activation="softmax", name="head")

        def call(self, x, training=False):
            h = self.hidden(self.anti(x))
            h = self.residual(h)
            h = ops.maximum(h, ops.clip(h, -0.5, 0.5) * 0.1)
            return self.head(h)

    return Net(name="net")


# --- helpers ----------------------------------------------------------------------------
def leaf_layers(model):
    """(name, layer) of every layer holding weights, nested models entered."""
    out = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers and layer.weights:
            out += leaf_layers(layer)
        elif layer.weights:
            out.append((layer.name, layer))
    return out


def copy_weights(ours, theirs, seed=0):
    """Gives both models the same random weights, layer by layer."""
    rng = np.random.default_rng(seed)
    mine = dict(leaf_layers(ours))
    other = dict(leaf_layers(theirs))
    assert sorted(mine) == sorted(other)
    for name, layer in mine.items():
        weights = [rng.normal(0, 0.5, w.shape).astype("float32")
                   for w in layer.get_weights()]
        layer.set_weights(weights)
        other[name].set_weights(weights)


def data(model, n, seed):
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=(n,) + tuple(t.shape[1:])).astype("float32")
          for t in model.inputs]
    ys = [np.eye(3, dtype="float32")[rng.integers(0, 3, n)]]
    if len(model.outputs) > 1:
        ys.append(rng.normal(size=(n, 1)).astype("float32"))
    return xs, ys


def keras_loss_and_grads(model, xs, ys, losses, weights):
    with tf.GradientTape() as tape:
        preds = model(xs if len(xs) > 1 else xs[0], training=True)
        preds = preds if isinstance(preds, (list, tuple)) else [preds]
        total = 0.0
        for fn, w, y, p in zip(losses, weights, ys, preds):
            total += w * tf.reduce_mean(keras.losses.get(fn)(y, p))
        total += sum(model.losses) if model.losses else 0.0
    grads = tape.gradient(total, model.trainable_weights)
    return float(total), {id(v): g.numpy() for v, g in zip(model.trainable_weights, grads)}


def compare_grads(ours, theirs, our_grads, their_grads):
    mine = {id(v): g for v, g in zip(ours.trainable_weights, our_grads)}
    other = dict(leaf_layers(theirs))
    count = 0
    for name, layer in leaf_layers(ours):
        for var, ref in zip(layer.trainable_weights, other[name].trainable_weights):
            np.testing.assert_allclose(mine[id(var)], their_grads[id(ref)],
                                       err_msg=f"{name}/{var.name}", **GRAD_TOL)
            count += 1
    assert count == len(ours.trainable_weights) == len(theirs.trainable_weights)


# --- functional graphs ------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_random_graph_predictions_and_gradients(seed):
    ours, theirs = random_graph(keraslite, seed), random_graph(keras, seed)
    assert [la.name for la in ours.layers] == [la.name for la in theirs.layers]
    copy_weights(ours, theirs, seed)
    xs, ys = data(ours, 16, seed)
    pred_ours = ours.predict(xs, verbose=0)
    pred_theirs = theirs.predict(xs, verbose=0)
    for a, b in zip(pred_ours if isinstance(pred_ours, list) else [pred_ours],
                    pred_theirs if isinstance(pred_theirs, list) else [pred_theirs]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    losses = ["categorical_crossentropy", "mse"][: len(ys)]
    weights = [1.0, 0.5][: len(ys)]
    ours.compile("sgd", loss=losses if len(ys) > 1 else losses[0],
                 loss_weights=weights if len(ys) > 1 else None)
    loss, our_grads = ours._compute_loss_and_grads(xs, ys if len(ys) > 1 else ys[0])
    their_loss, their_grads = keras_loss_and_grads(theirs, xs, ys, losses, weights)
    np.testing.assert_allclose(loss, their_loss, rtol=1e-5, atol=1e-6)
    compare_grads(ours, theirs, our_grads, their_grads)


def two_in_two_out(lib):
    L = lib.layers
    a = lib.Input((6,), name="a")
    b = lib.Input((4,), name="b")
    h = L.Concatenate(name="join")([L.Dense(8, activation="relu", name="da")(a),
                                    L.Dense(8, activation="tanh", name="db")(b)])
    h = L.Dropout(0.0, name="drop")(h)
    cls = L.Dense(3, activation="softmax", name="cls")(h)
    reg = L.Dense(1, name="reg")(L.Add(name="mix")([h, L.Dense(16, name="dh")(b)]))
    return lib.Model([a, b], [cls, reg], name="two")


def test_two_input_two_output_fit_matches_keras():
    ours, theirs = two_in_two_out(keraslite), two_in_two_out(keras)
    copy_weights(ours, theirs, 3)
    rng = np.random.default_rng(4)
    x = [rng.normal(size=(96, 6)).astype("float32"),
         rng.normal(size=(96, 4)).astype("float32")]
    y = {"cls": np.eye(3, dtype="float32")[rng.integers(0, 3, 96)],
         "reg": rng.normal(size=(96, 1)).astype("float32")}
    val = ([v[:32] for v in x], {k: v[:32] for k, v in y.items()})
    kwargs = dict(loss={"cls": "categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.3},
                  metrics={"cls": ["accuracy"], "reg": ["mae"]})
    ours.compile(keraslite.optimizers.Adam(1e-2), **kwargs)
    theirs.compile(keras.optimizers.Adam(1e-2), **kwargs)
    h1 = ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                  validation_data=val).history
    h2 = theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                    validation_data=val).history
    assert sorted(h1) == sorted(h2)
    for key in h2:
        np.testing.assert_allclose(h1[key], h2[key], rtol=1e-4, atol=1e-4, err_msg=key)
    other = dict(leaf_layers(theirs))
    for name, layer in leaf_layers(ours):
        for w1, w2 in zip(layer.get_weights(), other[name].get_weights()):
            np.testing.assert_allclose(w1, w2, atol=1e-4, err_msg=name)
    e1 = ours.evaluate(x, y, verbose=0)
    e2 = theirs.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(e1, e2, rtol=1e-4, atol=1e-4)
    assert ours.metrics_names == theirs.metrics_names


# --- subclassed models and custom layers --------------------------------------------------
def test_antirectifier_layer_matches_keras():
    ours = antirectifier_class(keraslite)(name="anti")
    theirs = antirectifier_class(keras)(name="anti")
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    ours(x)
    theirs(x)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=1e-6)
    x_copy = x.copy()
    ours(x)
    np.testing.assert_array_equal(x, x_copy)  # `inputs -= ...` left x alone


def test_subclassed_model_gradients_and_fit_match_keras():
    ours, theirs = subclassed_model(keraslite), subclassed_model(keras)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 64)]
    ours(x[:1])
    theirs(x[:1])
    assert [la.name for la in ours.layers] == [la.name for la in theirs.layers]
    for a, b in zip(ours.layers, theirs.layers):
        b.set_weights(a.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    ours.compile("sgd", "categorical_crossentropy")
    loss, our_grads = ours._compute_loss_and_grads(x, y)
    their_loss, their_grads = keras_loss_and_grads(
        theirs, [x], [y], ["categorical_crossentropy"], [1.0])
    np.testing.assert_allclose(loss, their_loss, rtol=1e-5)
    mine = {id(v): g for v, g in zip(ours.trainable_weights, our_grads)}
    for a, b in zip(ours.layers, theirs.layers):
        for v1, v2 in zip(a.trainable_weights, b.trainable_weights):
            np.testing.assert_allclose(mine[id(v1)], their_grads[id(v2)],
                                       err_msg=f"{a.name}/{v1.name}", **GRAD_TOL)
    ours.compile(keraslite.optimizers.RMSprop(1e-2), "categorical_crossentropy",
                 metrics=["accuracy"])
    theirs.compile(keras.optimizers.RMSprop(1e-2), "categorical_crossentropy",
                   metrics=["accuracy"])
    h1 = ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                  validation_split=0.25).history
    h2 = theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                    validation_split=0.25).history
    assert sorted(h1) == sorted(h2)
    for key in h2:
        np.testing.assert_allclose(h1[key], h2[key], rtol=1e-4, atol=1e-4, err_msg=key)


def ops_graph(lib):
    """A functional model that calls `ops` and operators on symbolic tensors."""
    ops, L = lib.ops, lib.layers
    inp = lib.Input((4,), name="x")
    h = ops.tanh(L.Dense(5, name="d1")(inp)) * 2.0 + 1.0
    h = ops.concatenate([h, ops.square(inp[:, :2])], axis=-1)
    h = h - ops.mean(h, axis=-1, keepdims=True)
    out = L.Dense(3, activation="softmax", name="out")(ops.maximum(h, -0.5))
    return lib.Model(inp, out, name="ops_graph")


def test_ops_on_symbolic_tensors_match_keras():
    ours, theirs = ops_graph(keraslite), ops_graph(keras)
    assert [la.name for la in ours.layers] == [la.name for la in theirs.layers]
    copy_weights(ours, theirs, 2)
    rng = np.random.default_rng(8)
    x = rng.normal(size=(12, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 12)]
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    ours.compile("sgd", "categorical_crossentropy")
    loss, our_grads = ours._compute_loss_and_grads(x, y)
    their_loss, their_grads = keras_loss_and_grads(
        theirs, [x], [y], ["categorical_crossentropy"], [1.0])
    np.testing.assert_allclose(loss, their_loss, rtol=1e-5, atol=1e-6)
    compare_grads(ours, theirs, our_grads, their_grads)


BAD_LAYER_ARGUMENTS = [
    ("Dot axes not int or list", lambda lib: lib.layers.Dot(axes="x")),
    ("Dot three axes", lambda lib: lib.layers.Dot(axes=(1, 2, 3))),
    ("ReLU negative max_value", lambda lib: lib.layers.ReLU(max_value=-1.0)),
    ("ReLU negative slope", lambda lib: lib.layers.ReLU(negative_slope=-0.1)),
    ("LeakyReLU negative slope", lambda lib: lib.layers.LeakyReLU(negative_slope=-1.0)),
    ("Permute not a permutation", lambda lib: lib.layers.Permute((1, 3))),
    ("RepeatVector non-int n", lambda lib: lib.layers.RepeatVector("a")),
    ("Reshape two unknown dims", lambda lib: lib.layers.Reshape((-1, -1))(
        lib.Input((6,)))),
    ("Reshape wrong size", lambda lib: lib.layers.Reshape((4,))(lib.Input((6,)))),
    ("Concatenate mismatched", lambda lib: lib.layers.Concatenate()(
        [lib.Input((2, 3)), lib.Input((4, 5))])),
    ("Add incompatible", lambda lib: lib.layers.Add()([lib.Input((3,)), lib.Input((4,))])),
    ("Subtract three inputs", lambda lib: lib.layers.Subtract()(
        [lib.Input((3,)), lib.Input((3,)), lib.Input((3,))])),
    ("merge on one tensor", lambda lib: lib.layers.Add()(lib.Input((3,)))),
    ("Dot mismatched axes", lambda lib: lib.layers.Dot(axes=1)(
        [lib.Input((3,)), lib.Input((4,))])),
]


@pytest.mark.parametrize("case,build", BAD_LAYER_ARGUMENTS,
                         ids=[c[0] for c in BAD_LAYER_ARGUMENTS])
def test_bad_layer_arguments_raise_what_keras_raises(case, build):
    kinds = []
    for lib in (keraslite, keras):
        try:
            build(lib)
            kinds.append("no error")
        except Exception as error:  # noqa: BLE001 - the type is compared
            kinds.append(type(error).__name__)
    assert kinds[0] == kinds[1] and kinds[0] != "no error", (case, kinds)
