"""Confusion metrics in keraslite: bad arguments and data, names and logs in
`compile`/`fit`, callbacks in mode="auto", and files.

Numbers are compared with Keras in compat_tests/parity_confusion.py and
compat_tests/test_confusion_metrics_compat.py; golden values from Keras's
own tests are in tests/test_golden_confusion_metrics.py. The names and
directions asserted here are what Keras 3.15.1 gives for the same calls.
"""
import json
import zipfile

import numpy as np
import pytest

import keraslite
from keraslite import callbacks, layers, metrics

ONE_HOT = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
SCORES = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6],
                   [0.5, 0.4, 0.1]], dtype="float32")


# --- bad arguments: Keras's ValueErrors ------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: metrics.TruePositives(thresholds=[-1, 0.5, 2]),
     r"Threshold values must be in \[0, 1\]. Received: \[-1, 2\]"),
    (lambda: metrics.Precision(thresholds=1.5),
     r"Threshold values must be in \[0, 1\]. Received: \[1.5\]"),
    (lambda: metrics.Recall(thresholds=[None]),
     r"Threshold values must be in \[0, 1\]. Received: \[None\]"),
    (lambda: metrics.AUC(num_thresholds=1),
     r"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=1"),
    (lambda: metrics.AUC(num_thresholds=0),
     r"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=0"),
    (lambda: metrics.AUC(curve="XY"),
     r'Invalid AUC curve value: "XY". Expected values are \["PR", "ROC", "PRGAIN"\]'),
    (lambda: metrics.AUC(summation_method="mid"),
     r'Invalid AUC summation method value: "mid"'),
    (lambda: metrics.AUC(num_labels=2),
     r"`num_labels` is needed only when `multi_label` is True."),
    (lambda: metrics.PrecisionAtRecall(1.5),
     r"Argument `recall` must be in the range \[0, 1\]. Received: recall=1.5"),
    (lambda: metrics.RecallAtPrecision(-0.5),
     r"Argument `precision` must be in the range \[0, 1\]. Received: precision=-0.5"),
    (lambda: metrics.SensitivityAtSpecificity(0.5, num_thresholds=0),
     r"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds=0"),
    (lambda: metrics.get({"class_name": "AUC", "config": {"curve": "Invalid"}}),
     r'Invalid AUC curve value: "Invalid"'),
])
def test_bad_arguments_raise_kerass_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_auc_thresholds_outside_unit_interval_raise():
    # Keras 3 accepts AUC(thresholds=[0.2, 1.5]) and sorts 1.5 in among the
    # thresholds; keraslite checks them as Precision/Recall's are checked.
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. "
                                         r"Received: \[1.5\]"):
        metrics.AUC(thresholds=[0.2, 1.5])


# --- bad data ----------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [[0, 1, 2, 0], [0, -1, 1, 0]])
def test_auc_labels_outside_unit_interval_raise(labels):
    # Keras 3 casts labels to bool, so 2 and -1 silently count as positives
    # (tf.keras 2 failed an assert with InvalidArgumentError); keraslite
    # raises a ValueError naming the metric and the values.
    auc = metrics.AUC(name="my_auc")
    with pytest.raises(ValueError, match=r"AUC 'my_auc' expects labels \(y_true\) "
                                         r"in \[0, 1\]. Received: y_true with "
                                         r"values from -?\d"):
        auc.update_state(np.array(labels, "float32"), np.array([0.1, 0.6, 0.7, 0.2]))
    assert auc.result() == 0.0  # nothing was counted


def test_auc_soft_labels_inside_unit_interval_are_accepted():
    auc = metrics.AUC(num_thresholds=3)
    auc.update_state([0.0, 0.4, 1.0], [0.1, 0.6, 0.9])  # 0.4 counts as positive
    np.testing.assert_array_equal(auc.true_positives, [2, 2, 0])


@pytest.mark.parametrize("cls", [metrics.Precision, metrics.Recall])
@pytest.mark.parametrize("top_k", [4, -1])
def test_top_k_beyond_the_classes_raises(cls, top_k):
    # Keras: TensorFlow's InvalidArgumentError "input must have at least k
    # columns" from top_k.
    metric = cls(top_k=top_k, name="m")
    with pytest.raises(ValueError, match=rf"{cls.__name__} 'm': `top_k` must be "
                                         rf"between 0 and the number of classes "
                                         rf"of y_pred \(3, shape \(4, 3\)\). "
                                         rf"Received: top_k={top_k}"):
        metric.update_state(ONE_HOT, SCORES)


@pytest.mark.parametrize("cls, kwargs", [
    (metrics.Precision, {}), (metrics.Recall, {}),
    (metrics.PrecisionAtRecall, {"recall": 0.5}),
    (metrics.SpecificityAtSensitivity, {"sensitivity": 0.5}),
])
@pytest.mark.parametrize("class_id", [3, -4])
def test_class_id_out_of_range_raises(cls, kwargs, class_id):
    # Keras: TensorFlow's InvalidArgumentError "slice index 3 of dimension 1
    # out of bounds" (class_id=-1 is the last class in both).
    metric = cls(class_id=class_id, name="m", **kwargs)
    with pytest.raises(ValueError, match=rf"'m': `class_id` must index a class of "
                                         rf"y_pred \(which has 3, shape \(4, 3\)\). "
                                         rf"Received: class_id={class_id}"):
        metric.update_state(ONE_HOT, SCORES)


def test_class_id_minus_one_is_the_last_class():
    last = metrics.Recall(class_id=-1)
    explicit = metrics.Recall(class_id=2)
    for m in (last, explicit):
        m.update_state(ONE_HOT, SCORES)
    assert last.result() == explicit.result() == 1.0  # the one class-2 sample, 0.6


def test_class_id_needs_two_dimensional_predictions():
    with pytest.raises(ValueError, match="When class_id is provided, y_pred must be "
                                         "a 2D array"):
        metrics.Precision(class_id=0).update_state([0, 1], [0.2, 0.8])


def test_multi_label_auc_needs_rank_two():
    with pytest.raises(ValueError, match="`y_pred` must have rank 2 when "
                                         "`multi_label=True`. Found rank 3."):
        metrics.AUC(multi_label=True).update_state(np.zeros((2, 3, 1)),
                                                   np.zeros((2, 3, 1)))


# --- state ---------------------------------------------------------------------------------
@pytest.mark.parametrize("make, names, shape", [
    (lambda: metrics.TruePositives(thresholds=[0.2, 0.5]), ["accumulator"], (2,)),
    (lambda: metrics.Precision(), ["true_positives", "false_positives"], (1,)),
    (lambda: metrics.Recall(top_k=2), ["true_positives", "false_negatives"], (1,)),
    (lambda: metrics.AUC(), ["true_positives", "false_positives", "true_negatives",
                             "false_negatives"], (200,)),
    (lambda: metrics.AUC(multi_label=True, num_labels=3),
     ["true_positives", "false_positives", "true_negatives", "false_negatives"],
     (200, 3)),
    (lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=20),
     ["true_positives", "false_positives", "true_negatives", "false_negatives"],
     (20,)),
])
def test_state_names_shapes_and_float32(make, names, shape):
    metric = make()
    state = metric._state()
    assert list(state) == names
    assert all(v.shape == shape and v.dtype == np.float32 for v in state.values())
    assert len(metric.variables) == len(names)


def test_multi_label_auc_builds_on_its_first_batch_and_resets():
    auc = metrics.AUC(multi_label=True, num_thresholds=5)
    assert auc.variables == []
    auc.reset_state()  # unbuilt: nothing to reset
    auc.update_state(ONE_HOT, SCORES)
    assert auc.true_positives.shape == (5, 3)
    auc.reset_state()
    assert not auc.true_positives.any() and auc.true_positives.shape == (5, 3)


def test_result_is_a_copy_of_the_state():
    tp = metrics.TruePositives(thresholds=[0.3, 0.6])
    tp.update_state([1, 1, 0], [0.5, 0.9, 0.8])
    result = tp.result()
    result[:] = -1
    np.testing.assert_array_equal(tp.result(), [2.0, 1.0])


# --- compile, fit and logs ------------------------------------------------------------------
def _model(metrics_list, seed=0):
    keraslite.backend.clear_session()
    keraslite.utils.set_random_seed(seed)
    model = keraslite.Sequential([keraslite.Input((4,)),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=metrics_list() if callable(metrics_list) else metrics_list)
    return model


def _data(n=32, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    return x, (x.sum(axis=1) > 2).astype("float32")


@pytest.mark.parametrize("metrics_list, keys", [
    # What Keras 3.15.1's History holds for the same compile (its
    # CompileMetrics.result() suffixes repeated names with _1, _2, ...).
    (lambda: ["AUC", metrics.AUC(), metrics.AUC(), metrics.Precision(),
              metrics.Recall(), "auc", "precision"],
     ["AUC", "auc", "auc_1", "loss", "precision", "precision_1", "recall"]),
    (lambda: ["auc", "auc"], ["auc", "auc_1", "loss"]),
    (lambda: ["AUC", metrics.AUC(name="AUC")], ["AUC", "AUC_1", "loss"]),
    (lambda: [metrics.Recall(), metrics.Recall(name="recall")],
     ["loss", "recall", "recall_1"]),
    (lambda: ["true_positives", "FalseNegatives"],
     ["FalseNegatives", "loss", "true_positives"]),
])
def test_history_keys(metrics_list, keys):
    x, y = _data()
    history = _model(metrics_list).fit(x, y, epochs=1, verbose=0,
                                       validation_data=(x, y)).history
    assert sorted(history) == sorted(keys + [f"val_{k}" for k in keys])


def test_unnamed_metrics_get_unique_names_like_keras():
    keraslite.backend.clear_session()
    names = [metrics.AUC().name, metrics.AUC().name, metrics.Precision().name,
             metrics.AUC(name="x").name, metrics.TruePositives().name]
    assert names == ["auc", "auc_1", "precision", "x", "true_positives"]
    keraslite.backend.clear_session()
    assert metrics.AUC().name == "auc"


def test_a_count_at_several_thresholds_is_logged_as_an_array():
    x, y = _data()
    model = _model(lambda: [metrics.TruePositives(thresholds=[0.0, 0.5, 1.0])])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert isinstance(logs["true_positives"], np.ndarray)
    assert logs["true_positives"].shape == (3,)
    # Sigmoid outputs lie in (0, 1): every positive is above threshold 0,
    # none above threshold 1.
    assert logs["true_positives"][0] == y.sum() and logs["true_positives"][2] == 0


@pytest.mark.parametrize("monitor, metrics_list, greater", [
    ("val_auc", lambda: [metrics.AUC()], True),
    ("val_auc", ["auc"], True),
    ("val_AUC", ["AUC"], True),
    ("val_precision", lambda: [metrics.Precision()], True),
    ("recall", ["recall"], True),
    ("val_precision_at_recall", lambda: [metrics.PrecisionAtRecall(0.5)], True),
    ("val_specificity_at_sensitivity",
     lambda: [metrics.SpecificityAtSensitivity(0.5)], True),
    ("val_loss", ["auc"], False),
])
@pytest.mark.parametrize("callback", ["EarlyStopping", "ReduceLROnPlateau"])
def test_auto_mode_direction(monitor, metrics_list, greater, callback):
    cb = getattr(callbacks, callback)(monitor=monitor)
    x, y = _data()
    _model(metrics_list).fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
                             callbacks=[cb])
    assert cb.monitor_op(1.0, 0.5) is greater


@pytest.mark.parametrize("monitor, metrics_list", [
    ("val_auc", ["AUC"]),  # logged as val_AUC: no metric is named "auc"
    ("val_true_positives", lambda: [metrics.TruePositives()]),  # no direction
    ("val_false_negatives", ["false_negatives"]),
])
def test_auto_mode_cannot_tell(monitor, metrics_list):
    cb = callbacks.EarlyStopping(monitor=monitor)
    x, y = _data()
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        _model(metrics_list).fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
                                 callbacks=[cb])


def test_early_stopping_on_val_auc_keeps_the_highest(tmp_path):
    x, y = _data(64)
    model = _model(lambda: [metrics.AUC(num_thresholds=50)])
    early = callbacks.EarlyStopping(monitor="val_auc", patience=2,
                                    restore_best_weights=True)
    history = model.fit(x, y, epochs=8, verbose=0, validation_data=(x[:32], y[:32]),
                        callbacks=[early]).history
    assert early.best == max(history["val_auc"])


# --- files ------------------------------------------------------------------------------------
def test_keras_file_round_trip(tmp_path):
    x, y = _data()
    model = _model(lambda: [
        "AUC", metrics.AUC(curve="PR", thresholds=[0.3, 0.6], label_weights=[1.0]),
        metrics.Precision(top_k=1, thresholds=[0.3]), metrics.Recall(class_id=0),
        metrics.FalsePositives(thresholds=[0.2, 0.8]),
        metrics.RecallAtPrecision(0.4, num_thresholds=30)])
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    entries = json.loads(zipfile.ZipFile(path).read("config.json"))[
        "compile_config"]["metrics"]
    assert entries[0] == "AUC"
    assert entries[1]["class_name"] == "AUC"
    assert entries[1]["config"]["label_weights"] == [1.0]
    assert entries[1]["config"]["thresholds"] == [0.3, 0.6]
    loaded = keraslite.saving.load_model(path)
    assert loaded.evaluate(x, y, verbose=0, return_dict=True).keys() == \
        model.evaluate(x, y, verbose=0, return_dict=True).keys()
    for a, b in zip(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0)):
        np.testing.assert_array_equal(a, b)


def test_reads_kerass_tensor_entry_for_label_weights():
    # Keras 3 writes AUC's label_weights tensor in this form.
    entry = {"module": "keras.metrics", "class_name": "AUC", "registered_name": None,
             "config": {"name": "auc", "dtype": "float32", "num_thresholds": 200,
                        "curve": "ROC", "summation_method": "interpolation",
                        "multi_label": False, "num_labels": None,
                        "label_weights": {"class_name": "__tensor__",
                                          "config": {"value": [0.25, 0.75],
                                                     "dtype": "float32"}},
                        "from_logits": False}}
    from keraslite.saving import serialization

    cleaned = serialization.screen({"metrics": [entry]})
    auc = metrics.deserialize(cleaned["metrics"][0])
    np.testing.assert_array_equal(auc.label_weights, [0.25, 0.75])
    assert auc.label_weights.dtype == np.float32
