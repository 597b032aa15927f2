"""Fashion-MNIST dataset."""
import gzip
import os

import numpy as np

from keraslite.datasets import _common

_FILES = [
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
]
# IDX magic numbers: unsigned bytes, 1 dimension (labels) or 3 (images).
_LABELS_MAGIC = 2049
_IMAGES_MAGIC = 2051


def load_data():
    """Loads the Fashion-MNIST dataset.

    60,000 28x28 grayscale images of 10 fashion categories, and a test set
    of 10,000 images; a drop-in replacement for MNIST. Labels: 0 T-shirt/top,
    1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
    8 Bag, 9 Ankle boot. The four `.gz` files are cached in
    `$KERASLITE_HOME/datasets/fashion-mnist` (or reused from
    `$KERAS_HOME/datasets/fashion-mnist`).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`, with
        `x` of shape `(num_samples, 28, 28)` and `y` of shape
        `(num_samples,)`, all `uint8`.

    License: Fashion-MNIST is copyright Zalando SE, under the MIT license.
    """
    dirname = os.path.join("datasets", "fashion-mnist")
    base = _common.ORIGIN_FOLDER

    paths = []
    for fname in _FILES:
        paths.append(_common.fetch(fname, base + fname, None, cache_subdir=dirname))

    y_train = np.frombuffer(_read_idx(paths[0], base + _FILES[0], _LABELS_MAGIC), np.uint8, offset=8)
    x_train = np.frombuffer(_read_idx(paths[1], base + _FILES[1], _IMAGES_MAGIC), np.uint8, offset=16)
    y_test = np.frombuffer(_read_idx(paths[2], base + _FILES[2], _LABELS_MAGIC), np.uint8, offset=8)
    x_test = np.frombuffer(_read_idx(paths[3], base + _FILES[3], _IMAGES_MAGIC), np.uint8, offset=16)
    for x, y, i in ((x_train, y_train, 1), (x_test, y_test, 3)):
        if x.size != len(y) * 28 * 28:
            raise _common.broken(
                paths[i], f"it holds {x.size // 784} images but {paths[i - 1]} "
                f"holds {len(y)} labels", base + _FILES[i], None,
            )
    x_train = x_train.reshape(len(y_train), 28, 28)
    x_test = x_test.reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path, origin, magic):
    """The bytes of a gzipped IDX file, after checking its header."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise _common.broken(path, f"it is not a readable gzip file ({e})", origin, None) from e
    header_size = 8 if magic == _LABELS_MAGIC else 16
    if len(data) < header_size:
        raise _common.broken(path, "it is too short to be an IDX file", origin, None)
    header = np.frombuffer(data, ">u4", count=header_size // 4)
    if header[0] != magic:
        kind = "labels" if magic == _LABELS_MAGIC else "images"
        raise _common.broken(
            path, f"its IDX magic number is {header[0]}, expected {magic} ({kind})",
            origin, None,
        )
    count = int(header[1])
    if magic == _IMAGES_MAGIC and tuple(header[2:]) != (28, 28):
        raise _common.broken(
            path, f"its images are {tuple(int(d) for d in header[2:])}, expected (28, 28)",
            origin, None,
        )
    expected = header_size + count * (1 if magic == _LABELS_MAGIC else 28 * 28)
    if count == 0 or len(data) != expected:
        raise _common.broken(
            path, f"it holds {len(data)} bytes, but its header announces "
            f"{count} items ({expected} bytes)", origin, None,
        )
    return data
