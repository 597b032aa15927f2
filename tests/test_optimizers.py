"""Optimizer base behaviour: learning-rate forms, state layout, validation."""
import math

import numpy as np
import pytest

from keraslite import optimizers
from keraslite.layers.layer import Variable
from keraslite.optimizers import schedules


def variables():
    return [Variable(np.ones((2, 3), "float32"), "kernel", path="dense/kernel"),
            Variable(np.zeros(3, "float32"), "bias", path="dense/bias")]


def test_callable_learning_rate_takes_no_argument():
    opt = optimizers.SGD(learning_rate=lambda: 0.5)
    var = variables()
    opt.apply([np.ones((2, 3), "float32"), np.ones(3, "float32")], var)
    np.testing.assert_allclose(var[0].value, 0.5)


def test_schedule_is_called_with_iterations_and_not_settable():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=schedule)
    assert opt.learning_rate == pytest.approx(0.1)
    var = variables()
    opt.apply([np.ones((2, 3), "float32"), np.ones(3, "float32")], var)
    assert opt.learning_rate == pytest.approx(0.05)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01


def test_state_layout_with_and_without_schedule():
    plain = optimizers.SGD(momentum=0.9)
    plain.build(variables())
    assert [v.name for v in plain.variables][:2] == ["iteration", "learning_rate"]
    scheduled = optimizers.SGD(
        learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9), momentum=0.9
    )
    scheduled.build(variables())
    names = [v.name for v in scheduled.variables]
    assert names == ["iteration", "dense_kernel_momentum", "dense_bias_momentum"]
    state = scheduled.get_state()
    state[0] = np.array(7)
    scheduled.set_state(state)
    assert scheduled.iterations == 7


def test_set_state_is_all_or_nothing():
    opt = optimizers.Adam()
    opt.build(variables())
    state = opt.get_state()
    bad = [s.copy() for s in state]
    bad[0] = np.array(5)
    bad[-1] = np.zeros((4,), "float32")
    with pytest.raises(ValueError, match="shape"):
        opt.set_state(bad)
    assert opt.iterations == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"learning_rate": -1.0}, "learning_rate"),
    ({"clipnorm": 1.0, "clipvalue": 1.0}, "Only one of"),
    ({"loss_scale_factor": 2.0}, "loss_scale_factor"),
    ({"foo": 1}, "not recognized"),
    # Keras's checks and words (keras/src/optimizers/base_optimizer.py).
    ({"use_ema": True, "ema_momentum": 1.5},
     r"^`ema_momentum` must be in the range \[0, 1\]. "
     r"Received: ema_momentum=1.5$"),
    ({"use_ema": True, "ema_momentum": -0.1}, r"ema_momentum=-0.1$"),
    ({"use_ema": True, "ema_overwrite_frequency": 2.0},
     r"^`ema_overwrite_frequency` must be an integer >= 1 or None. "
     r"Received: ema_overwrite_frequency=2.0$"),
    ({"use_ema": True, "ema_overwrite_frequency": -1},
     r"ema_overwrite_frequency=-1$"),
    ({"gradient_accumulation_steps": 1},
     r"^`gradient_accumulation_steps` must be an integer >= 2. "
     r"Received: gradient_accumulation_steps=1$"),
    ({"gradient_accumulation_steps": -3}, r"gradient_accumulation_steps=-3$"),
    ({"gradient_accumulation_steps": True},
     r"gradient_accumulation_steps=True$"),
    # Keras accepts a float here and fails at the first step (TypeError).
    ({"gradient_accumulation_steps": 2.5},
     r"gradient_accumulation_steps=2.5$"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optimizers.SGD(**kwargs)


@pytest.mark.parametrize("make", [
    lambda: optimizers.SGD(momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(momentum=0.5, centered=True),
    lambda: optimizers.RMSprop(),
    lambda: optimizers.Adam(amsgrad=True),
])
def test_blocked_update_equals_whole_update(make, monkeypatch):
    from keraslite.optimizers import optimizer as optimizer_module

    rng = np.random.default_rng(0)
    start = rng.normal(size=(300, 500)).astype("float32")  # > one block
    grads = [rng.normal(size=start.shape).astype("float32") for _ in range(3)]
    results = []
    for block in (1 << 16, 1 << 40):
        monkeypatch.setattr(optimizer_module, "_BLOCK", block)
        var = Variable(start.copy(), "kernel")
        opt = make()
        for grad in grads:
            opt.apply([grad], [var])
        results.append((var.value, [s.copy() for s in opt.get_state()]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)


def test_work_arrays_are_one_block_shared_by_all_variables():
    # Elementwise updates get block-sized work arrays that every variable of
    # a dtype shares (no whole-variable scratch: they stay in the cache); a
    # float64 variable gets its own set, and the numbers are each variable's
    # update alone.
    from keraslite.optimizers.optimizer import _BLOCK

    rng = np.random.default_rng(1)
    values = [rng.normal(size=shape).astype(dtype) for shape, dtype in [
        ((300, 500), "float32"), ((7,), "float32"), ((40, 30), "float64")]]
    grads = [rng.normal(size=v.shape).astype(v.dtype) for v in values]
    together = [Variable(v.copy(), f"w{i}") for i, v in enumerate(values)]
    opt = optimizers.RMSprop(momentum=0.5)
    for _ in range(3):
        opt.apply([g.copy() for g in grads], together)
    assert opt._own_scratch == {}
    sizes = {str(dtype): [len(w) for w in arrays]
             for dtype, arrays in opt._shared_scratch.items()}
    assert sizes == {"float32": [_BLOCK, _BLOCK], "float64": [1200, 1200]}
    for value, grad, var in zip(values, grads, together):
        alone = Variable(value.copy(), "w")
        single = optimizers.RMSprop(momentum=0.5)
        for _ in range(3):
            single.apply([grad.copy()], [alone])
        np.testing.assert_array_equal(var.value, alone.value)


def test_a_strided_gradient_updates_whole_with_its_own_work_arrays():
    from keraslite.optimizers.optimizer import _BLOCK

    rng = np.random.default_rng(2)
    start = rng.normal(size=(300, 500)).astype("float32")  # > one block
    wide = rng.normal(size=(300, 1000)).astype("float32")
    strided, contiguous = wide[:, ::2], np.ascontiguousarray(wide[:, ::2])
    results = []
    for grad in (strided, contiguous):
        var = Variable(start.copy(), "kernel")
        opt = optimizers.Adam()
        opt.apply([grad], [var])
        results.append(var.value)
        own = {i: [w.shape for w in arrays] for i, arrays in opt._own_scratch.items()}
        assert own == ({0: [(300, 500)] * 2} if grad is strided else {})
    assert start.size > _BLOCK
    np.testing.assert_array_equal(results[0], results[1])


# --- the optimizers of issue 14 ----------------------------------------------------
# Hand-written references on one weight, in plain Python floats, from the update
# rules of Keras 3's keras/src/optimizers/<name>.py.
def _adadelta(w, grads, lr, rho=0.95, eps=1e-7):
    ag = ad = 0.0
    for g in grads:
        ag = rho * ag + (1 - rho) * g * g
        d = -math.sqrt(ad + eps) * g / math.sqrt(ag + eps)
        ad = rho * ad + (1 - rho) * d * d
        w += lr * d
    return w


def _adagrad(w, grads, lr, init=0.1, eps=1e-7):
    acc = init
    for g in grads:
        acc += g * g
        w -= lr * g / math.sqrt(acc + eps)
    return w


def _adamax(w, grads, lr, b1=0.9, b2=0.999, eps=1e-7):
    m = u = 0.0
    for t, g in enumerate(grads, 1):
        m += (g - m) * (1 - b1)
        u = max(b2 * u, abs(g))
        w -= lr * m / ((1 - b1 ** t) * (u + eps))
    return w


def _nadam(w, grads, lr, b1=0.9, b2=0.999, eps=1e-7):
    m = v = 0.0
    u_product = 1.0
    for t, g in enumerate(grads, 1):
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - b2 ** t)
        w -= lr * m_hat / (math.sqrt(v_hat) + eps)
    return w


def _adamw(w, grads, lr, wd=0.004, b1=0.9, b2=0.999, eps=1e-7):
    m = v = 0.0
    for t, g in enumerate(grads, 1):
        w -= w * wd * lr
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w -= m * alpha / (math.sqrt(v) + eps)
    return w


def _ftrl(w, grads, lr, power=-0.5, init=0.1):
    accum, linear = init, 0.0
    for g in grads:
        new_accum = accum + g * g
        linear += g - (new_accum ** -power - accum ** -power) / lr * w
        w = -linear / (new_accum ** -power / lr)  # l1 = l2 = 0
        accum = new_accum
    return w


def _lion(w, grads, lr, b1=0.9, b2=0.99):
    m = 0.0
    for g in grads:
        w -= lr * math.copysign(1.0, b1 * m + (1 - b1) * g)
        m = b2 * m + (1 - b2) * g
    return w


def _lamb(w, grads, lr, b1=0.9, b2=0.999, eps=1e-7):
    m = v = 0.0
    for t, g in enumerate(grads, 1):
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        update = (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
        w -= abs(w) / abs(update) * lr * update  # ratio = |w| / |update|
    return w


def _adafactor(w, grads, lr, decay=-0.8, eps1=1e-30, eps2=1e-3, clip=1.0):
    v = 0.0
    for t, g in enumerate(grads, 1):
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(eps2, abs(w)) * rho
        beta = 1 - t ** decay
        v = beta * v + (1 - beta) * (g * g + eps1)
        u = g / math.sqrt(v)
        w -= alpha * u / max(1.0, abs(u) / clip)
    return w


HAND_STEPS = [
    ("Adadelta", _adadelta), ("Adagrad", _adagrad), ("Adamax", _adamax),
    ("Nadam", _nadam), ("AdamW", _adamw), ("Ftrl", _ftrl), ("Lion", _lion),
    ("Lamb", _lamb), ("Adafactor", _adafactor),
]


@pytest.mark.parametrize("cls, reference", HAND_STEPS,
                         ids=[c for c, _ in HAND_STEPS])
def test_three_steps_match_the_update_rule(cls, reference):
    grads = [0.5, -1.0, 2.0]
    var = Variable(np.array([0.7], "float32"), "w")
    opt = getattr(optimizers, cls)(learning_rate=0.1)
    for g in grads:
        opt.apply([np.array([g], "float32")], [var])
    assert var.value.dtype == np.float32
    assert opt.iterations == 3
    np.testing.assert_allclose(var.value[0], reference(0.7, grads, 0.1),
                               rtol=1e-5)


def test_adafactor_factors_the_last_two_axes():
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(2, 3, 4)).astype("float32")
    g = rng.normal(size=w0.shape).astype("float32")
    var = Variable(w0.copy(), "kernel", path="dense/kernel")
    opt = optimizers.Adafactor(learning_rate=0.1)
    opt.apply([g], [var])
    names = [(v.name, v.shape, v.dtype) for v in opt.variables[2:]]
    assert names == [("kernel", (2, 3), "float32"), ("kernel", (2, 4), "float32"),
                     ("dense_kernel_velocity", (2, 3, 4), "float32")]
    # Step 1: beta_2_t = 0, so r, c are the means of g**2 + epsilon_1.
    g2 = g.astype("float64") ** 2 + 1e-30
    r, c = g2.mean(-1), g2.mean(-2)
    v = (r / r.mean(-1, keepdims=True))[..., None] * c[..., None, :]
    u = g / np.sqrt(v)
    u /= max(1.0, np.sqrt(np.mean(u ** 2)))
    alpha = max(1e-3, np.sqrt(np.mean(w0.astype("float64") ** 2))) * 0.1
    np.testing.assert_allclose(var.value, w0 - alpha * u, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(opt.variables[4].value, v, rtol=1e-5)


def test_adafactor_small_variables_get_int32_placeholders():
    opt = optimizers.Adafactor()
    opt.build([Variable(np.zeros(3, "float32"), "bias", path="dense/bias")])
    assert [(v.name, v.shape, v.dtype) for v in opt.variables[2:]] == [
        ("bias", (), "int32"), ("bias", (), "int32"),
        ("dense_bias_velocity", (3,), "float32")]


def test_nadam_saves_u_product_after_the_slots():
    opt = optimizers.Nadam()
    var = variables()
    opt.apply([np.ones((2, 3), "float32"), np.ones(3, "float32")], var)
    last = opt.variables[-1]
    assert last.name.startswith("variable") and last.shape == ()
    np.testing.assert_allclose(last.value, 0.9 * (1 - 0.5 * 0.96), rtol=1e-6)
    state = opt.get_state()
    fresh = optimizers.Nadam()
    fresh.build(variables())
    fresh.set_state(state)
    for a, b in zip(fresh.get_state(), state):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls, names", [
    ("Adadelta", ["accumulated_grad", "accumulated_delta_var"]),
    ("Adagrad", ["accumulator"]),
    ("Adamax", ["momentum", "norm"]),
    ("AdamW", ["momentum", "velocity"]),
    ("Ftrl", ["accumulator", "linear"]),
    ("Lion", ["momentum"]),
    ("Lamb", ["momentum", "velocity"]),
])
def test_slot_names_interleave_per_variable_as_keras(cls, names):
    opt = getattr(optimizers, cls)()
    opt.build(variables())
    expected = ["iteration", "learning_rate"] + [
        f"dense_{w}_{n}" for w in ("kernel", "bias") for n in names]
    assert [v.name for v in opt.variables] == expected


def test_initial_accumulator_values():
    for opt in (optimizers.Adagrad(initial_accumulator_value=0.3),
                optimizers.Ftrl(initial_accumulator_value=0.3)):
        opt.build(variables())
        np.testing.assert_allclose(opt.variables[2].value, 0.3)


@pytest.mark.parametrize("name, cls", [
    ("adadelta", "Adadelta"), ("adagrad", "Adagrad"), ("adamax", "Adamax"),
    ("nadam", "Nadam"), ("adamw", "AdamW"), ("ftrl", "Ftrl"), ("lion", "Lion"),
    ("adafactor", "Adafactor"), ("AdamW", "AdamW"), ("Lamb", "Lamb"),
])
def test_string_names_and_config_round_trip(name, cls):
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls
    config = optimizers.serialize(opt)
    assert config["class_name"] == cls
    rebuilt = optimizers.deserialize(config)
    assert type(rebuilt) is type(opt)
    assert rebuilt.get_config() == opt.get_config()


def test_lamb_has_no_string_name_as_in_keras():
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        optimizers.get("lamb")


@pytest.mark.parametrize("cls, kwargs, match", [
    ("AdamW", {"weight_decay": None}, "weight_decay=None"),
    ("Lion", {"beta_1": 0.0}, "beta_1=0.0"),
    ("Lion", {"beta_1": 1.5}, "beta_1=1.5"),
    ("Ftrl", {"learning_rate_power": 0.5}, "learning_rate_power=0.5"),
    ("Ftrl", {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    ("Ftrl", {"l1_regularization_strength": -1.0}, "l1_regularization"),
    ("Ftrl", {"l2_regularization_strength": -1.0}, "l2_regularization"),
    ("Ftrl", {"l2_shrinkage_regularization_strength": -1.0}, "l2_shrinkage"),
    ("Adafactor", {"beta_1": 0.9}, "not recognized"),
    ("Nadam", {"clipnorm": 1.0, "global_clipnorm": 1.0}, "Only one of"),
])
def test_new_optimizers_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(optimizers, cls)(**kwargs)


def test_exclude_from_weight_decay_by_name_and_by_variable():
    grads = [np.zeros((2, 3), "float32"), np.zeros(3, "float32")]
    var = variables()
    var[1].value[...] = 1.0
    opt = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply(grads, var)
    np.testing.assert_allclose(var[0].value, 0.95)  # 1 - 1 * 0.5 * 0.1
    np.testing.assert_allclose(var[1].value, 1.0)
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[var[0]])
    opt.apply(grads, var)
    np.testing.assert_allclose(var[0].value, 0.95)
    np.testing.assert_allclose(var[1].value, 0.95)


@pytest.mark.parametrize("cls", ["Adadelta", "Adagrad", "Adamax", "Nadam",
                                 "AdamW", "Ftrl", "Lion"])
def test_blocked_update_equals_whole_update_new(cls, monkeypatch):
    test_blocked_update_equals_whole_update(getattr(optimizers, cls),
                                            monkeypatch)


@pytest.mark.parametrize("cls", ["Lamb", "Adafactor"])
def test_norm_based_updates_are_not_blocked(cls, monkeypatch):
    from keraslite.optimizers import optimizer as optimizer_module

    monkeypatch.setattr(optimizer_module, "_BLOCK", 4)
    calls = []
    opt = getattr(optimizers, cls)()
    original = opt.update_step
    monkeypatch.setattr(opt, "update_step",
                        lambda *a: calls.append(a[1].shape) or original(*a))
    var = Variable(np.ones((5, 6), "float32"), "kernel")
    opt.apply([np.ones((5, 6), "float32")], [var])
    assert calls == [(5, 6)]
