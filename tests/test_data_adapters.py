"""fit/evaluate/predict on Python generators and PyDatasets.

Batch counts per epoch, on_epoch_begin/on_epoch_end counts and the batches
read under `steps_per_epoch` are those observed with Keras 3.15.1
(TensorFlow backend) on the same generators and PyDatasets; the compat
test compat_tests/test_data_adapters_compat.py checks them side by side.
"""
import random
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 3)).astype("float32")
Y = RNG.normal(size=(50, 1)).astype("float32")
W = RNG.uniform(0.5, 2.0, size=(50,)).astype("float32")


def model(seed=1, inputs=1):
    keraslite.utils.set_random_seed(seed)
    if inputs == 1:
        m = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    else:
        a, b = keraslite.Input((3,), name="a"), keraslite.Input((2,), name="b")
        m = keraslite.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    m.compile("sgd", "mse")
    return m


def gen(num_batches=5, batch=10, weights=False):
    for i in range(num_batches):
        part = slice(i * batch, (i + 1) * batch)
        yield (X[part], Y[part], W[part]) if weights else (X[part], Y[part])


class Batches(keraslite.utils.PyDataset):
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
        return X[part], Y[part]

    def on_epoch_begin(self):
        self.begins += 1

    def on_epoch_end(self):
        self.ends += 1


class CountBatches(keraslite.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


def fit_quiet(m, data, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = m.fit(data, verbose=0, **kwargs)
    return history, [str(w.message) for w in caught]


def test_generator_fit_equals_array_fit_on_the_same_batches():
    a, b = model(), model()
    ha, _ = fit_quiet(a, gen(), epochs=1)
    hb = b.fit(X, Y, batch_size=10, epochs=1, shuffle=False, verbose=0)
    assert ha.history == hb.history
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_generator_sample_weights_equal_array_sample_weights():
    a, b = model(), model()
    ha, _ = fit_quiet(a, gen(weights=True), epochs=1)
    hb = b.fit(X, Y, sample_weight=W, batch_size=10, shuffle=False, verbose=0)
    assert ha.history == hb.history


@pytest.mark.parametrize("steps, per_epoch, ran_out", [
    (None, [5, 2, 2], 3),  # first pass learns the size; then the 2 peeked batches
    (3, [3, 2, 2], 2),
    (4, [4, 1, 2], 2),
])
def test_generator_epochs_follow_keras(steps, per_epoch, ran_out):
    counter = CountBatches()
    _, messages = fit_quiet(model(), gen(), epochs=3, steps_per_epoch=steps,
                            callbacks=[counter])
    assert counter.per_epoch == per_epoch
    assert sum("Your input ran out of data" in m for m in messages) == ran_out
    assert any("`shuffle=True` was passed, but will be ignored" in m for m in messages)


def test_iterator_is_accepted_like_a_generator():
    a, b = model(), model()
    ha, _ = fit_quiet(a, iter(list(gen())), epochs=1, shuffle=False)
    hb, _ = fit_quiet(b, gen(), epochs=1, shuffle=False)
    assert ha.history == hb.history


def test_pydataset_epoch_hooks_are_called_as_in_keras():
    train, val = Batches(), Batches(3)
    m = model()
    m.fit(train, epochs=3, validation_data=val, verbose=0, shuffle=False)
    assert (train.begins, train.ends) == (3, 4)
    assert (val.begins, val.ends) == (3, 6)
    assert train.gets == list(range(5)) * 3 and val.gets == list(range(3)) * 3
    data = Batches()
    m.evaluate(data, verbose=0)
    assert (data.begins, data.ends) == (1, 2)
    data = Batches()
    assert m.predict(data, verbose=0).shape == (50, 1)
    assert (data.begins, data.ends) == (1, 1)


def test_pydataset_steps_per_epoch_continues_the_pass():
    data = Batches()
    _, messages = fit_quiet(model(), data, epochs=3, shuffle=False, steps_per_epoch=2)
    assert data.gets == [0, 1, 2, 3, 4]
    assert sum("ran out of data" in m for m in messages) == 1
    data = Batches()
    _, messages = fit_quiet(model(), data, epochs=3, shuffle=False, steps_per_epoch=7)
    assert data.gets == list(range(5)) * 3
    assert sum("ran out of data" in m for m in messages) == 3


def test_pydataset_shuffle_uses_python_random_as_keras():
    data, m = Batches(), model()
    random.seed(3)
    order = list(range(5))
    random.shuffle(order)
    random.seed(3)
    fit_quiet(m, data, epochs=1, shuffle=True)
    assert data.gets == order


def test_pydataset_fit_equals_array_fit_and_evaluate_predict():
    a, b = model(), model()
    ha = a.fit(Batches(), epochs=2, shuffle=False, verbose=0,
               validation_data=Batches(2))
    hb = b.fit(X, Y, batch_size=10, epochs=2, shuffle=False, verbose=0,
               validation_data=(X[:20], Y[:20]))
    assert ha.history == hb.history
    assert a.evaluate(Batches(), verbose=0) == b.evaluate(X, Y, batch_size=10, verbose=0)
    assert a.evaluate(Batches(), steps=2, verbose=0) == b.evaluate(
        X[:20], Y[:20], batch_size=10, verbose=0)
    np.testing.assert_array_equal(a.predict(Batches(), verbose=0),
                                  b.predict(X, batch_size=10, verbose=0))
    np.testing.assert_array_equal(a.predict(gen(), steps=3, verbose=0),
                                  b.predict(X[:30], batch_size=10, verbose=0))


def test_validation_steps_with_a_generator():
    a = model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ha = a.fit(X, Y, batch_size=10, epochs=1, shuffle=False, verbose=0,
                   validation_data=gen(), validation_steps=2)
    b = model()
    hb = b.fit(X, Y, batch_size=10, epochs=1, shuffle=False, verbose=0,
               validation_data=(X[:20], Y[:20]))
    assert ha.history == hb.history


def test_class_weight_with_pydataset():
    a, b = model(), model()
    yc = (Y > 0).astype("float32")

    class Labels(Batches):
        def __getitem__(self, i):
            return X[i * 10:(i + 1) * 10], yc[i * 10:(i + 1) * 10]

    ha = a.fit(Labels(), class_weight={0: 1.0, 1: 3.0}, shuffle=False, verbose=0)
    hb = b.fit(X, yc, class_weight={0: 1.0, 1: 3.0}, batch_size=10, shuffle=False,
               verbose=0)
    assert ha.history == hb.history


@pytest.mark.parametrize("structure", ["list", "dict"])
def test_multi_input_generator(structure):
    x2 = RNG.normal(size=(50, 2)).astype("float32")

    def two_inputs():
        for i in range(5):
            part = slice(i * 10, (i + 1) * 10)
            xs = ([X[part], x2[part]] if structure == "list"
                  else {"a": X[part], "b": x2[part]})
            yield xs, Y[part]

    a, b = model(inputs=2), model(inputs=2)
    ha, _ = fit_quiet(a, two_inputs(), epochs=1)
    hb = b.fit([X, x2], Y, batch_size=10, shuffle=False, verbose=0)
    assert ha.history == hb.history
    np.testing.assert_array_equal(a.predict(two_inputs(), verbose=0),
                                  b.predict([X, x2], batch_size=10, verbose=0))


def test_progress_bar_without_a_known_target(capsys):
    m = model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(gen(), epochs=2, verbose=1)
    out = capsys.readouterr().out
    first, second = out.split("Epoch 2/2")
    assert "/Unknown" in first and "/Unknown" not in second
    assert "5/5" in second.replace("\x1b[1m", "").replace("\x1b[0m", "") or "2/5" in \
        second.replace("\x1b[1m", "").replace("\x1b[0m", "")


def test_super_init_not_called_warns():
    class NoSuper(keraslite.utils.PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, i):
            return X[:10], Y[:10]

    with pytest.warns(UserWarning, match="should call `super"):
        model().fit(NoSuper(), verbose=0)


def test_sequence_is_pydataset():
    assert keraslite.utils.Sequence is keraslite.utils.PyDataset
    data = Batches(2)
    assert data.num_batches == 2 and (data.workers, data.use_multiprocessing,
                                      data.max_queue_size) == (1, False, 10)
    assert [len(b[0]) for b in data] == [10, 10]
    assert Batches(workers=4, use_multiprocessing=True, max_queue_size=3).workers == 4


@pytest.mark.parametrize("call, match", [
    (lambda m: m.fit(gen(), Y), "`y` should not be passed"),
    (lambda m: m.fit(gen(), sample_weight=W), "`sample_weights` should not"),
    (lambda m: m.fit(Batches(), Y), "When providing `x` as a PyDataset"),
    (lambda m: m.fit(iter([]), shuffle=False), "must yield at least one batch"),
    (lambda m: m.fit((X[i:i + 1] for i in range(3)), shuffle=False),
     "the generator must return a tuple"),
    (lambda m: m.fit(gen(), class_weight={0: 1.0}), "`class_weight` is not supported"),
    (lambda m: m.fit(gen(), validation_split=0.2), "only supported for tensors"),
    (lambda m: m.fit(gen(num_batches=1, batch=10), steps_per_epoch=1, shuffle=False,
                     validation_data=[X]), "`validation_data` should be a tuple"),
])
def test_bad_generator_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call(model())


def test_bad_pydataset_batch():
    class Bad(Batches):
        def __getitem__(self, i):
            return (X, Y, W, W)

    with pytest.raises(ValueError, match=r"must return a tuple or a dict"):
        model().fit(Bad(), verbose=0, shuffle=False)


def test_array_steps_per_epoch_continues_the_pass():
    counter = CountBatches()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model().fit(X, Y, batch_size=10, epochs=4, steps_per_epoch=2, shuffle=False,
                    verbose=0, callbacks=[counter])
    assert counter.per_epoch == [2, 2, 1, 2]  # batches 0-1, 2-3, 4, then 0-1 again
    assert sum("ran out of data" in str(w.message) for w in caught) == 1
    a, b = model(), model()
    ha = a.fit(X, Y, batch_size=10, epochs=2, steps_per_epoch=2, shuffle=False, verbose=0)
    hb = b.fit(X[:40], Y[:40], batch_size=10, epochs=1, shuffle=False, verbose=0)
    hc = model().fit(X[:20], Y[:20], batch_size=10, epochs=1, shuffle=False, verbose=0)
    assert ha.history["loss"][0] == hc.history["loss"][0]
    for wa, wb in zip(a.get_weights(), b.get_weights()):  # 4 steps over batches 0-3
        np.testing.assert_array_equal(wa, wb)


def test_batch_size_from_steps():
    counter = CountBatches()
    model().fit(X, Y, steps_per_epoch=3, shuffle=False, verbose=0, callbacks=[counter])
    assert counter.per_epoch == [3]  # batch_size = ceil(50 / 3) = 17
    m = model()
    assert m.predict(X, steps=1, verbose=0).shape == (50, 1)
