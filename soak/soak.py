"""Soak test: a long fit with validation and a weights file saved every epoch.

Checks that memory stays flat and no file handle leaks over many epochs:
the resident set size (RSS) after a warm-up is compared with the RSS at
the end, and the process's open file descriptors and files before and
after training must be the same. Every few epochs the saved file is read
back into a second model and compared, so loading is soaked too.

    python soak/soak.py --minutes 10          # about ten minutes
    python soak/soak.py --epochs 300          # a fixed number of epochs

Prints the numbers and exits with status 1 if a check fails. Needs psutil
(part of the `test` extra).
"""
import argparse
import gc
import json
import os
import sys
import tempfile
import time

import numpy as np

import keraslite
from keraslite import layers
from keraslite.callbacks import Callback

MB = 1 << 20


def process_numbers(process):
    """RSS and open handles of this process (after a garbage collection)."""
    gc.collect()
    return {
        "rss": process.memory_info().rss,
        "fds": process.num_fds(),
        "open_files": sorted(f.path for f in process.open_files()),
        "threads": process.num_threads(),
    }


class SoakMonitor(Callback):
    """Saves the weights each epoch, reloads them every `check_every`
    epochs, records RSS, and stops when the time budget is spent."""

    def __init__(self, path, process, warmup, deadline, check_every=10):
        super().__init__()
        self.path = path
        self.process = process
        self.warmup = warmup
        self.deadline = deadline
        self.check_every = check_every
        self.rss = []
        self.after_warmup = None
        self.reloads = 0
        self.epochs = 0
        self._reader = None

    def on_epoch_end(self, epoch, logs=None):
        if not np.isfinite(logs["loss"]) or not np.isfinite(logs["val_loss"]):
            raise RuntimeError(f"non-finite loss at epoch {epoch}: {logs}")
        self.model.save_weights(self.path)
        self.epochs += 1
        if self.epochs % self.check_every == 0:
            self._reload_and_compare()
        self.rss.append(self.process.memory_info().rss)
        if self.epochs == self.warmup:
            self.after_warmup = process_numbers(self.process)
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.model.stop_training = True

    def _reload_and_compare(self):
        if self._reader is None:
            self._reader = keraslite.models.clone_model(self.model)
        self._reader.load_weights(self.path)
        for a, b in zip(self._reader.get_weights(), self.model.get_weights()):
            if not np.array_equal(a, b):
                raise RuntimeError("weights read back differ from the model's")
        self.reloads += 1


def build(features, classes):
    model = keraslite.Sequential([
        keraslite.Input((features,)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.1),
        layers.Dense(64, activation="relu"),
        layers.Dense(classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def run(epochs=None, minutes=None, samples=4096, features=64, classes=10,
        batch_size=64, warmup=5, workdir=None):
    """Trains and returns the measurements (a dict of plain numbers)."""
    import psutil

    if epochs is None and minutes is None:
        epochs = 100
    process = psutil.Process()
    keraslite.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, features)).astype("float32")
    y = (x @ rng.normal(size=(features, classes))).argmax(axis=1)
    val = samples // 5
    model = build(features, classes)

    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        path = os.path.join(folder, "soak.weights.h5")
        deadline = None if minutes is None else time.monotonic() + 60 * minutes
        monitor = SoakMonitor(path, process, warmup, deadline)
        # One short fit first so that imports, caches and buffers exist.
        model.fit(x[:batch_size], y[:batch_size], epochs=1, verbose=0)
        model.save_weights(path)
        before = process_numbers(process)
        start = time.monotonic()
        history = model.fit(
            x[val:], y[val:], batch_size=batch_size,
            epochs=epochs if epochs is not None else 10**9, verbose=0,
            validation_data=(x[:val], y[:val]), callbacks=[monitor],
        )
        seconds = time.monotonic() - start
        after = process_numbers(process)

    warm = monitor.after_warmup or before
    steps = monitor.epochs * int(np.ceil((samples - val) / batch_size))
    return {
        "epochs": monitor.epochs,
        "steps": steps,
        "seconds": round(seconds, 2),
        "saves": monitor.epochs,
        "reloads": monitor.reloads,
        "final_loss": history.history["loss"][-1],
        "final_val_accuracy": history.history["val_accuracy"][-1],
        "rss_before_mb": round(before["rss"] / MB, 1),
        "rss_after_warmup_mb": round(warm["rss"] / MB, 1),
        "rss_end_mb": round(after["rss"] / MB, 1),
        "rss_max_mb": round(max(monitor.rss) / MB, 1),
        "rss_growth_after_warmup_mb": round((after["rss"] - warm["rss"]) / MB, 2),
        "fds_before": before["fds"],
        "fds_after": after["fds"],
        "open_files_before": before["open_files"],
        "open_files_after": after["open_files"],
        "threads_before": before["threads"],
        "threads_after": after["threads"],
    }


def check(numbers, rss_margin_mb):
    """The failed checks, as messages (empty when all pass)."""
    failures = []
    if numbers["rss_growth_after_warmup_mb"] > rss_margin_mb:
        failures.append(
            f"RSS grew by {numbers['rss_growth_after_warmup_mb']} MB after "
            f"warm-up (margin {rss_margin_mb} MB)"
        )
    if numbers["fds_after"] != numbers["fds_before"]:
        failures.append(
            f"file descriptors: {numbers['fds_before']} before, "
            f"{numbers['fds_after']} after"
        )
    if numbers["open_files_after"] != numbers["open_files_before"]:
        failures.append(
            f"open files: {numbers['open_files_before']} before, "
            f"{numbers['open_files_after']} after"
        )
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="number of epochs (default 100 without --minutes)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="train until this much time has passed")
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=5,
                        help="epochs before the RSS reference is taken")
    parser.add_argument("--rss-margin-mb", type=float, default=8.0,
                        help="allowed RSS growth after warm-up")
    parser.add_argument("--json", action="store_true",
                        help="print the numbers as one JSON object")
    args = parser.parse_args(argv)
    numbers = run(epochs=args.epochs, minutes=args.minutes,
                  samples=args.samples, batch_size=args.batch_size,
                  warmup=args.warmup)
    failures = check(numbers, args.rss_margin_mb)
    if args.json:
        print(json.dumps(dict(numbers, failures=failures)))
    else:
        for key, value in numbers.items():
            if not key.startswith("open_files"):
                print(f"{key:28s} {value}")
        print(f"{'open_files':28s} {len(numbers['open_files_before'])} before, "
              f"{len(numbers['open_files_after'])} after")
        print("OK" if not failures else "FAILED:\n  " + "\n  ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
