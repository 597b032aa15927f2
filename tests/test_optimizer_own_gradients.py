"""The training step's gradients may be overwritten by the update
(`Optimizer._apply_own_gradients`): the numbers stay those of `apply`."""
import numpy as np
import pytest

from keraslite import optimizers
from keraslite.layers.layer import Variable
from keraslite.optimizers.optimizer import _BLOCK, _disjoint

CONFIGS = [
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.9}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("SGD", {"momentum": 0.9}),
]
# A matrix larger than one update block, a vector, a scalar-sized weight.
SHAPES = [(3, _BLOCK // 2 + 7), (13,), (1,)]


def _run(name, kwargs, own, steps=4, seed=0):
    rng = np.random.default_rng(seed)
    variables = [Variable(rng.standard_normal(s).astype("float32"), f"v{i}")
                 for i, s in enumerate(SHAPES)]
    opt = getattr(optimizers, name)(**kwargs)
    opt.build(variables)
    for _ in range(steps):
        grads = [rng.standard_normal(s).astype("float32") for s in SHAPES]
        kept = [g.copy() for g in grads]
        if own:
            opt._apply_own_gradients(grads, variables)
        else:
            opt.apply(grads, variables)
            for g, k in zip(grads, kept):  # `apply` never writes the gradients
                np.testing.assert_array_equal(g, k)
    return [v.value for v in variables], [v.value for v in opt.variables]


@pytest.mark.parametrize("name,kwargs", CONFIGS)
def test_own_gradients_give_the_same_bits(name, kwargs):
    weights, state = _run(name, kwargs, own=False)
    weights_own, state_own = _run(name, kwargs, own=True)
    for a, b in zip(weights + state, weights_own + state_own):
        np.testing.assert_array_equal(a, b)


def test_shared_gradient_arrays_are_not_overwritten():
    # One array for two variables (e.g. the gradient of `w1 + w2`): the
    # update must read it unchanged for both.
    v1 = Variable(np.ones(5, "float32"), "a")
    v2 = Variable(np.ones(5, "float32"), "b")
    opt = optimizers.RMSprop()
    opt.build([v1, v2])
    g = np.full(5, 0.5, "float32")
    opt._apply_own_gradients([g, g], [v1, v2])
    np.testing.assert_array_equal(g, np.full(5, 0.5, "float32"))
    np.testing.assert_array_equal(v1.value, v2.value)


def test_disjoint():
    a = np.zeros(10, "float32")
    b = np.zeros(10, "float32")
    assert _disjoint([a, b, None])
    assert not _disjoint([a, a])
    assert not _disjoint([a[:6], a[4:]])  # overlapping views
    assert _disjoint([a[:5], a[5:]])  # adjacent, not overlapping
    assert not _disjoint([np.zeros((4, 4), "float32")[:, ::2]])  # not contiguous
    frozen = np.zeros(3, "float32")
    frozen.flags.writeable = False
    assert not _disjoint([frozen])
    assert not _disjoint([np.broadcast_to(np.float32(1), (3,))])
