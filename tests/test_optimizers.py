"""Optimizer base behaviour: learning-rate forms, state layout, validation."""
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
    ({"use_ema": True}, "use_ema"),
    ({"foo": 1}, "not recognized"),
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
