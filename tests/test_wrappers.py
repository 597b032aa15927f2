"""TimeDistributed (NumPy only): float64 central-difference checks of the
input and every weight gradient over the parity table's cases, the forward
against the wrapped layer applied step by step, the merged-batch fast path,
weights, configs, files and Keras's errors."""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_wrappers import TIME_DISTRIBUTED_CASES
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


def _grads(layer, x, call, dy):
    tensor = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(tensor, **call)
    weight_grads = tape.gradient([(out, dy.copy())])
    return tensor.grad, weight_grads, tape


@pytest.mark.parametrize("name,make,shape,call", TIME_DISTRIBUTED_CASES, ids=IDS)
def test_time_distributed_gradients_match_central_differences(float64, name, make,
                                                               shape, call):
    x = inputs([shape], "normal", seed=3, dtype="float64")[0]
    layer = _with_weights(make, x, call)
    dy = np.random.default_rng(5).normal(size=np.shape(layer(x, **call)))
    input_grad, weight_grads, _ = _grads(layer, x, call, dy)

    def objective():
        return float(np.sum(np.asarray(layer(x, **call)) * dy))

    np.testing.assert_allclose(input_grad, numeric_grad(objective, x),
                               rtol=1e-6, atol=1e-8, err_msg=f"{name} input")
    assert len(weight_grads) == len(layer.trainable_weights)
    for var in layer.trainable_weights:
        np.testing.assert_allclose(weight_grads[id(var)],
                                   numeric_grad(objective, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=f"{name} {var.path}")


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
    _, _, tape = _grads(layer, x, {}, np.ones((4, 9, 2), "float32"))
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


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_time_distributed_model_files_round_trip(tmp_path, suffix):
    model = keraslite.Sequential([
        keraslite.Input((5, 3)), layers.TimeDistributed(layers.Dense(4, activation="relu")),
        layers.TimeDistributed(layers.Dense(2))])
    x = np.random.default_rng(0).normal(size=(3, 5, 3)).astype("float32")
    path = tmp_path / f"m{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
        loaded = keraslite.Sequential([
            keraslite.Input((5, 3)), layers.TimeDistributed(layers.Dense(4, activation="relu")),
            layers.TimeDistributed(layers.Dense(2))])
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = keraslite.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


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
