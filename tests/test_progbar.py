"""The progress display of fit/evaluate/predict, in Keras 3's format."""
import io
import re
import sys

import numpy as np
import pytest

import keraslite
from keraslite import layers, models
from keraslite.utils import Progbar


def fitted_output(capsys, verbose, epochs=2):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 4)).astype("float32")
    y = keraslite.utils.to_categorical(rng.integers(0, 3, 100), 3)
    model = models.Sequential([keraslite.Input((4,)),
                               layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    capsys.readouterr()
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose,
                        validation_data=(x, y))
    return capsys.readouterr().out, history


def final_segments(text):
    """What a terminal shows: the last carriage-return segment of each line."""
    lines = []
    for line in text.split("\n"):
        segment = line.split("\r")[-1].replace("\b", "")
        if segment.strip():
            lines.append(re.sub(r"\x1b\[[0-9;]*m", "", segment).rstrip())
    return lines


def test_verbose_2_one_line_per_epoch(capsys):
    out, history = fitted_output(capsys, verbose=2)
    lines = final_segments(out)
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    pattern = (r"^4/4 - \d+s - \d+(ms|us|s)/step - accuracy: (\d\.\d{4}) - "
               r"loss: (\d\.\d{4}) - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$")
    for i, line in enumerate(lines[1::2]):
        match = re.match(pattern, line)
        assert match, line
        assert float(match.group(3)) == round(history.history["loss"][i], 4)


def test_verbose_1_live_bar(capsys):
    out, history = fitted_output(capsys, verbose=1, epochs=1)
    assert "\r" in out or "\n" in out
    last = final_segments(out)[-1]
    pattern = (r"^4/4 ━{20} \d+s \d+(ms|us|s)/step - accuracy: \d\.\d{4} - "
               r"loss: (\d\.\d{4}) - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$")
    match = re.match(pattern, last)
    assert match, last
    assert float(match.group(2)) == round(history.history["loss"][0], 4)


def test_verbose_0_silent(capsys):
    out, _ = fitted_output(capsys, verbose=0)
    assert out == ""


def test_evaluate_and_predict_bars(capsys):
    model = models.Sequential([keraslite.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((10, 2), "float32")
    capsys.readouterr()
    model.evaluate(x, x[:, :1], batch_size=5)
    last = final_segments(capsys.readouterr().out)[-1]
    assert re.match(r"^2/2 ━{20} \d+s \d+(ms|us|s)/step - loss: \d\.\d{4}", last)
    model.predict(x, batch_size=5)
    last = final_segments(capsys.readouterr().out)[-1]
    assert re.match(r"^2/2 ━{20} \d+s \d+(ms|us|s)/step$", last)


def test_progbar_averages_stateless_values():
    stream = io.StringIO()
    bar = Progbar(target=2, verbose=2, stream=stream)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    assert "loss: 3.0000" in stream.getvalue()  # finalize shows the last value
    bar = Progbar(target=3, verbose=1, stream=stream, interval=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    assert "loss: 2.0000" in stream.getvalue().split("\r")[-1]


def test_small_values_use_scientific_notation():
    stream = io.StringIO()
    bar = Progbar(target=1, verbose=2, stream=stream)
    bar.update(1, [("loss", 0.0001234)])
    assert "loss: 1.2340e-04" in stream.getvalue()


def test_interrupted_fit_ends_the_bar_line(capsys):
    class Stop(keraslite.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyboardInterrupt

    model = models.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((100, 3), "float32")
    capsys.readouterr()
    try:
        model.fit(x, x[:, :1], batch_size=10, verbose=1, callbacks=[Stop()])
    except KeyboardInterrupt:
        sys.stdout.write("after")
    out = capsys.readouterr().out
    assert out.endswith("\nafter") and "/10" in out


# --- the final N/N line is written once, whatever the timing -------------------------------
class FakeClock:
    """Stands in for the `time` module in keraslite.utils.progbar."""

    def __init__(self, step):
        self.now = 1000.0
        self.step = step

    def time(self):
        self.now += self.step
        return self.now


def use_clock(monkeypatch, step):
    from keraslite.utils import progbar as progbar_module

    monkeypatch.setattr(progbar_module, "time", FakeClock(step))


def plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("step", [0.0, 0.01, 1.0, 100.0], ids=lambda s: f"{s}s")
def test_final_update_is_drawn_once(monkeypatch, step):
    # As ProgbarLogger drives a bar: each batch with finalize=False, the
    # last batch included, then finalize=True at the end of the epoch.
    use_clock(monkeypatch, step)
    stream = io.StringIO()
    bar = Progbar(target=3, stream=stream)
    for i in (1, 2, 3):
        bar.update(i, [("loss", 1.0 / i)], finalize=False)
    bar.update(3, [("loss", 0.25)], finalize=True)
    out = plain(stream.getvalue())
    assert out.count("3/3") == 1, repr(out)
    assert out.endswith("\n") and out.count("\n") == 1
    assert final_segments(out)[-1].endswith("loss: 0.2500")


@pytest.mark.parametrize("step", [0.0, 1.0], ids=["fast", "slow"])
def test_fit_evaluate_predict_write_each_final_line_once(monkeypatch, capsys, step):
    use_clock(monkeypatch, step)
    model = models.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((4, 3), "float32")
    capsys.readouterr()
    model.fit(x, x[:, :1], batch_size=2, epochs=3, verbose=1)
    out = plain(capsys.readouterr().out)
    assert out.count("2/2") == 3, repr(out)  # one per epoch
    assert out.count("Epoch") == 3
    model.evaluate(x, x[:, :1], batch_size=2, verbose=1)
    model.predict(x, batch_size=2, verbose=1)
    out = plain(capsys.readouterr().out)
    assert out.count("2/2") == 2, repr(out)


def test_bar_without_final_update_still_finalizes_at_its_target(monkeypatch):
    use_clock(monkeypatch, 1.0)
    stream = io.StringIO()
    bar = Progbar(target=2, stream=stream)
    bar.update(1)
    bar.update(2)  # finalize defaults to current >= target
    out = plain(stream.getvalue())
    assert out.count("2/2") == 1 and out.endswith("\n")
