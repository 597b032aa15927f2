"""Callbacks and learning rate schedules side by side with real Keras.

Twin models (same architecture, same initial weights, SGD, shuffle=False)
are trained by Keras and by keraslite with the same callbacks. For the
decision logic the monitored quantity is scripted (a first callback sets
`logs[monitor]` from a fixed sequence in both runs), so both frameworks see
exactly the same History and must act at the same epochs, with the same
learning rates, files and messages. A real overfitting run checks
EarlyStopping on computed validation losses.
"""
import os

import numpy as np
import pytest

import keras

import keraslite
from keraslite.optimizers import schedules as kl_schedules

K_SCHEDULES = keras.optimizers.schedules


# --- twins --------------------------------------------------------------------------------
def initial_weights(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=(4, 6)).astype("float32"),
            np.zeros(6, "float32"),
            rng.normal(scale=0.5, size=(6, 1)).astype("float32"),
            np.zeros(1, "float32")]


def twins(lr=0.05, metrics=("accuracy",)):
    k_model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"),
                                keras.layers.Dense(1, activation="sigmoid")])
    k_model.compile(optimizer=keras.optimizers.SGD(lr), loss="binary_crossentropy",
                    metrics=list(metrics), run_eagerly=True)
    l_model = keraslite.Sequential([keraslite.Input((4,)),
                                    keraslite.layers.Dense(6, activation="relu"),
                                    keraslite.layers.Dense(1, activation="sigmoid")])
    l_model.compile(optimizer=keraslite.optimizers.SGD(lr), loss="binary_crossentropy",
                    metrics=list(metrics))
    k_model.set_weights(initial_weights())
    l_model.set_weights(initial_weights())
    return k_model, l_model


def data(n=32, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    return x, (x.sum(axis=1) > 2).astype("float32").reshape(-1, 1)


def scripted(base, key, values):
    class Scripted(base):
        def on_epoch_end(self, epoch, logs=None):
            logs[key] = values[epoch]

    return Scripted()


def recorder(base):
    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.lrs, self.weights = [], []

        def on_epoch_end(self, epoch, logs=None):
            self.lrs.append(float(np.asarray(self.model.optimizer.learning_rate)))
            self.weights.append([np.asarray(w) for w in self.model.get_weights()])

    return Recorder()


def run_both(make_callback, key, values, capsys, validation=False, **fit_kwargs):
    """Fits both twins with [scripted, callback, recorder]; returns both results.

    One batch per epoch and no validation data keep Keras's eager steps few:
    the monitored quantity is scripted anyway.
    """
    results = []
    for lib, model in zip((keras, keraslite), twins()):
        callback = make_callback(lib)
        rec = recorder(lib.callbacks.Callback)
        x, y = data()
        capsys.readouterr()
        history = model.fit(x, y, batch_size=32, epochs=len(values), verbose=0, shuffle=False,
                            validation_data=data(16, seed=2) if validation else None,
                            callbacks=[scripted(lib.callbacks.Callback, key, values),
                                       callback, rec], **fit_kwargs)
        results.append({"history": history.history, "epochs": len(history.epoch),
                         "callback": callback, "lrs": rec.lrs, "model": model,
                         "weights": rec.weights, "out": capsys.readouterr().out})
    return results


def assert_same_weights(k_weights, l_weights, atol=1e-6):
    for kw, lw in zip(k_weights, l_weights):
        np.testing.assert_allclose(lw, np.asarray(kw), rtol=1e-5, atol=atol)


# --- EarlyStopping ---------------------------------------------------------------------------
EARLY_CASES = [
    ([1.0, 0.9, 0.95, 0.96, 0.8, 0.7], {"patience": 2}),
    ([1.0, 0.9, 0.95, 0.8], {"patience": 0}),
    ([1.0, 0.9, 0.85, 0.5, 0.4], {"patience": 2, "min_delta": 0.2}),
    ([1.0, 0.9, 0.95, 0.96], {"patience": 2, "baseline": 0.5}),
    ([1.0, 0.4, 0.45, 0.46, 0.47], {"patience": 2, "baseline": 0.5}),
    ([1.0, 2.0, 3.0, 2.5, 4.0, 1.0], {"patience": 0, "start_from_epoch": 2}),
    ([1.0, 1.0, 1.0], {"patience": 1}),
    ([1.0, 1.0 - 1e-9, 0.5], {"patience": 0}),  # a float32 tie
    ([0.5, 0.6, 0.55, 0.7], {"patience": 1, "mode": "max"}),
    ([0.5, 0.6, 0.55, 0.7], {"patience": 1, "monitor": "val_accuracy"}),
]


@pytest.mark.parametrize("values, kwargs", EARLY_CASES)
def test_early_stopping_same_epochs_and_restored_weights(values, kwargs, capsys):
    kwargs = dict(kwargs)
    monitor = kwargs.pop("monitor", "val_loss")
    k, l = run_both(
        lambda lib: lib.callbacks.EarlyStopping(monitor=monitor, verbose=1,
                                                restore_best_weights=True, **kwargs),
        monitor, values, capsys)
    assert l["epochs"] == k["epochs"]
    assert l["callback"].stopped_epoch == k["callback"].stopped_epoch
    assert l["callback"].best_epoch == k["callback"].best_epoch
    assert l["out"] == k["out"]
    assert_same_weights(k["model"].get_weights(), l["model"].get_weights())
    np.testing.assert_allclose(l["history"]["loss"], k["history"]["loss"], rtol=1e-5)


def test_early_stopping_on_computed_validation_loss():
    # Fit noise: the validation loss falls, then rises as the model overfits.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(24, 4)).astype("float32"), rng.normal(size=(24, 1)).astype("float32")
    val = (rng.normal(size=(24, 4)).astype("float32"), rng.normal(size=(24, 1)).astype("float32"))
    w = [rng.normal(scale=0.5, size=(4, 32)).astype("float32"), np.zeros(32, "float32"),
         rng.normal(scale=0.2, size=(32, 1)).astype("float32"), np.zeros(1, "float32")]
    runs = []
    for lib in (keras, keraslite):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(32, activation="relu"),
                                lib.layers.Dense(1)])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        model.set_weights(w)
        early = lib.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        history = model.fit(x, y, epochs=300, batch_size=24, shuffle=False, verbose=0,
                            validation_data=val, callbacks=[early])
        runs.append((history.history["val_loss"], early, model))
    (k_val, k_early, k_model), (l_val, l_early, l_model) = runs
    assert len(k_val) < 300  # the setup does overfit
    assert len(l_val) == len(k_val)
    assert (l_early.stopped_epoch, l_early.best_epoch) == (k_early.stopped_epoch,
                                                           k_early.best_epoch)
    np.testing.assert_allclose(l_val, k_val, rtol=1e-4)
    assert_same_weights(k_model.get_weights(), l_model.get_weights(), atol=1e-5)


# --- ReduceLROnPlateau ------------------------------------------------------------------------
@pytest.mark.parametrize("values, kwargs", [
    ([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5], {"factor": 0.5, "patience": 1, "cooldown": 2}),
    ([1.0, 0.95, 0.9, 0.89, 0.88], {"factor": 0.1, "patience": 1, "min_lr": 0.004,
                                    "min_delta": 0.1}),
    ([1.0, 2.0, 3.0, 0.5, 0.6, 0.7, 0.8], {"factor": 0.2, "patience": 2}),
    ([0.5, 0.4, 0.3, 0.6], {"factor": 0.5, "patience": 0, "mode": "max"}),
])
def test_reduce_lr_on_plateau_same_epochs_and_rates(values, kwargs, capsys):
    k, l = run_both(lambda lib: lib.callbacks.ReduceLROnPlateau(verbose=1, **kwargs),
                    "val_loss", values, capsys)
    assert l["out"] == k["out"] and "ReduceLROnPlateau reducing" in k["out"]
    np.testing.assert_array_equal(np.float32(l["lrs"]), np.float32(k["lrs"]))
    np.testing.assert_array_equal(l["history"]["learning_rate"], k["history"]["learning_rate"])
    assert_same_weights(k["weights"][-1], l["weights"][-1])


# --- LearningRateScheduler ------------------------------------------------------------------------
@pytest.mark.parametrize("schedule", [
    lambda epoch, lr: lr if epoch < 2 else lr * float(np.exp(-0.1)),
    lambda epoch: 0.1 / (epoch + 1),
])
def test_learning_rate_scheduler_same_rates(schedule, capsys):
    k, l = run_both(lambda lib: lib.callbacks.LearningRateScheduler(schedule, verbose=1),
                    "unused", [0.0] * 5, capsys)
    assert l["out"] == k["out"] and "LearningRateScheduler setting" in k["out"]
    np.testing.assert_array_equal(l["history"]["learning_rate"], k["history"]["learning_rate"])
    assert_same_weights(k["weights"][-1], l["weights"][-1])


# --- ModelCheckpoint ------------------------------------------------------------------------------
@pytest.mark.parametrize("template, kwargs, values", [
    ("weights.{epoch:02d}-{val_loss:.2f}.weights.h5", {"save_weights_only": True},
     [0.5, 0.4567, 0.7]),
    ("best.{epoch:02d}.weights.h5", {"save_weights_only": True, "save_best_only": True},
     [0.5, 0.6, 0.4, 0.4, 0.3]),
    ("model-{epoch}.keras", {"save_best_only": True, "mode": "max"}, [0.5, 0.6, 0.4, 0.7]),
    ("model.keras", {"save_best_only": True, "initial_value_threshold": 0.45},
     [0.5, 0.4, 0.42, 0.3]),
    ("m-{epoch}-{loss:.3f}.h5", {}, [0.5, 0.4]),
])
def test_model_checkpoint_same_files(tmp_path, template, kwargs, values, capsys):
    def make(lib):
        folder = tmp_path / lib.__name__
        return lib.callbacks.ModelCheckpoint(str(folder / "ckpt" / template), verbose=1, **kwargs)

    k, l = run_both(make, "val_loss", values, capsys)
    k_files = sorted(os.listdir(tmp_path / "keras" / "ckpt"))
    l_files = sorted(os.listdir(tmp_path / "keraslite" / "ckpt"))
    assert l_files == k_files and l_files
    k_out = k["out"].replace(str(tmp_path / "keras"), "<dir>")
    assert l["out"].replace(str(tmp_path / "keraslite"), "<dir>") == k_out


def test_checkpointed_weights_load_into_keras(tmp_path):
    k_model, l_model = twins()
    path = str(tmp_path / "w.{epoch}.weights.h5")
    rec = recorder(keraslite.callbacks.Callback)
    l_model.fit(*data(), epochs=2, batch_size=8, verbose=0, shuffle=False,
                callbacks=[keraslite.callbacks.ModelCheckpoint(path, save_weights_only=True),
                           rec])
    k_model.load_weights(str(tmp_path / "w.1.weights.h5"))
    assert_same_weights(k_model.get_weights(), rec.weights[0], atol=0)


# --- hooks ------------------------------------------------------------------------------------
def tracer(base):
    class Tracer(base):
        def __init__(self):
            super().__init__()
            self.trace = []

    hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end"]
    for name in hooks:
        def hook(self, *args, _name=name, **kwargs):
            logs = kwargs.get("logs", args[-1] if args and isinstance(args[-1], dict) else None)
            index = tuple(a for a in args if isinstance(a, int))
            self.trace.append((_name,) + index + (sorted(logs or {}),))
        setattr(Tracer, name, hook)
    return Tracer()


def test_hook_order_and_log_keys_match_keras():
    traces = []
    for lib, model in zip((keras, keraslite), twins()):
        t = tracer(lib.callbacks.Callback)
        model.fit(*data(16), batch_size=8, epochs=2, verbose=0, shuffle=False,
                  validation_data=data(8, seed=2), callbacks=[t])
        traces.append(t.trace)
    assert traces[1] == traces[0]


# --- schedules -------------------------------------------------------------------------------------
SCHEDULE_CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.96)),
    ("ExponentialDecay", dict(initial_learning_rate=0.05, decay_steps=7, decay_rate=0.5,
                              staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[100, 250, 1000], values=[1.0, 0.5, 0.1, 0.01])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=1000)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=300, end_learning_rate=0.01,
                             power=0.5, cycle=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=50, decay_rate=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=50, decay_rate=0.5,
                              staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=1000)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=1000, alpha=0.05)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=1000, warmup_target=0.1,
                         warmup_steps=300)),
    ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=500, alpha=0.1,
                         warmup_target=0.2, warmup_steps=100)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=100)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=100, t_mul=1.0,
                                 m_mul=0.8, alpha=0.05)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=64, t_mul=3.0,
                                 m_mul=0.5)),
]
STEPS = list(range(0, 3001, 7)) + [99, 100, 101, 250, 251, 299, 300, 301, 1000, 1001, 1300,
                                   4000, 20000]


@pytest.mark.parametrize("name, kwargs", SCHEDULE_CASES)
def test_schedule_values_match_keras(name, kwargs):
    k_schedule = getattr(K_SCHEDULES, name)(**kwargs)
    l_schedule = getattr(kl_schedules, name)(**kwargs)
    steps = keras.ops.convert_to_tensor(np.array(STEPS, dtype="int64"))
    expected = [float(keras.ops.convert_to_numpy(k_schedule(steps[i])))
                for i in range(len(STEPS))]
    actual = [float(l_schedule(np.int64(s))) for s in STEPS]
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9)
    assert kl_schedules.serialize(l_schedule) == K_SCHEDULES.serialize(k_schedule)


def test_keras_schedule_config_loads_in_keraslite_and_back():
    k_schedule = K_SCHEDULES.CosineDecay(0.0, 100, alpha=0.1, warmup_target=0.1, warmup_steps=10)
    config = K_SCHEDULES.serialize(k_schedule)
    l_schedule = kl_schedules.deserialize(config)
    assert isinstance(l_schedule, kl_schedules.CosineDecay)
    back = K_SCHEDULES.deserialize(kl_schedules.serialize(l_schedule))
    assert back.get_config() == k_schedule.get_config()
    k_opt = keras.optimizers.Adam(learning_rate=k_schedule)
    l_opt = keraslite.optimizers.Adam.from_config(k_opt.get_config())
    assert l_opt.get_config()["learning_rate"] == k_opt.get_config()["learning_rate"]


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop"])
def test_training_with_a_schedule_matches_keras(optimizer):
    schedule = dict(initial_learning_rate=0.05, decay_steps=3, decay_rate=0.5)
    x, y = data()
    weights = []
    for lib, model in zip((keras, keraslite), twins()):
        opt = getattr(lib.optimizers, optimizer)(
            learning_rate=lib.optimizers.schedules.ExponentialDecay(**schedule))
        model.compile(optimizer=opt, loss="binary_crossentropy")
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        assert int(np.asarray(opt.iterations)) == 12
        weights.append(model.get_weights())
    assert_same_weights(weights[0], weights[1], atol=1e-6)
