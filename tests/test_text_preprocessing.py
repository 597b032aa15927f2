"""pad_sequences, timeseries_dataset_from_array, text_dataset_from_directory
and TextVectorization, NumPy only.

Golden values are copied from Keras 3.15's own unit tests (cited per test:
keras/src/utils/sequence_utils_test.py, timeseries_dataset_utils_test.py,
text_dataset_utils_test.py, layers/preprocessing/text_vectorization_test.py);
compat_tests/test_text_compat.py compares every function with Keras itself
over tables of arguments.
"""
import os

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.preprocessing import sequence
from keraslite.utils import pad_sequences, timeseries_dataset_from_array

# --- pad_sequences (keras/src/utils/sequence_utils_test.py) ----------------------

A = [[1], [1, 2], [1, 2, 3]]
PAD_GOLDEN = [  # test_pad_sequences
    (dict(maxlen=3, padding="pre"), [[0, 0, 1], [0, 1, 2], [1, 2, 3]]),
    (dict(maxlen=3, padding="post"), [[1, 0, 0], [1, 2, 0], [1, 2, 3]]),
    (dict(maxlen=2, truncating="pre"), [[0, 1], [1, 2], [2, 3]]),
    (dict(maxlen=2, truncating="post"), [[0, 1], [1, 2], [1, 2]]),
    (dict(maxlen=3, value=1), [[1, 1, 1], [1, 1, 2], [1, 2, 3]]),
]


@pytest.mark.parametrize("fn", [pad_sequences, sequence.pad_sequences])
@pytest.mark.parametrize("kwargs,expected", PAD_GOLDEN)
def test_pad_sequences_golden(fn, kwargs, expected):
    out = fn(A, **kwargs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_pad_sequences_float_golden():  # test_pad_sequences_float
    a = [[1.2], [1.2, 2.3], [1.2, 2.3, 3.4]]
    out = pad_sequences(a, maxlen=2, truncating="pre", dtype="float32")
    np.testing.assert_allclose(out, [[0, 1.2], [1.2, 2.3], [2.3, 3.4]])
    out = pad_sequences(a, maxlen=3, value=1, dtype="float32")
    np.testing.assert_allclose(out, [[1, 1, 1.2], [1, 1.2, 2.3], [1.2, 2.3, 3.4]])


def test_pad_sequences_str_golden():  # test_pad_sequences_str
    a = [["1"], ["1", "2"], ["1", "2", "3"]]
    out = pad_sequences(a, maxlen=3, padding="pre", value="pad", dtype=object)
    assert out.tolist() == [["pad", "pad", "1"], ["pad", "1", "2"], ["1", "2", "3"]]
    out = pad_sequences(a, maxlen=2, truncating="post", value="pad", dtype="<U3")
    assert out.tolist() == [["pad", "1"], ["1", "2"], ["1", "2"]]
    with pytest.raises(ValueError, match="`dtype` int32 is not compatible with "):
        pad_sequences(a, maxlen=2, truncating="post", value="pad")


def test_pad_sequences_vector_golden():  # test_pad_sequences_vector
    a = [[[1, 1]], [[2, 1], [2, 2]], [[3, 1], [3, 2], [3, 3]]]
    out = pad_sequences(a, maxlen=2, truncating="post")
    np.testing.assert_array_equal(out, [[[0, 0], [1, 1]], [[2, 1], [2, 2]],
                                        [[3, 1], [3, 2]]])


@pytest.mark.parametrize("sequences,kwargs,match", [
    (5, {}, "`sequences` must be iterable"),
    ([[1], 3], {}, "must be a list of iterables"),
    (A, dict(padding="middle"), 'Padding type "middle" not understood'),
    (A, dict(truncating="x", maxlen=1), 'Truncating type "x" not understood'),
    ([[[1, 2]], [[1, 2, 3]]], {}, "Shape of sample"),
])
def test_pad_sequences_errors(sequences, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(sequences, **kwargs)


def test_pad_sequences_empty_sequence_is_all_padding():
    np.testing.assert_array_equal(pad_sequences([[], [3, 4]]), [[0, 0], [3, 4]])


@pytest.mark.parametrize("x", [
    [[1.0, 2.0], [3.0]],  # a ragged Python list
    np.array([[1, 2], [3]], dtype=object),  # as datasets.imdb returns sequences
])
def test_ragged_inputs_to_fit_hint_pad_sequences(x):
    model = keraslite.Sequential([keraslite.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    for call in (lambda: model.fit(x, np.zeros(2), verbose=0),
                 lambda: model.predict(x, verbose=0)):
        with pytest.raises(ValueError, match="pad_sequences"):
            call()


# --- timeseries_dataset_from_array (timeseries_dataset_utils_test.py) -------------

def test_timeseries_basics():  # test_basics
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, data * 2, sequence_length=9, batch_size=5)
    batches = list(ds)
    assert len(batches) == len(ds) == 19
    for i, (inputs, targets) in enumerate(batches):
        assert inputs.shape == ((5, 9) if i < 18 else (2, 9))
        np.testing.assert_array_equal(inputs[:, 0] * 2, targets)
        for j in range(len(inputs)):
            np.testing.assert_array_equal(inputs[j], np.arange(i * 5 + j, i * 5 + j + 9))


def test_timeseries_regression():  # test_timeseries_regression
    data = np.arange(10)
    ds = timeseries_dataset_from_array(data, data[3:], sequence_length=3, batch_size=1)
    batches = list(ds)
    assert len(batches) == 7
    for i, (inputs, targets) in enumerate(batches):
        assert inputs.shape == (1, 3)
        assert targets[0] == data[3 + i]
        np.testing.assert_array_equal(inputs[0], data[i:i + 3])


def test_timeseries_no_targets_sampling_rate_and_stride():
    # test_no_targets, test_sampling_rate, test_sequence_stride
    batches = list(timeseries_dataset_from_array(np.arange(50), None, 10, batch_size=5))
    assert len(batches) == 9 and batches[-1].shape == (1, 10)
    np.testing.assert_array_equal(batches[8][0], np.arange(40, 50))
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, data * 2, 9, batch_size=5, sampling_rate=2)
    assert len(ds) == 17 and ds[16][0].shape == (4, 9)
    np.testing.assert_array_equal(ds[3][0][2], np.arange(17, 17 + 18, 2))
    ds = timeseries_dataset_from_array(data, data * 2, 9, batch_size=5, sequence_stride=3)
    assert len(ds) == 7 and ds[6][0].shape == (1, 9)
    np.testing.assert_array_equal(ds[2][0][1], np.arange(33, 42))


def test_timeseries_start_end_index_and_not_batched():
    ds = timeseries_dataset_from_array(np.arange(100), None, 9, batch_size=5,
                                       sequence_stride=3, sampling_rate=2,
                                       start_index=10, end_index=90)
    values = np.concatenate(list(ds))
    assert values.max() < 90 and values.min() > 9  # test_start_and_end_index
    ds = timeseries_dataset_from_array(np.arange(100), None, 9, batch_size=None,
                                       shuffle=True)
    assert next(iter(ds)).shape == (9,)  # test_not_batched


def test_timeseries_shuffle_is_seeded_and_reshuffles_each_pass():  # test_shuffle_tf
    data = np.arange(10)

    def make():
        return timeseries_dataset_from_array(data, data * 2, 5, batch_size=1,
                                             shuffle=True, seed=123)
    ds = make()
    first = [x for x, _ in ds]
    second = [x for x, _ in ds]
    assert [b.tolist() for b in first] != [b.tolist() for b in second]
    assert sorted(b[0, 0] for b in first) == list(range(6))
    for x, y in ds:
        np.testing.assert_array_equal(x[:, 0] * 2, y)
    assert [x.tolist() for x, _ in make()] == [b.tolist() for b in first]


@pytest.mark.parametrize("kwargs,match", [  # test_errors, test_invalid_format
    (dict(start_index=-1), "`start_index` must be "),
    (dict(start_index=11), "`start_index` must be "),
    (dict(end_index=-1), "`end_index` must be "),
    (dict(end_index=11), "`end_index` must be "),
    (dict(sampling_rate=0), "`sampling_rate` must be "),
    (dict(sequence_stride=0), "`sequence_stride` must be "),
    (dict(format="invalid"), "`format` should be"),
])
def test_timeseries_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        timeseries_dataset_from_array(np.arange(10), None, 3, **kwargs)


def test_fit_on_a_timeseries_dataset():
    rng = np.random.default_rng(0)
    series = rng.normal(size=(60, 2)).astype("float32")
    train = timeseries_dataset_from_array(series[:-4], series[4:, 0], 4, batch_size=8)
    model = keraslite.Sequential([keraslite.Input((4, 2)), layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(train, epochs=2, verbose=0, validation_data=train)
    assert len(history.history["loss"]) == 2
    assert model.predict(train, verbose=0).shape == (53, 1)


# --- text_dataset_from_directory (text_dataset_utils_test.py) ----------------------

def _text_folder(root, num_classes=2, count=16, length=20, nested=False):
    """The folders of Keras's `_prepare_directory` (seeded texts)."""
    rng = np.random.default_rng(0)
    paths = []
    for c in range(num_classes):
        base = f"class_{c}"
        paths += [base, os.path.join(base, "subfolder_1")] if nested else [base]
    for p in paths:
        os.makedirs(os.path.join(root, p), exist_ok=True)
    for i in range(count):
        text = "".join(chr(c) for c in rng.integers(97, 123, length))
        with open(os.path.join(root, paths[i % len(paths)], f"text_{i}.txt"), "w") as f:
            f.write(text)
    return str(root)


def test_text_dataset_label_modes(tmp_path):  # test_..._binary, _multiclass
    folder = _text_folder(tmp_path, count=16)
    load = keraslite.utils.text_dataset_from_directory
    x, y = next(iter(load(folder, batch_size=8, label_mode="int", max_length=10)))
    assert x.shape == (8,) and x.dtype == object and isinstance(x[0], bytes)
    assert len(x[0]) == 10 and y.shape == (8,) and y.dtype == np.int32
    _, y = next(iter(load(folder, batch_size=8, label_mode="binary")))
    assert y.shape == (8, 1) and y.dtype == np.float32
    _, y = next(iter(load(folder, batch_size=8, label_mode="categorical")))
    assert y.shape == (8, 2) and y.dtype == np.float32
    ds = keraslite.preprocessing.text_dataset_from_directory(
        folder, batch_size=8, label_mode=None)
    assert sum(len(b) for b in ds) == 16 and ds.class_names is None  # as Keras


def test_text_dataset_order_labels_and_split(tmp_path):
    folder = _text_folder(tmp_path, num_classes=2, count=10, nested=True)
    ds = keraslite.utils.text_dataset_from_directory(folder, batch_size=4, shuffle=False,
                                                     verbose=False)
    texts, labels = zip(*ds)
    expected = sorted(ds.file_paths, key=lambda p: (os.path.relpath(p, folder).split(
        os.sep)[0], os.path.dirname(p), os.path.basename(p)))
    assert ds.file_paths == expected
    contents = [open(p, "rb").read() for p in ds.file_paths]
    assert np.concatenate(texts).tolist() == contents
    # class_0 holds texts 0, 1, 4, 5, 8, 9 (in it and its subfolder), class_1 the rest
    assert np.concatenate(labels).tolist() == [0] * 6 + [1] * 4
    # test_text_dataset_from_directory_validation_split: 8 + 2 of 10 files
    train, val = keraslite.utils.text_dataset_from_directory(
        folder, batch_size=10, validation_split=0.2, subset="both", seed=1337,
        verbose=False)
    assert len(next(iter(train))[0]) == 8 and len(next(iter(val))[0]) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    # test_text_dataset_from_directory_manual_labels
    two = _text_folder(tmp_path / "two", count=2)
    _, y = next(iter(keraslite.utils.text_dataset_from_directory(
        two, batch_size=8, labels=[0, 1], shuffle=False)))
    assert y.tolist() == [0, 1]


@pytest.mark.parametrize("kwargs,match", [  # test_text_dataset_from_directory_errors
    (dict(labels="other"), "`labels` argument should be"),
    (dict(label_mode="other"), "`label_mode` argument must be"),
    (dict(validation_split=2), "`validation_split` must be between 0 and 1"),
    (dict(validation_split=0.2, subset="other"), '`subset` must be either "training",'),
    (dict(validation_split=0.2, subset=None), "If `subset` is set"),
    (dict(validation_split=None, subset="training"), "If `subset` is set"),
    (dict(labels=[0, 1], class_names=["a"]), "You can only pass `class_names` if"),
    (dict(format="x"), "`format` should be either"),
    (dict(validation_split=0.2, subset="training", seed=None),
     "you must provide a `seed`"),
])
def test_text_dataset_errors(tmp_path, kwargs, match):
    folder = _text_folder(tmp_path, num_classes=3, count=5)
    with pytest.raises(ValueError, match=match):
        keraslite.utils.text_dataset_from_directory(folder, **kwargs)


def test_text_dataset_no_files_and_binary_needs_two_classes(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No text files found in directory"):
        keraslite.utils.text_dataset_from_directory(str(tmp_path / "empty"))
    folder = _text_folder(tmp_path / "three", num_classes=3, count=6)
    with pytest.raises(ValueError, match='When passing `label_mode="binary"`'):
        keraslite.utils.text_dataset_from_directory(folder, label_mode="binary")


def test_text_dataset_not_batched(tmp_path):  # ..._not_batched
    folder = _text_folder(tmp_path, count=4)
    x, y = next(iter(keraslite.utils.text_dataset_from_directory(
        folder, batch_size=None, max_length=5)))
    assert isinstance(x, bytes) and len(x) == 5 and y.shape == ()


# --- TextVectorization (layers/preprocessing/text_vectorization_test.py) -----------

INPUT = [["foo qux bar"], ["qux baz"]]


def test_adapt_flow():  # test_adapt_flow
    layer = layers.TextVectorization(max_tokens=5000, output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer(INPUT)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[4, 1, 3, 0], [1, 2, 0, 0]])
    assert "foo" in layer.get_vocabulary()


def test_fixed_and_set_vocabulary():  # test_fixed_vocabulary, test_set_vocabulary
    fixed = layers.TextVectorization(max_tokens=5000, output_sequence_length=4,
                                     vocabulary=["baz", "bar", "foo"])
    np.testing.assert_array_equal(fixed(INPUT), [[4, 1, 3, 0], [1, 2, 0, 0]])
    later = layers.TextVectorization(max_tokens=5000, output_sequence_length=4)
    later.set_vocabulary(["baz", "bar", "foo"])
    np.testing.assert_array_equal(later(INPUT), [[4, 1, 3, 0], [1, 2, 0, 0]])
    assert later.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo"]
    assert later.get_vocabulary(include_special_tokens=False) == ["baz", "bar", "foo"]
    assert later.vocabulary_size() == 5  # test_vocabulary_size


@pytest.mark.parametrize("kwargs,inputs,expected", [
    (dict(output_mode="multi_hot", vocabulary=["foo", "bar", "baz"]),
     [["foo bar"], ["baz foo foo"]], [[0, 1, 1, 0], [0, 1, 0, 1]]),
    (dict(output_mode="count", vocabulary=["foo", "bar", "baz"]),
     ["foo bar", "baz foo foo"], [[0, 1, 1, 0], [0, 2, 0, 1]]),
    (dict(output_mode="tf_idf", vocabulary=["foo", "bar", "baz"],
          idf_weights=[0.3, 0.5, 0.2]),
     ["foo bar", "baz foo foo"], [[0.0, 0.3, 0.5, 0.0], [0.0, 0.6, 0.0, 0.2]]),
    (dict(vocabulary=["hello", "world", "this", "is", "nice", "test"]),
     ["Hello, World!. This is just a nice test!"], [[2, 3, 4, 5, 1, 1, 6, 7]]),
    (dict(standardize="lower", vocabulary=["hello,", "hello", "world", "this", "is",
                                           "nice", "test"]),
     ["Hello, World!. This is just a nice test!"], [[2, 1, 5, 6, 1, 1, 7, 1]]),
    (dict(split="character", vocabulary=list("abcde")), ["abcf"], [[2, 3, 4, 1]]),
    (dict(standardize="strip_punctuation", vocabulary=["Hello", "World", "Test"]),
     ["Hello, World! Test."], [[2, 3, 4]]),
    (dict(standardize=None, vocabulary=["Hello", "world"]), ["Hello hello"], [[2, 1]]),
    (dict(split=None, vocabulary=["foo", "bar", "baz"]),
     [["foo"], ["bar"], ["unknown"]], [[2], [3], [1]]),
])
def test_output_modes_and_standardization_golden(kwargs, inputs, expected):
    np.testing.assert_allclose(layers.TextVectorization(**kwargs)(inputs), expected,
                               rtol=1e-6)


def test_callables_get_numpy_strings():
    # test_custom_splitting / test_custom_standardize_callable /
    # test_python_standardize_callable_non_tf_backend, with NumPy callables.
    split = layers.TextVectorization(
        split=lambda texts: [t.split("|") for t in texts],
        vocabulary=["foo", "bar", "foobar"])
    np.testing.assert_array_equal(split(["foo|bar"]), [[4]])  # "|" is punctuation
    seen = []

    def standardize(texts):
        seen.append((type(texts), texts.dtype.kind))
        return np.char.replace(np.char.lower(texts), ",", "")
    layer = layers.TextVectorization(standardize=standardize)
    layer.adapt(["Hello, world."])
    assert set(seen) == {(np.ndarray, "U")}
    assert "hello" in layer.get_vocabulary() and "world." in layer.get_vocabulary()


def test_ngrams_max_tokens_and_padding():
    layer = layers.TextVectorization(ngrams=2)
    layer.adapt(["foo bar baz"])  # test_ngrams_integer
    assert {"foo bar", "bar baz"} <= set(layer.get_vocabulary())
    layer = layers.TextVectorization(ngrams=(1, 3))
    layer.adapt(["foo bar baz"])  # test_ngrams_tuple
    assert {"foo", "foo bar baz"} <= set(layer.get_vocabulary())
    assert "foo bar" not in layer.get_vocabulary()
    layer = layers.TextVectorization(max_tokens=5)
    layer.adapt(["a b c d e f g h i j"])  # test_max_tokens
    assert len(layer.get_vocabulary()) == 5
    layer = layers.TextVectorization(output_mode="multi_hot", vocabulary=["foo", "bar"],
                                     max_tokens=8, pad_to_max_tokens=True)
    assert layer(["foo bar"]).shape == (1, 8)  # test_pad_to_max_tokens


def test_vocabulary_from_file(tmp_path):  # test_vocabulary_from_file
    path = tmp_path / "vocab.txt"
    path.write_text("foo\nbar\nbaz\n")
    layer = layers.TextVectorization(vocabulary=str(path))
    np.testing.assert_array_equal(layer(["foo bar baz unknown"]), [[2, 3, 4, 1]])
    assert layer.get_config()["vocabulary"] is None  # saved as an asset instead


def test_adapt_on_batches_and_steps():
    # test_adapt_with_generator, test_adapt_with_infinite_generator_and_steps,
    # test_adapt_with_steps
    def gen():
        yield ["hello world", "foo bar"]
        yield ["baz qux", "hello foo"]
    layer = layers.TextVectorization()
    layer.adapt(gen())
    assert {"hello", "foo"} <= set(layer.get_vocabulary())

    def forever():
        while True:
            yield ["foo bar", "bar baz"]
            yield ["unique_word"]
    layer.adapt(forever(), steps=1)
    assert "bar" in layer.get_vocabulary()
    assert "unique_word" not in layer.get_vocabulary()


def test_adapt_on_a_text_dataset_and_fit(tmp_path):
    folder = _text_folder(tmp_path, count=12)
    ds = keraslite.utils.text_dataset_from_directory(folder, batch_size=4, seed=0,
                                                     verbose=False)
    layer = layers.TextVectorization(max_tokens=20, output_mode="multi_hot",
                                     split="character")
    layer.adapt(x for x, _ in ds)
    assert layer.vocabulary_size() == 20
    x = np.concatenate([layer(t) for t, _ in ds]).astype("float32")
    y = np.concatenate([label for _, label in ds])
    model = keraslite.Sequential([keraslite.Input((20,)), layers.Dense(2, "softmax")])
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    assert len(model.fit(x, y, epochs=2, verbose=0).history["loss"]) == 2


@pytest.mark.parametrize("kwargs,match", [
    (dict(ngrams="invalid"), "`ngrams` must be None"),  # test_invalid_ngrams
    (dict(output_mode="multi_hot", output_sequence_length=5),
     "`output_sequence_length` must not be set"),
    (dict(ragged=True), "`ragged=True` can only be used"),
    (dict(sparse=True), "`sparse=True` can only be used"),
    (dict(standardize="upper"), "Allowed values are"),
    (dict(max_tokens=1), "`max_tokens` must be greater than 1"),
    (dict(pad_to_max_tokens=True, output_mode="count"), "must set `max_tokens`"),
    (dict(output_mode="tf_idf", vocabulary=["a"]), "the `idf_weights` argument"),
    (dict(vocabulary=["a", "a"]), "at least one repeated term"),
    (dict(vocabulary=["a", ""]), "Found reserved mask token"),
    (dict(vocabulary=["a", "b", "c"], max_tokens=3), "larger than the maximum vocab"),
    (dict(vocabulary="/no/such/file.txt"), "does not exist"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.TextVectorization(**kwargs)


def test_call_before_vocabulary_and_adapt_after_vocabulary():
    with pytest.raises(RuntimeError, match="you must set the layer's vocabulary"):
        layers.TextVectorization(output_mode="count")(["a"])
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layers.TextVectorization(vocabulary=["a"]).adapt(["a b"])


def test_config_round_trip_and_assets(tmp_path):  # test_config
    layer = layers.TextVectorization(vocabulary=["one", "two"], output_sequence_length=5)
    config = layer.get_config()
    assert config["vocabulary"] == ["one", "two"] and config["vocabulary_size"] == 4
    again = layers.TextVectorization.from_config(config)
    assert again.get_config() == config
    adapted = layers.TextVectorization(output_mode="tf_idf", ngrams=(1, 2))
    adapted.adapt(["foo bar", "bar baz", "baz bada boom"])
    adapted.save_assets(str(tmp_path))
    store = {}
    adapted.save_own_variables(store)
    restored = layers.TextVectorization.from_config(adapted.get_config())
    restored.load_own_variables(store)
    restored.load_assets(str(tmp_path))
    assert restored.get_vocabulary() == adapted.get_vocabulary()
    np.testing.assert_array_equal(restored(["bar baz boom"]), adapted(["bar baz boom"]))
    registered = keraslite.layers.deserialize(keraslite.layers.serialize(layer))
    assert type(registered) is layers.TextVectorization


@pytest.mark.parametrize("config", [dict(output_mode="tf_idf", ngrams=2),
                                    dict(output_sequence_length=5),
                                    dict(vocabulary=["bar", "foo"], output_mode="count")])
def test_string_input_model_round_trips_through_keras_files(tmp_path, config):
    pytest.importorskip("h5py")
    layer = layers.TextVectorization(**config)
    if "vocabulary" not in config:
        layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    stack = [keraslite.Input(shape=(1,), dtype="string"), layer]
    if config.get("output_mode") == "tf_idf":
        stack.append(layers.Dense(2))
    model = keraslite.Sequential(stack)
    x = np.array([["foo baz boom"], ["qux bar"]])
    expected = model.predict(x, verbose=0)
    np.testing.assert_array_equal(model(x), expected)
    path = str(tmp_path / "text.keras")
    model.save(path)
    import zipfile
    names = zipfile.ZipFile(path).namelist()
    has_assets = "vocabulary" not in config
    assert ("assets/layers/text_vectorization/vocabulary.txt" in names) == has_assets
    assert ("assets/layers/text_vectorization/_lookup_layer/vocabulary.txt"
            in names) == has_assets
    loaded = keraslite.saving.load_model(path)
    assert loaded.layers[0].get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)


def test_a_string_model_still_refuses_numbers_where_strings_belong():
    model = keraslite.Sequential([keraslite.Input(shape=(1,), dtype="string"),
                                  layers.TextVectorization(vocabulary=["a"])])
    np.testing.assert_array_equal(model.predict(np.array([["a b"]]), verbose=0), [[2, 1]])
    with pytest.raises(ValueError, match="declared with dtype=.string."):
        model.predict(np.zeros((2, 1)), verbose=0)
