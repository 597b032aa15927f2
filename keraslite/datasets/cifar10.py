"""CIFAR10 small images classification dataset."""
import numpy as np

from keraslite.datasets import cifar

_DIRNAME = "cifar-10-batches-py-target"
_INNER = "cifar-10-batches-py"
_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Loads the CIFAR10 dataset.

    50,000 32x32 color training images and 10,000 test images, labeled over
    10 categories (airplane, automobile, bird, cat, deer, dog, frog, horse,
    ship, truck). Found in Keras's cache layout
    (`~/.keraslite/datasets/cifar-10-batches-py-target/`, or its archive
    `cifar-10-batches-py-target_archive`, then the same under
    `~/.keras/datasets`), else downloaded.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`; `x`
        uint8 `(num_samples, 32, 32, 3)` (`(num_samples, 3, 32, 32)` with
        `channels_first`), `y` uint8 `(num_samples, 1)` in range 0-9.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (50000, 32, 32, 3)
    """
    members = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    raw = cifar.read_batches(_DIRNAME, _INNER, members, _ORIGIN, _HASH)
    parts = [cifar.parse_batch(data, "labels", f"{_INNER}/{name}")
             for data, name in zip(raw, members)]
    x_train = np.concatenate([x for x, _ in parts[:5]]).astype("uint8")
    y_train = np.concatenate([np.asarray(y, "uint8") for _, y in parts[:5]])
    x_test, y_test = parts[5]
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test), (len(y_test), 1))
    x_train = cifar.to_image_format(x_train)
    x_test = cifar.to_image_format(x_test)
    x_test = x_test.astype(x_train.dtype)
    y_test = y_test.astype(y_train.dtype)
    return (x_train, y_train), (x_test, y_test)
