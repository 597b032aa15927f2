"""`use_ema` and `gradient_accumulation_steps`: the semantics of Keras 3's
keras/src/optimizers/base_optimizer.py, checked on numbers worked out by hand."""
import numpy as np
import pytest

import keraslite
from keraslite import optimizers
from keraslite.layers.layer import Variable
from keraslite.optimizers import schedules


def weight(value=1.0):
    return Variable(np.array([value], "float32"), "w", path="dense/w")


def g(value):
    return [np.array([value], "float32")]


# --- gradient accumulation -------------------------------------------------------------
def test_accumulation_steps_once_every_n_calls_on_the_mean_gradient():
    var = weight(1.0)
    opt = optimizers.SGD(learning_rate=0.1, gradient_accumulation_steps=3)
    seen = []
    for value in (1.0, 2.0, 6.0, 3.0):
        opt.apply(g(value), [var])
        seen.append((float(var.value[0]), opt.iterations,
                     float(opt.variables[2].value[0])))
    # Calls 1-2 only accumulate; call 3 steps on mean(1, 2, 6) = 3 and
    # resets the accumulator; call 4 accumulates again.
    assert seen == [(1.0, 0, 1.0), (1.0, 0, 3.0),
                    (pytest.approx(0.7), 1, 0.0), (pytest.approx(0.7), 1, 3.0)]


@pytest.mark.parametrize("calls, iterations", [(0, 0), (1, 0), (2, 1), (5, 2), (6, 3)])
def test_iterations_counts_steps_and_the_saved_iteration_counts_calls(calls, iterations):
    var = weight()
    opt = optimizers.Adam(gradient_accumulation_steps=2)
    opt.build([var])
    for _ in range(calls):
        opt.apply(g(1.0), [var])
    assert opt.iterations == iterations
    assert int(opt.variables[0].value) == calls  # "iteration", as Keras saves it


def test_accumulation_variables_and_their_names():
    var = weight()
    opt = optimizers.Adam(gradient_accumulation_steps=2, use_ema=True)
    opt.build([var, Variable(np.zeros((2, 2), "float32"), "k", path="dense/k")])
    assert [v.name for v in opt.variables] == [
        "iteration", "learning_rate", "dense_w_average", "dense_k_average",
        "dense_w_gradient_accumulator", "dense_k_gradient_accumulator",
        "dense_w_momentum", "dense_w_velocity", "dense_k_momentum",
        "dense_k_velocity"]


def test_adam_bias_correction_counts_steps_not_calls():
    # One Adam step from a zero state moves the weight by lr (up to epsilon)
    # whatever the gradient, because m_hat / sqrt(v_hat) = g / |g|. Were the
    # bias correction using the calls (t = 2), the move would be
    # lr * sqrt(1 - b2**2) / (1 - b1**2) * (1 - b1) / sqrt(1 - b2) ~ 0.739 lr.
    var = weight(1.0)
    opt = optimizers.Adam(learning_rate=0.1, gradient_accumulation_steps=2)
    opt.apply(g(4.0), [var])
    opt.apply(g(2.0), [var])
    assert float(var.value[0]) == pytest.approx(0.9, abs=1e-6)


def test_schedule_sees_the_calls():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    var = weight(1.0)
    opt = optimizers.SGD(learning_rate=schedule, gradient_accumulation_steps=2,
                         weight_decay=1.0)
    opt.apply(g(2.0), [var])
    assert float(opt.learning_rate) == pytest.approx(0.05)  # at call 1
    opt.apply(g(2.0), [var])
    # The step runs at call 1 with lr 0.05: weight decay w -= w * 1.0 * 0.05
    # (0.95), then SGD w -= 0.05 * mean(2, 2) (0.85).
    assert float(var.value[0]) == pytest.approx(0.85)
    assert opt.iterations == 1 and float(opt.learning_rate) == pytest.approx(0.025)


def test_clipping_applies_to_the_mean_gradient():
    var = weight(0.0)
    opt = optimizers.SGD(learning_rate=1.0, clipvalue=1.5,
                         gradient_accumulation_steps=2)
    opt.apply(g(3.0), [var])  # alone it would be clipped to 1.5
    opt.apply(g(-1.0), [var])
    assert float(var.value[0]) == pytest.approx(-1.0)  # mean 1.0, unclipped


def test_nadam_u_product_moves_only_at_steps():
    var = weight()
    opt = optimizers.Nadam(gradient_accumulation_steps=2)
    opt.apply(g(1.0), [var])
    assert float(opt.u_product) == 1.0
    opt.apply(g(1.0), [var])
    assert float(opt.u_product) == pytest.approx(0.9 * (1 - 0.5 * 0.96))


# --- exponential moving average ---------------------------------------------------------
def test_average_starts_at_the_weight_then_moves_with_ema_momentum():
    var = weight(1.0)
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.9)
    opt.apply(g(1.0), [var])  # w = 0, average = w
    assert float(opt._averages[0][0]) == 0.0
    opt.apply(g(1.0), [var])  # w = -1, average = 0.9 * 0 + 0.1 * -1
    assert float(opt._averages[0][0]) == pytest.approx(-0.1)
    assert float(var.value[0]) == -1.0  # no overwrite without a frequency
    opt.finalize_variable_values([var])
    assert float(var.value[0]) == pytest.approx(-0.1)


def test_overwrite_frequency_counts_steps():
    var = weight(0.0)
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5,
                         ema_overwrite_frequency=3)
    values = []
    for _ in range(4):
        opt.apply(g(-1.0), [var])
        values.append(float(var.value[0]))
    # Steps 1-2: w = 1, 2 (averages 1, 1.5); step 3: w = 3, average 2.25,
    # and the weight becomes the average; step 4: w = 3.25.
    assert values == [1.0, 2.0, 2.25, 3.25]


def test_with_accumulation_the_average_moves_every_call():
    # Keras updates the average at every call, with momentum 0 while
    # `iterations` (the steps) is 0, and overwrites at every call whose
    # `iterations + 1` is a multiple of the frequency.
    var = weight(0.0)
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5,
                         ema_overwrite_frequency=2, gradient_accumulation_steps=2)
    values = []
    for _ in range(4):
        opt.apply(g(-1.0), [var])
        values.append((float(var.value[0]), float(opt._averages[0][0])))
    # calls 1, 2 (steps 0): average = w (0, then 1 after the step)
    # call 3 (steps 1): average = 0.5 * 1 + 0.5 * 1 = 1, overwrite (w = 1)
    # call 4 (steps 1): step to w = 2, average 1.5, overwrite (w = 1.5)
    assert values == [(0.0, 0.0), (1.0, 1.0), (1.0, 1.0), (1.5, 1.5)]


def test_finalize_without_ema_is_a_no_op_and_checks_lengths():
    var = weight(2.0)
    optimizers.Adam().finalize_variable_values([var])
    assert float(var.value[0]) == 2.0
    opt = optimizers.Adam(use_ema=True)
    opt.build([var])
    with pytest.raises(ValueError, match=r"The length of model variables \(2\) "
                       r"to override does not match"):
        opt.finalize_variable_values([var, weight()])


def test_config_round_trip():
    opt = optimizers.RMSprop(use_ema=True, ema_momentum=0.9,
                             ema_overwrite_frequency=4,
                             gradient_accumulation_steps=3)
    config = opt.get_config()
    assert (config["use_ema"], config["ema_momentum"],
            config["ema_overwrite_frequency"],
            config["gradient_accumulation_steps"]) == (True, 0.9, 4, 3)
    assert optimizers.RMSprop.from_config(config).get_config() == config


# --- in fit ------------------------------------------------------------------------------
def _model(optimizer):
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([keraslite.Input((3,)),
                                  keraslite.layers.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return (rng.normal(size=(20, 3)).astype("float32"),
            rng.normal(size=(20, 2)).astype("float32"))


def test_fit_ends_with_the_averages_before_on_train_end():
    x, y = _data()
    model = _model(optimizers.Adam(learning_rate=0.1, use_ema=True))
    seen = {}
    record = keraslite.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.update(epoch=model.get_weights()),
        on_train_end=lambda logs: seen.update(end=model.get_weights()))
    model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0,
              callbacks=[record])
    averages = [a.copy() for a in model.optimizer._averages]
    for w, a in zip(seen["end"], averages):
        np.testing.assert_array_equal(w, a)
    assert not all(np.array_equal(w, a) for w, a in zip(seen["epoch"], averages))
    assert model.optimizer.iterations == 8


def test_fit_with_accumulation_counts_steps():
    x, y = _data()
    model = _model(optimizers.SGD(gradient_accumulation_steps=2))
    model.fit(x, y, batch_size=5, epochs=3, shuffle=False, verbose=0)
    assert model.optimizer.iterations == 6  # 12 batches
    assert int(model.optimizer.variables[0].value) == 12


def test_state_round_trips_through_a_keras_file(tmp_path):
    x, y = _data()
    make = lambda: optimizers.Adam(learning_rate=0.05, use_ema=True,  # noqa: E731
                                   ema_overwrite_frequency=3,
                                   gradient_accumulation_steps=2)
    model = _model(make())
    model.fit(x[:15], y[:15], batch_size=5, epochs=1, shuffle=False, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keraslite.saving.load_model(tmp_path / "m.keras")
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for a, b in zip(loaded.optimizer.get_state(), model.optimizer.get_state()):
        np.testing.assert_array_equal(a, b)
    for m in (model, loaded):
        m.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
