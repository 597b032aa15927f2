"""Callbacks: hooks called by fit/evaluate/predict, as in `keras.callbacks`."""
import collections.abc
import csv
import os
import sys
import warnings

import numpy as np

from keraslite.utils.progbar import Progbar


class Callback:
    """Base class: override any `on_*` hook.

    Attributes:
        params: Dict with "verbose", "epochs" and "steps".
        model: The model being trained.
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Alias of `on_train_batch_begin`, kept for Keras 2 callbacks."""

    def on_batch_end(self, batch, logs=None):
        """Alias of `on_train_batch_end`, kept for Keras 2 callbacks."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch in fit."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its train (and val_) logs."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluate batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluate batch with the running logs."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each predict batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each predict batch with {"outputs": ...}."""

    def on_train_begin(self, logs=None):
        """Called once at the start of fit."""

    def on_train_end(self, logs=None):
        """Called once at the end of fit with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of evaluate (and of fit's validation)."""

    def on_test_end(self, logs=None):
        """Called at the end of evaluate with its logs."""

    def on_predict_begin(self, logs=None):
        """Called at the start of predict."""

    def on_predict_end(self, logs=None):
        """Called at the end of predict."""


class CallbackList(Callback):
    """Calls every hook of a list of callbacks, in order.

    Adds a History (and a ProgbarLogger when asked) at the end, as Keras
    does, unless the list already holds one.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False,
                 model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        self._history = next(
            (c for c in self.callbacks if isinstance(c, History)), None
        )
        self._progbar = next(
            (c for c in self.callbacks if isinstance(c, ProgbarLogger)), None
        )
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model):
        self._model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def overrides(self, *hooks):
        """Whether some callback defines one of `hooks` (fit and evaluate
        skip the per-batch logs, and the hooks, when none does)."""
        for cb in self.callbacks:
            for name in hooks:
                hook = getattr(cb, name, None)  # a method, or a LambdaCallback's function
                if getattr(hook, "__func__", hook) is not getattr(Callback, name):
                    return True
        return False


def _pythonify_logs(logs):
    """A fresh dict of the logs, sorted by name, scalars as Python floats
    (Keras's `python_utils.pythonify_logs`; arrays such as predict's
    "outputs" are passed as they are)."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(_pythonify_logs(value))
            continue
        if np.ndim(value) == 0:
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        result[key] = value
    return result


def _batch_hook(name):
    def hook(self, batch, logs=None):
        logs = _pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, name)(batch, logs=logs)

    hook.__name__ = name
    return hook


def _epoch_hook(name):
    def hook(self, epoch, logs=None):
        logs = _pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, name)(epoch, logs)

    hook.__name__ = name
    return hook


def _begin_end_hook(name):
    def hook(self, logs=None):
        logs = _pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, name)(logs)

    hook.__name__ = name
    return hook


# Each hook hands every callback one fresh dict of logs, in Keras's call
# form: `(batch, logs=logs)`, `(epoch, logs)` or `(logs)`.
for _name in ("on_batch_begin", "on_batch_end", "on_train_batch_begin",
              "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
              "on_predict_batch_begin", "on_predict_batch_end"):
    setattr(CallbackList, _name, _batch_hook(_name))
for _name in ("on_epoch_begin", "on_epoch_end"):
    setattr(CallbackList, _name, _epoch_hook(_name))
for _name in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
              "on_predict_begin", "on_predict_end"):
    setattr(CallbackList, _name, _begin_end_hook(_name))


class History(Callback):
    """Records each epoch's logs in `history` (a dict of lists) and `epoch`."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints Keras's progress bar for fit, evaluate and predict."""

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def on_train_begin(self, logs=None):
        self._called_in_fit = True  # validation inside fit stays silent

    def on_train_end(self, logs=None):
        # An interrupted epoch leaves its live bar without a line break.
        bar = self.progbar
        if self.verbose == 1 and bar is not None and 0 < self.seen < (self.target or 0) \
                and bar._seen_so_far < self.target:
            bar._write("\n")

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose,
                               unit_name="step", stateless_metrics=set())

    def _update_progbar(self, batch, logs=None):
        if self.progbar is None:
            self._reset_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()),
                                finalize=False)

    def _finalize_progbar(self, logs):
        if self.progbar is None:
            self._reset_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()),
                            finalize=True)


def _print_msg(message):
    """Prints a callback's message on stdout, as Keras's `io_utils.print_msg`."""
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


def _path_to_string(path):
    return os.fspath(path) if isinstance(path, os.PathLike) else path


def _metric_direction(metric):
    """"up" or "down" for a compiled metric (its `_direction`), or None."""
    return getattr(metric, "_direction", None)


def _less(a, b):
    # NOTE: Keras compares through `ops.less`, which casts Python floats to
    # float32 first; values equal in float32 are not an improvement.
    return bool(np.float32(a) < np.float32(b))


def _greater(a, b):
    return bool(np.float32(a) > np.float32(b))


class MonitorCallback(Callback):
    """Base of callbacks that watch one logged quantity for improvement.

    Args:
        monitor: Name of the quantity in the logs ("val_loss").
        mode: "auto", "min" or "max". In "auto" the direction comes from
            the name: losses are minimised, and compiled metrics go the
            way Keras's metric of that name goes (accuracies up, errors
            down).
        baseline: Initial "best" value, or None for the first value seen.
        min_delta: Smallest change counted as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None,
                 min_delta=0):
        super().__init__()
        if mode not in ["auto", "min", "max"]:
            warnings.warn(
                f"{self.__class__.__name__} mode '{mode}' is unknown, fallback "
                "to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = _less
        elif self.mode == "max":
            self.monitor_op = _greater
        else:
            metric_name = self.monitor.removeprefix("val_")
            if metric_name == "loss":
                self.monitor_op = _less
            for m in getattr(self.model, "metrics", []):
                if m.name == metric_name:
                    direction = _metric_direction(m)
                    if direction == "up":
                        self.monitor_op = _greater
                    elif direction is not None:
                        self.monitor_op = _less
            if self.monitor_op is None:
                raise ValueError(
                    f"{self.__class__.__name__} callback received "
                    f"monitor={self.monitor}, but Keras isn't able to "
                    "automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to "
                    "monitor based on the highest metric value, or pass "
                    "`mode='min'` in order to use the lowest value."
                )
        if self.monitor_op is _less:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return self.monitor_op(monitor_value - self.min_delta, reference_value)


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored quantity has stopped improving.

    Args:
        monitor: Quantity to watch ("val_loss").
        min_delta: Smallest change that counts as an improvement (0).
        patience: Epochs without improvement before stopping (0).
        verbose: 1 prints when training stops and weights are restored.
        mode: "auto", "min" or "max".
        baseline: Training stops if the model does not beat this value
            within `patience` epochs.
        restore_best_weights: Restore the weights of the best epoch when
            training ends (whether or not it stopped early).
        start_from_epoch: Epochs to wait before monitoring starts.

    Example:
    >>> callback = EarlyStopping(monitor="loss", patience=3)
    >>> model.fit(x, y, epochs=10, callbacks=[callback])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0,
                 mode="auto", baseline=None, restore_best_weights=False,
                 start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # Allow instances to be re-used across `fit()` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the current weights are the best.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only restart the wait when both the baseline and the previous
            # best are beaten.
            if self.baseline is None or self._is_improvement(
                current, self.baseline
            ):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        monitor_value = logs.get(self.monitor)
        if monitor_value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` "
                "which is not available. "
                f"Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
        return monitor_value


class ModelCheckpoint(MonitorCallback):
    """Saves the model (or its weights) every epoch or every N batches.

    Args:
        filepath: Path, possibly a template filled from the epoch and the
            logs, e.g. "weights.{epoch:02d}-{val_loss:.2f}.weights.h5".
            It must end in ".weights.h5" with `save_weights_only=True`,
            else in ".keras" or ".h5".
        monitor: Quantity compared when `save_best_only` ("val_loss").
        verbose: 1 prints a line each time the callback acts.
        save_best_only: Only save when the monitored quantity improves.
        save_weights_only: Call `model.save_weights` instead of `model.save`.
        mode: "auto", "min" or "max".
        save_freq: "epoch", or an integer number of batches.
        initial_value_threshold: Initial "best" value for `save_best_only`.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0,
                 save_best_only=False, save_weights_only=False, mode="auto",
                 save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = _path_to_string(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if self.save_freq != "epoch" and not isinstance(self.save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {self.save_freq}. "
                "Expected save_freq are 'epoch' or integer values"
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`"
                    ", the filepath provided must end in `.weights.h5` "
                    "(Keras weights format). Received: "
                    f"filepath={self.filepath}"
                )
        elif not any(self.filepath.endswith(ext) for ext in (".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` "
                "(Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            add_batches = batch + 1  # a new epoch; batches are 0-indexed
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch, batch, logs, filepath):
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                _print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available.",
                stacklevel=2,
            )
            return True
        if isinstance(current, np.ndarray) and len(current.shape) > 0:
            warnings.warn(
                "Can save best model only when `monitor` is "
                f"a scalar value. Received: {current}. "
                "Falling back to `save_best_only=False`."
            )
            return True
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                _print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} "
                    f"improved from {best_str} to {current:.5f}, "
                    f"saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            _print_msg(
                f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                f"{best_str}"
            )
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        try:
            if self._should_save_model(epoch, batch, logs, filepath):
                dirname = os.path.dirname(filepath)
                if dirname and not os.path.exists(dirname):
                    os.makedirs(dirname, exist_ok=True)
                if self.save_weights_only:
                    self.model.save_weights(filepath, overwrite=True)
                else:
                    self.model.save(filepath, overwrite=True)
                if self.verbose > 0:
                    _print_msg(
                        f"\nEpoch {epoch + 1}: finished saving model to "
                        f"{filepath}"
                    )
        except IsADirectoryError:
            raise IOError(
                "Please specify a non-directory filepath for "
                "ModelCheckpoint. Filepath used is an existing "
                f"directory: {filepath}"
            )

    def _get_file_path(self, epoch, batch, logs):
        logs = logs or {}
        try:
            # `filepath` may hold placeholders such as `{epoch:02d}`,
            # `{batch:02d}` and `{val_loss:.2f}`.
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1,
                                        **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". '
                f"Reason: {e}"
            )


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` when a quantity plateaus.

    Args:
        monitor: Quantity to watch ("val_loss").
        factor: `new_lr = lr * factor` (0.1); must be < 1.
        patience: Epochs without improvement before reducing (10).
        verbose: 1 prints each reduction.
        mode: "auto", "min" or "max".
        min_delta: Smallest change counted as an improvement (1e-4).
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: Lower bound on the learning rate.

    Example:
    >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2,
    ...                               patience=5, min_lr=0.001)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0,
                 mode="auto", min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch):
        old_lr = float(optimizer.learning_rate)
        if old_lr > np.float32(self.min_lr):
            new_lr = old_lr * self.factor
            new_lr = max(new_lr, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                _print_msg(
                    f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                    f"learning rate to {new_lr}."
                )
            return True
        return False

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                "Learning rate reduction is conditioned on metric "
                f"`{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(list(logs.keys()))}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                if self._reduce_optimizer_lr(self.model.optimizer, epoch):
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch from `schedule`.

    Args:
        schedule: `schedule(epoch, lr) -> new_lr` (epoch counted from 0);
            a one-argument `schedule(epoch)` is accepted too.
        verbose: 1 prints each update.

    Example:
    >>> def scheduler(epoch, lr):
    ...     return lr if epoch < 10 else lr * float(np.exp(-0.1))
    >>> callback = LearningRateScheduler(scheduler)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:  # new API
            learning_rate = float(optimizer.learning_rate)
            learning_rate = self.schedule(epoch, learning_rate)
        except TypeError:  # the one-argument schedule of old
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                "The output of the `schedule` function should be a float. "
                f"Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = self._update_optimizer_lr(self.model.optimizer, epoch)
        if self.verbose > 0:
            _print_msg(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                f"learning rate to {learning_rate}."
            )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CSVLogger(Callback):
    """Streams each epoch's logs to a CSV file.

    Args:
        filename: Path of the CSV file, e.g. "run/log.csv".
        separator: Field separator (",").
        append: Append to an existing file instead of overwriting it.

    Example:
    >>> model.fit(x, y, callbacks=[CSVLogger("training.log")])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = _path_to_string(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def handle_value(k):
            is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not is_zero_dim_ndarray:
                return f'"[{", ".join(map(str, k))}]"'
            return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
            # Reserve val_ columns when the first epoch has no validation.
            if not any(key.startswith("val_") for key in self.keys) and self.keys:
                self.keys.extend([f"val_{k}" for k in self.keys])

        if not self.writer:

            class CustomDialect(csv.excel):
                delimiter = self.sep

            fieldnames = ["epoch"] + (self.keys or [])
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=fieldnames, dialect=CustomDialect
            )
            if self.append_header:
                self.writer.writeheader()

        row_dict = collections.OrderedDict({"epoch": epoch})
        row_dict.update(
            (key, handle_value(logs.get(key, "NA"))) for key in self.keys
        )
        self.writer.writerow(row_dict)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback made of plain functions, for one-off hooks.

    `on_epoch_begin`/`on_epoch_end` receive `(epoch, logs)`,
    `on_train_begin`/`on_train_end` receive `(logs)`, and
    `on_train_batch_begin`/`on_train_batch_end` receive `(batch, logs)`.
    Any other hook can be given by name as a keyword argument.

    Example:
    >>> batch_print_callback = LambdaCallback(
    ...     on_train_batch_begin=lambda batch, logs: print(batch))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None,
                 on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        if on_epoch_begin is not None:
            self.on_epoch_begin = on_epoch_begin
        if on_epoch_end is not None:
            self.on_epoch_end = on_epoch_end
        if on_train_begin is not None:
            self.on_train_begin = on_train_begin
        if on_train_end is not None:
            self.on_train_end = on_train_end
        if on_train_batch_begin is not None:
            self.on_train_batch_begin = on_train_batch_begin
        if on_train_batch_end is not None:
            self.on_train_batch_end = on_train_batch_end


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite.

    Args:
        raise_error: If True, raise a RuntimeError at once (skipping the
            other callbacks' `on_train_end`) instead of stopping gracefully
            through `model.stop_training`.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. "
                    f"Loss value: {loss}. Terminating training immediately."
                )
            _print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
