"""Global numeric settings and the random number generator.

keraslite computes in float32 end to end, like Keras's default policy.
"""
import os
import random

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_rng = np.random.default_rng()


def floatx():
    """Returns the default float type as a string ("float32")."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float type ("float16", "float32" or "float64")."""
    if value not in ("float16", "float32", "float64"):
        raise ValueError(
            "Unknown `floatx` value: "
            f"{value}. Expected one of 'float16', 'float32', 'float64'."
        )
    global _FLOATX
    _FLOATX = str(value)


def epsilon():
    """Returns the fuzz factor used in numeric expressions (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """The default layout of image data: "channels_last" (as Keras on CPU)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image layout: "channels_last" or "channels_first"."""
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', "
            f"'channels_last'}}. Received: data_format={data_format}"
        )
    global _IMAGE_DATA_FORMAT
    _IMAGE_DATA_FORMAT = data_format


def backend():
    """The name of the backend: "numpy"."""
    return "numpy"


def rng():
    """Returns keraslite's global `numpy.random.Generator`."""
    return _rng


def make_rng(seed=None):
    """A generator for one draw: seeded when `seed` is given, else global."""
    if seed is None:
        return _rng
    return np.random.default_rng(seed)


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's legacy RNG and keraslite's RNG.

    After this call, building, initialising and training a model (dropout,
    shuffling) is reproducible.

    Args:
        seed: Integer seed.
    """
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed} (of type {type(seed)})"
        )
    global _rng
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    _rng = np.random.default_rng(seed)


def clear_session():
    """Resets automatic names (`dense`, `dense_1`, ...) as Keras does."""
    from keraslite.utils import naming

    naming.clear_session()
