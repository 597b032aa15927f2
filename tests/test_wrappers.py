"""TimeDistributed (NumPy only): float64 central-difference checks of the
input and every weight gradient over the parity table's cases, the forward
against the wrapped layer applied step by step, the merged-batch fast path,
weights, configs, files and Keras's errors."""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_wrappers import BIDIRECTIONAL_CASES, TIME_DISTRIBUTED_CASES
from keraslite import autodiff, layers
from tests.ops_cases import inputs
from tests.test_gradcheck import numeric_grad

IDS = [c[0] for c in TIME_DISTRIBUTED_CASES]


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


def _with_weights(make, x, call, seed=4):
    layer = make(keraslite.layers)
    layer(x, **call)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0.5, 0.2, w.shape) for w in layer.get_weights()])
    return layer


def _outputs(out):
    return [np.asarray(o) for o in out] if isinstance(out, list) else [np.asarray(out)]


def check_gradients(name, layer, x, call, states=()):
    """The tape's gradients of sum(outputs * dys) for the input, the initial
    states and every trainable weight against central differences."""
    states = list(states)
    extra = {"initial_state": states} if states else {}
    dys = [np.random.default_rng(5 + i).normal(size=o.shape)
           for i, o in enumerate(_outputs(layer(x, **call, **extra)))]
    tensor = autodiff.Tensor(x.copy(), requires_grad=True)
    state_tensors = [autodiff.Tensor(s.copy(), requires_grad=True) for s in states]
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(tensor, **call, **(
            {"initial_state": state_tensors} if states else {}))
    outs = out if isinstance(out, list) else [out]
    weight_grads = tape.gradient([(o, dy.copy()) for o, dy in zip(outs, dys)])

    def objective():
        return float(sum(np.sum(o * dy) for o, dy in zip(
            _outputs(layer(x, **call, **extra)), dys)))

    np.testing.assert_allclose(tensor.grad, numeric_grad(objective, x),
                               rtol=1e-6, atol=1e-8, err_msg=f"{name} input")
    for i, (t, s) in enumerate(zip(state_tensors, states)):
        np.testing.assert_allclose(t.grad, numeric_grad(objective, s), rtol=1e-6,
                                   atol=1e-8, err_msg=f"{name} initial state {i}")
    assert len(weight_grads) == len(layer.trainable_weights)
    for var in layer.trainable_weights:
        np.testing.assert_allclose(weight_grads[id(var)],
                                   numeric_grad(objective, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=f"{name} {var.path}")


@pytest.mark.parametrize("name,make,shape,call", TIME_DISTRIBUTED_CASES, ids=IDS)
def test_time_distributed_gradients_match_central_differences(float64, name, make,
                                                               shape, call):
    x = inputs([shape], "normal", seed=3, dtype="float64")[0]
    check_gradients(name, _with_weights(make, x, call), x, call)


@pytest.mark.parametrize("name,make,shape,call", TIME_DISTRIBUTED_CASES, ids=IDS)
def test_time_distributed_is_the_layer_at_every_step(name, make, shape, call):
    x = inputs([shape], "normal", seed=3)[0]
    layer = _with_weights(make, x, call)
    call = {k: v for k, v in call.items() if k != "mask"}
    steps = [np.asarray(layer.layer(x[:, i], **call)) for i in range(shape[1])]
    np.testing.assert_allclose(layer(x, **call), np.stack(steps, axis=1),
                               rtol=1e-6, atol=1e-6)


def test_time_distributed_dense_runs_dense_once_on_the_merged_batch():
    x = np.random.default_rng(0).normal(size=(4, 9, 3)).astype("float32")
    layer = layers.TimeDistributed(layers.Dense(2))
    layer(x)
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        layer._eager_call(autodiff.Tensor(x, requires_grad=True))
    # reshape -> Dense's own record -> reshape, whatever the number of steps
    assert len(tape.records) == 3


def test_time_distributed_batch_normalization_in_training_is_per_step():
    x = np.random.default_rng(0).normal(size=(6, 3, 2)).astype("float32")
    x[:, 1] += 10.0  # each step normalised with its own batch statistics
    layer = layers.TimeDistributed(layers.BatchNormalization(epsilon=1e-6))
    y = np.asarray(layer(x, training=True))
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), 1, atol=1e-3)


def test_time_distributed_dropout_in_training():
    layer = layers.TimeDistributed(layers.Dropout(0.5, seed=1))
    y = np.asarray(layer(np.ones((50, 8, 10), "float32"), training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    assert not np.array_equal(y[:, 0], y[:, 1])  # a mask of its own per step
    np.testing.assert_array_equal(layer(np.ones((2, 3, 4), "float32")), 1.0)


def test_time_distributed_passes_the_mask_and_training_when_accepted():
    seen = {}

    class Probe(layers.Layer):
        def call(self, x, mask=None, training=None):
            seen["mask"], seen["training"] = mask, training
            return x

        def compute_output_shape(self, input_shape):
            return input_shape

    mask = np.array([[True, False, True], [False, True, True]])
    layers.TimeDistributed(Probe())(np.ones((2, 3, 4), "float32"), mask=mask,
                                    training=True)
    np.testing.assert_array_equal(seen["mask"], mask[:, 2])  # the last step's
    assert seen["training"] is True


def test_time_distributed_weights_are_the_wrapped_layers():
    dense = layers.Dense(5, name="d")
    layer = layers.TimeDistributed(dense, name="td")
    assert layer(np.zeros((2, 4, 3), "float32")).shape == (2, 4, 5)
    assert layer.weights == dense.weights
    assert [w.path for w in layer.weights] == ["td/d/kernel", "td/d/bias"]
    assert layer.count_params() == 20
    layer.trainable = False
    assert layer.trainable_weights == [] and not dense.trainable


def test_time_distributed_symbolic_shapes_and_config_round_trip():
    inputs_ = keraslite.Input((4, 6, 6, 2))
    layer = layers.TimeDistributed(layers.Conv2D(3, 3))
    assert layer(inputs_).shape == (None, 4, 4, 4, 3)
    assert layer.compute_output_shape((None, 4, 6, 6, 2)) == (None, 4, 4, 4, 3)
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Conv2D"
    assert config["layer"]["build_config"] == {"input_shape": [None, 6, 6, 2]}
    clone = layers.TimeDistributed.from_config(config)
    assert clone.get_config() == {**config, "layer": {
        k: v for k, v in config["layer"].items() if k != "build_config"}}
    assert layers.deserialize(layers.serialize(layer)).get_config()["layer"]["config"] \
        == config["layer"]["config"]


@pytest.mark.parametrize("fn,message", [
    (lambda: layers.TimeDistributed("dense"),
     "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
     "Received: dense"),
    (lambda: layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3), "float32")),
     "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
     "dimensions, received: (2, 3)"),
    (lambda: layers.TimeDistributed(layers.Dense(2))(keraslite.Input((3,))),
     "with at least 3 dimensions, received: (None, 3)"),
    (lambda: layers.TimeDistributed(layers.Dense(2))(
        np.zeros((2, 3, 4), "float32"), mask=np.ones(2, bool)),
     "must be at least 2D (e.g., `(batch_size, timesteps)`), but it has 1 dimension(s)"),
    (lambda: layers.TimeDistributed(layers.Dense(2))(
        np.zeros((2, 3, 4), "float32"), mask=np.ones((2, 4), bool)),
     "Expected mask shape prefix: (2, 3)."),
])
def test_time_distributed_errors(fn, message):
    with pytest.raises(ValueError) as info:
        fn()
    assert message in str(info.value)


# --- Bidirectional ------------------------------------------------------------------
BI_IDS = [c[0] for c in BIDIRECTIONAL_CASES]


def _bidirectional(make, shape, call, dtype="float32"):
    x = inputs([shape], "normal", seed=3, dtype=dtype)[0]
    call = dict(call)
    if "initial_state" in call:
        call["initial_state"] = inputs(call["initial_state"], "normal", seed=8, dtype=dtype)
    return _with_weights(make, x, call), x, call


@pytest.mark.parametrize("name,make,shape,call", BIDIRECTIONAL_CASES, ids=BI_IDS)
def test_bidirectional_gradients_match_central_differences(float64, name, make, shape,
                                                           call):
    layer, x, call = _bidirectional(make, shape, call, "float64")
    states = call.pop("initial_state", [])
    check_gradients(name, layer, x, call, states)


@pytest.mark.parametrize("name,make,shape,call", BIDIRECTIONAL_CASES, ids=BI_IDS)
def test_bidirectional_merges_the_two_layers_outputs(name, make, shape, call):
    layer, x, call = _bidirectional(make, shape, call)
    states = call.pop("initial_state", None)
    half = None if states is None else len(states) // 2
    fwd = _outputs(layer.forward_layer(
        x, initial_state=None if states is None else states[:half], **call))
    bwd = _outputs(layer.backward_layer(
        x, initial_state=None if states is None else states[half:], **call))
    y, y_rev = fwd[0], bwd[0]
    if layer.return_sequences:
        y_rev = y_rev[:, ::-1]
    merged = {"concat": lambda: [np.concatenate([y, y_rev], -1)],
              "sum": lambda: [y + y_rev], "ave": lambda: [(y + y_rev) / 2],
              "mul": lambda: [y * y_rev], None: lambda: [y, y_rev]}[layer.merge_mode]()
    expected = merged + (fwd[1:] + bwd[1:] if layer.return_state else [])
    got = _outputs(layer(x, initial_state=states, **call))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_bidirectional_copies_the_layer_and_names_the_weights_as_keras():
    lstm = layers.LSTM(3, name="enc")
    layer = layers.Bidirectional(lstm, name="bi")
    layer(np.zeros((2, 4, 5), "float32"))
    assert not lstm.built  # a copy from the config; the original is not reused
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_enc",
                                                                     "backward_enc")
    assert (layer.forward_layer.go_backwards, layer.backward_layer.go_backwards) == (
        False, True)
    assert [w.path for w in layer.weights] == [
        f"bi/{d}_enc/lstm_cell/{n}" for d in ("forward", "backward")
        for n in ("kernel", "recurrent_kernel", "bias")]
    assert layer.count_params() == 2 * (5 * 12 + 3 * 12 + 12)


def test_bidirectional_forces_zero_output_for_mask_to_return_sequences():
    layer = layers.Bidirectional(layers.GRU(2, return_sequences=True,
                                            zero_output_for_mask=False))
    assert layer.forward_layer.zero_output_for_mask is True
    assert layer.backward_layer.zero_output_for_mask is True
    assert layers.Bidirectional(layers.GRU(2)).forward_layer.zero_output_for_mask is False


def test_bidirectional_config_round_trip_and_symbolic_shapes():
    backward = layers.SimpleRNN(3, go_backwards=True, return_sequences=True, name="back")
    layer = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="sum",
                                 backward_layer=backward)
    assert layer.backward_layer is backward
    out = layer(keraslite.Input((6, 4)))
    assert out.shape == (None, 6, 3)
    config = layer.get_config()
    assert config["merge_mode"] == "sum"
    assert config["layer"]["class_name"] == "LSTM"
    assert config["backward_layer"]["class_name"] == "SimpleRNN"
    assert config["backward_layer"]["config"]["name"] == "back"
    clone = layers.Bidirectional.from_config(config)
    assert clone.forward_layer.name == layer.forward_layer.name
    assert clone.backward_layer.name == "back"
    assert _without_build(clone.get_config()) == _without_build(config)


def _without_build(config):
    return {k: ({**v, "build_config": None} if isinstance(v, dict) else v)
            for k, v in config.items()}


@pytest.mark.parametrize("merge_mode,return_sequences,return_state,expected", [
    ("concat", False, False, (None, 6)),
    ("concat", True, False, (None, 5, 6)),
    ("sum", True, False, (None, 5, 3)),
    (None, False, False, [(None, 3), (None, 3)]),
    ("ave", False, True, [(None, 3), (None, 3), (None, 3), (None, 3), (None, 3)]),
    (None, True, True, [(None, 5, 3), (None, 5, 3)] + [(None, 3)] * 4),
])
def test_bidirectional_compute_output_shape(merge_mode, return_sequences, return_state,
                                            expected):
    layer = layers.Bidirectional(layers.LSTM(3, return_sequences=return_sequences,
                                             return_state=return_state),
                                 merge_mode=merge_mode)
    shape = layer.compute_output_shape((None, 5, 4))
    assert (list(shape) if isinstance(expected, list) else shape) == expected
    out = layer(np.zeros((2, 5, 4), "float32"))
    assert [o.shape for o in _outputs(out)] == [
        (2,) + s[1:] for s in (expected if isinstance(expected, list) else [expected])]


def test_bidirectional_compute_mask():
    mask = np.array([[True, False]])
    seq = layers.Bidirectional(layers.LSTM(2, return_sequences=True))
    assert seq.compute_mask(None, mask) is mask
    both = layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode=None)
    assert both.compute_mask(None, mask) == [mask, mask]
    assert layers.Bidirectional(layers.LSTM(2)).compute_mask(None, mask) is None


def test_bidirectional_stateful_states_and_reset():
    layer = layers.Bidirectional(layers.GRU(2, stateful=True))
    x = np.random.default_rng(0).normal(size=(3, 4, 2)).astype("float32")
    first = np.asarray(layer(x))
    assert len(layer.states) == 2
    assert not np.allclose(np.asarray(layer(x)), first)  # carried over
    layer.reset_states()
    np.testing.assert_allclose(layer(x), first, rtol=1e-6)
    with pytest.raises(AttributeError, match="Layer must be stateful."):
        layers.Bidirectional(layers.GRU(2)).reset_states()


def _td_model():
    return keraslite.Sequential([
        keraslite.Input((5, 3)), layers.TimeDistributed(layers.Dense(4, activation="relu")),
        layers.TimeDistributed(layers.Dense(2))])


def _bi_model():
    return keraslite.Sequential([
        keraslite.Input((5, 3)), layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
        layers.Bidirectional(layers.GRU(2), merge_mode="ave")])


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("build", [_td_model, _bi_model], ids=["TimeDistributed",
                                                              "Bidirectional"])
def test_wrapper_model_files_round_trip(tmp_path, build, suffix):
    model = build()
    x = np.random.default_rng(0).normal(size=(3, 5, 3)).astype("float32")
    path = tmp_path / f"m{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
        loaded = build()
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = keraslite.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("fn,error,message", [
    (lambda: layers.Bidirectional("lstm"), ValueError,
     "Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance."),
    (lambda: layers.Bidirectional(layers.LSTM(2), backward_layer="lstm"), ValueError,
     "`backward_layer` need to be a `keras.layers.Layer` instance. Received: lstm"),
    (lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="max"), ValueError,
     "Invalid merge mode. Received: max. Merge mode should be one of "
     '{"sum", "mul", "ave", "concat", None}'),
    (lambda: layers.Bidirectional(layers.Dense(2)), TypeError,
     "without go_backwards, return_sequences, return_state, stateful"),
    (lambda: layers.Bidirectional(layers.LSTM(2, go_backwards=True)), ValueError,
     "should have different `go_backwards` value"),
    (lambda: layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
        2, go_backwards=True, return_state=True)), ValueError,
     'the same value for attribute "return_state", got "False" for forward layer'),
    (lambda: layers.Bidirectional(layers.LSTM(2), weights=[np.zeros(2)]), ValueError,
     "does not take `weights`"),
])
def test_bidirectional_errors(fn, error, message):
    with pytest.raises(error) as info:
        fn()
    assert message in str(info.value)


def _states_model():
    """A functional model whose Bidirectional takes its initial states from
    Inputs and from a Dense layer (keyword-argument tensors of a node)."""
    sequences = keraslite.Input((4, 3))
    states = [keraslite.Input((2,)) for _ in range(4)]
    first = layers.Dense(2, name="from_state")(states[0])
    out = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(
        sequences, initial_state=[first] + states[1:])
    return keraslite.Model([sequences] + states, out)


def test_functional_initial_state_tensors_run_save_and_train(tmp_path):
    model = _states_model()
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(3, 4, 3)).astype("float32")] + [
        rng.normal(size=(3, 2)).astype("float32") for _ in range(4)]
    dense, bi = model.get_layer("from_state"), model.layers[-1]
    expected = bi(xs[0], initial_state=[dense(xs[1])] + xs[2:])
    np.testing.assert_allclose(model.predict(xs, verbose=0), expected, rtol=1e-6)
    model.save(tmp_path / "m.keras")
    loaded = keraslite.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0))
    before = dense.get_weights()[0].copy()
    model.compile("sgd", "mse")
    model.fit(xs, np.ones((3, 4, 4), "float32"), epochs=1, verbose=0)
    assert not np.allclose(dense.get_weights()[0], before)  # trained through the state
