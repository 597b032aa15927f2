"""Fixtures shared by tests/ and compat_tests/."""
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# Keep TensorFlow quiet and on the CPU in compat_tests/.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")


def shared_datasets_dir():
    """The offline dataset folder: $KERASLITE_SHARED_DATASETS or ../shared/datasets."""
    env = os.environ.get("KERASLITE_SHARED_DATASETS")
    return Path(env) if env else ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def mnist_npz_path():
    """Path of the offline MNIST copy (see ../shared/datasets/README.md)."""
    path = shared_datasets_dir() / "mnist.npz"
    if not path.exists():
        pytest.fail(
            f"The offline MNIST copy is missing at {path}; set "
            "KERASLITE_SHARED_DATASETS to the folder holding mnist.npz."
        )
    return path


@pytest.fixture
def keraslite_home(tmp_path, monkeypatch):
    """An empty KERASLITE_HOME (and KERAS_HOME) for one test."""
    home = tmp_path / "keraslite_home"
    (home / "datasets").mkdir(parents=True)
    monkeypatch.setenv("KERASLITE_HOME", str(home))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return home


@pytest.fixture
def mnist_cached(keraslite_home, mnist_npz_path):
    """KERASLITE_HOME with the offline MNIST copy placed in its cache."""
    shutil.copy(mnist_npz_path, keraslite_home / "datasets" / "mnist.npz")
    return keraslite_home
