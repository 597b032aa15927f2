"""keraslite.datasets.cifar10/cifar100 vs Keras's loaders on the same archive.

The synthetic archives (tests/cifar_fixtures.py, the real files' format)
sit in one Keras cache; keraslite reads them through its Keras-cache reuse
(its own cache stays empty), Keras through its `get_file`, whose hash check
is dropped and whose download is made to fail the test (as in
test_datasets_compat.py). Keras's cifar10 assumes 10,000 images per
training batch, so that archive has them.
"""
import os

import numpy as np
import pytest

from compat_tests.test_datasets_compat import assert_same
from keraslite.datasets import cifar10, cifar100
from tests.cifar_fixtures import write_cifar10, write_cifar100

keras = pytest.importorskip("keras")
from keras.src.backend import config as keras_config  # noqa: E402
from keras.src.datasets import cifar10 as k_cifar10  # noqa: E402
from keras.src.datasets import cifar100 as k_cifar100  # noqa: E402
from keras.src.utils import file_utils as k_file_utils  # noqa: E402


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("keras_home")
    write_cifar10(root, per_batch=10000, num_test=300, seed=3)
    write_cifar100(root, num_train=400, num_test=120, seed=4)
    return root


@pytest.fixture
def both(shared_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "keraslite_home"))
    monkeypatch.setenv("KERAS_HOME", str(shared_cache))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(shared_cache))

    def no_download(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(k_file_utils, "urlretrieve", no_download)
    real_get_file = k_file_utils.get_file

    def cached_get_file(*args, **kwargs):
        kwargs["file_hash"] = None
        return real_get_file(*args, **kwargs)

    for module in (k_cifar10, k_cifar100):
        monkeypatch.setattr(module, "get_file", cached_get_file)
    yield
    assert not os.path.exists(tmp_path / "keraslite_home" / "datasets"
                              / "cifar-10-batches-py-target")


def test_cifar10_matches_keras(both):
    ours = cifar10.load_data()
    theirs = k_cifar10.load_data()
    assert_same(ours, theirs)
    assert ours[0][0].shape == (50000, 32, 32, 3)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(both, label_mode):
    assert_same(cifar100.load_data(label_mode), k_cifar100.load_data(label_mode))


def test_cifar100_bad_label_mode_matches_keras():
    with pytest.raises(ValueError) as theirs:
        k_cifar100.load_data("medium")
    with pytest.raises(ValueError) as ours:
        cifar100.load_data("medium")
    assert str(ours.value) == str(theirs.value)
