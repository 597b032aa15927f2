"""keraslite.datasets: cached files, structural checks, safe unpickling, loader semantics."""
import gzip
import json
import os
import pickle
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile

import numpy as np
import pytest

from keraslite.datasets import boston_housing, fashion_mnist, imdb, mnist, npz_utils, reuters
from keraslite.datasets._common import DatasetFileError
from keraslite.utils.file_utils import DownloadError
from tests import dataset_fixtures as fx


@pytest.fixture
def no_network(monkeypatch):
    """Fails the test if anything tries to download."""

    def fake_urlopen(url, *args, **kwargs):
        raise AssertionError(f"unexpected download of {url}")

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)


@pytest.fixture
def offline(monkeypatch):
    def fake_urlopen(url, *args, **kwargs):
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)


# MNIST from the offline copy ----------------------------------------------


def test_mnist_from_cache(mnist_cached, mnist_npz_path, no_network):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    # Well-known facts of MNIST, independent of the copy.
    assert y_train[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]
    assert y_test[:8].tolist() == [7, 2, 1, 0, 4, 1, 4, 9]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_test.max() == 255 and x_test.min() == 0
    assert abs(x_train.mean() - 33.32) < 0.05
    with np.load(mnist_npz_path) as f:
        for key, value in zip(["x_train", "y_train", "x_test", "y_test"],
                              [x_train, y_train, x_test, y_test]):
            np.testing.assert_array_equal(value, f[key])


def test_mnist_reuses_the_keras_cache(keraslite_home, mnist_npz_path, tmp_path, no_network):
    keras_datasets = tmp_path / "keras_home" / "datasets"
    keras_datasets.mkdir(parents=True)
    shutil.copy(mnist_npz_path, keras_datasets / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and y_test.shape == (10000,)
    assert os.listdir(keraslite_home / "datasets") == []  # read in place, not copied


def test_keraslite_cache_comes_before_keras_cache(keraslite_home, mnist_npz_path, tmp_path, no_network):
    keras_datasets = tmp_path / "keras_home" / "datasets"
    keras_datasets.mkdir(parents=True)
    shutil.copy(mnist_npz_path, keras_datasets / "mnist.npz")
    fx.write_mnist(keraslite_home, num_train=30, num_test=7)
    (x_train, _), (x_test, _) = mnist.load_data()
    assert x_train.shape == (30, 28, 28) and x_test.shape == (7, 28, 28)


def test_path_argument_names_another_cache_file(keraslite_home, no_network):
    fx.write_mnist(keraslite_home, num_train=12, num_test=3, fname="mnist_small.npz")
    (x_train, _), _ = mnist.load_data(path="mnist_small.npz")
    assert x_train.shape == (12, 28, 28)
    with pytest.raises(ValueError, match="fname"):
        mnist.load_data(path=os.path.join("sub", "mnist.npz"))


# Broken cached files ------------------------------------------------------


def _npz(path, **arrays):
    np.savez(path, **arrays)


def _good_mnist(n=5):
    x = np.zeros((n, 28, 28), "uint8")
    y = np.zeros((n,), "uint8")
    return dict(x_train=x, y_train=y, x_test=x, y_test=y)


def _write_text(path, text="<html>Not Found</html>"):
    with open(path, "w") as f:
        f.write(text)


def _broken_mnist(kind):
    def write(path):
        arrays = _good_mnist()
        if kind == "text":
            return _write_text(path)
        if kind == "truncated":
            _npz(path, **arrays)
            data = open(path, "rb").read()
            return open(path, "wb").write(data[: len(data) // 2])
        if kind == "missing":
            del arrays["y_test"]
        if kind == "shape":
            arrays["x_train"] = np.zeros((5, 32, 32), "uint8")
        if kind == "dtype":
            arrays["x_test"] = arrays["x_test"].astype("float32")
        if kind == "length":
            arrays["y_train"] = np.zeros((4,), "uint8")
        if kind == "empty":
            arrays["x_train"] = np.zeros((0, 28, 28), "uint8")
            arrays["y_train"] = np.zeros((0,), "uint8")
        _npz(path, **arrays)

    return write


def _seqs(*seqs):
    array = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        array[i] = s
    return array


def _broken_imdb(kind):
    def write(path):
        x = _seqs([1, 2, 3], [4, 5])
        y = np.array([0, 1])
        if kind == "not_lists":
            x = _seqs((1, 2, 3), (4, 5))
        if kind == "float_words":
            x = _seqs([1.5, 2.0], [4.0])
        if kind == "float_labels":
            y = np.array([0.0, 1.0])
        if kind == "numeric_x":
            x = np.array([[1, 2], [3, 4]])
        _npz(path, x_train=x, y_train=y, x_test=x, y_test=y)

    return write


def _broken_boston(kind):
    def write(path):
        x, y = np.ones((10, 13)), np.ones(10)
        if kind == "columns":
            x = np.ones((10, 12))
        if kind == "int_targets":
            y = np.ones(10, dtype="int64")
        _npz(path, x=x, y=y)

    return write


BROKEN = [
    # (loader, file name, writer, words the error must contain)
    (mnist.load_data, "mnist.npz", _broken_mnist("text"), "not a zip/npz archive"),
    (mnist.load_data, "mnist.npz", _broken_mnist("truncated"), "not a zip/npz archive"),
    (mnist.load_data, "mnist.npz", _broken_mnist("missing"), "missing keys ['y_test']"),
    (mnist.load_data, "mnist.npz", _broken_mnist("shape"), "'x_train' has shape (5, 32, 32), expected (N, 28, 28)"),
    (mnist.load_data, "mnist.npz", _broken_mnist("dtype"), "'x_test' has dtype float32, expected uint8"),
    (mnist.load_data, "mnist.npz", _broken_mnist("length"), "'x_train' has 5 samples but 'y_train' has 4"),
    (mnist.load_data, "mnist.npz", _broken_mnist("empty"), "'x_train' is empty"),
    (imdb.load_data, "imdb.npz", _broken_imdb("not_lists"), "'x_train[0]' is a tuple, expected a list of ints"),
    (imdb.load_data, "imdb.npz", _broken_imdb("float_words"), "'x_train[0]' holds values that are not ints"),
    (imdb.load_data, "imdb.npz", _broken_imdb("float_labels"), "'y_train' has dtype float64, expected an integer dtype"),
    (imdb.load_data, "imdb.npz", _broken_imdb("numeric_x"), "'x_train' has dtype int64, expected object"),
    (reuters.load_data, "reuters.npz", _write_text, "not a zip/npz archive"),
    (boston_housing.load_data, "boston_housing.npz", _broken_boston("columns"), "'x' has shape (10, 12), expected (N, 13)"),
    (boston_housing.load_data, "boston_housing.npz", _broken_boston("int_targets"), "'y' has dtype int64, expected a float dtype"),
    (imdb.get_word_index, "imdb_word_index.json", _write_text, "not valid JSON"),
    (reuters.get_word_index, "reuters_word_index.json", lambda p: _write_text(p, '["a", "b"]'), "not a JSON object mapping words to ints"),
]


@pytest.mark.parametrize("loader, fname, write, problem", BROKEN)
def test_broken_cached_file_is_named_with_its_fault(keraslite_home, no_network, loader, fname, write, problem):
    path = keraslite_home / "datasets" / fname
    write(str(path))
    with pytest.raises(DatasetFileError) as info:
        loader()
    message = str(info.value)
    assert str(path) in message
    assert problem in message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" + fname in message


def _fashion_files(folder, n=3, labels_magic=2049, images_magic=2051, image_count=None, dims=(28, 28)):
    labels = np.zeros(n, "uint8")
    images = np.zeros((n if image_count is None else image_count,) + dims, "uint8")
    for name, magic, array in [
        ("train-labels-idx1-ubyte.gz", labels_magic, labels),
        ("train-images-idx3-ubyte.gz", images_magic, images),
        ("t10k-labels-idx1-ubyte.gz", labels_magic, labels),
        ("t10k-images-idx3-ubyte.gz", images_magic, images),
    ]:
        header = np.array([magic, *array.shape], ">u4").tobytes()
        with gzip.open(os.path.join(folder, name), "wb") as f:
            f.write(header + array.tobytes())


@pytest.mark.parametrize("kwargs, broken_file, problem", [
    (dict(labels_magic=2051), "train-labels-idx1-ubyte.gz", "IDX magic number is 2051, expected 2049"),
    (dict(dims=(32, 32)), "train-images-idx3-ubyte.gz", "images are (32, 32), expected (28, 28)"),
    (dict(image_count=2), "train-images-idx3-ubyte.gz", "holds 2 images but"),
    ("not_gzip", "train-labels-idx1-ubyte.gz", "not a readable gzip file"),
])
def test_broken_fashion_mnist_files(keraslite_home, no_network, kwargs, broken_file, problem):
    folder = keraslite_home / "datasets" / "fashion-mnist"
    folder.mkdir()
    if kwargs == "not_gzip":
        _fashion_files(folder)
        _write_text(folder / broken_file)
    else:
        _fashion_files(folder, **kwargs)
    with pytest.raises(DatasetFileError) as info:
        fashion_mnist.load_data()
    assert str(folder / broken_file) in str(info.value)
    assert problem in str(info.value)


# Offline downloads --------------------------------------------------------


@pytest.mark.parametrize("loader, subdir, fname", [
    (mnist.load_data, "datasets", "mnist.npz"),
    (imdb.load_data, "datasets", "imdb.npz"),
    (imdb.get_word_index, "datasets", "imdb_word_index.json"),
    (reuters.load_data, "datasets", "reuters.npz"),
    (reuters.get_word_index, "datasets", "reuters_word_index.json"),
    (boston_housing.load_data, "datasets", "boston_housing.npz"),
    (fashion_mnist.load_data, os.path.join("datasets", "fashion-mnist"), "train-labels-idx1-ubyte.gz"),
])
def test_offline_error_says_where_to_place_the_file(keraslite_home, tmp_path, offline, loader, subdir, fname):
    with pytest.raises(DownloadError) as info:
        loader()
    message = str(info.value)
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" + fname in message
    assert str(keraslite_home / subdir / fname) in message
    assert str(tmp_path / "keras_home" / subdir / fname) in message
    assert os.listdir(keraslite_home / subdir) == []


def test_offline_error_for_mnist_gives_the_canonical_hash(keraslite_home, offline):
    with pytest.raises(DownloadError, match="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"):
        mnist.load_data()


# Restricted unpickling ----------------------------------------------------


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _object_member_npz(path, payload, member="x_train.npy", shape=(1,)):
    """An npz whose member is an object-array .npy header followed by `payload`."""
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "|O", "fortran_order": False, "shape": shape}
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, buffer.getvalue() + payload)


def test_restricted_unpickler_refuses_os_system(tmp_path, keraslite_home, no_network):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.npz"
    _object_member_npz(evil, pickle.dumps(_Exploit(marker), protocol=3))
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing to deserialize `posix\.system`"):
        npz_utils.load_npz(evil)
    assert not marker.exists()

    shutil.copy(evil, keraslite_home / "datasets" / "imdb.npz")
    with pytest.raises(DatasetFileError, match="Refusing to deserialize") as info:
        imdb.load_data()
    assert str(keraslite_home / "datasets" / "imdb.npz") in str(info.value)
    assert not marker.exists()


def test_restricted_unpickler_refuses_numpy_scalars_and_other_globals(tmp_path):
    path = tmp_path / "scalars.npz"
    np.savez(path, x=_seqs([np.int64(1), np.int64(2)]))
    with pytest.raises(pickle.UnpicklingError, match="scalar"):
        npz_utils.load_npz(path)
    _object_member_npz(path, pickle.dumps(_seqs(print), protocol=3), member="x.npy")
    with pytest.raises(pickle.UnpicklingError, match="builtins.print"):
        npz_utils.load_npz(path)


def test_object_arrays_of_lists_load_in_both_numpy_spellings(tmp_path):
    sequences = _seqs([1, 2, 3], [4], [5, 6])
    path = tmp_path / "new.npz"
    np.savez(path, x=sequences, y=np.arange(3))
    loaded = npz_utils.load_npz(path)
    assert loaded["x"].dtype == object and loaded["x"].tolist() == [[1, 2, 3], [4], [5, 6]]
    np.testing.assert_array_equal(loaded["y"], np.arange(3))

    # Files written by NumPy 1 name `numpy.core.multiarray._reconstruct`
    # (protocol 3, which NumPy 1 used, spells globals as text lines).
    payload = pickle.dumps(sequences, protocol=3)
    assert b"numpy._core.multiarray\n" in payload
    old = tmp_path / "old.npz"
    _object_member_npz(old, payload.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n"), member="x.npy", shape=(3,))
    assert npz_utils.load_npz(old)["x"].tolist() == [[1, 2, 3], [4], [5, 6]]


# Loader semantics on synthetic files (parity with Keras: compat_tests/) ---


def test_imdb_options(keraslite_home, no_network):
    fx.write_imdb(keraslite_home, num_samples=60, vocab=300, max_length=40)
    raw = npz_utils.load_npz(keraslite_home / "datasets" / "imdb.npz")
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.dtype == object and x_train.shape == (60,) and y_train.dtype == np.int64
    assert all(type(w) is int for s in x_train for w in s)
    # Shuffled with RandomState(113), then start_char + (index + 3); with
    # num_words=None, Keras's cut `w < max index` turns the largest into OOV.
    order = np.arange(60)
    np.random.RandomState(113).shuffle(order)
    top = max(max(s) for s in list(raw["x_train"]) + list(raw["x_test"])) + 3
    assert sum(w == top for s in x_train for w in s) == 0
    for got, i in zip(x_train, order):
        expected = [w + 3 for w in raw["x_train"][i]]
        assert got == [1] + [w if w < top else 2 for w in expected]
    np.testing.assert_array_equal(y_train, raw["y_train"][order])

    (x_train, _), (x_test, _) = imdb.load_data(num_words=50, skip_top=10, oov_char=2)
    words = [w for s in list(x_train) + list(x_test) for w in s[1:]]
    assert set(words) <= set(range(10, 50)) | {2}
    (x_train, _), _ = imdb.load_data(num_words=50, oov_char=None, start_char=None, index_from=0)
    assert all(0 <= w < 50 for s in x_train for w in s)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=20)
    assert all(len(s) < 20 for s in list(x_train) + list(x_test))
    assert len(x_train) == len(y_train) < 60
    with pytest.raises(ValueError, match="no sequence was kept"):
        imdb.load_data(maxlen=1)
    a, b = imdb.load_data(seed=1)[0][0], imdb.load_data(seed=2)[0][0]
    assert a.tolist() != b.tolist()


def test_reuters_split_and_labels(keraslite_home, no_network):
    fx.write_reuters(keraslite_home, num_samples=50, vocab=200, max_length=30)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(test_split=0.3)
    assert (len(x_train), len(x_test)) == (35, 15)
    assert y_train.dtype == np.int64 and set(y_train) | set(y_test) <= set(range(46))
    assert all(s[0] == 1 for s in x_train)
    (x_train, _), (x_test, _) = reuters.load_data(num_words=20)
    assert max(w for s in list(x_train) + list(x_test) for w in s) < 20
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and names[-1] == "lead"
    assert reuters.get_word_index()["word7"] == 7


def test_boston_split(keraslite_home, no_network):
    path = fx.write_boston(keraslite_home, num_samples=100)
    with np.load(path) as f:
        x, y = f["x"], f["y"]
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.25, seed=3)
    assert x_train.shape == (75, 13) and x_test.shape == (25, 13) and y_train.dtype == np.float64
    order = np.arange(100)
    np.random.RandomState(3).shuffle(order)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), x[order])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), y[order])
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match="Invalid `test_split`"):
            boston_housing.load_data(test_split=bad)


def test_fashion_mnist_from_synthetic_files(keraslite_home, no_network):
    fx.write_fashion_mnist(keraslite_home, num_train=40, num_test=10)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (40, 28, 28) and x_test.shape == (10, 28, 28)
    assert x_train.dtype == y_test.dtype == np.uint8
    assert set(y_train) <= set(range(10))


def test_imdb_word_index(keraslite_home, no_network):
    fx.write_imdb(keraslite_home, num_samples=5, vocab=30)
    word_index = imdb.get_word_index()
    assert len(word_index) == 30 and word_index["word1"] == 1
    with open(keraslite_home / "datasets" / "imdb_word_index.json") as f:
        assert json.load(f) == word_index


def test_importing_does_not_load_network_or_archive_modules():
    code = (
        "import sys, keraslite.datasets, keraslite.utils.file_utils; "
        "print(sorted(m for m in ('urllib.request', 'tarfile', 'h5py') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Served:
    """A fake `urlopen` serving files from a folder by their name in the URL."""

    def __init__(self, folder):
        self.folder = folder
        self.urls = []

    def __call__(self, url, *args, **kwargs):
        import io

        self.urls.append(url)
        data = open(os.path.join(self.folder, url.rsplit("/", 1)[1]), "rb").read()
        response = io.BytesIO(data)
        response.headers = {"Content-Length": str(len(data))}
        return response


def test_download_that_fails_the_hash_leaves_nothing(keraslite_home, tmp_path, monkeypatch):
    server = _Served(os.path.dirname(fx.write_mnist(tmp_path / "server", num_train=10, num_test=2)))
    monkeypatch.setattr(urllib.request, "urlopen", server)
    with pytest.raises(ValueError, match="Incomplete or corrupted file"):
        mnist.load_data()
    assert server.urls == ["https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"]
    assert os.listdir(keraslite_home / "datasets") == []


def test_fashion_mnist_download(keraslite_home, tmp_path, monkeypatch, capsys):
    server = _Served(fx.write_fashion_mnist(tmp_path / "server", num_train=20, num_test=5))
    monkeypatch.setattr(urllib.request, "urlopen", server)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (20, 28, 28) and y_test.shape == (5,)
    folder = keraslite_home / "datasets" / "fashion-mnist"
    assert sorted(os.listdir(folder)) == sorted(fashion_mnist._FILES)
    assert len(server.urls) == 4 and "Downloading data from" in capsys.readouterr().out
    fashion_mnist.load_data()  # now from the cache
    assert len(server.urls) == 4
