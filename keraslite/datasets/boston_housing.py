"""Boston Housing price regression dataset."""
import numpy as np

from keraslite.datasets import _common

_ORIGIN = _common.ORIGIN_FOLDER + "boston_housing.npz"
_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
_SPEC = {"x": ("f", (None, 13)), "y": ("f", (None,))}


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset.

    506 samples of 13 attributes of houses around Boston in the late 1970s;
    targets are median values in k$. **WARNING:** the dataset has an ethical
    problem (its variable "B"); use it only to illustrate such issues.

    Args:
        path: File name in the cache (`~/.keraslite/datasets`).
        test_split: Fraction of the data to reserve as test set.
        seed: Random seed for shuffling the data before the split.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`, with
        `x` of shape `(num_samples, 13)` and `y` of shape `(num_samples,)`.
    """
    if not (0 <= test_split < 1):
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. "
            "It must be between 0 and 1 (exclusive of 1)."
        )
    path = _common.fetch(path, _ORIGIN, _HASH)
    f = _common.load_npz_checked(path, _SPEC, _ORIGIN, _HASH, same_length=[("x", "y")])
    x = f["x"]
    y = f["y"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x = x[indices]
    y = y[indices]

    x_train = np.array(x[: int(len(x) * (1 - test_split))])
    y_train = np.array(y[: int(len(x) * (1 - test_split))])
    x_test = np.array(x[int(len(x) * (1 - test_split)) :])
    y_test = np.array(y[int(len(x) * (1 - test_split)) :])
    return (x_train, y_train), (x_test, y_test)
