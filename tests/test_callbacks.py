"""Callbacks: what each one does during fit, step by step, without TensorFlow.

Most tests script the monitored quantity: a `Scripted` callback placed first
in the list overwrites `logs[monitor]` at each epoch end with a chosen
sequence, so the epoch at which a callback acts is known in advance (and
can be worked out by hand from Keras's rules, as the comments do).
"""
import csv
import io
import os

import numpy as np
import pytest

import keraslite
from keraslite import callbacks, layers


class Scripted(keraslite.callbacks.Callback):
    """Sets `logs[key]` to `values[epoch]` at each epoch end (goes first)."""

    def __init__(self, key, values):
        super().__init__()
        self.key = key
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Recorder(keraslite.callbacks.Callback):
    """Records the weights and learning rate at each epoch end (goes last)."""

    def __init__(self):
        super().__init__()
        self.weights = []
        self.lrs = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())
        self.lrs.append(float(self.model.optimizer.learning_rate))


def make_model(optimizer="sgd", metrics=("accuracy",), seed=0):
    keraslite.utils.set_random_seed(seed)
    model = keraslite.Sequential([
        keraslite.Input((4,)),
        layers.Dense(5, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=list(metrics))
    return model


def data(n=32, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")
    return x, y


def fit(model, cbs, epochs, validation=True, **kwargs):
    x, y = data()
    kwargs.setdefault("batch_size", 8)
    return model.fit(x, y, epochs=epochs, verbose=0, shuffle=False,
                     validation_data=data(16, seed=2) if validation else None,
                     callbacks=cbs, **kwargs)


# --- EarlyStopping --------------------------------------------------------------
@pytest.mark.parametrize("values, kwargs, epochs_run, stopped_epoch, best_epoch", [
    # best at 1; no improvement at 2 (wait 1) and 3 (wait 2 >= patience): stop at 3.
    ([1.0, 0.9, 0.95, 0.96, 0.8, 0.7], {"patience": 2}, 4, 3, 1),
    # patience 0 stops at the first epoch without improvement.
    ([1.0, 0.9, 0.95, 0.8], {"patience": 0}, 3, 2, 1),
    # min_delta=0.2: only a drop of more than 0.2 counts.
    ([1.0, 0.9, 0.85, 0.5, 0.4], {"patience": 2, "min_delta": 0.2}, 3, 2, 0),
    # min_delta sign is ignored (abs), as in Keras.
    ([1.0, 0.9, 0.85, 0.5, 0.4], {"patience": 2, "min_delta": -0.2}, 3, 2, 0),
    # baseline never beaten: improvements don't reset the wait, so the first
    # non-improving epoch after `patience` epochs stops training.
    ([1.0, 0.9, 0.95, 0.96], {"patience": 2, "baseline": 0.5}, 3, 2, 1),
    # baseline beaten at epoch 1: then counted as usual.
    ([1.0, 0.4, 0.45, 0.46, 0.47], {"patience": 2, "baseline": 0.5}, 4, 3, 1),
    # start_from_epoch: epochs 0 and 1 are not looked at.
    ([1.0, 2.0, 3.0, 2.5, 4.0, 1.0], {"patience": 0, "start_from_epoch": 2}, 5, 4, 3),
    # never stops: all epochs run.
    ([1.0, 0.9, 0.8, 0.7], {"patience": 1}, 4, 0, 3),
    # equal values are not an improvement.
    ([1.0, 1.0, 1.0], {"patience": 1}, 2, 1, 0),
])
def test_early_stopping_stops_at_the_right_epoch(values, kwargs, epochs_run,
                                                 stopped_epoch, best_epoch):
    early = callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True, **kwargs)
    recorder = Recorder()
    model = make_model()
    history = fit(model, [Scripted("val_loss", values), early, recorder], epochs=len(values))
    assert len(history.epoch) == epochs_run
    assert history.history["val_loss"] == values[:epochs_run]
    assert early.stopped_epoch == stopped_epoch
    assert early.best_epoch == best_epoch
    # The weights are those at the end of the best epoch (when no epoch after
    # start_from_epoch improved, those of the first monitored epoch).
    for got, want in zip(model.get_weights(), recorder.weights[best_epoch]):
        np.testing.assert_array_equal(got, want)
    if best_epoch != epochs_run - 1:
        assert not all(np.array_equal(a, b) for a, b in
                       zip(recorder.weights[-1], recorder.weights[best_epoch]))


def test_early_stopping_mode_auto_maximises_accuracy():
    early = callbacks.EarlyStopping(monitor="val_accuracy", patience=1)
    model = make_model()
    history = fit(model, [Scripted("val_accuracy", [0.5, 0.6, 0.55, 0.7]), early], epochs=4)
    assert len(history.epoch) == 3 and early.stopped_epoch == 2
    assert early.monitor_op(0.7, 0.6)  # greater is better


@pytest.mark.parametrize("mode, values, epochs_run", [
    ("max", [0.5, 0.6, 0.55, 0.7], 3),
    ("min", [0.5, 0.6, 0.55, 0.7], 2),
])
def test_early_stopping_explicit_mode(mode, values, epochs_run):
    early = callbacks.EarlyStopping(monitor="val_loss", patience=1, mode=mode)
    history = fit(make_model(), [Scripted("val_loss", values), early], epochs=4)
    assert len(history.epoch) == epochs_run


def test_early_stopping_without_restore_keeps_the_last_weights():
    early = callbacks.EarlyStopping(monitor="val_loss", patience=1)
    recorder = Recorder()
    model = make_model()
    fit(model, [Scripted("val_loss", [1.0, 0.5, 0.6, 0.7]), early, recorder], epochs=4)
    assert early.stopped_epoch == 2
    for got, want in zip(model.get_weights(), recorder.weights[-1]):
        np.testing.assert_array_equal(got, want)


def test_early_stopping_messages(capsys):
    early = callbacks.EarlyStopping(monitor="val_loss", patience=1, verbose=1,
                                    restore_best_weights=True)
    fit(make_model(), [Scripted("val_loss", [1.0, 0.5, 0.6, 0.7]), early], epochs=4)
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n"
    )


def test_early_stopping_is_reusable_across_fits():
    early = callbacks.EarlyStopping(monitor="val_loss", patience=0)
    model = make_model()
    first = fit(model, [Scripted("val_loss", [1.0, 2.0, 3.0]), early], epochs=3)
    second = fit(model, [Scripted("val_loss", [5.0, 4.0, 3.0]), early], epochs=3)
    assert len(first.epoch) == 2 and len(second.epoch) == 3


def test_early_stopping_on_a_missing_metric_warns_and_continues():
    early = callbacks.EarlyStopping(monitor="val_nothing", mode="min", patience=0)
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric "
                                         "`val_nothing` which is not available"):
        history = fit(make_model(), [early], epochs=3)
    assert len(history.epoch) == 3


def test_early_stopping_on_a_real_overfitting_run():
    # Train on noise: the training loss keeps falling, the validation loss
    # turns up, and training stops `patience` epochs after its minimum.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(24, 4)).astype("float32"), rng.normal(size=(24, 1)).astype("float32")
    val = (rng.normal(size=(24, 4)).astype("float32"), rng.normal(size=(24, 1)).astype("float32"))
    keraslite.utils.set_random_seed(3)
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(64, activation="relu"),
                                  layers.Dense(1)])
    model.compile(optimizer=keraslite.optimizers.Adam(0.01), loss="mse")
    early = callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    history = model.fit(x, y, epochs=200, batch_size=24, shuffle=False, verbose=0,
                        validation_data=val, callbacks=[early])
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert len(val_loss) == best + 4 < 200
    assert early.best_epoch == best and early.stopped_epoch == best + 3
    np.testing.assert_allclose(model.evaluate(*val, verbose=0), val_loss[best], rtol=1e-6)


# --- MonitorCallback rules ------------------------------------------------------------
@pytest.mark.parametrize("monitor, metrics, greater", [
    ("loss", ("accuracy",), False),
    ("val_loss", ("accuracy",), False),
    ("val_accuracy", ("accuracy",), True),
    ("acc", ("acc",), True),
    ("val_binary_accuracy", ("binary_accuracy",), True),
    ("val_mae", ("mae",), False),
    ("mse", ("mse",), False),
    ("val_mean_absolute_error", ("mean_absolute_error",), False),
])
def test_auto_mode_direction(monitor, metrics, greater):
    early = callbacks.EarlyStopping(monitor=monitor)
    model = make_model(metrics=metrics)
    fit(model, [early], epochs=1)
    assert early.monitor_op(1.0, 0.5) is greater


def test_auto_mode_fails_for_an_unknown_direction():
    early = callbacks.EarlyStopping(monitor="val_binary_accuracy")
    model = make_model(metrics=[keraslite.metrics.binary_accuracy])
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        fit(model, [early], epochs=1)


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="EarlyStopping mode 'sideways' is unknown"):
        early = callbacks.EarlyStopping(mode="sideways")
    assert early.mode == "auto"


def test_improvements_are_compared_in_float32():
    # 1.0 - 1e-9 rounds to 1.0 in float32, so it is no improvement (as Keras).
    early = callbacks.EarlyStopping(monitor="val_loss", patience=0)
    history = fit(make_model(), [Scripted("val_loss", [1.0, 1.0 - 1e-9, 0.5]), early], epochs=3)
    assert len(history.epoch) == 2


# --- ModelCheckpoint ------------------------------------------------------------------
class SaveLog:
    """Replaces model.save/save_weights with a recorder of (kind, path)."""

    def __init__(self, model, monkeypatch):
        self.calls = []
        monkeypatch.setattr(model, "save", lambda path, overwrite=True: self.calls.append(("save", path)))
        monkeypatch.setattr(model, "save_weights",
                            lambda path, overwrite=True: self.calls.append(("weights", path)))


def test_checkpoint_fills_the_template_from_epoch_and_logs(tmp_path, monkeypatch):
    model = make_model()
    saves = SaveLog(model, monkeypatch)
    template = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.weights.h5")
    checkpoint = callbacks.ModelCheckpoint(template, save_weights_only=True)
    fit(model, [Scripted("val_loss", [0.5, 0.4567, 0.7]), checkpoint], epochs=3)
    assert saves.calls == [
        ("weights", str(tmp_path / "weights.01-0.50.weights.h5")),
        ("weights", str(tmp_path / "weights.02-0.46.weights.h5")),
        ("weights", str(tmp_path / "weights.03-0.70.weights.h5")),
    ]


@pytest.mark.parametrize("kwargs, values, saved_epochs", [
    ({"save_best_only": True}, [0.5, 0.6, 0.4, 0.4, 0.3], [1, 3, 5]),
    ({"save_best_only": True, "mode": "max"}, [0.5, 0.6, 0.4, 0.7, 0.3], [1, 2, 4]),
    ({"save_best_only": True, "initial_value_threshold": 0.45}, [0.5, 0.6, 0.4, 0.42, 0.3],
     [3, 5]),
    ({"save_best_only": False}, [0.5, 0.6, 0.4], [1, 2, 3]),
])
def test_checkpoint_save_best_only(tmp_path, monkeypatch, kwargs, values, saved_epochs):
    model = make_model()
    saves = SaveLog(model, monkeypatch)
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "model.{epoch}.keras"), **kwargs)
    fit(model, [Scripted("val_loss", values), checkpoint], epochs=len(values))
    assert saves.calls == [("save", str(tmp_path / f"model.{e}.keras")) for e in saved_epochs]


def test_checkpoint_messages(tmp_path, monkeypatch, capsys):
    model = make_model()
    SaveLog(model, monkeypatch)
    path = str(tmp_path / "best.keras")
    checkpoint = callbacks.ModelCheckpoint(path, save_best_only=True, verbose=1)
    fit(model, [Scripted("val_loss", [0.5, 0.6, 0.25]), checkpoint], epochs=3)
    assert capsys.readouterr().out == (
        f"\nEpoch 1: val_loss improved from None to 0.50000, saving model to {path}\n"
        f"\nEpoch 1: finished saving model to {path}\n"
        "\nEpoch 2: val_loss did not improve from 0.50000\n"
        f"\nEpoch 3: val_loss improved from 0.50000 to 0.25000, saving model to {path}\n"
        f"\nEpoch 3: finished saving model to {path}\n"
    )


def test_checkpoint_every_n_batches(tmp_path, monkeypatch):
    model = make_model()
    saves = SaveLog(model, monkeypatch)
    checkpoint = callbacks.ModelCheckpoint(
        str(tmp_path / "e{epoch}-b{batch}.weights.h5"), save_weights_only=True, save_freq=3)
    fit(model, [checkpoint], epochs=2)  # 4 batches per epoch
    names = [os.path.basename(p) for _, p in saves.calls]
    assert names == ["e1-b3.weights.h5", "e2-b2.weights.h5"]


def test_checkpoint_creates_the_folder_and_writes_real_files(tmp_path):
    model = make_model()
    recorder = Recorder()
    template = str(tmp_path / "ckpt" / "w.{epoch:02d}-{val_loss:.2f}.weights.h5")
    checkpoint = callbacks.ModelCheckpoint(template, save_weights_only=True)
    fit(model, [Scripted("val_loss", [0.5, 0.25]), checkpoint, recorder], epochs=2)
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["w.01-0.50.weights.h5",
                                                     "w.02-0.25.weights.h5"]
    fresh = make_model(seed=9)
    fresh.load_weights(str(tmp_path / "ckpt" / "w.01-0.50.weights.h5"))
    for got, want in zip(fresh.get_weights(), recorder.weights[0]):
        np.testing.assert_array_equal(got, want)


def test_checkpoint_writes_a_whole_model(tmp_path):
    model = make_model()
    path = tmp_path / "best.keras"
    fit(model, [callbacks.ModelCheckpoint(path, save_best_only=True)], epochs=2)
    assert path.is_file() and path.stat().st_size > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "w.h5", "save_weights_only": True}, "must end in `.weights.h5`"),
    ({"filepath": "model.ckpt"}, "must end in `.keras`"),
    ({"filepath": "m.keras", "save_freq": "batch"}, "Unrecognized save_freq: batch"),
])
def test_checkpoint_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.ModelCheckpoint(**kwargs)


def test_checkpoint_template_with_an_unknown_key(tmp_path, monkeypatch):
    model = make_model()
    SaveLog(model, monkeypatch)
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_f1}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        fit(model, [checkpoint], epochs=1)


# --- ReduceLROnPlateau -------------------------------------------------------------------
def test_reduce_lr_on_plateau_with_cooldown():
    # patience 1, cooldown 2: reduce at 1; epochs 2 (cooldown) skipped; the
    # cooldown ends at 3, which counts and reduces; 4 is cooldown; 5
    # improves; 6 reduces.
    reduce = callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)
    recorder = Recorder()
    model = make_model(optimizer=keraslite.optimizers.SGD(0.01))
    history = fit(model, [Scripted("val_loss", [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5]),
                          reduce, recorder], epochs=7)
    expected = [0.01, 0.005, 0.005, 0.0025, 0.0025, 0.0025, 0.00125]
    np.testing.assert_allclose(recorder.lrs, expected, rtol=1e-7)
    # logs["learning_rate"] holds the rate the epoch trained with.
    np.testing.assert_allclose(history.history["learning_rate"], [0.01] + expected[:-1],
                               rtol=1e-7)


def test_reduce_lr_on_plateau_respects_min_lr_and_min_delta(capsys):
    reduce = callbacks.ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.004,
                                         min_delta=0.1, verbose=1)
    recorder = Recorder()
    model = make_model(optimizer=keraslite.optimizers.SGD(0.01))
    # 0.95 is within min_delta of 1.0: no improvement.
    fit(model, [Scripted("val_loss", [1.0, 0.95, 0.9, 0.89]), reduce, recorder], epochs=4)
    np.testing.assert_allclose(recorder.lrs, [0.01, 0.004, 0.004, 0.004], rtol=1e-6)
    assert capsys.readouterr().out == (
        "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.004.\n"
    )


def test_reduce_lr_on_plateau_message_uses_the_float32_rate(capsys):
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.1, patience=0, verbose=1)
    model = make_model(optimizer=keraslite.optimizers.RMSprop(0.001))
    fit(model, [Scripted("loss", [1.0, 2.0]), reduce], epochs=2, validation=False)
    # 0.001 is held in float32 (0.0010000000474974513) and then scaled.
    assert capsys.readouterr().out == (
        "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.00010000000474974513.\n"
    )
    assert reduce.monitor_op(0.1, 0.2)


def test_reduce_lr_on_plateau_rejects_factor_one():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.0)


def test_reduced_rate_is_the_one_the_optimizer_steps_with():
    # SGD on loss w**2 (x=1, y=0): w <- w - lr * 2w, so each epoch's
    # update reveals the rate used.
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0)
    model = keraslite.Sequential([keraslite.Input((1,)), layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keraslite.optimizers.SGD(0.25), loss="mse")
    model.set_weights([np.ones((1, 1), "float32")])
    recorder = Recorder()
    model.fit(np.ones((1, 1), "float32"), np.zeros((1, 1), "float32"), epochs=3, verbose=0,
              callbacks=[Scripted("loss", [1.0, 2.0, 3.0]), reduce, recorder])
    # Epochs 0 and 1 step with 0.25; the reduction at the end of epoch 1
    # (loss 2.0 > 1.0) makes epoch 2 step with 0.125.
    ws = [w[0][0, 0] for w in recorder.weights]
    np.testing.assert_allclose(ws, [0.5, 0.5 * (1 - 0.5), 0.25 * (1 - 0.25)], rtol=1e-6)
    np.testing.assert_allclose(recorder.lrs, [0.25, 0.125, 0.0625], rtol=1e-7)


# --- LearningRateScheduler ----------------------------------------------------------------
def test_learning_rate_scheduler_sets_the_rate_each_epoch(capsys):
    seen = []
    scheduler = callbacks.LearningRateScheduler(
        lambda epoch, lr: lr if epoch < 2 else lr * 0.5, verbose=1)
    probe = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(float(model.optimizer.learning_rate)))
    model = make_model(optimizer=keraslite.optimizers.SGD(0.1))
    history = fit(model, [scheduler, probe], epochs=4)
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], seen, rtol=1e-7)
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "Epoch 1: LearningRateScheduler setting learning rate to 0.10000000149011612."
    assert "Epoch 4: LearningRateScheduler setting learning rate to 0.02500000037252903." in out


def test_learning_rate_scheduler_accepts_a_one_argument_schedule():
    scheduler = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    model = make_model()
    history = fit(model, [scheduler], epochs=3)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_learning_rate_scheduler_requires_a_float():
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: "fast")
    with pytest.raises(ValueError, match="output of the `schedule` function should be a float"):
        fit(make_model(), [scheduler], epochs=1)


# --- CSVLogger -----------------------------------------------------------------------------
def read_rows(path, sep=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def test_csv_logger_writes_each_epoch(tmp_path):
    path = tmp_path / "log.csv"
    history = fit(make_model(), [callbacks.CSVLogger(path)], epochs=3)
    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(rows) == 4
    for epoch, row in enumerate(rows[1:]):
        assert row[0] == str(epoch)
        for key, cell in zip(rows[0][1:], row[1:]):
            assert cell == repr(history.history[key][epoch])
    assert path.read_bytes().count(b"\r\n") == 4  # csv.excel line endings, as Keras


def test_csv_logger_append_and_separator(tmp_path):
    path = tmp_path / "log.tsv"
    model = make_model()
    fit(model, [callbacks.CSVLogger(path, separator="\t")], epochs=2)
    fit(model, [callbacks.CSVLogger(path, separator="\t", append=True)], epochs=1)
    rows = read_rows(path, "\t")
    assert rows[0][0] == "epoch" and len(rows) == 4  # one header only
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]
    fit(model, [callbacks.CSVLogger(path, separator="\t")], epochs=1)
    assert len(read_rows(path, "\t")) == 2  # overwritten


def test_csv_logger_reserves_validation_columns(tmp_path):
    path = tmp_path / "log.csv"
    fit(make_model(), [callbacks.CSVLogger(path)], epochs=2, validation=False)
    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1][3:] == ["NA", "NA"]


def test_csv_logger_writes_lists_in_brackets(tmp_path):
    path = tmp_path / "log.csv"
    fit(make_model(), [Scripted("per_class", np.array([[1, 2]] * 2)),
                       callbacks.CSVLogger(path)], epochs=2)
    text = path.read_text()
    assert '"[1, 2]"' in text


# --- TerminateOnNaN -----------------------------------------------------------------------------
def diverging_model():
    model = keraslite.Sequential([keraslite.Input((1,)), layers.Dense(1)])
    model.compile(optimizer=keraslite.optimizers.SGD(1e4), loss="mse")
    return model


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    losses = []
    probe = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: losses.append(logs["loss"]))
    x = np.full((64, 1), 100.0, "float32")
    history = diverging_model().fit(x, x, batch_size=1, epochs=5, shuffle=False, verbose=0,
                                    callbacks=[probe, callbacks.TerminateOnNaN()])
    bad = [i for i, loss in enumerate(losses) if not np.isfinite(loss)]
    assert bad == [len(losses) - 1] and len(losses) < 64
    assert len(history.epoch) == 1
    assert f"Batch {len(losses) - 1}: Invalid loss, terminating training" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_terminate_on_nan_can_raise():
    x = np.full((64, 1), 100.0, "float32")
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
        diverging_model().fit(x, x, batch_size=1, epochs=2, verbose=0,
                              callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


# --- LambdaCallback and the order of the hooks -----------------------------------------------
def test_lambda_callback_hooks_and_arguments():
    calls = []
    cb = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch, logs)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_train_end=lambda logs: calls.append(("train_end", sorted(logs))),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch, logs)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_test_begin=lambda logs: calls.append(("test_begin",)),
    )
    fit(make_model(), [cb], epochs=1, batch_size=16)
    assert calls == [
        ("train_begin", {}),
        ("epoch_begin", 0, {}),
        ("batch_begin", 0, {}), ("batch_end", 0, ["accuracy", "loss"]),
        ("batch_begin", 1, {}), ("batch_end", 1, ["accuracy", "loss"]),
        ("test_begin",),
        ("epoch_end", 0, ["accuracy", "loss", "val_accuracy", "val_loss"]),
        ("train_end", ["accuracy", "loss", "val_accuracy", "val_loss"]),
    ]


class Tracer(keraslite.callbacks.Callback):
    """Records every hook with its batch/epoch index."""

    def __init__(self):
        super().__init__()
        self.trace = []

    def __getattribute__(self, name):
        if name.startswith("on_") and name not in ("on_batch_begin", "on_batch_end"):
            trace = object.__getattribute__(self, "trace")

            def hook(*args, **kwargs):
                trace.append((name,) + tuple(a for a in args if isinstance(a, int)))

            return hook
        return object.__getattribute__(self, name)


def test_hook_order_in_fit_evaluate_and_predict():
    tracer = Tracer()
    model = make_model()
    x, y = data(16)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(x[:8], y[:8]),
              callbacks=[tracer])
    epoch = lambda e: [("on_epoch_begin", e),
                       ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
                       ("on_train_batch_begin", 1), ("on_train_batch_end", 1),
                       ("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
                       ("on_test_end",), ("on_epoch_end", e)]
    assert tracer.trace == [("on_train_begin",)] + epoch(0) + epoch(1) + [("on_train_end",)]
    tracer.trace = []
    model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[tracer])
    assert tracer.trace == [("on_test_begin",), ("on_test_batch_begin", 0),
                            ("on_test_batch_end", 0), ("on_test_batch_begin", 1),
                            ("on_test_batch_end", 1), ("on_test_end",)]
    tracer.trace = []
    model.predict(x, batch_size=16, verbose=0, callbacks=[tracer])
    assert tracer.trace == [("on_predict_begin",), ("on_predict_batch_begin", 0),
                            ("on_predict_batch_end", 0), ("on_predict_end",)]


def test_callbacks_see_the_model_params_and_history():
    seen = {}

    class Probe(keraslite.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen["params"] = dict(self.params)
            seen["model"] = self.model

    model = make_model()
    history = fit(model, [Probe()], epochs=2)
    assert seen["model"] is model
    assert seen["params"]["epochs"] == 2 and seen["params"]["steps"] == 4
    assert model.history is history and history.epoch == [0, 1]


def test_each_callback_gets_a_fresh_copy_of_the_logs():
    # One callback adding a key does not leak into fit's own logs dict,
    # but later callbacks in the list (History) see it, as in Keras.
    model = make_model()
    history = fit(model, [Scripted("extra", [1.0, 2.0])], epochs=2)
    assert history.history["extra"] == [1.0, 2.0]
    assert "extra" not in model.evaluate(*data(8), verbose=0, return_dict=True)


def test_terminate_and_early_stopping_can_share_a_run(tmp_path):
    log = io.StringIO()
    cbs = [Scripted("val_loss", [1.0, 2.0, 3.0]),
           callbacks.EarlyStopping(patience=0),
           callbacks.TerminateOnNaN(),
           callbacks.LambdaCallback(on_epoch_end=lambda e, logs: log.write(f"{e};"))]
    history = fit(make_model(), cbs, epochs=3)
    assert len(history.epoch) == 2 and log.getvalue() == "0;1;"
