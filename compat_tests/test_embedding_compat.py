"""Embedding and masks beside Keras (issue 12): whole runs with identical
weights and shuffle=False (History and weights within 1e-4), and files
(.keras, .weights.h5, legacy .h5) written by one library and read by the
other (predictions within 1e-6)."""
import warnings

import numpy as np
import pytest

import keraslite

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

VOCAB, MAXLEN = 200, 16


def _embedding(lib, dense_grad=False, **kwargs):
    """The library's Embedding, or (`dense_grad`, Keras only) the same lookup
    as a one-hot matrix product, whose gradient is a dense tensor: Keras's
    dense update (see `test_fit_matches_keras_dense_update`)."""
    if dense_grad:
        return DenseGradEmbedding(*kwargs.pop("dims"), **kwargs)
    return lib.layers.Embedding(*kwargs.pop("dims"), **kwargs)


def book_ch6(lib, dense_grad=False):
    """The book's chapter-6 network: Embedding + Flatten + Dense."""
    L = lib.layers
    return lib.Sequential([lib.Input((MAXLEN,)),
                           _embedding(lib, dense_grad, dims=(VOCAB, 8)),
                           L.Flatten(), L.Dense(1, activation="sigmoid")])


def masked_average(lib, dense_grad=False):
    """Embedding(mask_zero=True) + GlobalAveragePooling1D + Dense."""
    L = lib.layers
    ids = lib.Input((MAXLEN,))
    x = _embedding(lib, dense_grad, dims=(VOCAB, 6), mask_zero=True)(ids)
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dense(4, activation="relu")(x)
    return lib.Model(ids, L.Dense(1, activation="sigmoid")(x))


def masked_steps(lib, dense_grad=False):
    """Masking + Dense on every step: a mask reaching the loss and metrics."""
    L = lib.layers
    return lib.Sequential([lib.Input((MAXLEN, 3)), L.Masking(0.0),
                           L.Dense(5, activation="tanh"), L.Dense(2)])


class DenseGradEmbedding(keras.layers.Layer):
    """Keras: `one_hot(ids) @ embeddings`, an Embedding whose gradient is
    dense (Keras's own Embedding gives TensorFlow's IndexedSlices)."""

    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          name="embeddings")

    def call(self, inputs):
        ops = keras.ops
        return ops.matmul(ops.one_hot(ops.cast(inputs, "int32"), self.input_dim),
                          self.embeddings)

    def compute_mask(self, inputs, mask=None):
        return keras.ops.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)


def _ids(seed, n=96):
    """Padded sequences: random lengths, zeros after the end (as pad_sequences
    with padding="post")."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, VOCAB, (n, MAXLEN))
    lengths = rng.integers(2, MAXLEN + 1, n)
    x[np.arange(MAXLEN)[None, :] >= lengths[:, None]] = 0
    y = (rng.random(n) < 0.5).astype("float32")
    return x, y


def _distinct_ids(seed, n=96, batch=8):
    """Sequences without padding whose ids never repeat within a batch of
    `batch` samples (so TensorFlow's sparse update equals the dense one)."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.permutation(VOCAB)[:batch * MAXLEN].reshape(batch, MAXLEN)
                        for _ in range(n // batch)])
    y = (rng.random(n) < 0.5).astype("float32")
    return x, y


def _steps(seed, n=64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, MAXLEN, 3)).astype("float32")
    lengths = rng.integers(3, MAXLEN + 1, n)
    x[np.arange(MAXLEN)[None, :] >= lengths[:, None]] = 0.0
    y = rng.normal(size=(n, MAXLEN, 2)).astype("float32")
    return x, y


def _same_start(ours, theirs, seed=3):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.3, w.shape).astype("float32")
               for w in theirs.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)


# (name, model, data, optimizer, loss, metrics, batch size, dense_grad)
RUNS = [
    ("book_ch6 sgd", book_ch6, _ids, "sgd", "binary_crossentropy", ["accuracy"], 16,
     False),
    ("masked average sgd+momentum", masked_average, _ids,
     lambda lib: lib.optimizers.SGD(0.1, momentum=0.9), "binary_crossentropy",
     ["accuracy"], 16, False),
    ("book_ch6 rmsprop, distinct ids", book_ch6, _distinct_ids, "rmsprop",
     "binary_crossentropy", ["accuracy"], 8, False),
    ("masked average adam, distinct ids", masked_average, _distinct_ids, "adam",
     "binary_crossentropy", ["accuracy"], 8, False),
    ("book_ch6 rmsprop, dense update", book_ch6, _ids, "rmsprop",
     "binary_crossentropy", ["accuracy"], 16, True),
    ("masked average adam, dense update", masked_average, _ids, "adam",
     "binary_crossentropy", ["accuracy"], 16, True),
    ("masked steps sgd+momentum", masked_steps, _steps,
     lambda lib: lib.optimizers.SGD(0.05, momentum=0.9), "mse", ["mae"], 16, False),
    ("masked steps rmsprop", masked_steps, _steps, "rmsprop", "mae", ["mse"], 16,
     False),
]


@pytest.mark.parametrize("name,build,data,optimizer,loss,metrics,batch,dense_grad",
                         RUNS, ids=[r[0] for r in RUNS])
def test_fit_matches_keras(name, build, data, optimizer, loss, metrics, batch,
                           dense_grad):
    """keraslite's Embedding gradient is dense (the rows of a repeated id
    summed first), as Keras's dense update. Keras's own Embedding on
    TensorFlow gives IndexedSlices, and Keras's RMSprop/Adam square their
    values before the repeats are summed: the same result when no id
    repeats within a batch ("distinct ids"), else keraslite equals Keras
    with a dense-gradient embedding ("dense update")."""
    x, y = data(1)
    xv, yv = data(2, n=32)
    models = {keraslite: build(keraslite), keras: build(keras, dense_grad)}
    _same_start(models[keraslite], models[keras])
    histories = {}
    for lib, model in models.items():
        opt = optimizer(lib) if callable(optimizer) else optimizer
        model.compile(opt, loss, metrics=metrics)
        histories[lib] = model.fit(x, y, batch_size=batch, epochs=3, shuffle=False,
                                   validation_data=(xv, yv), verbose=0).history
    ours, theirs = histories[keraslite], histories[keras]
    assert sorted(ours) == sorted(theirs)
    worst = 0.0
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{name}: History[{key!r}]")
        worst = max(worst, float(np.max(np.abs(np.subtract(ours[key], theirs[key])))))
    for a, b in zip(models[keraslite].get_weights(), models[keras].get_weights(),
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4, err_msg=name)
        worst = max(worst, float(np.max(np.abs(a - b))))
    ours_eval = models[keraslite].evaluate(xv, yv, verbose=0)
    theirs_eval = models[keras].evaluate(xv, yv, verbose=0)
    np.testing.assert_allclose(ours_eval, theirs_eval, rtol=1e-4, atol=1e-4)
    print(f"{name}: worst abs difference (History, weights) {worst:.3g}")


def test_masked_loss_is_the_mean_over_kept_steps():
    """The masked steps count for nothing: changing their targets changes
    neither library's loss, and both give the same value."""
    x, y = _steps(4, n=8)
    kept = np.any(x != 0.0, axis=-1)
    y2 = y.copy()
    y2[~kept] += 100.0
    values = {}
    for lib in (keraslite, keras):
        model = masked_steps(lib)
        values[lib] = model
    _same_start(values[keraslite], values[keras])
    results = []
    for lib, model in values.items():
        model.compile("sgd", "mse", metrics=["mae"])
        a = model.evaluate(x, y, verbose=0)
        b = model.evaluate(x, y2, verbose=0)
        np.testing.assert_allclose(a, b, rtol=1e-6)
        results.append(a)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


FILE_MODELS = [("book_ch6", book_ch6, _ids), ("masked average", masked_average, _ids),
               ("masked steps", masked_steps, _steps)]


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("name,build,data", FILE_MODELS, ids=[m[0] for m in FILE_MODELS])
def test_files_cross_both_ways(tmp_path, name, build, data, suffix):
    x, _ = data(5, n=20)
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = build(writer)
        rng = np.random.default_rng(7)
        source.set_weights([rng.normal(0, 0.3, w.shape).astype("float32")
                            for w in source.get_weights()])
        path = tmp_path / f"{writer.__name__}{suffix}"
        if suffix == ".weights.h5":
            source.save_weights(path)
            loaded = build(reader)
            loaded.load_weights(path)
        else:
            source.save(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loaded = reader.models.load_model(path)
        for a, b in zip(source.get_weights(), loaded.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(source.predict(x, verbose=0),
                                   loaded.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
        embedding = [la for la in loaded.layers if type(la).__name__ == "Embedding"]
        if embedding:
            assert embedding[0].mask_zero == (name == "masked average")


def test_keras2_h5_with_embedding_loads(tmp_path):
    """A tf.keras 2 `.h5` (whose Embedding config carries `input_length`)."""
    tf_keras = pytest.importorskip("tf_keras")
    L = tf_keras.layers
    source = tf_keras.Sequential([L.Embedding(VOCAB, 4, input_length=MAXLEN,
                                              mask_zero=True),
                                  L.GlobalAveragePooling1D(), L.Dense(1)])
    source.build((None, MAXLEN))
    path = tmp_path / "keras2.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source.save(path)
    with pytest.warns(UserWarning, match="input_length"):
        loaded = keraslite.models.load_model(path)
    x, _ = _ids(3, n=20)
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               source.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    assert loaded.layers[0].mask_zero
