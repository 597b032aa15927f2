"""Safe, bounded file access shared by the savers and loaders.

Everything a loader reads from a file goes through here: the format sniff,
size caps, HDF5 groups and datasets without links or external storage,
bounded JSON, and the atomic write used by every saver. h5py is imported
only inside these functions.
"""
import faulthandler
import gc
import io
import json
import math
import mmap
import os
import secrets
import signal
import stat
import time

import numpy as np

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

# Caps on what a file may make keraslite allocate. A file that declares
# more is refused before anything is read.
MAX_WEIGHT_BYTES = 2 << 30          # all weights of one model (2 GiB)
MAX_JSON_BYTES = 32 << 20           # one config / training config JSON
MAX_NAMES = 1 << 16                 # entries in a layer/weight name list
MAX_ZIP_ENTRIES = 4096
MAX_ZIP_EXPANSION = 100             # uncompressed / compressed, per entry
MAX_JSON_DEPTH = 64


class FileFormatError(ValueError):
    """A file is not a valid Keras file, or does not fit the model."""


def require_h5py():
    """Imports h5py on first use (keraslite itself never imports it)."""
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - h5py is a dependency
        raise ImportError(
            "Saving and loading Keras files needs h5py: pip install h5py"
        ) from e
    return h5py


# --- format detection ---------------------------------------------------------
def sniff(filepath):
    """Returns "hdf5" or "zip" from the first bytes of the file."""
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise FileFormatError(
            f"{filepath} is a directory; keraslite loads `.keras` zip "
            "archives and HDF5 (`.h5`, `.weights.h5`) files."
        )
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath}")
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head == HDF5_SIGNATURE:
        return "hdf5"
    if head[:4] in ZIP_SIGNATURES:
        return "zip"
    if not head:
        raise FileFormatError(f"{filepath} is empty, not a Keras file.")
    raise FileFormatError(
        f"{filepath} is neither an HDF5 file nor a zip archive (it starts "
        f"with {head!r}), so it is not a Keras `.h5`, `.weights.h5` or "
        "`.keras` file."
    )


def open_h5(source):
    """Opens an HDF5 file (path or bytes) read-only, after `check_hdf5_heaps`."""
    h5py = require_h5py()
    if isinstance(source, (bytes, bytearray)):
        check_hdf5_heaps(source)
        source = io.BytesIO(bytes(source))
    else:
        with open(source, "rb") as f:
            try:
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    check_hdf5_heaps(data)
            except ValueError as e:
                if isinstance(e, FileFormatError):
                    raise
                raise FileFormatError(f"Not a readable HDF5 file: {e}") from e
    preflight(source)
    try:
        return h5py.File(source, "r")
    except Exception as e:
        raise FileFormatError(f"Not a readable HDF5 file: {e}") from e


PREFLIGHT_TIMEOUT = 120.0


def preflight(source, timeout=None):
    """Reads an untrusted HDF5 file's metadata in a forked child first.

    NOTE: libhdf5 can crash (segfault) or loop forever on some corrupt
    files, e.g. variable-length strings pointing into a damaged global
    heap. A forked child opens the file and reads every attribute and
    every chunked dataset; if it dies from a signal or does not finish in
    `timeout` seconds, the file is refused before this process touches it.
    Python-level errors in the child are ignored: the real read reports
    them. The child turns faulthandler off, so an expected crash prints
    no crash dump. Without `os.fork` (Windows) this check is skipped.
    """
    if not hasattr(os, "fork"):  # pragma: no cover
        return
    timeout = PREFLIGHT_TIMEOUT if timeout is None else timeout
    pid = os.fork()
    if pid == 0:  # the child: walk the file, then leave without cleanup
        try:
            # A crash here is expected and reported by the parent: no
            # "Fatal Python error" dump from an inherited faulthandler.
            faulthandler.disable()
            # NOTE: no garbage collection in the child. A collection here
            # would run the finalizers of the parent's unreachable objects,
            # e.g. TensorFlow's, whose runtime threads do not exist after
            # fork; that crashed the child (signal 11) on valid files.
            gc.disable()
            _walk_hdf5(source)
        finally:
            os._exit(0)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise FileFormatError(
                f"Reading the HDF5 file did not finish within {timeout:.0f}s "
                "(libhdf5 loops on some corrupt files); refusing it."
            )
        time.sleep(0.001)
    if os.WIFSIGNALED(status):
        raise FileFormatError(
            "The HDF5 file is corrupt: libhdf5 crashed reading it (signal "
            f"{os.WTERMSIG(status)}); refusing it."
        )


def _walk_hdf5(source):
    h5py = require_h5py()
    if isinstance(source, io.BytesIO):
        source = io.BytesIO(source.getvalue())
    with h5py.File(source, "r") as f:
        pending = [f]
        while pending:
            group = pending.pop()
            for key in list(group.attrs):
                group.attrs[key]
            for name in list(group):
                link = group.get(name, getclass=True, getlink=True)
                if link is not h5py.HardLink:
                    continue
                obj = group[name]
                if isinstance(obj, h5py.Group):
                    pending.append(obj)
                    continue
                for key in list(obj.attrs):
                    obj.attrs[key]
                if obj.chunks is None or not obj.shape:
                    continue  # contiguous data is read by plain offsets
                if math.prod(obj.shape) * obj.dtype.itemsize <= 64 << 20:
                    obj[()]
                elif all(obj.shape):
                    obj[(0,) * len(obj.shape)]  # walks the chunk index


def check_hdf5_heaps(data):
    """Refuses HDF5 global heaps that would make libhdf5 loop forever.

    NOTE: libhdf5 (1.14) decodes a global heap collection ("GCOL", where
    variable-length strings such as Keras's weight names live) in a loop
    that never advances past a free-space object of size 0, so a corrupt
    file hangs the reader. We walk each collection as libhdf5 does and
    refuse such a file before libhdf5 sees it.
    """
    end = len(data)
    start = data.find(b"GCOL")
    while start != -1:
        if start + 16 <= end and data[start + 4] == 1:
            size = int.from_bytes(data[start + 8:start + 16], "little")
            stop = min(start + max(size, 16), end)
            p = start + 16
            while p + 16 <= stop:
                idx = int.from_bytes(data[p:p + 2], "little")
                obj_size = int.from_bytes(data[p + 8:p + 16], "little")
                need = 16 + ((obj_size + 7) & ~7) if idx > 0 else obj_size
                if need == 0:
                    raise FileFormatError(
                        "Corrupt HDF5 file: a global heap collection at byte "
                        f"{start} has an empty free-space object (libhdf5 "
                        "would never finish reading it)."
                    )
                p += need
        start = data.find(b"GCOL", start + 4)


# --- HDF5 access ------------------------------------------------------------------
def _check_link(parent, name):
    h5py = require_h5py()
    link = parent.get(name, default=None, getclass=True, getlink=True)
    if link in (h5py.ExternalLink, h5py.SoftLink):
        raise FileFormatError(
            f"Not allowed: HDF5 {link.__name__} at '{name}' (keraslite reads "
            "only plain groups and datasets)."
        )


def _split(path):
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise FileFormatError(f"Invalid path in HDF5 file: {path!r}")
    return parts


def get_group(parent, path, required=True):
    """The plain group at `path` below `parent`, or None if absent."""
    h5py = require_h5py()
    current = parent
    for part in _split(path):
        if part not in current:
            if required:
                raise FileFormatError(
                    f"The HDF5 file has no group '{path}' (under "
                    f"'{parent.name}')."
                )
            return None
        _check_link(current, part)
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise FileFormatError(
                f"Invalid HDF5 file: expected a group at '{current.name}', "
                f"found {type(current).__name__}."
            )
    return current


def get_dataset(parent, path):
    """The plain (non external, non virtual) dataset at `path`."""
    h5py = require_h5py()
    parts = _split(path)
    group = get_group(parent, "/".join(parts[:-1])) if len(parts) > 1 else parent
    name = parts[-1]
    if name not in group:
        raise FileFormatError(
            f"The HDF5 file has no dataset '{path}' (under '{parent.name}')."
        )
    _check_link(group, name)
    dataset = group[name]
    if not isinstance(dataset, h5py.Dataset):
        raise FileFormatError(
            f"Invalid HDF5 file: expected a dataset at '{dataset.name}'."
        )
    if dataset.external:
        raise FileFormatError(
            f"Not allowed: external storage for dataset '{dataset.name}'."
        )
    if dataset.is_virtual:
        raise FileFormatError(f"Not allowed: virtual dataset '{dataset.name}'.")
    return dataset


def read_array(dataset, expected_shape, kinds="f"):
    """Reads a dataset after checking its shape and dtype kind.

    The shape is checked against `expected_shape` *before* any data is
    read, so a dataset declaring an absurd shape is never allocated.
    """
    shape = tuple(dataset.shape or ())
    if shape != tuple(expected_shape):
        raise FileFormatError(
            f"Dataset '{dataset.name}' has shape {shape}, expected "
            f"{tuple(expected_shape)}."
        )
    dtype = dataset.dtype
    if dtype.kind not in kinds or dtype.itemsize > 8:
        raise FileFormatError(
            f"Dataset '{dataset.name}' has dtype {dtype}, expected a "
            f"{'float' if kinds == 'f' else 'number'} array."
        )
    return np.asarray(dataset[()])


def read_text_attr(obj, name, required=True):
    """A string attribute (bytes or str in the file), size-checked."""
    if name not in obj.attrs:
        if required:
            raise FileFormatError(
                f"The HDF5 file has no '{name}' attribute on '{obj.name}'."
            )
        return None
    attr_id = obj.attrs.get_id(name)
    if attr_id.shape not in ((), (1,)) or attr_id.dtype.kind not in "SOU":
        raise FileFormatError(
            f"Attribute '{name}' on '{obj.name}' is not a string."
        )
    value = obj.attrs[name]
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).decode("utf-8")
    if not isinstance(value, str):
        raise FileFormatError(f"Attribute '{name}' on '{obj.name}' is not text.")
    if len(value) > MAX_JSON_BYTES:
        raise FileFormatError(f"Attribute '{name}' is larger than allowed.")
    return value


def read_name_list(obj, name):
    """A list-of-strings attribute, joined across Keras's chunked copies."""
    names = []
    keys = [name] if name in obj.attrs else []
    if not keys:
        chunk = 0
        while f"{name}{chunk}" in obj.attrs:
            keys.append(f"{name}{chunk}")
            chunk += 1
    for key in keys:
        attr_id = obj.attrs.get_id(key)
        count = math.prod(attr_id.shape or ())
        if count + len(names) > MAX_NAMES:
            raise FileFormatError(
                f"Attribute '{key}' on '{obj.name}' lists too many names."
            )
        if count == 0:
            continue
        if attr_id.dtype.kind not in "SOU":
            raise FileFormatError(
                f"Attribute '{key}' on '{obj.name}' is not a list of names."
            )
        for item in np.asarray(obj.attrs[key]).reshape(-1):
            if isinstance(item, (bytes, np.bytes_)):
                item = bytes(item).decode("utf-8")
            if not isinstance(item, str):
                raise FileFormatError(
                    f"Attribute '{key}' on '{obj.name}' holds a non-string."
                )
            names.append(str(item))
    return names


def write_name_list(group, name, data):
    """Writes names as Keras does, chunking past the HDF5 header limit."""
    limit = 64512
    if any(len(x) > limit for x in data):
        raise ValueError(f"A name in '{name}' is longer than {limit} bytes.")
    data_npy = np.asarray(data)
    num_chunks = 1
    chunks = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > limit for x in chunks):
        num_chunks += 1
        chunks = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for chunk_id, chunk in enumerate(chunks):
            group.attrs["%s%d" % (name, chunk_id)] = chunk
    else:
        group.attrs[name] = data


# --- JSON -----------------------------------------------------------------------
def parse_json(text, what):
    """Parses a JSON object from a file, with clear errors and a depth cap."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise FileFormatError(f"{what} is not UTF-8 text: {e}") from e
    if len(text) > MAX_JSON_BYTES:
        raise FileFormatError(f"{what} is larger than {MAX_JSON_BYTES} bytes.")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise FileFormatError(f"{what} is not valid JSON: {e}") from e
    if not isinstance(value, dict):
        raise FileFormatError(
            f"{what} must be a JSON object; found {type(value).__name__}."
        )
    _check_depth(value, what)
    return value


def _check_depth(value, what):
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise FileFormatError(f"{what} is nested too deeply.")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def to_json(value):
    """JSON text as Keras writes it (NumPy scalars and tuples as lists)."""
    return json.dumps(value, default=_json_default)


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"Cannot write {obj!r} to a Keras config.")


# --- atomic writes -----------------------------------------------------------------
def atomic_write(filepath, write_fn, overwrite=True):
    """Calls `write_fn(tmp_path)`, then moves the file into place atomically.

    The temporary file lives in the destination folder, is flushed and
    fsynced, then `os.replace`d over `filepath`; a crash at any point leaves
    the previous file intact.
    """
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"{filepath} already exists; pass overwrite=True to replace it."
        )
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = create_temp_beside(
        filepath, prefix=f".{os.path.basename(filepath)}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        write_fn(tmp)
        fsync_file(tmp)
        keep_mode_of(filepath, tmp)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def create_temp_beside(filepath, prefix, suffix):
    """Creates a new file in `filepath`'s folder; returns `(fd, path)`.

    Unlike `tempfile.mkstemp` (always 0600), the file gets the mode any
    new file gets (0666 masked by the umask, applied by the OS as for any
    `open`), so renaming it into place gives a new file the usual mode.
    `keep_mode_of` gives it the mode of a file it replaces.
    """
    folder = os.path.dirname(os.path.abspath(os.fspath(filepath)))
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}{suffix}")
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
    raise FileExistsError(  # pragma: no cover
        f"Could not create a temporary file in {folder}."
    )


def keep_mode_of(filepath, tmp):
    """Gives `tmp` the permission bits of `filepath`, if that is a file.

    Called once `tmp` is written, just before it replaces `filepath`, so a
    read-only file can be replaced (its folder being writable) and keeps
    its mode.
    """
    try:
        previous = os.stat(filepath)
    except OSError:
        return
    if stat.S_ISREG(previous.st_mode):
        os.chmod(tmp, stat.S_IMODE(previous.st_mode) & 0o777)


def fsync_file(path):
    with open(path, "rb+") as f:
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
