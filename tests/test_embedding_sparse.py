"""The Embedding's sparse gradient (issue 12), NumPy only: `IndexedSlices`
gives the bits of the dense scatter-add, plain SGD updates only the rows in
the batch with the dense update's bits (step after step, repeated ids,
mask_zero, an embedding called twice), and every other optimizer setting
takes the dense path."""
import numpy as np
import pytest

import keraslite
from keraslite import autodiff, layers, optimizers
from keraslite.autodiff import IndexedSlices

VOCAB, MAXLEN = 50, 12


def _bits(a):
    return np.asarray(a, dtype=np.float32).view(np.uint32)


def _values(rng, n, width):
    v = rng.normal(size=(n, width)).astype("float32")
    v[rng.random(v.shape) < 0.2] *= -0.0  # signed zeros, as relu's gradient
    return v


# --- IndexedSlices -------------------------------------------------------------------
def test_indexed_slices_dense_is_numpys_scatter_add_bit_for_bit():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 20, 300)
    values = _values(rng, 300, 7)
    expected = np.zeros((20, 7), "float32")
    np.add.at(expected, ids, values)
    slices = IndexedSlices(values, ids, (20, 7))
    np.testing.assert_array_equal(_bits(slices.to_dense()), _bits(expected))
    rows, summed = slices.rows()
    np.testing.assert_array_equal(rows, np.unique(ids))
    np.testing.assert_array_equal(_bits(summed), _bits(expected[rows]))
    np.testing.assert_array_equal(_bits(np.asarray(slices)), _bits(expected))


def test_scatter_add_is_numpys_add_at_for_any_index_dtype_and_repeated_calls():
    # The flat indices are built in a reused work array, in intp: uint8 row
    # ids times a width of 7 would overflow in their own dtype.
    rng = np.random.default_rng(2)
    for n, rows, width, dtype in ((300, 200, 7, np.uint8), (300, 200, 7, np.uint8),
                                  (90, 40, 3, np.int32), (300, 200, 7, np.intp)):
        ids = rng.integers(0, rows, n).astype(dtype)
        values = _values(rng, n, width)
        expected = np.zeros((rows, width), "float32")
        np.add.at(expected, ids.astype(np.intp), values)
        out = np.zeros((rows, width), "float32")
        autodiff.scatter_add(out, ids, values)
        np.testing.assert_array_equal(_bits(out), _bits(expected))


def test_sum_of_slices_is_the_sum_of_their_dense_matrices_bit_for_bit():
    rng = np.random.default_rng(1)
    parts = [(rng.integers(0, 15, n), _values(rng, n, 4)) for n in (40, 25, 60)]
    dense = []
    for ids, values in parts:
        g = np.zeros((15, 4), "float32")
        np.add.at(g, ids, values)
        dense.append(g)
    total = IndexedSlices(parts[0][1], parts[0][0], (15, 4))
    for ids, values in parts[1:]:
        total = total + IndexedSlices(values, ids, (15, 4))
    expected = (dense[0] + dense[1]) + dense[2]
    np.testing.assert_array_equal(_bits(total.to_dense()), _bits(expected))
    rows, summed = total.rows()
    np.testing.assert_array_equal(_bits(summed), _bits(expected[rows]))
    # With a dense gradient (the variable also read by an op): an array.
    other = rng.normal(size=(15, 4)).astype("float32")
    np.testing.assert_array_equal(_bits(total + other), _bits(expected + other))
    np.testing.assert_array_equal(_bits(other + total), _bits(other + expected))
    assert isinstance(other + total, np.ndarray)


# --- the models ------------------------------------------------------------------
def pooled(mask_zero=False):
    return keraslite.Sequential([
        keraslite.Input((MAXLEN,), dtype="int32"),
        layers.Embedding(VOCAB, 6, mask_zero=mask_zero),
        layers.GlobalAveragePooling1D(),
        layers.Dense(4, activation="relu"),
        layers.Dense(1, activation="sigmoid")])


def flattened():
    return keraslite.Sequential([
        keraslite.Input((MAXLEN,)), layers.Embedding(VOCAB, 3), layers.Flatten(),
        layers.Dense(1, activation="sigmoid")])


def shared():
    """One Embedding called on two inputs (two parts of one gradient)."""
    a = keraslite.Input((MAXLEN,), dtype="int32")
    b = keraslite.Input((MAXLEN,), dtype="int32")
    embed = layers.Embedding(VOCAB, 5)
    pool = layers.GlobalAveragePooling1D()
    x = layers.Concatenate()([pool(embed(a)), layers.GlobalMaxPooling1D()(embed(b))])
    return keraslite.Model([a, b], layers.Dense(1, activation="sigmoid")(x))


def _data(seed, n=64, two=False):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, VOCAB, (n, MAXLEN))  # ids repeat within each batch
    lengths = rng.integers(2, MAXLEN + 1, n)
    x[np.arange(MAXLEN)[None, :] >= lengths[:, None]] = 0
    y = (rng.random(n) < 0.5).astype("float32")
    if two:
        return [x, np.roll(x, 3, axis=0)], y
    return x, y


class CountingSGD(optimizers.SGD):
    """SGD counting its sparse and dense updates of the embeddings."""

    def __init__(self, *args, dense=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.force_dense = dense
        self.sparse_steps = 0

    def _sparse_exact(self):
        return super()._sparse_exact() and not self.force_dense

    def update_step_sparse(self, rows, values, variable, learning_rate):
        self.sparse_steps += 1
        super().update_step_sparse(rows, values, variable, learning_rate)


MODELS = [("pooled", pooled, False), ("mask_zero", lambda: pooled(True), False),
          ("flattened", flattened, False), ("shared", shared, True)]


@pytest.mark.parametrize("name,build,two", MODELS, ids=[m[0] for m in MODELS])
def test_sparse_sgd_equals_dense_sgd_bit_for_bit(name, build, two):
    x, y = _data(0, two=two)
    runs = {}
    for dense in (False, True):
        keraslite.utils.set_random_seed(7)
        model = build()
        opt = CountingSGD(0.5, dense=dense)
        model.compile(opt, "binary_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)
        runs[dense] = (model, opt, history.history)
    (sparse_model, sparse_opt, sparse_hist), (dense_model, dense_opt, dense_hist) = \
        runs[False], runs[True]
    assert sparse_opt.sparse_steps == 4 * 8 and not sparse_opt._dense_grads
    assert dense_opt.sparse_steps == 0 and len(dense_opt._dense_grads) == 1
    assert sparse_hist == dense_hist
    for a, b in zip(sparse_model.get_weights(), dense_model.get_weights(), strict=True):
        np.testing.assert_array_equal(_bits(a), _bits(b))
    start = build().get_weights()[0]
    assert not np.array_equal(sparse_model.get_weights()[0], start)  # it trained


def test_rows_outside_the_batch_are_untouched_bits():
    keraslite.utils.set_random_seed(3)
    model = pooled()
    model.compile(optimizers.SGD(1.0), "binary_crossentropy")
    x, y = _data(1, n=8)
    x[:, :] = np.where(x < 25, x, 1)  # only ids below 25 appear
    before = model.get_weights()[0]
    model.train_on_batch(x, y)
    after = model.get_weights()[0]
    np.testing.assert_array_equal(_bits(after[25:]), _bits(before[25:]))
    changed = np.unique(x)
    assert np.all(np.any(after[changed] != before[changed], axis=1))


DENSE_CASES = [
    ("momentum", dict(momentum=0.9), {}),
    ("nesterov", dict(momentum=0.5, nesterov=True), {}),
    ("clipnorm", dict(clipnorm=1.0), {}),
    ("clipvalue", dict(clipvalue=0.1), {}),
    ("global_clipnorm", dict(global_clipnorm=1.0), {}),
    ("weight_decay", dict(weight_decay=0.01), {}),
    ("use_ema", dict(use_ema=True), {}),
    ("gradient_accumulation_steps", dict(gradient_accumulation_steps=2), {}),
    ("constraint", {}, dict(embeddings_constraint="non_neg")),
    ("regularizer", {}, dict(embeddings_regularizer="l2")),
]


@pytest.mark.parametrize("name,opt_kwargs,layer_kwargs", DENSE_CASES,
                         ids=[c[0] for c in DENSE_CASES])
def test_other_settings_take_the_dense_path(name, opt_kwargs, layer_kwargs):
    """The result of each: the update of the dense gradient, bit for bit
    (computed here with the gradient densified before `apply`)."""
    x, y = _data(2, n=16)
    results = []
    for densify_first in (False, True):
        keraslite.utils.set_random_seed(5)
        model = keraslite.Sequential([
            keraslite.Input((MAXLEN,)), layers.Embedding(VOCAB, 4, **layer_kwargs),
            layers.GlobalAveragePooling1D(), layers.Dense(1)])
        opt = CountingSGD(0.1, **opt_kwargs)
        model.compile(opt, "mse")
        for step in range(4):
            batch = slice(4 * step, 4 * step + 4)
            if densify_first:
                _, grads = model._compute_loss_and_grads(x[batch], y[batch])
                assert all(isinstance(g, np.ndarray) for g in grads)
                opt.apply(grads, model.trainable_weights)
            else:
                model.train_on_batch(x[batch], y[batch])
        assert opt.sparse_steps == 0
        results.append(model.get_weights())
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(_bits(a), _bits(b))


def test_weight_decay_excluding_the_embeddings_keeps_the_sparse_path():
    model = pooled()
    opt = CountingSGD(0.1, weight_decay=0.01)
    opt.exclude_from_weight_decay(var_names=["embeddings"])
    model.compile(opt, "binary_crossentropy")
    x, y = _data(3, n=8)
    model.train_on_batch(x, y)
    assert opt.sparse_steps == 1


@pytest.mark.parametrize("name", ["adam", "rmsprop", "adagrad"])
def test_dense_buffer_is_zeroed_again_between_steps(name):
    """A dense optimizer's gradient buffer, reused step after step (the
    previous step's rows zeroed again, or all of it), gives the update of a
    freshly made dense gradient, bit for bit."""
    results = []
    for fresh in (False, True):
        var = keraslite.Variable(np.random.default_rng(4).normal(
            size=(400, 3)).astype("float32"), "embeddings")
        opt = optimizers.get(name)
        opt.build([var])
        steps = np.random.default_rng(9)
        for n in (3, 2000, 5, 4, 700, 2):  # few rows, then many, then few
            ids = steps.integers(0, 400, n)
            slices = IndexedSlices(steps.normal(size=(n, 3)).astype("float32"), ids,
                                   (400, 3))
            opt.apply([slices.to_dense() if fresh else slices], [var])
        results.append(var.numpy())
    np.testing.assert_array_equal(_bits(results[0]), _bits(results[1]))


def test_tape_gradient_of_an_embedding_is_indexed_slices():
    layer = layers.Embedding(10, 2)
    layer.build()
    ids = np.array([[1, 2, 1]])
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(ids)
    grad = tape.gradient([(out, np.ones((1, 3, 2), "float32"))])[id(layer.embeddings)]
    assert isinstance(grad, IndexedSlices)
    expected = np.zeros((10, 2), "float32")
    expected[1], expected[2] = 2.0, 1.0
    np.testing.assert_array_equal(grad.to_dense(), expected)
