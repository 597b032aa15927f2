"""keraslite.utils.file_utils: cache lookup, verified atomic downloads, safe extraction."""
import hashlib
import io
import os
import tarfile
import urllib.error
import urllib.request
import zipfile

import pytest

from keraslite.utils import file_utils
from keraslite.utils.file_utils import DownloadError, get_file

ORIGIN = "https://example.invalid/files/data.bin"
PAYLOAD = bytes(range(256)) * 1000  # 256 kB: several read chunks
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
PAYLOAD_MD5 = hashlib.md5(PAYLOAD).hexdigest()


class FakeResponse(io.BytesIO):
    """What `urlopen` returns, served from memory; `on_read(n_reads)` may raise."""

    def __init__(self, data, on_read=None, content_length=True):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))} if content_length else {}
        self.on_read = on_read
        self.reads = 0

    def read(self, size=-1):
        self.reads += 1
        if self.on_read is not None:
            self.on_read(self.reads)
        return super().read(size)


@pytest.fixture
def serve(monkeypatch):
    """Makes `urlopen` serve given bytes; returns the list of requested URLs."""
    requested = []

    def install(data, **kwargs):
        def fake_urlopen(url, *args, **kw):
            requested.append(url)
            return FakeResponse(data, **kwargs)

        monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
        return requested

    return install


@pytest.fixture
def offline(monkeypatch):
    """Makes every `urlopen` fail like a machine without network."""
    calls = []

    def fake_urlopen(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    return calls


def leftovers(folder):
    return [name for name in os.listdir(folder) if name.endswith(".part")]


def test_cache_roots_follow_env(keraslite_home, tmp_path, monkeypatch):
    assert file_utils.keraslite_home() == str(keraslite_home)
    assert file_utils.keras_home() == str(tmp_path / "keras_home")
    monkeypatch.delenv("KERASLITE_HOME")
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert file_utils.keraslite_home() == str(tmp_path / ".keraslite")
    assert file_utils.keras_home() == str(tmp_path / ".keras")


def test_download_is_verified_and_renamed_into_place(keraslite_home, serve, monkeypatch, capsys):
    target = keraslite_home / "datasets" / "data.bin"
    renames = []
    real_replace = os.replace

    def on_read(n):
        # While bytes arrive, the final name must not exist yet.
        assert not target.exists()

    def recording_replace(src, dst):
        renames.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    requested = serve(PAYLOAD, on_read=on_read)
    path = get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)

    assert path == str(target)
    assert target.read_bytes() == PAYLOAD
    assert requested == [ORIGIN]
    (src, dst), = renames
    assert dst == str(target)
    assert os.path.dirname(src) == str(target.parent) and src.endswith(".part")
    assert leftovers(target.parent) == []
    out = capsys.readouterr().out
    assert f"Downloading data from {ORIGIN}" in out
    assert "/256000" in out  # the progress bar counts bytes


def test_cached_file_is_not_downloaded_again(keraslite_home, serve):
    requested = serve(PAYLOAD)
    first = get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    second = get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    assert first == second and requested == [ORIGIN]
    get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256, force_download=True)
    assert requested == [ORIGIN, ORIGIN]


def test_hash_mismatch_removes_the_partial_file(keraslite_home, serve):
    serve(PAYLOAD[:-1])  # one byte short
    with pytest.raises(ValueError, match="Incomplete or corrupted file"):
        get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    folder = keraslite_home / "datasets"
    assert not (folder / "data.bin").exists()
    assert leftovers(folder) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, ConnectionResetError])
def test_interrupted_download_removes_the_partial_file(keraslite_home, serve, error):
    def on_read(n):
        if n == 3:  # two chunks already written
            raise error("interrupted (test)")

    serve(PAYLOAD, on_read=on_read)
    with pytest.raises((KeyboardInterrupt, DownloadError)):
        get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    folder = keraslite_home / "datasets"
    assert os.listdir(folder) == []


def test_stale_cached_file_survives_a_failed_redownload(keraslite_home, offline, capsys):
    target = keraslite_home / "datasets" / "data.bin"
    target.write_bytes(b"old version")
    with pytest.raises(DownloadError):
        get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    assert "hash does not match" in capsys.readouterr().out
    assert target.read_bytes() == b"old version"
    assert leftovers(target.parent) == []


def test_offline_error_says_where_to_put_the_file(keraslite_home, tmp_path, offline):
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    message = str(info.value)
    assert ORIGIN in message
    assert "offline (test)" in message
    assert str(keraslite_home / "datasets" / "data.bin") in message
    assert str(tmp_path / "keras_home" / "datasets" / "data.bin") in message
    assert PAYLOAD_SHA256 in message
    assert offline == [ORIGIN]
    assert os.listdir(keraslite_home / "datasets") == []


def test_http_error_is_reported_with_its_code(keraslite_home, monkeypatch):
    def fake_urlopen(url, *args, **kwargs):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(DownloadError, match="404 -- Not Found"):
        get_file("data.bin", origin=ORIGIN)


def test_keras_cache_is_reused_when_its_hash_matches(keraslite_home, tmp_path, offline):
    keras_copy = tmp_path / "keras_home" / "datasets" / "data.bin"
    keras_copy.parent.mkdir(parents=True)
    keras_copy.write_bytes(PAYLOAD)
    assert get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256) == str(keras_copy)
    assert get_file("data.bin", origin=ORIGIN, md5_hash=PAYLOAD_MD5) == str(keras_copy)
    assert offline == []
    # A Keras copy with another hash is not trusted by get_file.
    keras_copy.write_bytes(b"something else")
    with pytest.raises(DownloadError):
        get_file("data.bin", origin=ORIGIN, file_hash=PAYLOAD_SHA256)
    # An explicit cache_dir does not look at the Keras cache.
    keras_copy.write_bytes(PAYLOAD)
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", origin=ORIGIN, cache_dir=tmp_path / "elsewhere")
    assert "Keras cache" not in str(info.value)


def test_download_without_hash_and_name_from_origin(keraslite_home, serve):
    serve(PAYLOAD, content_length=False)
    path = get_file(origin=ORIGIN, cache_subdir="other")
    assert path == str(keraslite_home / "other" / "data.bin")
    assert open(path, "rb").read() == PAYLOAD


def test_bad_arguments(keraslite_home):
    with pytest.raises(ValueError, match="origin"):
        get_file("data.bin")
    with pytest.raises(ValueError, match="fname"):
        get_file(os.path.join("sub", "data.bin"), origin=ORIGIN)
    with pytest.raises(ValueError, match="file name"):
        get_file(origin="https://example.invalid/")


def test_hash_file_and_validate_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD)
    assert file_utils.hash_file(path) == PAYLOAD_SHA256
    assert file_utils.hash_file(path, algorithm="md5") == PAYLOAD_MD5
    assert file_utils.validate_file(path, PAYLOAD_SHA256)
    assert file_utils.validate_file(path, PAYLOAD_MD5)  # "auto" picks md5 by length
    assert file_utils.validate_file(path, PAYLOAD_SHA256, algorithm="sha256")
    assert not file_utils.validate_file(path, PAYLOAD_MD5, algorithm="sha256")
    assert not file_utils.validate_file(path, "0" * 64)


# Extraction ---------------------------------------------------------------


def _make_tar(path, symlink_target="/etc/passwd"):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in [("data/ok.txt", b"fine"), ("../evil.txt", b"x"), ("/tmp_abs_evil.txt", b"x")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("data/link")
        link.type = tarfile.SYMTYPE
        link.linkname = symlink_target
        tar.addfile(link)


def _make_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data/ok.txt", b"fine")
        archive.writestr("../evil.txt", b"x")
        archive.writestr("/abs_evil.txt", b"x")


@pytest.mark.parametrize("make", [_make_tar, _make_zip])
def test_extraction_skips_members_outside_the_folder(tmp_path, make):
    archive = tmp_path / "archive.bin"
    make(archive)
    out = tmp_path / "deep" / "out"
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        assert file_utils.extract_archive(archive, out)
    assert (out / "data" / "ok.txt").read_bytes() == b"fine"
    assert not (out / "data" / "link").exists()
    assert not (tmp_path / "deep" / "evil.txt").exists()
    assert not os.path.exists("/tmp_abs_evil.txt") and not os.path.exists("/abs_evil.txt")
    extracted = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    assert extracted == [os.path.join("data", "ok.txt")]


def test_extract_archive_format_selection(tmp_path):
    archive = tmp_path / "a.zip"
    _make_zip(archive)
    assert not file_utils.extract_archive(archive, tmp_path / "x", archive_format="tar")
    assert not file_utils.extract_archive(archive, tmp_path / "x", archive_format=None)
    with pytest.raises(ValueError, match="archive_format"):
        file_utils.extract_archive(archive, tmp_path / "x", archive_format="rar")


def test_get_file_extract_names_the_folder_like_keras(keraslite_home, serve, tmp_path):
    archive = tmp_path / "src.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("inner.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    data = archive.read_bytes()
    serve(data)
    out = get_file("flowers.tar.gz", origin="https://example.invalid/f.tgz", extract=True)
    assert out == str(keraslite_home / "datasets" / "flowers_extracted")
    assert open(os.path.join(out, "inner.txt"), "rb").read() == b"hello"
    assert (keraslite_home / "datasets" / "flowers.tar.gz").read_bytes() == data
    out = get_file("flowers", origin="https://example.invalid/f.tgz", untar=True)
    assert out == str(keraslite_home / "datasets" / "flowers")
    assert (keraslite_home / "datasets" / "flowers_archive").exists()
