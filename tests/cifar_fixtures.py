"""Synthetic CIFAR archives in the exact format of the real downloads.

`write_cifar10` / `write_cifar100` write `<cache_dir>/datasets/
cifar-10-batches-py-target_archive` (`cifar-100-python-target_archive`):
a `.tar.gz` holding `cifar-10-batches-py/data_batch_1..5, test_batch,
batches.meta` (`cifar-100-python/train, test, meta`), each a protocol-2
pickle of a dict with bytes keys, as the originals (written by Python 2's
cPickle). This is where Keras's `get_file(..., extract=True)` keeps the
downloaded archive.
"""
import io
import os
import pickle
import tarfile

import struct

import numpy as np

from tests.dataset_fixtures import datasets_dir


class _Python2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 `str` opcodes (BINSTRING), as cPickle did.

    Python 3's protocol-2 pickles encode bytes as calls to
    `_codecs.encode`, which the real files never contain (and which a
    restricted unpickler rightly refuses).
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_bytes


def python2_pickle(obj):
    """`obj` pickled as the CIFAR files are (protocol 2, bytes as BINSTRING)."""
    buf = io.BytesIO()
    _Python2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def _images(rng, n, num_classes, labels):
    """uint8 (n, 3072) rows: a per-class colour plus noise (row-major RGB planes).

    The noise of each image repeats every 96 bytes, so that archives of the
    full 50,000 images stay small and quick to write.
    """
    base = (np.arange(num_classes)[:, None] * 37 + np.arange(3)[None, :] * 71) % 200
    planes = np.repeat(base[labels].astype("uint8"), 1024, axis=1)
    noise = np.tile(rng.integers(0, 56, (n, 96), dtype=np.uint8), 32)
    return planes + noise


def _add(tar, name, obj):
    data = python2_pickle(obj)
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def write_cifar10(cache_dir, per_batch=20, num_test=15, seed=0):
    """Writes a CIFAR-10 archive of 5 x `per_batch` training and `num_test` test images."""
    rng = np.random.default_rng(seed)
    path = os.path.join(datasets_dir(cache_dir), "cifar-10-batches-py-target_archive")
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        for i, name in enumerate(names):
            n = num_test if name == "test_batch" else per_batch
            labels = [int(v) for v in rng.integers(0, 10, n)]
            _add(tar, f"cifar-10-batches-py/{name}", {
                b"batch_label": f"batch {i}".encode(),
                b"labels": labels,
                b"data": _images(rng, n, 10, labels),
                b"filenames": [f"img_{i}_{j}.png".encode() for j in range(n)],
            })
        _add(tar, "cifar-10-batches-py/batches.meta", {
            b"num_cases_per_batch": per_batch,
            b"label_names": [f"class_{i}".encode() for i in range(10)],
            b"num_vis": 3072,
        })
    return path


def write_cifar100(cache_dir, num_train=60, num_test=20, seed=0):
    """Writes a CIFAR-100 archive (fine and coarse labels)."""
    rng = np.random.default_rng(seed)
    path = os.path.join(datasets_dir(cache_dir), "cifar-100-python-target_archive")
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, n in (("train", num_train), ("test", num_test)):
            fine = [int(v) for v in rng.integers(0, 100, n)]
            _add(tar, f"cifar-100-python/{name}", {
                b"filenames": [f"{name}_{j}.png".encode() for j in range(n)],
                b"batch_label": f"{name} batch".encode(),
                b"fine_labels": fine,
                b"coarse_labels": [v // 5 for v in fine],
                b"data": _images(rng, n, 100, fine),
            })
        _add(tar, "cifar-100-python/meta", {
            b"fine_label_names": [f"fine_{i}".encode() for i in range(100)],
            b"coarse_label_names": [f"coarse_{i}".encode() for i in range(20)],
        })
    return path
