"""The recurrent layers (NumPy only): float64 central-difference checks of the
input, initial-state and weight gradients over the parity table's cases
(masks, go_backwards, return_state, dropout with fixed masks), the masking
and go_backwards semantics, stateful layers, users' cells, configs and bad
arguments.
"""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_rnn import RNN_CASES, case_arrays, dropout_masks, make_layer
from keraslite import autodiff, layers, ops
from keraslite.ops.node import flatten, map_structure
from tests.test_gradcheck import numeric_grad

IDS = [c[0] for c in RNN_CASES]


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


def _layer(case, x, seed=4):
    _, cls, kwargs, _, _, _, cell = case
    layer = make_layer(keraslite.layers, cls, kwargs, cell)
    layer(x)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("case", RNN_CASES, ids=IDS)
def test_rnn_gradients_match_central_differences(float64, case):
    kwargs = case[2]
    x, mask, states = case_arrays(case, dtype="float64")
    layer = _layer(case, x)
    training = bool(kwargs.get("dropout") or kwargs.get("recurrent_dropout"))
    dp, rdp = dropout_masks(layer, x.shape)

    def call(inputs, initial_state):
        # the same dropout masks in every call (drawn once, as Keras per call)
        layer.cell._dropout_mask, layer.cell._recurrent_dropout_mask = dp, rdp
        out = layer._eager_call(inputs, initial_state=initial_state, mask=mask,
                                training=training)
        return out if isinstance(out, list) else [out]

    check_recurrent_gradients(layer, call, x, states)
    assert len(layer.trainable_weights) == 3 - (not layer.cell.use_bias)


def check_recurrent_gradients(layer, call, x, states):
    """The tape's gradients of sum(outputs * dy) for the input, every
    initial state (nested lists too) and every weight of `layer` against
    central differences; `call(inputs, initial_state)` returns the outputs
    (a list)."""
    outs = call(x, states)
    dys = [np.random.default_rng(5 + i).normal(size=np.shape(o)) for i, o in enumerate(outs)]
    x_t = autodiff.Tensor(x.copy(), requires_grad=True)
    s_t = None if states is None else map_structure(
        lambda s: autodiff.Tensor(s.copy(), requires_grad=True), states)
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        outs = call(x_t, s_t)
    grads = tape.gradient([(o, d.copy()) for o, d in zip(outs, dys)])

    def objective():
        return float(sum(np.sum(np.asarray(autodiff.value_of(o)) * d)
                         for o, d in zip(call(x, states), dys)))

    check = dict(rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(x_t.grad, numeric_grad(objective, x), **check,
                               err_msg="input")
    for i, (s, t) in enumerate(zip(flatten(states or []), flatten(s_t or []))):
        np.testing.assert_allclose(t.grad, numeric_grad(objective, s), **check,
                                   err_msg=f"initial state {i}")
    assert len(grads) == len(layer.trainable_weights)
    for var in layer.trainable_weights:
        np.testing.assert_allclose(grads[id(var)], numeric_grad(objective, var.value),
                                   **check, err_msg=var.path)


# --- semantics ------------------------------------------------------------------
@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_masked_trailing_steps_carry_the_state(cls):
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    layer = getattr(layers, cls)(4, return_state=True)
    mask = np.ones((2, 6), bool)
    mask[:, 4:] = False
    out, *states = layer(x, mask=mask)
    short, *short_states = layer(x[:, :4])
    np.testing.assert_allclose(out, short, rtol=1e-6)
    for s, t in zip(states, short_states):
        np.testing.assert_allclose(s, t, rtol=1e-6)


def test_masked_steps_repeat_the_previous_output_in_the_sequence():
    x = np.random.default_rng(0).normal(size=(1, 5, 2)).astype("float32")
    mask = np.array([[False, True, False, True, True]])
    seq = layers.GRU(3, return_sequences=True)(x, mask=mask)
    np.testing.assert_array_equal(seq[0, 0], 0)  # no output yet: zeros
    np.testing.assert_array_equal(seq[0, 2], seq[0, 1])
    zeros = layers.GRU(3, return_sequences=True, zero_output_for_mask=True)
    seq = zeros(x, mask=mask)
    np.testing.assert_array_equal(seq[0, 2], 0)
    assert np.all(seq[0, 1] != 0)


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_go_backwards_runs_the_reversed_sequence(cls):
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    forward = getattr(layers, cls)(3, return_sequences=True)
    backward = getattr(layers, cls)(3, return_sequences=True, go_backwards=True)
    forward(x), backward(x)
    backward.set_weights(forward.get_weights())
    np.testing.assert_allclose(backward(x), forward(x[:, ::-1]), rtol=1e-6)


def test_unroll_gives_the_same_numbers():
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype("float32")
    a, b = layers.LSTM(3), layers.LSTM(3, unroll=True)
    a(x), b(x)
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(x), b(x))


def test_initial_state_is_used():
    x = np.zeros((2, 3, 2), "float32")
    layer = layers.SimpleRNN(2, activation="linear", use_bias=False)
    layer(x)
    layer.set_weights([np.zeros((2, 2)), np.eye(2)])
    h0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    np.testing.assert_allclose(layer(x, initial_state=[h0]), h0)


def test_stateful_carries_states_between_calls_and_resets():
    x = np.random.default_rng(3).normal(size=(2, 4, 3)).astype("float32")
    model = keraslite.Sequential([keraslite.Input((4, 3), batch_size=2),
                                  layers.LSTM(3, stateful=True)])
    first = model.predict(x, verbose=0)
    second = model.predict(x, verbose=0)
    assert np.abs(first - second).max() > 1e-4
    model.layers[0].reset_states()
    np.testing.assert_allclose(model.predict(x, verbose=0), first, rtol=1e-6)
    assert [v.trainable for v in model.layers[0].states] == [False, False]
    assert len(model.weights) == 3  # the states are not weights (as Keras)


def test_dropout_masks_are_drawn_per_call_and_only_in_training():
    x = np.ones((64, 3, 8), "float32")
    layer = layers.SimpleRNN(4, dropout=0.5, use_bias=False)
    inference = layer(x)
    np.testing.assert_array_equal(layer(x), inference)
    one, two = layer(x, training=True), layer(x, training=True)
    assert np.abs(one - two).max() > 1e-3  # a new mask each call
    assert layer.cell._dropout_mask is None  # reset after the call


class MinimalRNNCell(layers.Layer):
    """The cell of Keras's RNN docstring (keras/src/layers/rnn/rnn.py)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + ops.matmul(
            states[0], self.recurrent_kernel)
        return ops.tanh(output), [ops.tanh(output)]


def test_users_cell_trains_through_the_tape_as_the_built_in_cell(float64):
    x = np.random.default_rng(4).normal(size=(2, 4, 3))
    mask = np.array([[True, False, True, True], [True, True, True, False]])
    custom = layers.RNN(MinimalRNNCell(3), return_sequences=True, go_backwards=True)
    builtin = layers.SimpleRNN(3, return_sequences=True, go_backwards=True)
    custom(x), builtin(x)
    weights = custom.get_weights() + [np.zeros(3)]
    builtin.set_weights(weights)
    dy = np.random.default_rng(5).normal(size=(2, 4, 3))
    results = []
    for layer in (custom, builtin):
        x_t = autodiff.Tensor(x.copy(), requires_grad=True)
        with autodiff.Tape(watch=layer.trainable_weights) as tape:
            out = layer._eager_call(x_t, mask=mask)
        grads = tape.gradient([(out, dy.copy())])
        results.append([autodiff.value_of(out), x_t.grad]
                       + [grads[id(w)] for w in layer.trainable_weights[:2]])
    for ours, reference in zip(*results):
        np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)


def test_built_in_cells_are_callable_on_one_step():
    cell = layers.LSTMCell(3)
    x = np.random.default_rng(6).normal(size=(2, 4)).astype("float32")
    h, (h_again, c) = cell(x, [np.zeros((2, 3), "float32")] * 2)
    layer = layers.RNN(cell)
    np.testing.assert_allclose(layer(x[:, None]), h, rtol=1e-6)
    np.testing.assert_array_equal(h, h_again)
    assert c.shape == (2, 3)


def test_functional_initial_state_and_return_state():
    inputs = keraslite.Input((5, 3))
    encoded, h, c = layers.LSTM(4, return_state=True)(inputs)
    decoded = layers.LSTM(4)(inputs, initial_state=[h, c])
    model = keraslite.Model(inputs, [encoded, decoded])
    x = np.random.default_rng(7).normal(size=(2, 5, 3)).astype("float32")
    a, b = model.predict(x, verbose=0)
    enc, dec = model.layers[1], model.layers[2]
    _, h0, c0 = enc(x)
    np.testing.assert_allclose(b, dec(x, initial_state=[h0, c0]), rtol=1e-6)
    assert a.shape == b.shape == (2, 4)


# --- weights and configs ----------------------------------------------------------
@pytest.mark.parametrize("make,shapes", [
    (lambda: layers.SimpleRNN(3), [(5, 3), (3, 3), (3,)]),
    (lambda: layers.LSTM(3), [(5, 12), (3, 12), (12,)]),
    (lambda: layers.GRU(3), [(5, 9), (3, 9), (2, 9)]),
    (lambda: layers.GRU(3, reset_after=False), [(5, 9), (3, 9), (9,)]),
])
def test_weight_names_shapes_and_defaults(make, shapes):
    layer = make()
    layer(np.zeros((2, 4, 5), "float32"))
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in layer.weights] == shapes
    rec = layer.cell.recurrent_kernel.value
    np.testing.assert_allclose(rec @ rec.T, np.eye(3), atol=1e-5)  # orthogonal
    if isinstance(layer, layers.LSTM):  # unit_forget_bias
        np.testing.assert_array_equal(layer.cell.bias.value, [0] * 3 + [1] * 3 + [0] * 6)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_rnn_of_a_cell_config_round_trip():
    layer = layers.RNN(layers.GRUCell(2, reset_after=False), return_sequences=True)
    layer(np.zeros((1, 3, 2), "float32"))
    clone = layers.deserialize(layers.serialize(layer))
    assert isinstance(clone.cell, layers.GRUCell) and clone.cell.reset_after is False
    assert clone.return_sequences is True


# --- bad input --------------------------------------------------------------------
def test_rank_2_input_says_how_to_fix_it():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2.*Embedding"):
        layers.LSTM(2)(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="expected ndim=3"):
        keraslite.Sequential([keraslite.Input((7,)), layers.GRU(2)])


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="the batch size must be static"):
        keraslite.Sequential([keraslite.Input((4, 3)), layers.GRU(3, stateful=True)])


@pytest.mark.parametrize("make,match", [
    (lambda: layers.LSTM(0), "expected a positive integer, got 0"),
    (lambda: layers.GRU(2, use_cudnn="x"), "use_cudnn=x"),
    (lambda: layers.RNN(object()), "should have a `call` method"),
    (lambda: layers.SimpleRNN(2, bad=1), "Unrecognized keyword arguments"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_mask_and_initial_state():
    layer = layers.LSTM(2)
    x = np.ones((2, 3, 1), "float32")
    with pytest.raises(ValueError, match=r"mask.shape=\(2, 4\)"):
        layer(x, mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layer(x, initial_state=[np.zeros((2, 2), "float32")])
    with pytest.raises(ValueError, match=r"must have shape \(2, 2\)"):
        layer(x, initial_state=[np.zeros((2, 3), "float32")] * 2)


def test_use_cudnn_true_raises_at_call_as_keras_without_a_gpu():
    layer = layers.GRU(2, use_cudnn=True)
    with pytest.raises(ValueError, match="cuDNN is not supported"):
        layer(np.ones((1, 2, 1), "float32"))
    assert layers.LSTM(2, use_cudnn=False).get_config().get("use_cudnn") is None


@pytest.mark.parametrize("make,implementation,count", [
    (lambda: layers.LSTM(2), 2, None),
    (lambda: layers.LSTM(2, recurrent_dropout=0.1), 1, 4),
    (lambda: layers.GRU(2, implementation=1), 1, 3),
    (lambda: layers.GRU(2, dropout=0.2), 2, None),
])
def test_implementation_and_dropout_mask_count(make, implementation, count):
    layer = make()
    assert layer.implementation == implementation
    assert getattr(layer.cell, "dropout_mask_count", None) == count


def test_keras2_config_time_major():
    config = layers.LSTM(2).get_config()
    assert layers.LSTM.from_config({**config, "time_major": False}).units == 2
    with pytest.raises(ValueError, match="time_major=True"):
        layers.LSTM.from_config({**config, "time_major": True})
