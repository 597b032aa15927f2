"""Generators and PyDatasets in fit/evaluate/predict, beside real Keras.

Both libraries train the same network from the same weights on the same
batches (shuffle=False, or the PyDataset's batch order shuffled by Python's
`random` under the same seed); History, weights, evaluate and predict agree
within 1e-5, and the epoch hooks, batch counts and progress lines match.

One difference is Keras's TensorFlow backend's own: each time the data runs
out in the middle of an epoch, its graph-mode train function has already
added 1 to `optimizer.iterations` (weights and slots unchanged) before the
end of the data is noticed; keraslite counts only the steps it ran. The
runs therefore use SGD with momentum, whose updates do not depend on the
iteration count, and `test_keras_counts_one_more_iteration_per_run_out`
pins the difference down with Adam.
"""
import random
import warnings

import numpy as np
import pytest

import keraslite
from compat_tests.test_progress_compat import skeleton

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 3)).astype("float32")
Y = RNG.normal(size=(50, 2)).astype("float32")
W = RNG.uniform(0.5, 2.0, size=(50,)).astype("float32")


def models(optimizer="sgd"):
    keras.utils.set_random_seed(1)
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                               keras.layers.Dense(2)])
    ours = keraslite.Sequential([keraslite.Input((3,)),
                                 keraslite.layers.Dense(4, activation="tanh"),
                                 keraslite.layers.Dense(2)])
    ours.set_weights(theirs.get_weights())
    for lib, m in ((keraslite, ours), (keras, theirs)):
        opt = (lib.optimizers.SGD(0.05, momentum=0.9) if optimizer == "sgd"
               else lib.optimizers.Adam(0.01))
        m.compile(optimizer=opt, loss="mse", metrics=["mae"])
    return ours, theirs


def gen(num_batches=5, batch=10, weights=False):
    for i in range(num_batches):
        part = slice(i * batch, (i + 1) * batch)
        yield (X[part], Y[part], W[part]) if weights else (X[part], Y[part])


def dataset_class(lib):
    class Batches(lib.utils.PyDataset):
        def __init__(self, n=5, batch=10, **kwargs):
            super().__init__(**kwargs)
            self.n, self.batch = n, batch
            self.begins = self.ends = 0
            self.gets = []

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            self.gets.append(i)
            part = slice(i * self.batch, (i + 1) * self.batch)
            return X[part], Y[part], W[part]

        def on_epoch_begin(self):
            self.begins += 1

        def on_epoch_end(self):
            self.ends += 1

    return Batches


def counter(lib):
    class Count(lib.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.per_epoch = []

        def on_epoch_begin(self, epoch, logs=None):
            self.per_epoch.append(0)

        def on_train_batch_end(self, batch, logs=None):
            self.per_epoch[-1] += 1

    return Count()


def close(ours, theirs, tol=1e-5):
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def compare_histories(h_ours, h_theirs):
    assert sorted(h_ours.history) == sorted(h_theirs.history)
    for key in h_theirs.history:
        close(h_ours.history[key], h_theirs.history[key])


def run(lib, model, make_data, **kwargs):
    count = counter(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(make_data(), verbose=0, callbacks=[count], **kwargs)
    ran_out = sum("ran out of data" in str(w.message) for w in caught)
    return history, count.per_epoch, ran_out


@pytest.mark.parametrize("steps", [None, 3, 4, 8])
@pytest.mark.parametrize("weights", [False, True])
def test_generator_fit_evaluate_predict_match_keras(steps, weights):
    ours, theirs = models()
    make = lambda: gen(weights=weights)  # noqa: E731
    h_ours, per_ours, out_ours = run(keraslite, ours, make, epochs=3,
                                     steps_per_epoch=steps)
    h_theirs, per_theirs, out_theirs = run(keras, theirs, make, epochs=3,
                                           steps_per_epoch=steps)
    assert per_ours == per_theirs and out_ours == out_theirs
    compare_histories(h_ours, h_theirs)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        close(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(ours.evaluate(make(), verbose=0), theirs.evaluate(make(), verbose=0))
        close(ours.evaluate(make(), steps=2, verbose=0),
              theirs.evaluate(make(), steps=2, verbose=0))
        close(ours.predict(make(), verbose=0), theirs.predict(make(), verbose=0))
        close(ours.predict(make(), steps=3, verbose=0),
              theirs.predict(make(), steps=3, verbose=0))


def test_keras_counts_one_more_iteration_per_run_out():
    ours, theirs = models("adam")
    make = lambda: gen()  # noqa: E731
    h_ours, per_ours, out_ours = run(keraslite, ours, make, epochs=3)
    h_theirs, per_theirs, out_theirs = run(keras, theirs, make, epochs=3)
    assert per_ours == per_theirs == [5, 2, 2] and out_ours == out_theirs == 3
    assert ours.optimizer.iterations == sum(per_ours)
    assert int(theirs.optimizer.iterations.numpy()) == sum(per_ours) + out_theirs
    close(h_ours.history["loss"][0], h_theirs.history["loss"][0])  # before any run-out


@pytest.mark.parametrize("kwargs", [
    dict(shuffle=False),
    dict(shuffle=False, steps_per_epoch=2),
    dict(shuffle=False, validation_steps=2),
    dict(shuffle=False, validation_freq=2),
])
def test_pydataset_fit_with_pydataset_validation_matches_keras(kwargs):
    ours, theirs = models()
    results = []
    for lib, model in ((keraslite, ours), (keras, theirs)):
        Batches = dataset_class(lib)
        train, val = Batches(), Batches(3)
        history, per_epoch, ran_out = run(lib, model, lambda: train, epochs=4,
                                          validation_data=val, **kwargs)
        results.append((history, per_epoch, ran_out, (train.begins, train.ends),
                        (val.begins, val.ends)))
    (h_ours, *rest_ours), (h_theirs, *rest_theirs) = results
    assert rest_ours == rest_theirs
    compare_histories(h_ours, h_theirs)
    for lib, model in ((keraslite, ours), (keras, theirs)):
        Batches = dataset_class(lib)
        data = Batches()
        results.append((model.evaluate(data, verbose=0), model.predict(Batches(), verbose=0),
                        (data.begins, data.ends)))
    close(results[2][0], results[3][0])
    close(results[2][1], results[3][1])
    assert results[2][2] == results[3][2]


def test_pydataset_shuffled_batch_order_matches_keras():
    orders = []
    ours, theirs = models()
    for lib, model in ((keraslite, ours), (keras, theirs)):
        data = dataset_class(lib)(8, 6)
        random.seed(11)
        model.fit(data, epochs=2, verbose=0, shuffle=True)
        # Keras's TensorFlow pipeline reads batches 0 and 1 first to learn
        # their shapes; drop those reads.
        orders.append(data.gets[2:] if lib is keras else data.gets)
    assert orders[0] == orders[1]


def test_multi_input_generator_matches_keras():
    x2 = RNG.normal(size=(50, 2)).astype("float32")

    def batches():
        for i in range(5):
            part = slice(i * 10, (i + 1) * 10)
            yield {"a": X[part], "b": x2[part]}, Y[part]

    histories, predictions = [], []
    keras.utils.set_random_seed(2)
    weights = None
    for lib in (keras, keraslite):
        a, b = lib.Input((3,), name="a"), lib.Input((2,), name="b")
        out = lib.layers.Dense(2)(lib.layers.Concatenate()([a, b]))
        model = lib.Model({"a": a, "b": b}, out)
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss="mse")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            histories.append(model.fit(batches(), epochs=2, verbose=0))
            predictions.append(model.predict(batches(), verbose=0))
    compare_histories(histories[1], histories[0])
    close(predictions[1], predictions[0])


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_lines_with_a_generator_match_keras(verbose, capsys):
    lines = []
    for lib, model in zip((keraslite, keras), models()):
        capsys.readouterr()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(gen(), epochs=2, verbose=verbose, validation_data=gen(2))
            model.evaluate(gen(), verbose=verbose)
            model.predict(gen(), verbose=verbose)
        lines.append(skeleton(capsys.readouterr().out))
    assert lines[0] == lines[1]


@pytest.mark.parametrize("kwargs", [
    dict(batch_size=10, steps_per_epoch=2),  # epochs continue the pass: 0-1, 2-3, 4, 0-1
    dict(steps_per_epoch=3),  # batch_size = ceil(50 / 3) = 17, as Keras infers it
    dict(batch_size=10, steps_per_epoch=7),
    dict(batch_size=10, validation_steps=2, validation_data=(X[:35], Y[:35])),
])
def test_arrays_with_steps_match_keras(kwargs):
    ours, theirs = models()
    results = []
    for lib, model in ((keraslite, ours), (keras, theirs)):
        count = counter(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = model.fit(X, Y, epochs=4, shuffle=False, verbose=0,
                                callbacks=[count], **kwargs)
        results.append((history, count.per_epoch))
    assert results[0][1] == results[1][1]
    compare_histories(results[0][0], results[1][0])
    close(ours.evaluate(X, Y, steps=2, verbose=0), theirs.evaluate(X, Y, steps=2, verbose=0))


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_predict_arrays_with_steps_matches_keras(steps):
    ours, theirs = models()
    close(ours.predict(X, steps=steps, verbose=0), theirs.predict(X, steps=steps, verbose=0))
