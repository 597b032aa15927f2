"""Files keraslite writes get the mode any new file gets (0666 & ~umask).

Every save path (model.save to `.keras` and `.h5`, save_weights to
`.weights.h5` and legacy `.h5`, ModelCheckpoint) and downloads write to a
temporary file and rename it into place; the result must not be private
to its owner, and overwriting a file keeps that file's mode.
"""
import io
import os
import stat
import urllib.request

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.callbacks import ModelCheckpoint
from keraslite.utils.file_utils import get_file

UMASKS = [0o022, 0o027]


@pytest.fixture(params=UMASKS, ids=lambda u: f"umask{u:03o}")
def umask(request):
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def model_and_data():
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x = np.ones((8, 3), "float32")
    y = np.zeros((8, 2), "float32")
    model.train_on_batch(x, y)
    return model, x, y


def save_model_keras(model, path):
    model.save(path)


def save_model_h5(model, path):
    model.save(path)


def save_weights(model, path):
    model.save_weights(path)


def checkpoint(weights_only):
    def run(model, path):
        x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            ModelCheckpoint(str(path), save_weights_only=weights_only)])
    return run


SAVES = [
    ("model.keras", save_model_keras),
    ("model.h5", save_model_h5),
    ("model.weights.h5", save_weights),
    ("legacy_weights.h5", save_weights),
    ("ckpt.keras", checkpoint(False)),
    ("ckpt.weights.h5", checkpoint(True)),
]


@pytest.mark.parametrize("name,save", SAVES, ids=[s[0] for s in SAVES])
def test_new_saved_file_gets_the_umask_mode(tmp_path, umask, name, save):
    model, _, _ = model_and_data()
    path = tmp_path / name
    save(model, path)
    assert mode(path) == 0o666 & ~umask, oct(mode(path))
    assert os.listdir(tmp_path) == [name]


@pytest.mark.parametrize("name,save", SAVES, ids=[s[0] for s in SAVES])
@pytest.mark.parametrize("previous", [0o644, 0o640, 0o604], ids=oct)
def test_overwritten_file_keeps_its_mode(tmp_path, umask, name, save, previous):
    model, _, _ = model_and_data()
    path = tmp_path / name
    save(model, path)
    os.chmod(path, previous)
    before = os.stat(path).st_ino
    save(model, path)
    assert os.stat(path).st_ino != before  # replaced by a rename, not rewritten
    assert mode(path) == previous, oct(mode(path))
    model.load_weights(path)  # still a valid file


def test_temporary_file_already_has_the_final_mode(tmp_path, umask, monkeypatch):
    """The mode is that of the final file already while it is being written."""
    model, _, _ = model_and_data()
    seen = []
    real_replace = os.replace

    def recording_replace(src, dst):
        seen.append(mode(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    model.save(tmp_path / "m.keras")
    assert seen == [0o666 & ~umask]


# --- downloads ---------------------------------------------------------------------------
PAYLOAD = b"keraslite" * 1000


@pytest.fixture
def serve(monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda url, *a, **k: _Response(PAYLOAD))


class _Response(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def test_downloaded_file_gets_the_umask_mode(keraslite_home, serve, umask, capsys):
    path = get_file("data.bin", origin="https://example.invalid/data.bin")
    assert open(path, "rb").read() == PAYLOAD
    assert mode(path) == 0o666 & ~umask, oct(mode(path))
    assert os.listdir(os.path.dirname(path)) == ["data.bin"]


@pytest.mark.parametrize("previous", [0o644, 0o640, 0o604], ids=oct)
def test_redownloaded_file_keeps_its_mode(keraslite_home, serve, umask, previous, capsys):
    path = get_file("data.bin", origin="https://example.invalid/data.bin")
    os.chmod(path, previous)
    path = get_file("data.bin", origin="https://example.invalid/data.bin",
                    force_download=True)
    assert mode(path) == previous, oct(mode(path))


# --- a read-only file is replaced by an ordinary user -------------------------------------
def test_atomic_write_keeps_the_temporary_file_writable_until_the_rename(tmp_path, umask):
    from keraslite.saving._io import atomic_write

    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o444)
    during = []

    def write(tmp):
        during.append(mode(tmp))
        with open(tmp, "wb") as f:  # as h5py and zipfile open it
            f.write(b"new")

    atomic_write(path, write)
    assert during == [0o666 & ~umask]  # writable by its owner while written
    assert mode(path) == 0o444 and path.read_bytes() == b"new"


@pytest.fixture
def as_ordinary_user():
    """Runs the test body as a non-root user (as `nobody` when run by root)."""
    import pwd
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="keraslite-modes-")
    # Every save and load once first, so that no import needs to read a
    # folder the other user may not enter.
    model, _, _ = model_and_data()
    for name, save in SAVES:
        save(model, os.path.join(folder, name))
        model.load_weights(os.path.join(folder, name))
        os.remove(os.path.join(folder, name))
    os.chmod(folder, 0o777)
    if os.geteuid() != 0:
        yield folder
        shutil.rmtree(folder)
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        shutil.rmtree(folder)
        pytest.skip("running as root and there is no `nobody` user")
    os.setegid(nobody.pw_gid)
    os.seteuid(nobody.pw_uid)
    try:
        yield folder
    finally:
        os.seteuid(0)
        os.setegid(0)
        shutil.rmtree(folder)


@pytest.mark.parametrize("name,save", SAVES, ids=[s[0] for s in SAVES])
def test_ordinary_user_replaces_a_read_only_file(name, save, umask, as_ordinary_user):
    model, _, _ = model_and_data()
    path = os.path.join(as_ordinary_user, name)
    save(model, path)
    os.chmod(path, 0o444)
    save(model, path)
    assert mode(path) == 0o444
    model.load_weights(path)
