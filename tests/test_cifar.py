"""keraslite.datasets.cifar10 / cifar100 on synthetic archives (no network).

Expected arrays are rebuilt in each test straight from the fixture's pickles
(read with the plain unpickler, which is safe on files the test wrote).
"""
import io
import os
import pickle
import shutil
import tarfile
import urllib.error
import urllib.request

import numpy as np
import pytest

import keraslite
from keraslite.datasets import cifar10, cifar100
from keraslite.datasets._common import DatasetFileError
from keraslite.utils.file_utils import DownloadError
from tests.cifar_fixtures import python2_pickle, write_cifar10, write_cifar100


@pytest.fixture
def no_network(monkeypatch):
    def fake_urlopen(url, *args, **kwargs):
        raise AssertionError(f"unexpected download of {url}")

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)


def _members(archive):
    with tarfile.open(archive) as tar:
        return {m.name.split("/")[-1]: pickle.loads(tar.extractfile(m).read(),
                                                    encoding="bytes")
                for m in tar.getmembers()}


def _images(batch):
    return batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def test_cifar10_from_the_archive(keraslite_home, no_network):
    raw = _members(write_cifar10(keraslite_home, per_batch=7, num_test=4))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    names = [f"data_batch_{i}" for i in range(1, 6)]
    np.testing.assert_array_equal(x_train, np.concatenate([_images(raw[n]) for n in names]))
    np.testing.assert_array_equal(y_train[:, 0], sum((raw[n][b"labels"] for n in names), []))
    np.testing.assert_array_equal(x_test, _images(raw["test_batch"]))
    np.testing.assert_array_equal(y_test[:, 0], raw["test_batch"][b"labels"])
    assert (x_train.shape, x_test.shape, y_train.shape, y_test.shape) == (
        (35, 32, 32, 3), (4, 32, 32, 3), (35, 1), (4, 1))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_label_modes(keraslite_home, no_network, label_mode):
    raw = _members(write_cifar100(keraslite_home, num_train=9, num_test=5))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    key = f"{label_mode}_labels".encode()
    np.testing.assert_array_equal(x_train, _images(raw["train"]))
    np.testing.assert_array_equal(y_train[:, 0], raw["train"][key])
    np.testing.assert_array_equal(y_test[:, 0], raw["test"][key])
    assert y_train.shape == (9, 1) and x_test.shape == (5, 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64


def test_cifar100_bad_label_mode():
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        cifar100.load_data(label_mode="medium")


def test_channels_first(keraslite_home, no_network):
    raw = _members(write_cifar10(keraslite_home, per_batch=2, num_test=2))
    keraslite.config.set_image_data_format("channels_first")
    try:
        (x_train, _), (x_test, _) = cifar10.load_data()
    finally:
        keraslite.config.set_image_data_format("channels_last")
    assert x_train.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(x_test, raw["test_batch"][b"data"].reshape(-1, 3, 32, 32))


def test_keras_cache_and_extracted_folder_are_read(keraslite_home, tmp_path, no_network):
    keras_home = tmp_path / "keras_home"
    write_cifar10(keras_home, per_batch=3, num_test=2)
    (from_archive, _), _ = cifar10.load_data()
    assert from_archive.shape == (15, 32, 32, 3)
    assert os.listdir(keraslite_home / "datasets") == []  # nothing copied or extracted
    # Keras's layout after its get_file(extract=True): the extracted folder.
    folder = keras_home / "datasets" / "cifar-10-batches-py-target"
    with tarfile.open(keras_home / "datasets" / "cifar-10-batches-py-target_archive") as tar:
        tar.extractall(folder)
    os.remove(keras_home / "datasets" / "cifar-10-batches-py-target_archive")
    (from_folder, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(from_folder, from_archive)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _archive_with(path, inner, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_malicious_pickle_is_refused(keraslite_home, tmp_path, no_network):
    marker = tmp_path / "pwned"
    archive = keraslite_home / "datasets" / "cifar-100-python-target_archive"
    evil = pickle.dumps({b"data": _Exploit(marker)}, protocol=4)
    _archive_with(archive, "cifar-100-python", {"train": evil, "test": evil})
    with pytest.raises(DatasetFileError, match=r"Refusing to deserialize `posix\.system`"):
        cifar100.load_data()
    assert not marker.exists()


@pytest.mark.parametrize("payload, problem", [
    ({b"data": np.zeros((2, 10), "uint8"), b"labels": [0, 1]}, "'data' is not a uint8 array"),
    ({b"data": np.zeros((2, 3072), "uint8"), b"labels": [0]}, "'labels' is not a list of 2 ints"),
    ({b"data": np.zeros((2, 3072), "float32"), b"labels": [0, 1]}, "'data' is not a uint8"),
    ([1, 2], "is not a dict"),
])
def test_bad_batches_are_named(keraslite_home, no_network, payload, problem):
    good = {f"data_batch_{i}": python2_pickle(
        {b"data": np.zeros((1, 3072), "uint8"), b"labels": [3]}) for i in range(1, 6)}
    good["test_batch"] = python2_pickle(payload)
    _archive_with(keraslite_home / "datasets" / "cifar-10-batches-py-target_archive",
                  "cifar-10-batches-py", good)
    with pytest.raises(DatasetFileError, match="cifar-10-batches-py/test_batch") as info:
        cifar10.load_data()
    assert problem in str(info.value)


def test_broken_archives_are_named(keraslite_home, no_network):
    archive = keraslite_home / "datasets" / "cifar-10-batches-py-target_archive"
    archive.write_text("<html>Not Found</html>")
    with pytest.raises(DatasetFileError, match="not a readable tar archive") as info:
        cifar10.load_data()
    assert str(archive) in str(info.value)
    _archive_with(archive, "cifar-10-batches-py", {"data_batch_1": b""})
    with pytest.raises(DatasetFileError, match="no member cifar-10-batches-py/data_batch_2"):
        cifar10.load_data()


def test_offline_error_names_keras_url_and_hash(keraslite_home, monkeypatch):
    def fake_urlopen(url, *args, **kwargs):
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(DownloadError) as info:
        cifar10.load_data()
    message = str(info.value)
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in message
    assert "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce" in message
    assert str(keraslite_home / "datasets" / "cifar-10-batches-py-target_archive") in message
    shutil.rmtree(keraslite_home / "datasets", ignore_errors=True)
