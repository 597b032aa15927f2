"""The README's first command can be run twice, as root and as an ordinary user.

What this covers: the file-placing part of that command (every `&&` step
but `pip install` and `python ...`), run with bash exactly as written,
twice in a row, in a temporary HOME, from a repository folder whose
`../shared/datasets/mnist.npz` is read-only like the shared copy (mode
0444 in a 0555 folder). It is run as the current user and, when that is
root, also as the `nobody` user (root may overwrite read-only files, so
only a non-root run shows the failure). The `pip install` step and the
example run are not repeated here (tests/test_mnist_book.py runs the
example).
"""
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = b"not really mnist" * 100


def first_command():
    text = (ROOT / "README.md").read_text()
    return re.search(r"```bash\n(.*?)\n```", text, re.S).group(1).strip()


def placing_steps(command):
    steps = [s.strip() for s in command.split("&&")]
    kept = [s for s in steps if not s.startswith(("pip ", "python "))]
    assert kept and any("mnist.npz" in s for s in kept), command
    return " && ".join(kept)


def users():
    found = [None]  # the current user
    if os.geteuid() == 0:
        try:
            found.append(pwd.getpwnam("nobody"))
        except KeyError:
            pass
    return found


@pytest.fixture
def layout():
    """work/repo (the cwd), work/shared/datasets/mnist.npz (read-only), home."""
    top = Path(tempfile.mkdtemp(prefix="keraslite-readme-"))
    os.chmod(top, 0o755)
    try:
        (top / "repo").mkdir()
        shared = top / "shared" / "datasets"
        shared.mkdir(parents=True)
        (shared / "mnist.npz").write_bytes(PAYLOAD)
        os.chmod(shared / "mnist.npz", 0o444)
        os.chmod(shared, 0o555)
        os.chmod(shared.parent, 0o555)
        yield top
    finally:
        for folder in (top / "shared", top / "shared" / "datasets"):
            os.chmod(folder, 0o755)
        shutil.rmtree(top)


def run_as(user, script, cwd, home):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    kwargs = {}
    if user is not None:
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, **kwargs)


def test_the_copy_command_is_the_one_run_here():
    assert "../shared/datasets/mnist.npz" in placing_steps(first_command())


@pytest.mark.parametrize("user", users(), ids=lambda u: "current" if u is None else u.pw_name)
@pytest.mark.parametrize("leftover", [False, True], ids=["fresh-home", "read-only-leftover"])
def test_first_command_runs_twice(layout, user, leftover):
    script = placing_steps(first_command())
    home = layout / "home"
    home.mkdir()
    if leftover:  # what the earlier `cp` left: a read-only copy
        (home / ".keraslite" / "datasets").mkdir(parents=True)
        (home / ".keraslite" / "datasets" / "mnist.npz").write_bytes(b"old")
        os.chmod(home / ".keraslite" / "datasets" / "mnist.npz", 0o444)
    if user is not None:
        for path in [home, *home.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
    for attempt in (1, 2):
        proc = run_as(user, script, layout / "repo", home)
        assert proc.returncode == 0, (attempt, script, proc.stderr)
        cached = home / ".keraslite" / "datasets" / "mnist.npz"
        assert cached.read_bytes() == PAYLOAD
