"""Errors, names, state variables, directions and training behaviour of the
metrics added with issue 14 (NumPy only; their values are compared with
Keras in compat_tests/parity_metrics_more.py, and golden values from Keras's
tests are in test_golden_metrics_more.py)."""
import re
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import metrics


# --- bad arguments: Keras's exception type, and a message naming the value -----------
@pytest.mark.parametrize("make,error,message", [
    (lambda: metrics.F1Score(average="samples"), ValueError,
     "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
     "'weighted'}. Received: average=samples"),
    (lambda: metrics.F1Score(threshold=1), ValueError,
     "It should be a Python float. Received: threshold=1 of type '<class 'int'>'"),
    (lambda: metrics.F1Score(threshold=1.5), ValueError,
     "It should verify 0 < threshold <= 1. Received: threshold=1.5"),
    (lambda: metrics.F1Score(threshold=0.0), ValueError,
     "It should verify 0 < threshold <= 1. Received: threshold=0.0"),
    (lambda: metrics.F1Score(threshold=-0.5), ValueError, "Received: threshold=-0.5"),
    (lambda: metrics.FBetaScore(beta=1), ValueError,
     "It should be a Python float. Received: beta=1 of type '<class 'int'>'"),
    (lambda: metrics.FBetaScore(beta=None), ValueError, "Received: beta=None"),
    (lambda: metrics.FBetaScore(beta=0.0), ValueError,
     "It should be > 0. Received: beta=0.0"),
    (lambda: metrics.R2Score(class_aggregation="median"), ValueError,
     "Received: class_aggregation=median"),
    (lambda: metrics.R2Score(num_regressors=-1), ValueError,
     "Received: num_regressors=-1"),
    (lambda: metrics.IoU(num_classes=3, target_class_ids=[0, 3]), ValueError,
     "Target class id 3 is out of range, which is [0, 3)."),
    (lambda: metrics.IoU(num_classes=3, target_class_ids=[-1]), ValueError,
     "Target class id -1 is out of range, which is [0, 3)."),
    (lambda: metrics.IoU(num_classes=3, target_class_ids=[]), ValueError,
     "Received: target_class_ids=[]"),
    (lambda: metrics.OneHotIoU(num_classes=4, target_class_ids=[5]), ValueError,
     "Target class id 5 is out of range, which is [0, 4)."),
    (lambda: metrics.IoU(num_classes=0, target_class_ids=[0]), ValueError,
     "Argument `num_classes` of IoU must be a positive integer. Received: "
     "num_classes=0"),
    (lambda: metrics.MeanIoU(num_classes=-2), ValueError,
     "Argument `num_classes` of MeanIoU must be a positive integer. Received: "
     "num_classes=-2"),
    (lambda: metrics.OneHotMeanIoU(num_classes=2.5), ValueError,
     "Received: num_classes=2.5"),
    (lambda: metrics.MeanIoU(num_classes=None), ValueError, "Received: num_classes=None"),
    (lambda: metrics.MeanIoU(num_classes=True), ValueError, "Received: num_classes=True"),
    (lambda: metrics.TopKCategoricalAccuracy(k=0), ValueError,
     "Argument `k` of TopKCategoricalAccuracy must be a positive integer. "
     "Received: k=0"),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=-1), ValueError,
     "Argument `k` of SparseTopKCategoricalAccuracy must be a positive integer. "
     "Received: k=-1"),
    (lambda: metrics.TopKCategoricalAccuracy(k=1.5), TypeError, "Received: k=1.5"),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k="2"), TypeError,
     "Received: k='2'"),
    (lambda: metrics.top_k_categorical_accuracy(np.eye(3), np.eye(3), k=0), ValueError,
     "Argument `k` of top_k_categorical_accuracy must be a positive integer. "
     "Received: k=0"),
    (lambda: metrics.sparse_top_k_categorical_accuracy([0], np.eye(3)[:1], k=None),
     TypeError, "Argument `k` of sparse_top_k_categorical_accuracy must be a "
     "positive integer. Received: k=None"),
])
def test_bad_arguments_raise_at_construction(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


@pytest.mark.parametrize("cls,shape", [
    (metrics.F1Score, (4,)), (metrics.F1Score, (2, 3, 4)),
    (metrics.FBetaScore, (2, 3, 4)), (metrics.R2Score, (2, 3, 4)),
    (metrics.R2Score, (4,)),
])
def test_inputs_that_are_not_2d_raise(cls, shape):
    metric = cls()
    with pytest.raises(ValueError, match=re.escape(
            f"{cls.__name__} expects 2D inputs with shape (batch_size, output_dim). "
            f"Received input shapes: y_pred.shape={shape} and y_true.shape={shape}.")):
        metric.update_state(np.zeros(shape), np.zeros(shape))


def test_unknown_metric_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Could not interpret metric identifier: "
                                         "'f1score'.* Did you mean 'f1_score'"):
        metrics.get("f1score")


# --- names, state variables, directions ---------------------------------------------
def test_unnamed_iou_metrics_get_keras_automatic_names():
    keraslite.backend.clear_session()
    names = [metrics.IoU(2, [0]).name, metrics.IoU(2, [0]).name,
             metrics.MeanIoU(2).name, metrics.BinaryIoU().name,
             metrics.OneHotMeanIoU(3).name,
             metrics.MeanMetricWrapper(metrics.mean_squared_error).name]
    assert names == ["io_u", "io_u_1", "mean_io_u", "binary_io_u",
                     "one_hot_mean_io_u", "mean_metric_wrapper"]


@pytest.mark.parametrize("make,state", [
    (lambda: metrics.TopKCategoricalAccuracy(), [("total", ()), ("count", ())]),
    (lambda: metrics.RootMeanSquaredError(), [("total", ()), ("count", ())]),
    (lambda: metrics.Sum(), [("total", ())]),
    (lambda: metrics.IoU(3, [0]), [("total_confusion_matrix", (3, 3))]),
    (lambda: metrics.F1Score(), []),  # built on the first update, as Keras
    (lambda: metrics.R2Score(), [("num_samples", ())]),
])
def test_state_variables_before_the_first_update(make, state):
    assert [(n, np.shape(v)) for n, v in make()._state().items()] == state


@pytest.mark.parametrize("make,state", [
    (lambda: metrics.F1Score(), [("true_positives", (4,)), ("false_positives", (4,)),
                                 ("false_negatives", (4,)),
                                 ("intermediate_weights", (4,))]),
    (lambda: metrics.F1Score(average="micro"),
     [("true_positives", ()), ("false_positives", ()), ("false_negatives", ()),
      ("intermediate_weights", ())]),
    (lambda: metrics.R2Score(), [("num_samples", ()), ("squared_sum", (4,)),
                                 ("sum", (4,)), ("residual", (4,)), ("count", (4,))]),
])
def test_lazily_built_state_and_reset(make, state):
    metric = make()
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, (6, 4)).astype("float32"), rng.uniform(size=(6, 4))
    metric.update_state(y, p)
    assert [(n, np.shape(v)) for n, v in metric._state().items()] == state
    assert any(np.any(v != 0) for v in metric.variables)
    metric.reset_state()
    assert all(np.all(v == 0) for v in metric.variables)
    assert [(n, np.shape(v)) for n, v in metric._state().items()] == state


def test_iou_state_is_int64_and_truncates_float_weights_with_a_warning():
    metric = metrics.IoU(3, [0, 1, 2])
    with pytest.warns(UserWarning, match="passing weight as `float`"):
        metric.update_state([0, 1, 2], [0, 1, 2], sample_weight=[1.5, 1.0, 2.7])
    assert metric.total_cm.dtype == np.int64
    np.testing.assert_array_equal(np.diag(metric.total_cm), [1, 1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.IoU(3, [0], dtype="float32").update_state([0], [0], sample_weight=[0.5])


@pytest.mark.parametrize("cls,direction", [
    ("TopKCategoricalAccuracy", "up"), ("SparseTopKCategoricalAccuracy", "up"),
    ("F1Score", "up"), ("FBetaScore", "up"), ("R2Score", "up"),
    ("CosineSimilarity", "up"), ("PearsonCorrelation", "up"),
    ("ConcordanceCorrelation", "up"), ("BinaryIoU", "up"),
    ("RootMeanSquaredError", "down"), ("LogCoshError", "down"),
    ("MeanAbsolutePercentageError", "down"), ("MeanSquaredLogarithmicError", "down"),
    ("KLDivergence", "down"), ("Poisson", "down"), ("BinaryCrossentropy", "down"),
    ("CategoricalCrossentropy", "down"), ("SparseCategoricalCrossentropy", "down"),
    ("Hinge", "down"), ("SquaredHinge", "down"), ("CategoricalHinge", "down"),
])
def test_direction(cls, direction):
    assert getattr(metrics, cls)()._direction == direction


def test_wrapped_loss_functions_and_objects_are_minimised():
    assert metrics.MeanMetricWrapper(metrics.binary_crossentropy)._direction == "down"
    assert metrics.MeanMetricWrapper(
        keraslite.losses.MeanSquaredError())._direction == "down"
    assert metrics.MeanMetricWrapper(metrics.pearson_correlation)._direction is None


def test_mean_metric_wrapper_config_round_trip():
    wrapper = metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, name="top2",
                                        k=2)
    config = wrapper.get_config()
    assert config == {"name": "top2", "dtype": "float32", "k": 2,
                      "fn": {"module": "builtins", "class_name": "function",
                             "config": "top_k_categorical_accuracy",
                             "registered_name": "function"}}
    rebuilt = metrics.deserialize(metrics.serialize(wrapper))
    assert rebuilt._fn is metrics.top_k_categorical_accuracy
    assert rebuilt.get_config() == config


def test_top_k_counts_ties_and_rejects_non_finite_rows():
    # As tf.math.in_top_k: a tie at the boundary is in the top k; NaN never is.
    y_pred = np.array([[0.3, 0.3, 0.4], [np.nan, 0.5, 0.1]], "float32")
    np.testing.assert_array_equal(
        metrics.sparse_top_k_categorical_accuracy([0, 1], y_pred, k=2), [1.0, 0.0])
    np.testing.assert_array_equal(
        metrics.sparse_top_k_categorical_accuracy([5, -1], y_pred, k=3), [0.0, 0.0])


# --- in training ---------------------------------------------------------------------
def _classifier():
    keraslite.backend.clear_session()
    model = keraslite.Sequential([keraslite.Input((4,)),
                                  keraslite.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    return model, x, y


def test_repeated_metric_names_are_made_unique_in_the_logs():
    model, x, y = _classifier()
    model.compile("sgd", "categorical_crossentropy",
                  metrics=["top_k_categorical_accuracy",
                           metrics.TopKCategoricalAccuracy(k=1)],
                  weighted_metrics=["top_k_categorical_accuracy",
                                    metrics.TopKCategoricalAccuracy(k=2)])
    history = model.fit(x, y, sample_weight=np.ones(24), epochs=1, verbose=0)
    assert sorted(history.history) == [
        "loss", "top_k_categorical_accuracy", "top_k_categorical_accuracy_1",
        "weighted_top_k_categorical_accuracy",
        "weighted_top_k_categorical_accuracy_1"]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["top_k_categorical_accuracy"] == 1.0  # k=5 of 3 classes
    assert logs["top_k_categorical_accuracy_1"] < 1.0  # k=1


def test_per_class_results_are_logged_as_arrays():
    model, x, y = _classifier()
    model.compile("sgd", "categorical_crossentropy",
                  metrics=[metrics.F1Score(), metrics.F1Score(average="macro",
                                                              name="macro_f1")])
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y))
    per_class = history.history["val_f1_score"][-1]
    assert isinstance(per_class, np.ndarray) and per_class.shape == (3,)
    np.testing.assert_allclose(history.history["val_macro_f1"][-1], per_class.mean(),
                               rtol=1e-6)
    loss, f1, macro = model.evaluate(x, y, verbose=0)
    assert np.shape(f1) == (3,) and np.ndim(macro) == 0


@pytest.mark.parametrize("identifier,cls,name", [
    ("top_k_categorical_accuracy", "TopKCategoricalAccuracy",
     "top_k_categorical_accuracy"),
    ("RootMeanSquaredError", "RootMeanSquaredError", "RootMeanSquaredError"),
    ("mape", "MeanAbsolutePercentageError", "mape"),
    ("f1_score", "F1Score", "f1_score"),
    ("kl_divergence", "KLDivergence", "kl_divergence"),
    (metrics.pearson_correlation, "MeanMetricWrapper", "pearson_correlation"),
])
def test_compile_resolves_strings_as_keras(identifier, cls, name):
    metric = metrics.resolve(identifier, (8, 3), (8, 3))
    assert (type(metric).__name__, metric.name) == (cls, name)


def test_metric_wrappers_save_and_load(tmp_path):
    model, x, y = _classifier()
    model.compile("sgd", "categorical_crossentropy", metrics=[
        metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, k=1, name="top1"),
        metrics.MeanMetricWrapper(keraslite.losses.MeanAbsoluteError(), name="mae_w"),
        metrics.F1Score(average="weighted"), metrics.IoU(3, [0, 2], sparse_y_true=False,
                                                         sparse_y_pred=False)])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keraslite.models.load_model(tmp_path / "m.keras")
    assert (loaded.evaluate(x, y, verbose=0, return_dict=True)
            == model.evaluate(x, y, verbose=0, return_dict=True))


def test_a_wrapper_of_a_custom_function_is_refused_at_save(tmp_path):
    model, x, y = _classifier()
    model.compile("sgd", "mse", metrics=[metrics.MeanMetricWrapper(lambda a, b: a - b)])
    with pytest.raises(ValueError, match="Cannot save the metric"):
        model.save(tmp_path / "m.keras")


@pytest.mark.parametrize("dtype", [None, "float64"])
def test_mean_of_scalars_weighted_by_counts_takes_the_general_arithmetic(dtype):
    # fit's loss tracker: a scalar loss weighted by the batch size (an int)
    # takes a shortcut; an np.int64 weight takes the general path. Both
    # hold the same float32 (or float64) total and count, bit for bit.
    rng = np.random.default_rng(0)
    fast, general = metrics.Mean(dtype=dtype), metrics.Mean(dtype=dtype)
    for value, count in zip(rng.random(50) * 3, rng.integers(1, 200, 50)):
        for v in (np.float32(value), float(value)):
            fast.update_state(v, sample_weight=int(count))
            general.update_state(v, sample_weight=np.int64(count))
    assert fast.total.dtype == general.total.dtype == np.dtype(dtype or "float32")
    assert fast.total == general.total and fast.count == general.count
    assert fast.result() == general.result()
