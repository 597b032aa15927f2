"""The progress display matches real Keras's, line for line (numbers aside)."""
import re

import numpy as np
import pytest

import keraslite


def skeleton(text):
    """Final visible line segments with numbers replaced by N."""
    lines = []
    for line in text.split("\n"):
        segment = re.sub(r"\x1b\[[0-9;]*m", "", line.split("\r")[-1].replace("\b", ""))
        if segment.strip():
            segment = re.sub(r"\d+(\.\d+)?(e-\d+)?", "N", segment.rstrip())
            lines.append(re.sub(r"N(ms|us|s)/step", "N<t>/step", segment))
    return lines


def run(lib, verbose, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 96)]
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy",
                  metrics=["accuracy", "mse"])
    capsys.readouterr()
    model.fit(x, y, epochs=2, batch_size=32, verbose=verbose,
              validation_data=(x[:32], y[:32]))
    model.evaluate(x, y, batch_size=32, verbose=verbose)
    model.predict(x, batch_size=32, verbose=verbose)
    return skeleton(capsys.readouterr().out)


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_lines_match_keras(verbose, capsys):
    import keras

    ours = run(keraslite, verbose, capsys)
    theirs = run(keras, verbose, capsys)
    assert ours == theirs
