"""Parity rows of the confusion-matrix metrics (`keraslite/metrics/
confusion_metrics.py`): counts, Precision, Recall, AUC and the
sensitivity/specificity family beside Keras 3's.

Each option set is accumulated over 3 weighted batches, reset, and given one
more batch; results and every state array (names, shapes, dtypes, values)
are compared, and configs with Keras's `get_config()`. Further rows: the
strings `compile` and `metrics.get` accept, Keras's ValueErrors, the
direction `mode="auto"` callbacks pick, and `.keras` compile configs both
ways.
"""
import json
import os
import tempfile

import numpy as np

import keraslite
from keraslite import metrics as kl_metrics

CLASSES = ("AUC", "FalseNegatives", "FalsePositives", "Precision",
           "PrecisionAtRecall", "Recall", "RecallAtPrecision",
           "SensitivityAtSpecificity", "SpecificityAtSensitivity",
           "TrueNegatives", "TruePositives")


def _lib():
    from compat_tests.parity import _keras

    return _keras()


def _jsonable(config):
    """A config with tensors and NumPy values as plain Python values."""
    return json.loads(json.dumps(config, default=lambda o: np.asarray(o).tolist()))


# --- data -----------------------------------------------------------------------------
def _batch(seed, shape, kind):
    """(y_true, y_pred, sample_weight) of one batch.

    Predictions include 0, 1, 0.5 and values on the 0.3/0.7 thresholds,
    where the comparison `y_pred > t` is decided by a tie; one weight is 0.
    """
    rng = np.random.default_rng(seed)
    n = shape[0]
    if kind == "onehot":  # multi-class: one-hot labels, softmax-like scores
        scores = rng.uniform(size=shape).astype(np.float32)
        y_pred = (scores / scores.sum(-1, keepdims=True)).astype(np.float32)
        y_true = np.eye(shape[-1], dtype=np.float32)[rng.integers(0, shape[-1], n)]
    else:
        y_pred = rng.uniform(size=shape).astype(np.float32)
        flat = y_pred.reshape(-1)
        flat[:5] = [0.0, 1.0, 0.5, 0.3, 0.7]
        y_true = (rng.uniform(size=shape) < 0.45).astype(np.float32)
        if kind == "logits":
            y_pred = ((y_pred - 0.5) * 8.0).astype(np.float32)
    sample_weight = rng.uniform(0.0, 2.0, n).astype(np.float32)
    sample_weight[1] = 0.0
    if seed == 2 and len(shape) > 1 and kind != "onehot":
        # A per-element weight, as Keras allows (not with class_id/top_k
        # data, where Keras cannot broadcast it to the one class kept).
        sample_weight = rng.uniform(0.0, 2.0, shape).astype(np.float32)
    return y_true, y_pred, sample_weight


# (label, class, kwargs, batch shape, data kind)
CASES = [
    ("TruePositives default", "TruePositives", {}, (12, 1), "binary"),
    ("TruePositives thresholds=[0.3, 0.7]", "TruePositives",
     {"thresholds": [0.3, 0.7]}, (12, 1), "binary"),
    ("FalsePositives thresholds=0.3 (n,)", "FalsePositives", {"thresholds": 0.3},
     (12,), "binary"),
    ("FalsePositives evenly spaced [0, .5, 1]", "FalsePositives",
     {"thresholds": [0.0, 0.5, 1.0]}, (12, 3), "binary"),
    ("TrueNegatives (n,3)", "TrueNegatives", {"thresholds": [0.2, 0.7]}, (12, 3),
     "binary"),
    ("FalseNegatives", "FalseNegatives", {}, (12, 1), "binary"),
    ("Precision default", "Precision", {}, (12, 1), "binary"),
    ("Precision thresholds=[0.3, 0.5, 0.7] (n,3)", "Precision",
     {"thresholds": [0.3, 0.5, 0.7]}, (12, 3), "binary"),
    ("Precision top_k=2", "Precision", {"top_k": 2}, (12, 4), "onehot"),
    ("Precision class_id=1", "Precision", {"class_id": 1}, (12, 4), "onehot"),
    ("Precision top_k=2 class_id=3 thresholds=0.2", "Precision",
     {"top_k": 2, "class_id": 3, "thresholds": 0.2}, (12, 4), "onehot"),
    ("Recall default", "Recall", {}, (12, 1), "binary"),
    ("Recall thresholds evenly spaced", "Recall",
     {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, (12, 1), "binary"),
    ("Recall top_k=1", "Recall", {"top_k": 1}, (12, 4), "onehot"),
    ("Recall class_id=-1", "Recall", {"class_id": -1}, (12, 4), "onehot"),
    ("AUC default (ROC, interpolation)", "AUC", {}, (12, 1), "binary"),
    ("AUC ROC minoring", "AUC", {"summation_method": "minoring"}, (12, 1),
     "binary"),
    ("AUC ROC majoring num_thresholds=7", "AUC",
     {"summation_method": "majoring", "num_thresholds": 7}, (12, 1), "binary"),
    ("AUC PR interpolation", "AUC", {"curve": "PR"}, (12, 1), "binary"),
    ("AUC PR minoring", "AUC", {"curve": "PR", "summation_method": "minoring"},
     (12, 1), "binary"),
    ("AUC PR majoring", "AUC", {"curve": "PR", "summation_method": "majoring"},
     (12, 1), "binary"),
    ("AUC PRGAIN", "AUC", {"curve": "PRGAIN"}, (12, 1), "binary"),
    ("AUC thresholds=[0.3, 0.5, 0.7] (uneven path)", "AUC",
     {"thresholds": [0.7, 0.3, 0.5]}, (12, 1), "binary"),
    ("AUC thresholds evenly spaced", "AUC", {"thresholds": [0.25, 0.5, 0.75]},
     (12, 1), "binary"),
    ("AUC from_logits", "AUC", {"from_logits": True}, (12, 1), "logits"),
    ("AUC flattened (n,3) label_weights", "AUC",
     {"label_weights": [0.2, 0.5, 0.3]}, (12, 3), "binary"),
    ("AUC multi_label", "AUC", {"multi_label": True}, (12, 3), "binary"),
    ("AUC multi_label num_labels=3 PR label_weights", "AUC",
     {"multi_label": True, "num_labels": 3, "curve": "PR",
      "label_weights": [0.2, 0.5, 0.3]}, (12, 3), "binary"),
    ("AUC multi_label thresholds", "AUC",
     {"multi_label": True, "thresholds": [0.3, 0.6]}, (12, 3), "binary"),
    ("PrecisionAtRecall recall=0.6", "PrecisionAtRecall", {"recall": 0.6},
     (12, 1), "binary"),
    ("PrecisionAtRecall num_thresholds=1", "PrecisionAtRecall",
     {"recall": 0.3, "num_thresholds": 1}, (12, 1), "binary"),
    ("RecallAtPrecision precision=0.5 num_thresholds=11", "RecallAtPrecision",
     {"precision": 0.5, "num_thresholds": 11}, (12, 1), "binary"),
    ("RecallAtPrecision class_id=2", "RecallAtPrecision",
     {"precision": 0.3, "class_id": 2}, (12, 4), "onehot"),
    ("SensitivityAtSpecificity specificity=0.5", "SensitivityAtSpecificity",
     {"specificity": 0.5}, (12, 1), "binary"),
    ("SensitivityAtSpecificity num_thresholds=2", "SensitivityAtSpecificity",
     {"specificity": 0.4, "num_thresholds": 2}, (12, 1), "binary"),
    ("SpecificityAtSensitivity sensitivity=0.7 class_id=1",
     "SpecificityAtSensitivity", {"sensitivity": 0.7, "class_id": 1}, (12, 4),
     "onehot"),
]


def _state_of(metric):
    return dict(metric._state())


def _case_row(label, cls, kwargs, shape, kind):
    from compat_tests.parity import Pair, Row, _np

    def compute():
        _, keras = _lib()
        ours = getattr(kl_metrics, cls)(name="m", **kwargs)
        theirs = getattr(keras.metrics, cls)(name="m", **kwargs)
        pairs = []
        for step in range(3):
            y_true, y_pred, sw = _batch(step, shape, kind)
            ours.update_state(y_true, y_pred, sample_weight=sw)
            theirs.update_state(y_true, y_pred, sample_weight=sw)
            pairs.append(Pair(f"result after weighted batch {step + 1}",
                              np.asarray(ours.result()), _np(theirs.result())))
        state = _state_of(ours)
        pairs.append(Pair("state names", list(state),
                          [v.name for v in theirs.variables], exact=True))
        for (name, value), var in zip(state.items(), theirs.variables):
            pairs.append(Pair(f"{name} shape, dtype", (value.shape, str(value.dtype)),
                              (tuple(var.shape), var.dtype), exact=True))
            pairs.append(Pair(f"{name} after 3 batches", value, _np(var)))
        ours.reset_state()
        theirs.reset_state()
        pairs.append(Pair("result after reset_state", np.asarray(ours.result()),
                          _np(theirs.result())))
        y_true, y_pred, _ = _batch(3, shape, kind)
        ours.update_state(y_true, y_pred)
        theirs.update_state(y_true, y_pred)
        pairs.append(Pair("result after reset and one batch",
                          np.asarray(ours.result()), _np(theirs.result())))
        pairs.append(Pair("result dtype", str(np.asarray(ours.result()).dtype),
                          str(_np(theirs.result()).dtype), exact=True))
        their_config = _jsonable(theirs.get_config())
        pairs.append(Pair("get_config()", _jsonable(ours.get_config()),
                          their_config, exact=True))
        rebuilt = getattr(kl_metrics, cls).from_config(their_config)
        pairs.append(Pair("from_config(Keras's config).get_config()",
                          _jsonable(rebuilt.get_config()), their_config, exact=True))
        pairs.append(Pair("_direction", getattr(ours, "_direction", None),
                          getattr(theirs, "_direction", None), exact=True))
        return pairs

    return Row(f"metrics.{cls}[{label}]", compute, rtol=1e-6, atol=1e-6,
               covers=(f"metrics.{cls}", "metrics.Metric"))


# --- names: metrics.get and compile's strings -------------------------------------------------
def _names_row():
    from compat_tests.parity import Pair, Row, _error_name

    def compute():
        _, keras = _lib()
        from keras.src.metrics import ALL_OBJECTS_DICT
        from keras.src.trainers.compile_utils import get_metric

        names = sorted(k for k, v in ALL_OBJECTS_DICT.items()
                       if v.__name__ in CLASSES)
        pairs = [Pair("registry strings of these classes",
                      sorted(k for k, v in kl_metrics._REGISTRY.items()
                             if v.__name__ in CLASSES), names, exact=True)]
        for name in names + ["Auc", "roc_auc"]:
            for lib in (keraslite, keras):
                lib.backend.clear_session()
            for what, ours_fn, their_fn in [
                    ("get", lambda: kl_metrics.get(name),
                     lambda: keras.metrics.get(name)),
                    ("compile", lambda: kl_metrics.resolve(name, (4, 1), (4, 1)),
                     lambda: get_metric(name, np.zeros((4, 1)), np.zeros((4, 1))))]:
                ours_error, their_error = _error_name(ours_fn), _error_name(their_fn)
                pairs.append(Pair(f"{what}({name!r}) raises", ours_error,
                                  their_error, exact=True))
                if ours_error == their_error == "no error":
                    ours, theirs = ours_fn(), their_fn()
                    pairs.append(Pair(f"{what}({name!r}) class, name",
                                      (type(ours).__name__, ours.name),
                                      (type(theirs).__name__, theirs.name),
                                      exact=True))
        for lib in (keraslite, keras):
            lib.backend.clear_session()
        ours = [kl_metrics.AUC().name, kl_metrics.AUC().name,
                kl_metrics.Precision().name, kl_metrics.AUC(name="x").name,
                kl_metrics.AUC().name]
        theirs = [keras.metrics.AUC().name, keras.metrics.AUC().name,
                  keras.metrics.Precision().name, keras.metrics.AUC(name="x").name,
                  keras.metrics.AUC().name]
        pairs.append(Pair("automatic names of unnamed instances", ours, theirs,
                          exact=True))
        for cls, kwargs in [("AUC", {"label_weights": [0.25, 0.75]}),
                            ("Precision", {"top_k": 2, "thresholds": [0.3]}),
                            ("SpecificityAtSensitivity", {"sensitivity": 0.4})]:
            ours = kl_metrics.serialize(getattr(kl_metrics, cls)(name="s", **kwargs))
            theirs = keras.metrics.serialize(
                getattr(keras.metrics, cls)(name="s", **kwargs))
            if cls == "AUC":  # Keras writes its label_weights tensor as "__tensor__"
                theirs["config"]["label_weights"] = \
                    theirs["config"]["label_weights"]["config"]["value"]
            pairs.append(Pair(f"serialize({cls})", _jsonable(ours), _jsonable(theirs),
                              exact=True))
            pairs.append(Pair(f"deserialize(Keras's {cls} entry)",
                              _jsonable(kl_metrics.deserialize(theirs).get_config()),
                              _jsonable(theirs["config"]), exact=True))
        return pairs

    return Row("metrics.get/resolve/serialize[confusion metric strings and names]",
               compute, covers=tuple(f"metrics.{c}" for c in CLASSES))


# --- Keras's ValueErrors ---------------------------------------------------------------------
def _errors_row():
    from compat_tests.parity import Pair, Row, _error_message

    def cases(m):
        return [
            ("TruePositives(thresholds=[-1, 0.5, 2])",
             lambda: m.TruePositives(thresholds=[-1, 0.5, 2])),
            ("FalseNegatives(thresholds=[None])",
             lambda: m.FalseNegatives(thresholds=[None])),
            ("Precision(thresholds=1.5)", lambda: m.Precision(thresholds=1.5)),
            ("Recall(thresholds=[0.2, -0.1])",
             lambda: m.Recall(thresholds=[0.2, -0.1])),
            ("AUC(num_thresholds=1)", lambda: m.AUC(num_thresholds=1)),
            ("AUC(num_thresholds=-3)", lambda: m.AUC(num_thresholds=-3)),
            ("AUC(curve='XY')", lambda: m.AUC(curve="XY")),
            ("AUC(summation_method='mid')", lambda: m.AUC(summation_method="mid")),
            ("AUC(num_labels=3)", lambda: m.AUC(num_labels=3)),
            ("AUC(multi_label=True) on rank 3",
             lambda: m.AUC(multi_label=True).update_state(
                 np.zeros((2, 3, 1)), np.zeros((2, 3, 1)))),
            ("PrecisionAtRecall(1.5)", lambda: m.PrecisionAtRecall(1.5)),
            ("RecallAtPrecision(-0.1)", lambda: m.RecallAtPrecision(-0.1)),
            ("SensitivityAtSpecificity(2)", lambda: m.SensitivityAtSpecificity(2)),
            ("SpecificityAtSensitivity(0.5, num_thresholds=0)",
             lambda: m.SpecificityAtSensitivity(0.5, num_thresholds=0)),
            ("Precision(class_id=1) on 1-D y_pred",
             lambda: m.Precision(class_id=1).update_state(
                 np.array([0.0, 1.0]), np.array([0.2, 0.8]))),
            ("PrecisionAtRecall(0.5) without recall", lambda: m.PrecisionAtRecall()),
        ]

    def compute():
        _, keras = _lib()
        pairs = []
        for (label, ours), (_, theirs) in zip(cases(kl_metrics), cases(keras.metrics)):
            error = _error_message(theirs)
            pairs.append(Pair(f"{label} raises", _error_message(ours)[0], error[0],
                              exact=True))
            if error[0] == "ValueError":
                pairs.append(Pair(f"{label} message", _error_message(ours)[1],
                                  error[1], exact=True))
        return pairs

    return Row("metrics.confusion[Keras's ValueErrors and messages]", compute,
               covers=tuple(f"metrics.{c}" for c in CLASSES))


# --- callbacks in mode="auto" ---------------------------------------------------------------
def _direction_row():
    from compat_tests.parity import Pair, Row, _error_name

    def specs(lib):
        m = lib.metrics
        return [
            ("AUC()", lambda: [m.AUC()], "val_auc"),
            ("'auc'", lambda: ["auc"], "val_auc"),
            ("'AUC'", lambda: ["AUC"], "val_AUC"),
            ("'AUC', monitored as val_auc", lambda: ["AUC"], "val_auc"),
            ("Precision()", lambda: [m.Precision()], "val_precision"),
            ("Recall(name='r')", lambda: [m.Recall(name="r")], "r"),
            ("PrecisionAtRecall(0.5)", lambda: [m.PrecisionAtRecall(0.5)],
             "val_precision_at_recall"),
            ("RecallAtPrecision(0.5)", lambda: [m.RecallAtPrecision(0.5)],
             "val_recall_at_precision"),
            ("SensitivityAtSpecificity(0.5)",
             lambda: [m.SensitivityAtSpecificity(0.5)],
             "val_sensitivity_at_specificity"),
            ("SpecificityAtSensitivity(0.5)",
             lambda: [m.SpecificityAtSensitivity(0.5)],
             "val_specificity_at_sensitivity"),
            ("TruePositives() (no direction)", lambda: [m.TruePositives()],
             "val_true_positives"),
            ("'false_negatives' (no direction)", lambda: ["false_negatives"],
             "val_false_negatives"),
            ("'mse' beside AUC() (control: lower is better)",
             lambda: [m.AUC(), "mse"], "val_mse"),
        ]

    def direction(lib, metrics, monitor, callback_cls):
        lib.backend.clear_session()
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=metrics())
        x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3)
        y = (x[:, :1] > 0).astype(np.float32)
        if callback_cls == "ModelCheckpoint":
            path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
            callback = lib.callbacks.ModelCheckpoint(
                path, monitor=monitor, save_weights_only=True, save_best_only=True)
        else:
            callback = getattr(lib.callbacks, callback_cls)(monitor=monitor)
        error = _error_name(lambda: model.fit(x, y, epochs=1, verbose=0,
                                              validation_data=(x, y),
                                              callbacks=[callback]))
        if error != "no error":
            return error
        op = callback.monitor_op
        greater = bool(op(np.float32(2.0), np.float32(1.0)))
        return "max" if greater else "min"

    def compute():
        _, keras = _lib()
        pairs = []
        for callback_cls in ("EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"):
            for (label, ours, monitor), (_, theirs, _) in zip(specs(keraslite),
                                                              specs(keras)):
                pairs.append(Pair(f"{callback_cls}(monitor={monitor!r}) with {label}",
                                  direction(keraslite, ours, monitor, callback_cls),
                                  direction(keras, theirs, monitor, callback_cls),
                                  exact=True))
        return pairs

    return Row("callbacks[mode='auto' direction of confusion metrics]", compute,
               covers=("callbacks.EarlyStopping", "callbacks.ReduceLROnPlateau",
                       "callbacks.ModelCheckpoint", "metrics.AUC"))


# --- .keras files both ways ----------------------------------------------------------------
def _files_row():
    from compat_tests.parity import Pair, Row

    def metrics(lib):
        m = lib.metrics
        return ["AUC", "precision", m.AUC(curve="PR", thresholds=[0.3, 0.6],
                                          label_weights=[0.2, 0.3, 0.5]),
                m.AUC(multi_label=True, num_labels=3, summation_method="majoring"),
                m.Precision(top_k=2), m.Recall(class_id=1, thresholds=[0.4, 0.6]),
                m.TruePositives(thresholds=[0.2, 0.8]), m.FalseNegatives(),
                m.PrecisionAtRecall(0.4, num_thresholds=50),
                m.SpecificityAtSensitivity(0.3, class_id=2)]

    def model(lib):
        lib.backend.clear_session()
        net = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="sigmoid")])
        net.compile(optimizer="adam", loss="binary_crossentropy", metrics=metrics(lib))
        return net

    def compile_metrics(config):
        entries = _jsonable(config["metrics"])
        for entry in entries:  # Keras's "__tensor__" label_weights as its values
            weights = isinstance(entry, dict) and entry["config"].get("label_weights")
            if isinstance(weights, dict):
                entry["config"]["label_weights"] = weights["config"]["value"]
        return entries

    def compute():
        _, keras = _lib()
        from keraslite.saving import serialization

        rng = np.random.default_rng(0)
        x = rng.normal(size=(16, 4)).astype(np.float32)
        y = (rng.uniform(size=(16, 3)) < 0.5).astype(np.float32)
        folder = tempfile.mkdtemp()
        theirs, ours = model(keras), model(keraslite)
        ours.set_weights(theirs.get_weights())
        theirs.save(os.path.join(folder, "keras.keras"))
        ours.save(os.path.join(folder, "keraslite.keras"))
        pairs = [Pair("compile_config metrics as written",
                      compile_metrics(ours.get_compile_config()),
                      compile_metrics(theirs.get_compile_config()), exact=True)]
        keraslite.backend.clear_session()
        ours_loaded = keraslite.saving.load_model(os.path.join(folder, "keras.keras"))
        keras.backend.clear_session()
        theirs_loaded = keras.saving.load_model(os.path.join(folder, "keraslite.keras"))
        pairs.append(Pair("keraslite reads Keras's file: compile metrics",
                          compile_metrics(ours_loaded.get_compile_config()),
                          compile_metrics(theirs.get_compile_config()), exact=True))
        pairs.append(Pair("Keras reads keraslite's file: compile metrics",
                          compile_metrics(theirs_loaded.get_compile_config()),
                          compile_metrics(ours.get_compile_config()),
                          exact=True))
        ours_eval = ours_loaded.evaluate(x, y, verbose=0, return_dict=True)
        theirs_eval = theirs_loaded.evaluate(x, y, verbose=0, return_dict=True)
        pairs.append(Pair("evaluate() keys after loading", sorted(ours_eval),
                          sorted(theirs_eval), exact=True))
        for key in sorted(theirs_eval):
            pairs.append(Pair(f"evaluate()[{key!r}] after loading",
                              np.asarray(ours_eval.get(key, np.nan)),
                              np.asarray(theirs_eval[key])))
        return pairs

    return Row("saving[.keras compile_config with confusion metrics, both ways]",
               compute, rtol=1e-5, atol=1e-6,
               covers=tuple(f"metrics.{c}" for c in CLASSES))


def confusion_metric_rows():
    return ([_case_row(*case) for case in CASES]
            + [_names_row(), _errors_row(), _direction_row(), _files_row()])
