"""Confusion metrics during training, side by side with Keras 3.

A small binary classifier is trained 2 epochs in both libraries from the same
weights (shuffle=False) with metrics=["AUC", Precision(), Recall()] and
validation data; every History value must agree within 1e-5. Further
checks: History key names when metric names repeat, and the direction
`EarlyStopping(monitor="val_auc")` picks in mode="auto".
"""
import numpy as np
import pytest

import keraslite
from compat_tests.parity import _keras

HISTORY_ATOL = 1e-5


def _data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(160, 6)).astype("float32")
    logits = x @ rng.normal(size=(6, 1)).astype("float32") + 0.3 * rng.normal(
        size=(160, 1)).astype("float32")
    y = (logits > 0).astype("float32")
    return x[:120], y[:120], x[120:], y[120:]


def _pair(metrics_of, optimizer="rmsprop"):
    """The same model in Keras and keraslite, compiled with `metrics_of(lib)`."""
    _, keras = _keras()
    models = []
    for lib in (keras, keraslite):
        lib.backend.clear_session()
        lib.utils.set_random_seed(3)  # Keras draws the shared initial weights
        model = lib.Sequential([lib.Input((6,)),
                                lib.layers.Dense(8, activation="relu"),
                                lib.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizer, loss="binary_crossentropy",
                      metrics=metrics_of(lib))
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    return models


def test_fit_history_matches_keras():
    x, y, xv, yv = _data()
    theirs, ours = _pair(lambda lib: ["AUC", lib.metrics.Precision(),
                                      lib.metrics.Recall()])
    kwargs = dict(epochs=2, batch_size=16, shuffle=False, verbose=0,
                  validation_data=(xv, yv))
    h_theirs = theirs.fit(x, y, **kwargs).history
    h_ours = ours.fit(x, y, **kwargs).history
    assert sorted(h_ours) == sorted(h_theirs) == [
        "AUC", "loss", "precision", "recall",
        "val_AUC", "val_loss", "val_precision", "val_recall"]
    worst = 0.0
    for key in h_theirs:
        diff = np.abs(np.array(h_ours[key]) - np.array(h_theirs[key])).max()
        worst = max(worst, diff)
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=0,
                                   atol=HISTORY_ATOL, err_msg=key)
    # The metrics moved over the 2 epochs: the comparison is not of constants.
    assert len(set(h_theirs["AUC"])) == 2 and len(set(h_theirs["val_AUC"])) == 2
    print(f"worst History difference vs Keras: {worst:.3g}")
    ours_eval = ours.evaluate(xv, yv, verbose=0, return_dict=True)
    theirs_eval = theirs.evaluate(xv, yv, verbose=0, return_dict=True)
    for key in theirs_eval:
        np.testing.assert_allclose(ours_eval[key], float(theirs_eval[key]),
                                   atol=HISTORY_ATOL, err_msg=key)


@pytest.mark.parametrize("case", ["repeats", "strings", "named"])
def test_history_keys_when_names_repeat(case):
    x, y, xv, yv = _data()

    def metrics_of(lib):
        m = lib.metrics
        return {
            "repeats": ["AUC", m.AUC(), m.AUC(), m.Precision(), m.Recall(), "auc",
                        "precision"],
            "strings": ["auc", "auc", "true_positives", "FalseNegatives"],
            "named": [m.AUC(name="AUC"), "AUC", m.Recall(), m.Recall(name="recall")],
        }[case]

    theirs, ours = _pair(metrics_of)
    kwargs = dict(epochs=1, batch_size=40, shuffle=False, verbose=0,
                  validation_data=(xv, yv))
    h_theirs = theirs.fit(x, y, **kwargs).history
    h_ours = ours.fit(x, y, **kwargs).history
    assert sorted(h_ours) == sorted(h_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], atol=HISTORY_ATOL,
                                   err_msg=key)


def test_early_stopping_on_val_auc_matches_keras():
    """mode="auto" on val_auc maximises, as Keras's (AUC._direction = "up"),
    so both stop at the same epoch and restore the same weights."""
    x, y, xv, yv = _data()
    runs = []
    for model in _pair(lambda lib: [lib.metrics.AUC(num_thresholds=50)],
                       optimizer="sgd"):
        lib = keraslite if isinstance(model, keraslite.Model) else _keras()[1]
        early = lib.callbacks.EarlyStopping(monitor="val_auc", patience=1,
                                            restore_best_weights=True)
        history = model.fit(x, y, epochs=12, batch_size=32, shuffle=False,
                            verbose=0, validation_data=(xv, yv),
                            callbacks=[early]).history
        greater = bool(early.monitor_op(np.float32(2.0), np.float32(1.0)))
        runs.append((greater, early.stopped_epoch, history["val_auc"],
                     model.get_weights()))
    (k_greater, k_stop, k_auc, k_w), (o_greater, o_stop, o_auc, o_w) = runs
    assert k_greater is o_greater is True
    assert o_stop == k_stop and 0 < k_stop < 11  # it did stop early
    np.testing.assert_allclose(o_auc, k_auc, atol=HISTORY_ATOL)
    for a, b in zip(o_w, k_w):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_early_stopping_val_auc_with_the_string_auc_fails_in_both():
    """compile(metrics=["AUC"]) logs val_AUC: neither library can tell the
    direction of "val_auc"."""
    x, y, xv, yv = _data()
    errors = []
    for model in _pair(lambda lib: ["AUC"]):
        lib = keraslite if isinstance(model, keraslite.Model) else _keras()[1]
        early = lib.callbacks.EarlyStopping(monitor="val_auc")
        with pytest.raises(ValueError) as info:
            model.fit(x, y, epochs=1, verbose=0, validation_data=(xv, yv),
                      callbacks=[early])
        errors.append(str(info.value))
    assert errors[0] == errors[1]
