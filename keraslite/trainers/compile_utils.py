"""How `compile(loss=, loss_weights=, metrics=)` maps onto a model's outputs.

As Keras 3's `trainers/compile_utils.py`: a single loss applies to every
output; a list gives one per output in order; a dict is keyed by output
name (outputs it leaves out get no loss). Metrics are a list (single
output), a list of lists, or a dict keyed by output name; in a model with
several outputs each is logged as `<output>_<metric>`, and each output's
loss as `<output>_loss`.
"""
import numpy as np

from keraslite import losses as losses_module
from keraslite import metrics as metrics_module


def per_output(value, names, what, allow_single=True):
    """`value` as a list with one entry per output (None where absent)."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"Expected keys {list(names)} in {what} dict, but found "
                f"{what}.keys()={list(value)}"
            )
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(
                f"For a model with {len(names)} outputs, `{what}` given as a "
                f"list must have one entry per output {list(names)}. "
                f"Received: {what}={value!r}"
            )
        return list(value)
    if isinstance(value, (list, tuple)) and len(value) == 1 and len(names) == 1:
        return [value[0]]
    if not allow_single and len(names) > 1 and value is not None:
        raise ValueError(
            f"Invalid `{what}` for a model with outputs {list(names)}: give a "
            f"dict keyed by output name or a list of lists. Received: "
            f"{what}={value!r}"
        )
    return [value] * len(names)


def loss_weight(value):
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise ValueError(
            "Expected `loss_weights` to be a float (or a list or dict of "
            f"floats, one per output). Received: loss_weights={value!r}. Note "
            "that compile's third positional argument is `loss_weights`; pass "
            "metrics by keyword: compile(optimizer, loss, metrics=[...])."
        )
    return float(value)


class CompiledOutputs:
    """The losses, weights and metrics of each output of a compiled model."""

    def __init__(self, loss, loss_weights, metrics, weighted_metrics, names):
        self.names = list(names)
        self.multi = len(self.names) > 1
        losses = per_output(loss, self.names, "loss")
        if all(item is None for item in losses):
            raise ValueError(
                "keraslite needs a `loss` to train: pass e.g. "
                "loss='categorical_crossentropy' to compile()."
            )
        self.losses = [None if item is None else losses_module.as_loss_object(item)
                       for item in losses]
        if isinstance(loss_weights, (list, tuple, dict)) or loss_weights is None:
            weights = per_output(loss_weights, self.names, "loss_weights")
        else:
            weights = [loss_weights] * len(self.names)
        self.loss_weights = [loss_weight(w) for w in weights]
        self.metric_identifiers = self._metric_lists(metrics, "metrics")
        self.weighted_identifiers = self._metric_lists(weighted_metrics,
                                                       "weighted_metrics")
        self.metrics = None  # [(output index, metric, weighted)], once shapes are known

    def _metric_lists(self, metrics, what):
        if metrics is None:
            return [[] for _ in self.names]
        if not self.multi:
            if isinstance(metrics, dict):
                metrics = list(metrics.values())
                metrics = metrics[0] if len(metrics) == 1 else metrics
            return [list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]]
        if isinstance(metrics, (list, tuple)) and not all(
                isinstance(m, (list, tuple)) or m is None for m in metrics):
            raise ValueError(
                f"Invalid `{what}` for a model with outputs {self.names}: give "
                "a dict keyed by output name or a list of lists, one per "
                f"output. Received: {what}={metrics!r}"
            )
        lists = per_output(metrics, self.names, what)
        return [[] if m is None else (list(m) if isinstance(m, (list, tuple)) else [m])
                for m in lists]

    def build_metrics(self, y_shapes, pred_shapes):
        """Creates the metric objects once label and output shapes are known."""
        if self.metrics is not None:
            return
        self.metrics = []
        self.log_names = []  # the logs' key of each metric, as Keras dedups them
        counters = {}
        for i, name in enumerate(self.names):
            prefix = f"{name}_" if self.multi else ""
            for ids, weighted in ((self.metric_identifiers[i], False),
                                  (self.weighted_identifiers[i], True)):
                for identifier in ids:
                    metric = metrics_module.resolve(identifier, y_shapes[i],
                                                    pred_shapes[i])
                    base = metric.name
                    metric.name = prefix + base
                    self.metrics.append((i, metric, weighted))
                    self.log_names.append(_log_name(base, prefix, weighted, counters))


def _log_name(name, prefix, weighted, counters):
    """A metric's key in the logs, as Keras's `CompileMetrics.result`: a
    repeated name gets "_1", "_2", ...; a weighted metric repeating a name
    is first called "weighted_<name>"."""
    key = prefix + name
    if key in counters and weighted:
        key = f"{prefix}weighted_{name}"
    if key not in counters:
        counters[key] = 1
        return key
    index = counters[key]
    counters[key] += 1
    return f"{key}_{index}"
