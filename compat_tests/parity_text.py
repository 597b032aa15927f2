"""Parity rows of text and sequence preprocessing (issue 12): `pad_sequences`,
`TextVectorization`, `timeseries_dataset_from_array` and
`text_dataset_from_directory`, each run in keraslite and in Keras on the
same inputs over a table of arguments.

Outputs are compared exactly (values, dtypes, shapes, vocabularies, configs,
error types and messages); tf_idf outputs within 1e-6.
"""
import itertools
import os
import tempfile

import numpy as np

import keraslite


def _lib():
    from compat_tests.parity import _keras

    return _keras()


def _outcome(fn):
    """("ok", value) or ("error", type name, message) of `fn()`."""
    try:
        return ("ok", fn())
    except Exception as e:  # the error itself is compared
        return ("error", type(e).__name__, str(e))


def _array_pairs(label, ours, theirs):
    from compat_tests.parity import Pair

    ours, theirs = np.asarray(ours), np.asarray(theirs)
    pairs = [Pair(f"{label} dtype", str(ours.dtype), str(theirs.dtype), exact=True),
             Pair(f"{label} shape", ours.shape, theirs.shape, exact=True)]
    if ours.dtype.kind in "biuf" and theirs.dtype.kind in "biuf":
        pairs.append(Pair(f"{label} values", ours, theirs))
    else:
        pairs.append(Pair(f"{label} values", ours.tolist(), theirs.tolist(), exact=True))
    return pairs


def _outcome_pairs(label, ours, theirs, messages=True):
    """Both results, or both errors (with their type and message, or only
    that both raised when TensorFlow's own op errors are expected)."""
    from compat_tests.parity import Pair

    if ours[0] == "error" or theirs[0] == "error":
        if not messages:
            ours, theirs = ours[:1], theirs[:1]
        return [Pair(f"{label} outcome", ours, theirs, exact=True)]
    return _array_pairs(label, ours[1], np.asarray(theirs[1]))


# === pad_sequences ===============================================================
SEQUENCES = {
    "ints": [[1], [2, 3], [4, 5, 6], [], [7, 8, 9, 10, 11]],
    "floats": [[1.5, 2.25], [3.125], [4.0, 5.5, 6.75]],
    "vectors": [[[1, 1]], [[2, 1], [2, 2]], [[3, 1], [3, 2], [3, 3]]],
    "strings": [["a"], ["bb", "c"], ["d", "e", "ffff"]],
    "arrays": [np.arange(3), np.arange(5), np.arange(1)],
}


def pad_cases():
    """(name, sequences key, kwargs) of the pad_sequences table."""
    cases = []
    for key, maxlen, padding, truncating in itertools.product(
            ("ints", "floats", "vectors", "arrays"), (None, 2, 4),
            ("pre", "post"), ("pre", "post")):
        kwargs = dict(maxlen=maxlen, padding=padding, truncating=truncating)
        cases.append((key, kwargs))
    for dtype, value in (("float32", -1.5), ("int64", 7), ("float64", 0.5),
                         ("int32", 2.7), ("uint8", 3)):
        cases.append(("floats", dict(dtype=dtype, value=value, maxlen=3)))
    for dtype, padding in ((object, "pre"), ("<U3", "post"), (np.str_, "pre")):
        cases.append(("strings", dict(dtype=dtype, value="pad", padding=padding,
                                      maxlen=2, truncating="post")))
    cases += [  # Keras's errors
        ("strings", dict(value="pad")),
        ("ints", dict(padding="middle")),
        ("ints", dict(truncating="middle", maxlen=2)),
        ("bad_shape", {}),
        ("not_iterable", {}),
        ("scalar_items", {}),
    ]
    return cases


def _sequences(key):
    return {"bad_shape": [[[1, 2]], [[1, 2, 3]]], "not_iterable": 5,
            "scalar_items": [[1], 2]}.get(key) or SEQUENCES[key]


def _pad_row(index, key, kwargs):
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        ours = _outcome(lambda: keraslite.utils.pad_sequences(_sequences(key), **kwargs))
        alias = _outcome(lambda: keraslite.preprocessing.sequence.pad_sequences(
            _sequences(key), **kwargs))
        theirs = _outcome(lambda: keras.utils.pad_sequences(_sequences(key), **kwargs))
        return (_outcome_pairs("utils.pad_sequences", ours, theirs)
                + _outcome_pairs("preprocessing.sequence.pad_sequences", alias, theirs))

    shown = {k: getattr(v, "__name__", v) for k, v in kwargs.items()}
    return Row(f"pad_sequences[{index}] {key} {shown}", compute, rtol=0.0, atol=0.0,
               covers=("utils.pad_sequences", "preprocessing.sequence.pad_sequences"))


# === TextVectorization ================================================================
TEXTS = ["The cat sat. On the mat!", "the DOG ate  the\tcat's food",
         "Émile a\xa0b c-d\x0bx\x0cy", "", "dog dog dog cat",
         "zebra Zebra ZEBRA, yak; yak", "a b c d e f g h i j", "naïve café, CAFÉ"]
CALLS = [["the cat and the dog", "unknown words here", "", "zebra yak a b"],
         [["the cat"], ["yak"], ["café"]], "a single Text, with dog", TEXTS,
         [b"bytes dog", "str cat".encode()]]

ADAPT_CONFIGS = [
    dict(), dict(output_mode="multi_hot"), dict(output_mode="count", ngrams=2),
    dict(output_mode="tf_idf"), dict(max_tokens=6),
    dict(max_tokens=5, output_mode="multi_hot", pad_to_max_tokens=True),
    dict(output_sequence_length=3), dict(output_sequence_length=12, ngrams=(1, 3)),
    dict(standardize=None), dict(standardize="lower"),
    dict(standardize="strip_punctuation"),
    dict(split="character", output_sequence_length=10),
    dict(split="character", output_mode="count", max_tokens=12),
    dict(split=None), dict(split=None, output_mode="count"),
    dict(split=None, output_sequence_length=2),
    dict(output_mode="tf_idf", max_tokens=8, pad_to_max_tokens=True),
    dict(output_mode="tf_idf", ngrams=3), dict(output_mode="binary", ngrams=(2,)),
    dict(output_mode="tf-idf", standardize="lower", max_tokens=9),
    dict(max_tokens=4, output_mode="count", pad_to_max_tokens=True),
]
VOCAB_CONFIGS = [
    dict(vocabulary=["dog", "the", "cat", "yak"]),
    dict(vocabulary=["", "[UNK]", "dog", "the", "cat"], output_sequence_length=4),
    dict(vocabulary=["[UNK]", "dog", "the"], output_mode="multi_hot"),
    dict(vocabulary=["dog", "the", "cat"], output_mode="count", max_tokens=6,
         pad_to_max_tokens=True),
    dict(vocabulary=["dog", "the", "cat"], output_mode="tf_idf",
         idf_weights=[0.5, 0.25, 2.0]),
    dict(vocabulary=["[UNK]", "dog", "the", "cat"], output_mode="tf_idf",
         idf_weights=[0.1, 0.5, 0.25, 2.0], max_tokens=6, pad_to_max_tokens=True),
    dict(vocabulary=np.array(["dog", "cat"]), split="character"),
    dict(vocabulary=["the cat", "cat", "dog"], ngrams=2, output_mode="multi_hot"),
]
ERROR_CONFIGS = [
    dict(ngrams="x"), dict(output_mode="multi_hot", output_sequence_length=3),
    dict(output_sequence_length=2.5), dict(standardize="upper"), dict(split="comma"),
    dict(output_mode="onehot"), dict(max_tokens=1),
    dict(pad_to_max_tokens=True, output_mode="count"),
    dict(output_mode="tf_idf", vocabulary=["a"]),
    dict(idf_weights=[1.0], vocabulary=["a"]),
    dict(vocabulary=["a", "b", "a"]), dict(vocabulary=["a", ""]),
    dict(vocabulary=["a", "b", "c"], max_tokens=3), dict(vocabulary=[]),
    dict(vocabulary="/no/such/vocabulary.txt"),
    dict(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0]),
]


def _both_layers(keras, config, adapt=None):
    ours = keraslite.layers.TextVectorization(**config)
    theirs = keras.layers.TextVectorization(**config)
    if adapt is not None:
        for layer in (ours, theirs):
            adapt(layer)
    return ours, theirs


def _layer_pairs(ours, theirs, calls=CALLS):
    from compat_tests.parity import Pair

    pairs = [Pair("vocabulary", ours.get_vocabulary(),
                  [str(t) for t in theirs.get_vocabulary()], exact=True),
             Pair("vocabulary without special tokens",
                  ours.get_vocabulary(include_special_tokens=False),
                  [str(t) for t in theirs.get_vocabulary(include_special_tokens=False)],
                  exact=True),
             Pair("vocabulary_size", ours.vocabulary_size(), theirs.vocabulary_size(),
                  exact=True)]
    config_ours, config_theirs = ours.get_config(), theirs.get_config()
    for config in (config_ours, config_theirs):
        config.pop("name")
    pairs.append(Pair("get_config", config_ours, _plain(config_theirs), exact=True))
    for i, x in enumerate(calls):
        pairs += _outcome_pairs(f"call {i}", _outcome(lambda: ours(x)),
                                _outcome(lambda: np.asarray(theirs(x))), messages=False)
    return pairs


def _plain(value):
    """Keras's config values as JSON-like Python values (np.str_ -> str)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _adapt_row(index, config):
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        return _layer_pairs(*_both_layers(keras, config, lambda la: la.adapt(TEXTS)))

    return Row(f"TextVectorization adapt[{index}] {config}", compute, rtol=1e-6,
               atol=1e-6, covers=("layers.TextVectorization",))


def _vocabulary_row(index, config):
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        return _layer_pairs(*_both_layers(keras, config))

    return Row(f"TextVectorization vocabulary[{index}] "
               f"{ {k: (v.tolist() if hasattr(v, 'tolist') else v) for k, v in config.items()} }",
               compute, rtol=1e-6, atol=1e-6, covers=("layers.TextVectorization",))


def _special_rows():
    """adapt on batches (generator, steps, rank-1 batches), set_vocabulary,
    vocabulary files, bytes and 2-D inputs, errors, callables."""
    from compat_tests.parity import Pair, Row

    def batches():
        _, keras = _lib()
        pairs = []
        for config in (dict(), dict(output_mode="tf_idf"), dict(split=None),
                       dict(split=None, output_mode="tf_idf")):
            def gen():
                for i in range(0, len(TEXTS), 3):
                    yield np.array(TEXTS[i:i + 3])
            ours, theirs = _both_layers(keras, config)
            ours.adapt(gen(), steps=2)
            theirs.adapt(gen(), steps=2)
            pairs += _layer_pairs(ours, theirs)
            # adapted again on more text: both raise in the vector modes
            again = [_outcome(lambda: la.adapt(np.array(TEXTS)[:, None]))
                     for la in (ours, theirs)]
            pairs.append(Pair(f"{config} adapt again", again[0][::2], again[1][::2],
                              exact=True))
            pairs += _layer_pairs(*_both_layers(
                keras, config, lambda la: la.adapt(np.array(TEXTS)[:, None])))
        return pairs

    def set_vocabulary():
        _, keras = _lib()
        pairs = []
        for config, vocab, idf in (
                (dict(), ["dog", "cat"], None),
                (dict(output_mode="count"), ["[UNK]", "dog", "cat"], None),
                (dict(output_mode="tf_idf"), ["dog", "cat"], [1.5, 0.5]),
                (dict(output_mode="tf_idf", max_tokens=5, pad_to_max_tokens=True),
                 ["dog", "cat"], [1.5, 0.5])):
            ours, theirs = _both_layers(keras, config)
            for layer in (ours, theirs):
                layer.set_vocabulary(vocab, idf_weights=idf)
            pairs += _layer_pairs(ours, theirs)
            # after adapt: a new size raises in the vector modes without padding
            ours, theirs = _both_layers(keras, config, lambda la: la.adapt(TEXTS))
            after = [_outcome(lambda: la.set_vocabulary(vocab, idf_weights=idf))
                     for la in (ours, theirs)]
            pairs.append(Pair(f"{config} set_vocabulary after adapt", after[0][::2],
                              after[1][::2], exact=True))
            pairs += _layer_pairs(ours, theirs)
        return pairs

    def vocabulary_file():
        _, keras = _lib()
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "vocab.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("dog\ncafé\nthe\ncat\n")
        pairs = []
        for config in (dict(vocabulary=path), dict(vocabulary=path, output_mode="count")):
            pairs += _layer_pairs(*_both_layers(keras, config))
        return pairs

    def errors():
        _, keras = _lib()
        pairs = []
        for i, config in enumerate(ERROR_CONFIGS):
            ours = _outcome(lambda: keraslite.layers.TextVectorization(**config))
            theirs = _outcome(lambda: keras.layers.TextVectorization(**config))
            pairs.append(Pair(f"{config} error", ours[:2], theirs[:2], exact=True))
            # keraslite lists the modes it has (not Keras's "one_hot")
            if ours[0] == "error" and config.get("vocabulary") != [] and \
                    config.get("output_mode") != "onehot":
                pairs.append(Pair(f"{config} message", ours[2], theirs[2], exact=True))
        layer = keraslite.layers.TextVectorization(output_mode="count")
        their_layer = keras.layers.TextVectorization(output_mode="count")
        pairs.append(Pair("call before adapt",
                          _outcome(lambda: layer(["a"]))[:2],
                          _outcome(lambda: their_layer(["a"]))[:2], exact=True))
        fixed = keraslite.layers.TextVectorization(vocabulary=["a"])
        their_fixed = keras.layers.TextVectorization(vocabulary=["a"])
        pairs.append(Pair("adapt after vocabulary",
                          _outcome(lambda: fixed.adapt(["a b"]))[:2],
                          _outcome(lambda: their_fixed.adapt(["a b"]))[:2], exact=True))
        pairs.append(Pair("(n, 2) input",
                          _outcome(lambda: fixed(np.array([["a", "b"]])))[:2],
                          _outcome(lambda: their_fixed(np.array([["a", "b"]])))[:2],
                          exact=True))
        return pairs

    def callables():
        tf, keras = _lib()
        ours = keraslite.layers.TextVectorization(
            standardize=lambda t: np.char.replace(np.char.upper(t), "-", " "),
            split=lambda t: [s.split(",") for s in t])
        theirs = keras.layers.TextVectorization(
            standardize=lambda t: tf.strings.regex_replace(tf.strings.upper(t), "-", " "),
            split=lambda t: tf.strings.split(t, sep=","))
        texts = ["a-b,c,d", "c,d-e", "x,a-b"]
        ours.adapt(texts)
        theirs.adapt(texts)
        pairs = [Pair("vocabulary", ours.get_vocabulary(),
                      [str(t) for t in theirs.get_vocabulary()], exact=True)]
        x = ["c,a-b", "zz,d"]
        return pairs + _array_pairs("call", ours(x), np.asarray(theirs(x)))

    covers = ("layers.TextVectorization",)
    return [Row("TextVectorization adapt on batches (steps, rank-1 and (n, 1) batches)",
                batches, rtol=1e-6, atol=1e-6, covers=covers),
            Row("TextVectorization set_vocabulary after adapt (idf_weights, special tokens)",
                set_vocabulary, rtol=1e-6, atol=1e-6, covers=covers),
            Row("TextVectorization vocabulary file", vocabulary_file, rtol=0.0, atol=0.0,
                covers=covers),
            Row("TextVectorization errors (types and messages)", errors, covers=covers),
            Row("TextVectorization callable standardize and split (NumPy vs tf.strings)",
                callables, rtol=0.0, atol=0.0, covers=covers)]


# === timeseries_dataset_from_array =======================================================
TIMESERIES_CASES = [
    dict(sequence_length=9, batch_size=5),
    dict(sequence_length=3, batch_size=1, targets="offset"),
    dict(sequence_length=10, batch_size=5, targets=None),
    dict(sequence_length=9, batch_size=5, sampling_rate=2),
    dict(sequence_length=9, batch_size=5, sequence_stride=3),
    dict(sequence_length=9, batch_size=5, sequence_stride=3, sampling_rate=2,
         start_index=10, end_index=90, targets=None),
    dict(sequence_length=6, batch_size=None, sequence_stride=7),
    dict(sequence_length=4, batch_size=128, start_index=5, sampling_rate=3),
    dict(sequence_length=12, batch_size=7, end_index=60, sequence_stride=2),
    dict(sequence_length=5, batch_size=4, data="2d"),
    dict(sequence_length=120, batch_size=4),
]
TIMESERIES_ERRORS = [dict(start_index=-1), dict(start_index=11), dict(end_index=-1),
                     dict(end_index=11), dict(start_index=5, end_index=3),
                     dict(sampling_rate=0), dict(sampling_rate=10),
                     dict(sequence_stride=0), dict(sequence_stride=12),
                     dict(format="invalid")]


def _series(case):
    data = np.arange(100)
    if case.get("data") == "2d":
        data = np.random.default_rng(0).normal(size=(100, 3))  # float64 stays float64
    targets = case.get("targets", "double")
    if targets == "double":
        targets = data * 2
    elif targets == "offset":
        targets = data[3:]
    kwargs = {k: v for k, v in case.items() if k not in ("data", "targets")}
    return data, targets, kwargs


def _batch_list(dataset):
    return [tuple(np.asarray(p) for p in b) if isinstance(b, tuple) else (np.asarray(b),)
            for b in dataset]


def _timeseries_row(index, case):
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        data, targets, kwargs = _series(case)
        ours = _batch_list(keraslite.utils.timeseries_dataset_from_array(
            data, targets, **kwargs))
        alias = _batch_list(keraslite.preprocessing.timeseries_dataset_from_array(
            data, targets, **kwargs))
        theirs = _batch_list(keras.utils.timeseries_dataset_from_array(
            data, targets, **kwargs).as_numpy_iterator())
        pairs = [Pair("number of batches", len(ours), len(theirs), exact=True),
                 Pair("preprocessing alias batches", len(alias), len(theirs), exact=True)]
        for i, (a, b) in enumerate(zip(ours, theirs)):
            for j, (x, y) in enumerate(zip(a, b)):
                pairs += _array_pairs(f"batch {i} part {j}", x, y)
        # shuffled: the same batch sizes and the same windows in another order
        shuffled = dict(kwargs, shuffle=True, seed=7)
        ours = _batch_list(keraslite.utils.timeseries_dataset_from_array(
            data, targets, **shuffled))
        theirs = _batch_list(keras.utils.timeseries_dataset_from_array(
            data, targets, **shuffled).as_numpy_iterator())
        batched = kwargs.get("batch_size", 128) is not None
        pairs.append(Pair("shuffled batch shapes", [b[0].shape for b in ours],
                          [b[0].shape for b in theirs], exact=True))
        pairs.append(Pair("shuffled windows (sorted)", _sorted_samples(ours, batched),
                          _sorted_samples(theirs, batched), exact=True))
        return pairs

    return Row(f"timeseries_dataset_from_array[{index}] {case}", compute, rtol=0.0,
               atol=0.0, covers=("utils.timeseries_dataset_from_array",
                                 "preprocessing.timeseries_dataset_from_array"))


def _sorted_samples(batches, batched=True):
    """Every sample of `batches` (all its parts) as text, sorted."""
    samples = []
    for batch in batches:
        parts = batch if batched else [p[None] for p in batch]
        for i in range(len(parts[0])):
            samples.append(repr([np.asarray(p[i]).tolist() for p in parts]))
    return sorted(samples)


def _timeseries_errors_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        pairs = []
        for kwargs in TIMESERIES_ERRORS:
            ours = _outcome(lambda: keraslite.utils.timeseries_dataset_from_array(
                np.arange(10), None, 3, **kwargs))
            theirs = _outcome(lambda: keras.utils.timeseries_dataset_from_array(
                np.arange(10), None, 3, **kwargs))
            pairs.append(Pair(f"{kwargs}", ours[::2], theirs[::2], exact=True))
        return pairs

    return Row("timeseries_dataset_from_array errors (messages)", compute,
               covers=("utils.timeseries_dataset_from_array",))


# === text_dataset_from_directory =============================================================
TEXT_DATASET_CASES = [
    dict(batch_size=4, shuffle=False),
    dict(batch_size=3, shuffle=False, label_mode="categorical", max_length=7),
    dict(batch_size=5, shuffle=False, label_mode=None),
    dict(batch_size=None, shuffle=False, label_mode="int"),
    dict(batch_size=4, shuffle=False, class_names=["c_two", "a_one"], label_mode="binary"),
    dict(batch_size=4, shuffle=False, validation_split=0.3, subset="training"),
    dict(batch_size=4, shuffle=False, validation_split=0.3, subset="validation"),
    dict(batch_size=2, shuffle=True, seed=11, validation_split=0.25, subset="both"),
    dict(batch_size=4, shuffle=True, seed=3),
    dict(batch_size=4, shuffle=False, labels=[1, 0, 1, 1, 0, 0, 1, 0, 1, 1]),
]


def write_text_folder(root):
    """Two class folders (one nested) and a stray folder of texts, UTF-8."""
    rng = np.random.default_rng(5)
    words = ["cat", "dog", "café", "naïve", "the", "a", "Émile", "zebra"]
    layout = {"a_one": ["t1.txt", "t10.txt", "t2.txt", "skip.md"],
              os.path.join("a_one", "deep"): ["z.txt"],
              "c_two": ["b.txt", "a.txt", "c.TXT", "d.txt"],
              os.path.join("c_two", "inner"): ["x.txt", "y.txt"]}
    for folder, names in layout.items():
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        for name in names:
            text = " ".join(rng.choice(words, rng.integers(2, 9)))
            with open(os.path.join(root, folder, name), "w", encoding="utf-8") as f:
                f.write(text)
    return root


def _text_batches(dataset):
    if hasattr(dataset, "as_numpy_iterator"):
        dataset = dataset.as_numpy_iterator()
    return [tuple(np.asarray(p) for p in b) if isinstance(b, tuple) else (np.asarray(b),)
            for b in dataset]


def _text_dataset_row(index, case):
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        folder = write_text_folder(tempfile.mkdtemp())
        kwargs = dict(case, verbose=False)
        ours = keraslite.utils.text_dataset_from_directory(folder, **kwargs)
        alias = keraslite.preprocessing.text_dataset_from_directory(folder, **kwargs)
        theirs = keras.utils.text_dataset_from_directory(folder, **kwargs)
        if case.get("subset") != "both":
            ours, alias, theirs = [ours], [alias], [theirs]
        pairs = []
        for k, (o, a, t) in enumerate(zip(ours, alias, theirs)):
            pairs.append(Pair(f"subset {k} class_names", o.class_names, t.class_names,
                              exact=True))
            ob, tb = _text_batches(o), _text_batches(t)
            pairs.append(Pair(f"subset {k} preprocessing alias",
                              [b[0].tolist() for b in _text_batches(a)],
                              [b[0].tolist() for b in ob], exact=True))
            if case.get("shuffle"):
                pairs.append(Pair(f"subset {k} batch shapes", [b[0].shape for b in ob],
                                  [b[0].shape for b in tb], exact=True))
                pairs.append(Pair(f"subset {k} samples (sorted)", _sorted_samples(ob),
                                  _sorted_samples(tb), exact=True))
                continue
            pairs.append(Pair(f"subset {k} number of batches", len(ob), len(tb), exact=True))
            for i, (x, y) in enumerate(zip(ob, tb)):
                for j, (p, q) in enumerate(zip(x, y)):
                    pairs += _array_pairs(f"subset {k} batch {i} part {j}", p, q)
        return pairs

    return Row(f"text_dataset_from_directory[{index}] {case}", compute, rtol=0.0,
               atol=0.0, covers=("utils.text_dataset_from_directory",
                                 "preprocessing.text_dataset_from_directory"))


def text_rows():
    rows = [_pad_row(i, key, kwargs) for i, (key, kwargs) in enumerate(pad_cases())]
    rows += [_adapt_row(i, c) for i, c in enumerate(ADAPT_CONFIGS)]
    rows += [_vocabulary_row(i, c) for i, c in enumerate(VOCAB_CONFIGS)]
    rows += _special_rows()
    rows += [_timeseries_row(i, c) for i, c in enumerate(TIMESERIES_CASES)]
    rows.append(_timeseries_errors_row())
    rows += [_text_dataset_row(i, c) for i, c in enumerate(TEXT_DATASET_CASES)]
    return rows
