"""Keras's progress bar: `469/469 ━━━━ 2s 4ms/step - accuracy: 0.93 - loss: 0.26`."""
import math
import os
import sys
import time

import numpy as np


class Progbar:
    """Displays a progress bar, line for line as Keras 3's does.

    Args:
        target: Total number of steps, or None if unknown.
        width: Bar width in characters.
        verbose: 0 silent, 1 live bar, 2 one line at the end.
        interval: Minimum seconds between redraws (keeps it cheap).
        stateful_metrics: Names shown as given; the others are averaged.
        stateless_metrics: Names averaged; the others are shown as given
            (give at most one of the two).
        unit_name: "step" or "sample".
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05,
                 stateful_metrics=None, stateless_metrics=None,
                 unit_name="step", stream=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` "
                "can be provided."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self.stateless_metrics = (
            None if stateless_metrics is None else set(stateless_metrics)
        )
        self.stream = stream
        out = self._stream()
        self._dynamic_display = (
            (hasattr(out, "isatty") and out.isatty())
            or "ipykernel" in sys.modules
            or "posix" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _stream(self):
        return self.stream or sys.stdout

    def update(self, current, values=None, finalize=None):
        """Records `values` (name, value) at step `current` and redraws.

        `finalize` (default: `current >= target`) marks the last update,
        which ends the line. An update that reaches the target with
        `finalize=False` only records its values: the final line is drawn
        once, by the finalizing update, however the updates are timed.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or ():
            if k not in self._values_order:
                self._values_order.append(k)
            if self.stateless_metrics is not None:
                stateless = k in self.stateless_metrics
            else:
                stateless = k not in self.stateful_metrics
            if not stateless or finalize:
                self._values[k] = [v, 1]
            else:
                base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * base, base]
                else:
                    self._values[k][0] += v * base
                    self._values[k][1] += base
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if not finalize and self.target is not None and current >= self.target:
                # The bar is full but a finalize=True update is announced
                # (fit's epoch end, the end of evaluate, predict or a
                # download); it draws the N/N line. Drawing it here as well
                # wrote that line twice whenever this update was due.
                return
            self._draw_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            info = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s"
            info += f" -{self._format_time(time_per_unit)}"
            info += self._format_values(two_lines=True)
            self._write(info + "\n")
        self._last_update = now

    def _draw_bar(self, current, now, time_per_unit, finalize):
        message = "\b" * self._prev_total_width + "\r" if self._dynamic_display else "\n"
        special = 0
        if self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            bar = f"\x1b[1m{current:{digits}d}/{self.target}\x1b[0m "
            special += 8
            filled = int(self.width * current / self.target)
            if filled > 0:
                bar += f"\x1b[32m{'━' * filled}\x1b[0m"
                special += 9
            bar += f"\x1b[37m{'━' * (self.width - filled)}\x1b[0m"
            special += 9
        else:
            bar = "%7d/Unknown" % current
        if self.target is not None and self.target > 0 and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_text = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                eta_text = "%d:%02d" % (eta // 60, eta % 60)
            else:
                eta_text = "%ds" % eta
            info = f" \x1b[1m{eta_text}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        special += 8
        info += self._format_time(time_per_unit)
        info += self._format_values()
        total_width = len(bar) + len(info) - special
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        self._write(message)
        self._prev_total_width = total_width

    def _format_values(self, two_lines=False):
        info = ""
        for k in self._values_order:
            total, count = self._values[k]
            avg = total / max(1, count)
            if np.ndim(avg):  # a per-class result is shown as its mean, as Keras
                avg = float(np.mean(avg))
            # NOTE: Keras's verbose=2 line compares avg, not abs(avg).
            big = avg > 1e-3 if two_lines else abs(avg) > 1e-3
            info += f" - {k}: {avg:.4f}" if big else f" - {k}: {avg:.4e}"
        return info

    def _write(self, text):
        out = self._stream()
        out.write(text)
        out.flush()

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _format_time(self, time_per_unit):
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{self.unit_name}"

    def _estimate_step_duration(self, current, now):
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
