"""MNIST handwritten digits dataset."""
from keraslite.datasets import _common

_ORIGIN = _common.ORIGIN_FOLDER + "mnist.npz"
_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_SPEC = {
    "x_train": ("uint8", (None, 28, 28)),
    "y_train": ("uint8", (None,)),
    "x_test": ("uint8", (None, 28, 28)),
    "y_test": ("uint8", (None,)),
}


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset.

    60,000 28x28 grayscale images of the 10 digits, and a test set of
    10,000 images. The file is looked up in the keraslite cache
    (`$KERASLITE_HOME/datasets`), then in the Keras cache
    (`$KERAS_HOME/datasets`), and downloaded if in neither.

    Args:
        path: File name in the cache (`~/.keraslite/datasets/mnist.npz`).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`, with
        `x` of shape `(num_samples, 28, 28)` and `y` of shape
        `(num_samples,)`, all `uint8`.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (60000, 28, 28)

    License: MNIST is by Yann LeCun and Corinna Cortes, made available under
    the Creative Commons Attribution-Share Alike 3.0 license.
    """
    path = _common.fetch(path, _ORIGIN, _HASH)
    f = _common.load_npz_checked(
        path, _SPEC, _ORIGIN, _HASH,
        same_length=[("x_train", "y_train"), ("x_test", "y_test")],
    )
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
