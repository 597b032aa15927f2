"""keraslite.datasets vs real Keras's loaders, on the same synthetic files.

The files (tests/dataset_fixtures.py, in Keras's exact on-disk format) are
written into one temporary Keras cache. keraslite reads them from there
through its Keras-cache reuse (its own cache is empty); Keras reads them
through its own `get_file`, pointed at that cache. Keras would re-download a
cached file whose hash is not the canonical one, so its loaders get a
`get_file` that drops the hash, and its `urlretrieve` fails the test if
called: no test ever touches the network.
"""
import itertools
import os
import urllib.request

import numpy as np
import pytest

from tests import dataset_fixtures as fx

from keraslite.datasets import boston_housing, fashion_mnist, imdb, mnist, reuters

keras = pytest.importorskip("keras")
from keras.src.backend import config as keras_config  # noqa: E402
from keras.src.datasets import boston_housing as k_boston_housing  # noqa: E402
from keras.src.datasets import fashion_mnist as k_fashion_mnist  # noqa: E402
from keras.src.datasets import imdb as k_imdb  # noqa: E402
from keras.src.datasets import mnist as k_mnist  # noqa: E402
from keras.src.datasets import reuters as k_reuters  # noqa: E402
from keras.src.utils import file_utils as k_file_utils  # noqa: E402

KERAS_MODULES = [k_boston_housing, k_fashion_mnist, k_imdb, k_mnist, k_reuters]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """A Keras cache root holding every synthetic dataset."""
    return write_shared_cache(tmp_path_factory.mktemp("keras_home"))


def write_shared_cache(root):
    """Writes every synthetic dataset into the cache root `root`; returns it."""
    fx.write_all(root, seed=4)
    # Small, with short sequences so that maxlen filters some but not all.
    fx.write_imdb(root, num_samples=150, vocab=400, min_length=3, max_length=60, seed=5)
    fx.write_reuters(root, num_samples=230, vocab=500, min_length=3, max_length=60, seed=6)
    fx.write_boston(root, num_samples=97, seed=7)
    return root


@pytest.fixture
def both(shared_cache, tmp_path, monkeypatch):
    """Points keraslite (KERAS_HOME, empty KERASLITE_HOME) and Keras at the cache."""
    keras_paths = point_both_at(shared_cache, tmp_path / "empty_keraslite_home", monkeypatch)
    yield keras_paths
    # Keras read the shared cache, nothing else.
    assert all(p.startswith(str(shared_cache)) for p in keras_paths)
    assert not os.path.exists(tmp_path / "empty_keraslite_home" / "datasets" / "imdb.npz")


def point_both_at(shared_cache, keraslite_home, monkeypatch):
    """Points keraslite and Keras (without network) at `shared_cache`.

    Returns the list to which every path Keras's `get_file` returns is appended.
    """
    monkeypatch.setenv("KERASLITE_HOME", str(keraslite_home))
    monkeypatch.setenv("KERAS_HOME", str(shared_cache))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(shared_cache))

    def no_download(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(k_file_utils, "urlretrieve", no_download)
    monkeypatch.setattr(urllib.request, "urlopen", no_download)

    real_get_file = k_file_utils.get_file
    keras_paths = []

    def cached_get_file(*args, **kwargs):
        kwargs["file_hash"] = None
        kwargs["md5_hash"] = None
        path = real_get_file(*args, **kwargs)
        keras_paths.append(path)
        return path

    for module in KERAS_MODULES:
        monkeypatch.setattr(module, "get_file", cached_get_file)
    return keras_paths


def assert_same(ours, theirs):
    """Nested tuples of arrays: same dtype, shape and values (sequences compared as lists)."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
        return
    assert type(ours) is type(theirs) is np.ndarray
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if theirs.dtype == object:
        assert ours.tolist() == theirs.tolist()
        assert [type(w) for s in ours.ravel() for w in s] == [type(w) for s in theirs.ravel() for w in s]
    else:
        np.testing.assert_array_equal(ours, theirs)


def run_both(ours, theirs, **kwargs):
    """Calls both loaders; both must return the same or raise the same error."""
    try:
        expected = theirs(**kwargs)
    except ValueError as e:
        with pytest.raises(ValueError) as info:
            ours(**kwargs)
        assert str(info.value) == str(e)
        return None
    got = ours(**kwargs)
    assert_same(got, expected)
    return got


SEQUENCE_OPTIONS = list(itertools.product(
    [None, 40, 300],  # num_words
    [0, 7],  # skip_top
    [None, 25],  # maxlen
    [113, 1],  # seed
    [(1, 2, 3), (None, 2, 0), (None, None, 3), (2, None, 0), (0, 1, 5)],  # start, oov, index_from
))


@pytest.mark.parametrize("num_words, skip_top, maxlen, seed, chars", SEQUENCE_OPTIONS)
def test_imdb_matches_keras(both, num_words, skip_top, maxlen, seed, chars):
    start_char, oov_char, index_from = chars
    got = run_both(
        imdb.load_data, k_imdb.load_data, num_words=num_words, skip_top=skip_top,
        maxlen=maxlen, seed=seed, start_char=start_char, oov_char=oov_char,
        index_from=index_from,
    )
    assert got is not None


@pytest.mark.parametrize("num_words, skip_top, maxlen, seed, chars", SEQUENCE_OPTIONS)
@pytest.mark.parametrize("test_split", [0.2, 0.5])
def test_reuters_matches_keras(both, num_words, skip_top, maxlen, seed, chars, test_split):
    start_char, oov_char, index_from = chars
    got = run_both(
        reuters.load_data, k_reuters.load_data, num_words=num_words, skip_top=skip_top,
        maxlen=maxlen, test_split=test_split, seed=seed, start_char=start_char,
        oov_char=oov_char, index_from=index_from,
    )
    assert got is not None


@pytest.mark.parametrize("kwargs", [
    dict(maxlen=2),  # nothing kept: both raise the same ValueError
    dict(test_split=0.0),
    dict(num_words=10000, skip_top=100),
])
def test_edge_cases_match_keras(both, kwargs):
    if "test_split" not in kwargs:
        run_both(imdb.load_data, k_imdb.load_data, **kwargs)
    run_both(reuters.load_data, k_reuters.load_data, **kwargs)


@pytest.mark.parametrize("test_split", [0.0, 0.2, 0.33, 0.5, 0.99, 1.0, -0.5])
@pytest.mark.parametrize("seed", [113, 0, 42])
def test_boston_matches_keras(both, test_split, seed):
    run_both(boston_housing.load_data, k_boston_housing.load_data, test_split=test_split, seed=seed)


def test_images_match_keras(both):
    assert_same(mnist.load_data(), k_mnist.load_data())
    assert_same(fashion_mnist.load_data(), k_fashion_mnist.load_data())


def test_word_indexes_and_label_names_match_keras(both):
    assert imdb.get_word_index() == k_imdb.get_word_index()
    assert reuters.get_word_index() == k_reuters.get_word_index()
    assert reuters.get_label_names() == k_reuters.get_label_names()


def test_offline_mnist_copy_matches_keras(mnist_npz_path, tmp_path, monkeypatch):
    """The shared MNIST copy (not the canonical hash) reads the same in both."""
    datasets = tmp_path / "keras_home" / "datasets"
    datasets.mkdir(parents=True)
    os.symlink(mnist_npz_path, datasets / "mnist.npz")
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "keraslite_home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(tmp_path / "keras_home"))
    monkeypatch.setattr(k_file_utils, "urlretrieve", None)  # calling it would fail the test
    real_get_file = k_file_utils.get_file
    monkeypatch.setattr(k_mnist, "get_file", lambda **kw: real_get_file(**{**kw, "file_hash": None}))
    assert_same(mnist.load_data(), k_mnist.load_data())


def test_signatures_match_keras():
    import inspect

    pairs = [
        (mnist.load_data, k_mnist.load_data),
        (fashion_mnist.load_data, k_fashion_mnist.load_data),
        (imdb.load_data, k_imdb.load_data),
        (imdb.get_word_index, k_imdb.get_word_index),
        (reuters.load_data, k_reuters.load_data),
        (reuters.get_word_index, k_reuters.get_word_index),
        (reuters.get_label_names, k_reuters.get_label_names),
        (boston_housing.load_data, k_boston_housing.load_data),
    ]
    from keraslite.utils import file_utils

    pairs += [
        (file_utils.get_file, k_file_utils.get_file),
        (file_utils.hash_file, k_file_utils.hash_file),
        (file_utils.validate_file, k_file_utils.validate_file),
        (file_utils.extract_archive, k_file_utils.extract_archive),
    ]
    for ours, theirs in pairs:
        assert inspect.signature(ours) == inspect.signature(theirs), ours.__qualname__
