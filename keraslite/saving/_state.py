"""Loading in two phases: read and check everything, then assign.

A loader fills a `LoadPlan` (every weight array and the optimizer state,
already validated against the model); only `apply()` touches the model, so
a bad file leaves the model exactly as it was.
"""
import copy
import warnings

import numpy as np

from keraslite.saving._io import FileFormatError, read_array


class LoadPlan:
    """The validated arrays a loader will assign, and how to skip mismatches.

    Args:
        skip_mismatch: Warn and skip a mismatched layer instead of raising.
    """

    def __init__(self, skip_mismatch=False):
        self.skip_mismatch = skip_mismatch
        self.assignments = []  # [(Variable, array)]
        self.optimizer_state = None  # (optimizer, [arrays], trainable vars)
        self.calls = []  # load_own_variables of layers with named state

    def mismatch(self, message):
        """Raises FileFormatError, or warns when skipping mismatches."""
        if self.skip_mismatch:
            warnings.warn(f"Skipping: {message}", stacklevel=3)
            return
        raise FileFormatError(message)

    def add_layer(self, layer, arrays, variables=None):
        for var, array in zip(layer.weights if variables is None else variables,
                              arrays):
            self.assignments.append((var, array))

    def apply(self):
        """Assigns every planned array (nothing can fail any more)."""
        for var, array in self.assignments:
            var.value[...] = array
        for call in self.calls:
            call()
        if self.optimizer_state is not None:
            optimizer, arrays, variables = self.optimizer_state
            if not optimizer.built and len(arrays) > len(optimizer.variables):
                optimizer.build(variables)
            optimizer.set_state(arrays)


def read_layer_arrays(plan, layer, datasets, where, expected=None):
    """Checks `datasets` against `expected` (`layer.weights`) and reads them.

    Returns the arrays (cast to the weights' dtype), or None when the layer
    is skipped because of a mismatch.
    """
    expected = layer.weights if expected is None else expected
    if len(datasets) != len(expected):
        plan.mismatch(
            f"Layer '{layer.name}' ({type(layer).__name__}) expects "
            f"{len(expected)} weight(s) {[tuple(v.shape) for v in expected]}, "
            f"but {where} holds {len(datasets)}."
        )
        return None
    for var, dataset in zip(expected, datasets):
        shape = tuple(dataset.shape or ())
        if shape != tuple(var.shape):
            plan.mismatch(
                f"Shape mismatch for weight '{var.name}' of layer "
                f"'{layer.name}': the model has shape {tuple(var.shape)}, "
                f"{where} has shape {shape}."
            )
            return None
    return [read_array(d, v.shape).astype(v.dtype, copy=False)
            for v, d in zip(expected, datasets)]


def expected_optimizer_variables(model):
    """The optimizer's variables as they are once built on the model."""
    optimizer = model.optimizer
    if optimizer.built:
        return optimizer.variables
    probe = copy.copy(optimizer)
    probe._slots = []
    probe.build(model.trainable_weights)
    return probe.variables


def plan_optimizer(plan, model, datasets, names=None, where="the file"):
    """Validates saved optimizer state against the model's optimizer.

    Keras 3 saves `[iteration, learning_rate, *slots]`; Keras 2 (tf.keras)
    saved `[iteration, *slots]`, for which the current learning rate is
    kept. A different count means a different optimizer layout: as Keras,
    warn and keep a fresh optimizer.
    """
    optimizer = model.optimizer
    if optimizer is None or not datasets:
        return
    names = names or [""] * len(datasets)
    if not optimizer.built and len(datasets) == 2:
        expected = optimizer.variables
    else:
        expected = expected_optimizer_variables(model)
    keras2 = (len(datasets) == len(expected) - 1 and "iter" in names[0]
              and tuple(datasets[0].shape or ()) in ((), (1,)))
    if keras2:
        expected = [expected[0]] + expected[2:]
    if len(datasets) != len(expected):
        warnings.warn(
            f"Skipping variable loading for optimizer '{optimizer.name}', "
            f"because it has {len(expected)} variables whereas the saved "
            f"optimizer has {len(datasets)} variables.",
            stacklevel=3,
        )
        return
    arrays = []
    for i, (var, dataset) in enumerate(zip(expected, datasets)):
        shape = tuple(dataset.shape or ())
        if i == 0:
            if shape not in ((), (1,)):
                plan.mismatch(
                    f"The optimizer iteration count in {where} has shape "
                    f"{shape}, expected ()."
                )
                return
            value = read_array(dataset, shape, kinds="iuf").reshape(())
            if not np.isfinite(value) or value < 0 or value > 2 ** 62:
                raise FileFormatError(
                    f"Invalid optimizer iteration count {value} in {where}."
                )
            arrays.append(np.array(int(value), dtype="int64"))
            continue
        if shape != tuple(var.shape):
            plan.mismatch(
                f"Shape mismatch for optimizer variable '{var.name}': the "
                f"optimizer has shape {tuple(var.shape)}, {where} has shape "
                f"{shape}."
            )
            return
        # Float slots, or integer placeholders (Adafactor's r/c of a bias).
        kinds = "iu" if np.dtype(var.dtype).kind in "iu" else "f"
        arrays.append(read_array(dataset, shape, kinds=kinds)
                      .astype(var.dtype, copy=False))
    if keras2:
        arrays.insert(1, np.array(optimizer.learning_rate, dtype="float32"))
    plan.optimizer_state = (optimizer, arrays, model.trainable_weights)
