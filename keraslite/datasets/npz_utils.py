"""Safe `.npz` reading for the built-in datasets.

IMDB and Reuters store ragged sequences as `dtype=object` arrays, which
NumPy can only save as a pickle stream. `np.load(allow_pickle=True)` would
run whatever that stream asks for, so a tampered file could execute code.
Here numeric members are read with pickling disabled, and object members
with `RestrictedUnpickler`, which resolves only the three globals NumPy needs
to rebuild an object array (`ndarray`, `dtype`, `_reconstruct`). The
sequences themselves are plain lists of ints, which pickle builds from its
own opcodes without looking up any global. This is how Keras 3 reads them
too (`keras/src/datasets/npz_utils.py`).
"""
import pickle
import zipfile

import numpy as np

# `_reconstruct` lives in `numpy.core.multiarray` (NumPy 1) or
# `numpy._core.multiarray` (NumPy 2); files written by either name it by its
# module. Take the function from NumPy itself instead of importing by name.
_RECONSTRUCT = np.empty(0).__reduce__()[0]

_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that admits only NumPy's object-array rebuilding globals."""

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Refusing to deserialize `{module}.{name}` while loading a "
                "dataset. The file may be corrupted or malicious."
            ) from None


def load_npy_member(fp):
    """Reads one `.npy` stream; object arrays go through `RestrictedUnpickler`."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        # NOTE: 3.0 differs from 2.0 only in the header's text encoding.
        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f"Unsupported `.npy` format version: {version}.")
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    array = RestrictedUnpickler(fp).load()
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(
            f"The pickled object array does not match its header (shape {shape})."
        )
    return array


def load_npz(path):
    """Loads every array of an `.npz` file into a dict, never running pickled code.

    Args:
        path: Path to the `.npz` file.

    Returns:
        A dict mapping each member name (without `.npy`) to its array.
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            with archive.open(member) as fp:
                arrays[member[: -len(".npy")]] = load_npy_member(fp)
    return arrays
