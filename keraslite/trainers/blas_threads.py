"""How many BLAS threads `fit`'s loop uses, chosen by timing steps.

Two BLAS threads that wait for each other collapse when one of them cannot
get a core (a busy machine: a browser, CI, other notebooks): on a 2-core
machine with other processes running, a step took 10-20x longer with two
OpenBLAS threads than with one. So `fit` measures instead of assuming: it
times a few steps at each candidate thread count (1, 2, 4, ... up to the
BLAS's count at the start of `fit`), keeps the fastest, and measures again
when the step times drift away from the chosen one's (or, less and less
often, when they do not). The thread count is restored when `fit` returns.

An explicit choice always wins: `keraslite.config.set_blas_threads(n)`, or
any of the BLAS's own environment variables (`OPENBLAS_NUM_THREADS`,
`OMP_NUM_THREADS`, `MKL_NUM_THREADS`, ...), which turn the measuring off.

NOTE: OpenBLAS splits the inner dimension of a product differently at one
and at several threads once it exceeds 512, so a product such as MNIST's
`x @ W1` (K = 784) can differ in its last bits (relative ~5e-7) between
thread counts; with a fixed count, results are repeatable bit for bit.

The thread count is set through `threadpoolctl` (imported at the first
`fit`, not with keraslite); without it `fit` leaves the BLAS alone.
"""
import os
import statistics

# The BLAS libraries' own variables: when one is set, the user has chosen.
ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
            "BLIS_NUM_THREADS", "GOTO_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

_SETTING = [None]  # keraslite.config.set_blas_threads; None: measured
_CONTROLLER = []  # the threadpoolctl controller, made once per process


def set_blas_threads(threads):
    """Sets how many BLAS threads `fit` uses; None (the default) measures.

    By default `fit` times its first steps with each thread count and keeps
    the fastest (one thread when other processes hold the cores, all when
    the machine is quiet), and measures again when step times drift. An
    integer fixes the count for every later `fit` (results are then
    repeatable bit for bit); the BLAS's environment variables
    (`OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS`, `MKL_NUM_THREADS`) also turn
    the measuring off.

    Args:
        threads: A positive integer, or None.
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(
            threads, int) or threads < 1):
        raise ValueError(
            "Argument `threads` must be a positive integer or None. "
            f"Received: threads={threads!r}")
    _SETTING[0] = threads


def get_blas_threads():
    """The count set by `set_blas_threads`, or None (measured by `fit`)."""
    return _SETTING[0]


def _blas_controllers():
    """threadpoolctl's controllers of the loaded BLAS libraries ([] if none)."""
    if not _CONTROLLER:
        try:
            import threadpoolctl
        except ImportError:  # fit then leaves the BLAS as it is
            _CONTROLLER.append([])
        else:
            controller = threadpoolctl.ThreadpoolController()
            _CONTROLLER.append(
                [lib for lib in controller.lib_controllers if lib.user_api == "blas"])
    return _CONTROLLER[0]


class BlasThreads:
    """The BLAS thread count of one `fit`: `observe` each step, `close` at the end.

    Args:
        controllers: threadpoolctl library controllers (default: the loaded
            BLAS libraries'); anything with `get_num_threads()` and
            `set_num_threads(n)`.
        setting: A fixed count, or None to measure (default: the
            `set_blas_threads` setting).
        environ: Where to look for the BLAS variables (os.environ).
    """

    def __init__(self, controllers=None, setting=None, environ=None):
        self._controllers = _blas_controllers() if controllers is None else controllers
        setting = _SETTING[0] if setting is None else setting
        environ = os.environ if environ is None else environ
        self._original = [c.get_num_threads() for c in self._controllers]
        self.tuner = None
        if not self._controllers:
            return
        if setting is not None:
            self._set(setting)
        elif not any(environ.get(name) for name in ENV_VARS):
            most = max(self._original)
            if most > 1:
                self.tuner = ThreadTuner(candidates(most), self._set, threads=most)

    def _set(self, threads):
        for controller in self._controllers:
            controller.set_num_threads(threads)

    def observe(self, seconds, batch_size):
        """Reports one training step's duration."""
        if self.tuner is not None:
            self.tuner.observe(seconds, batch_size)

    def close(self):
        """Restores the thread counts found at the start."""
        for controller, threads in zip(self._controllers, self._original):
            controller.set_num_threads(threads)


def candidates(most):
    """1, 2, 4, ... below `most`, then `most`."""
    out, n = [], 1
    while n < most:
        out.append(n)
        n *= 2
    return out + [most]


class ThreadTuner:
    """Chooses among thread counts from the step times it is told (`observe`).

    A *trial* times `trial_steps` steps at each candidate and keeps the one
    with the smallest median. The first trial goes from the fewest threads
    up; a later one starts with the count in use. A candidate whose step
    takes more than `abort_ratio` times the best median so far is dropped at
    once (a count that collapses under load costs one step, not three).

    After a trial, the median of each `window` steps is compared with the
    second window's (the *baseline*; the first may still feel the trial). Slower by more than a factor `drift`
    starts a new trial if fewer threads are possible (load came: more threads
    would not help); faster by that factor starts one if more threads are
    possible (load went). A trial also runs every `recheck` steps, a period
    that doubles (up to `max_recheck`) each time a trial keeps the same
    count and starts again from `recheck` when one changes it. If the first
    trial's steps (at the fewest threads) are shorter than `min_step_s`, the
    BLAS hardly matters (small products run on one thread anyway) and the
    tuner stops there.

    Only steps of the first batch size seen count (the smaller last batch
    of an epoch is ignored), and not the very first step (it builds the
    optimizer and the metrics) nor the first after each change of count. `set_threads(n)` is called whenever the
    count changes.

    Args:
        candidates: The thread counts to choose from, ascending.
        set_threads: Called with the new count when it changes.
        threads: The count in use at the start (default: the largest).
    """

    def __init__(self, candidates, set_threads, threads=None, trial_steps=3,
                 window=10, drift=1.3, abort_ratio=2.0, recheck=250,
                 max_recheck=4000, min_step_s=5e-4):
        self.candidates = sorted(candidates)
        self._set_threads = set_threads
        self.threads = self.candidates[-1] if threads is None else threads
        self.trial_steps = trial_steps
        self.window = window
        self.drift = drift
        self.abort_ratio = abort_ratio
        self.min_recheck = self.recheck = recheck
        self.max_recheck = max_recheck
        self.min_step_s = min_step_s
        self.chosen = None  # the count kept by the last trial
        self.baseline = None  # the median of the first window after it
        self.trials = []  # {count: score in seconds} of each trial, in order
        self.stopped = False
        self._batch_size = None
        self._skip = 1
        self._start_trial(self.candidates)

    # --- trials ---------------------------------------------------------------
    def _start_trial(self, order):
        self._queue = list(order)
        self._times = []
        self._scores = {}
        self._use(self._queue[0])

    def _use(self, threads):
        if threads != self.threads:
            self.threads = threads
            self._set_threads(threads)
            # The first step at a new count is not timed: it wakes (the
            # first time, starts) the BLAS threads; measured on the book
            # network, the first two-thread step took 12 ms against 2.2.
            self._skip = 1

    def _trial_step(self, seconds):
        self._times.append(seconds)
        best = min(self._scores.values()) if self._scores else None
        if best is not None and seconds > self.abort_ratio * best:
            self._finish_candidate(seconds)
        elif len(self._times) == self.trial_steps:
            median = statistics.median(self._times)
            if not self.trials and not self._scores and median < self.min_step_s:
                self.stopped = True  # small products: nothing to choose
                self._queue = []
                return
            self._finish_candidate(median)

    def _finish_candidate(self, score):
        self._scores[self._queue.pop(0)] = score
        self._times = []
        if self._queue:
            self._use(self._queue[0])
            return
        self.trials.append(dict(self._scores))
        best = min(self._scores, key=self._scores.get)
        if best == self.chosen:
            self.recheck = min(2 * self.recheck, self.max_recheck)
        else:
            self.recheck = self.min_recheck
        self.chosen = best
        self.baseline = None
        self._settling = True  # the first window after a trial is not used
        self._use(best)
        self._since_trial = 0
        self._window_times = []

    def _retrial(self):
        current = self.threads
        self._start_trial([current] + [c for c in self.candidates if c != current])

    # --- every step -------------------------------------------------------------
    def observe(self, seconds, batch_size):
        """Records one step of `batch_size` samples that took `seconds`."""
        if self.stopped:
            return
        if self._batch_size is None:
            self._batch_size = batch_size
        elif batch_size != self._batch_size:
            return
        if self._skip:
            self._skip -= 1
            return
        if self._queue:
            self._trial_step(seconds)
            return
        self._since_trial += 1
        self._window_times.append(seconds)
        if len(self._window_times) == self.window:
            median = statistics.median(self._window_times)
            self._window_times = []
            if self._settling:
                self._settling = False
            elif self.baseline is None:
                self.baseline = median
            elif (median > self.baseline * self.drift
                  and self.chosen > self.candidates[0]) or (
                    median * self.drift < self.baseline
                    and self.chosen < self.candidates[-1]):
                self._retrial()
                return
        if self._since_trial >= self.recheck:
            self._retrial()
