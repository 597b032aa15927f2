"""LSTMCell.run_steps, the LSTM's fused time loop (buffers allocated once per
call), gives the per-step loop's numbers bit for bit (`step` /
`step_backward` run by `sequence_forward` / `sequence_backward`): outputs,
final states and the gradients of the input, the initial states and every
weight; and it is taken only where that holds."""
import numpy as np
import pytest

from keraslite import autodiff, layers
from keraslite.layers.rnn import lstm as lstm_module

CASES = {
    "defaults": dict(),
    "return_sequences": dict(return_sequences=True),
    "go_backwards_sequences": dict(go_backwards=True, return_sequences=True),
    "return_state_initial_state": dict(return_state=True, initial_state=True),
    "go_backwards_state": dict(go_backwards=True, return_state=True, initial_state=True),
    "input_dropout": dict(dropout=0.3, training=True, return_sequences=True),
    "no_bias_hard_sigmoid_relu": dict(use_bias=False, recurrent_activation="hard_sigmoid",
                                      activation="relu"),
    "one_step": dict(steps=1, return_state=True),
    # small recurrent weights over many steps: the gradients become subnormal
    # and are flushed to zero (as `flush_denormals`) at the same places
    "vanishing": dict(steps=200, scale=0.05),
}


def _run(kwargs):
    kwargs = dict(kwargs)
    steps, scale = kwargs.pop("steps", 12), kwargs.pop("scale", 0.5)
    initial, training = kwargs.pop("initial_state", False), kwargs.pop("training", False)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, steps, 3)).astype("float32")
    layer = layers.LSTM(4, seed=1, **kwargs)
    layer(x)
    layer.set_weights([rng.normal(0, s, w.shape).astype("float32") for w, s in
                       zip(layer.get_weights(), (0.5, scale, 0.5))])
    states = [rng.normal(size=(5, 4)).astype("float32") for _ in range(2)] \
        if initial else None
    x_t = autodiff.Tensor(x, requires_grad=True)
    s_t = None if states is None else [autodiff.Tensor(s, requires_grad=True)
                                       for s in states]
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        outs = layer._eager_call(x_t, initial_state=s_t, training=training)
    outs = outs if isinstance(outs, list) else [outs]
    dys = [rng.normal(size=o.shape).astype("float32") for o in outs]
    grads = tape.gradient([(o, d) for o, d in zip(outs, dys)])
    result = [autodiff.value_of(o) for o in outs] + [x_t.grad]
    result += [t.grad for t in s_t or []]
    return result + [grads[id(v)] for v in layer.trainable_weights]


def _per_step(monkeypatch):
    monkeypatch.setattr(lstm_module.LSTMCell, "run_steps", lambda self, *args: None)


@pytest.fixture
def fused_calls(monkeypatch):
    """Whether each call of `LSTMCell.run_steps` ran the fused loop."""
    calls = []
    original = lstm_module.LSTMCell.run_steps

    def spy(self, *args):
        result = original(self, *args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(lstm_module.LSTMCell, "run_steps", spy)
    return calls


@pytest.mark.parametrize("name", sorted(CASES))
def test_fused_loop_equals_the_per_step_loop_bit_for_bit(name, fused_calls,
                                                          monkeypatch):
    calls = fused_calls
    fused = _run(CASES[name])
    assert calls and all(calls)  # the fused loop ran
    _per_step(monkeypatch)
    reference = _run(CASES[name])
    assert len(fused) == len(reference)
    for i, (a, b) in enumerate(zip(fused, reference)):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b, err_msg=f"array {i}")
    if name == "vanishing":
        dx = fused[1]
        assert (dx[:, :20] == 0).any() and (dx[:, -1] != 0).all()


class _OwnStep(lstm_module.LSTMCell):
    def step(self, proj_t, states, rdp, keep):
        return super().step(proj_t, states, rdp, keep)


@pytest.mark.parametrize("make, mask", [
    (lambda: layers.LSTM(4), True),
    (lambda: layers.LSTM(4, recurrent_dropout=0.3), False),
    (lambda: layers.LSTM(4, activation="softmax"), False),
    (lambda: layers.LSTM(4, recurrent_activation="exponential"), False),
    (lambda: layers.RNN(_OwnStep(4)), False),
])
def test_fused_loop_is_declined_where_it_would_differ(make, mask, fused_calls):
    calls = fused_calls
    x = np.random.default_rng(0).normal(size=(3, 6, 2)).astype("float32")
    m = np.ones((3, 6), bool) if mask else None
    make()(x, mask=m, training=True)
    assert calls == [False]
