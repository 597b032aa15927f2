"""Stacked recurrent cells (NumPy only): float64 central-difference checks of
the input, nested initial-state and weight gradients over the parity table's
stacks (masks, go_backwards, return_state, dropout with fixed masks); a
stack equals the same cells run step by step (`StackedRNNCells.call`, as
Keras defines it) and the same cells as chained RNN layers; nested states,
users' cells in a stack, dropout, stateful layers, configs, files and bad
arguments.
"""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_stacked import (STACKED_CASES, make_stacked,
                                         set_stacked_masks, stacked_arrays,
                                         stacked_dropout_masks, uses_dropout)
from keraslite import autodiff, layers
from keraslite.ops.node import flatten
from tests.test_rnn import MinimalRNNCell, check_recurrent_gradients

IDS = [c[0] for c in STACKED_CASES]


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


def _randomize(layer, seed=4, scale=0.5):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, scale, w.shape) for w in layer.get_weights()])


@pytest.mark.parametrize("case", STACKED_CASES, ids=IDS)
def test_stacked_gradients_match_central_differences(float64, case):
    x, mask, states = stacked_arrays(case, dtype="float64")
    layer = make_stacked(layers, case)
    layer(x)
    _randomize(layer)
    training = uses_dropout(case)
    masks = stacked_dropout_masks(case)

    def call(inputs, initial_state):
        set_stacked_masks(layer, masks, lambda a: a.astype("float64"))
        return flatten(layer._eager_call(inputs, initial_state=initial_state,
                                         mask=mask, training=training))

    check_recurrent_gradients(layer, call, x, states)


# --- what a stack computes --------------------------------------------------------
def _mixed(**kwargs):
    return layers.RNN([layers.SimpleRNNCell(3), layers.LSTMCell(4), layers.GRUCell(2)],
                      **kwargs)


def _x(shape=(3, 6, 4), seed=1):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _mask(seed=2):
    mask = np.random.default_rng(seed).random((3, 6)) > 0.4
    mask[1] = False
    return mask


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_stack_equals_the_cells_stepped_one_step_at_a_time(go_backwards, with_mask):
    """Keras's definition: at each step, cell k's output is cell k+1's
    input; masked steps keep every cell's states and repeat the output."""
    x, mask = _x(), (_mask() if with_mask else None)
    layer = _mixed(return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer(x)
    _randomize(layer)
    out, *final = layer(x, mask=mask)
    stack = layer.cell
    states = stack.get_initial_state(3)
    previous, outputs = np.zeros((3, 2), "float32"), []
    for t in (range(5, -1, -1) if go_backwards else range(6)):
        y, new = stack.call(x[:, t], states)
        if mask is not None:
            m = mask[:, t, None]
            new = [[np.where(m, a, b) for a, b in zip(n, s)] for n, s in zip(new, states)]
            y = np.where(m, y, previous)
        outputs.append(y)
        previous, states = y, new
    np.testing.assert_allclose(out, np.stack(outputs, 1), rtol=1e-5, atol=1e-6)
    for ours, reference in zip(flatten(final), flatten(states), strict=True):
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)


def test_stack_equals_chained_recurrent_layers():
    x, mask = _x(), _mask()
    stacked = _mixed(return_sequences=True, go_backwards=True)
    stacked(x)
    _randomize(stacked)
    chain = [layers.RNN(layers.SimpleRNNCell(3), return_sequences=True, go_backwards=True),
             layers.RNN(layers.LSTMCell(4), return_sequences=True),
             layers.RNN(layers.GRUCell(2), return_sequences=True)]
    weights = stacked.get_weights()
    y = x
    for rnn, m in zip(chain, (mask, mask[:, ::-1], mask[:, ::-1])):
        y = rnn(y, mask=m)
    for rnn in chain:
        count = len(rnn.get_weights())
        rnn.set_weights(weights[:count])
        weights = weights[count:]
    y = x
    for rnn, m in zip(chain, (mask, mask[:, ::-1], mask[:, ::-1])):
        y = rnn(y, mask=m)
    np.testing.assert_allclose(stacked(x, mask=mask), y, rtol=1e-6, atol=1e-7)


def test_states_are_one_entry_per_cell_nested_as_given():
    x = _x()
    layer = _mixed(return_state=True)
    out, *states = layer(x)
    # default initial states: each cell's get_initial_state, a list (as Keras)
    assert [len(s) for s in states] == [1, 2, 1]
    assert [[a.shape for a in s] for s in states] == [[(3, 3)], [(3, 4), (3, 4)], [(3, 2)]]
    rng = np.random.default_rng(3)
    given = [rng.normal(size=(3, 3)).astype("float32"),
             [rng.normal(size=(3, 4)).astype("float32") for _ in range(2)],
             [rng.normal(size=(3, 2)).astype("float32")]]
    out2, h1, (h2, c2), (h3,) = layer(x, initial_state=given)
    assert isinstance(h1, np.ndarray) and h1.shape == (3, 3)
    assert not np.allclose(out, out2)
    # the returned states, given again, continue the sequence
    whole = layer(np.concatenate([x, x], 1))
    _, *first = layer(x)
    np.testing.assert_allclose(layer(x, initial_state=first)[0], whole[0],
                               rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 6, 4)) == \
        [(None, 2), (None, 3), [(None, 4), (None, 4)], (None, 2)]
    assert layer.state_size == [3, [4, 4], 2] and layer.cell.output_size == 2


def test_functional_model_with_stacked_states():
    inputs = keraslite.Input((6, 4))
    outputs = _mixed(return_state=True)(inputs)
    assert len(outputs) == 4 and outputs[2][1].shape == (None, 4)
    decoder = layers.RNN([layers.SimpleRNNCell(3), layers.LSTMCell(4), layers.GRUCell(2)],
                         return_sequences=True)
    decoded = decoder(inputs, initial_state=outputs[1:])
    model = keraslite.Model(inputs, [outputs[0], decoded])
    x = _x()
    encoded, sequence = model.predict(x, verbose=0)
    encoder = model.layers[1]
    _, *states = encoder(x)
    np.testing.assert_allclose(sequence, decoder(x, initial_state=states), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(encoded, encoder(x)[0], rtol=1e-6)


def test_users_cell_in_a_stack_trains_as_the_built_in_cell(float64):
    x = np.random.default_rng(4).normal(size=(2, 5, 3))
    mask = np.array([[True, False, True, True, True], [True, True, True, False, False]])
    custom = layers.RNN([MinimalRNNCell(3), layers.LSTMCell(2)], return_sequences=True,
                        go_backwards=True)
    builtin = layers.RNN([layers.SimpleRNNCell(3), layers.LSTMCell(2)],
                         return_sequences=True, go_backwards=True)
    custom(x), builtin(x)
    _randomize(custom)
    w = custom.get_weights()
    builtin.set_weights(w[:2] + [np.zeros(3)] + w[2:])
    dy = np.random.default_rng(5).normal(size=(2, 5, 2))
    results = []
    for layer in (custom, builtin):
        x_t = autodiff.Tensor(x.copy(), requires_grad=True)
        with autodiff.Tape(watch=layer.trainable_weights) as tape:
            out = layer._eager_call(x_t, mask=mask)
        grads = tape.gradient([(out, dy.copy())])
        first_bias = getattr(layer.cell.cells[0], "bias", None)
        weights = [v for v in layer.trainable_weights if v is not first_bias]
        results.append([autodiff.value_of(out), x_t.grad]
                       + [grads[id(v)] for v in weights])
    assert len(results[0]) == len(results[1]) == 2 + 5
    for ours, reference in zip(*results):
        np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)


def test_dropout_cells_drop_only_in_training_with_masks_per_call():
    x = _x()
    layer = layers.RNN([layers.LSTMCell(4, dropout=0.5, recurrent_dropout=0.3, seed=1),
                        layers.GRUCell(3, dropout=0.4, seed=2)])
    plain = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)])
    layer(x), plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x), plain(x), rtol=1e-6)
    np.testing.assert_allclose(layer(x, training=False), plain(x), rtol=1e-6)
    first, second = layer(x, training=True), layer(x, training=True)
    assert not np.allclose(first, plain(x)) and not np.allclose(first, second)
    for cell in layer.cell.cells:  # reset after each call, as Keras
        assert cell._dropout_mask is None and cell._recurrent_dropout_mask is None


def test_stateful_stack_carries_every_cells_states():
    x = _x((2, 4, 3))
    layer = layers.RNN([layers.LSTMCell(3), layers.SimpleRNNCell(2)], stateful=True,
                       return_state=True)
    reference = layers.RNN([layers.LSTMCell(3), layers.SimpleRNNCell(2)],
                           return_state=True)
    layer(x), reference(x)
    layer.reset_states()
    reference.set_weights(layer.get_weights())
    _, *states = reference(x)
    layer(x)
    second, *_ = layer(x)
    np.testing.assert_allclose(second, reference(x, initial_state=states)[0], rtol=1e-6)
    assert len(layer.states) == 3
    layer.reset_states()
    np.testing.assert_allclose(layer(x)[0], reference(x)[0], rtol=1e-6)


# --- weights, configs and files ------------------------------------------------------
def test_weights_are_the_cells_weights_in_order():
    layer = _mixed()
    layer(_x())
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"] * 3
    assert [w.shape for w in layer.weights] == [
        (4, 3), (3, 3), (3,), (3, 16), (4, 16), (16,), (4, 6), (2, 6), (2, 6)]


def test_config_round_trip():
    layer = layers.RNN(layers.StackedRNNCells([
        layers.SimpleRNNCell(3, activation="relu"), layers.GRUCell(2, reset_after=False)]),
        return_sequences=True, go_backwards=True)
    layer(_x())
    config = layers.serialize(layer)
    cell = config["config"]["cell"]
    assert cell["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in cell["config"]["cells"]] == ["SimpleRNNCell",
                                                                  "GRUCell"]
    assert cell["config"]["cells"][1]["build_config"] == {"input_shape": [3, 3]}
    clone = layers.deserialize(config)
    assert isinstance(clone.cell, layers.StackedRNNCells)
    assert clone.cell.cells[1].reset_after is False and clone.go_backwards is True
    clone(_x())
    assert layers.serialize(clone)["config"]["cell"]["config"]["cells"][0]["config"][
        "activation"] == "relu"
    stack = layers.StackedRNNCells.from_config(layer.cell.get_config())
    assert [type(c).__name__ for c in stack.cells] == ["SimpleRNNCell", "GRUCell"]


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_file_round_trip(tmp_path, suffix):
    def build():
        return keraslite.Sequential([keraslite.Input((6, 4)),
                                     _mixed(return_sequences=True, go_backwards=True),
                                     layers.RNN([layers.LSTMCell(2), layers.LSTMCell(3)]),
                                     layers.Dense(1)])

    model = build()
    _randomize(model, scale=0.3)
    path = tmp_path / f"model{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
        loaded = build()
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = keraslite.models.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(_x(), verbose=0),
                                  loaded.predict(_x(), verbose=0))


def test_trains_in_a_model():
    x, y = _x((16, 6, 4)), np.random.default_rng(3).normal(size=(16, 1)).astype("float32")
    model = keraslite.Sequential([keraslite.Input((6, 4)), _mixed(), layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=20, batch_size=8, verbose=0, shuffle=False)
    assert history.history["loss"][-1] < history.history["loss"][0]


# --- bad arguments ---------------------------------------------------------------------
def test_cells_without_call_or_state_size():
    with pytest.raises(ValueError, match="All cells must have a `call` method"):
        layers.StackedRNNCells([layers.LSTMCell(2), object()])

    class NoStateSize:
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match="All cells must have a `state_size` attribute"):
        layers.RNN([layers.LSTMCell(2), NoStateSize()])


def test_bad_initial_state_names_what_is_expected():
    layer = _mixed()
    x = _x()
    layer(x)
    with pytest.raises(ValueError, match="one initial state entry per cell"):
        layer(x, initial_state=[np.zeros((3, 3), "float32")] * 4)
    with pytest.raises(ValueError, match=r"expects 2 initial state\(s\)"):
        layer(x, initial_state=[np.zeros((3, 3)), [np.zeros((3, 4))], np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"must have shape \(3, 4\)"):
        layer(x, initial_state=[np.zeros((3, 3)), [np.zeros((3, 4)), np.zeros((3, 5))],
                                np.zeros((3, 2))])
