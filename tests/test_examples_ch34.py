"""The chapter 3-4 book scripts in examples/, run end to end on small data.

Each script runs in its own Python process, as a reader would run it, with
KERASLITE_HOME pointing at synthetic dataset files written in Keras's exact
on-disk format (tests/dataset_fixtures.py), MPLBACKEND=Agg, and the run-size
overrides of examples/_book_support.py. The tests check that the script
finishes, trains for the overridden number of epochs, and writes its plots
as PNG files.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import dataset_fixtures as fx

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_example(name, cwd, epochs, val_size=None, extra_path=None):
    env = dict(os.environ, MPLBACKEND="Agg", KERASLITE_EXAMPLE_EPOCHS=str(epochs))
    if val_size is not None:
        env["KERASLITE_EXAMPLE_VAL_SIZE"] = str(val_size)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def assert_pngs(folder, names):
    written = sorted(p.name for p in Path(folder).glob("*.png"))
    assert written == sorted(names)
    for name in names:
        data = (Path(folder) / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000, name


def test_imdb_binary(keraslite_home, tmp_path):
    fx.write_imdb(keraslite_home, num_samples=300, vocab=2000)
    out = run_example("imdb_binary.py", tmp_path, epochs=2, val_size=100)
    assert out.count("Epoch 2/2") == 2  # the validated run, then the retrained model
    assert "val_accuracy" in out  # Keras 3's name for the book's val_acc
    assert_pngs(tmp_path, ["imdb_accuracy.png", "imdb_loss.png"])


def test_reuters_multiclass(keraslite_home, tmp_path):
    fx.write_reuters(keraslite_home, num_samples=600, vocab=2000)
    out = run_example("reuters_multiclass.py", tmp_path, epochs=2, val_size=100)
    # One-hot run, 8-epoch retrain, sparse-label run, bottleneck model.
    assert out.count("Epoch 2/2") == 4
    assert_pngs(tmp_path, ["reuters_accuracy.png", "reuters_loss.png"])


def test_boston_kfold(keraslite_home, tmp_path):
    fx.write_boston(keraslite_home, num_samples=150)
    # 12 epochs, so that the smoothed curve (epochs 11 onwards) has points.
    out = run_example("boston_kfold.py", tmp_path, epochs=12)
    assert out.count("processing fold # 3") == 2
    assert_pngs(tmp_path, ["boston_val_mae.png", "boston_val_mae_smoothed.png"])


def test_overfitting(keraslite_home, tmp_path):
    fx.write_imdb(keraslite_home, num_samples=200, vocab=2000)
    out = run_example("overfitting.py", tmp_path, epochs=2)
    assert out.count("Epoch 2/2") == 5  # original, smaller, bigger, L2, dropout
    assert_pngs(tmp_path, [
        "overfitting_bigger_train_loss.png", "overfitting_bigger_val_loss.png",
        "overfitting_dropout_val_loss.png", "overfitting_l2_val_loss.png",
        "overfitting_smaller_val_loss.png",
    ])


def test_scripts_say_when_matplotlib_is_missing(keraslite_home, tmp_path):
    # A `matplotlib` package that fails to import stands in for a missing one.
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib blocked by the test')\n")
    fx.write_boston(keraslite_home, num_samples=60)
    workdir = tmp_path / "run"
    workdir.mkdir()
    out = run_example("boston_kfold.py", workdir, epochs=1, extra_path=blocker.parent)
    assert out.startswith("NOTE: matplotlib is not installed")
    assert "pip install matplotlib" in out
    assert "processing fold # 3" in out  # the training still ran
    assert list(workdir.glob("*.png")) == []


@pytest.mark.parametrize("name", ["imdb_binary.py", "reuters_multiclass.py",
                                  "boston_kfold.py", "overfitting.py"])
def test_scripts_keep_the_book_code(name):
    # Only the imports name keraslite; nothing reads the environment but the
    # run-size helpers, and every plt.show() of the book is still there.
    source = (EXAMPLES / name).read_text()
    assert "import keras\n" not in source and "from keras " not in source
    assert "os.environ" not in source
    assert source.count("plt.show()") == source.count("plt.savefig(") >= 2
