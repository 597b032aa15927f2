"""Synthetic dataset files in the exact on-disk format Keras downloads.

Each `write_*` function takes a cache root (the folder `$KERASLITE_HOME` or
`$KERAS_HOME` points to) and writes the dataset's files under
`<cache_dir>/datasets/`, with the canonical file names, keys, dtypes and
encodings, so that `keraslite.datasets.*.load_data()` (and real Keras's
loaders) read them as they would the real files. The data is small, random
and seeded, with a learnable signal so that examples train to something.

Example:

    from tests.dataset_fixtures import write_imdb
    write_imdb(os.environ["KERASLITE_HOME"], num_samples=2000, vocab=5000)
    (x_train, y_train), _ = keraslite.datasets.imdb.load_data(num_words=1000)
"""
import gzip
import json
import os

import numpy as np

__all__ = [
    "datasets_dir",
    "write_all",
    "write_boston",
    "write_fashion_mnist",
    "write_imdb",
    "write_mnist",
    "write_reuters",
]


def datasets_dir(cache_dir, subdir=None):
    """`<cache_dir>/datasets[/subdir]`, created if missing."""
    path = os.path.join(os.fspath(cache_dir), "datasets", *([subdir] if subdir else []))
    os.makedirs(path, exist_ok=True)
    return path


def _object_array(sequences):
    """A 1-D object array of lists of plain Python ints (what Keras's files hold)."""
    array = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        array[i] = [int(w) for w in seq]
    return array


def _sequences(rng, labels, num_classes, vocab, min_length, max_length):
    """Word-index sequences (1..vocab, Zipf-like frequencies) with a class signal.

    Index `i` is the i-th most frequent word, as in the real files. Each
    class owns a band of mid-frequency "topic" words that its sequences use
    more often, so a bag-of-words model can learn the labels.
    """
    ranks = np.arange(1, vocab + 1)
    p = 1.0 / ranks
    p /= p.sum()
    band = max(1, min(20, vocab // (2 * num_classes)))
    lengths = rng.integers(min_length, max_length + 1, size=len(labels))
    words = rng.choice(ranks, size=int(lengths.sum()), p=p)
    owner = np.repeat(np.asarray(labels), lengths)
    topical = rng.random(len(words)) < 0.15
    start = np.minimum(10 + owner * band, vocab - band)
    words[topical] = start[topical] + rng.integers(0, band, size=int(topical.sum())) + 1
    ends = np.cumsum(lengths)
    return [chunk.tolist() for chunk in np.split(words, ends[:-1])]


def _write_word_index(path, vocab):
    word_index = {f"word{i}": i for i in range(1, vocab + 1)}
    with open(path, "w") as f:
        json.dump(word_index, f)


def write_imdb(cache_dir, num_samples=500, vocab=2000, min_length=5,
               max_length=120, seed=0, word_index=True):
    """Writes `imdb.npz` (and `imdb_word_index.json`) into `cache_dir/datasets`.

    Format: keys `x_train`, `y_train`, `x_test`, `y_test`; `x_*` are 1-D
    object arrays of lists of Python ints in `[1, vocab]` (frequency ranks),
    `y_*` int64 arrays of 0/1 labels.

    Args:
        cache_dir: Cache root (the folder `KERASLITE_HOME` points to).
        num_samples: Reviews per split (the real file has 25,000).
        vocab: Number of distinct words (the real file has 88,585).
        min_length, max_length: Range of review lengths, in words.
        seed: Seed of the generator.
        word_index: Also write `imdb_word_index.json` (`{"word<i>": i}`).

    Returns:
        Path of the `.npz` file.
    """
    rng = np.random.default_rng(seed)
    arrays = {}
    for split in ("train", "test"):
        labels = rng.integers(0, 2, size=num_samples)
        seqs = _sequences(rng, labels, 2, vocab, min_length, max_length)
        arrays[f"x_{split}"] = _object_array(seqs)
        arrays[f"y_{split}"] = labels.astype("int64")
    folder = datasets_dir(cache_dir)
    path = os.path.join(folder, "imdb.npz")
    np.savez(path, **arrays)
    if word_index:
        _write_word_index(os.path.join(folder, "imdb_word_index.json"), vocab)
    return path


def write_reuters(cache_dir, num_samples=1000, vocab=3000, num_classes=46,
                  min_length=5, max_length=150, seed=0, word_index=True):
    """Writes `reuters.npz` (and `reuters_word_index.json`) into `cache_dir/datasets`.

    Format: keys `x` (1-D object array of lists of Python ints in
    `[1, vocab]`) and `y` (int64 topic indexes in `[0, num_classes)`);
    the loader splits them with `test_split`.

    Args:
        cache_dir: Cache root (the folder `KERASLITE_HOME` points to).
        num_samples: Newswires in total (the real file has 11,228).
        vocab: Number of distinct words (the real file has 30,979).
        num_classes: Number of topics (46 in the real file).
        min_length, max_length: Range of newswire lengths, in words.
        seed: Seed of the generator.
        word_index: Also write `reuters_word_index.json` (`{"word<i>": i}`).

    Returns:
        Path of the `.npz` file.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, size=num_samples)
    seqs = _sequences(rng, labels, num_classes, vocab, min_length, max_length)
    folder = datasets_dir(cache_dir)
    path = os.path.join(folder, "reuters.npz")
    np.savez(path, x=_object_array(seqs), y=labels.astype("int64"))
    if word_index:
        _write_word_index(os.path.join(folder, "reuters_word_index.json"), vocab)
    return path


def write_boston(cache_dir, num_samples=506, seed=0):
    """Writes `boston_housing.npz` into `cache_dir/datasets`.

    Format: keys `x` (float64, `(num_samples, 13)`, non-negative features
    of varied scales) and `y` (float64, `(num_samples,)`, prices in k$
    between 5 and 50, a noisy linear function of `x`).

    Returns:
        Path of the file.
    """
    rng = np.random.default_rng(seed)
    scales = np.array([5, 20, 10, 1, 0.5, 6, 70, 4, 10, 400, 18, 350, 12], dtype="float64")
    x = rng.random((num_samples, 13)) * scales
    w = rng.normal(size=13) / scales
    y = 22.5 + 6.0 * (x - scales / 2) @ w + rng.normal(scale=2.0, size=num_samples)
    y = np.clip(y, 5.0, 50.0)
    path = os.path.join(datasets_dir(cache_dir), "boston_housing.npz")
    np.savez(path, x=x.astype("float64"), y=y.astype("float64"))
    return path


def _images(rng, num_samples, num_classes=10):
    """uint8 28x28 images: one blurred template per class plus noise."""
    templates = rng.random((num_classes, 28, 28)) ** 3 * 255
    labels = rng.integers(0, num_classes, size=num_samples).astype("uint8")
    noise = rng.normal(scale=40, size=(num_samples, 28, 28))
    images = np.clip(templates[labels] + noise, 0, 255).astype("uint8")
    return images, labels


def write_mnist(cache_dir, num_train=1000, num_test=200, seed=0, fname="mnist.npz"):
    """Writes `mnist.npz` into `cache_dir/datasets`.

    Format: keys `x_train`, `y_train`, `x_test`, `y_test`, all uint8;
    `x_*` of shape `(n, 28, 28)`, `y_*` of shape `(n,)` with digits 0-9.

    Returns:
        Path of the file.
    """
    rng = np.random.default_rng(seed)
    x_train, y_train = _images(rng, num_train)
    x_test, y_test = _images(rng, num_test)
    path = os.path.join(datasets_dir(cache_dir), fname)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def _idx_bytes(array):
    """The IDX encoding of a uint8 array: magic (0x08 = ubyte, ndim), dims, data."""
    header = np.array([0x0800 + array.ndim, *array.shape], dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype="uint8").tobytes()


def write_fashion_mnist(cache_dir, num_train=1000, num_test=200, seed=0):
    """Writes the four Fashion-MNIST `.gz` files into `cache_dir/datasets/fashion-mnist`.

    Format: gzipped IDX files `train-labels-idx1-ubyte.gz`,
    `train-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`,
    `t10k-images-idx3-ubyte.gz` (8-byte header for labels, 16-byte header
    for 28x28 images, then uint8 data).

    Returns:
        The folder holding the files.
    """
    rng = np.random.default_rng(seed)
    x_train, y_train = _images(rng, num_train)
    x_test, y_test = _images(rng, num_test)
    folder = datasets_dir(cache_dir, "fashion-mnist")
    files = {
        "train-labels-idx1-ubyte.gz": y_train,
        "train-images-idx3-ubyte.gz": x_train,
        "t10k-labels-idx1-ubyte.gz": y_test,
        "t10k-images-idx3-ubyte.gz": x_test,
    }
    for name, array in files.items():
        with gzip.open(os.path.join(folder, name), "wb") as f:
            f.write(_idx_bytes(array))
    return folder


def write_all(cache_dir, seed=0):
    """Writes every dataset above with its defaults; returns `cache_dir/datasets`."""
    write_mnist(cache_dir, seed=seed)
    write_fashion_mnist(cache_dir, seed=seed)
    write_imdb(cache_dir, seed=seed)
    write_reuters(cache_dir, seed=seed)
    write_boston(cache_dir, seed=seed)
    return datasets_dir(cache_dir)
