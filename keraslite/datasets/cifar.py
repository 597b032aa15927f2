"""Reading the pickled CIFAR batches (shared by cifar10 and cifar100).

Each batch file is a pickled dict (`b"data"`: uint8 array `(n, 3072)`,
labels as lists of ints). It is read with `npz_utils.RestrictedUnpickler`,
which resolves only NumPy's array-rebuilding globals, so a tampered file
cannot run code; the dict's contents are then checked.

The batches are read from Keras's cache layout: the folder that Keras's
`get_file(..., extract=True)` makes (`datasets/<dirname>/<inner>/`), or
straight from the downloaded archive (`datasets/<dirname>_archive`, a
`.tar.gz`), in the keraslite cache first, then in the Keras cache. Only
when neither is there is the archive downloaded (hash checked) and
extracted, as Keras does.
"""
import io
import os
import pickle

import numpy as np

from keraslite.datasets import _common
from keraslite.datasets.npz_utils import RestrictedUnpickler
from keraslite.utils import file_utils


def parse_batch(data, label_key, name):
    """`(data (n, 3, 32, 32) uint8, labels list)` from a pickled batch.

    Raises:
        DatasetFileError: The bytes are not a CIFAR batch (or ask for any
            global other than NumPy's array rebuilders); the message names
            `name`.
    """
    try:
        d = RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError,
            AttributeError, IndexError) as e:
        raise _common.DatasetFileError(
            f"The CIFAR batch {name} could not be read: {e}"
        ) from None
    if not isinstance(d, dict) or not all(isinstance(k, bytes) for k in d):
        raise _common.DatasetFileError(
            f"The CIFAR batch {name} is not a dict with bytes keys."
        )
    d = {k.decode("utf8"): v for k, v in d.items()}
    problem = None
    images, labels = d.get("data"), d.get(label_key)
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or \
            images.ndim != 2 or images.shape[1] != 3 * 32 * 32:
        problem = "'data' is not a uint8 array of shape (n, 3072)"
    elif not isinstance(labels, list) or len(labels) != len(images) or \
            not all(type(v) is int for v in labels):
        problem = f"'{label_key}' is not a list of {len(images)} ints"
    if problem:
        raise _common.DatasetFileError(f"The CIFAR batch {name} is not usable: {problem}.")
    return images.reshape(images.shape[0], 3, 32, 32), labels


def read_batches(dirname, inner, members, origin, file_hash):
    """The bytes of each of `members` (file names inside `inner`)."""
    for root in file_utils.cache_locations(dirname):
        folder = os.path.join(root, inner)
        if all(os.path.isfile(os.path.join(folder, m)) for m in members):
            out = []
            for m in members:
                with open(os.path.join(folder, m), "rb") as f:
                    out.append(f.read())
            return out
        archive = f"{root}_archive"
        if os.path.isfile(archive):
            return _read_from_archive(archive, inner, members, origin, file_hash)
    path = file_utils.get_file(fname=dirname, origin=origin, extract=True,
                               file_hash=file_hash)
    return read_batches(os.path.basename(path), inner, members, origin, file_hash)


def _read_from_archive(archive, inner, members, origin, file_hash):
    import tarfile

    wanted = {f"{inner}/{m}": m for m in members}
    found = {}
    try:
        # One sequential pass: seeking back in a .tar.gz decompresses again.
        with tarfile.open(archive, "r|*") as tar:
            for info in tar:
                if info.name in wanted and info.isfile():
                    found[wanted[info.name]] = tar.extractfile(info).read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise _common.broken(archive, f"it is not a readable tar archive ({e})",
                             origin, file_hash) from None
    for m in members:
        if m not in found:
            raise _common.broken(archive, f"it has no member {inner}/{m}",
                                 origin, file_hash)
    return [found[m] for m in members]


def to_image_format(x):
    """`(n, 3, 32, 32)` as the global image data format wants it."""
    from keraslite import backend

    if backend.image_data_format() == "channels_last":
        return x.transpose(0, 2, 3, 1)
    return x
