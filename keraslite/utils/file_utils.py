"""`get_file`: download once into a local cache, verify, extract safely.

The cache lives in `$KERASLITE_HOME` (default `~/.keraslite`), so a file
`mnist.npz` ends up at `~/.keraslite/datasets/mnist.npz`. A file that real
Keras already downloaded into `$KERAS_HOME` (default `~/.keras`) is reused
instead of being fetched again.
"""
import hashlib
import os
import shutil
import sys
import tempfile
import warnings

_CHUNK_SIZE = 65536


class DownloadError(OSError):
    """A file could not be downloaded; the message says how to place it by hand."""


def path_to_string(path):
    """Returns `os.fspath(path)` for path-like objects, else `path` unchanged."""
    if isinstance(path, os.PathLike):
        return os.fspath(path)
    return path


def keraslite_home():
    """The keraslite cache root: `$KERASLITE_HOME`, or `~/.keraslite`."""
    return os.path.expanduser(os.environ.get("KERASLITE_HOME") or "~/.keraslite")


def keras_home():
    """The Keras cache root, read like Keras does: `$KERAS_HOME`, or `~/.keras`."""
    if os.environ.get("KERAS_HOME"):
        return os.path.expanduser(os.environ["KERAS_HOME"])
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _writable_cache_root(cache_dir):
    """`cache_dir` if writable (created if needed), else `/tmp/.keraslite`."""
    cache_dir = os.path.expanduser(cache_dir)
    try:
        os.makedirs(cache_dir, exist_ok=True)
    except OSError:
        pass
    if not os.access(cache_dir, os.W_OK):
        cache_dir = os.path.join(
            "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
            ".keraslite",
        )
    return cache_dir


def check_fname(fname, origin):
    """Returns the cache file name: `fname`, or the last part of `origin`.

    Like Keras, a `fname` holding a directory separator is refused: the
    folder is given with `cache_dir` / `cache_subdir`.
    """
    fname = path_to_string(fname)
    if not fname:
        import urllib.parse

        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                "Can't parse the file name from the origin provided: "
                f"'{origin}'. Please specify the `fname` argument."
            )
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. "
            "To specify the file's parent directory, use "
            f"the `cache_dir` argument. Received: fname={fname}"
        )
    return fname


def cache_locations(fname, cache_subdir="datasets"):
    """Where a cached `fname` may be: `[keraslite path, Keras path]`.

    The keraslite path comes first; it is where downloads are written. The
    Keras path (under `$KERAS_HOME`) is only read. When `cache_subdir` is
    absolute both entries are the same file.
    """
    keraslite_dir = os.path.join(keraslite_home(), cache_subdir)
    keras_dir = os.path.join(keras_home(), cache_subdir)
    return [os.path.join(keraslite_dir, fname), os.path.join(keras_dir, fname)]


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Downloads a file from a URL if it is not already in the cache.

    The file lands at `cache_dir/cache_subdir/fname`, where `cache_dir`
    defaults to `$KERASLITE_HOME` (or `~/.keraslite`). When `cache_dir` is
    not given and the file is missing there, a copy in the Keras cache
    (`$KERAS_HOME/cache_subdir/fname`, default `~/.keras`) is used if its
    hash matches. Downloads are written to a temporary file next to the
    target, checked against `file_hash` and only then renamed into place,
    so an interrupted or corrupted download never leaves a partial file.

    Args:
        fname: Name of the file in the cache. If `None`, the name of the
            file at `origin` is used. With `extract=True`, a `fname` without
            an extension names the extraction folder.
        origin: Original URL of the file.
        untar: Deprecated in favor of `extract`. Whether the file is a tar
            archive that should be extracted.
        md5_hash: Deprecated in favor of `file_hash`. md5 hash of the file.
        file_hash: The expected sha256 (or md5) hash of the file.
        cache_subdir: Subfolder of the cache where the file is saved. If an
            absolute path, the file is saved at that location.
        hash_algorithm: `"md5"`, `"sha256"` or `"auto"` (chosen from the
            length of `file_hash`).
        extract: If `True`, extracts the archive (tar or zip).
        archive_format: `"auto"`, `"tar"`, `"zip"` or `None`.
        cache_dir: Cache root; defaults to `$KERASLITE_HOME` or
            `~/.keraslite`.
        force_download: If `True`, always download, ignoring cached copies.

    Returns:
        Path to the downloaded file, or to the extraction folder.

    Example:

    >>> path = get_file(
    ...     origin="https://storage.googleapis.com/tensorflow/"
    ...     "tf-keras-datasets/mnist.npz",
    ...     file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    ... )  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError(
            'Please specify the "origin" argument (URL of the file to download).'
        )
    if md5_hash is not None and file_hash is None:
        file_hash = md5_hash
        hash_algorithm = "md5"
    reuse_keras_cache = cache_dir is None
    if cache_dir is None:
        cache_dir = keraslite_home()
    datadir_base = _writable_cache_root(path_to_string(cache_dir))
    cache_subdir = path_to_string(cache_subdir)
    datadir = os.path.join(datadir_base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided_fname = fname
    fname = check_fname(fname, origin)

    # The same naming rules as Keras for archives and their extraction folder.
    extraction_dir = None
    if extract or untar:
        if provided_fname and "." in fname:
            target_name = fname
            stem = fname[: fname.find(".")]
            extraction_dir = os.path.join(datadir, f"{stem}_extracted")
        else:
            target_name = f"{fname}_archive"
            extraction_dir = os.path.join(datadir, fname)
    else:
        target_name = fname
    download_target = os.path.join(datadir, target_name)
    keras_target = None
    if reuse_keras_cache and not os.path.isabs(cache_subdir):
        keras_target = os.path.join(keras_home(), cache_subdir, target_name)

    if force_download:
        path = None
    else:
        path = _find_cached(download_target, keras_target, file_hash, hash_algorithm)
    if path is None:
        _download(origin, download_target, keras_target, file_hash, hash_algorithm)
        path = download_target

    if extract or untar:
        if untar:
            archive_format = "tar"
        if not extract_archive(path, extraction_dir, archive_format):
            warnings.warn("Could not extract archive.", stacklevel=2)
        return extraction_dir
    return path


def _find_cached(download_target, keras_target, file_hash, hash_algorithm):
    """The first usable cached copy: keraslite's, then Keras's; else None."""
    if os.path.exists(download_target):
        if file_hash is None or validate_file(download_target, file_hash, hash_algorithm):
            return download_target
        print(
            "A local file was found, but it seems to be incomplete or outdated "
            f"because the {hash_algorithm} file hash does not match the "
            f"original value of {file_hash} so we will re-download the data."
        )
        return None
    if keras_target is not None and os.path.isfile(keras_target):
        if file_hash is None or validate_file(keras_target, file_hash, hash_algorithm):
            return keras_target
    return None


def _download(origin, target, keras_target, file_hash, hash_algorithm):
    """Streams `origin` into a temp file beside `target`, verifies, renames."""
    import urllib.error
    import urllib.request

    from keraslite.saving._io import create_temp_beside, keep_mode_of
    from keraslite.utils.progbar import Progbar

    print(f"Downloading data from {origin}")
    # Not mkstemp (0600): the part file gets the umask's mode, or that of
    # the file it replaces (keep_mode_of), and the rename keeps it.
    fd, part_path = create_temp_beside(
        target, prefix=os.path.basename(target) + ".", suffix=".part"
    )
    try:
        hasher = resolve_hasher(hash_algorithm, file_hash)
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(origin)
            except urllib.error.HTTPError as e:
                raise _download_error(origin, f"{e.code} -- {e.msg}", target, keras_target, file_hash) from e
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise _download_error(origin, reason, target, keras_target, file_hash) from e
            with response:
                total = response.headers.get("Content-Length") if response.headers else None
                progbar = Progbar(int(total) if total else None)
                done = 0
                while True:
                    try:
                        chunk = response.read(_CHUNK_SIZE)
                    except OSError as e:
                        raise _download_error(origin, e, target, keras_target, file_hash) from e
                    if not chunk:
                        break
                    out.write(chunk)
                    hasher.update(chunk)
                    done += len(chunk)
                    progbar.update(done, finalize=False)
                progbar.update(done, finalize=True)
            out.flush()
            os.fsync(out.fileno())
        if file_hash is not None and hasher.hexdigest() != str(file_hash):
            raise ValueError(
                "Incomplete or corrupted file detected. "
                f"The {hash_algorithm} file hash does not match the provided "
                f"value of {file_hash} (downloaded file: {hasher.hexdigest()}). "
                f"Nothing was written to {target}."
            )
        keep_mode_of(target, part_path)
        os.replace(part_path, target)
    except BaseException:
        # Also on KeyboardInterrupt: never leave a partial file behind.
        if os.path.exists(part_path):
            os.remove(part_path)
        raise


def _download_error(origin, reason, target, keras_target, file_hash):
    lines = [
        f"URL fetch failure on {origin}: {reason}",
        "This machine may be offline. Download the file by hand from",
        f"  {origin}",
        "and place it at",
        f"  {target}",
    ]
    if keras_target is not None:
        lines += ["or in the Keras cache, which keraslite reuses, at", f"  {keras_target}"]
    if file_hash:
        lines.append(f"(expected hash: {file_hash}).")
    return DownloadError("\n".join(lines))


def resolve_hasher(algorithm, file_hash=None):
    """Returns a `hashlib` hasher: sha256, or md5 for legacy hashes."""
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Calculates a file's sha256 or md5 hash.

    Args:
        fpath: Path to the file.
        algorithm: `"sha256"`, `"md5"`, `"auto"` (sha256) or a hasher object.
        chunk_size: Bytes to read at a time.

    Returns:
        The hex digest.

    Example:

    >>> hash_file("/path/to/file.zip")  # doctest: +SKIP
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Validates a file against a sha256 or md5 hash.

    Args:
        fpath: Path to the file.
        file_hash: The expected hash string.
        algorithm: `"sha256"`, `"md5"` or `"auto"` (chosen from the length
            of `file_hash`).
        chunk_size: Bytes to read at a time.

    Returns:
        Whether the file's hash equals `file_hash`.
    """
    hasher = resolve_hasher(algorithm, file_hash)
    return str(hash_file(fpath, hasher, chunk_size)) == str(file_hash)


# Safe extraction: members that would land outside the target folder
# ('..', absolute paths, links pointing out) are skipped with a warning.


def _resolve_sub_path(base_dir, relative_path):
    """The real path of `base_dir/relative_path` if inside `base_dir`, else None."""
    path = os.path.realpath(os.path.join(base_dir, relative_path))
    try:
        if os.path.commonpath([path, base_dir]) == base_dir:
            return path
    except ValueError:
        pass
    return None


def _is_link_in_dir(info, base_dir):
    if info.islnk():
        # Hard links resolve relative to the archive root.
        return (
            _resolve_sub_path(base_dir, info.name) is not None
            and _resolve_sub_path(base_dir, info.linkname) is not None
        )
    destination = _resolve_sub_path(base_dir, info.name)
    if destination is None:
        return False
    link = os.path.realpath(os.path.join(os.path.dirname(destination), info.linkname))
    try:
        return os.path.commonpath([link, base_dir]) == base_dir
    except ValueError:
        return False


def _safe_zip_members(members, base_dir):
    base_dir = os.path.realpath(base_dir)
    for info in members:
        if _resolve_sub_path(base_dir, info.filename) is not None:
            yield info
        else:
            warnings.warn(
                f"Skipping invalid path during archive extraction: '{info.filename}'.",
                stacklevel=2,
            )


def _safe_tar_members(members, base_dir):
    base_dir = os.path.realpath(base_dir)
    for info in members:
        if info.issym() or info.islnk():
            ok = _is_link_in_dir(info, base_dir)
        else:
            ok = _resolve_sub_path(base_dir, info.name) is not None
        if ok:
            yield info
        else:
            warnings.warn(
                f"Skipping invalid path during archive extraction: '{info.name}'.",
                stacklevel=2,
            )


def extract_open_archive(archive, path="."):
    """Extracts an open `TarFile` or `ZipFile` into `path`, skipping unsafe members."""
    import inspect
    import zipfile

    os.makedirs(path, exist_ok=True)
    if isinstance(archive, zipfile.ZipFile):
        archive.extractall(path, members=_safe_zip_members(archive.infolist(), path))
        return
    kwargs = {}
    # tarfile's "data" filter (Python 3.11.4+, 3.12+) adds a second line of
    # defence: no device files, no setuid bits, no links out of the folder.
    if (
        sys.version_info < (3, 14)
        and "filter" in inspect.signature(archive.extractall).parameters
    ):
        kwargs = {"filter": "data"}
    archive.extractall(path, members=_safe_tar_members(archive, path), **kwargs)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (`.tar`, `.tar.gz`, `.tar.bz`) or zip archive.

    Args:
        file_path: Path to the archive.
        path: Folder to extract into.
        archive_format: `"auto"` (tar, then zip), `"tar"`, `"zip"`, a list
            of those, or `None`.

    Returns:
        `True` if the archive matched a format and was extracted.
    """
    import tarfile
    import zipfile

    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path = path_to_string(file_path)
    path = path_to_string(path)
    for archive_type in archive_format:
        if archive_type == "tar":
            open_fn, is_match_fn = tarfile.open, tarfile.is_tarfile
        elif archive_type == "zip":
            open_fn, is_match_fn = zipfile.ZipFile, zipfile.is_zipfile
        else:
            raise ValueError(
                "Invalid `archive_format`: expected 'auto', 'tar', 'zip' or "
                f"None. Received: archive_format={archive_type!r}"
            )
        if is_match_fn(file_path):
            with open_fn(file_path) as archive:
                try:
                    extract_open_archive(archive, path)
                except (tarfile.TarError, RuntimeError, KeyboardInterrupt):
                    if os.path.exists(path):
                        if os.path.isfile(path):
                            os.remove(path)
                        else:
                            shutil.rmtree(path)
                    raise
            return True
    return False
