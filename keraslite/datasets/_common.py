"""Pieces shared by the dataset loaders: finding the file, checking its structure."""
import os
import pickle
import zipfile

import numpy as np

from keraslite.datasets import npz_utils
from keraslite.utils import file_utils

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DatasetFileError(ValueError):
    """A cached dataset file is broken; the message names the file and the fault."""


def fetch(fname, origin, file_hash, cache_subdir="datasets"):
    """Path of a dataset file: a cached copy if there is one, else a download.

    A copy in the keraslite cache, then one in the Keras cache, is used as
    is, whatever its hash: mirrors and hand-placed copies (such as an offline
    MNIST) need not be byte-identical to the canonical file. The loaders
    check its structure instead. Only a download must match `file_hash`.
    """
    fname = file_utils.check_fname(fname, origin)
    for path in file_utils.cache_locations(fname, cache_subdir):
        if os.path.isfile(path):
            return path
    return file_utils.get_file(
        fname=fname, origin=origin, file_hash=file_hash, cache_subdir=cache_subdir
    )


def broken(path, problem, origin, file_hash):
    """The error for a cached file that cannot be used."""
    expected = f" (hash {file_hash})" if file_hash else ""
    return DatasetFileError(
        f"The dataset file {path} is not usable: {problem}. Delete it so that "
        f"it is downloaded again from {origin}, or replace it with a copy of "
        f"that file{expected}."
    )


def load_npz_checked(path, spec, origin, file_hash, same_length=()):
    """Loads an `.npz` dataset file and checks its keys, dtypes and shapes.

    Args:
        path: The file.
        spec: `{key: (dtype, shape)}`; dtype is a NumPy dtype name
            (`"uint8"`), a kind letter set (`"iu"` for any integer, `"f"`
            for any float, `"O"` for object); `None` in shape accepts any
            length along that axis (sample counts are not fixed, so subsets
            and synthetic files load).
        origin, file_hash: Named in the error message.
        same_length: Pairs of keys whose first dimension must agree.

    Returns:
        The dict of arrays.
    """
    try:
        arrays = npz_utils.load_npz(path)
    except zipfile.BadZipFile:
        raise broken(path, "it is not a zip/npz archive", origin, file_hash) from None
    except (ValueError, pickle.UnpicklingError, EOFError, OSError, zipfile.LargeZipFile) as e:
        raise broken(path, f"it could not be read ({e})", origin, file_hash) from e
    problem = check_arrays(arrays, spec, same_length)
    if problem:
        raise broken(path, problem, origin, file_hash)
    return arrays


def check_arrays(arrays, spec, same_length=()):
    """Returns a description of what is wrong with `arrays`, or None."""
    missing = [key for key in spec if key not in arrays]
    if missing:
        return f"missing keys {missing} (found {sorted(arrays)})"
    for key, (dtype, shape) in spec.items():
        array = arrays[key]
        if dtype in _KINDS:
            ok = array.dtype.kind in dtype
        else:
            ok = array.dtype == np.dtype(dtype)
        if not ok:
            return f"'{key}' has dtype {array.dtype}, expected {_describe_dtype(dtype)}"
        if array.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(array.shape, shape)
        ):
            return f"'{key}' has shape {array.shape}, expected {_describe_shape(shape)}"
        if shape and array.shape[0] == 0:
            return f"'{key}' is empty"
        if array.dtype.kind == "O":
            problem = _check_sequences(key, array)
            if problem:
                return problem
    for a, b in same_length:
        if len(arrays[a]) != len(arrays[b]):
            return f"'{a}' has {len(arrays[a])} samples but '{b}' has {len(arrays[b])}"
    return None


_KINDS = {"iu": "an integer dtype", "f": "a float dtype", "O": "object"}


def _describe_dtype(dtype):
    return _KINDS.get(dtype, dtype)


def _describe_shape(shape):
    dims = ["N" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _check_sequences(key, array):
    """Object arrays must hold lists of ints (all lists checked, ints spot-checked)."""
    for i, seq in enumerate(array):
        if type(seq) is not list:
            return f"'{key}[{i}]' is a {type(seq).__name__}, expected a list of ints"
    for i, seq in enumerate(array[:100]):
        if not all(type(w) is int for w in seq):
            return f"'{key}[{i}]' holds values that are not ints"
    return None


def remove_long_seq(maxlen, seq, label):
    """Keeps the sequences shorter than `maxlen` (and their labels), as Keras does."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Replaces (or, with `oov_char=None`, drops) the words outside
    `[skip_top, num_words)`; `num_words=None` keeps up to the largest index.
    """
    if not num_words:
        num_words = max(max(x) for x in xs)
    # By convention, 2 is the OOV word; `index_from` (3 by default) indexes
    # are reserved: 0 (padding), 1 (start), 2 (OOV).
    if oov_char is not None:
        return [
            [w if skip_top <= w < num_words else oov_char for w in x]
            for x in xs
        ]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def load_word_index(path, origin, file_hash):
    """Reads a `{word: index}` JSON file, checking that it is one."""
    import json

    try:
        with open(path) as f:
            word_index = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        raise broken(path, f"it is not valid JSON ({e})", origin, file_hash) from e
    if not isinstance(word_index, dict) or not all(
        isinstance(k, str) and type(v) is int for k, v in word_index.items()
    ):
        raise broken(path, "it is not a JSON object mapping words to ints", origin, file_hash)
    return word_index
