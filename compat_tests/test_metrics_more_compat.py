"""The metrics added with issue 14 inside training, side by side with Keras:
small models with identical weights fitted 2 epochs (shuffle=False, with
validation, sample weights for `weighted_metrics`), History compared key by
key; EarlyStopping in mode="auto" on these metrics picks the same best value
(the metrics' `_direction`); and `.keras` files with these metrics in the
compile config cross both ways and evaluate to the same numbers.
"""
import json
import warnings
import zipfile

import numpy as np
import pytest

import keraslite

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _metrics(lib, task):
    m = lib.metrics
    if task == "categorical":
        return dict(
            loss="categorical_crossentropy",
            metrics=["top_k_categorical_accuracy", m.TopKCategoricalAccuracy(k=2),
                     m.F1Score(average="macro"), m.F1Score(name="f1_per_class"),
                     m.OneHotMeanIoU(num_classes=4),
                     m.OneHotIoU(num_classes=4, target_class_ids=[0, 2]),
                     "categorical_hinge", m.KLDivergence(),
                     m.CategoricalCrossentropy(label_smoothing=0.1)],
            weighted_metrics=[m.FBetaScore(beta=2.0, average="weighted",
                                           threshold=0.3),
                              "kl_divergence", m.TopKCategoricalAccuracy(k=1)])
    if task == "sparse":
        return dict(
            loss="sparse_categorical_crossentropy",
            metrics=["sparse_top_k_categorical_accuracy",
                     m.SparseTopKCategoricalAccuracy(k=2),
                     m.MeanIoU(num_classes=4, sparse_y_pred=False),
                     m.SparseCategoricalCrossentropy(ignore_class=3)],
            weighted_metrics=[m.SparseCategoricalCrossentropy(ignore_class=0),
                              m.IoU(num_classes=4, target_class_ids=[1, 2],
                                    sparse_y_pred=False, dtype="float32")])
    if task == "regression":
        return dict(
            loss="mse",
            metrics=["RootMeanSquaredError", m.R2Score(),
                     # (Keras's adjusted R2, num_regressors > 0, fails in a
                     # compiled fit; the parity table compares it directly)
                     m.R2Score(class_aggregation="variance_weighted_average",
                               name="r2_variance_weighted"),
                     "mape", "msle", m.LogCoshError(), m.CosineSimilarity(),
                     m.PearsonCorrelation(), m.ConcordanceCorrelation()],
            weighted_metrics=[m.RootMeanSquaredError(name="weighted_rmse"),
                              m.R2Score(name="weighted_r2"), "cosine_similarity"])
    return dict(  # binary
        loss="binary_crossentropy",
        metrics=[m.BinaryIoU(), m.BinaryIoU(target_class_ids=[1], threshold=0.4),
                 "hinge", "squared_hinge", "bce", m.Poisson(),
                 m.F1Score(threshold=0.5)],
        weighted_metrics=[m.BinaryCrossentropy(label_smoothing=0.1),
                          m.BinaryIoU(dtype="float32")])


_TASKS = {
    # task: (output units, activation)
    "categorical": (4, "softmax"),
    "sparse": (4, "softmax"),
    "regression": (3, None),
    "binary": (1, "sigmoid"),
}


def _data(task, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    if task == "categorical":
        y = np.eye(4, dtype="float32")[rng.integers(0, 4, n)]
    elif task == "sparse":
        y = rng.integers(0, 4, n).astype("float32")
    elif task == "regression":
        y = (x[:, :3] * 0.5 + rng.normal(size=(n, 3)) * 0.1 + 2.0).astype("float32")
    else:
        y = rng.integers(0, 2, (n, 1)).astype("float32")
    sw = rng.uniform(0.2, 2.0, n).astype("float32")
    return x, y, sw


def _model(lib, task):
    units, activation = _TASKS[task]
    return lib.Sequential([lib.Input((6,)), lib.layers.Dense(8, activation="tanh"),
                           lib.layers.Dense(units, activation=activation)])


def _pair(task):
    keras.backend.clear_session()
    keraslite.backend.clear_session()
    ours, theirs = _model(keraslite, task), _model(keras, task)
    theirs.set_weights(ours.get_weights())
    ours.compile(keraslite.optimizers.Adam(0.01), **_metrics(keraslite, task))
    theirs.compile(keras.optimizers.Adam(0.01), **_metrics(keras, task))
    return ours, theirs


def _assert_history_close(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(np.asarray(ours[key], np.float64),
                                   np.asarray(theirs[key], np.float64),
                                   rtol=1e-5, atol=1e-5, err_msg=key)


@pytest.mark.parametrize("task", sorted(_TASKS))
def test_fit_history_matches_keras(task):
    ours, theirs = _pair(task)
    x, y, sw = _data(task, 48, 0)
    xv, yv, swv = _data(task, 20, 1)
    kwargs = dict(batch_size=16, epochs=2, shuffle=False, verbose=0,
                  sample_weight=sw, validation_data=(xv, yv, swv))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IoU: float weights with int64 state
        h1 = ours.fit(x, y, **kwargs)
        h2 = theirs.fit(x, y, **kwargs)
        e1 = ours.evaluate(xv, yv, sample_weight=swv, verbose=0, return_dict=True)
        e2 = theirs.evaluate(xv, yv, sample_weight=swv, verbose=0, return_dict=True)
    _assert_history_close(h1.history, h2.history)
    _assert_history_close({k: [v] for k, v in e1.items()},
                          {k: [v] for k, v in e2.items()})


_MONITORS = {
    "regression": ["val_r2_score", "val_RootMeanSquaredError",
                   "val_cosine_similarity", "val_mape", "val_logcosh"],
    "categorical": ["val_f1_score", "val_kl_divergence", "val_one_hot_mean_io_u",
                    "val_top_k_categorical_accuracy", "val_categorical_hinge"],
    "binary": ["val_hinge", "val_binary_io_u", "val_poisson"],
    "sparse": ["val_mean_io_u", "val_sparse_top_k_categorical_accuracy",
               "val_sparse_categorical_crossentropy"],
}


@pytest.mark.parametrize("task", sorted(_MONITORS))
def test_early_stopping_auto_mode_follows_the_metric_direction(task):
    ours, theirs = _pair(task)
    x, y, _ = _data(task, 48, 2)
    xv, yv, _ = _data(task, 20, 3)
    bests = []
    for model, lib in ((ours, keraslite), (theirs, keras)):
        stops = [lib.callbacks.EarlyStopping(monitor=monitor, mode="auto",
                                             patience=10)
                 for monitor in _MONITORS[task]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = model.fit(x, y, batch_size=16, epochs=4, shuffle=False,
                                verbose=0, validation_data=(xv, yv),
                                callbacks=stops)
        bests.append([float(stop.best) for stop in stops])
    np.testing.assert_allclose(bests[0], bests[1], rtol=1e-5, atol=1e-5)
    for monitor, best in zip(_MONITORS[task], bests[1]):
        values = history.history[monitor]
        assert best in (pytest.approx(max(values)), pytest.approx(min(values)))


@pytest.mark.parametrize("writer", ["keraslite", "keras"])
@pytest.mark.parametrize("task", sorted(_TASKS))
def test_keras_file_with_these_metrics_crosses(tmp_path, writer, task):
    ours, theirs = _pair(task)
    x, y, sw = _data(task, 32, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in (ours, theirs):
            model.fit(x, y, sample_weight=sw, batch_size=16, epochs=1, shuffle=False,
                      verbose=0)
    source, target_lib = (ours, keras) if writer == "keraslite" else (theirs, keraslite)
    path = tmp_path / "model.keras"
    source.save(path)
    loaded = target_lib.models.load_model(path)
    xe, ye, swe = _data(task, 24, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = source.evaluate(xe, ye, sample_weight=swe, verbose=0, return_dict=True)
        got = loaded.evaluate(xe, ye, sample_weight=swe, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(np.asarray(got[key], np.float64),
                                   np.asarray(want[key], np.float64),
                                   rtol=1e-5, atol=1e-6, err_msg=key)
    # Saved again by the other library, the compile config names the same
    # metric classes and arguments.
    loaded.save(tmp_path / "again.keras")
    assert (_metric_configs(tmp_path / "again.keras")
            == _metric_configs(path))


def _metric_configs(path):
    with zipfile.ZipFile(path) as archive:
        compile_config = json.loads(archive.read("config.json"))["compile_config"]
    out = []
    for key in ("metrics", "weighted_metrics"):
        for item in compile_config.get(key) or []:
            if isinstance(item, dict):
                out.append((key, item["class_name"], sorted(item["config"].items())))
            else:
                out.append((key, item))
    return out


@pytest.mark.parametrize("writer", ["keraslite", "keras"])
def test_metric_functions_and_wrappers_in_a_keras_file_cross(tmp_path, writer):
    """Metric functions and MeanMetricWrapper objects (of a function with
    kwargs, of a Loss object) in the compile config, both ways."""
    def build(lib):
        model = lib.Sequential([lib.Input((6,)),
                                lib.layers.Dense(4, activation="softmax")])
        m = lib.metrics
        model.compile("sgd", "categorical_crossentropy", metrics=[
            m.top_k_categorical_accuracy, m.pearson_correlation,
            m.concordance_correlation,
            m.MeanMetricWrapper(m.top_k_categorical_accuracy, k=2, name="top2"),
            m.MeanMetricWrapper(lib.losses.MeanAbsoluteError(), name="wrapped_mae")])
        return model

    keras.backend.clear_session()
    keraslite.backend.clear_session()
    ours, theirs = build(keraslite), build(keras)
    theirs.set_weights(ours.get_weights())
    source, target_lib = (ours, keras) if writer == "keraslite" else (theirs, keraslite)
    path = tmp_path / "model.keras"
    source.save(path)
    loaded = target_lib.models.load_model(path)
    x, y, _ = _data("categorical", 24, 6)
    want = source.evaluate(x, y, verbose=0, return_dict=True)
    got = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)
