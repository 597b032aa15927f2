"""Stacked recurrent cells beside Keras (issue 12): files (.keras,
.weights.h5, legacy .h5) written by one library and read by the other, the
structure of the returned states, Keras's errors for bad cells, and a whole
run with identical weights and shuffle=False (History and weights within
1e-4). Values and gradients are in the parity table
(compat_tests/parity_stacked.py)."""
import warnings

import numpy as np
import pytest

import keraslite
from keraslite.ops.node import flatten, map_structure

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _mixed(lib, **kwargs):
    L = lib.layers
    return L.RNN([L.SimpleRNNCell(3), L.LSTMCell(4), L.GRUCell(2)], **kwargs)


def stacked_model(lib):
    L = lib.layers
    return lib.Sequential([
        lib.Input((6, 4)),
        _mixed(lib, return_sequences=True, go_backwards=True),
        L.RNN(L.StackedRNNCells([L.LSTMCell(2), L.GRUCell(3, reset_after=False)])),
        L.Dense(1)])


def _x(n=5, seed=1):
    return np.random.default_rng(seed).normal(size=(n, 6, 4)).astype("float32")


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_files_cross_both_ways(tmp_path, suffix):
    x = _x()
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = stacked_model(writer)
        rng = np.random.default_rng(7)
        source.set_weights([rng.normal(0, 0.3, w.shape).astype("float32")
                            for w in source.get_weights()])
        path = tmp_path / f"{writer.__name__}{suffix}"
        if suffix == ".weights.h5":
            source.save_weights(path)
            loaded = stacked_model(reader)
            loaded.load_weights(path)
        else:
            source.save(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loaded = reader.models.load_model(path)
        for a, b in zip(source.get_weights(), loaded.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(source.predict(x, verbose=0),
                                   loaded.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
        rnn = loaded.layers[1]
        assert type(rnn.cell).__name__ == "StackedRNNCells"
        assert [type(c).__name__ for c in rnn.cell.cells] == ["LSTMCell", "GRUCell"]
        assert rnn.cell.cells[1].reset_after is False


def _structure(value):
    """Nested lists of shapes (tuples and lists alike)."""
    if isinstance(value, (list, tuple)):
        return [_structure(v) for v in value]
    return tuple(np.shape(value))


@pytest.mark.parametrize("given", [False, True])
def test_returned_states_are_nested_as_keras(given):
    x = _x(3)
    rng = np.random.default_rng(3)
    states = None
    if given:
        states = [rng.normal(size=(3, 3)).astype("float32"),
                  [rng.normal(size=(3, 4)).astype("float32") for _ in range(2)],
                  [rng.normal(size=(3, 2)).astype("float32")]]
    ours, theirs = _mixed(keraslite, return_state=True), _mixed(keras, return_state=True)
    ours(x), theirs(x)
    theirs.set_weights(ours.get_weights())
    a = ours(x, initial_state=states)
    b = theirs(x, initial_state=None if states is None else
               tf.nest.map_structure(tf.constant, states))
    assert _structure(a) == _structure(b)
    for u, v in zip(flatten(a), tf.nest.flatten(b), strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)
    # symbolic: the outputs of compute_output_shape
    outs = _mixed(keraslite, return_state=True)(keraslite.Input((6, 4)))
    their_outs = _mixed(keras, return_state=True)(keras.Input((6, 4)))
    assert _structure(map_structure(lambda t: np.empty([d or 1 for d in t.shape]), outs)) \
        == _structure(tf.nest.map_structure(
            lambda t: np.empty([d or 1 for d in t.shape]), list(their_outs)))


def _message(fn):
    with pytest.raises(ValueError) as info:
        fn()
    return str(info.value)


class NoStateSize:
    def call(self, inputs, states):
        return inputs, states


@pytest.mark.parametrize("cells", [lambda L: [L.LSTMCell(2), "a string"],
                                   lambda L: [L.LSTMCell(2), NoStateSize()]],
                         ids=["no call", "no state_size"])
def test_bad_cells_raise_keras_errors(cells):
    ours = _message(lambda: keraslite.layers.StackedRNNCells(cells(keraslite.layers)))
    theirs = _message(lambda: keras.layers.StackedRNNCells(cells(keras.layers)))
    # the cell's repr (an address) differs; the sentence is Keras's
    assert ours.split(":")[0] == theirs.split(":")[0]
    ours = _message(lambda: keraslite.layers.RNN(cells(keraslite.layers)))
    theirs = _message(lambda: keras.layers.RNN(cells(keras.layers)))
    assert ours.split(":")[0] == theirs.split(":")[0]


def stacked_lstm(lib):
    """Embedding(mask_zero) -> RNN([LSTMCell, LSTMCell]) -> TimeDistributed(Dense)."""
    L = lib.layers
    return lib.Sequential([
        lib.Input((8,)), L.Embedding(30, 5, mask_zero=True),
        L.RNN([L.LSTMCell(4), L.LSTMCell(3, dropout=0.0)], return_sequences=True),
        L.TimeDistributed(L.Dense(2))])


def test_fit_matches_keras():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 30, (48, 8))
    lengths = rng.integers(2, 9, 48)
    x[np.arange(8)[None, :] >= lengths[:, None]] = 0
    y = rng.normal(size=(48, 8, 2)).astype("float32")
    models = {keraslite: stacked_lstm(keraslite), keras: stacked_lstm(keras)}
    weights = [rng.normal(0, 0.3, w.shape).astype("float32")
               for w in models[keras].get_weights()]
    histories = {}
    for lib, model in models.items():
        model.set_weights(weights)
        model.compile(lib.optimizers.SGD(0.1, momentum=0.9), "mse", metrics=["mae"])
        histories[lib] = model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   verbose=0).history
    worst = 0.0
    for key in histories[keras]:
        np.testing.assert_allclose(histories[keraslite][key], histories[keras][key],
                                   rtol=1e-4, atol=1e-4, err_msg=key)
        worst = max(worst, float(np.max(np.abs(np.subtract(histories[keraslite][key],
                                                           histories[keras][key])))))
    for a, b in zip(models[keraslite].get_weights(), models[keras].get_weights(),
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
        worst = max(worst, float(np.max(np.abs(a - b))))
    print(f"stacked LSTM fit: worst abs difference (History, weights) {worst:.3g}")


def test_keras2_h5_with_stacked_cells_loads(tmp_path):
    """A tf.keras 2 `.h5` (whose RNN config carries `time_major`)."""
    tf_keras = pytest.importorskip("tf_keras")
    L = tf_keras.layers
    source = tf_keras.Sequential([
        L.RNN([L.SimpleRNNCell(3), L.LSTMCell(4), L.GRUCell(2, reset_after=False)],
              return_sequences=True, input_shape=(6, 4)),
        L.RNN([L.GRUCell(2), L.LSTMCell(3)]), L.Dense(1)])
    rng = np.random.default_rng(0)
    source.set_weights([rng.normal(0, 0.3, w.shape) for w in source.get_weights()])
    path = tmp_path / "keras2.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source.save(path)
    loaded = keraslite.models.load_model(path)
    x = _x()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), source.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert loaded.layers[0].cell.cells[2].reset_after is False
