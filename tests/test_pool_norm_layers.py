"""Pooling and normalization layers without TensorFlow: float64 central
differences over the parity table's cases (compat_tests/parity_pool_norm.py),
exact values, BatchNormalization's moving statistics in fit/predict/evaluate,
weights bookkeeping, files, and the errors of bad arguments and inputs."""
import re

import numpy as np
import pytest

import keraslite
from compat_tests.parity_pool_norm import POOL_NORM_CASES, is_training
from keraslite import autodiff
from tests.ops_cases import inputs
from tests.test_gradcheck import numeric_grad

L = keraslite.layers


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
@pytest.mark.parametrize("name,make,shapes,kind", POOL_NORM_CASES,
                         ids=[c[0] for c in POOL_NORM_CASES])
def test_gradients_match_central_differences(float64, name, make, shapes, kind):
    (x,) = inputs(shapes, kind, seed=3, dtype="float64")
    call = {"training": True} if is_training(name) else {}
    layer = make(L)
    layer(x)
    if layer.get_weights():
        rng = np.random.default_rng(4)
        layer.set_weights([rng.normal(0.5, 0.2, w.shape) for w in layer.get_weights()])
    value = np.asarray(layer(x, **call))
    assert value.dtype == np.float64
    dy = np.random.default_rng(5).normal(size=value.shape)
    tensor = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(tensor, **call)
    weight_grads = tape.gradient([(out, dy.copy())])

    def objective():
        return float(np.sum(np.asarray(layer(x, **call)) * dy))

    np.testing.assert_allclose(tensor.grad, numeric_grad(objective, x),
                               rtol=1e-6, atol=1e-8, err_msg=f"{name} input")
    for var in layer.trainable_weights:
        np.testing.assert_allclose(weight_grads[id(var)],
                                   numeric_grad(objective, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=f"{name} {var.name}")


def _image(rows):
    a = np.asarray(rows, "float32")
    return a.reshape((1,) + a.shape + (1,))


# Inputs of Keras's docstring examples (keras/src/layers/pooling/*.py); the
# expected values are the windows' maxima and means worked by hand ("same"
# padding: TensorFlow pads at the end and averages over the real elements).
X33 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
X34 = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
EXACT_CASES = [
    ("max 2x2 strides 1 valid", L.MaxPooling2D((2, 2), strides=1), X33,
     [[5, 6], [8, 9]]),
    ("max 2x2 strides 2 valid", L.MaxPooling2D((2, 2), strides=2), X34, [[6, 8]]),
    ("max 2x2 strides 1 same", L.MaxPooling2D((2, 2), strides=1, padding="same"), X33,
     [[5, 6, 6], [8, 9, 9], [8, 9, 9]]),
    ("avg 2x2 strides 1 valid", L.AveragePooling2D((2, 2), strides=1), X33,
     [[3, 4], [6, 7]]),
    ("avg 2x2 strides 2 valid", L.AveragePooling2D((2, 2), strides=2), X34,
     [[3.5, 5.5]]),
    ("avg 2x2 strides 1 same", L.AveragePooling2D((2, 2), strides=1, padding="same"),
     X33, [[3, 4, 4.5], [6, 7, 7.5], [7.5, 8.5, 9]]),
    ("avg 2x2 strides 2 same", L.AveragePooling2D(2, padding="same"),
     [[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[2, 3.5], [6.5, 8]]),
]


@pytest.mark.parametrize("label,layer,x,expected", EXACT_CASES,
                         ids=[c[0] for c in EXACT_CASES])
def test_pooling_values(label, layer, x, expected):
    np.testing.assert_array_equal(layer(_image(x))[0, :, :, 0], expected)


@pytest.mark.parametrize("cls,expected", [
    (L.MaxPooling1D, [[2, 3, 4, 5], [2, 4], [2, 3, 4, 5, 5]]),
    (L.AveragePooling1D, [[1.5, 2.5, 3.5, 4.5], [1.5, 3.5], [1.5, 2.5, 3.5, 4.5, 5]]),
])
def test_pooling1d_values(cls, expected):
    x = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    for (strides, padding), want in zip([(1, "valid"), (2, "valid"), (1, "same")],
                                        expected):
        np.testing.assert_array_equal(
            cls(pool_size=2, strides=strides, padding=padding)(x)[0, :, 0], want)


def _input_grad(layer, x, dy=None):
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape() as tape:
        out = layer._eager_call(t)
    tape.gradient([(out, np.ones(out.shape, "float32") if dy is None else dy)])
    return t.grad


def test_max_pooling_ties_send_the_gradient_to_the_first_maximum():
    # As TensorFlow's MaxPoolGrad (measured with TF 2.21): the first maximum
    # of each window in row-major order; the parity table compares it too.
    grad = _input_grad(L.MaxPooling2D(), np.ones((1, 4, 4, 1), "float32"))
    np.testing.assert_array_equal(grad[0, :, :, 0], [[1, 0, 1, 0], [0, 0, 0, 0],
                                                     [1, 0, 1, 0], [0, 0, 0, 0]])
    grad = _input_grad(L.MaxPooling2D(3, strides=2, padding="same"),
                       np.ones((1, 5, 5, 1), "float32"))
    hit = np.zeros((5, 5))
    hit[np.ix_([0, 1, 3], [0, 1, 3])] = 1  # windows start at -1, 1, 3
    np.testing.assert_array_equal(grad[0, :, :, 0], hit)


def test_global_max_pooling_ties_share_the_gradient():
    grad = _input_grad(L.GlobalMaxPooling2D(), np.ones((1, 2, 2, 1), "float32"))
    np.testing.assert_array_equal(grad[0, :, :, 0], np.full((2, 2), 0.25))


def test_overlapping_average_gradient_counts_each_window():
    # Every element of a 3x3 input is in 4 of the 2x2 windows with stride 1
    # only at the centre; corners are in 1.
    grad = _input_grad(L.AveragePooling2D(2, strides=1), np.ones((1, 3, 3, 1), "float32"))
    np.testing.assert_allclose(grad[0, :, :, 0], np.array(
        [[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)


def test_default_data_format_follows_config():
    keraslite.config.set_image_data_format("channels_first")
    try:
        layer = L.MaxPooling2D()
        glob = L.GlobalAveragePooling1D()
    finally:
        keraslite.config.set_image_data_format("channels_last")
    assert layer.data_format == glob.data_format == "channels_first"
    assert layer(np.ones((2, 3, 4, 6), "float32")).shape == (2, 3, 2, 3)
    assert L.MaxPooling2D().data_format == "channels_last"


def test_pooling_config_round_trip():
    layer = L.AveragePooling2D(3, strides=(1, 2), padding="SAME",
                               data_format="channels_first", name="p")
    config = layer.get_config()
    assert (config["pool_size"], config["strides"], config["padding"],
            config["data_format"]) == ((3, 3), (1, 2), "same", "channels_first")
    assert L.AveragePooling2D.from_config(config).get_config() == config
    assert L.MaxPooling1D().get_config()["strides"] == (2,)
    assert L.MaxPool2D is L.MaxPooling2D and L.GlobalAvgPool1D is L.GlobalAveragePooling1D


# --- BatchNormalization ------------------------------------------------------------
def _stats(x, axis=-1):
    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    return x.mean(axis=axes), x.var(axis=axes)


def test_batch_norm_training_call_updates_moving_statistics():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(16, 5, 4)).astype("float32")
    layer = L.BatchNormalization(axis=1, momentum=0.8)
    y = layer(x, training=True)
    mean, var = _stats(x.astype("float64"), axis=1)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.2 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.8 + 0.2 * var, rtol=1e-5)
    expected = (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)
    before = layer.get_weights()
    y = layer(x)  # inference: moving statistics, no update
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(y, (x - before[2][:, None]) / np.sqrt(
        before[3][:, None] + 1e-3), rtol=1e-5, atol=1e-5)


def test_frozen_batch_norm_runs_in_inference_mode():
    x = np.random.default_rng(1).normal(2.0, 3.0, size=(8, 3)).astype("float32")
    layer = L.BatchNormalization(trainable=False)
    np.testing.assert_allclose(layer(x, training=True), x / np.sqrt(1 + 1e-3), rtol=1e-6)
    assert layer.moving_mean.numpy().tolist() == [0, 0, 0]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def _bn_model():
    inp = keraslite.Input((4, 4, 3), name="x")
    h = L.BatchNormalization(name="bn")(inp)
    h = L.MaxPooling2D(name="pool")(h)
    h = L.GlobalAveragePooling2D(name="gap")(h)
    out = L.Dense(2, activation="softmax", name="out")(h)
    model = keraslite.Model(inp, out)
    model.compile("sgd", "categorical_crossentropy")
    return model


def test_moving_statistics_change_in_fit_only():
    rng = np.random.default_rng(2)
    x = rng.normal(1.0, 1.0, size=(32, 4, 4, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[rng.integers(0, 2, 32)]
    model = _bn_model()
    bn = model.get_layer("bn")
    model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    mean, var = _stats(x.astype("float64"))
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-5)
    after_fit = model.get_weights()
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    model(x)
    model.test_on_batch(x, y)
    for a, b in zip(model.get_weights(), after_fit):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(x, y)
    assert not np.array_equal(bn.moving_mean.numpy(), after_fit[2])


def test_batch_norm_weights_bookkeeping(capsys):
    model = _bn_model()
    assert [w.name for w in model.get_layer("bn").weights] == [
        "gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in model.trainable_weights] == ["gamma", "beta", "kernel", "bias"]
    assert [w.name for w in model.non_trainable_weights] == ["moving_mean",
                                                             "moving_variance"]
    assert model.count_params() == 12 + 8
    model.summary()
    text = capsys.readouterr().out
    assert re.search(r"Trainable params: 14 ", text)
    assert re.search(r"Non-trainable params: 6 ", text)
    model.trainable = False
    assert all(not la.trainable for la in model.layers)
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 6


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_batch_norm_statistics_survive_files(tmp_path, suffix):
    rng = np.random.default_rng(3)
    model = _bn_model()
    model.set_weights([rng.normal(0.5, 0.2, w.shape).astype("float32")
                       for w in model.get_weights()])
    path = tmp_path / f"m{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
        loaded = _bn_model()
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = keraslite.models.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = rng.normal(size=(5, 4, 4, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# --- LayerNormalization ------------------------------------------------------------
def test_layer_norm_normalizes_each_sample():
    x = np.random.default_rng(4).normal(3.0, 2.0, size=(3, 4, 5)).astype("float32")
    layer = L.LayerNormalization(axis=[1, 2], epsilon=1e-6)
    y = layer(x)
    assert layer.axis == [1, 2] and layer.gamma.shape == (4, 5)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1, atol=1e-4)
    built = L.LayerNormalization()
    assert built.get_config()["axis"] == -1
    built(x)
    assert built.get_config()["axis"] == [-1]  # as Keras once built


def test_layer_norm_rms_scaling_warns_and_has_no_beta():
    with pytest.warns(UserWarning, match="rms_scaling"):
        layer = L.LayerNormalization(rms_scaling=True)
    x = np.random.default_rng(5).normal(size=(2, 6)).astype("float32")
    np.testing.assert_allclose(layer(x), x / np.sqrt(x.var(axis=1, keepdims=True) + 1e-3),
                               rtol=1e-5)
    assert [w.name for w in layer.weights] == ["gamma"]


# --- errors --------------------------------------------------------------------------
def _twice(layer, first, second):
    layer(np.ones(first, "float32"))
    layer(np.ones(second, "float32"))


ERRORS = [
    (lambda: L.MaxPooling2D(-1), ValueError,
     "The `pool_size` argument must be a tuple of 2 integers. Received pool_size=-1, "
     "including values {-1} that do not satisfy `value > 0`"),
    (lambda: L.MaxPooling2D(0), ValueError, "Received pool_size=0"),
    (lambda: L.MaxPooling2D(1.5), ValueError, "Received pool_size=1.5"),
    (lambda: L.MaxPooling2D((2, 2.5)), ValueError, "including element 2.5"),
    (lambda: L.MaxPooling2D(True), ValueError, "Received pool_size=True"),
    (lambda: L.MaxPooling2D("a"), ValueError, "Received pool_size=a"),
    (lambda: L.MaxPooling1D((2, 2)), ValueError, "tuple of 1 integers"),
    (lambda: L.AveragePooling2D(2, strides=0), ValueError,
     r"Received strides=0, including values \{0\}"),
    (lambda: L.AveragePooling1D(2, strides=-2), ValueError, "Received strides=-2"),
    (lambda: L.MaxPooling2D(padding="full"), ValueError,
     "Argument `padding` must be either 'valid' or 'same'. Received: padding=full"),
    (lambda: L.MaxPooling2D(data_format="nhwc"), ValueError,
     "Received: data_format=nhwc"),
    (lambda: L.GlobalMaxPooling2D(data_format="x"), ValueError, "Received: data_format=x"),
    (lambda: L.MaxPooling2D(name="p2")(np.ones((1, 4, 4), "float32")), ValueError,
     r"Input 0 with name 'None' of layer 'p2' is incompatible with the layer: "
     r"expected ndim=4, found ndim=3. Full shape received: \(1, 4, 4\)"),
    (lambda: L.MaxPooling1D(name="p1")(keraslite.Input((4,))), ValueError,
     "layer 'p1' .* expected ndim=3, found ndim=2"),
    (lambda: L.GlobalAveragePooling2D(name="gap")(np.ones((1, 4, 4), "float32")),
     ValueError, "layer 'gap' .* expected ndim=4"),
    (lambda: _twice(L.MaxPooling2D(name="again"), (1, 4, 4, 1), (1, 4, 4)), ValueError,
     "layer 'again' .* expected ndim=4"),
    (lambda: L.MaxPooling2D(5, name="big")(np.ones((1, 4, 4, 1), "float32")), ValueError,
     r"Layer 'big': Computed output size would be zero or negative. Received: "
     r"`inputs.shape=\(1, 4, 4, 1\)`, `pool_size=\(5, 5\)`"),
    (lambda: L.AveragePooling1D(3, name="big1")(keraslite.Input((2, 1))), ValueError,
     "Layer 'big1': Computed output size would be zero"),
    (lambda: L.BatchNormalization(axis=5, name="bn5")(np.ones((2, 3), "float32")),
     ValueError, r"Layer 'bn5': Axis 5 is out of bounds for input shape \(2, 3\). "
                 r"Received: axis=5"),
    (lambda: L.BatchNormalization(axis=-3, name="bn3")(keraslite.Input((3,))),
     ValueError, "Layer 'bn3': Axis -3 is out of bounds"),
    (lambda: _twice(L.BatchNormalization(name="bnc"), (2, 3), (2, 4)), ValueError,
     "layer 'bnc' is incompatible with the layer: expected axis -1 of input shape to "
     r"have value 3, but received input with shape \(2, 4\)"),
    (lambda: L.BatchNormalization(renorm=True), ValueError, "renorm"),
    (lambda: L.BatchNormalization(synchronized=True), ValueError, "synchronized"),
    (lambda: L.BatchNormalization(axis=[1]), TypeError, r"int\(\) argument"),
    (lambda: L.LayerNormalization(axis=4, name="ln4")(np.ones((2, 3), "float32")),
     ValueError, "Layer 'ln4': Axis 4 is out of bounds"),
    (lambda: L.LayerNormalization(axis=[1, -3], name="ln")(keraslite.Input((3,))),
     ValueError, "Layer 'ln': Axis -3 is out of bounds"),
    (lambda: L.LayerNormalization(axis="a"), TypeError,
     "Expected an int or a list/tuple of ints for the argument 'axis', but received: 'a'"),
]


@pytest.mark.parametrize("fn,kind,message", ERRORS,
                         ids=[f"{i}:{e[2][:30]}" for i, e in enumerate(ERRORS)])
def test_errors(fn, kind, message):
    with pytest.raises(kind, match=message):  # messages are regular expressions
        fn()
