"""The parity table: keraslite beside real Keras, one row per component.

Each `Row` names a component, holds a function that computes keraslite's
value(s) and Keras's value(s) on the same inputs, and a tolerance. The
function returns a list of `Pair(label, ours, theirs)`; numeric pairs pass
when `np.allclose(ours, theirs, rtol, atol)` (NaN equals NaN), `exact`
pairs (types, names, keys, exception classes) when `ours == theirs`.

Adding a component means adding one entry to one of the `*_rows()`
builders below; `compat_tests/test_parity.py` runs every row and
`python -m compat_tests.report` prints the table.

TensorFlow and Keras are imported on first use (`_keras()`), so the table
itself can be introspected without them (see tests/test_parity_coverage.py).
"""
import contextlib
import functools
import io
import os
import random
import re
import shutil
import tempfile
import types
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import keraslite
from keraslite import activations as kl_activations
from keraslite import constraints as kl_constraints
from keraslite import initializers as kl_initializers
from keraslite import losses as kl_losses
from keraslite import metrics as kl_metrics
from keraslite import optimizers as kl_optimizers
from keraslite import regularizers as kl_regularizers
from keraslite.layers.layer import Variable
from keraslite.optimizers import schedules as kl_schedules
from keraslite.utils import numerical_utils
from compat_tests.parity_conv import conv_rows


# --- the table's vocabulary ----------------------------------------------------------
@dataclass
class Pair:
    """One comparison: keraslite's value beside Keras's."""

    label: str
    ours: object
    theirs: object
    exact: bool = False


@dataclass
class Row:
    """One component: `compute()` returns the list of Pairs to compare.

    `covers` lists the public names ("losses.MeanSquaredError", ...) that the
    row exercises; tests/test_parity_coverage.py checks that every public
    name of keraslite is covered by some row.
    """

    name: str
    compute: object
    rtol: float = 1e-5
    atol: float = 1e-6
    covers: tuple = ()


@dataclass
class Result:
    name: str
    max_abs: float
    max_rel: float
    rtol: float
    atol: float
    passed: bool
    failures: list
    pairs: int

    def as_dict(self):
        return {
            "name": self.name,
            "max_abs_diff": _json_float(self.max_abs),
            "max_rel_diff": _json_float(self.max_rel),
            "rtol": self.rtol,
            "atol": self.atol,
            "passed": self.passed,
            "pairs": self.pairs,
            "failures": self.failures,
        }


def _json_float(x):
    return None if not np.isfinite(x) else float(x)


def _numeric_diffs(ours, theirs, rtol, atol):
    """(max abs diff, max rel diff, allclose) of two numeric arrays."""
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    if a.shape != b.shape:
        return np.inf, np.inf, False, f"shape {a.shape} != Keras {b.shape}"
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(same, 0.0, np.abs(a - b))
        diff = np.where(np.isnan(diff), np.inf, diff)
        scale = np.abs(b)
        # Relative differences over the entries that are not ~0 in Keras.
        rel = np.where(scale > atol, diff / np.where(scale > atol, scale, 1), 0.0)
    ok = bool(np.all(same | (diff <= atol + rtol * np.abs(b))))
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float(rel.max()) if rel.size else 0.0
    return max_abs, max_rel, ok, None


def run_row(row):
    """Computes a row and compares its pairs; returns a `Result`."""
    try:
        # Overflow to inf in exp() of +-100 is part of what rows compare.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pairs = row.compute()
    except Exception as e:  # a crash is a failed row, reported as such
        return Result(row.name, np.inf, np.inf, row.rtol, row.atol, False,
                      [f"raised {type(e).__name__}: {e}"], 0)
    max_abs = max_rel = 0.0
    failures = []
    for pair in pairs:
        if pair.exact:
            if pair.ours != pair.theirs:
                failures.append(
                    f"{pair.label}: keraslite {pair.ours!r} != Keras {pair.theirs!r}"
                )
                max_abs = max_rel = np.inf
            continue
        a, r, ok, why = _numeric_diffs(pair.ours, pair.theirs, row.rtol, row.atol)
        max_abs, max_rel = max(max_abs, a), max(max_rel, r)
        if not ok:
            failures.append(
                f"{pair.label}: " + (why or f"max abs diff {a:.3g}, rel {r:.3g}")
            )
    if not pairs:
        failures.append("row produced no comparisons")
    return Result(row.name, max_abs, max_rel, row.rtol, row.atol,
                  not failures, failures, len(pairs))


# --- Keras, loaded on first use ---------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    import tensorflow as tf
    import keras

    return tf, keras


def _np(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _tape(fn, *arrays, output_gradients=None):
    """Keras's value `fn(*vars)` and its gradients w.r.t. each array.

    A non-scalar output is differentiated against `output_gradients`
    (or summed)."""
    tf, _ = _keras()
    variables = [tf.Variable(np.asarray(a, np.float32)) for a in arrays]
    with tf.GradientTape() as tape:
        out = fn(*variables)
    grads = tape.gradient(out, variables, output_gradients=output_gradients)
    return _np(out), [
        np.zeros(v.shape, np.float32) if g is None else _np(g)
        for g, v in zip(grads, variables)
    ]


def _error_name(fn):
    """The class name of the exception `fn()` raises, or "no error"."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fn()
    except Exception as e:
        return type(e).__name__
    return "no error"


def _error_message(fn):
    """`(exception class name, message)` of what `fn()` raises."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fn()
    except Exception as e:
        return type(e).__name__, str(e)
    return "no error", ""


def _rng(seed):
    return np.random.default_rng(seed)


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def _f32(x):
    return np.asarray(x, dtype=np.float32)


# === activations ==========================================================================
def _activation_input():
    rng = _rng(0)
    x = rng.normal(0, 3, size=(6, 7))
    edges = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 20.0, -20.0, 50.0, -50.0,
             100.0, -100.0, 1e-3, -1e-3]
    x.reshape(-1)[: len(edges)] = edges
    return _f32(x)


def _activation_row(name):
    def compute():
        _, keras = _keras()
        ours_fn = kl_activations.get(name)
        theirs_fn = keras.activations.get(name)
        x = _activation_input()
        dy = _f32(_rng(1).normal(size=x.shape))
        forward, backward, _ = kl_activations.kernels(ours_fn)
        y_kernel = forward(x.copy())
        dx = backward(dy.copy(), y_kernel, x.copy())
        y_theirs, (dx_theirs,) = _tape(theirs_fn, x, output_gradients=dy)
        return [
            Pair("forward (public function)", ours_fn(x), y_theirs),
            Pair("forward (in-place kernel)", y_kernel, y_theirs),
            Pair("backward vs GradientTape", dx, dx_theirs),
            Pair("dtype", str(ours_fn(x).dtype), "float32", exact=True),
        ]

    return Row(f"activations.{name}", compute, rtol=1e-5, atol=1e-6,
               covers=(f"activations.{name}", "activations.kernels",
                       "activations.get"))


def _activation_args_row():
    def compute():
        _, keras = _keras()
        ka = keras.activations
        x = _activation_input()
        x3 = _f32(_rng(2).normal(0, 2, size=(2, 3, 4)))
        return [
            Pair("relu(negative_slope=0.1, max_value=5, threshold=0.5)",
                 kl_activations.relu(x, 0.1, 5.0, 0.5),
                 _np(ka.relu(x, negative_slope=0.1, max_value=5.0, threshold=0.5))),
            Pair("relu(max_value=4)", kl_activations.relu(x, max_value=4.0),
                 _np(ka.relu(x, max_value=4.0))),
            Pair("leaky_relu(negative_slope=0.3)",
                 kl_activations.leaky_relu(x, 0.3), _np(ka.leaky_relu(x, 0.3))),
            Pair("elu(alpha=0.5)", kl_activations.elu(x, 0.5),
                 _np(ka.elu(x, alpha=0.5))),
            Pair("softmax(axis=0)", kl_activations.softmax(x, axis=0),
                 _np(ka.softmax(x, axis=0))),
            Pair("softmax 3D axis=-1", kl_activations.softmax(x3),
                 _np(ka.softmax(x3))),
            Pair("softmax 3D axis=1", kl_activations.softmax(x3, axis=1),
                 _np(ka.softmax(x3, axis=1))),
            Pair("int input -> float", kl_activations.relu(np.arange(-2, 3)),
                 _np(ka.relu(np.arange(-2, 3).astype("float32")))),
        ]

    return Row("activations[non-default arguments]", compute,
               covers=("activations.relu", "activations.leaky_relu",
                       "activations.elu", "activations.softmax"))


def _activation_registry_row():
    def compute():
        _, keras = _keras()
        pairs = []
        for name in kl_activations.ALL_ACTIVATIONS:
            ours, theirs = kl_activations.get(name), keras.activations.get(name)
            pairs.append(Pair(f"get({name!r}).__name__", ours.__name__,
                              theirs.__name__, exact=True))
            pairs.append(Pair(f"serialize(get({name!r}))",
                              kl_activations.serialize(ours),
                              keras.activations.serialize(theirs), exact=True))
            config = keras.activations.serialize(theirs)
            pairs.append(Pair(f"deserialize(Keras config of {name!r})",
                              kl_activations.deserialize(config).__name__,
                              keras.activations.deserialize(config).__name__,
                              exact=True))
        pairs.append(Pair("get(None)", kl_activations.get(None).__name__,
                          keras.activations.get(None).__name__, exact=True))
        pairs.append(Pair("get('no_such_activation') raises",
                          _error_name(lambda: kl_activations.get("nope")),
                          _error_name(lambda: keras.activations.get("nope")),
                          exact=True))
        return pairs

    return Row("activations.get/serialize/deserialize", compute,
               covers=("activations.get", "activations.serialize",
                       "activations.deserialize"))


def activation_rows():
    return ([_activation_row(n) for n in kl_activations.ALL_ACTIVATIONS]
            + [_activation_args_row(), _activation_registry_row()])


# === losses ==================================================================================
REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean",
              "mean_with_sample_weight")


def _onehot(labels, k):
    return np.eye(k, dtype=np.float32)[labels]


def _data_probs_onehot(seed=0, n=8, k=5, edges=False):
    rng = _rng(seed)
    labels = rng.integers(0, k, n)
    p = _softmax(_f32(rng.normal(size=(n, k))))
    if edges:  # probabilities exactly 0 and 1, and rows with both
        p[0] = 0.0
        p[0, labels[0]] = 1.0
        p[1] = 0.0
        p[1, (labels[1] + 1) % k] = 1.0
        p[2, labels[2]] = 0.0
        p[2] /= p[2].sum()
    return _onehot(labels, k), p, labels


def _data_logits(seed=0, n=8, k=5, scale=1.0, edges=()):
    rng = _rng(seed)
    labels = rng.integers(0, k, n)
    z = _f32(rng.normal(size=(n, k)) * scale)
    for i, value in enumerate(edges):  # large logits on and off the label
        z[i] = 0.0
        z[i, labels[i] if i % 2 == 0 else (labels[i] + 1) % k] = value
    return _onehot(labels, k), z, labels


def _data_binary(seed=0, n=8, k=3, edges=False, logits=False, scale=1.0):
    rng = _rng(seed)
    y = _f32(rng.integers(0, 2, (n, k)))
    if logits:
        z = _f32(rng.normal(size=(n, k)) * scale)
        if edges:
            z[0, :] = [50.0, -50.0, 100.0]
            z[1, :] = [-100.0, 100.0, 0.0]
        return y, z
    p = _f32(1.0 / (1.0 + np.exp(-rng.normal(size=(n, k)))))
    if edges:
        p[0, :] = [0.0, 1.0, 0.0]
        p[1, :] = [1.0, 0.0, 1.0]
        y[0, :] = [0.0, 1.0, 1.0]
        y[1, :] = [1.0, 1.0, 0.0]
    return y, p


def _data_regression(seed=0, n=8, k=3):
    rng = _rng(seed)
    return _f32(rng.normal(size=(n, k))), _f32(rng.normal(size=(n, k)))


@dataclass
class LossCase:
    """One loss configuration: class name, kwargs, and its data."""

    label: str
    cls: str
    kwargs: dict
    data: object  # () -> (y_true, y_pred)
    fused: str = None  # "softmax"/"sigmoid": y_pred are that output's logits
    function: str = None  # per-sample function name to compare too


def _loss_cases():
    ls = dict(label_smoothing=0.1)
    scce = "SparseCategoricalCrossentropy"
    cce = "CategoricalCrossentropy"
    bce = "BinaryCrossentropy"

    def sparse(data, shape=None, ignore=None):
        def make():
            y, p, labels = data()
            labels = labels.astype("int64")
            if ignore is not None:
                labels[[1, 4]] = ignore
            return (labels if shape is None else labels.reshape(shape)), p
        return make

    def first2(data):
        return lambda: data()[:2]

    return [
        LossCase("mse", "MeanSquaredError", {}, _data_regression,
                 function="mean_squared_error"),
        LossCase("mse y (n,) vs pred (n,1)", "MeanSquaredError", {},
                 lambda: (_data_regression(k=1)[0][:, 0], _data_regression(k=1)[1]),
                 function="mean_squared_error"),
        LossCase("mae", "MeanAbsoluteError", {}, _data_regression,
                 function="mean_absolute_error"),
        LossCase("cce probabilities", cce, {}, first2(_data_probs_onehot),
                 function="categorical_crossentropy"),
        LossCase("cce probabilities exactly 0 and 1", cce, {},
                 first2(lambda: _data_probs_onehot(edges=True)),
                 function="categorical_crossentropy"),
        LossCase("cce label_smoothing=0.1", cce, ls, first2(_data_probs_onehot),
                 function="categorical_crossentropy"),
        LossCase("cce from_logits=True", cce, {"from_logits": True},
                 first2(_data_logits), function="categorical_crossentropy"),
        LossCase("cce from_logits=True logits +-50/+-100", cce,
                 {"from_logits": True},
                 first2(lambda: _data_logits(edges=(50, -50, 100, -100))),
                 function="categorical_crossentropy"),
        LossCase("cce from_logits=True label_smoothing=0.1", cce,
                 {"from_logits": True, **ls}, first2(_data_logits)),
        LossCase("cce fused softmax logits", cce, {}, first2(_data_logits),
                 fused="softmax"),
        LossCase("cce fused softmax logits +-50/+-100", cce, {},
                 first2(lambda: _data_logits(edges=(50, -50, 100, -100))),
                 fused="softmax"),
        LossCase("cce fused softmax label_smoothing=0.1", cce, ls,
                 first2(_data_logits), fused="softmax"),
        LossCase("scce labels (n,)", scce, {}, sparse(_data_probs_onehot),
                 function="sparse_categorical_crossentropy"),
        LossCase("scce labels (n,1)", scce, {},
                 sparse(_data_probs_onehot, shape=(-1, 1)),
                 function="sparse_categorical_crossentropy"),
        LossCase("scce probabilities exactly 0 and 1", scce, {},
                 sparse(lambda: _data_probs_onehot(edges=True)),
                 function="sparse_categorical_crossentropy"),
        LossCase("scce from_logits=True", scce, {"from_logits": True},
                 sparse(_data_logits), function="sparse_categorical_crossentropy"),
        LossCase("scce from_logits=True logits +-50/+-100", scce,
                 {"from_logits": True},
                 sparse(lambda: _data_logits(edges=(50, -50, 100, -100))),
                 function="sparse_categorical_crossentropy"),
        LossCase("scce ignore_class=-1", scce, {"ignore_class": -1},
                 sparse(_data_probs_onehot, ignore=-1)),
        LossCase("scce ignore_class=2 from_logits labels (n,1)", scce,
                 {"ignore_class": 2, "from_logits": True},
                 sparse(_data_logits, shape=(-1, 1), ignore=2)),
        LossCase("scce fused softmax logits", scce, {}, sparse(_data_logits),
                 fused="softmax"),
        LossCase("scce fused softmax logits +-50/+-100 labels (n,1)", scce, {},
                 sparse(lambda: _data_logits(edges=(50, -50, 100, -100)),
                        shape=(-1, 1)),
                 fused="softmax"),
        LossCase("bce probabilities", bce, {}, _data_binary,
                 function="binary_crossentropy"),
        LossCase("bce probabilities exactly 0 and 1", bce, {},
                 lambda: _data_binary(edges=True), function="binary_crossentropy"),
        LossCase("bce label_smoothing=0.1", bce, ls, _data_binary,
                 function="binary_crossentropy"),
        LossCase("bce from_logits=True", bce, {"from_logits": True},
                 lambda: _data_binary(logits=True), function="binary_crossentropy"),
        LossCase("bce from_logits=True logits +-50/+-100", bce,
                 {"from_logits": True},
                 lambda: _data_binary(logits=True, edges=True),
                 function="binary_crossentropy"),
        # NOTE: no function-form comparison: Keras's binary_crossentropy()
        # requires equal ranks; the class squeezes/expands first.
        LossCase("bce y (n,) vs pred (n,1)", bce, {},
                 lambda: (_data_binary(k=1)[0][:, 0], _data_binary(k=1)[1])),
        LossCase("bce fused sigmoid logits", bce, {},
                 lambda: _data_binary(logits=True), fused="sigmoid"),
        LossCase("bce fused sigmoid logits +-50/+-100", bce, {},
                 lambda: _data_binary(logits=True, edges=True), fused="sigmoid"),
        LossCase("bce fused sigmoid label_smoothing=0.1", bce, ls,
                 lambda: _data_binary(logits=True, scale=3.0), fused="sigmoid"),
    ]


def _loss_row(case):
    def compute():
        _, keras = _keras()
        y_true, y_pred = case.data()
        n = len(y_pred)
        weights = _f32(_rng(7).uniform(0.0, 2.0, n))
        weights[3] = 0.0
        pairs = []
        if case.function:
            pairs.append(Pair(
                f"{case.function}() per sample",
                getattr(kl_losses, case.function)(y_true, y_pred, **case.kwargs),
                _np(getattr(keras.losses, case.function)(
                    y_true, y_pred, **case.kwargs)),
            ))
        activation = (None if case.fused is None
                      else getattr(keras.activations, case.fused))
        for reduction in REDUCTIONS:
            for sw in (None, weights):
                tag = f"reduction={reduction}, sample_weight={'yes' if sw is not None else 'no'}"
                ours = getattr(kl_losses, case.cls)(reduction=reduction, **case.kwargs)
                theirs = getattr(keras.losses, case.cls)(
                    reduction=reduction, **case.kwargs)

                def keras_value(pred, theirs=theirs, sw=sw):
                    if activation is not None:
                        pred = activation(pred)
                    return theirs(y_true, pred, sample_weight=sw)

                def keras_objective(pred):
                    # As Keras's CompileLoss: a vector loss is averaged.
                    value = keras_value(pred)
                    return keras.ops.mean(value) if reduction == "none" else value

                k_value = _np(keras_value(y_pred))
                _, (k_grad,) = _tape(keras_objective, y_pred)
                if case.fused is None:
                    pairs.append(Pair(f"__call__ {tag}", ours(y_true, y_pred, sw),
                                      k_value))
                value, grad = ours.value_and_grad(
                    y_true, y_pred.copy(), sw, from_logits=case.fused is not None
                )
                pairs.append(Pair(f"value_and_grad value {tag}", value, k_value))
                pairs.append(Pair(f"value_and_grad grad {tag}", grad, k_grad))
                pairs.append(Pair(f"grad dtype {tag}", str(grad.dtype), "float32",
                                  exact=True))
        return pairs

    covers = [f"losses.{case.cls}", "losses.LossFunctionWrapper", "losses.Loss"]
    if case.function:
        covers.append(f"losses.{case.function}")
    return Row(f"losses.{case.cls}[{case.label}]", compute, rtol=1e-5, atol=1e-6,
               covers=tuple(covers))


def _loss_misc_row():
    def compute():
        _, keras = _keras()
        from keras.src.losses import loss as keras_loss_module

        y, p = _data_regression()
        pairs = []
        from keras.src.losses.losses import LossFunctionWrapper

        for ours_name in ("mse", "MSE", "mae", "MAE"):
            pairs.append(Pair(f"losses.{ours_name}",
                              getattr(kl_losses, ours_name)(y, p),
                              _np(keras.losses.get(ours_name)(y, p))))
        wrapper = kl_losses.LossFunctionWrapper(kl_losses.mean_absolute_error,
                                                reduction="sum")
        theirs = LossFunctionWrapper(keras.losses.mean_absolute_error,
                                     reduction="sum")
        pairs.append(Pair("LossFunctionWrapper(mae, reduction='sum')",
                          wrapper(y, p), _np(theirs(y, p))))
        for a_shape, b_shape in [((4,), (4, 1)), ((4, 1), (4,)), ((4, 3), (4,)),
                                 ((4, 1), (4, 1)), ((2, 3, 1), (2, 3))]:
            a, b = np.zeros(a_shape), np.zeros(b_shape)
            ours = kl_losses.squeeze_or_expand_to_same_rank(a, b)
            theirs = keras_loss_module.squeeze_or_expand_to_same_rank(a, b)
            pairs.append(Pair(f"squeeze_or_expand_to_same_rank{a_shape, b_shape}",
                              [x.shape for x in ours],
                              [tuple(x.shape) for x in theirs], exact=True))
        for reduction in REDUCTIONS + (None, "bogus"):
            pairs.append(Pair(
                f"standardize_reduction({reduction!r})",
                _error_name(lambda: kl_losses.standardize_reduction(reduction)),
                _error_name(lambda: keras_loss_module.standardize_reduction(reduction)),
                exact=True))
        return pairs

    return Row("losses[aliases, wrapper, rank and reduction helpers]", compute,
               covers=("losses.mse", "losses.MSE", "losses.mae", "losses.MAE",
                       "losses.LossFunctionWrapper",
                       "losses.squeeze_or_expand_to_same_rank",
                       "losses.standardize_reduction"))


def _loss_registry_row():
    def compute():
        _, keras = _keras()
        pairs = []
        names = list(kl_losses.ALL_FUNCTIONS) + ["mse", "mae"]
        for name in names:
            pairs.append(Pair(f"get({name!r}).__name__",
                              kl_losses.get(name).__name__,
                              keras.losses.get(name).__name__, exact=True))
            # NOTE: Keras wraps a function's name in a dict; keraslite
            # returns the name (see `keraslite.losses.serialize`).
            k_config = keras.losses.serialize(keras.losses.get(name))
            pairs.append(Pair(f"serialize(get({name!r}))",
                              kl_losses.serialize(kl_losses.get(name)),
                              k_config["config"], exact=True))
            pairs.append(Pair(f"deserialize(Keras config of {name!r})",
                              kl_losses.deserialize(k_config).__name__,
                              keras.losses.deserialize(k_config).__name__,
                              exact=True))
        configs = [
            ("CategoricalCrossentropy", dict(from_logits=True, label_smoothing=0.2)),
            ("SparseCategoricalCrossentropy", dict(ignore_class=-1, reduction="sum")),
            ("BinaryCrossentropy", dict(from_logits=True, label_smoothing=0.1)),
            ("MeanSquaredError", dict(reduction="none")),
            ("MeanAbsoluteError", dict(name="l1")),
        ]
        for cls, kwargs in configs:
            ours = getattr(kl_losses, cls)(**kwargs)
            theirs = getattr(keras.losses, cls)(**kwargs)
            k_config = keras.losses.serialize(theirs)
            o_config = kl_losses.serialize(ours)
            pairs.append(Pair(f"serialize({cls}) class_name",
                              o_config["class_name"], k_config["class_name"],
                              exact=True))
            pairs.append(Pair(f"get_config({cls}, {kwargs})", o_config["config"],
                              {k: v for k, v in k_config["config"].items()
                               if k in o_config["config"]}, exact=True))
            pairs.append(Pair(f"get_config({cls}) keys",
                              sorted(o_config["config"]),
                              sorted(k for k in k_config["config"]
                                     if k not in ("dtype", "fn")), exact=True))
            rebuilt = kl_losses.deserialize(k_config)
            pairs.append(Pair(f"deserialize(Keras config of {cls})",
                              rebuilt.get_config(), o_config["config"], exact=True))
            pairs.append(Pair(f"get(Keras config of {cls}) type",
                              type(kl_losses.get(k_config)).__name__, cls, exact=True))
        for name in ("categorical_crossentropy", "mse"):
            pairs.append(Pair(f"as_loss_object({name!r}) is the Keras compile class",
                              type(kl_losses.as_loss_object(name)).__name__,
                              type(keras.losses.get(
                                  keras.losses.serialize(keras.losses.get(
                                      {"class_name": type(kl_losses.as_loss_object(
                                          name)).__name__, "config": {}})))).__name__,
                              exact=True))
        pairs.append(Pair("get('no_such_loss') raises",
                          _error_name(lambda: kl_losses.get("nope")),
                          _error_name(lambda: keras.losses.get("nope")), exact=True))
        return pairs

    return Row("losses.get/serialize/deserialize", compute,
               covers=("losses.get", "losses.serialize", "losses.deserialize",
                       "losses.as_loss_object"))


def loss_rows():
    return ([_loss_row(c) for c in _loss_cases()]
            + [_loss_misc_row(), _loss_registry_row()])


# === metrics ==============================================================================
@dataclass
class MetricCase:
    label: str
    cls: str
    kwargs: dict
    data: object  # (seed) -> (y_true, y_pred) or (values,)
    function: str = None


def _keras_metric_function(name):
    from keras.src.metrics import accuracy_metrics

    _, keras = _keras()
    return getattr(keras.metrics, name, None) or getattr(accuracy_metrics, name)


def _metric_cases():
    def cat(seed, sparse_shape=None, onehot=True):
        y, p, labels = _data_probs_onehot(seed=seed, n=10)
        if sparse_shape is not None:
            return labels.reshape(sparse_shape), p
        return y, p

    def binary(seed, k=1, squeeze=False):
        y, p = _data_binary(seed=seed, n=10, k=k)
        return (y[:, 0] if squeeze else y), p

    def exact(seed):
        rng = _rng(seed)
        y = _f32(rng.integers(0, 3, (10, 2)))
        p = y.copy()
        p[rng.integers(0, 10, 4), 0] += 1.0
        return y, p

    return [
        MetricCase("Accuracy", "Accuracy", {}, exact, "accuracy"),
        MetricCase("BinaryAccuracy (n,1)", "BinaryAccuracy", {}, binary,
                   "binary_accuracy"),
        MetricCase("BinaryAccuracy y (n,) pred (n,1)", "BinaryAccuracy", {},
                   lambda s: binary(s, squeeze=True), "binary_accuracy"),
        MetricCase("BinaryAccuracy threshold=0.7 (n,3)", "BinaryAccuracy",
                   {"threshold": 0.7}, lambda s: binary(s, k=3), "binary_accuracy"),
        MetricCase("CategoricalAccuracy", "CategoricalAccuracy", {}, cat,
                   "categorical_accuracy"),
        MetricCase("SparseCategoricalAccuracy labels (n,)",
                   "SparseCategoricalAccuracy", {},
                   lambda s: cat(s, sparse_shape=(-1,)),
                   "sparse_categorical_accuracy"),
        MetricCase("SparseCategoricalAccuracy labels (n,1)",
                   "SparseCategoricalAccuracy", {},
                   lambda s: cat(s, sparse_shape=(-1, 1)),
                   "sparse_categorical_accuracy"),
        MetricCase("MeanSquaredError", "MeanSquaredError", {},
                   lambda s: _data_regression(seed=s, n=10), "mean_squared_error"),
        MetricCase("MeanAbsoluteError", "MeanAbsoluteError", {},
                   lambda s: _data_regression(seed=s, n=10), "mean_absolute_error"),
        MetricCase("Mean", "Mean", {},
                   lambda s: (_f32(_rng(s).normal(size=10)),)),
        MetricCase("Mean of (n,3) values", "Mean", {},
                   lambda s: (_f32(_rng(s).normal(size=(10, 3))),)),
        MetricCase("Sum", "Sum", {}, lambda s: (_f32(_rng(s).normal(size=10)),)),
    ]


def _reset_pairs(ours, theirs, data):
    """Results after reset_state, after one more batch (`data(4)`), their
    dtype, and `__call__` on `data(5)`."""
    ours.reset_state()
    theirs.reset_state()
    pairs = [Pair("result after reset_state", ours.result(), _np(theirs.result()))]
    args = data(4)
    ours.update_state(*args)
    theirs.update_state(*args)
    pairs.append(Pair("result after reset and one batch", ours.result(),
                      _np(theirs.result())))
    pairs.append(Pair("result dtype", str(np.asarray(ours.result()).dtype),
                      str(_np(theirs.result()).dtype), exact=True))
    pairs.append(Pair("__call__", ours(*data(5)), _np(theirs(*data(5)))))
    return pairs


def _metric_row(case):
    def compute():
        _, keras = _keras()
        ours = getattr(kl_metrics, case.cls)(**case.kwargs)
        theirs = getattr(keras.metrics, case.cls)(**case.kwargs)
        pairs = [Pair("name", ours.name, theirs.name, exact=True)]
        for step, seed in enumerate((1, 2, 3)):
            args = case.data(seed)
            sw = None
            if step == 1:  # one weighted batch among unweighted ones
                sw = _f32(_rng(9).uniform(0, 2, len(args[0])))
                sw[0] = 0.0
            ours.update_state(*args, sample_weight=sw)
            theirs.update_state(*args, sample_weight=sw)
            pairs.append(Pair(f"result after batch {step + 1}", ours.result(),
                              _np(theirs.result())))
        for ours_var, theirs_var in zip(ours.variables, theirs.variables):
            pairs.append(Pair(f"state {theirs_var.name}", np.array(ours_var),
                              _np(theirs_var)))
        pairs.append(Pair("number of state variables", len(ours.variables),
                          len(theirs.variables), exact=True))
        pairs += _reset_pairs(ours, theirs, case.data)
        if case.function:
            args = case.data(6)
            kwargs = dict(case.kwargs)
            pairs.append(Pair(f"{case.function}() per sample",
                              getattr(kl_metrics, case.function)(*args, **kwargs),
                              _np(_keras_metric_function(case.function)(
                                  *args, **kwargs))))
        return pairs

    covers = [f"metrics.{case.cls}", "metrics.Metric"]
    if case.cls in ("Mean",):
        covers.append("metrics.Mean")
    else:
        covers.append("metrics.MeanMetricWrapper")
    if case.function:
        covers.append(f"metrics.{case.function}")
    return Row(f"metrics.{case.cls}[{case.label}]", compute, rtol=1e-6, atol=1e-6,
               covers=tuple(covers))


def _metric_resolution_row():
    def compute():
        _, keras = _keras()
        from keras.src.trainers.compile_utils import get_metric

        shapes = [((8,), (8, 1)), ((8, 1), (8, 1)), ((8,), (8, 5)),
                  ((8, 1), (8, 5)), ((8, 5), (8, 5)), ((8, 3), (8, 3)),
                  ((8, 4, 1), (8, 4, 3))]
        pairs = []
        for identifier in ("accuracy", "acc", "mse", "mae",
                           "binary_accuracy", "categorical_accuracy",
                           "MeanSquaredError"):
            for y_shape, p_shape in shapes:
                ours = kl_metrics.resolve(identifier, y_shape, p_shape)
                theirs = get_metric(identifier, np.zeros(y_shape),
                                    np.zeros(p_shape))
                tag = f"{identifier!r} y{y_shape} pred{p_shape}"
                pairs.append(Pair(f"{tag} class", type(ours).__name__,
                                  type(theirs).__name__, exact=True))
                pairs.append(Pair(f"{tag} name", ours.name, theirs.name,
                                  exact=True))
        for obj in (kl_metrics.BinaryAccuracy(threshold=0.3),):
            theirs = get_metric(keras.metrics.BinaryAccuracy(threshold=0.3),
                                np.zeros((8, 1)), np.zeros((8, 1)))
            ours = kl_metrics.resolve(obj, (8, 1), (8, 1))
            pairs.append(Pair("resolve(instance) keeps it", ours is obj, True,
                              exact=True))
            pairs.append(Pair("resolve(instance) name", ours.name, theirs.name,
                              exact=True))
        pairs.append(Pair("resolve(None) raises",
                          _error_name(lambda: kl_metrics.resolve(None, (8,), (8, 1))),
                          _error_name(lambda: get_metric(None, np.zeros(8),
                                                         np.zeros((8, 1)))),
                          exact=True))
        return pairs

    return Row("metrics.resolve['accuracy' resolution rules]", compute,
               covers=("metrics.resolve",))


def _metric_registry_row():
    def compute():
        _, keras = _keras()
        pairs = []
        keras.backend.clear_session()  # the same automatic names ("io_u")
        keraslite.backend.clear_session()
        for name in kl_metrics._REGISTRY:
            if kl_metrics._REGISTRY[name].__module__.endswith("confusion_metrics"):
                continue  # their own names row: compat_tests/parity_confusion.py
            try:
                ours = kl_metrics.get(name)
            except TypeError:
                continue  # required arguments (IoU, ...): see parity_metrics_more
            theirs = keras.metrics.get(name)
            pairs.append(Pair(f"get({name!r})", type(ours).__name__,
                              type(theirs).__name__, exact=True))
            pairs.append(Pair(f"get({name!r}).name", ours.name, theirs.name,
                              exact=True))
        for name in ("mse", "MSE", "mae", "MAE"):
            y, p = _data_regression()
            pairs.append(Pair(f"metrics.{name}", getattr(kl_metrics, name)(y, p),
                              _np(keras.losses.get(name)(y, p))))
            pairs.append(Pair(f"metrics.get({name!r})",
                              type(kl_metrics.get(name)).__name__,
                              type(keras.metrics.get(name)).__name__, exact=True))
        for cls, kwargs in [("BinaryAccuracy", {"threshold": 0.7}),
                            ("Mean", {"name": "m"}), ("Sum", {}),
                            ("CategoricalAccuracy", {}), ("MeanSquaredError", {})]:
            ours = getattr(kl_metrics, cls)(**kwargs)
            theirs = getattr(keras.metrics, cls)(**kwargs)
            k_config = keras.metrics.serialize(theirs)
            pairs.append(Pair(f"serialize({cls})", kl_metrics.serialize(ours),
                              {k: k_config[k] for k in
                               ("module", "class_name", "config", "registered_name")},
                              exact=True))
            rebuilt = kl_metrics.deserialize(k_config)
            pairs.append(Pair(f"deserialize(Keras config of {cls})",
                              rebuilt.get_config(), theirs.get_config(), exact=True))
        wrapper = kl_metrics.MeanMetricWrapper(kl_metrics.mean_absolute_error,
                                               name="my_mae")
        k_wrapper = keras.metrics.MeanMetricWrapper(
            keras.metrics.mean_absolute_error, name="my_mae")
        y, p = _data_regression()
        pairs.append(Pair("MeanMetricWrapper(mae)", wrapper(y, p),
                          _np(k_wrapper(y, p))))
        pairs.append(Pair("get('no_such_metric') raises",
                          _error_name(lambda: kl_metrics.get("nope")),
                          _error_name(lambda: keras.metrics.get("nope")),
                          exact=True))
        return pairs

    return Row("metrics.get/serialize/deserialize", compute, rtol=1e-6,
               covers=("metrics.get", "metrics.serialize", "metrics.deserialize",
                       "metrics.mse", "metrics.MSE", "metrics.mae", "metrics.MAE",
                       "metrics.mean_squared_error", "metrics.mean_absolute_error",
                       "metrics.MeanMetricWrapper"))


def metric_rows():
    return ([_metric_row(c) for c in _metric_cases()]
            + [_metric_resolution_row(), _metric_registry_row()])


# === initializers ===========================================================================
_DRAW_SHAPE = (500, 400)
_TRUNC = 0.87962566103423978  # stddev of a unit normal truncated at +-2


def _moments(x):
    x = np.asarray(x, dtype=np.float64)
    return x.mean(), x.std(), np.abs(x).max()


def _random_init_row(cls, kwargs, theory, shape=_DRAW_SHAPE):
    """`theory(shape)` -> (mean, std, bound or None) of the distribution."""

    def compute():
        _, keras = _keras()
        ours_init = getattr(kl_initializers, cls)(seed=1234, **kwargs)
        theirs_init = getattr(keras.initializers, cls)(seed=1234, **kwargs)
        ours = ours_init(shape)
        theirs = _np(theirs_init(shape))
        n = ours.size
        mean, std, bound = theory(shape)
        (o_mean, o_std, o_max), (k_mean, k_std, k_max) = _moments(ours), _moments(theirs)
        # NOTE: 6 standard errors; sample std of a 200k draw is within ~0.5%.
        mean_tol = 6 * std / np.sqrt(n)
        pairs = [
            Pair("dtype", str(ours.dtype), str(theirs.dtype), exact=True),
            Pair("shape", ours.shape, tuple(theirs.shape), exact=True),
            Pair("|sample mean - theory| <= 6 s.e.",
                 bool(abs(o_mean - mean) <= mean_tol),
                 bool(abs(k_mean - mean) <= mean_tol), exact=True),
            Pair("|sample mean - Keras sample mean| <= 8 s.e.",
                 bool(abs(o_mean - k_mean) <= 8 * std / np.sqrt(n)), True,
                 exact=True),
            Pair("sample std vs theory (rel)", o_std / std, 1.0),
            Pair("sample std vs Keras sample std (rel)", o_std / k_std, 1.0),
            Pair("seeded draw repeats",
                 bool(np.array_equal(ours, ours_init(shape))),
                 bool(np.array_equal(theirs, _np(theirs_init(shape)))),
                 exact=True),
            Pair("another seed differs",
                 bool(not np.array_equal(
                     ours, getattr(kl_initializers, cls)(seed=99, **kwargs)(shape))),
                 True, exact=True),
        ]
        if bound is not None:
            pairs.append(Pair(f"max |x| <= bound {bound:.4g}",
                              bool(o_max <= bound * (1 + 1e-6)),
                              bool(k_max <= bound * (1 + 1e-6)), exact=True))
            pairs.append(Pair("max |x| vs Keras max |x| (rel)", o_max / k_max, 1.0))
        config = ours_init.get_config()
        k_config = theirs_init.get_config()
        pairs.append(Pair("get_config", config, k_config, exact=True))
        return pairs

    label = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return Row(f"initializers.{cls}[{label or 'defaults'}; shape {shape}]", compute,
               rtol=0.0, atol=0.02,
               covers=(f"initializers.{cls}", "initializers.RandomInitializer",
                       "initializers.Initializer", "initializers.compute_fans"))


def _variance_theory(scale, mode, distribution):
    def theory(shape):
        from keras.src.initializers.random_initializers import compute_fans

        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out,
               "fan_avg": (fan_in + fan_out) / 2}[mode]
        var = scale / max(1.0, fan)
        if distribution == "uniform":
            limit = np.sqrt(3 * var)
            return 0.0, limit / np.sqrt(3), limit
        if distribution == "untruncated_normal":
            return 0.0, np.sqrt(var), None
        return 0.0, np.sqrt(var), 2 * np.sqrt(var) / _TRUNC
    return theory


def _initializer_rows():
    rows = [
        _random_init_row("RandomNormal", {"mean": 0.3, "stddev": 0.2},
                         lambda s: (0.3, 0.2, None)),
        _random_init_row("RandomNormal", {}, lambda s: (0.0, 0.05, None)),
        _random_init_row("TruncatedNormal", {"mean": -0.1, "stddev": 0.5},
                         lambda s: (-0.1, 0.5 * _TRUNC, None)),
        _random_init_row("RandomUniform", {"minval": -0.3, "maxval": 0.5},
                         lambda s: (0.1, 0.8 / np.sqrt(12), None)),
        _random_init_row("RandomUniform", {}, lambda s: (0.0, 0.1 / np.sqrt(12),
                                                         0.05)),
    ]
    fixed = {
        "GlorotUniform": (1.0, "fan_avg", "uniform"),
        "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
        "HeUniform": (2.0, "fan_in", "uniform"),
        "HeNormal": (2.0, "fan_in", "truncated_normal"),
        "LecunUniform": (1.0, "fan_in", "uniform"),
        "LecunNormal": (1.0, "fan_in", "truncated_normal"),
    }
    for cls, args in fixed.items():
        for shape in (_DRAW_SHAPE, (3, 3, 64, 96)):
            rows.append(_random_init_row(cls, {}, _variance_theory(*args), shape))
    for mode in ("fan_in", "fan_out", "fan_avg"):
        for distribution in ("truncated_normal", "untruncated_normal", "uniform"):
            kwargs = {"scale": 2.5, "mode": mode, "distribution": distribution}
            rows.append(_random_init_row("VarianceScaling", kwargs,
                                         _variance_theory(2.5, mode, distribution)))
    rows.append(_random_init_row(
        "VarianceScaling", {"scale": 0.5, "mode": "fan_out", "distribution": "uniform"},
        _variance_theory(0.5, "fan_out", "uniform"), shape=(200000,)))
    rows.append(_random_init_row(
        "VarianceScaling", {"scale": 1.0, "mode": "fan_avg", "distribution": "normal"},
        _variance_theory(1.0, "fan_avg", "truncated_normal"), shape=(5, 8, 40, 100)))
    return rows


def _orthogonal_row():
    def compute():
        _, keras = _keras()
        pairs = []
        for shape in ((300, 100), (100, 300), (3, 3, 8, 64)):
            ours = kl_initializers.Orthogonal(gain=1.5, seed=3)(shape)
            theirs = _np(keras.initializers.Orthogonal(gain=1.5, seed=3)(shape))
            flat_o = ours.reshape(-1, shape[-1])
            flat_t = theirs.reshape(-1, shape[-1])
            if flat_o.shape[0] < flat_o.shape[1]:
                flat_o, flat_t = flat_o.T, flat_t.T
            pairs.append(Pair(f"{shape}: Q^T Q", flat_o.T @ flat_o, flat_t.T @ flat_t))
            pairs.append(Pair(f"{shape}: dtype/shape", (str(ours.dtype), ours.shape),
                              (str(theirs.dtype), tuple(theirs.shape)), exact=True))
        pairs.append(Pair("get_config",
                          kl_initializers.Orthogonal(gain=1.5, seed=3).get_config(),
                          keras.initializers.Orthogonal(gain=1.5, seed=3).get_config(),
                          exact=True))
        pairs.append(Pair("1D shape raises",
                          _error_name(lambda: kl_initializers.Orthogonal()((5,))),
                          _error_name(lambda: keras.initializers.Orthogonal()((5,))),
                          exact=True))
        return pairs

    return Row("initializers.Orthogonal[gain=1.5]", compute, rtol=1e-5, atol=1e-4,
               covers=("initializers.Orthogonal",))


def _deterministic_init_row():
    def compute():
        _, keras = _keras()
        pairs = []
        cases = [("Zeros", {}, (3, 4)), ("Ones", {}, (2, 5)),
                 ("Constant", {"value": 0.3}, (4, 2)),
                 ("Constant", {"value": -2}, (7,)),
                 ("Identity", {"gain": 2.0}, (3, 5)),
                 ("Identity", {}, (4, 4))]
        for cls, kwargs, shape in cases:
            ours = getattr(kl_initializers, cls)(**kwargs)
            theirs = getattr(keras.initializers, cls)(**kwargs)
            pairs.append(Pair(f"{cls}({kwargs}){shape}", ours(shape),
                              _np(theirs(shape))))
            pairs.append(Pair(f"{cls} dtype", str(ours(shape).dtype),
                              str(_np(theirs(shape)).dtype), exact=True))
            if cls != "Identity":
                # NOTE: Keras's Identity.get_config() drops `gain` (returns
                # {}); keraslite keeps it so that gain survives saving.
                pairs.append(Pair(f"{cls} get_config", ours.get_config(),
                                  theirs.get_config(), exact=True))
        pairs.append(Pair("Identity 3D raises",
                          _error_name(lambda: kl_initializers.Identity()((2, 2, 2))),
                          _error_name(lambda: keras.initializers.Identity()((2, 2, 2))),
                          exact=True))
        return pairs

    return Row("initializers[Zeros, Ones, Constant, Identity]", compute, rtol=0,
               atol=0, covers=("initializers.Zeros", "initializers.Ones",
                               "initializers.Constant", "initializers.Identity"))


def _fans_row():
    def compute():
        from keras.src.initializers.random_initializers import compute_fans

        pairs = []
        for shape in [(), (7,), (5, 3), (3, 5, 7), (3, 3, 4, 8), (2, 3, 3, 4, 8)]:
            pairs.append(Pair(f"compute_fans{shape}",
                              kl_initializers.compute_fans(shape),
                              tuple(compute_fans(shape)), exact=True))
        pairs.append(Pair("compute_fans with input/output axes",
                          kl_initializers.compute_fans((2, 3, 4, 5), (0, 1), (2, 3)),
                          tuple(compute_fans((2, 3, 4, 5), (0, 1), (2, 3))),
                          exact=True))
        return pairs

    return Row("initializers.compute_fans[1D..5D, axes]", compute,
               covers=("initializers.compute_fans",))


def _initializer_registry_row():
    def compute():
        _, keras = _keras()
        pairs = []
        for name in kl_initializers._REGISTRY:
            ours = kl_initializers.get(name)
            if name in ("Constant", "constant"):
                # NOTE: Keras's get("constant") raises KeyError('value'),
                # a Keras bug; compare with Keras's Constant() instead.
                theirs = keras.initializers.Constant()
                pairs.append(Pair(f"get({name!r}) config", ours.get_config(),
                                  theirs.get_config(), exact=True))
            else:
                theirs = keras.initializers.get(name)
            pairs.append(Pair(f"get({name!r})", type(ours).__name__,
                              type(theirs).__name__, exact=True))
        for cls, kwargs in [("GlorotUniform", {"seed": 5}),
                            ("VarianceScaling", {"scale": 2.0, "mode": "fan_out"}),
                            ("Constant", {"value": 0.5}),
                            ("RandomNormal", {"stddev": 0.1})]:
            ours = getattr(kl_initializers, cls)(**kwargs)
            theirs = getattr(keras.initializers, cls)(**kwargs)
            k_config = keras.initializers.serialize(theirs)
            pairs.append(Pair(f"serialize({cls})", kl_initializers.serialize(ours),
                              {k: k_config[k] for k in
                               ("module", "class_name", "config", "registered_name")},
                              exact=True))
            pairs.append(Pair(f"deserialize(Keras config of {cls})",
                              kl_initializers.deserialize(k_config).get_config(),
                              theirs.get_config(), exact=True))
            pairs.append(Pair(f"clone() of {cls}", ours.clone().get_config(),
                              theirs.clone().get_config(), exact=True))
        pairs.append(Pair("get(None)", kl_initializers.get(None),
                          keras.initializers.get(None), exact=True))
        pairs.append(Pair("get('nope') raises",
                          _error_name(lambda: kl_initializers.get("nope")),
                          _error_name(lambda: keras.initializers.get("nope")),
                          exact=True))
        return pairs

    return Row("initializers.get/serialize/deserialize", compute,
               covers=("initializers.get", "initializers.serialize",
                       "initializers.deserialize", "initializers.Initializer"))


def initializer_rows():
    return (_initializer_rows() + [_orthogonal_row(), _deterministic_init_row(),
                                   _fans_row(), _initializer_registry_row()])


# === regularizers and constraints ===========================================================
def _regularizer_row():
    def compute():
        _, keras = _keras()
        w = _f32(_rng(3).normal(size=(6, 4)))
        w[0, 0] = 0.0
        pairs = []
        cases = [("L1", {"l1": 0.03}), ("L2", {"l2": 0.02}), ("L1", {}), ("L2", {}),
                 ("L1L2", {"l1": 0.01, "l2": 0.05}), ("L1L2", {}),
                 ("l1_l2", {}), ("l1_l2", {"l1": 0.2, "l2": 0.1}),
                 ("l1", {"l1": 0.5}), ("l2", {"l2": 0.5})]
        for cls, kwargs in cases:
            ours = getattr(kl_regularizers, cls)(**kwargs)
            theirs = getattr(keras.regularizers, cls)(**kwargs)
            value, (grad,) = _tape(theirs, w)
            pairs.append(Pair(f"{cls}({kwargs}) penalty", ours(w), value))
            pairs.append(Pair(f"{cls}({kwargs}) gradient", ours.gradient(w), grad))
            pairs.append(Pair(f"{cls}({kwargs}) get_config", ours.get_config(),
                              theirs.get_config(), exact=True))
            k_config = keras.regularizers.serialize(theirs)
            pairs.append(Pair(f"serialize({cls})", kl_regularizers.serialize(ours),
                              {k: k_config[k] for k in
                               ("module", "class_name", "config", "registered_name")},
                              exact=True))
            pairs.append(Pair(f"deserialize(Keras config of {cls})",
                              kl_regularizers.deserialize(k_config).get_config(),
                              theirs.get_config(), exact=True))
        pairs.append(Pair("get('l1_l2') (a function name, not a registered "
                          "identifier)",
                          _error_name(lambda: kl_regularizers.get("l1_l2")),
                          _error_name(lambda: keras.regularizers.get("l1_l2")),
                          exact=True))
        for name in ("l1", "l2", "l1l2", "L1", "L2", "L1L2"):
            pairs.append(Pair(f"get({name!r}) config",
                              kl_regularizers.get(name).get_config(),
                              keras.regularizers.get(name).get_config(), exact=True))
        if hasattr(kl_regularizers, "validate_float_arg"):
            from keras.src.regularizers.regularizers import validate_float_arg

            for value in (0.1, 0, 3, -1.0, float("nan"), float("inf"), "a"):
                pairs.append(Pair(
                    f"validate_float_arg({value!r})",
                    _error_name(lambda: kl_regularizers.validate_float_arg(
                        value, name="l1")),
                    _error_name(lambda: validate_float_arg(value, name="l1")),
                    exact=True))
        base = kl_regularizers.Regularizer()
        pairs.append(Pair("Regularizer base penalty", base(w), 0.0))
        pairs.append(Pair("get(None)", kl_regularizers.get(None),
                          keras.regularizers.get(None), exact=True))
        pairs.append(Pair("get('nope') raises",
                          _error_name(lambda: kl_regularizers.get("nope")),
                          _error_name(lambda: keras.regularizers.get("nope")),
                          exact=True))
        pairs.append(Pair("L1(l1=-1) raises",
                          _error_name(lambda: kl_regularizers.L1(-1.0)),
                          _error_name(lambda: keras.regularizers.L1(-1.0)),
                          exact=True))
        return pairs

    return Row("regularizers[L1, L2, L1L2, l1_l2: penalty, gradient, config]",
               compute, rtol=1e-5, atol=1e-6,
               covers=("regularizers.L1", "regularizers.L2", "regularizers.L1L2",
                       "regularizers.l1_l2", "regularizers.l1", "regularizers.l2",
                       "regularizers.Regularizer", "regularizers.get",
                       "regularizers.serialize", "regularizers.deserialize",
                       "regularizers.validate_float_arg"))


def _constraint_row():
    def compute():
        _, keras = _keras()
        w = _f32(_rng(4).normal(size=(5, 6)) * np.array([0.1, 0.5, 1, 2, 4, 8]))
        pairs = []
        cases = [("MaxNorm", {}), ("MaxNorm", {"max_value": 1.5, "axis": 1}),
                 ("NonNeg", {}), ("UnitNorm", {}), ("UnitNorm", {"axis": 1}),
                 ("MinMaxNorm", {}),
                 ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.5, "rate": 0.7}),
                 ("MinMaxNorm", {"min_value": 0.2, "max_value": 3.0, "axis": 1})]
        for cls, kwargs in cases:
            ours = getattr(kl_constraints, cls)(**kwargs)
            theirs = getattr(keras.constraints, cls)(**kwargs)
            pairs.append(Pair(f"{cls}({kwargs})", ours(w), _np(theirs(w))))
            pairs.append(Pair(f"{cls}({kwargs}) get_config", ours.get_config(),
                              theirs.get_config(), exact=True))
            k_config = keras.constraints.serialize(theirs)
            pairs.append(Pair(f"serialize({cls})", kl_constraints.serialize(ours),
                              {k: k_config[k] for k in
                               ("module", "class_name", "config", "registered_name")},
                              exact=True))
            pairs.append(Pair(f"get(Keras config of {cls})",
                              kl_constraints.get(k_config).get_config(),
                              theirs.get_config(), exact=True))
        for name in ("max_norm", "non_neg", "unit_norm", "min_max_norm"):
            pairs.append(Pair(f"get({name!r})",
                              type(kl_constraints.get(name)).__name__,
                              type(keras.constraints.get(name)).__name__, exact=True))
        pairs.append(Pair("Constraint base is identity",
                          kl_constraints.Constraint()(w),
                          _np(keras.constraints.Constraint()(w))))
        pairs.append(Pair("get('nope') raises",
                          _error_name(lambda: kl_constraints.get("nope")),
                          _error_name(lambda: keras.constraints.get("nope")),
                          exact=True))
        return pairs

    return Row("constraints[MaxNorm, NonNeg, UnitNorm, MinMaxNorm]", compute,
               rtol=1e-5, atol=1e-6,
               covers=("constraints.MaxNorm", "constraints.NonNeg",
                       "constraints.UnitNorm", "constraints.MinMaxNorm",
                       "constraints.Constraint", "constraints.get",
                       "constraints.serialize"))


# === to_categorical ==========================================================================
def _to_categorical_row():
    def compute():
        _, keras = _keras()
        cases = [
            ("list", [0, 2, 1, 2], None),
            ("list num_classes=5", [0, 2, 1, 2], 5),
            ("tuple", (1, 0), None),
            ("scalar", 3, None),
            ("scalar num_classes=5", np.int64(2), 5),
            ("int8 (n,)", np.array([0, 3, 1], "int8"), None),
            ("uint8 (n,)", np.array([0, 3, 1], "uint8"), 6),
            ("int16 (n,1)", np.array([[0], [3], [1]], "int16"), None),
            ("int32 (n,2)", np.array([[0, 1], [2, 1]], "int32"), None),
            ("int64 (n,3,1)", np.arange(6, dtype="int64").reshape(2, 3, 1), None),
            ("int64 (2,3,4)", np.arange(24).reshape(2, 3, 4) % 5, 5),
            ("uint64", np.array([2, 0], "uint64"), None),
            ("float32 integral", np.array([0.0, 2.0, 1.0], "float32"), None),
            ("float64 (n,1) integral", np.array([[1.0], [0.0]]), 3),
            ("bool", np.array([True, False, True]), None),
            ("empty with num_classes", np.array([], "int64"), 3),
            ("(1,) shape", np.array([1]), 2),
        ]
        pairs = []
        for label, x, num_classes in cases:
            ours = keraslite.utils.to_categorical(x, num_classes)
            theirs = keras.utils.to_categorical(x, num_classes)
            pairs.append(Pair(f"{label} values", ours, theirs))
            pairs.append(Pair(f"{label} shape/dtype", (ours.shape, str(ours.dtype)),
                              (theirs.shape, str(theirs.dtype)), exact=True))
        for label, x in [("(n,3) rows", np.array([[3.0, 4.0], [0.0, 0.0]])),
                         ("3D axis=1", _rng(1).normal(size=(2, 3, 4)))]:
            axis = 1 if x.ndim == 3 else -1
            pairs.append(Pair(f"normalize {label}",
                              keraslite.utils.normalize(x, axis=axis),
                              _np(keras.utils.normalize(x, axis=axis))))
        pairs.append(Pair("normalize order=1",
                          keraslite.utils.normalize([[1.0, -3.0]], order=1),
                          _np(keras.utils.normalize(np.array([[1.0, -3.0]]), order=1))))
        return pairs

    return Row("utils.to_categorical[shapes, dtypes] + normalize", compute,
               rtol=0, atol=1e-7,
               covers=("utils.to_categorical", "utils.normalize"))


def _to_categorical_difference_row():
    """keraslite rejects labels that Keras silently wraps or truncates.

    This is a documented difference (see `to_categorical`'s docstring): the
    row asserts that keraslite raises ValueError while Keras returns an array.
    """

    def compute():
        _, keras = _keras()
        pairs = []
        for label, x, num_classes in [
            ("negative label -1", [0, -1, 2], None),
            ("label >= num_classes", [0, 3], 3),
            ("non-integer 1.5", [0.0, 1.5], None),
            ("NaN label", [0.0, np.nan], 3),
        ]:
            pairs.append(Pair(
                label,
                _error_name(lambda: keraslite.utils.to_categorical(x, num_classes)),
                "ValueError", exact=True))
            keras_outcome = _error_name(lambda: keras.utils.to_categorical(
                np.asarray(x), num_classes))
            pairs.append(Pair(f"{label} (Keras does not reject it)",
                              keras_outcome in ("no error", "IndexError"), True,
                              exact=True))
        return pairs

    return Row("utils.to_categorical[documented difference: invalid labels raise]",
               compute, covers=("utils.to_categorical",))


# === optimizers ==============================================================================
_OPT_SHAPES = [(6, 4), (4,), (3, 3)]
# For the later optimizers: a rank-3 variable too (Adafactor factors the
# last two axes; Lamb takes norms over the whole variable).
_MORE_OPT_SHAPES = [(6, 4), (4,), (2, 3, 5)]


def _optimizer_case_row(cls, case, steps=50, shapes=_OPT_SHAPES, kwargs_for=None):
    """50 steps of `cls(**case)` on three variables, against Keras.

    `case` may hold "exclude_from_weight_decay": var_names, passed to the
    method of that name instead of the constructor. `kwargs_for(optimizers,
    kwargs)`, if given, makes each library's constructor arguments (e.g. its
    own schedule). With `use_ema`, the weights after
    `finalize_variable_values` are compared too.
    """
    def compute():
        _, keras = _keras()
        # Automatic names ("variable", "variable_1", ...) count from here in
        # both libraries, whatever ran before in this process.
        keras.backend.clear_session()
        keraslite.backend.clear_session()
        rng = _rng(11)
        init = [_f32(rng.normal(size=s)) for s in shapes]
        grads = [[_f32(rng.normal(size=s) * (3.0 if t % 7 == 0 else 0.3))
                  for s in shapes] for t in range(steps)]
        ours_vars = [Variable(w.copy(), f"w{i}") for i, w in enumerate(init)]
        theirs_vars = [keras.Variable(w.copy(), name=f"w{i}")
                       for i, w in enumerate(init)]
        kwargs = dict(case)
        exclude = kwargs.pop("exclude_from_weight_decay", None)
        kwargs_for_ = kwargs_for or (lambda module, kw: kw)
        ours = getattr(kl_optimizers, cls)(**kwargs_for_(kl_optimizers, kwargs))
        theirs = getattr(keras.optimizers, cls)(
            **kwargs_for_(keras.optimizers, kwargs))
        if exclude:
            ours.exclude_from_weight_decay(var_names=exclude)
            theirs.exclude_from_weight_decay(var_names=exclude)
        pairs = []
        for t, g in enumerate(grads):
            ours.apply([x.copy() for x in g], ours_vars)
            theirs.apply(g, theirs_vars)
            if t in (0, steps // 2):
                for i, (o, k) in enumerate(zip(ours_vars, theirs_vars)):
                    pairs.append(Pair(f"weight {i} after step {t + 1}",
                                      o.value.copy(), _np(k)))
        for i, (o, k) in enumerate(zip(ours_vars, theirs_vars)):
            pairs.append(Pair(f"weight {i} after {steps} steps", o.value.copy(),
                              _np(k)))
            pairs.append(Pair(f"weight {i} dtype", str(o.value.dtype), "float32",
                              exact=True))
        ours_state, theirs_state = ours.variables, theirs.variables
        pairs.append(Pair("optimizer variable names, in order",
                          [v.name for v in ours_state],
                          [v.name for v in theirs_state], exact=True))
        for o, k in zip(ours_state, theirs_state):
            pairs.append(Pair(f"optimizer variable {k.name}", o.numpy(), _np(k)))
        pairs.append(Pair("iterations", ours.iterations, int(_np(theirs.iterations)),
                          exact=True))
        if kwargs.get("use_ema"):
            ours.finalize_variable_values(ours_vars)
            theirs.finalize_variable_values(theirs_vars)
            pairs += [Pair(f"weight {i} after finalize_variable_values",
                           o.value, _np(k))
                      for i, (o, k) in enumerate(zip(ours_vars, theirs_vars))]
        config = ours.get_config()
        k_config = theirs.get_config()
        pairs.append(Pair("get_config", {k: config[k] for k in config if k != "name"},
                          {k: k_config[k] for k in config if k != "name"},
                          exact=True))
        return pairs

    label = ", ".join(f"{k}={v!r}" for k, v in case.items())
    return Row(f"optimizers.{cls}[{label}]", compute, rtol=1e-5, atol=1e-6,
               covers=(f"optimizers.{cls}", "optimizers.Optimizer"))


def _optimizer_rows():
    sgd = [{"learning_rate": 0.05},
           {"learning_rate": 0.05, "momentum": 0.9},
           {"learning_rate": 0.02, "momentum": 0.8, "nesterov": True},
           {"learning_rate": 0.05, "momentum": 0.9, "weight_decay": 0.01},
           {"learning_rate": 0.05, "clipnorm": 1.0},
           {"learning_rate": 0.05, "momentum": 0.5, "clipvalue": 0.5}]
    rms = [{"learning_rate": 0.01, "rho": 0.8},
           {"learning_rate": 0.01, "momentum": 0.5},
           {"learning_rate": 0.01, "centered": True},
           {"learning_rate": 0.005, "rho": 0.95, "momentum": 0.3, "centered": True,
            "epsilon": 1e-5},
           {"learning_rate": 0.01, "weight_decay": 0.05},
           {"learning_rate": 0.01, "clipvalue": 0.2},
           {"learning_rate": 0.01, "global_clipnorm": 2.0}]
    adam = [{"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-6},
            {"learning_rate": 0.01, "amsgrad": True},
            {"learning_rate": 0.02, "beta_1": 0.7, "amsgrad": True, "epsilon": 1e-4},
            {"learning_rate": 0.01, "weight_decay": 0.02},
            {"learning_rate": 0.01, "global_clipnorm": 1.5},
            {"learning_rate": 0.01, "clipnorm": 0.5}]
    # The rest of Keras's optimizers: defaults (at a learning rate that moves
    # the weights in 50 steps), their own options, and the common options.
    more = {
        "Adadelta": [{"learning_rate": 1.0},
                     {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-5},
                     {"learning_rate": 1.0, "weight_decay": 0.01},
                     {"learning_rate": 1.0, "clipnorm": 0.5}],
        "Adagrad": [{"learning_rate": 0.1},
                    {"learning_rate": 0.05, "initial_accumulator_value": 0.5,
                     "epsilon": 1e-5},
                    {"learning_rate": 0.1, "weight_decay": 0.02},
                    {"learning_rate": 0.1, "global_clipnorm": 1.5}],
        "Adamax": [{"learning_rate": 0.01},
                   {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.95,
                    "epsilon": 1e-5},
                   {"learning_rate": 0.01, "weight_decay": 0.02},
                   {"learning_rate": 0.01, "clipvalue": 0.5}],
        "Nadam": [{"learning_rate": 0.01},
                  {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.95,
                   "epsilon": 1e-5},
                  {"learning_rate": 0.01, "weight_decay": 0.02},
                  {"learning_rate": 0.01, "clipnorm": 0.5}],
        "AdamW": [{"learning_rate": 0.01},
                  {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True},
                  {"learning_rate": 0.01, "weight_decay": 0.05,
                   "exclude_from_weight_decay": ["w1", "w2"]},
                  {"learning_rate": 0.01, "global_clipnorm": 1.0}],
        "Ftrl": [{"learning_rate": 0.1},
                 {"learning_rate": 0.1, "learning_rate_power": -0.3,
                  "initial_accumulator_value": 0.5,
                  "l1_regularization_strength": 0.01,
                  "l2_regularization_strength": 0.02,
                  "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1},
                 {"learning_rate": 0.1, "learning_rate_power": 0.0,
                  "l1_regularization_strength": 0.05},
                 {"learning_rate": 0.1, "clipvalue": 0.5}],
        "Lion": [{"learning_rate": 0.003},
                 {"learning_rate": 0.003, "beta_1": 0.5, "beta_2": 0.9},
                 {"learning_rate": 0.003, "weight_decay": 0.1},
                 {"learning_rate": 0.003, "clipnorm": 0.5}],
        "Lamb": [{"learning_rate": 0.01},
                 {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.95,
                  "epsilon": 1e-5},
                 {"learning_rate": 0.01, "weight_decay": 0.02},
                 {"learning_rate": 0.01, "global_clipnorm": 1.0}],
        "Adafactor": [{"learning_rate": 0.01},
                      {"learning_rate": 0.05, "beta_2_decay": -0.5,
                       "epsilon_2": 1e-2, "clip_threshold": 0.5,
                       "relative_step": False},
                      {"learning_rate": 0.01, "weight_decay": 0.02},
                      {"learning_rate": 0.01, "clipnorm": 0.5}],
    }
    return ([_optimizer_case_row("SGD", k) for k in sgd]
            + [_optimizer_case_row("RMSprop", k) for k in rms]
            + [_optimizer_case_row("Adam", k) for k in adam]
            + [_optimizer_case_row(cls, k, shapes=_MORE_OPT_SHAPES)
               for cls, cases in more.items() for k in cases])


def _optimizer_registry_row():
    def compute():
        _, keras = _keras()
        pairs = []
        for name in ("sgd", "rmsprop", "adam", "SGD", "RMSprop", "Adam",
                     "adadelta", "adagrad", "adamax", "nadam", "adamw", "ftrl",
                     "lion", "adafactor", "AdamW", "Adafactor"):
            ours, theirs = kl_optimizers.get(name), keras.optimizers.get(name)
            pairs.append(Pair(f"get({name!r}) class", type(ours).__name__,
                              type(theirs).__name__, exact=True))
            config, k_config = ours.get_config(), theirs.get_config()
            pairs.append(Pair(f"get({name!r}) default config",
                              {k: v for k, v in config.items() if k != "name"},
                              {k: k_config.get(k) for k in config if k != "name"},
                              exact=True))
        theirs = keras.optimizers.Adam(learning_rate=0.01, amsgrad=True)
        k_config = keras.optimizers.serialize(theirs)
        rebuilt = kl_optimizers.deserialize(k_config)
        pairs.append(Pair("deserialize(Keras config of Adam)",
                          rebuilt.get_config(),
                          {k: v for k, v in theirs.get_config().items()
                           if k in rebuilt.get_config()}, exact=True))
        ours_config = kl_optimizers.serialize(rebuilt)
        pairs.append(Pair("serialize(Adam) module/class_name",
                          (ours_config["module"], ours_config["class_name"]),
                          (k_config["module"], k_config["class_name"]), exact=True))
        pairs.append(Pair("get('lamb') raises (Keras has no such name)",
                          _error_name(lambda: kl_optimizers.get("lamb")),
                          _error_name(lambda: keras.optimizers.get("lamb")),
                          exact=True))
        # (Keras 3.15's own deserialize returns the string "Lamb" here.)
        lamb = keras.optimizers.serialize(keras.optimizers.Lamb(beta_1=0.8))
        pairs.append(Pair("deserialize(Keras config of Lamb)",
                          kl_optimizers.deserialize(lamb).get_config(),
                          lamb["config"], exact=True))
        pairs.append(Pair("get('nope') raises",
                          _error_name(lambda: kl_optimizers.get("nope")),
                          _error_name(lambda: keras.optimizers.get("nope")),
                          exact=True))
        for cls, kwargs in (("AdamW", {"weight_decay": None}),
                            ("Lion", {"beta_1": 0.0}),
                            ("Lion", {"beta_1": 1.5}),
                            ("Ftrl", {"learning_rate_power": 0.5}),
                            ("Ftrl", {"initial_accumulator_value": -1.0}),
                            ("Ftrl", {"l1_regularization_strength": -1.0}),
                            ("Ftrl", {"l2_regularization_strength": -1.0}),
                            ("Ftrl",
                             {"l2_shrinkage_regularization_strength": -1.0}),
                            ("Nadam", {"foo": 1})):
            ours_error = _error_message(
                lambda: getattr(kl_optimizers, cls)(**kwargs))
            theirs_error = _error_message(
                lambda: getattr(keras.optimizers, cls)(**kwargs))
            pairs.append(Pair(f"{cls}({kwargs}) raises", ours_error,
                              theirs_error, exact=True))
        pairs.append(Pair("two clip options raise",
                          _error_name(lambda: kl_optimizers.SGD(clipnorm=1,
                                                                clipvalue=1)),
                          _error_name(lambda: keras.optimizers.SGD(clipnorm=1,
                                                                   clipvalue=1)),
                          exact=True))
        return pairs

    return Row("optimizers.get/serialize/deserialize", compute,
               covers=("optimizers.get", "optimizers.serialize",
                       "optimizers.deserialize", "optimizers.Optimizer"))


def optimizer_rows():
    return _optimizer_rows() + [_optimizer_registry_row()]


# === layers: gradients of Dense stacks =========================================================
STACK_LOSSES = ("mean_squared_error", "mean_absolute_error",
                "categorical_crossentropy", "sparse_categorical_crossentropy",
                "binary_crossentropy")
_OUTPUT_ACTIVATION = {"categorical_crossentropy": "softmax",
                      "sparse_categorical_crossentropy": "softmax",
                      "binary_crossentropy": "sigmoid"}


def _stack_data(loss, n=8, d=5, k=3, seed=0):
    rng = _rng(seed)
    x = _f32(rng.normal(size=(n, d)))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, n).astype("float32")
    elif loss == "categorical_crossentropy":
        y = _onehot(rng.integers(0, k, n), k)
    elif loss == "binary_crossentropy":
        y = _f32(rng.integers(0, 2, (n, k)))
    else:
        y = _f32(rng.normal(size=(n, k)))
    return x, y


def _build_pair(layer_specs, input_dim, seed, keras_specs=None):
    """The same stack in keraslite and Keras, with keraslite's weights.

    `layer_specs` is a list of `(kind, kwargs)` with kind "Dense",
    "Activation", "Dropout" or "Flatten"; biases get random values so that
    activation kinks are not all hit at zero."""
    _, keras = _keras()
    input_shape = input_dim if isinstance(input_dim, tuple) else (input_dim,)
    keraslite.utils.set_random_seed(seed)  # rows are reproducible
    ours = keraslite.Sequential(
        [keraslite.Input(input_shape)]
        + [getattr(keraslite.layers, kind)(**kw) for kind, kw in layer_specs])
    theirs = keras.Sequential(
        [keras.Input(input_shape)]
        + [getattr(keras.layers, kind)(**kw)
           for kind, kw in (keras_specs or layer_specs)])
    rng = _rng(seed)
    weights = [w if w.ndim > 1 else _f32(rng.normal(0, 0.3, w.shape))
               for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs


def _ours_gradients(model, x, y, loss, sample_weight=None):
    model.compile(optimizer="sgd", loss=loss)
    value, grads = model._compute_loss_and_grads(x, y, sample_weight)
    return value, [g.copy() for g in grads]


def _theirs_gradients(model, x, y, loss, sample_weight=None):
    _, keras = _keras()
    tf, _ = _keras()
    from keras.src.losses.losses import LossFunctionWrapper

    loss_fn = keras.losses.get(loss)
    if not isinstance(loss_fn, keras.losses.Loss):
        loss_fn = LossFunctionWrapper(loss_fn)
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        value = loss_fn(y, pred, sample_weight=sample_weight)
        if model.losses:
            value = value + keras.ops.sum(model.losses)
    grads = tape.gradient(value, model.trainable_weights)
    return _np(value), [_np(g) for g in grads]


def _grad_pairs(ours, theirs, x, y, loss, sample_weight=None, tag=""):
    o_value, o_grads = _ours_gradients(ours, x, y, loss, sample_weight)
    t_value, t_grads = _theirs_gradients(theirs, x, y, loss, sample_weight)
    pairs = [Pair(f"{tag}loss value", o_value, t_value),
             Pair(f"{tag}number of gradients", len(o_grads), len(t_grads),
                  exact=True)]
    names = [w.path for w in ours.trainable_weights]
    for name, o, t in zip(names, o_grads, t_grads):
        pairs.append(Pair(f"{tag}d loss / d {name}", o, t))
    return pairs


def _dense_stack_row(activation, loss):
    def compute():
        pairs = []
        for depth in (1, 2, 3):
            for use_bias in (True, False):
                specs = [("Dense", {"units": 4 if (i < depth - 1 or loss in
                                                   _OUTPUT_ACTIVATION) else 3,
                                    "activation": activation, "use_bias": use_bias})
                         for i in range(depth)]
                if loss in _OUTPUT_ACTIVATION:
                    specs.append(("Dense", {"units": 3, "use_bias": use_bias,
                                            "activation": _OUTPUT_ACTIVATION[loss]}))
                ours, theirs = _build_pair(specs, 5, seed=depth)
                x, y = _stack_data(loss, seed=depth)
                if activation == "exponential":
                    # NOTE: exp(exp(exp(.))) of unit-scale inputs reaches 1e30
                    # and float32 rounding dominates; keep it well conditioned.
                    x *= 0.1
                pairs += _grad_pairs(ours, theirs, x, y, loss,
                                     tag=f"depth={depth} bias={use_bias}: ")
        return pairs

    return Row(f"layers.Dense[stack gradients: {activation} x {loss}]", compute,
               rtol=1e-5, atol=1e-6,
               covers=("layers.Dense", "layers.Layer", "layers.Input",
                       "layers.InputLayer"))


def _layer_misc_row():
    def compute():
        _, keras = _keras()
        pairs = []
        # Activation layers, a Flatten of 3D and 4D inputs and Dropout at
        # inference, with regularized and constrained Dense layers.
        specs = [("Flatten", {}), ("Dense", {"units": 6, "activation": "tanh"}),
                 # rate 0: the gradient path through Dropout without
                 # comparing two libraries' random masks (see below).
                 ("Dropout", {"rate": 0.0}),
                 ("Dense", {"units": 4,
                            "kernel_regularizer": keras_free("L2", l2=0.01),
                            "bias_regularizer": keras_free("L1", l1=0.02),
                            "activity_regularizer": keras_free("L1L2", l1=0.01,
                                                               l2=0.01)}),
                 ("Activation", {"activation": "softmax"})]
        for input_shape, data_format in (((3, 4), None), ((2, 3, 4), None),
                                         ((2, 3, 4), "channels_first")):
            layer_specs = [(kind, dict(kw)) for kind, kw in specs]
            if data_format:
                layer_specs[0][1]["data_format"] = data_format
            ours, theirs = _build_pair(_materialize(layer_specs, "keraslite"),
                                       input_shape, seed=5,
                                       keras_specs=_materialize(layer_specs, "keras"))
            rng = _rng(6)
            x = _f32(rng.normal(size=(8,) + input_shape))
            y = _onehot(rng.integers(0, 4, 8), 4)
            tag = f"input {input_shape} {data_format or ''}: "
            pairs += _grad_pairs(ours, theirs, x, y, "categorical_crossentropy",
                                 tag=tag)
            pairs.append(Pair(f"{tag}predict", ours.predict(x, verbose=0),
                              theirs.predict(x, verbose=0)))
            for o_layer, t_layer in zip(ours.layers, theirs.layers):
                pairs.append(Pair(f"{tag}{t_layer.name} output_shape",
                                  tuple(o_layer.output_shape),
                                  tuple(t_layer.output.shape), exact=True))
        # Dropout in training: kept entries are scaled by 1 / (1 - rate), the
        # kept fraction is 1 - rate (6 standard errors on 100k entries).
        x = np.ones((200, 500), np.float32)
        for rate in (0.25, 0.6):
            o = keraslite.layers.Dropout(rate, seed=1)(x, training=True)
            t = _np(keras.layers.Dropout(rate, seed=1)(x, training=True))
            pairs.append(Pair(f"Dropout({rate}) kept values",
                              np.unique(o[o != 0]), np.unique(t[t != 0])))
            se = np.sqrt(rate * (1 - rate) / x.size)
            pairs.append(Pair(f"Dropout({rate}) kept fraction within 6 s.e.",
                              bool(abs((o != 0).mean() - (1 - rate)) < 6 * se),
                              bool(abs((t != 0).mean() - (1 - rate)) < 6 * se),
                              exact=True))
            pairs.append(Pair(f"Dropout({rate}) at inference",
                              keraslite.layers.Dropout(rate)(x), _np(
                                  keras.layers.Dropout(rate)(x))))
        return pairs

    return Row("layers[Flatten, Dropout, Activation, regularized Dense]", compute,
               rtol=1e-5, atol=1e-6,
               covers=("layers.Flatten", "layers.Dropout", "layers.Activation",
                       "layers.Dense", "layers.Layer"))


def keras_free(cls, **kwargs):
    """A regularizer spec materialized per library by `_materialize`."""
    return ("__regularizer__", cls, kwargs)


def _materialize(specs, library):
    _, keras = _keras()
    module = kl_regularizers if library == "keraslite" else keras.regularizers
    out = []
    for kind, kwargs in specs:
        kwargs = {k: (getattr(module, v[1])(**v[2])
                      if isinstance(v, tuple) and v and v[0] == "__regularizer__"
                      else v) for k, v in kwargs.items()}
        out.append((kind, kwargs))
    return out


def _layer_config_row():
    def compute():
        _, keras = _keras()
        pairs = []
        layers = [
            ("Dense", {"units": 7, "activation": "relu", "use_bias": False,
                       "kernel_initializer": "he_normal"}),
            ("Dense", {"units": 3, "activation": "softmax",
                       "kernel_regularizer": None}),
            ("Activation", {"activation": "tanh"}),
            ("Dropout", {"rate": 0.4, "seed": 3}),
            ("Flatten", {"data_format": "channels_first"}),
        ]
        for kind, kwargs in layers:
            ours = getattr(keraslite.layers, kind)(name=f"l_{kind}", **kwargs)
            theirs = getattr(keras.layers, kind)(name=f"l_{kind}", **kwargs)
            o_config = keraslite.layers.serialize(ours)
            t_config = keras.layers.serialize(theirs)
            pairs.append(Pair(f"{kind} class_name/module",
                              (o_config["class_name"], o_config["module"]),
                              (t_config["class_name"], t_config["module"]),
                              exact=True))
            shared = sorted(set(o_config["config"]) - {"dtype"})
            pairs.append(Pair(f"{kind}({kwargs}) config",
                              {k: o_config["config"][k] for k in shared},
                              {k: t_config["config"].get(k) for k in shared},
                              exact=True))
            rebuilt = keraslite.layers.deserialize(t_config)
            pairs.append(Pair(f"{kind} deserialize(Keras config)",
                              {k: rebuilt.get_config()[k] for k in shared},
                              {k: t_config["config"].get(k) for k in shared},
                              exact=True))
        o_input = keraslite.layers.InputLayer(shape=(4, 5), name="inp")
        t_input = keras.layers.InputLayer(shape=(4, 5), name="inp")
        o_cfg, t_cfg = o_input.get_config(), t_input.get_config()
        pairs.append(Pair("InputLayer config",
                          {k: o_cfg[k] for k in ("batch_shape", "name", "sparse",
                                                 "ragged", "optional")},
                          {k: (tuple(t_cfg[k]) if k == "batch_shape" else t_cfg[k])
                           for k in ("batch_shape", "name", "sparse", "ragged",
                                     "optional")}, exact=True))
        pairs.append(Pair("Input((4, 5)).shape", keraslite.Input((4, 5)).shape,
                          tuple(keras.Input((4, 5)).shape), exact=True))
        pairs.append(Pair("deserialize unknown layer raises",
                          _error_name(lambda: keraslite.layers.deserialize(
                              {"class_name": "Nope", "config": {}})),
                          _error_name(lambda: keras.layers.deserialize(
                              {"class_name": "Nope", "config": {}})), exact=True))
        return pairs

    return Row("layers.serialize/deserialize[configs]", compute,
               covers=("layers.serialize", "layers.deserialize", "layers.InputLayer",
                       "layers.Input", "Input"))


def layer_rows():
    names = [n for n in kl_activations.ALL_ACTIVATIONS if n != "silu"]
    return ([_dense_stack_row(a, loss) for a in names for loss in STACK_LOSSES]
            + [_layer_misc_row(), _layer_config_row()])


# === whole training runs ====================================================================
def _mnist_path():
    """The offline MNIST copy, found as the repo conftest's fixture finds it."""
    import sys

    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from conftest import shared_datasets_dir

    return shared_datasets_dir() / "mnist.npz"


@functools.lru_cache(maxsize=None)
def _mnist(n_train=3000, n_val=1000):
    with np.load(_mnist_path()) as f:
        x_train, y_train = f["x_train"][:n_train], f["y_train"][:n_train]
        x_test, y_test = f["x_test"][:n_val], f["y_test"][:n_val]
    x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
    return x_train, y_train, x_test, y_test


def _run_specs():
    """name -> (layers, optimizer (cls, kwargs), loss, metrics, data())."""

    def book():
        x, y, xv, yv = _mnist()
        return (x, keraslite.utils.to_categorical(y, 10), xv,
                keraslite.utils.to_categorical(yv, 10))

    def binary():
        x, y, xv, yv = _mnist(2000, 500)
        return x, _f32(y % 2 == 0)[:, None], xv, _f32(yv % 2 == 0)[:, None]

    def regression():
        rng = _rng(21)
        w = rng.normal(size=(20, 1))
        x = _f32(rng.normal(size=(1500, 20)))
        y = _f32(np.sin(x @ w) + 0.1 * rng.normal(size=(1500, 1)))
        return x[:1200], y[:1200], x[1200:], y[1200:]

    return {
        "book network (784-512 relu-10 softmax, rmsprop, cce)": (
            (784,), [("Dense", {"units": 512, "activation": "relu"}),
                     ("Dense", {"units": 10, "activation": "softmax"})],
            ("RMSprop", {}), "categorical_crossentropy", ["accuracy"], book, 128),
        "binary classifier (sigmoid, adam, bce)": (
            (784,), [("Dense", {"units": 64, "activation": "relu"}),
                     ("Dense", {"units": 1, "activation": "sigmoid"})],
            ("Adam", {"learning_rate": 1e-3}), "binary_crossentropy",
            ["accuracy"], binary, 64),
        "mse regressor (tanh, sgd momentum)": (
            (20,), [("Dense", {"units": 32, "activation": "tanh"}),
                    ("Dense", {"units": 1})],
            ("SGD", {"learning_rate": 0.01, "momentum": 0.9}), "mse", ["mae"],
            regression, 32),
    }


@functools.lru_cache(maxsize=None)
def whole_run(name):
    """Trains the same model in keraslite and Keras; returns both results."""
    _, keras = _keras()
    input_shape, specs, (opt, opt_kwargs), loss, metrics, data, batch = (
        _run_specs()[name])
    x, y, xv, yv = data()
    ours, theirs = _build_pair(specs, input_shape, seed=0)
    ours.set_weights([w for w in ours.get_weights()])
    zero_bias = [w if w.ndim > 1 else np.zeros_like(w) for w in ours.get_weights()]
    ours.set_weights(zero_bias)
    theirs.set_weights(zero_bias)
    ours.compile(optimizer=getattr(kl_optimizers, opt)(**opt_kwargs), loss=loss,
                 metrics=metrics)
    theirs.compile(optimizer=getattr(keras.optimizers, opt)(**opt_kwargs),
                   loss=loss, metrics=metrics)
    results = {}
    for label, model in (("ours", ours), ("theirs", theirs)):
        history = model.fit(x, y, batch_size=batch, epochs=3, shuffle=False,
                            validation_data=(xv, yv), verbose=0)
        results[label] = {
            "history": {k: list(map(float, v)) for k, v in history.history.items()},
            "history_keys": list(history.history),
            "params": dict(history.params),
            "weights": model.get_weights(),
            "evaluate": model.evaluate(xv, yv, batch_size=batch, verbose=0),
            "evaluate_dict": model.evaluate(xv, yv, verbose=0, return_dict=True),
            "predict": model.predict(xv, verbose=0),
        }
    return results["ours"], results["theirs"]


def _whole_run_row(name):
    def compute():
        ours, theirs = whole_run(name)
        pairs = [Pair("History.history keys", sorted(ours["history"]),
                      sorted(theirs["history"]), exact=True)]
        for key, values in theirs["history"].items():
            pairs.append(Pair(f"History.history[{key!r}] per epoch",
                              ours["history"].get(key, [np.nan] * len(values)),
                              values))
        for i, (o, t) in enumerate(zip(ours["weights"], theirs["weights"])):
            pairs.append(Pair(f"final weight {i}", o, t))
        pairs.append(Pair("evaluate", ours["evaluate"], theirs["evaluate"]))
        pairs.append(Pair("evaluate(return_dict=True) keys",
                          sorted(ours["evaluate_dict"]),
                          sorted(theirs["evaluate_dict"]), exact=True))
        pairs.append(Pair("predict", ours["predict"], theirs["predict"]))
        return pairs

    return Row(f"fit[{name}, 3 epochs]", compute, rtol=0.0, atol=1e-4,
               covers=("optimizers.RMSprop", "optimizers.Adam", "optimizers.SGD",
                       "layers.Dense", "metrics.resolve", "models.Sequential",
                       "Sequential", "Input"))


def _history_behaviour_row():
    def compute():
        name = next(iter(_run_specs()))
        ours, theirs = whole_run(name)
        return [
            Pair("History.history keys in order", ours["history_keys"],
                 theirs["history_keys"], exact=True),
            Pair("History.params", ours["params"], theirs["params"], exact=True),
            Pair("evaluate(return_dict=True) keys in order",
                 list(ours["evaluate_dict"]), list(theirs["evaluate_dict"]),
                 exact=True),
        ]

    return Row("behaviour[History keys, order and params]", compute)


def _small_pair(metrics, loss="categorical_crossentropy"):
    _, keras = _keras()
    specs = [("Dense", {"units": 5, "activation": "relu"}),
             ("Dense", {"units": 3, "activation": "softmax"})]
    ours, theirs = _build_pair(specs, 4, seed=2)
    ours.compile(optimizer="sgd", loss=loss, metrics=metrics)
    theirs.compile(optimizer="sgd", loss=loss, metrics=metrics)
    rng = _rng(12)
    x = _f32(rng.normal(size=(20, 4)))
    y = _onehot(rng.integers(0, 3, 20), 3)
    return ours, theirs, x, y


def _kind(value):
    """A comparable description of a return value's type and shape."""
    if isinstance(value, dict):
        return ("dict", sorted(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_kind(v) for v in value])
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, str(value.dtype))
    if isinstance(value, (float, np.floating)):
        return "float"
    return type(value).__name__


def _return_types_row():
    def compute():
        pairs = []
        for metrics in (None, ["accuracy"], ["accuracy", "mse"]):
            ours, theirs, x, y = _small_pair(metrics)
            tag = f"metrics={metrics}: "
            for label, call in [
                ("evaluate", lambda m: m.evaluate(x, y, verbose=0)),
                ("evaluate(return_dict=True)",
                 lambda m: m.evaluate(x, y, verbose=0, return_dict=True)),
                ("train_on_batch", lambda m: m.train_on_batch(x, y)),
                ("train_on_batch(return_dict=True)",
                 lambda m: m.train_on_batch(x, y, return_dict=True)),
                ("test_on_batch", lambda m: m.test_on_batch(x, y)),
                ("test_on_batch(return_dict=True)",
                 lambda m: m.test_on_batch(x, y, return_dict=True)),
                ("predict", lambda m: m.predict(x, verbose=0)),
                ("predict_on_batch", lambda m: np.asarray(m.predict_on_batch(x))),
            ]:
                o, t = call(ours), call(theirs)
                pairs.append(Pair(f"{tag}{label} type", _kind(o), _kind(t),
                                  exact=True))
                numeric = (list(o.values()) if isinstance(o, dict) else o)
                k_numeric = (list(t.values()) if isinstance(t, dict) else t)
                if not label.startswith("train"):
                    pairs.append(Pair(f"{tag}{label} values", numeric, k_numeric))
            pairs.append(Pair(f"{tag}metrics_names after evaluate",
                              ours.metrics_names, theirs.metrics_names, exact=True))
        return pairs

    return Row("behaviour[return types of evaluate/predict/*_on_batch]", compute,
               rtol=1e-5, atol=1e-6)


def _summary_counts(model):
    lines = []
    model.summary(print_fn=lambda line, *a, **k: lines.append(line))
    text = "\n".join(lines)
    counts = {}
    for label in ("Total params", "Trainable params", "Non-trainable params",
                  "Optimizer params"):
        m = re.search(label + r": ([\d,]+)", text)
        counts[label] = int(m.group(1).replace(",", "")) if m else None
    return counts


def _summary_row():
    def compute():
        pairs = []
        ours, theirs, x, y = _small_pair(["accuracy"])
        pairs.append(Pair("summary counts before training", _summary_counts(ours),
                          _summary_counts(theirs), exact=True))
        ours.fit(x, y, epochs=1, verbose=0)
        theirs.fit(x, y, epochs=1, verbose=0)
        pairs.append(Pair("summary counts after fit (optimizer built)",
                          _summary_counts(ours), _summary_counts(theirs),
                          exact=True))
        pairs.append(Pair("count_params", ours.count_params(),
                          theirs.count_params(), exact=True))
        ours.layers[0].trainable = False
        theirs.layers[0].trainable = False
        o, t = _summary_counts(ours), _summary_counts(theirs)
        keep = ("Trainable params", "Non-trainable params")
        pairs.append(Pair("summary counts with a frozen layer",
                          {k: o[k] for k in keep}, {k: t[k] for k in keep},
                          exact=True))
        return pairs

    return Row("behaviour[summary() parameter counts]", compute)


def _exceptions_row():
    def compute():
        _, keras = _keras()

        def make(lib, compiled=True, **compile_kwargs):
            layers = lib.layers
            model = lib.Sequential([lib.Input((4,)), layers.Dense(3)])
            if compiled:
                kwargs = {"optimizer": "sgd", "loss": "mse", **compile_kwargs}
                model.compile(**kwargs)
            return model

        x = np.zeros((10, 4), np.float32)
        y = np.zeros((10, 3), np.float32)
        cases = [
            ("fit before compile",
             lambda lib: make(lib, compiled=False).fit(x, y, verbose=0)),
            ("evaluate before compile",
             lambda lib: make(lib, compiled=False).evaluate(x, y, verbose=0)),
            ("wrong input width in fit",
             lambda lib: make(lib).fit(np.zeros((10, 5)), y, verbose=0)),
            ("wrong input width in predict",
             lambda lib: make(lib).predict(np.zeros((10, 5)), verbose=0)),
            ("unknown optimizer string",
             lambda lib: make(lib, optimizer="no_such_optimizer")),
            ("unknown loss string",
             lambda lib: make(lib, loss="no_such_loss").fit(x, y, verbose=0)),
            ("unknown activation string",
             lambda lib: lib.layers.Dense(3, activation="no_such_activation")),
            ("unknown metric string",
             lambda lib: make(lib, metrics=["no_such_metric"]).fit(x, y, verbose=0)),
            ("x/y length mismatch",
             lambda lib: make(lib).fit(x, y[:7], verbose=0)),
            ("unknown initializer string",
             lambda lib: lib.layers.Dense(3, kernel_initializer="nope")),
            ("Dense(units=0)", lambda lib: lib.layers.Dense(0)),
            ("set_weights with wrong count",
             lambda lib: make(lib).set_weights([np.zeros((4, 3))])),
        ]
        return [Pair(label, _error_name(lambda: call(keraslite)),
                     _error_name(lambda: call(keras)), exact=True)
                for label, call in cases]

    return Row("behaviour[exception types for common mistakes]", compute)


def behaviour_rows():
    return ([_whole_run_row(name) for name in _run_specs()]
            + [_history_behaviour_row(), _return_types_row(), _summary_row(),
               _exceptions_row()])


# === reused compat_tests helpers ===============================================================
def _compat(name):
    """A compat_tests module, imported on first use (they import Keras)."""
    import importlib
    import sys

    _keras()
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:  # `tests.dataset_fixtures` and friends
        sys.path.insert(0, root)
    return importlib.import_module(f"compat_tests.{name}")


def _parametrized(test):
    """The cases of a compat test's `@pytest.mark.parametrize` (reused, not copied)."""
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    return list(mark.args[1])


class _Capsys:
    """Stands in for pytest's `capsys` for helpers written for it."""

    def __init__(self):
        self.buffer = io.StringIO()

    def readouterr(self):
        out = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return types.SimpleNamespace(out=out, err="")


@contextlib.contextmanager
def _captured():
    """Captures stdout (both libraries print through `sys.stdout`)."""
    capsys = _Capsys()
    with contextlib.redirect_stdout(capsys.buffer):
        yield capsys


def _raised(fn):
    """The exception `fn()` raises (None if none)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fn()
    except Exception as e:
        return e
    return None


# === optimizers.schedules ======================================================================
def _schedule_values(schedule, steps, keras_side):
    if not keras_side:
        return [float(schedule(np.int64(s))) for s in steps]
    tf, _ = _keras()
    # NOTE: one eager call per step, as `schedule(step)` is documented: TF's
    # vectorized and graph-mode cos/pow round differently (1-4 ulp) from
    # its scalar kernels, which are the correctly rounded reference.
    return [float(_np(schedule(step))) for step in
            tf.unstack(tf.constant(np.asarray(steps, dtype="int64")))]


def _schedule_row(cls):
    def compute():
        _, keras = _keras()
        cases = [kwargs for name, kwargs in
                 _compat("test_callbacks_compat").SCHEDULE_CASES if name == cls]
        steps = np.arange(0, 2001)
        pairs = []
        for kwargs in cases:
            ours = getattr(kl_schedules, cls)(**kwargs)
            theirs = getattr(keras.optimizers.schedules, cls)(**kwargs)
            pairs.append(Pair(f"{kwargs} values at steps 0..2000",
                              _schedule_values(ours, steps, False),
                              _schedule_values(theirs, steps, True)))
            pairs.append(Pair(f"{kwargs} get_config", ours.get_config(),
                              theirs.get_config(), exact=True))
        if not cases:
            raise ValueError(f"compat_tests.test_callbacks_compat.SCHEDULE_CASES "
                             f"has no case of {cls}")
        return pairs

    return Row(f"optimizers.schedules.{cls}[values at steps 0..2000]", compute,
               rtol=1e-6, atol=1e-9,
               covers=(f"optimizers.schedules.{cls}",
                       "optimizers.schedules.LearningRateSchedule"))


def _schedule_registry_row():
    def compute():
        _, keras = _keras()
        ks = keras.optimizers.schedules
        pairs = []
        for name, kwargs in _compat("test_callbacks_compat").SCHEDULE_CASES:
            ours = getattr(kl_schedules, name)(**kwargs)
            theirs = getattr(ks, name)(**kwargs)
            k_config = ks.serialize(theirs)
            pairs.append(Pair(f"serialize({name}({kwargs}))",
                              kl_schedules.serialize(ours), k_config, exact=True))
            rebuilt = kl_schedules.deserialize(k_config)
            pairs.append(Pair(f"deserialize(Keras config of {name}) config",
                              (type(rebuilt).__name__, rebuilt.get_config()),
                              (name, theirs.get_config()), exact=True))
            back = ks.deserialize(kl_schedules.serialize(ours))
            pairs.append(Pair(f"Keras deserializes serialize({name})",
                              back.get_config(), theirs.get_config(), exact=True))
        k_opt = keras.optimizers.SGD(learning_rate=ks.ExponentialDecay(0.1, 10, 0.5))
        o_opt = kl_optimizers.SGD.from_config(k_opt.get_config())
        pairs.append(Pair("optimizer config with a schedule",
                          o_opt.get_config()["learning_rate"],
                          k_opt.get_config()["learning_rate"], exact=True))
        # NOTE: no comparison for an unknown class_name: Keras 3.15 returns
        # the string 'Nope' without complaint; keraslite raises ValueError.
        return pairs

    return Row("optimizers.schedules.serialize/deserialize", compute,
               covers=("optimizers.schedules.serialize",
                       "optimizers.schedules.deserialize",
                       "optimizers.schedules.LearningRateSchedule"))


def schedule_rows():
    # The base class has no values of its own; every row covers it.
    return ([_schedule_row(cls) for cls in kl_schedules.ALL_SCHEDULES
             if cls != "LearningRateSchedule"]
            + [_schedule_registry_row()])


# === callbacks =================================================================================
def _scripted_callback_row(cls, label, cases, make, compare):
    """A callback driven by a scripted monitored value in both libraries.

    `cases()` lists the cases; `make(lib, case, folder)` returns
    `(callback factory, key, values)`; `compare(case, keras_run, our_run,
    folder)` returns Pairs. Runs go through `run_both` of
    compat_tests/test_callbacks_compat.py (twin models, shuffle=False)."""

    def compute():
        helpers = _compat("test_callbacks_compat")
        pairs = []
        for case in cases(helpers):
            with tempfile.TemporaryDirectory() as folder, _captured() as capsys:
                factory, monitored, values = make(case, folder)
                k, o = helpers.run_both(factory, monitored, values, capsys)
                pairs += compare(case, k, o, folder)
        return pairs

    return Row(f"callbacks.{cls}[{label}]", compute, rtol=1e-5, atol=1e-6,
               covers=(f"callbacks.{cls}", "callbacks.MonitorCallback",
                       "callbacks.Callback", "callbacks.CallbackList",
                       "callbacks.History"))


def _early_stopping_row():
    def make(case, folder):
        values, kwargs = case
        kwargs = dict(kwargs)
        monitor = kwargs.pop("monitor", "val_loss")
        return (lambda lib: lib.callbacks.EarlyStopping(
            monitor=monitor, verbose=1, restore_best_weights=True, **kwargs),
            monitor, values)

    def compare(case, k, o, folder):
        tag = f"{case}: "
        pairs = [Pair(tag + "epochs run", o["epochs"], k["epochs"]),
                 Pair(tag + "stopped_epoch", o["callback"].stopped_epoch,
                      k["callback"].stopped_epoch),
                 Pair(tag + "best_epoch", o["callback"].best_epoch,
                      k["callback"].best_epoch),
                 Pair(tag + "printed messages", o["out"], k["out"], exact=True),
                 Pair(tag + "loss per epoch", o["history"]["loss"],
                      k["history"]["loss"])]
        for i, (kw, ow) in enumerate(zip(k["model"].get_weights(),
                                         o["model"].get_weights())):
            pairs.append(Pair(f"{tag}restored weight {i}", ow, np.asarray(kw)))
        return pairs

    return _scripted_callback_row(
        "EarlyStopping", "scripted histories, restore_best_weights",
        lambda helpers: helpers.EARLY_CASES, make, compare)


def _reduce_lr_row():
    def make(case, folder):
        values, kwargs = case
        return (lambda lib: lib.callbacks.ReduceLROnPlateau(verbose=1, **kwargs),
                "val_loss", values)

    def compare(case, k, o, folder):
        tag = f"{case}: "
        pairs = [Pair(tag + "learning rate per epoch", o["lrs"], k["lrs"]),
                 Pair(tag + "History['learning_rate']",
                      o["history"]["learning_rate"], k["history"]["learning_rate"]),
                 Pair(tag + "printed messages", o["out"], k["out"], exact=True)]
        return pairs + [Pair(f"{tag}final weight {i}", ow, np.asarray(kw))
                        for i, (kw, ow) in enumerate(zip(k["weights"][-1],
                                                         o["weights"][-1]))]

    return _scripted_callback_row(
        "ReduceLROnPlateau", "scripted plateaus, lr sequence",
        lambda helpers: _parametrized(
            helpers.test_reduce_lr_on_plateau_same_epochs_and_rates),
        make, compare)


def _lr_scheduler_row():
    def make(case, folder):
        return (lambda lib: lib.callbacks.LearningRateScheduler(case, verbose=1),
                "unused", [0.0] * 5)

    def compare(case, k, o, folder):
        tag = "schedule(epoch, lr)" if case.__code__.co_argcount == 2 else \
            "schedule(epoch)"
        return [Pair(f"{tag}: learning rate per epoch", o["lrs"], k["lrs"]),
                Pair(f"{tag}: History['learning_rate']",
                     o["history"]["learning_rate"], k["history"]["learning_rate"]),
                Pair(f"{tag}: printed messages", o["out"], k["out"], exact=True)]

    return _scripted_callback_row(
        "LearningRateScheduler", "lr sequence",
        lambda helpers: _parametrized(
            helpers.test_learning_rate_scheduler_same_rates),
        make, compare)


def _model_checkpoint_row():
    def make(case, folder):
        template, kwargs, values = case

        def factory(lib):
            path = os.path.join(folder, lib.__name__, "ckpt", template)
            return lib.callbacks.ModelCheckpoint(path, verbose=1, **kwargs)

        return factory, "val_loss", values

    def compare(case, k, o, folder):
        tag = f"{case[0]} {case[1]}: "
        files = {lib: sorted(os.listdir(os.path.join(folder, lib, "ckpt")))
                 for lib in ("keras", "keraslite")}
        return [Pair(tag + "files written", files["keraslite"], files["keras"],
                     exact=True),
                Pair(tag + "printed messages",
                     o["out"].replace(os.path.join(folder, "keraslite"), "<dir>"),
                     k["out"].replace(os.path.join(folder, "keras"), "<dir>"),
                     exact=True)]

    return _scripted_callback_row(
        "ModelCheckpoint", "file names written for a template",
        lambda helpers: _parametrized(helpers.test_model_checkpoint_same_files),
        make, compare)


def _scripted_logs_run(lib, callback, epochs_logs):
    """Drives `callback` as fit would, with scripted epoch logs (no training)."""
    helpers = _compat("test_callbacks_compat")
    model = helpers.twins()[0 if lib.__name__ == "keras" else 1]
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, logs in enumerate(epochs_logs):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, dict(logs))
    callback.on_train_end()
    return model


def _csv_logger_row():
    logs = [{"loss": 0.6931471805599453, "accuracy": np.float32(0.5),
             "val_loss": 0.25, "learning_rate": np.float32(0.05)},
            {"loss": 0.5, "accuracy": np.float32(0.625), "val_loss": 1 / 3,
             "learning_rate": np.float32(0.025)},
            {"loss": 1e-8, "accuracy": np.float32(1.0), "val_loss": float("nan"),
             "learning_rate": np.float32(0.0125)}]

    def compute():
        _, keras = _keras()
        pairs = []
        for kwargs in ({}, {"separator": ";"}, {"separator": "\t", "append": True}):
            contents = []
            for lib in (keraslite, keras):
                with tempfile.TemporaryDirectory() as folder:
                    path = os.path.join(folder, "log.csv")
                    # Two trainings into one file: the second appends or overwrites.
                    _scripted_logs_run(lib, lib.callbacks.CSVLogger(path, **kwargs),
                                       logs[:2])
                    _scripted_logs_run(lib, lib.callbacks.CSVLogger(path, **kwargs),
                                       logs[1:])
                    with open(path, newline="") as f:
                        contents.append(f.read())
            pairs.append(Pair(f"CSVLogger({kwargs}) file content", *contents,
                              exact=True))
        return pairs

    return Row("callbacks.CSVLogger[file content for scripted logs]", compute,
               covers=("callbacks.CSVLogger",))


def _lambda_and_nan_row():
    def compute():
        _, keras = _keras()
        helpers = _compat("test_callbacks_compat")
        pairs = []
        traces = []
        for lib, model in zip((keras, keraslite), helpers.twins()):
            trace = []

            def record(name):
                def hook(*args, **kwargs):
                    logs = kwargs.get("logs", args[-1] if args and isinstance(
                        args[-1], dict) else {})
                    ints = tuple(a for a in args if isinstance(a, int))
                    trace.append((name,) + ints + (sorted(logs or {}),))
                return hook

            callback = lib.callbacks.LambdaCallback(
                on_epoch_begin=record("epoch_begin"), on_epoch_end=record("epoch_end"),
                on_train_begin=record("train_begin"), on_train_end=record("train_end"),
                on_train_batch_begin=record("train_batch_begin"),
                on_train_batch_end=record("train_batch_end"))
            model.fit(*helpers.data(16), batch_size=8, epochs=2, verbose=0,
                      shuffle=False, validation_data=helpers.data(8, seed=2),
                      callbacks=[callback])
            traces.append(trace)
        pairs.append(Pair("LambdaCallback calls (hook, index, log keys)",
                          traces[1], traces[0], exact=True))
        nan = float("nan")
        for losses in ([1.0, 2.0], [1.0, nan, 0.5], [float("inf")], [np.float32(nan)]):
            runs = []
            for lib in (keraslite, keras):
                model = helpers.twins()[0 if lib is keras else 1]
                callback = lib.callbacks.TerminateOnNaN()
                callback.set_model(model)
                stops = []
                with _captured() as capsys:
                    for batch, loss in enumerate(losses):
                        callback.on_train_batch_end(batch, {"loss": loss})
                        stops.append(bool(model.stop_training))
                    out = capsys.readouterr().out
                raising = lib.callbacks.TerminateOnNaN(raise_error=True)
                raising.set_model(model)
                error = _raised(lambda: [raising.on_train_batch_end(i, {"loss": v})
                                         for i, v in enumerate(losses)])
                runs.append((stops, out, type(error).__name__,
                             str(error) if error else ""))
            pairs.append(Pair(f"TerminateOnNaN on losses {losses}: stop_training "
                              "per batch, message, raise_error=True",
                              runs[0], runs[1], exact=True))
        return pairs

    return Row("callbacks.LambdaCallback/TerminateOnNaN[behaviour]", compute,
               covers=("callbacks.LambdaCallback", "callbacks.TerminateOnNaN"))


def _hooks_and_progress_row():
    def compute():
        _, keras = _keras()
        helpers = _compat("test_callbacks_compat")
        progress = _compat("test_progress_compat")
        pairs = []
        traces = []
        for lib, model in zip((keras, keraslite), helpers.twins()):
            tracer = helpers.tracer(lib.callbacks.Callback)
            history = model.fit(*helpers.data(16), batch_size=8, epochs=2, verbose=0,
                                shuffle=False, validation_data=helpers.data(8, seed=2),
                                callbacks=[tracer])
            traces.append((tracer.trace, sorted(history.history), history.epoch,
                           history.params, model.history is history))
        for i, label in enumerate(("hook order and log keys in fit",
                                   "History keys", "History.epoch",
                                   "History.params", "model.history is History")):
            pairs.append(Pair(label, traces[1][i], traces[0][i], exact=True))
        # A CallbackList used by hand, as a custom loop would.
        lists = []
        for lib, model in zip((keras, keraslite), helpers.twins()):
            tracer = helpers.tracer(lib.callbacks.Callback)
            callbacks = lib.callbacks.CallbackList(
                [tracer], add_history=True, model=model, epochs=2, steps=1, verbose=0)
            callbacks.on_train_begin()
            for epoch in range(2):
                callbacks.on_epoch_begin(epoch)
                callbacks.on_train_batch_begin(0)
                callbacks.on_train_batch_end(0, {"loss": 1.0 / (epoch + 1)})
                callbacks.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1)})
            callbacks.on_train_end()
            lists.append((tracer.trace, [type(c).__name__ for c in callbacks.callbacks],
                          tracer.params, model.history.history, model.history.epoch))
        for i, label in enumerate(("CallbackList: hook order", "CallbackList: callbacks",
                                   "CallbackList: params", "CallbackList: History",
                                   "CallbackList: History.epoch")):
            pairs.append(Pair(label, lists[1][i], lists[0][i], exact=True))
        for verbose in (1, 2):
            with _captured() as capsys:
                ours = progress.run(keraslite, verbose, capsys)
                theirs = progress.run(keras, verbose, capsys)
            pairs.append(Pair(f"ProgbarLogger line skeleton, verbose={verbose}",
                              ours, theirs, exact=True))
        return pairs

    return Row("callbacks[hook order, CallbackList, History, ProgbarLogger lines]",
               compute, covers=("callbacks.Callback", "callbacks.CallbackList",
                                "callbacks.History", "callbacks.ProgbarLogger"))


def callback_rows():
    return [_hooks_and_progress_row(), _early_stopping_row(), _reduce_lr_row(),
            _lr_scheduler_row(), _model_checkpoint_row(), _csv_logger_row(),
            _lambda_and_nan_row()]


# === utils ==========================================================================================
def _progbar_row():
    # (Progbar kwargs, updates as (current, values, finalize))
    cases = [
        ({"target": 5}, [(i, [("loss", 1.0 / i), ("acc", 0.1 * i)], None)
                         for i in range(1, 6)]),
        ({"target": 5, "verbose": 2}, [(i, [("loss", 1.0 / i)], None)
                                       for i in range(1, 6)]),
        ({"target": 4, "stateful_metrics": ["acc"]},
         [(i, [("loss", 2.0 / i), ("acc", 0.25 * i)], None) for i in range(1, 5)]),
        ({"target": None}, [(i, [("loss", 0.5)], None) for i in (1, 2, 3)]
         + [(3, [("loss", 0.5)], True)]),
        ({"target": 3, "unit_name": "sample"}, [(1, None, None), (3, None, None)]),
        ({"target": 1000, "width": 10}, [(1, [("x", 1e-5)], None),
                                         (500, [("x", 123456.0)], None),
                                         (1000, [("x", 0.0)], None)]),
    ]

    def compute():
        _, keras = _keras()
        skeleton = _compat("test_progress_compat").skeleton
        pairs = []
        for kwargs, updates in cases:
            lines = []
            for lib in (keraslite, keras):
                with _captured() as capsys:
                    bar = lib.utils.Progbar(interval=0.0, **kwargs)
                    for current, values, finalize in updates:
                        bar.update(current, values, finalize=finalize)
                    lines.append(skeleton(capsys.readouterr().out))
            pairs.append(Pair(f"Progbar({kwargs}) lines", *lines, exact=True))
        return pairs

    return Row("utils.Progbar[line skeleton]", compute,
               covers=("utils.Progbar",))


def _random_seed_row():
    def draws(seed):
        keraslite.utils.set_random_seed(seed)
        model = keraslite.Sequential([keraslite.Input((5,)),
                                      keraslite.layers.Dense(4),
                                      keraslite.layers.Dropout(0.5)])
        mask = model.layers[-1](np.ones((3, 4), np.float32), training=True)
        backend = keraslite.backend
        return np.concatenate([
            *(w.ravel() for w in model.get_weights()), mask.ravel(),
            np.random.rand(3), [random.random()], backend.rng().normal(size=3),
            backend.make_rng(5).normal(size=3)])

    def keras_draws(seed):
        _, keras = _keras()
        keras.utils.set_random_seed(seed)
        layer = keras.layers.Dense(3)
        layer.build((None, 2))
        return np.concatenate([_np(keras.random.normal((4,))),
                               _np(layer.kernel).ravel(), np.random.rand(2)])

    def compute():
        _, keras = _keras()
        first, again, other = draws(7), draws(7), draws(8)
        k_first, k_again = keras_draws(7), keras_draws(7)
        return [
            # keraslite against itself: Keras's RNG stream cannot be matched.
            Pair("set_random_seed(7) twice: identical draws (self)", again, first),
            Pair("same seed reproducible (keraslite vs Keras)",
                 bool(np.array_equal(first, again)),
                 bool(np.array_equal(k_first, k_again)), exact=True),
            Pair("another seed gives other draws",
                 bool(np.array_equal(first, other)), False, exact=True),
            Pair("make_rng(seed) is independent of the global seed",
                 draws(1)[-3:], draws(2)[-3:]),
            Pair("set_random_seed('a') raises",
                 _error_name(lambda: keraslite.utils.set_random_seed("a")),
                 _error_name(lambda: keras.utils.set_random_seed("a")), exact=True),
        ]

    return Row("utils.set_random_seed[reproducibility within keraslite (self)]",
               compute, rtol=0.0, atol=0.0,
               covers=("utils.set_random_seed", "backend.set_random_seed",
                       "backend.rng", "backend.make_rng"))


def _normalize_row():
    rng = _rng(31)
    x2 = rng.normal(size=(6, 4))
    x2[2] = 0.0  # a zero row keeps its zeros
    x3 = _f32(rng.normal(size=(2, 3, 4)))
    cases = [(x2, {}), (x2, {"axis": 1}), (x2, {"order": 1}),
             (x2, {"order": np.inf}), (_f32(x2), {"axis": -1, "order": 2}),
             (x3, {}), (x3, {"axis": 1}), (x3, {"axis": 2, "order": 1}),
             (np.arange(5.0), {})]
    # NOTE: axis=0 is left out: Keras 3.15's NumPy path turns axis=0 into -1
    # (`axis = axis or -1`) and fails to broadcast; keraslite normalizes.

    def compute():
        _, keras = _keras()
        pairs = []
        for x, kwargs in cases:
            tag = f"{x.shape} {x.dtype} {kwargs}"
            ours, theirs = keraslite.utils.normalize(x, **kwargs), \
                keras.utils.normalize(x, **kwargs)
            pairs.append(Pair(f"normalize {tag}", ours, theirs))
            pairs.append(Pair(f"normalize {tag} dtype", str(ours.dtype),
                              str(theirs.dtype), exact=True))
        return pairs

    return Row("utils.normalize", compute, rtol=1e-7, atol=1e-12,
               covers=("utils.normalize",))


def _write_archives(folder):
    """A tar.gz (with a member escaping the folder) and a zip of small files."""
    import tarfile
    import zipfile

    files = {"a.txt": b"alpha\n", "sub/b.bin": bytes(range(256)) * 3}
    tar_path, zip_path = os.path.join(folder, "data.tar.gz"), \
        os.path.join(folder, "data.zip")
    with tarfile.open(tar_path, "w:gz") as tar:
        for name, data in {**files, "../evil.txt": b"x"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return tar_path, zip_path


def _tree(folder):
    """{relative path: bytes} of the files under `folder`."""
    out = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def _file_utils_row():
    def compute():
        import pytest
        import zipfile
        from keras.src.backend import config as keras_config
        from keras.src.utils import file_utils as k_fu

        fu = keraslite.utils.file_utils
        pairs = []
        with tempfile.TemporaryDirectory() as folder, \
                pytest.MonkeyPatch.context() as mp:
            path = os.path.join(folder, "blob.bin")
            with open(path, "wb") as f:
                f.write(_rng(3).bytes(200_000))
            for algorithm in ("sha256", "md5", "auto"):
                for chunk in (65535, 1000):
                    pairs.append(Pair(
                        f"hash_file({algorithm}, chunk_size={chunk})",
                        fu.hash_file(path, algorithm, chunk),
                        k_fu.hash_file(path, algorithm, chunk), exact=True))
            sha, md5 = k_fu.hash_file(path, "sha256"), k_fu.hash_file(path, "md5")
            for file_hash in (sha, md5, "0" * 64, "0" * 32):
                for algorithm in ("auto", "sha256", "md5"):
                    pairs.append(Pair(
                        f"validate_file(hash {file_hash[:6]}.., {algorithm})",
                        fu.validate_file(path, file_hash, algorithm),
                        k_fu.validate_file(path, file_hash, algorithm), exact=True))
                    pairs.append(Pair(
                        f"resolve_hasher({algorithm}, hash {file_hash[:6]}..)",
                        fu.resolve_hasher(algorithm, file_hash).name,
                        k_fu.resolve_hasher(algorithm, file_hash).name, exact=True))
            pairs.append(Pair("path_to_string(Path), (str)",
                              (fu.path_to_string(Path(path)), fu.path_to_string("x")),
                              (k_fu.path_to_string(Path(path)),
                               k_fu.path_to_string("x")), exact=True))
            # get_file on cached files: no download, the cached path.
            cache = os.path.join(folder, "cache")
            os.makedirs(os.path.join(cache, "sub"))
            with open(os.path.join(cache, "sub", "data.npz"), "wb") as f:
                f.write(b"cached")
            origin = "http://offline.invalid/files/data.npz"
            mp.setattr(k_fu, "urlretrieve", None)  # a download would raise
            for kwargs in ({"fname": "data.npz"}, {"fname": None},
                           {"fname": "data.npz", "file_hash":
                            k_fu.hash_file(os.path.join(cache, "sub", "data.npz"))}):
                call = dict(origin=origin, cache_dir=cache, cache_subdir="sub", **kwargs)
                pairs.append(Pair(f"get_file(cached, {kwargs})", fu.get_file(**call),
                                  k_fu.get_file(**call), exact=True))
            pairs.append(Pair("check_fname(None, origin) is get_file's file name",
                              fu.check_fname(None, origin),
                              os.path.basename(k_fu.get_file(
                                  origin=origin, cache_dir=cache, cache_subdir="sub")),
                              exact=True))
            # Default cache roots: both libraries pointed at one folder.
            home = os.path.join(folder, "home")
            os.makedirs(os.path.join(home, "datasets"))
            with open(os.path.join(home, "datasets", "h.npz"), "wb") as f:
                f.write(b"home")
            mp.setenv("KERASLITE_HOME", home)
            mp.setenv("KERAS_HOME", home)
            mp.setattr(keras_config, "_KERAS_DIR", home)
            keras_path = k_fu.get_file("h.npz", origin)
            pairs.append(Pair("get_file(fname with a folder) raises",
                              _error_name(lambda: fu.get_file("a/b.npz", origin)),
                              _error_name(lambda: k_fu.get_file("a/b.npz", origin)),
                              exact=True))
            pairs.append(Pair("keraslite_home(), keras_home() vs Keras's root",
                              (fu.keraslite_home(), fu.keras_home()),
                              (keras_config.keras_home(), keras_config.keras_home()),
                              exact=True))
            pairs.append(Pair("get_file default cache / cache_locations",
                              (fu.get_file("h.npz", origin),
                               fu.cache_locations("h.npz")),
                              (keras_path, [keras_path, keras_path]), exact=True))
            # Archives: same files extracted, unsafe members skipped by both.
            tar_path, zip_path = _write_archives(folder)
            for archive, fmt in ((tar_path, "auto"), (tar_path, "tar"),
                                 (zip_path, "auto"), (zip_path, "zip"),
                                 (zip_path, "tar"), (zip_path, None)):
                results = []
                for lib, module in (("ours", fu), ("theirs", k_fu)):
                    target = os.path.join(folder, f"x_{lib}")
                    shutil.rmtree(target, ignore_errors=True)
                    done = module.extract_archive(archive, target, fmt)
                    results.append((done, _tree(target) if done else {}))
                pairs.append(Pair(f"extract_archive({os.path.basename(archive)}, "
                                  f"{fmt!r})", *results, exact=True))
            results = []
            for lib, module in (("ours", fu), ("theirs", k_fu)):
                target = os.path.join(folder, f"open_{lib}")
                with zipfile.ZipFile(zip_path) as archive:
                    module.extract_open_archive(archive, target)
                results.append(_tree(target))
            pairs.append(Pair("extract_open_archive(ZipFile)", *results, exact=True))
            # A failed download: DownloadError is-a what Keras raises, same message.
            missing = "file://" + os.path.join(folder, "missing.bin")
            ours = _raised(lambda: fu.get_file("m.bin", missing, cache_dir=folder))
            mp.undo()
            theirs = _raised(lambda: k_fu.get_file("m.bin", missing, cache_dir=folder))
            pairs.append(Pair("failed download: DownloadError is-a Keras's error",
                              (type(ours).__name__, isinstance(ours, type(theirs))),
                              ("DownloadError", True), exact=True))
            pairs.append(Pair("failed download: message opening",
                              str(ours).startswith(f"URL fetch failure on {missing}: "),
                              str(theirs).startswith(f"URL fetch failure on {missing}: "),
                              exact=True))
        return pairs

    return Row("utils.file_utils[hash, validate, get_file from cache, extract]",
               compute,
               covers=tuple(f"utils.file_utils.{n}" for n in (
                   "hash_file", "validate_file", "resolve_hasher", "path_to_string",
                   "get_file", "check_fname", "keraslite_home", "keras_home",
                   "cache_locations", "extract_archive", "extract_open_archive",
                   "DownloadError")) + ("utils.get_file",))


def utils_rows():
    return [_progbar_row(), _random_seed_row(), _normalize_row(), _file_utils_row()]


# === datasets ===================================================================================
@functools.lru_cache(maxsize=None)
def _dataset_cache():
    """The synthetic datasets of compat_tests/test_datasets_compat.py, written once."""
    import atexit

    folder = tempfile.mkdtemp(prefix="keraslite_parity_")
    atexit.register(shutil.rmtree, folder, True)
    return _compat("test_datasets_compat").write_shared_cache(
        Path(folder) / "keras_home")


@contextlib.contextmanager
def _datasets_pointed_at_cache():
    """keraslite (via the Keras cache) and Keras (no network) read one cache."""
    import pytest

    cache = _dataset_cache()
    with tempfile.TemporaryDirectory() as empty, pytest.MonkeyPatch.context() as mp:
        keras_paths = _compat("test_datasets_compat").point_both_at(
            cache, Path(empty) / "keraslite_home", mp)
        yield cache, keras_paths


def _array_pairs(tag, ours, theirs):
    """Nested tuples of arrays: types, dtypes and shapes exactly, values as numbers."""
    if isinstance(theirs, (tuple, list)) and not isinstance(theirs, np.ndarray):
        pairs = [Pair(f"{tag} structure", (type(ours).__name__, len(ours)),
                      (type(theirs).__name__, len(theirs)), exact=True)]
        for i, (a, b) in enumerate(zip(ours, theirs)):
            pairs += _array_pairs(f"{tag}[{i}]", a, b)
        return pairs
    if not isinstance(theirs, np.ndarray):
        return [Pair(tag, ours, theirs, exact=True)]
    pairs = [Pair(f"{tag} type/dtype/shape",
                  (type(ours).__name__, str(getattr(ours, "dtype", None)),
                   getattr(ours, "shape", None)),
                  ("ndarray", str(theirs.dtype), theirs.shape), exact=True)]
    if theirs.dtype == object:
        pairs.append(Pair(f"{tag} sequences", ours.tolist(), theirs.tolist(),
                          exact=True))
    else:
        pairs.append(Pair(f"{tag} values", ours, theirs))
    return pairs


def _dataset_row(module, function, kwargs_list):
    def compute():
        from keras.src import datasets as k_datasets

        ours_fn = getattr(getattr(keraslite.datasets, module), function)
        theirs_fn = getattr(getattr(k_datasets, module), function)
        pairs = []
        with _datasets_pointed_at_cache() as (cache, keras_paths):
            for kwargs in kwargs_list:
                pairs += _array_pairs(f"{function}({kwargs})", ours_fn(**kwargs),
                                      theirs_fn(**kwargs))
            pairs.append(Pair("Keras read the synthetic cache only (no network)",
                              True, all(p.startswith(str(cache)) for p in keras_paths),
                              exact=True))
        return pairs

    return Row(f"datasets.{module}.{function}[synthetic file]", compute,
               rtol=0.0, atol=0.0, covers=(f"datasets.{module}.{function}",))


def _npz_utils_row():
    def compute():
        import pickle

        from keras.src.datasets import npz_utils as k_npz

        ours_module = keraslite.datasets.npz_utils
        cache = _dataset_cache()
        pairs = []
        for name in ("imdb.npz", "reuters.npz", "mnist.npz", "boston_housing.npz"):
            path = os.path.join(cache, "datasets", name)
            ours, theirs = ours_module.load_npz(path), k_npz.load_npz(path)
            pairs.append(Pair(f"load_npz({name}) keys", sorted(ours), sorted(theirs),
                              exact=True))
            for key in sorted(theirs):
                pairs += _array_pairs(f"load_npz({name})[{key!r}]", ours.get(key),
                                      theirs[key])
        streams = {"float array": np.arange(6.0).reshape(2, 3)}
        ragged = np.empty(2, dtype=object)
        ragged[0], ragged[1] = [1, 2], [3]
        streams["object array"] = ragged
        for label, array in streams.items():
            buffers = []
            for _ in range(2):
                buffer = io.BytesIO()
                np.save(buffer, array, allow_pickle=True)
                buffer.seek(0)
                buffers.append(buffer)
            pairs += _array_pairs(f"load_npy_member({label})",
                                  ours_module.load_npy_member(buffers[0]),
                                  k_npz.load_npy_member(buffers[1]))
        evil = pickle.dumps(os.getcwd)  # a global outside NumPy's array rebuilding
        pairs.append(Pair("RestrictedUnpickler refuses other globals",
                          _error_name(lambda: ours_module.RestrictedUnpickler(
                              io.BytesIO(evil)).load()),
                          _error_name(lambda: k_npz.RestrictedUnpickler(
                              io.BytesIO(evil)).load()), exact=True))
        good = pickle.dumps(ragged)
        pairs += _array_pairs("RestrictedUnpickler loads an object array",
                              ours_module.RestrictedUnpickler(io.BytesIO(good)).load(),
                              k_npz.RestrictedUnpickler(io.BytesIO(good)).load())
        return pairs

    return Row("datasets.npz_utils[load_npz, load_npy_member, RestrictedUnpickler]",
               compute, rtol=0.0, atol=0.0,
               covers=("datasets.npz_utils.load_npz",
                       "datasets.npz_utils.load_npy_member",
                       "datasets.npz_utils.RestrictedUnpickler"))


def dataset_rows():
    sequence = [{}, {"num_words": 40, "skip_top": 7, "maxlen": 25, "seed": 1},
                {"num_words": 300, "start_char": None, "oov_char": 2,
                 "index_from": 0},
                {"skip_top": 0, "start_char": None, "oov_char": None,
                 "index_from": 3}]
    return [
        _dataset_row("mnist", "load_data", [{}]),
        _dataset_row("fashion_mnist", "load_data", [{}]),
        _dataset_row("imdb", "load_data", sequence),
        _dataset_row("imdb", "get_word_index", [{}]),
        _dataset_row("reuters", "load_data",
                     sequence + [{"test_split": 0.5, "num_words": 100}]),
        _dataset_row("reuters", "get_word_index", [{}]),
        _dataset_row("reuters", "get_label_names", [{}]),
        _dataset_row("boston_housing", "load_data",
                     [{}, {"test_split": 0.33, "seed": 0}, {"test_split": 0.0}]),
        _npz_utils_row(),
    ]


# === models and saving =========================================================================
def _file_row(direction):
    """Tiny trained models saved by one library and loaded by the other."""

    def compute():
        _, keras = _keras()
        helpers = _compat("test_saving_compat")
        source, target = ((keras, keraslite) if direction == "Keras -> keraslite"
                          else (keraslite, keras))
        pairs = []
        for spec in ("two-dense-nobias-rmsprop", "four-dense-flatten-dropout"):
            keras.backend.clear_session()
            keraslite.backend.clear_session()
            model = helpers.build(source, spec)
            x, y = helpers.data(model, helpers.SPECS[spec][4])
            helpers.train(model, x, y, 2)
            for fmt in (".keras", ".h5"):
                tag = f"{spec} {fmt}: "
                with tempfile.TemporaryDirectory() as folder:
                    path = os.path.join(folder, "net" + fmt)
                    source.models.save_model(model, path)
                    loaded = target.models.load_model(path)
                for i, (a, b) in enumerate(zip(loaded.get_weights(),
                                               model.get_weights())):
                    pairs.append(Pair(f"{tag}weight {i}", np.asarray(a),
                                      np.asarray(b)))
                pairs.append(Pair(f"{tag}predict", loaded.predict(x, verbose=0),
                                  model.predict(x, verbose=0)))
                pairs.append(Pair(f"{tag}config",
                                  helpers.as_json(loaded.get_config()),
                                  helpers.as_json(model.get_config()), exact=True))
            ours = model if source is keraslite else loaded
            theirs = model if source is keras else loaded
            clone, k_clone = (keraslite.models.clone_model(ours),
                              keras.models.clone_model(theirs))
            pairs.append(Pair(f"{spec}: clone_model config",
                              helpers.as_json(clone.get_config()),
                              helpers.as_json(k_clone.get_config()), exact=True))
            pairs.append(Pair(f"{spec}: clone_model weight shapes",
                              [w.shape for w in clone.get_weights()],
                              [tuple(w.shape) for w in k_clone.get_weights()],
                              exact=True))
        return pairs

    return Row(f"models.save_model/load_model/clone_model[{direction}]", compute,
               rtol=0.0, atol=1e-6,
               covers=("models.save_model", "models.load_model", "models.clone_model",
                       "models.Sequential", "Sequential"))


def _saving_functions_row():
    def compute():
        _, keras = _keras()
        helpers = _compat("test_saving_compat")
        saving = keraslite.saving
        pairs = []
        spec = "three-dense-adam"
        keras.backend.clear_session()
        keraslite.backend.clear_session()
        k_model, o_model = helpers.build(keras, spec), helpers.build(keraslite, spec)
        x, y = helpers.data(k_model, helpers.SPECS[spec][4])
        helpers.train(k_model, x, y, 2)
        helpers.train(o_model, x, y, 3)
        with tempfile.TemporaryDirectory() as folder:
            for name, saver, loader in (
                    ("model.keras", saving.save_model, keras.saving.load_model),
                    ("model.h5", saving.save_model, keras.saving.load_model)):
                path = os.path.join(folder, name)
                saver(o_model, path)
                loaded = loader(path)
                pairs.append(Pair(f"saving.save_model -> keras load_model {name} "
                                  "predict", _np(loaded.predict(x, verbose=0)),
                                  o_model.predict(x, verbose=0)))
            for name in ("k.keras", "k.h5"):
                path = os.path.join(folder, name)
                keras.saving.save_model(k_model, path)
                loaded = saving.load_model(path)
                pairs.append(Pair(f"Keras save_model -> saving.load_model {name} "
                                  "predict", loaded.predict(x, verbose=0),
                                  k_model.predict(x, verbose=0)))
            # Weights files, both ways, into models of the other library.
            path = os.path.join(folder, "o.weights.h5")
            saving.save_weights(o_model, path)
            target = helpers.build(keras, spec)
            target.optimizer.build(target.trainable_variables)
            target.load_weights(path)
            pairs += [Pair(f"saving.save_weights -> Keras load_weights weight {i}",
                           _np(a), b) for i, (a, b) in
                      enumerate(zip(target.get_weights(), o_model.get_weights()))]
            path = os.path.join(folder, "k.weights.h5")
            k_model.save_weights(path)
            target = helpers.build(keraslite, spec)
            saving.load_weights(target, path)
            pairs += [Pair(f"Keras save_weights -> saving.load_weights weight {i}",
                           a, _np(b)) for i, (a, b) in
                      enumerate(zip(target.get_weights(), k_model.get_weights()))]
            pairs += [Pair(f"optimizer state {i} after saving.load_weights", a, _np(b))
                      for i, (a, b) in enumerate(zip(
                          target.optimizer.get_state(), k_model.optimizer.variables))]
            # Not a model file: FileFormatError is a ValueError, as Keras raises.
            bad = os.path.join(folder, "bad.keras")
            with open(bad, "w") as f:
                f.write("not a model")
            ours = _raised(lambda: saving.load_model(bad))
            theirs = _raised(lambda: keras.saving.load_model(bad))
            pairs.append(Pair("load_model(not a model file) raises",
                              (type(ours).__name__, isinstance(ours, type(theirs))),
                              ("FileFormatError", True), exact=True))
        return pairs

    return Row("saving.save_model/load_model/save_weights/load_weights", compute,
               rtol=0.0, atol=1e-6,
               covers=("saving.save_model", "saving.load_model", "saving.save_weights",
                       "saving.load_weights", "saving.FileFormatError"))


def model_rows():
    return [_file_row("Keras -> keraslite"), _file_row("keraslite -> Keras"),
            _saving_functions_row()]


# === backend ===================================================================================
def _backend_row():
    def compute():
        _, keras = _keras()
        backend = keraslite.backend
        pairs = [Pair("floatx()", backend.floatx(), keras.config.floatx(), exact=True),
                 Pair("epsilon()", backend.epsilon(), keras.config.epsilon())]
        for value in ("float64", "float16"):
            backend.set_floatx(value)
            keras.config.set_floatx(value)
            try:
                pairs.append(Pair(f"set_floatx({value!r}); floatx()", backend.floatx(),
                                  keras.config.floatx(), exact=True))
            finally:
                backend.set_floatx("float32")
                keras.config.set_floatx("float32")
        pairs.append(Pair("set_floatx('bogus') raises",
                          _error_name(lambda: backend.set_floatx("bogus")),
                          _error_name(lambda: keras.config.set_floatx("bogus")),
                          exact=True))
        pairs.append(Pair("floatx() restored", backend.floatx(), keras.config.floatx(),
                          exact=True))
        default = keras.config.epsilon()
        for value in (1e-5, 0.25):
            backend.set_epsilon(value)
            keras.config.set_epsilon(value)
            try:
                pairs.append(Pair(f"set_epsilon({value}); epsilon()", backend.epsilon(),
                                  keras.config.epsilon()))
            finally:
                backend.set_epsilon(default)
                keras.config.set_epsilon(default)
        pairs.append(Pair("epsilon() restored", backend.epsilon(), keras.config.epsilon()))
        names = []
        for lib in (keraslite, keras):
            lib.backend.clear_session()
            before = [lib.layers.Dense(2).name for _ in range(2)]
            lib.backend.clear_session()
            names.append(before + [lib.layers.Dense(2).name,
                                   lib.Sequential([lib.Input((2,))]).name])
        pairs.append(Pair("automatic names around clear_session()", *names, exact=True))
        return pairs

    return Row("backend[floatx, epsilon, set_floatx/set_epsilon, clear_session]",
               compute, covers=("backend.floatx", "backend.epsilon", "backend.set_floatx",
                                "backend.set_epsilon", "backend.clear_session"))


# === the table =================================================================================
def _optimizer_option_rows():
    from compat_tests.parity_optimizers_more import optimizer_option_rows

    return optimizer_option_rows()


def _model_core_rows():
    from compat_tests import parity_models

    return (parity_models.ops_rows() + parity_models.layer_rows()
            + parity_models.model_rows())


def _shape_layer_rows():
    from compat_tests import parity_shape_layers

    return parity_shape_layers.shape_layer_rows()


def _data_rows():
    from compat_tests.parity_data import data_rows

    return data_rows()


def _pool_norm_rows():
    from compat_tests import parity_pool_norm

    return parity_pool_norm.pool_norm_rows()


def _application_rows():
    from compat_tests import parity_applications

    return parity_applications.application_rows()


def _rnn_rows():
    from compat_tests.parity_rnn import rnn_rows

    return rnn_rows()
def _embedding_rows():
    from compat_tests.parity_embedding import embedding_rows

    return embedding_rows()


def _wrapper_rows():
    from compat_tests.parity_wrappers import wrapper_rows

    return wrapper_rows()


def all_rows():
    """Every row of the parity table, in report order."""
    from compat_tests import (parity_blas, parity_confusion, parity_datasets,
                              parity_masks, parity_text)
    from compat_tests.parity_metrics_more import more_metric_rows
    from compat_tests.parity_losses import loss_extra_rows
    from compat_tests.parity_stacked import stacked_rows

    rows = (activation_rows() + loss_rows() + loss_extra_rows() + metric_rows()
            + initializer_rows()
            + [_regularizer_row(), _constraint_row(), _to_categorical_row(),
               _to_categorical_difference_row()]
            + optimizer_rows() + schedule_rows() + layer_rows() + behaviour_rows()
            + callback_rows() + utils_rows() + dataset_rows() + model_rows()
            + [_backend_row()] + _model_core_rows()
            + _optimizer_option_rows() + _shape_layer_rows()
            + parity_confusion.confusion_metric_rows() + _data_rows()
            + _pool_norm_rows() + more_metric_rows()
            + conv_rows() + _application_rows() + parity_blas.blas_rows()
            + _rnn_rows() + _embedding_rows() + parity_text.text_rows()
            + _wrapper_rows() + parity_masks.masks_rows()
            + parity_datasets.dataset_ops_rows())
    rows += stacked_rows()  # issue 12: stacked cells
    names = [r.name for r in rows]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"Duplicate parity row names: {sorted(duplicates)}")
    return rows


ROWS = all_rows()
