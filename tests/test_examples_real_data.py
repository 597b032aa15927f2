"""The chapter 3-4 examples and the chapter-6 Embedding example on the real data sets, where they are cached.

These machines have no internet, so the real IMDB, Reuters and Boston
files are only present when someone put them in keraslite's or Keras's
cache; then each example runs on them (with few epochs).
"""
import os
from pathlib import Path

import pytest

from tests.test_examples_ch34 import run_example

CACHES = [
    Path(os.environ.get("KERASLITE_HOME", Path.home() / ".keraslite")) / "datasets",
    Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets",
]
EXAMPLES = {
    "imdb_binary.py": ["imdb.npz", "imdb_word_index.json"],
    "reuters_multiclass.py": ["reuters.npz", "reuters_word_index.json"],
    "boston_kfold.py": ["boston_housing.npz"],
    "overfitting.py": ["imdb.npz"],
    "imdb_embedding.py": ["imdb.npz"],
}
# Scripts of the book that draw no plot. (imdb_rnn.py is left out: one epoch
# of its SimpleRNN and LSTM on the real 25,000 reviews takes minutes.)
NO_PLOTS = {"imdb_embedding.py"}


def cached_home(files):
    """The cache root holding all `files`, or None."""
    for folder in CACHES:
        if all((folder / name).is_file() for name in files):
            return folder.parent
    return None


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_example_on_real_data(script, tmp_path, monkeypatch):
    home = cached_home(EXAMPLES[script])
    if home is None:
        pytest.skip(
            f"the real data set ({', '.join(EXAMPLES[script])}) is not cached "
            "on this machine and there is no network to download it"
        )
    monkeypatch.setenv("KERASLITE_HOME", str(home))
    out = run_example(script, tmp_path, epochs=1)
    if script in NO_PLOTS:
        assert "val_" in out, "the example did not validate"
    else:
        assert list(tmp_path.glob("*.png")), "the example wrote no plot"
