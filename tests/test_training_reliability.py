"""fit under stress: a loss that turns NaN, and Ctrl-C (KeyboardInterrupt).

A NaN loss does not stop training (as in Keras, without TerminateOnNaN).
Ctrl-C in the main thread stops fit after the batch in progress: the
weights and optimizer state are those of a whole number of steps (checked
against a replay of exactly that many steps), `model.history` keeps the
completed epochs, callbacks' `on_train_end` runs, and KeyboardInterrupt
reaches the caller.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.callbacks import Callback

N, D, BATCH = 96, 5, 16
STEPS = N // BATCH
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def default_sigint_handler():
    """Python's own SIGINT handler, however pytest was started.

    A process started with SIGINT ignored (a background job, some CI
    runners) keeps it ignored, and fit rightly leaves an ignored SIGINT
    alone; these tests are about the default handler, so they install it.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def regression_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, D)).astype("float32")
    y = (x @ rng.normal(size=(D, 1))).astype("float32")
    return x, y


def adam_model():
    model = keraslite.Sequential([keraslite.Input((D,)),
                                  layers.Dense(8, activation="tanh"),
                                  layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def replay(initial_weights, x, y, steps, batch_size):
    """A fresh model trained for exactly `steps` batches, in order."""
    model = adam_model()
    model.set_weights(initial_weights)
    per_epoch = int(np.ceil(len(x) / batch_size))
    for i in range(steps):
        start = (i % per_epoch) * batch_size
        model.train_on_batch(x[start:start + batch_size], y[start:start + batch_size])
    return model


def assert_same_state(model, reference):
    assert model.optimizer.iterations == reference.optimizer.iterations
    for got, want in zip(model.get_weights(), reference.get_weights()):
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for got, want in zip(model.optimizer.get_state(), reference.optimizer.get_state()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


class Recorder(Callback):
    """Records on_train_end's logs; runs `action(epoch, batch)` per batch."""

    def __init__(self, on_batch_begin=None, on_batch_end=None):
        super().__init__()
        self.epoch = None
        self.train_end_logs = None
        self._begin, self._end = on_batch_begin, on_batch_end

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self._begin:
            self._begin(self.epoch, batch)

    def on_train_batch_end(self, batch, logs=None):
        if self._end:
            self._end(self.epoch, batch)

    def on_train_end(self, logs=None):
        self.train_end_logs = dict(logs or {})


# --- NaN loss --------------------------------------------------------------------------
def diverging_fit(lib):
    """SGD with a huge learning rate: the loss overflows, then turns NaN."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1))).astype("float32")
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(8, activation="tanh"),
                            lib.layers.Dense(1)])
    model.set_weights([np.full(w.shape, 0.1, "float32") for w in model.get_weights()])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=10.0), loss="mse",
                  metrics=["mae"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's overflow notes
        return model.fit(x, y, epochs=6, batch_size=16, shuffle=False, verbose=0)


def test_nan_loss_does_not_stop_training_and_history_records_it():
    history = diverging_fit(keraslite)
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    loss = np.array(history.history["loss"])
    assert np.isfinite(loss[:2]).all() and np.isnan(loss[2:]).all()
    assert np.isnan(history.history["mae"][-1])


# --- KeyboardInterrupt in-process ------------------------------------------------------
def test_keyboard_interrupt_from_callback_keeps_a_consistent_model():
    x, y = regression_data()
    keraslite.utils.set_random_seed(1)
    model = adam_model()
    initial = model.get_weights()

    def interrupt(epoch, batch):
        if epoch == 2 and batch == 3:
            raise KeyboardInterrupt

    recorder = Recorder(on_batch_end=interrupt)
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=BATCH, epochs=10, shuffle=False, verbose=0,
                  callbacks=[recorder])
    assert signal.getsignal(signal.SIGINT) is handler
    # The batch whose on_train_batch_end raised was fully applied.
    assert model.optimizer.iterations == 2 * STEPS + 4
    assert model.history.epoch == [0, 1]
    assert len(model.history.history["loss"]) == 2
    assert recorder.train_end_logs["loss"] == model.history.history["loss"][-1]
    assert model.stop_training
    assert_same_state(model, replay(initial, x, y, 2 * STEPS + 4, BATCH))
    # The model is usable afterwards: training resumes normally.
    history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    assert history.epoch == [0] and np.isfinite(history.history["loss"]).all()


def test_sigint_stops_fit_after_the_current_batch():
    """A SIGINT raised before batch 3 of epoch 1 lets that batch finish."""
    x, y = regression_data()
    keraslite.utils.set_random_seed(2)
    model = adam_model()
    initial = model.get_weights()

    def send_sigint(epoch, batch):
        if epoch == 1 and batch == 3:
            os.kill(os.getpid(), signal.SIGINT)

    recorder = Recorder(on_batch_begin=send_sigint)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=BATCH, epochs=10, shuffle=False, verbose=0,
                  callbacks=[recorder])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # Without the deferral the interrupt would land before batch 3 ran.
    assert model.optimizer.iterations == STEPS + 4
    assert model.history.epoch == [0]  # the interrupted epoch is not recorded
    assert recorder.train_end_logs == {
        k: v[-1] for k, v in model.history.history.items()
    }
    assert_same_state(model, replay(initial, x, y, STEPS + 4, BATCH))


def test_sigint_during_last_batch_completes_that_epoch():
    x, y = regression_data()
    model = adam_model()

    def send_sigint(epoch, batch):
        if epoch == 1 and batch == STEPS - 1:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=BATCH, epochs=10, verbose=0,
                  validation_data=(x, y), callbacks=[Recorder(send_sigint)])
    assert model.history.epoch == [0, 1]
    assert len(model.history.history["val_loss"]) == 2
    assert model.optimizer.iterations == 2 * STEPS


def test_handler_restored_after_an_error_and_left_alone_if_customised():
    x, y = regression_data()
    model = adam_model()

    def fail(epoch, batch):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError):
        model.fit(x, y, verbose=0, callbacks=[Recorder(fail)])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    received = []
    custom = lambda signum, frame: received.append(signum)  # noqa: E731

    def send_sigint(epoch, batch):
        if epoch == 0 and batch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, custom)
    try:
        history = model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0,
                            callbacks=[Recorder(send_sigint)])
        assert signal.getsignal(signal.SIGINT) is custom
    except KeyboardInterrupt:  # would otherwise end the whole pytest run
        pytest.fail("fit replaced the application's SIGINT handler")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert received == [signal.SIGINT]  # the application's handler ran
    assert history.epoch == [0, 1]  # and fit was not stopped


def test_fit_in_a_worker_thread_leaves_signals_alone():
    x, y = regression_data()
    model = adam_model()
    errors, histories = [], []

    def work():
        try:
            histories.append(model.fit(x, y, epochs=2, verbose=0))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert not errors and histories[0].epoch == [0, 1]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- Ctrl-C on a real training process --------------------------------------------------
CHILD = textwrap.dedent("""
    import json, signal, sys
    # Ctrl-C must raise KeyboardInterrupt here even if this process was
    # started with SIGINT ignored (it then inherits SIG_IGN).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import numpy as np
    import keraslite
    from keraslite import layers
    from keraslite.callbacks import Callback

    out = sys.argv[1]
    data = np.load(out + "/data.npz")
    x, y = data["x"], data["y"]
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([keraslite.Input((x.shape[1],)),
                                  layers.Dense(8, activation="tanh"),
                                  layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    np.savez(out + "/initial.npz", *model.get_weights())

    class Files(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                open(out + "/ready", "w").close()

        def on_train_end(self, logs=None):
            with open(out + "/train_end.json", "w") as f:
                json.dump(logs, f)

    try:
        model.fit(x, y, batch_size=int(sys.argv[2]), epochs=10**6,
                  shuffle=False, verbose=0, callbacks=[Files()])
    finally:
        np.savez(out + "/final.npz", *model.get_weights())
        np.savez(out + "/optimizer.npz", *model.optimizer.get_state())
        with open(out + "/history.json", "w") as f:
            json.dump({"epoch": model.history.epoch,
                       "history": model.history.history,
                       "iterations": model.optimizer.iterations}, f)
""")


def load_list(path):
    with np.load(path) as f:
        return [f[f"arr_{i}"] for i in range(len(f.files))]


def test_sigint_to_a_training_process(tmp_path):
    x, y = regression_data()
    np.savez(tmp_path / "data.npz", x=x, y=y)
    (tmp_path / "child.py").write_text(CHILD)
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "child.py"), str(tmp_path), str(BATCH)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while not (tmp_path / "ready").exists():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the child never trained 3 epochs"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    # Python exits through KeyboardInterrupt by re-raising SIGINT on itself.
    assert proc.returncode == -signal.SIGINT, stderr
    assert "KeyboardInterrupt" in stderr

    record = json.loads((tmp_path / "history.json").read_text())
    epochs, iterations = len(record["epoch"]), record["iterations"]
    assert epochs >= 3 and record["epoch"] == list(range(epochs))
    assert all(len(v) == epochs for v in record["history"].values())
    # Only completed epochs are recorded; the steps of the interrupted one
    # are all whole steps.
    assert epochs * STEPS <= iterations < (epochs + 1) * STEPS
    train_end = json.loads((tmp_path / "train_end.json").read_text())
    assert train_end == {k: v[-1] for k, v in record["history"].items()}

    reference = replay(load_list(tmp_path / "initial.npz"), x, y, iterations, BATCH)
    for got, want in zip(load_list(tmp_path / "final.npz"), reference.get_weights()):
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    state = load_list(tmp_path / "optimizer.npz")
    assert int(state[0]) == iterations
    for got, want in zip(state, reference.optimizer.get_state()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# --- however the suite is started --------------------------------------------------------
def test_ignored_sigint_is_left_alone():
    x, y = regression_data()
    model = adam_model()

    def send_sigint(epoch, batch):
        if epoch == 0 and batch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # restored by the fixture
    history = model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0,
                        callbacks=[Recorder(send_sigint)])
    assert history.epoch == [0, 1]  # the ignored Ctrl-C did not stop fit
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


LAUNCH_WITH_SIGINT_IGNORED = (
    "import os, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited through exec\n"
    "os.execv(sys.executable, [sys.executable] + sys.argv[1:])\n"
)


def test_these_tests_pass_when_started_with_sigint_ignored():
    """As `bash -c "trap '' INT; python -m pytest ..."` starts them."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH_WITH_SIGINT_IGNORED,
         "-m", "pytest", os.path.abspath(__file__), "-q", "-p", "no:cacheprovider",
         "-k", "not started_with_sigint_ignored"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout
