"""Learning rate schedules: Keras's own golden values, configs, and use by optimizers.

The expected values are the closed forms of Keras's
`optimizers/schedules/learning_rate_schedule_test.py` (float64 maths); the
schedules compute in float32, hence the 1e-6 tolerances Keras uses too.
"""
import math

import numpy as np
import pytest

import keraslite
from keraslite.optimizers import schedules


def close(actual, expected, tol=1e-6):
    np.testing.assert_allclose(float(actual), expected, rtol=tol, atol=tol)


# --- closed forms, as in Keras's tests --------------------------------------------
def np_cosine_decay(step, decay_steps, alpha=0.0):
    step = min(step, decay_steps)
    completed_fraction = step / decay_steps
    decay = 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
    return (1.0 - alpha) * decay + alpha


def np_cosine_decay_restarts(step, decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    fac = 1.0
    while step >= decay_steps:
        step -= decay_steps
        decay_steps *= t_mul
        fac *= m_mul
    completed_fraction = step / decay_steps
    decay = fac * 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
    return (1.0 - alpha) * decay + alpha


def polynomial(step, lr, end_lr, decay_steps, power, cycle):
    if cycle:
        decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (lr - end_lr) * (1 - step / decay_steps) ** power + end_lr


def test_exponential_decay_continuous_and_staircase():
    close(schedules.ExponentialDecay(0.05, 10, 0.96)(5), 0.05 * 0.96 ** 0.5)
    stair = schedules.ExponentialDecay(0.1, 3, 0.96, staircase=True)
    close(stair(0), 0.1)
    close(stair(1), 0.1)
    close(stair(100), 0.1 * 0.96 ** (100 // 3))
    for step in range(0, 2000, 37):
        close(schedules.ExponentialDecay(0.1, 100, 0.9)(step),
              0.1 * 0.9 ** (step / 100))


@pytest.mark.parametrize("step, expected", [
    (-999.0, 1.0), (100, 1.0), (105, 0.1), (110, 0.1), (120, 0.01), (999, 0.001),
])
def test_piecewise_constant_values(step, expected):
    decayed_lr = schedules.PiecewiseConstantDecay([100, 110, 120],
                                                  [1.0, 0.1, 0.01, 0.001])
    close(decayed_lr(step), expected)


def test_piecewise_constant_boundaries_take_the_step_dtype():
    decayed_lr = schedules.PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7])
    values = [float(decayed_lr(np.int64(step))) for step in range(5)]
    np.testing.assert_allclose(values, [0.4, 0.4, 0.5, 0.6, 0.7], rtol=1e-6)
    # Float boundaries are truncated for an integer step, as Keras casts them.
    truncated = schedules.PiecewiseConstantDecay([1.5], [1.0, 2.0])
    assert float(truncated(1)) == 1.0 and float(truncated(2)) == 2.0
    assert float(truncated(1.6)) == 2.0


def test_piecewise_constant_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="length of boundaries should be 1 less"):
        schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5])


@pytest.mark.parametrize("power", [1.0, 0.5])
@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_decay(power, cycle):
    lr, end_lr, decay_steps = 0.05, 0.001, 10
    schedule = schedules.PolynomialDecay(lr, decay_steps, end_lr, power=power,
                                         cycle=cycle)
    for step in [0, 1, 5, 9, 10, 11, 15, 20, 21, 35]:
        close(schedule(step), polynomial(step, lr, end_lr, decay_steps, power, cycle))
    # Keras's cases: halfway, end, beyond end, beyond end with cycle.
    close(schedules.PolynomialDecay(0.1, 10, 0.0)(5), 0.05)
    close(schedules.PolynomialDecay(0.1, 10, 0.001)(15), 0.001)
    close(schedules.PolynomialDecay(0.05, 10, 0.001, cycle=True)(15),
          (0.05 - 0.001) * 0.25 + 0.001)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    initial_lr, k, decay_rate = 0.1, 10, 0.96
    schedule = schedules.InverseTimeDecay(initial_lr, k, decay_rate, staircase=staircase)
    for i in range(k + 1):
        p = i // k if staircase else i / k
        close(schedule(i), initial_lr / (1 + decay_rate * p))


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay(alpha):
    for step in range(0, 1500, 250):
        close(schedules.CosineDecay(1.0, 1000, alpha)(step),
              np_cosine_decay(step, 1000, alpha))


def test_cosine_decay_warmup_then_decay():
    warmup_steps, decay_steps, target_lr = 2000, 1000, 10.0
    lr = schedules.CosineDecay(0.0, decay_steps, warmup_target=target_lr,
                               warmup_steps=warmup_steps)
    for step in range(0, 3500, 250):
        if step < warmup_steps + 1:
            expected = step / warmup_steps * target_lr
        else:
            expected = target_lr * np_cosine_decay(step - warmup_steps, decay_steps)
        close(lr(step), expected, tol=1e-5)
    # The warmup starts from initial_learning_rate, not from zero.
    warm = schedules.CosineDecay(0.01, 10, warmup_target=0.1, warmup_steps=4)
    close(warm(2), 0.01 + 0.5 * (0.1 - 0.01))


@pytest.mark.parametrize("kwargs", [
    {}, {"alpha": 0.1}, {"m_mul": 0.9}, {"t_mul": 1.0}, {"t_mul": 3.0, "m_mul": 0.5},
])
def test_cosine_decay_restarts(kwargs):
    schedule = schedules.CosineDecayRestarts(1.0, 1000, **kwargs)
    for step in range(0, 8000, 250):
        close(schedule(step), np_cosine_decay_restarts(step, 1000, **kwargs), tol=2e-6)


@pytest.mark.parametrize("cls, kwargs", [
    (schedules.ExponentialDecay, {"initial_learning_rate": 0.05, "decay_steps": 10,
                                  "decay_rate": 0.9, "staircase": True, "name": "my_ed"}),
    (schedules.PiecewiseConstantDecay, {"boundaries": [10, 20], "values": [1, 2, 3],
                                        "name": "my_pcd"}),
    (schedules.PolynomialDecay, {"initial_learning_rate": 0.05, "decay_steps": 10,
                                 "end_learning_rate": 0.01, "power": 0.5, "cycle": True,
                                 "name": "my_pd"}),
    (schedules.InverseTimeDecay, {"initial_learning_rate": 0.05, "decay_steps": 10,
                                  "decay_rate": 0.96, "staircase": True, "name": "my_itd"}),
    (schedules.CosineDecay, {"initial_learning_rate": 0.05, "decay_steps": 10,
                             "alpha": 0.1, "warmup_target": 0.2, "warmup_steps": 2,
                             "name": "my_cd"}),
    (schedules.CosineDecayRestarts, {"initial_learning_rate": 0.05,
                                     "first_decay_steps": 10, "alpha": 0.1,
                                     "t_mul": 3.0, "m_mul": 4.0, "name": "my_cdr"}),
])
def test_config_round_trip(cls, kwargs):
    schedule = cls(**kwargs)
    assert schedule.get_config() == kwargs
    config = schedules.serialize(schedule)
    assert config == {"module": "keras.optimizers.schedules",
                      "class_name": cls.__name__, "config": kwargs,
                      "registered_name": None}
    rebuilt = schedules.deserialize(config)
    assert type(rebuilt) is cls and rebuilt.get_config() == kwargs
    for step in (0, 3, 11, 40):
        assert float(rebuilt(step)) == float(schedule(step))


@pytest.mark.parametrize("cls, kwargs, name", [
    (schedules.ExponentialDecay, {"decay_rate": 0.9}, "decay_steps"),
    (schedules.PolynomialDecay, {}, "decay_steps"),
    (schedules.InverseTimeDecay, {"decay_rate": 0.9}, "decay_steps"),
    (schedules.CosineDecay, {}, "decay_steps"),
    (schedules.CosineDecayRestarts, {}, "first_decay_steps"),
])
def test_non_positive_decay_steps_are_rejected(cls, kwargs, name):
    with pytest.raises(ValueError, match=f"Argument `{name}` must be > 0. Received: {name}=0"):
        cls(0.1, 0, **kwargs)


def test_deserialize_errors_name_the_valid_schedules():
    with pytest.raises(ValueError, match="Could not interpret decay identifier.*ExponentialDecay"):
        schedules.deserialize({"class_name": "NoSuchDecay", "config": {}})


def test_custom_schedule_subclass():
    class MyLRSchedule(schedules.LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return self.initial_learning_rate / (step + 1)

        def get_config(self):
            return {"initial_learning_rate": self.initial_learning_rate}

    schedule = MyLRSchedule(0.1)
    close(schedule(4), 0.02)
    rebuilt = schedules.deserialize(schedules.serialize(schedule),
                                    custom_objects={"MyLRSchedule": MyLRSchedule})
    close(rebuilt(1), 0.05)
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        schedules.LearningRateSchedule()(0)


@pytest.mark.parametrize("optimizer_cls", [keraslite.optimizers.SGD,
                                           keraslite.optimizers.RMSprop,
                                           keraslite.optimizers.Adam])
def test_optimizer_evaluates_the_schedule_at_its_iterations(optimizer_cls):
    schedule = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    optimizer = optimizer_cls(learning_rate=schedule)
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    x = np.ones((4, 3), "float32")
    y = np.zeros((4, 1), "float32")
    seen = []
    model.fit(x, y, batch_size=1, epochs=2, shuffle=False, verbose=0,
              callbacks=[keraslite.callbacks.LambdaCallback(
                  on_train_batch_begin=lambda batch, logs: seen.append(
                      (optimizer.iterations, float(optimizer.learning_rate))))])
    assert [it for it, _ in seen] == list(range(8))
    np.testing.assert_allclose([lr for _, lr in seen],
                               [0.1 * 0.5 ** (i / 2) for i in range(8)], rtol=1e-6)
    config = optimizer.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    rebuilt = optimizer_cls.from_config(config)
    assert isinstance(rebuilt._learning_rate, schedules.ExponentialDecay)
    assert rebuilt._learning_rate.get_config() == schedule.get_config()


def test_sgd_step_uses_the_scheduled_rate():
    # One weight, gradient 2*w for loss w**2 (x=1, y=0, no bias): with
    # lr(t) the update is w <- w - lr(t) * 2 * w.
    schedule = schedules.PiecewiseConstantDecay([1], [0.25, 0.125])
    model = keraslite.Sequential([keraslite.Input((1,)),
                                  keraslite.layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keraslite.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.set_weights([np.array([[1.0]], "float32")])
    x, y = np.ones((1, 1), "float32"), np.zeros((1, 1), "float32")
    w = 1.0
    for step in range(4):
        model.train_on_batch(x, y)
        w -= (0.25 if step <= 1 else 0.125) * 2 * w
        np.testing.assert_allclose(model.get_weights()[0][0, 0], w, rtol=1e-6)
