"""examples/functional_and_subclassed.py runs and learns (on 4,000 digits)."""
import runpy
from pathlib import Path

import keraslite

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "functional_and_subclassed.py"


def test_functional_and_subclassed_example_learns(mnist_cached, monkeypatch, capsys):
    monkeypatch.setenv("KERASLITE_EXAMPLE_SAMPLES", "4000")
    monkeypatch.setenv("KERASLITE_EXAMPLE_EPOCHS", "2")
    keraslite.utils.set_random_seed(0)  # the same initial weights on every run
    namespace = runpy.run_path(str(EXAMPLE), run_name="__main__")
    results = namespace["results"]
    assert sorted(results) == ["digit_accuracy", "digit_loss", "even_accuracy",
                               "even_loss", "loss"]
    assert results["digit_accuracy"] > 0.85 and results["even_accuracy"] > 0.85
    assert namespace["test_acc"] > 0.85
    out = capsys.readouterr().out
    assert "Connected to" in out or "halves" in out
