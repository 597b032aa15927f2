"""keraslite.utils.workspace: the large work arrays that layers reuse from one
step to the next (so a training loop touches no new memory after its first
step), and that nothing a layer returns shares memory with them."""
import numpy as np
import pytest

import keraslite
from keraslite import autodiff, layers
from keraslite.utils import workspace


@pytest.fixture(autouse=True)
def empty_pool():
    workspace.clear()
    yield
    workspace.clear()


def test_take_returns_a_given_array_of_the_same_shape_and_dtype():
    a = workspace.take((3, 4), "float32")
    assert a.shape == (3, 4) and a.dtype == np.float32 and a.flags.c_contiguous
    workspace.give(a)
    assert workspace.held_bytes() == a.nbytes
    assert workspace.take((3, 4), np.float32) is a
    assert workspace.held_bytes() == 0
    assert workspace.take((3, 4), "float32") is not a  # taken: a new one
    workspace.give(a)
    assert workspace.take((4, 3), "float32") is not a  # another shape
    assert workspace.take((3, 4), "float64") is not a  # another dtype
    assert workspace.take((3, 4), "float32") is a


def test_views_none_and_arrays_given_twice_are_not_kept():
    base = np.empty((6, 4), np.float32)
    workspace.give(base[:3], base.reshape(4, 6), base.T, None)
    assert workspace.held_bytes() == 0
    workspace.give(base, base)
    assert workspace.held_bytes() == base.nbytes
    assert workspace.take((6, 4), "float32") is base
    assert workspace.take((6, 4), "float32") is not base


def test_at_most_max_bytes_wait(monkeypatch):
    monkeypatch.setattr(workspace, "MAX_BYTES", 100)
    a, b = np.empty(20, np.float32), np.empty(20, np.float32)  # 80 bytes each
    workspace.give(a, b)
    assert workspace.held_bytes() == 80
    assert workspace.take((20,), "float32") is a
    workspace.clear()
    assert workspace.held_bytes() == 0 and workspace.take((20,), "float32") is not b


def _lstm_model(**kwargs):
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([layers.Input((30,), dtype="int32"),
                                  layers.Embedding(50, 8), layers.LSTM(6, **kwargs),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    return model


def test_an_lstm_training_loop_reuses_the_same_buffers_after_its_first_step():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 50, (16, 30)), rng.integers(0, 2, (16, 1))
    model = _lstm_model()
    model.train_on_batch(x, y)
    held = workspace.held_bytes()
    pooled = {id(a) for arrays in workspace._free.values() for a in arrays}
    # states (31, 16, 6) twice, tanh(c) and the g gate (30, 16, 6), the
    # gates and their gradient (30, 16, 24) twice, the time-major input and
    # its gradient (30, 16, 8), and the embedding gradient's flat indices
    # (16 * 30 ids, 8 wide, intp)
    assert held == 4 * (2 * 31 * 16 * 6 + 2 * 30 * 16 * 6 + 2 * 30 * 16 * 24
                        + 2 * 30 * 16 * 8) \
        + np.dtype(np.intp).itemsize * 16 * 30 * 8
    for _ in range(3):
        model.train_on_batch(x, y)
        assert workspace.held_bytes() == held
        assert {id(a) for arrays in workspace._free.values() for a in arrays} == pooled


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_results_share_no_memory_with_reused_buffers(batch, go_backwards,
                                                         return_sequences):
    from keraslite.layers.rnn.rnn import sequence_backward, sequence_forward

    rng = np.random.default_rng(1)
    layer = layers.LSTM(4)
    x = rng.normal(size=(batch, 7, 3)).astype("float32")
    layer(x)
    states = [np.zeros((batch, 4), "float32")] * 2

    def run(keep):
        return sequence_forward(layer.cell, x, states, None, False, keep,
                                go_backwards, return_sequences)

    results = []
    for keep in (False, True):
        output, final, ctx = run(keep)
        results += [output] + final
        if keep:
            d_output = np.ones(output.shape, "float32")
            dx, d_states, weight_grads = sequence_backward(layer.cell, ctx, d_output, [])
            results += [dx] + d_states + weight_grads
    expected = [r.copy() for r in results]
    pooled = [a for arrays in workspace._free.values() for a in arrays]
    # x_tm, the gates, g (one step's without backward, every step's with),
    # h, c, tanh(c); dz, dx_tm
    assert len(pooled) == 9
    for _ in range(2):  # the pooled buffers are overwritten by later calls
        _, _, ctx = run(True)
        sequence_backward(layer.cell, ctx, None, [np.ones((batch, 4), "float32")])
    for result, before in zip(results, expected):
        np.testing.assert_array_equal(result, before)
        assert not any(np.shares_memory(result, a) for a in pooled)
