"""The table of bad (and borderline) inputs to the training API.

Every row is one call on a small model, written against a library module
`lib` (keraslite here, keras in compat_tests/) so the same call runs on
both. A row expects either an exception (type and message regex) or a
result, checked by `check(result, lib)`.

`keras` says how real Keras 3 behaves (compat_tests/ verifies it):
  SAME          Keras raises the same exception type (or also succeeds,
                and `check` holds for its result too unless
                `keras_check=False`).
  Differs(...)  a deliberate difference, with the reason (README,
                "Deliberate differences") and the exception Keras raises
                instead (None: Keras runs without error).
"""
import contextlib
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

N, D, CLASSES = 48, 6, 3


@dataclass(frozen=True)
class Differs:
    reason: str
    keras_raises: Optional[str]  # Keras's exception class name, None: no error


SAME = "same"


@dataclass(frozen=True)
class Case:
    name: str
    call: Callable  # call(lib) -> result
    raises: Optional[type] = None
    match: str = ""
    check: Optional[Callable] = None  # check(result, lib) for success rows
    keras: Any = SAME
    keras_check: bool = True  # whether `check` also holds for Keras's result


# --- data and models ---------------------------------------------------------------
def data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, D)).astype("float32")
    labels = rng.integers(0, CLASSES, N)
    y = np.eye(CLASSES, dtype="float32")[labels]
    return x, y, labels


def model(lib, loss="categorical_crossentropy", units=CLASSES,
          activation="softmax", compiled=True, metrics=("accuracy",)):
    m = lib.Sequential([
        lib.Input((D,)),
        lib.layers.Dense(4, activation="relu"),
        lib.layers.Dense(units, activation=activation),
    ])
    if compiled:
        m.compile(optimizer="sgd", loss=loss, metrics=list(metrics))
    return m


def fit(lib, x, y, **kwargs):
    kwargs.setdefault("verbose", 0)
    kwargs.setdefault("epochs", 1)
    return model(lib).fit(x, y, **kwargs)


def sparse(lib):
    return model(lib, "sparse_categorical_crossentropy")


def with_value(array, index, value):
    array = array.copy()
    array[index] = value
    return array


@contextlib.contextmanager
def finite_check_off(lib):
    """keraslite.models.data.set_check_finite(False) for one call."""
    if lib.__name__ != "keraslite":
        yield  # Keras never scans inputs
        return
    from keraslite.models import data as data_module

    data_module.set_check_finite(False)
    try:
        yield
    finally:
        data_module.set_check_finite(True)


def nested_tuples(array):
    return tuple(tuple(float(v) for v in row) for row in array)


# --- success rows: call and check pairs ---------------------------------------------
def is_history(epochs):
    def check(history, lib):
        assert history.epoch == list(range(epochs)), history.epoch
        assert all(len(v) == epochs for v in history.history.values())
        if epochs:
            assert np.isfinite(history.history["loss"]).all()
    return check


def is_float32(shape):
    def check(out, lib):
        out = np.asarray(out)
        assert out.shape == shape, out.shape
        assert out.dtype == np.float32, out.dtype
    return check


def same_predictions(convert):
    """predict(convert(x)) equals predict(x) on float32 x, same model."""
    def call(lib):
        x, _, _ = data()
        m = model(lib)
        return m.predict(x, verbose=0), m.predict(convert(x), verbose=0)

    def check(result, lib):
        reference, out = (np.asarray(r) for r in result)
        assert out.dtype == np.float32, out.dtype
        np.testing.assert_allclose(out, reference, rtol=1e-6, atol=1e-7)

    return {"call": call, "check": check}


def same_training(convert_x, convert_y=lambda y: y):
    """One epoch on converted data gives the same weights as on the float32
    arrays (same initial weights, no shuffling)."""
    def call(lib):
        x, y, _ = data()
        a, b = model(lib), model(lib)
        b.set_weights(a.get_weights())
        a.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
        b.fit(convert_x(x), convert_y(y), epochs=1, batch_size=16,
              shuffle=False, verbose=0)
        return a.get_weights(), b.get_weights()

    def check(result, lib):
        for wa, wb in zip(*result):
            np.testing.assert_allclose(wb, wa, rtol=1e-5, atol=1e-6)

    return {"call": call, "check": check}


def _nan_history(history, lib):
    assert history.epoch == [0, 1]
    if lib.__name__ == "keraslite":
        assert np.isnan(history.history["loss"]).all()


def _nan_only_in_row_5(out, lib):
    out = np.asarray(out)
    assert np.isnan(out[5]).all() and np.isfinite(np.delete(out, 5, 0)).all()


def _fit_nan_check_off(lib):
    with finite_check_off(lib):
        return fit(lib, NAN_X, Y, epochs=2)


def _predict_nan_check_off(lib):
    with finite_check_off(lib):
        return model(lib).predict(NAN_X, verbose=0)


def _fit_unknown_loss(lib):
    m = model(lib, compiled=False)
    m.compile("sgd", "categorical_crossentropyy")
    return m.fit(X, Y, verbose=0)


X, Y, LABELS = data()
BAD_WIDTH = X[:, :4]
NAN_X = with_value(X, (5, 2), np.nan)
INF_Y = with_value(Y, (7, 1), np.inf)

# --- the reasons for deliberate differences -----------------------------------------
LISTS = ("keraslite converts nested lists/tuples of numbers with np.asarray, as "
         "tf.keras 2 did; Keras 3 accepts only arrays (and [x])")
SPARSE_RANGE = ("labels outside [0, classes) are refused before training; "
                "Keras's TF kernel raises InvalidArgumentError at the first step")
SILENT = "refused before training; Keras {}"
EMPTY = SILENT.format("silently trains/evaluates nothing (predict crashes)")
TO_CATEGORICAL = ("to_categorical raises on labels it cannot encode; Keras "
                  "wraps negatives, truncates non-integers, IndexError "
                  "out of range")
NAN = ("NaN/Inf in the data is refused before training; Keras trains on it "
       "(set_check_finite(False) restores that)")

CASES = [
    # --- input width / rank --------------------------------------------------------
    Case("fit_wrong_width", lambda lib: fit(lib, BAD_WIDTH, Y),
         ValueError, r"incompatible.*expected shape \(None, 6\).*\(48, 4\)"),
    Case("evaluate_wrong_width",
         lambda lib: model(lib).evaluate(BAD_WIDTH, Y, verbose=0),
         ValueError, "incompatible"),
    Case("predict_wrong_width",
         lambda lib: model(lib).predict(BAD_WIDTH, verbose=0),
         ValueError, "incompatible"),
    Case("train_on_batch_wrong_width",
         lambda lib: model(lib).train_on_batch(BAD_WIDTH, Y),
         ValueError, "incompatible"),
    Case("test_on_batch_wrong_width",
         lambda lib: model(lib).test_on_batch(BAD_WIDTH, Y),
         ValueError, "incompatible"),
    Case("predict_on_batch_wrong_width",
         lambda lib: model(lib).predict_on_batch(BAD_WIDTH),
         ValueError, "incompatible"),
    Case("call_wrong_width", lambda lib: model(lib)(BAD_WIDTH),
         ValueError, "incompatible"),
    Case("fit_wrong_rank", lambda lib: fit(lib, X.reshape(N, 2, 3), Y),
         ValueError, r"incompatible.*\(48, 2, 3\)"),
    Case("predict_one_sample_without_batch_axis",
         lambda lib: model(lib).predict(X[0], verbose=0),
         ValueError, r"incompatible.*received input with shape \(6,\)"),
    Case("call_one_sample_without_batch_axis", lambda lib: model(lib)(X[0]),
         ValueError, "incompatible"),
    Case("predict_scalar",
         lambda lib: model(lib).predict(np.float32(1.0), verbose=0),
         ValueError, "must have a batch axis",
         keras=Differs("a clear error; Keras fails inside with IndexError",
                       "IndexError")),
    Case("fit_trailing_axis_of_one_is_squeezed",
         **same_training(lambda x: x[:, :, None])),
    Case("predict_rank_1_for_one_feature_model",
         lambda lib: lib.Sequential([lib.Input((1,)), lib.layers.Dense(2)])
         .predict(X[:, 0], verbose=0),
         check=is_float32((N, 2))),
    # --- missing data and different numbers of samples ----------------------------------
    Case("fit_x_none", lambda lib: model(lib).fit(None, Y, verbose=0),
         ValueError, r"Missing `x`"),
    Case("fit_y_none", lambda lib: model(lib).fit(X, verbose=0),
         ValueError, r"Missing target data `y`"),
    Case("evaluate_y_none", lambda lib: model(lib).evaluate(X, verbose=0),
         ValueError, r"Missing target data `y`"),
    Case("fit_x_y_lengths", lambda lib: fit(lib, X, Y[:10]),
         ValueError, r"cardinality.*'x' sizes: 48.*'y' sizes: 10"),
    Case("evaluate_x_y_lengths",
         lambda lib: model(lib).evaluate(X, Y[:10], verbose=0),
         ValueError, "cardinality"),
    Case("train_on_batch_x_y_lengths",
         lambda lib: model(lib).train_on_batch(X, Y[:10]),
         ValueError, "cardinality"),
    Case("test_on_batch_x_y_lengths",
         lambda lib: model(lib).test_on_batch(X, Y[:10]),
         ValueError, "cardinality"),
    Case("fit_sample_weight_length",
         lambda lib: fit(lib, X, Y, sample_weight=np.ones(10)),
         ValueError, r"cardinality.*'sample_weight' sizes: 10"),
    Case("fit_validation_data_lengths",
         lambda lib: fit(lib, X, Y, validation_data=(X[:10], Y[:9])),
         ValueError, r"cardinality.*'x' sizes: 10.*'y' sizes: 9"),
    # --- sample weights --------------------------------------------------------------
    Case("fit_sample_weight_column",
         lambda lib: fit(lib, X, Y, sample_weight=np.ones((N, 1))),
         check=is_history(1)),
    Case("fit_sample_weight_two_columns",
         lambda lib: fit(lib, X, Y, sample_weight=np.ones((N, 2))),
         ValueError, r"one weight per sample.*\(48, 2\)",
         keras=Differs(SILENT.format("fails at the first step"),
                       "InvalidArgumentError")),
    # --- labels that do not fit the loss ----------------------------------------------
    Case("fit_int_labels_to_categorical_crossentropy",
         lambda lib: fit(lib, X, LABELS),
         ValueError, r"to_categorical.*sparse_categorical_crossentropy"),
    Case("evaluate_int_label_column_to_categorical_crossentropy",
         lambda lib: model(lib).evaluate(X, LABELS[:, None], verbose=0),
         ValueError, r"to_categorical.*sparse_categorical_crossentropy"),
    Case("fit_one_hot_to_sparse_categorical_crossentropy",
         lambda lib: sparse(lib).fit(X, Y, verbose=0),
         ValueError, r"one-hot.*loss='categorical_crossentropy'"),
    Case("fit_sparse_label_out_of_range",
         lambda lib: sparse(lib).fit(X, np.where(LABELS == 0, 3, LABELS),
                                     verbose=0),
         ValueError, r"labels in \[0, 3\).*to 3",
         keras=Differs(SPARSE_RANGE, "InvalidArgumentError")),
    Case("fit_sparse_label_negative",
         lambda lib: sparse(lib).fit(X, np.where(LABELS == 0, -1, LABELS),
                                     verbose=0),
         ValueError, r"labels in \[0, 3\).*from -1",
         keras=Differs(SPARSE_RANGE, "InvalidArgumentError")),
    Case("fit_sparse_label_not_integer",
         lambda lib: sparse(lib).fit(X, LABELS + 0.5, verbose=0),
         ValueError, r"integer labels",
         keras=Differs(SILENT.format("truncates 1.5 to 1"), None)),
    Case("fit_sparse_label_column", lambda lib: sparse(lib).fit(
        X, LABELS[:, None], verbose=0), check=is_history(1)),
    Case("fit_mse_wrong_width",
         lambda lib: model(lib, "mse", activation=None).fit(X, Y[:, :2], verbose=0),
         ValueError, r"shape \(48, 2\).*\(None, 3\).*mean_squared_error"),
    Case("fit_mse_one_label_column_for_three_outputs",
         lambda lib: model(lib, "mse", activation=None).fit(X, Y[:, :1], verbose=0),
         ValueError, r"shape \(48, 1\).*\(None, 3\)",
         keras=Differs(SILENT.format("broadcasts the column over all outputs"),
                       None)),
    Case("fit_binary_crossentropy_wrong_width",
         lambda lib: model(lib, "binary_crossentropy", units=1,
                           activation="sigmoid").fit(X, Y, verbose=0),
         ValueError, r"shape \(48, 3\).*\(None, 1\).*binary_crossentropy"),
    Case("fit_binary_crossentropy_rank_1_labels",
         lambda lib: model(lib, "binary_crossentropy", units=1,
                           activation="sigmoid").fit(X, LABELS > 0, verbose=0),
         check=is_history(1)),
    # --- data that is not numbers / not rectangular --------------------------------------
    Case("fit_string_array", lambda lib: fit(lib, np.array([["a"] * D] * N), Y),
         ValueError, r"`x` must hold numbers.*strings"),
    Case("predict_object_array",
         lambda lib: model(lib).predict(np.array([None] * N, dtype=object),
                                        verbose=0),
         ValueError, r"`x` must hold numbers.*object"),
    Case("fit_object_labels",
         lambda lib: fit(lib, X, np.array([{"label": 1}] * N, dtype=object)),
         ValueError, r"`y` must hold numbers"),
    Case("fit_string_sample_weight",
         lambda lib: fit(lib, X, Y, sample_weight=np.array(["a"] * N)),
         ValueError, r"`sample_weight` must hold numbers"),
    Case("fit_ragged_list",
         lambda lib: fit(lib, [[1.0] * D] * (N - 1) + [[1.0] * (D - 1)], Y),
         ValueError, r"Could not convert `x`.*equal length"),
    # --- accepted conversions -----------------------------------------------------------
    Case("predict_list_of_one_array", **same_predictions(lambda x: [x])),
    Case("fit_tuple_of_one_array",
         **same_training(lambda x: (x,), lambda y: [y])),
    Case("predict_python_list", **same_predictions(lambda x: x.tolist()),
         keras=Differs(LISTS, "ValueError")),
    Case("predict_nested_tuples", **same_predictions(nested_tuples),
         keras=Differs(LISTS, "ValueError")),
    Case("fit_python_lists",
         **same_training(lambda x: x.tolist(), lambda y: y.tolist()),
         keras=Differs(LISTS, "ValueError")),
    Case("call_on_python_list",
         lambda lib: np.asarray(model(lib)(X[:2].tolist())),
         check=is_float32((2, CLASSES)), keras=Differs(LISTS, "ValueError")),
    Case("predict_float64_cast_to_float32",
         **same_predictions(lambda x: x.astype("float64"))),
    Case("fit_float64_same_as_float32",
         **same_training(lambda x: x.astype("float64"),
                         lambda y: y.astype("float64"))),
    Case("predict_int_input",
         lambda lib: model(lib).predict(np.ones((5, D), "int64"), verbose=0),
         check=is_float32((5, CLASSES))),
    Case("fit_bool_input_int_labels",
         lambda lib: sparse(lib).fit(X > 0, LABELS, epochs=2, verbose=0),
         check=is_history(2)),
    # --- empty data -------------------------------------------------------------------
    Case("fit_empty", lambda lib: fit(lib, X[:0], Y[:0]),
         ValueError, "non-empty", keras=Differs(EMPTY, None)),
    Case("evaluate_empty",
         lambda lib: model(lib).evaluate(X[:0], Y[:0], verbose=0),
         ValueError, "non-empty", keras=Differs(EMPTY, None)),
    Case("predict_empty", lambda lib: model(lib).predict(X[:0], verbose=0),
         ValueError, "non-empty", keras=Differs(EMPTY, "UnboundLocalError")),
    # --- batch_size ----------------------------------------------------------------
    Case("fit_batch_size_zero", lambda lib: fit(lib, X, Y, batch_size=0),
         ValueError, r"batch_size.*positive integer.*batch_size=0",
         keras=Differs(SILENT.format("uses 32"), None)),
    Case("evaluate_batch_size_zero",
         lambda lib: model(lib).evaluate(X, Y, batch_size=0, verbose=0),
         ValueError, "batch_size", keras=Differs(SILENT.format("uses 32"), None)),
    Case("predict_batch_size_zero",
         lambda lib: model(lib).predict(X, batch_size=0, verbose=0),
         ValueError, "batch_size", keras=Differs(SILENT.format("uses 32"), None)),
    Case("fit_batch_size_negative", lambda lib: fit(lib, X, Y, batch_size=-4),
         ValueError, "batch_size=-4"),
    Case("predict_batch_size_negative",
         lambda lib: model(lib).predict(X, batch_size=-1, verbose=0),
         ValueError, "batch_size=-1"),
    Case("fit_batch_size_float", lambda lib: fit(lib, X, Y, batch_size=2.5),
         TypeError, r"batch_size=2\.5 \(of type float\)"),
    Case("evaluate_batch_size_float",
         lambda lib: model(lib).evaluate(X, Y, batch_size=2.5, verbose=0),
         TypeError, r"batch_size=2\.5"),
    Case("fit_batch_size_string", lambda lib: fit(lib, X, Y, batch_size="8"),
         TypeError, r"batch_size='8'"),
    Case("fit_batch_size_numpy_int",
         lambda lib: fit(lib, X, Y, batch_size=np.int64(8)), check=is_history(1)),
    # --- epochs ---------------------------------------------------------------------
    Case("fit_epochs_negative", lambda lib: fit(lib, X, Y, epochs=-1),
         ValueError, r"epochs.*non-negative integer.*epochs=-1",
         keras=Differs(SILENT.format("trains nothing"), None)),
    Case("fit_epochs_float", lambda lib: fit(lib, X, Y, epochs=1.5),
         TypeError, r"epochs=1\.5"),
    Case("fit_epochs_string", lambda lib: fit(lib, X, Y, epochs="2"),
         TypeError, r"epochs='2'"),
    Case("fit_epochs_below_initial_epoch",
         lambda lib: fit(lib, X, Y, epochs=1, initial_epoch=2),
         ValueError, r"initial_epoch.*initial_epoch=2, epochs=1",
         keras=Differs(SILENT.format("trains nothing"), None)),
    Case("fit_initial_epoch_negative",
         lambda lib: fit(lib, X, Y, epochs=1, initial_epoch=-1),
         ValueError, r"initial_epoch=-1",
         keras=Differs(SILENT.format("trains epochs -1 and 0"), None)),
    Case("fit_zero_epochs", lambda lib: fit(lib, X, Y, epochs=0),
         check=is_history(0)),
    Case("fit_epochs_numpy_int",
         lambda lib: fit(lib, X, Y, epochs=np.int64(2)), check=is_history(2)),
    # --- validation_split / validation_data ------------------------------------------------
    Case("fit_validation_split_one",
         lambda lib: fit(lib, X, Y, validation_split=1.0),
         ValueError, r"validation_split.*1\.0"),
    Case("fit_validation_split_negative",
         lambda lib: fit(lib, X, Y, validation_split=-0.1),
         ValueError, r"validation_split.*between 0 and 1",
         keras=Differs(SILENT.format("trains on all the data"), None)),
    Case("fit_validation_split_too_large_for_data",
         lambda lib: fit(lib, X, Y, validation_split=0.99),
         ValueError, r"not sufficient to split"),
    Case("fit_validation_split_string",
         lambda lib: fit(lib, X, Y, validation_split="0.2"),
         TypeError, r"validation_split='0\.2'"),
    Case("fit_validation_data_array",
         lambda lib: fit(lib, X, Y, validation_data=X),
         ValueError, r"validation_data.*\(x_val, y_val\).*ndarray"),
    Case("fit_validation_data_string",
         lambda lib: fit(lib, X, Y, validation_data="val.npz"),
         ValueError, r"validation_data.*\(x_val, y_val\).*str"),
    Case("fit_validation_data_one_element",
         lambda lib: fit(lib, X, Y, validation_data=(X,)),
         ValueError, r"validation_data.*tuple of 1 elements"),
    Case("fit_validation_data_four_elements",
         lambda lib: fit(lib, X, Y, validation_data=(X, Y, np.ones(N), X)),
         ValueError, r"validation_data.*tuple of 4 elements"),
    Case("fit_validation_data_without_labels",
         lambda lib: fit(lib, X, Y, validation_data=(X, None)),
         ValueError, r"Missing target data `y`"),
    Case("fit_validation_data_wrong_width",
         lambda lib: fit(lib, X, Y, validation_data=(BAD_WIDTH, Y)),
         ValueError, "incompatible"),
    Case("fit_validation_data_list",
         lambda lib: fit(lib, X, Y, validation_data=[X, Y]),
         check=lambda h, lib: set(h.history) >= {"val_loss", "val_accuracy"}),
    # --- unknown identifiers --------------------------------------------------------
    Case("compile_unknown_optimizer",
         lambda lib: model(lib, compiled=False).compile("rmsprp", "mse"),
         ValueError, r"optimizer identifier: 'rmsprp'.*Did you mean 'rmsprop'"),
    Case("fit_unknown_loss", _fit_unknown_loss, ValueError,
         r"loss identifier.*Did you mean 'categorical_crossentropy'.*Valid names"),
    Case("unknown_activation",
         lambda lib: lib.layers.Dense(2, activation="rellu"),
         ValueError, r"activation.*identifier.*Did you mean 'relu'"),
    Case("fit_unknown_metric",
         lambda lib: model(lib, metrics=["acuracy"]).fit(X, Y, verbose=0),
         ValueError, r"metric identifier.*Did you mean 'accuracy'"),
    Case("unknown_initializer",
         lambda lib: lib.layers.Dense(2, kernel_initializer="glorot_unifrom"),
         ValueError, r"initializer identifier.*Did you mean 'glorot_uniform'"),
    Case("unknown_regularizer",
         lambda lib: lib.layers.Dense(2, kernel_regularizer="l3"),
         ValueError, r"regularizer identifier: 'l3'.*Valid names: .*l2"),
    # --- to_categorical ---------------------------------------------------------------
    Case("to_categorical_negative",
         lambda lib: lib.utils.to_categorical([0, -1, 2], 3),
         ValueError, "negative class index: -1",
         keras=Differs(TO_CATEGORICAL, None)),
    Case("to_categorical_non_integer",
         lambda lib: lib.utils.to_categorical([0.0, 1.5], 3),
         ValueError, "non-integer value: 1.5",
         keras=Differs(TO_CATEGORICAL, None)),
    Case("to_categorical_out_of_range",
         lambda lib: lib.utils.to_categorical([0, 3], 3),
         ValueError, r"class index 3.*num_classes=3",
         keras=Differs(TO_CATEGORICAL, "IndexError")),
    Case("to_categorical_valid",
         lambda lib: lib.utils.to_categorical([[0], [2]], 3),
         check=lambda out, lib: np.testing.assert_array_equal(
             out, [[1, 0, 0], [0, 0, 1]])),
    # --- unbuilt and uncompiled models ------------------------------------------------------
    Case("predict_unbuilt_model_builds_from_data",
         lambda lib: lib.Sequential([lib.layers.Dense(2)]).predict(X, verbose=0),
         check=is_float32((N, 2))),
    Case("evaluate_unbuilt_uncompiled",
         lambda lib: lib.Sequential([lib.layers.Dense(2)]).evaluate(
             X, Y[:, :2], verbose=0),
         ValueError, r"must call `compile\(\)`"),
    Case("evaluate_before_compile",
         lambda lib: model(lib, compiled=False).evaluate(X, Y, verbose=0),
         ValueError, r"must call `compile\(\)`"),
    Case("fit_before_compile",
         lambda lib: model(lib, compiled=False).fit(X, Y, verbose=0),
         ValueError, r"must call `compile\(\)`"),
    Case("train_on_batch_before_compile",
         lambda lib: model(lib, compiled=False).train_on_batch(X, Y),
         ValueError, r"must call `compile\(\)`"),
    Case("test_on_batch_before_compile",
         lambda lib: model(lib, compiled=False).test_on_batch(X, Y),
         ValueError, r"must call `compile\(\)`"),
    # --- NaN / Inf --------------------------------------------------------------------
    Case("fit_nan_in_x", lambda lib: fit(lib, NAN_X, Y),
         ValueError,
         r"`x` contains NaN or Inf values \(1 in all\); the first is nan at "
         r"index \(5, 2\).*set_check_finite\(False\)",
         keras=Differs(NAN, None)),
    Case("fit_inf_in_y", lambda lib: fit(lib, X, INF_Y),
         ValueError, r"`y` contains NaN or Inf.*inf at index \(7, 1\)",
         keras=Differs(NAN, None)),
    Case("fit_nan_in_sample_weight",
         lambda lib: fit(lib, X, Y, sample_weight=with_value(np.ones(N), 3, np.nan)),
         ValueError, r"`sample_weight` contains NaN.*index \(3,\)",
         keras=Differs(NAN, None)),
    Case("fit_nan_in_validation_data",
         lambda lib: fit(lib, X, Y, validation_data=(NAN_X, Y)),
         ValueError, r"`x` contains NaN.*\(5, 2\)", keras=Differs(NAN, None)),
    Case("evaluate_nan_in_x",
         lambda lib: model(lib).evaluate(NAN_X, Y, verbose=0),
         ValueError, r"`x` contains NaN.*\(5, 2\)", keras=Differs(NAN, None)),
    Case("predict_nan_in_x", lambda lib: model(lib).predict(NAN_X, verbose=0),
         ValueError, r"`x` contains NaN.*\(5, 2\)", keras=Differs(NAN, None)),
    Case("train_on_batch_nan_in_x",
         lambda lib: model(lib).train_on_batch(NAN_X, Y),
         ValueError, r"`x` contains NaN.*\(5, 2\)", keras=Differs(NAN, None)),
    # TF's relu maps NaN to 0, so Keras's numbers differ from NumPy's here:
    # only "both run" is compared.
    Case("fit_nan_in_x_check_off", _fit_nan_check_off, check=_nan_history,
         keras_check=False),
    Case("predict_nan_in_x_check_off", _predict_nan_check_off,
         check=_nan_only_in_row_5, keras_check=False),
    Case("call_does_not_scan_for_nan", lambda lib: model(lib)(NAN_X),
         check=_nan_only_in_row_5, keras_check=False),
]
