"""Parity rows of tf.data's transformations on keraslite's datasets
(keraslite.utils.dataset_ops): the same chain of `map`, `filter`, `cache`,
`prefetch`, `take`, `skip`, `batch`, `unbatch`, `shuffle`, `repeat` run on
keraslite's `text_dataset_from_directory` / `timeseries_dataset_from_array`
/ `image_dataset_from_directory` and on Keras's (tf.data), over the same
files with `shuffle=False`.

Each row reads two passes of the chain's `as_numpy_iterator()` and compares
them element by element: structure, dtypes, shapes and values (exactly;
tf_idf within 1e-6), and `len()` (its value or its TypeError). `shuffle`
rows compare the sorted samples (the order is NumPy's, not TensorFlow's).
"""
import os
import tempfile

import numpy as np

import keraslite
from compat_tests.parity_text import _lib, _outcome, write_text_folder


def _describe(element):
    """An element as comparable plain data: structure, dtypes, shapes, values."""
    if isinstance(element, tuple):
        return ("tuple", [_describe(e) for e in element])
    if isinstance(element, dict):
        return ("dict", {k: _describe(v) for k, v in sorted(element.items())})
    array = np.asarray(element)
    return (str(array.dtype), array.shape, array.tolist())


def _passes(dataset, passes=2):
    return [[_describe(e) for e in dataset.as_numpy_iterator()] for _ in range(passes)]


def _length(dataset):
    outcome = _outcome(lambda: len(dataset))
    return outcome if outcome[0] == "ok" else outcome[:2] + (outcome[2],)


# Chains: (name, fn(dataset) -> dataset). Each lambda is on its own line with
# its own argument names, so that TensorFlow's autograph can parse it.
TEXT_CHAINS = [
    ("map(lambda x, y: x)", lambda ds: ds.map(lambda x, y: x)),
    ("map(list, num_parallel_calls=4)",
     lambda ds: ds.map(lambda text, label: [label, text], num_parallel_calls=4)),
    ("map(dict).map(dict argument)",
     lambda ds: ds.map(lambda a, b: {"text": a, "label": b}).map(
         lambda d: (d["text"], d["label"]))),
    ("unbatch()", lambda ds: ds.unbatch()),
    ("unbatch().batch(3)", lambda ds: ds.unbatch().batch(3)),
    ("unbatch().batch(3, drop_remainder=True)",
     lambda ds: ds.unbatch().batch(3, drop_remainder=True)),
    ("unbatch().filter(y == 1)", lambda ds: ds.unbatch().filter(lambda u, v: v == 1)),
    ("take(2)", lambda ds: ds.take(2)),
    ("take(-1)", lambda ds: ds.take(-1)),
    ("take(0)", lambda ds: ds.take(0)),
    ("skip(1)", lambda ds: ds.skip(1)),
    ("skip(-1)", lambda ds: ds.skip(-1)),
    ("skip(9)", lambda ds: ds.skip(9)),
    ("repeat(2)", lambda ds: ds.repeat(2)),
    ("repeat().take(5)", lambda ds: ds.repeat().take(5)),
    ("repeat(3).skip(4)", lambda ds: ds.repeat(3).skip(4)),
    ("cache()", lambda ds: ds.cache()),
    ("map(x).cache().prefetch(AUTOTUNE)",
     lambda ds: ds.map(lambda p, q: p).cache().prefetch(-1)),
    ("prefetch(2).take(1)", lambda ds: ds.prefetch(2).take(1)),
    ("batch(2) (uneven batches)", lambda ds: ds.batch(2)),
    ("map(x).unbatch().batch(4).unbatch()",
     lambda ds: ds.map(lambda s, t: s).unbatch().batch(4).unbatch()),
    ("filter(y[0] == 0).map(y)",
     lambda ds: ds.filter(lambda m, n: n[0] == 0).map(lambda m, n: n)),
]
TEXT_CASES = [
    dict(batch_size=4, shuffle=False),
    dict(batch_size=3, shuffle=False, label_mode="categorical", max_length=9),
]
NO_LABEL_CHAINS = [
    ("map(lambda x: x)", lambda ds: ds.map(lambda x: x)),
    ("unbatch().batch(3)", lambda ds: ds.unbatch().batch(3)),
    ("unbatch().take(4)", lambda ds: ds.unbatch().take(4)),
]


def _text_datasets(case):
    _, keras = _lib()
    folder = write_text_folder(tempfile.mkdtemp())
    kwargs = dict(case, verbose=False)
    return (keraslite.utils.text_dataset_from_directory(folder, **kwargs),
            keras.utils.text_dataset_from_directory(folder, **kwargs))


def _same_error(ours, theirs):
    """Both raised, with keraslite's message inside TensorFlow's (which adds
    its op's name) or the same first 40 characters (TensorFlow names a
    `TensorSpec` where keraslite names a NumPy value)."""
    if ours[0] != "error" or theirs[0] != "error":
        return False
    return ours[-1] in theirs[-1] or ours[-1][:40] == theirs[-1][:40]


def _chain_pairs(label, ours, theirs, sort=False):
    """`ours` and `theirs`: datasets, or functions returning them (whose
    errors, raised when the chain is built or read, are compared)."""
    from compat_tests.parity import Pair

    if callable(ours):
        o, t = _outcome(ours), _outcome(theirs)
        if o[0] == "error" or t[0] == "error":
            o, t = (o, t) if o[0] == "error" else (_outcome(lambda: _passes(o[1])), t)
            return [Pair(f"{label} error", _same_error(o, t), True, exact=True)]
        ours, theirs = o[1], t[1]
    pairs = [Pair(f"{label} len()", _length(ours), _length(theirs), exact=True)]
    o, t = _outcome(lambda: _passes(ours)), _outcome(lambda: _passes(theirs))
    if o[0] == "error" or t[0] == "error":
        pairs.append(Pair(f"{label} error", _same_error(o, t), True, exact=True))
        return pairs
    if sort:
        o = ("ok", [sorted(map(repr, p)) for p in o[1]])
        t = ("ok", [sorted(map(repr, p)) for p in t[1]])
    pairs.append(Pair(f"{label} two passes, element by element", o[1], t[1],
                      exact=True))
    return pairs


def _text_chain_row(case_index, case, chains, tag):
    from compat_tests.parity import Row

    def compute():
        ours, theirs = _text_datasets(case)
        pairs = []
        for name, chain in chains:
            pairs += _chain_pairs(name, lambda: chain(ours), lambda: chain(theirs))
        return pairs

    return Row(f"text dataset transformations[{case_index}] {tag} {case}", compute,
               rtol=0.0, atol=0.0, covers=("utils.text_dataset_from_directory",))


def _shuffle_row():
    from compat_tests.parity import Pair, Row

    def compute():
        ours, theirs = _text_datasets(dict(batch_size=4, shuffle=False))
        o, t = ours.unbatch().shuffle(20, seed=1), theirs.unbatch().shuffle(20, seed=1)
        pairs = _chain_pairs("unbatch().shuffle(20, seed=1) (sorted samples)", o, t,
                             sort=True)
        o_passes, t_passes = _passes(o), _passes(t)
        pairs.append(Pair("unbatch().shuffle(20, seed=1): a new order on pass 2",
                          o_passes[0] != o_passes[1], t_passes[0] != t_passes[1],
                          exact=True))
        o = ours.unbatch().shuffle(3, seed=2).batch(4)
        t = theirs.unbatch().shuffle(3, seed=2).batch(4)
        pairs.append(Pair("unbatch().shuffle(3, seed=2).batch(4) batch sizes",
                          [len(e[0]) for e in o.as_numpy_iterator()],
                          [len(e[0]) for e in t.as_numpy_iterator()], exact=True))
        pairs += _chain_pairs("unbatch().shuffle(3, seed=2).batch(4) (sorted samples)",
                              o.unbatch(), t.unbatch(), sort=True)
        # A folder shuffled by the loader: the same samples as Keras's.
        folder = write_text_folder(tempfile.mkdtemp())
        _, keras = _lib()
        kw = dict(batch_size=4, shuffle=True, seed=7, verbose=False)
        o = keraslite.utils.text_dataset_from_directory(folder, **kw).map(lambda x, y: x)
        t = keras.utils.text_dataset_from_directory(folder, **kw).map(lambda x, y: x)
        pairs += _chain_pairs("shuffle=True folder, map(x).unbatch() (sorted samples)",
                              o.unbatch(), t.unbatch(), sort=True)
        return pairs

    return Row("text dataset transformations: shuffle", compute, rtol=0.0, atol=0.0,
               covers=("utils.text_dataset_from_directory",))


def _errors_row():
    from compat_tests.parity import Pair, Row

    def compute():
        ours, theirs = _text_datasets(dict(batch_size=4, shuffle=False))
        pairs = []
        for name, chain in [
                ("prefetch(-2)", lambda ds: ds.prefetch(-2)),
                ("batch(0)", lambda ds: ds.batch(0)),
                ("shuffle(0)", lambda ds: ds.shuffle(0)),
                ("map(num_parallel_calls=0)",
                 lambda ds: ds.map(lambda e, f: e, num_parallel_calls=0)),
                ("map(num_parallel_calls=-2)",
                 lambda ds: ds.map(lambda g, h: g, num_parallel_calls=-2)),
                ("unbatch() of scalars", lambda ds: list(
                    ds.unbatch().unbatch().as_numpy_iterator()))]:
            pairs.append(Pair(f"{name}: both raise, keraslite's message in TF's",
                              _same_error(_outcome(lambda: chain(ours)),
                                          _outcome(lambda: chain(theirs))),
                              True, exact=True))
        return pairs

    return Row("text dataset transformations: errors", compute,
               covers=("utils.text_dataset_from_directory",))


def _vectorized_row(config):
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        ours, theirs = _text_datasets(dict(batch_size=4, shuffle=False))
        results = []
        for lib, ds in ((keraslite, ours), (keras, theirs)):
            layer = lib.layers.TextVectorization(**config)
            layer.adapt(ds.map(lambda x, y: x))
            mapped = ds.map(lambda x, y: (layer(x), y), num_parallel_calls=4).cache()
            results.append((layer.get_vocabulary(),
                            [[np.asarray(p) for p in e] for e in mapped.as_numpy_iterator()]))
        (ov, ob), (tv, tb) = results
        pairs = [Pair("vocabulary adapted on map(lambda x, y: x)", ov,
                      [str(t) for t in tv], exact=True),
                 Pair("number of batches", len(ob), len(tb), exact=True)]
        for i, (o, t) in enumerate(zip(ob, tb)):
            pairs.append(Pair(f"batch {i} dtypes and shapes",
                              [(str(p.dtype), p.shape) for p in o],
                              [(str(p.dtype), p.shape) for p in t], exact=True))
            pairs += [Pair(f"batch {i} part {j}", p, q) for j, (p, q) in enumerate(zip(o, t))]
        return pairs

    return Row(f"TextVectorization on mapped text datasets {config}", compute,
               rtol=1e-6, atol=1e-6,
               covers=("layers.TextVectorization", "utils.text_dataset_from_directory"))


VECTORIZE_CONFIGS = [
    dict(output_mode="multi_hot"),
    dict(output_mode="int", output_sequence_length=6),
    dict(output_mode="tf_idf", ngrams=2, max_tokens=12),
    dict(output_mode="count", max_tokens=6, pad_to_max_tokens=True),
]

SERIES_CHAINS = [
    ("unbatch().batch(5)", lambda ds: ds.unbatch().batch(5)),
    ("map(x[:, ::2], y * 2)", lambda ds: ds.map(lambda w, z: (w[:, ::2], z * 2))),
    ("take(2).repeat(2)", lambda ds: ds.take(2).repeat(2)),
    ("skip(1).cache()", lambda ds: ds.skip(1).cache()),
    ("unbatch().skip(3).take(4)", lambda ds: ds.unbatch().skip(3).take(4)),
]


def _series_row():
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        data = np.arange(60, dtype="float32").reshape(30, 2)
        kwargs = dict(targets=np.arange(30, dtype="int64"), sequence_length=4,
                      sequence_stride=2, batch_size=3)
        ours = keraslite.utils.timeseries_dataset_from_array(data, **kwargs)
        theirs = keras.utils.timeseries_dataset_from_array(data, **kwargs)
        pairs = []
        for name, chain in SERIES_CHAINS:
            pairs += _chain_pairs(name, chain(ours), chain(theirs))
        return pairs

    return Row("timeseries dataset transformations", compute, rtol=0.0, atol=0.0,
               covers=("utils.timeseries_dataset_from_array",))


def _image_row():
    from compat_tests.parity import Row

    def compute():
        from PIL import Image

        _, keras = _lib()
        folder = tempfile.mkdtemp()
        rng = np.random.default_rng(3)
        for label in ("cats", "dogs"):
            os.makedirs(os.path.join(folder, label))
            for i in range(3):
                pixels = rng.integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(os.path.join(folder, label, f"{i}.png"))
        kwargs = dict(image_size=(4, 4), batch_size=4, shuffle=False, verbose=False)
        ours = keraslite.utils.image_dataset_from_directory(folder, **kwargs)
        theirs = keras.utils.image_dataset_from_directory(folder, **kwargs)
        pairs = []
        for name, chain in [
                ("map(x / 255, y)", lambda ds: ds.map(lambda im, lb: (im / 255.0, lb))),
                ("unbatch().batch(5).take(1)", lambda ds: ds.unbatch().batch(5).take(1))]:
            pairs += _chain_pairs(name, chain(ours), chain(theirs))
        return pairs

    return Row("image dataset transformations", compute, rtol=0.0, atol=0.0,
               covers=("utils.image_dataset_from_directory",))


def dataset_ops_rows():
    rows = [_text_chain_row(i, case, TEXT_CHAINS, "(x, y)")
            for i, case in enumerate(TEXT_CASES)]
    rows.append(_text_chain_row(len(TEXT_CASES), dict(batch_size=4, shuffle=False,
                                                      label_mode=None),
                                NO_LABEL_CHAINS, "(x only)"))
    rows += [_shuffle_row(), _errors_row(), _series_row(), _image_row()]
    rows += [_vectorized_row(c) for c in VECTORIZE_CONFIGS]
    return rows
