"""How fit chooses its BLAS thread count (keraslite/trainers/blas_threads.py).

The selection logic is driven with made-up step times, so these tests are
deterministic; nothing here measures time.
"""
import numpy as np
import pytest

import keraslite
from keraslite.trainers import blas_threads
from keraslite.trainers.blas_threads import BlasThreads, ThreadTuner, candidates

MS = 1e-3


class FakeBlas:
    """A BLAS controller: remembers every `set_num_threads` call."""

    def __init__(self, threads=2):
        self.threads = threads
        self.calls = []

    def get_num_threads(self):
        return self.threads

    def set_num_threads(self, threads):
        self.threads = threads
        self.calls.append(threads)


def drive(tuner, step_ms, steps, batch_size=128):
    """Feeds `steps` steps whose time depends on the tuner's current count;
    returns the counts used, step by step."""
    used = []
    for _ in range(steps):
        used.append(tuner.threads)
        tuner.observe(step_ms(tuner.threads) * MS, batch_size)
    return used


def new_tuner(most=2, **kwargs):
    calls = []
    tuner = ThreadTuner(candidates(most), calls.append, threads=most, **kwargs)
    return tuner, calls


def test_candidates_are_powers_of_two_then_the_maximum():
    assert candidates(1) == [1]
    assert candidates(2) == [1, 2]
    assert candidates(6) == [1, 2, 4, 6]
    assert candidates(8) == [1, 2, 4, 8]


def test_quiet_machine_keeps_the_faster_two_threads():
    tuner, calls = new_tuner()
    used = drive(tuner, {1: 3.0, 2: 2.0}.get, 1 + 3 + 1 + 3)
    # first step skipped, then 3 steps at one thread; at two threads one
    # untimed step (it wakes the threads), then 3
    assert used == [1] * 4 + [2] * 4
    assert tuner.chosen == 2 and tuner.threads == 2
    assert calls == [1, 2]
    assert tuner.trials == [{1: 3.0 * MS, 2: 2.0 * MS}]


def test_busy_machine_keeps_one_thread_and_drops_a_collapsing_count_at_once():
    tuner, calls = new_tuner()
    used = drive(tuner, {1: 3.0, 2: 45.0}.get, 1 + 3 + 2 + 5)
    # at two threads the untimed step, then one timed step only
    assert used[:6] == [1, 1, 1, 1, 2, 2]
    assert used[6:] == [1] * 5
    assert tuner.chosen == 1
    assert tuner.trials == [{1: 3.0 * MS, 2: 45.0 * MS}]
    assert calls == [1, 2, 1]


def test_median_of_the_trial_steps_ignores_one_outlier():
    tuner, _ = new_tuner()
    times = iter([3.0, 3.0, 30.0, 3.0,   # step 0 (skipped), 1 thread
                  12.0,                  # 2 threads: the untimed step
                  2.0, 5.0, 2.0])        # one slowish step (< 2 x 3)
    drive(tuner, lambda threads: next(times), 8)
    assert tuner.chosen == 2
    assert tuner.trials == [{1: 3.0 * MS, 2: 2.0 * MS}]


def machine(busy, quiet_ms, busy_ms):
    """A machine whose step times (ms by thread count) follow `load["busy"]`."""
    load = {"busy": busy}
    return load, lambda threads: (busy_ms if load["busy"] else quiet_ms)[threads]


def test_load_arriving_moves_to_one_thread():
    tuner, calls = new_tuner(window=10)
    load, step_ms = machine(False, {1: 3.0, 2: 2.0}, {1: 4.0, 2: 45.0})

    drive(tuner, step_ms, 8 + 20)  # the trial, a settling window, the baseline
    assert tuner.chosen == 2 and tuner.baseline == 2.0 * MS
    load["busy"] = True
    used = drive(tuner, step_ms, 10)  # one window of slow steps
    assert used == [2] * 10
    used = drive(tuner, step_ms, 5)  # a new trial, from the count in use
    assert used == [2, 2, 2, 1, 1]
    drive(tuner, step_ms, 3)
    assert tuner.chosen == 1
    assert tuner.trials[-1] == {2: 45.0 * MS, 1: 4.0 * MS}
    assert calls == [1, 2, 1]


def test_load_leaving_moves_back_to_two_threads():
    tuner, _ = new_tuner(window=10)
    load, step_ms = machine(True, {1: 3.5, 2: 1.5}, {1: 4.0, 2: 45.0})

    # the trial (at two threads an untimed step and one collapsing one),
    # the untimed step back at one thread, a settling window, the baseline
    drive(tuner, step_ms, 6 + 1 + 20)
    assert tuner.chosen == 1 and tuner.baseline == 4.0 * MS
    load["busy"] = False  # one thread: 4 -> 3.5 ms, not a drift of 1.3x
    drive(tuner, step_ms, 30)
    assert len(tuner.trials) == 1 and tuner.chosen == 1
    tuner.baseline = 5.0 * MS  # a baseline taken under heavier load
    drive(tuner, step_ms, 10 + 3 + 1 + 3)
    assert len(tuner.trials) == 2 and tuner.chosen == 2


def test_slower_steps_at_one_thread_do_not_start_a_trial():
    tuner, _ = new_tuner(window=10)
    times = {1: 3.0, 2: 45.0}
    drive(tuner, times.get, 7 + 20)
    times[1] = 30.0  # heavier load: fewer threads than one are impossible
    drive(tuner, times.get, 100)
    assert len(tuner.trials) == 1


def test_rechecks_come_less_often_while_the_choice_holds():
    tuner, _ = new_tuner(recheck=100, max_recheck=400)
    starts = []
    for step in range(2000):
        before = len(tuner.trials)
        tuner.observe({1: 3.0, 2: 2.0}[tuner.threads] * MS, 128)
        if len(tuner.trials) != before:
            starts.append(step)
    gaps = np.diff(starts)
    # a trial takes 7 steps (3 per count, one untimed after the change),
    # and one more untimed step on going back to two threads; between
    # trials 100, 200, 400, 400 steps
    assert list(gaps[:4]) == [107, 208, 408, 408]
    assert all(trial == {1: 3.0 * MS, 2: 2.0 * MS} for trial in tuner.trials)


def test_a_changed_choice_restarts_the_recheck_period():
    tuner, _ = new_tuner(recheck=100)
    tuner.recheck = 800
    tuner.chosen = 1  # as if an earlier trial had kept one thread
    drive(tuner, {1: 3.0, 2: 2.0}.get, 8)
    assert tuner.chosen == 2 and tuner.recheck == 100


def test_small_products_stop_the_tuner_at_the_current_count():
    tuner, calls = new_tuner()
    drive(tuner, lambda threads: 0.1, 100)
    assert tuner.stopped
    assert calls == [1]  # the trial's first count, then nothing
    assert tuner.trials == []


def test_the_first_step_after_each_change_is_not_timed():
    tuner, _ = new_tuner()
    times = iter([3.0, 3.0, 3.0, 3.0,  # step 0 (skipped), 1 thread
                  50.0,                # 2 threads: waking the threads
                  2.0, 2.0, 2.0])
    used = drive(tuner, lambda threads: next(times), 8)
    assert used == [1] * 4 + [2] * 4
    assert tuner.chosen == 2  # not dropped for its first, slow step
    assert tuner.trials == [{1: 3.0 * MS, 2: 2.0 * MS}]


def test_only_the_usual_batch_size_counts():
    tuner, _ = new_tuner()
    tuner.observe(1.0, 128)  # the first step: skipped
    for _ in range(3):
        tuner.observe(3.0 * MS, 128)
        tuner.observe(99.0, 32)  # a smaller last batch: ignored
    tuner.observe(1.0, 128)  # the first step at two threads: untimed
    for _ in range(3):
        tuner.observe(2.0 * MS, 128)
    assert tuner.trials == [{1: 3.0 * MS, 2: 2.0 * MS}]


def test_more_cores_try_every_power_of_two():
    tuner, _ = new_tuner(most=4)
    drive(tuner, {1: 8.0, 2: 4.0, 4: 3.0}.get, 1 + 3 + 4 + 4)
    assert tuner.trials == [{1: 8.0 * MS, 2: 4.0 * MS, 4: 3.0 * MS}]
    assert tuner.chosen == 4


# --- who decides ------------------------------------------------------------------
def test_measures_by_default_and_restores_the_count_at_close():
    blas = FakeBlas(2)
    chooser = BlasThreads([blas], environ={})
    assert isinstance(chooser.tuner, ThreadTuner)
    assert blas.threads == 1  # the first trial starts with one thread
    chooser.close()
    assert blas.threads == 2


@pytest.mark.parametrize("name", ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                  "MKL_NUM_THREADS"])
def test_the_blas_environment_variables_win(name):
    blas = FakeBlas(2)
    chooser = BlasThreads([blas], environ={name: "2"})
    assert chooser.tuner is None
    chooser.observe(1.0, 128)
    chooser.close()
    assert blas.calls == [2]  # only the restore, to the same count


def test_set_blas_threads_wins_over_measuring_and_the_environment():
    blas = FakeBlas(2)
    chooser = BlasThreads([blas], setting=1, environ={"OMP_NUM_THREADS": "2"})
    assert chooser.tuner is None and blas.threads == 1
    chooser.close()
    assert blas.threads == 2


def test_one_thread_blas_has_nothing_to_choose():
    blas = FakeBlas(1)
    assert BlasThreads([blas], environ={}).tuner is None
    assert blas.calls == []


def test_without_a_blas_controller_fit_leaves_the_blas_alone():
    chooser = BlasThreads([], setting=3, environ={})
    assert chooser.tuner is None
    chooser.observe(1.0, 128)
    chooser.close()


def test_set_and_get_blas_threads():
    assert keraslite.config.get_blas_threads() is None
    try:
        keraslite.config.set_blas_threads(1)
        assert keraslite.config.get_blas_threads() == 1
        assert blas_threads.get_blas_threads() == 1
    finally:
        keraslite.config.set_blas_threads(None)
    assert keraslite.config.get_blas_threads() is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_blas_threads_rejects_non_positive_integers(bad):
    with pytest.raises(ValueError, match=r"Received: threads="):
        keraslite.config.set_blas_threads(bad)


def _book_like_model():
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([
        keraslite.Input((20,)), keraslite.layers.Dense(8, activation="relu"),
        keraslite.layers.Dense(3, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((64, 20), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    return x, y


def test_fit_restores_the_blas_thread_count():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [p["num_threads"] for p in threadpoolctl.threadpool_info()
              if p["user_api"] == "blas"]
    x, y = _data()
    try:
        keraslite.config.set_blas_threads(1)
        _book_like_model().fit(x, y, batch_size=16, epochs=2, verbose=0)
    finally:
        keraslite.config.set_blas_threads(None)
    _book_like_model().fit(x, y, batch_size=16, epochs=2, verbose=0)
    after = [p["num_threads"] for p in threadpoolctl.threadpool_info()
             if p["user_api"] == "blas"]
    assert after == before


def test_fit_restores_the_count_when_a_callback_raises():
    blas = FakeBlas(2)
    blas_threads._CONTROLLER[:] = [[blas]]

    class Boom(keraslite.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise RuntimeError("boom")

    x, y = _data()
    try:
        keraslite.config.set_blas_threads(1)
        with pytest.raises(RuntimeError, match="boom"):
            _book_like_model().fit(x, y, batch_size=16, epochs=1, verbose=0,
                                   callbacks=[Boom()])
    finally:
        keraslite.config.set_blas_threads(None)
        blas_threads._CONTROLLER[:] = []
    assert blas.calls == [1, 2]
