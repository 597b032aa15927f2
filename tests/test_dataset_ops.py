"""tf.data's transformations on keraslite's datasets (keraslite.utils.dataset_ops),
NumPy only: map, filter, cache, prefetch, take, skip, batch, unbatch,
shuffle, repeat and as_numpy_iterator on text_dataset_from_directory and
timeseries_dataset_from_array, and fit/evaluate/predict/adapt on the results.

The expected values are tf.data's documented semantics, written out by
hand (compat_tests/test_dataset_ops_compat.py runs the same chains in
tf.data beside keraslite, element by element).
"""
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.utils import dataset_ops, timeseries_dataset_from_array

TEXTS = {"neg": ["bad film", "awful, boring", "Bad bad plot", "dull"],
         "pos": ["good film", "great fun!", "good good cast"]}


@pytest.fixture
def folder(tmp_path):
    for label, texts in TEXTS.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    return str(tmp_path)


def _text_ds(folder, **kwargs):
    kwargs = {"batch_size": 3, "shuffle": False, "verbose": False, **kwargs}
    return keraslite.utils.text_dataset_from_directory(folder, **kwargs)


ALL_TEXTS = [t.encode() for t in TEXTS["neg"] + TEXTS["pos"]]  # alphanumeric order
ALL_LABELS = [0, 0, 0, 0, 1, 1, 1]


def _series(n=10):
    return timeseries_dataset_from_array(np.arange(n, dtype="float32"), np.arange(n),
                                         sequence_length=1, batch_size=3)


def _values(ds):
    return [tuple(np.asarray(p).tolist() for p in e) if isinstance(e, tuple)
            else np.asarray(e).tolist() for e in ds]


# --- map ---------------------------------------------------------------------------
def test_map_unpacks_tuples_and_keeps_order(folder):
    ds = _text_ds(folder)
    texts = ds.map(lambda x, y: x)
    assert len(texts) == 3
    assert [list(b) for b in texts] == [ALL_TEXTS[:3], ALL_TEXTS[3:6], ALL_TEXTS[6:]]
    assert all(b.dtype == object for b in texts)
    labels = ds.map(lambda x, y: y, num_parallel_calls=4)
    assert _values(labels) == [[0, 0, 0], [0, 1, 1], [1]]
    swapped = ds.map(lambda x, y: [y, x], num_parallel_calls=dataset_ops.AUTOTUNE)
    first = next(iter(swapped))
    assert isinstance(first, tuple) and first[0].tolist() == [0, 0, 0]  # list -> tuple


def test_map_of_a_single_element_and_of_dicts():
    ds = _series().map(lambda x, y: {"x": x, "y": y})
    first = next(iter(ds))
    assert sorted(first) == ["x", "y"] and first["y"].tolist() == [0, 1, 2]
    back = ds.map(lambda d: d["x"][:, 0] * 2)  # a dict is one argument
    assert _values(back) == [[0, 2, 4], [6, 8, 10], [12, 14, 16], [18]]


def test_map_turns_python_values_into_numpy_scalars():
    ds = _series(3).unbatch().map(lambda x, y: (1, 2.5, True, "a"))
    element = next(iter(ds))
    assert [type(v) for v in element] == [np.int32, np.float32, np.bool_, bytes]


@pytest.mark.parametrize("value", [0, -2, 1.5])
def test_map_num_parallel_calls_checked(value):
    with pytest.raises((ValueError, TypeError), match="num_parallel_calls"):
        _series().map(lambda x, y: x, num_parallel_calls=value)


# --- take, skip, len ------------------------------------------------------------------
@pytest.mark.parametrize("method,count,expected", [
    ("take", 2, [[0, 1, 2], [3, 4, 5]]),
    ("take", 0, []),
    ("take", 9, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
    ("take", -1, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
    ("skip", 1, [[3, 4, 5], [6, 7, 8], [9]]),
    ("skip", 9, []),
    ("skip", -1, []),
])
def test_take_and_skip_count_batches(method, count, expected):
    ds = getattr(_series().map(lambda x, y: y), method)(count)
    assert _values(ds) == expected
    assert len(ds) == len(expected)


def test_unknown_and_infinite_lengths_raise_type_error():
    ds = _series()
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds.filter(lambda x, y: True))
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds.unbatch())
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(ds.repeat())
    assert len(ds.repeat().take(5)) == 5
    assert len(ds.repeat(3)) == 12 and len(ds.repeat(0)) == 0
    assert bool(ds.take(0))  # truthy although empty, as tf.data's


# --- batch, unbatch --------------------------------------------------------------------
def test_unbatch_then_batch_regroups(folder):
    samples = list(_text_ds(folder).unbatch())
    assert [s[0] for s in samples] == ALL_TEXTS
    assert all(type(s[0]) is bytes and s[1].dtype == np.int32 for s in samples)
    regrouped = _text_ds(folder).unbatch().batch(2)
    with pytest.raises(TypeError, match="unknown"):  # as tf.data, after unbatch
        len(regrouped)
    batches = list(regrouped)
    assert [b[0].tolist() for b in batches] == [ALL_TEXTS[i:i + 2] for i in (0, 2, 4, 6)]
    assert all(b[0].dtype == object and b[1].dtype == np.int32 for b in batches)
    assert [b[1].tolist() for b in batches] == [[0, 0], [0, 0], [1, 1], [1]]


def test_batch_drop_remainder_and_length():
    ds = _series(10).map(lambda x, y: y)
    assert len(ds.batch(3)) == 2 and len(ds.batch(3, drop_remainder=True)) == 1
    assert [b.shape for b in ds.batch(3)] == [(3, 3), (1, 1)]
    assert list(ds.batch(3, drop_remainder=True))[0].tolist() == [[0, 1, 2], [3, 4, 5],
                                                                  [6, 7, 8]]
    assert _values(ds.unbatch().batch(4, drop_remainder=True)) == [[0, 1, 2, 3],
                                                                   [4, 5, 6, 7]]


def test_batch_and_unbatch_errors(folder):
    with pytest.raises(ValueError, match="Cannot batch tensors with different shapes "
                                         "in component 0. First element had shape "
                                         r"\[3\] and element 1 had shape \[1\]."):
        list(_series(4).map(lambda x, y: y).batch(2))
    with pytest.raises(ValueError, match=r"component 0. First element had shape \[3\] "
                                         r"and element 2 had shape \[1\]"):
        list(_text_ds(folder).map(lambda x, y: x).batch(3))  # object arrays of text
    with pytest.raises(ValueError, match="Batch size must be greater than zero."):
        _series().batch(0)
    with pytest.raises(ValueError, match="Cannot unbatch an input with scalar"):
        list(_series().unbatch().unbatch().unbatch())
    with pytest.raises(ValueError, match="Component 0 received batch size of 3 and "
                                         "component 1 received batch size of 2"):
        list(_series().map(lambda x, y: (x, y[:2])).unbatch())


# --- filter ------------------------------------------------------------------------------
def test_filter_keeps_matching_elements(folder):
    positives = _text_ds(folder).unbatch().filter(lambda x, y: y == 1)
    assert [s[0] for s in positives] == ALL_TEXTS[4:]
    with pytest.raises(ValueError, match="must return a boolean scalar"):
        list(_series().filter(lambda x, y: y > 2))  # a batch of booleans


# --- cache -----------------------------------------------------------------------------
def _counting_map(ds):
    calls = []

    def fn(x, y):
        calls.append(1)
        return x, y

    return ds.map(fn), calls


def test_cache_computes_each_element_once():
    mapped, calls = _counting_map(_series())
    cached = mapped.cache()
    first, second, third = _values(cached), _values(cached), _values(cached)
    assert first == second == third and len(calls) == 4
    assert len(cached) == 4


def test_cache_discards_a_partial_pass():
    mapped, calls = _counting_map(_series())
    cached = mapped.cache()
    for _ in cached:
        break
    assert len(calls) == 1
    _values(cached)
    _values(cached)
    assert len(calls) == 5  # recomputed once, then replayed


def test_cache_freezes_a_shuffled_order_and_rejects_files(tmp_path):
    ds = _series(30).unbatch().shuffle(30, seed=1).cache()
    assert _values(ds) == _values(ds)
    with pytest.raises(ValueError, match="in memory only"):
        _series().cache(str(tmp_path / "cache"))


# --- shuffle, repeat, prefetch -------------------------------------------------------------
def test_shuffle_reshuffles_each_pass_with_the_same_samples():
    ds = _series(40).unbatch().map(lambda x, y: y).shuffle(10, seed=3)
    first, second = _values(ds), _values(ds)
    assert sorted(first) == sorted(second) == list(range(40))
    assert first != second and first != list(range(40))
    again = _series(40).unbatch().map(lambda x, y: y).shuffle(10, seed=3)
    assert _values(again) == first  # the seed decides the orders
    fixed = _series(40).unbatch().map(lambda x, y: y).shuffle(
        10, seed=3, reshuffle_each_iteration=False)
    assert _values(fixed) == _values(fixed)


def test_shuffle_of_a_loaded_dataset(folder):
    # The loader's own `shuffle=` argument does not hide the method.
    samples = list(_text_ds(folder, shuffle=True, seed=1).unbatch().shuffle(7, seed=0))
    assert sorted(s[0] for s in samples) == sorted(ALL_TEXTS)


def test_shuffle_buffer_bounds_the_displacement():
    ds = _series(50).unbatch().map(lambda x, y: y)
    assert _values(ds.shuffle(1, seed=0)) == list(range(50))  # a buffer of one
    out = _values(ds.shuffle(5, seed=0))
    # The k-th element out is one of the first k + 5 elements in.
    assert all(v < k + 5 for k, v in enumerate(out))
    assert sorted(_values(ds.shuffle(-2, seed=0))) == list(range(50))  # whole dataset
    with pytest.raises(ValueError, match="buffer_size must be greater than zero"):
        ds.shuffle(0)


def test_shuffle_seed_none_follows_set_random_seed():
    keraslite.utils.set_random_seed(5)
    a = _values(_series(20).unbatch().map(lambda x, y: y).shuffle(20))
    keraslite.utils.set_random_seed(5)
    b = _values(_series(20).unbatch().map(lambda x, y: y).shuffle(20))
    assert a == b and sorted(a) == list(range(20))


def test_repeat_and_prefetch():
    ds = _series(4).map(lambda x, y: y)
    assert _values(ds.repeat(2)) == [[0, 1, 2], [3], [0, 1, 2], [3]]
    assert _values(ds.repeat().take(3)) == [[0, 1, 2], [3], [0, 1, 2]]
    assert _values(ds.take(0).repeat()) == []  # an empty dataset repeated ends
    for size in (dataset_ops.AUTOTUNE, 0, 2):
        assert _values(ds.prefetch(size)) == _values(ds)
        assert len(ds.prefetch(size)) == 2
    with pytest.raises(ValueError, match="buffer_size must be >= 0"):
        ds.prefetch(-2)


def test_as_numpy_iterator_and_text_shuffle_per_pass(folder):
    ds = _text_ds(folder, shuffle=True, seed=2, batch_size=7)
    texts = ds.map(lambda x, y: x)
    passes = [next(texts.as_numpy_iterator()).tolist() for _ in range(4)]
    assert all(sorted(p) == sorted(ALL_TEXTS) for p in passes)
    assert len({tuple(p) for p in passes}) > 1  # a new order on each pass


# --- fit, evaluate, predict, adapt -----------------------------------------------------------
def _bag_of_words_model(depth):
    inputs = keraslite.Input(shape=(depth,))
    outputs = layers.Dense(1, activation="sigmoid")(inputs)
    model = keraslite.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_text_vectorization_adapts_on_a_mapped_dataset(folder):
    ds = _text_ds(folder)
    on_dataset = layers.TextVectorization(output_mode="multi_hot")
    on_dataset.adapt(ds.map(lambda x, y: x))
    on_strings = layers.TextVectorization(output_mode="multi_hot")
    on_strings.adapt([t.decode() for t in ALL_TEXTS])
    on_bytes = layers.TextVectorization(output_mode="multi_hot")
    on_bytes.adapt(np.array(ALL_TEXTS, dtype=object))
    assert on_dataset.get_vocabulary() == on_strings.get_vocabulary() == \
        on_bytes.get_vocabulary()
    assert on_dataset.get_vocabulary()[:3] == ["[UNK]", "good", "bad"]
    steps = layers.TextVectorization()
    steps.adapt(ds.map(lambda x, y: x).repeat(), steps=1)  # an infinite dataset
    assert set(steps.get_vocabulary()) == {"", "[UNK]", "bad", "film", "awful", "boring", "plot"}


def test_fit_evaluate_predict_on_mapped_cached_datasets(folder):
    ds = _text_ds(folder)
    vectorize = layers.TextVectorization(output_mode="multi_hot")
    vectorize.adapt(ds.map(lambda x, y: x))
    calls = []

    def encode(x, y):
        calls.append(1)
        return vectorize(x), y

    train = ds.map(encode, num_parallel_calls=4)
    model = _bag_of_words_model(vectorize.vocabulary_size())
    history = model.fit(train.cache().prefetch(dataset_ops.AUTOTUNE),
                        validation_data=train.cache(), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and "val_accuracy" in history.history
    # 3 batches for the training cache + 3 for the validation cache, once each.
    assert len(calls) == 6
    loss, _ = model.evaluate(train, verbose=0)
    assert np.isclose(loss, history.history["val_loss"][-1], rtol=1e-6)
    x_all = vectorize(np.array(ALL_TEXTS, dtype=object))
    np.testing.assert_allclose(model.predict(train, verbose=0),
                               model.predict(x_all, verbose=0), rtol=1e-6)
    assert model.predict(train.take(1), verbose=0).shape == (3, 1)


def test_fit_on_repeat_with_steps_and_unknown_length(folder):
    ds = _text_ds(folder)
    vectorize = layers.TextVectorization(output_mode="count")
    vectorize.adapt(ds.map(lambda x, y: x))
    encoded = ds.map(lambda x, y: (vectorize(x), y))
    model = _bag_of_words_model(vectorize.vocabulary_size())
    history = model.fit(encoded.repeat(), steps_per_epoch=5, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    filtered = encoded.unbatch().filter(lambda x, y: y == 1).batch(2)
    with pytest.warns(UserWarning, match="Your input ran out of data"):  # as Keras's
        history = model.fit(filtered, epochs=2, verbose=0)  # length learnt on pass 1
    assert len(history.history["loss"]) == 2
    weighted = model.fit(encoded, class_weight={0: 1.0, 1: 2.0}, epochs=1, verbose=0)
    assert np.isfinite(weighted.history["loss"][0])


def test_fit_rejects_y_and_sample_weight_with_a_dataset():
    model = _bag_of_words_model(1)
    ds = _series().map(lambda x, y: (x, y))
    with pytest.raises(ValueError, match="When providing `x` as a tf.data.Dataset, `y` "
                                         "should not be passed"):
        model.fit(ds, np.zeros(10), verbose=0)
    with pytest.raises(ValueError, match="`sample_weights` should not be passed"):
        model.fit(ds, sample_weight=np.ones(10), verbose=0)


def test_fit_warns_that_shuffle_is_ignored_as_keras():
    model = _bag_of_words_model(1)
    ds = _series().map(lambda x, y: (x, y % 2))
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored "
                                         "since the data `x` was provided as a "
                                         "tf.data.Dataset"):
        model.fit(ds, verbose=0)  # fit's default shuffle=True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(ds, shuffle=False, verbose=0)


def test_class_weight_of_a_dataset_gives_sample_weights():
    adapter = keraslite.trainers.data_adapters.get_data_adapter(
        _series(4).map(lambda x, y: (x, y % 2)), class_weight={0: 0.5, 1: 3.0})
    batches = list(adapter.get_numpy_iterator())
    assert [b[2].tolist() for b in batches] == [[0.5, 3.0, 0.5], [3.0]]
    assert adapter.num_batches == 2
