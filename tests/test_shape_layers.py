"""Reshaping, spatial dropout, rescaling and image augmentation layers
(issue 11), NumPy only: float64 central-difference checks of every
backward (the deterministic table the parity rows use, and the
augmentation layers' transforms with fixed or seeded draws), SpatialDropout's
per-channel masks, the augmentation layers' identity at inference and the
ranges of their draws, golden outputs from Keras's own unit tests, and bad
arguments."""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_shape_layers import ERROR_CASES, SHAPE_CASES
from keraslite import autodiff
from tests.ops_cases import inputs
from tests.test_gradcheck import numeric_grad

L = keraslite.layers


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


def _tape_grad(layer_call, x, dy):
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape():
        out = layer_call(t)
        tape = autodiff.current_tape()
        tape.gradient([(out, dy.copy())])
    return np.asarray(autodiff.value_of(out)), t.grad


@pytest.mark.parametrize("name,make,shapes,kind", SHAPE_CASES,
                         ids=[c[0] for c in SHAPE_CASES])
def test_shape_layer_gradients_match_central_differences(float64, name, make, shapes,
                                                         kind):
    x = inputs(shapes, kind, seed=3, dtype="float64")[0]
    layer = make(L)
    value = np.asarray(layer(x))
    dy = np.random.default_rng(5).normal(size=value.shape)
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape() as tape:
        out = layer._eager_call(t)
    tape.gradient([(out, dy.copy())])
    np.testing.assert_allclose(
        t.grad, numeric_grad(lambda: float(np.sum(np.asarray(layer(x)) * dy)), x),
        rtol=1e-6, atol=1e-8, err_msg=name)


# Layers in training with seeded draws: a fresh layer with the same seed draws
# the same transformation, so the objective is a fixed function of x.
TRAINING_CASES = [
    ("SpatialDropout1D", lambda: L.SpatialDropout1D(0.4, seed=1), (3, 4, 5)),
    ("SpatialDropout2D", lambda: L.SpatialDropout2D(0.4, seed=1), (3, 2, 3, 4)),
    ("SpatialDropout2D[channels_first]",
     lambda: L.SpatialDropout2D(0.4, data_format="channels_first", seed=1), (3, 4, 2, 3)),
    ("RandomFlip", lambda: L.RandomFlip(seed=2), (4, 3, 4, 2)),
    ("RandomFlip[horizontal, channels_first]",
     lambda: L.RandomFlip("horizontal", data_format="channels_first", seed=2), (4, 2, 3, 4)),
    ("RandomContrast", lambda: L.RandomContrast((0.4, 0.7), value_range=(0.2, 0.8), seed=2),
     (3, 4, 5, 2)),
    ("RandomContrast[channels_first]",
     lambda: L.RandomContrast(0.5, value_range=(0, 1), data_format="channels_first",
                              seed=2), (3, 2, 4, 5)),
    ("RandomContrast[single image]",
     lambda: L.RandomContrast(0.5, value_range=(0, 1), seed=2), (4, 5, 2)),
] + [
    (f"{cls}[{fill}, {interp}]", (lambda cls=cls, fill=fill, interp=interp:
                                  _affine_layer(cls, fill, interp)), (2, 5, 6, 2))
    for cls in ("RandomRotation", "RandomZoom", "RandomTranslation")
    for fill in ("reflect", "wrap", "constant", "nearest")
    for interp in ("bilinear", "nearest")
] + [
    ("RandomRotation[channels_first]",
     lambda: L.RandomRotation(0.3, data_format="channels_first", seed=4), (2, 2, 5, 6)),
    ("RandomZoom[single image]", lambda: L.RandomZoom(0.4, seed=4), (5, 6, 2)),
]


def _affine_layer(cls, fill_mode, interpolation):
    kwargs = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=0.3,
                  seed=4)
    if cls == "RandomRotation":
        return L.RandomRotation(0.3, **kwargs)
    if cls == "RandomZoom":
        return L.RandomZoom((-0.5, 0.5), (-0.4, 0.6), **kwargs)
    return L.RandomTranslation(0.4, (-0.5, 0.3), **kwargs)


@pytest.mark.parametrize("name,make,shape", TRAINING_CASES,
                         ids=[c[0] for c in TRAINING_CASES])
def test_training_gradients_match_central_differences(float64, name, make, shape):
    x = np.random.default_rng(6).uniform(0.05, 0.95, shape)
    value = np.asarray(make()(x, training=True))
    if not name.startswith("RandomContrast"):  # contrast may leave x unchanged
        assert not np.allclose(value, x), "the layer transformed nothing"
    dy = np.random.default_rng(7).normal(size=value.shape)
    out, grad = _tape_grad(lambda t: make()._eager_call(t, training=True), x, dy)
    np.testing.assert_allclose(out, value)

    def objective():
        return float(np.sum(np.asarray(make()(x, training=True)) * dy))

    np.testing.assert_allclose(grad, numeric_grad(objective, x), rtol=1e-6, atol=1e-8,
                               err_msg=name)


# --- SpatialDropout -------------------------------------------------------------
@pytest.mark.parametrize("make,shape,channel_axis", [
    (lambda: L.SpatialDropout1D(0.3), (2000, 4, 6), 2),
    (lambda: L.SpatialDropout2D(0.3), (2000, 3, 2, 6), 3),
    (lambda: L.SpatialDropout2D(0.3, data_format="channels_first"), (2000, 6, 3, 2), 1),
])
def test_spatial_dropout_drops_whole_channels(make, shape, channel_axis):
    keraslite.utils.set_random_seed(0)
    x = np.random.default_rng(1).uniform(1, 2, shape).astype("float32")
    y = make()(x, training=True)
    ratio = np.moveaxis(y / x, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    np.testing.assert_allclose(ratio, ratio[..., :1] * np.ones_like(ratio), rtol=1e-6)
    per_channel = ratio[..., 0]
    kept = per_channel[per_channel != 0]
    np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)
    assert abs(np.mean(per_channel == 0) - 0.3) < 0.02
    assert np.array_equal(make()(x), x)  # inference: the identity
    assert np.array_equal(make()(x, training=False), x)


def test_spatial_dropout_seeds_and_rates():
    x = np.ones((50, 4, 8), "float32")
    a = L.SpatialDropout1D(0.5, seed=3)(x, training=True)
    b = L.SpatialDropout1D(0.5, seed=3)(x, training=True)
    assert np.array_equal(a, b)
    keraslite.utils.set_random_seed(5)
    c = L.SpatialDropout1D(0.5)(x, training=True)
    keraslite.utils.set_random_seed(5)
    assert np.array_equal(c, L.SpatialDropout1D(0.5)(x, training=True))
    assert np.array_equal(L.SpatialDropout1D(0.0)(x, training=True), x)
    assert np.array_equal(L.SpatialDropout1D(1.0)(x, training=True), 0 * x)


# --- augmentation: inference, training, ranges ----------------------------------------
AUGMENTATIONS = [
    lambda: L.RandomFlip(seed=1),
    lambda: L.RandomRotation(0.2, seed=1),
    lambda: L.RandomZoom(0.3, seed=1),
    lambda: L.RandomTranslation(0.3, 0.3, seed=1),
    lambda: L.RandomContrast(0.5, value_range=(0, 1), seed=1),
]


@pytest.mark.parametrize("make", AUGMENTATIONS)
def test_augmentation_is_identity_at_inference_and_transforms_in_training(make):
    x = np.random.default_rng(0).uniform(0, 1, (4, 6, 5, 2)).astype("float32")
    assert np.array_equal(make()(x, training=False), x)
    inp = keraslite.Input((6, 5, 2))
    model = keraslite.Model(inp, make()(inp))
    assert np.array_equal(model.predict(x, verbose=0), x)
    assert np.array_equal(model(x), x)
    assert not np.allclose(model(x, training=True), x)
    assert not np.allclose(make()(x), x)  # called directly: training, as Keras
    seq = keraslite.Sequential([keraslite.Input((6, 5, 2)), make()])
    assert np.array_equal(seq.predict(x, verbose=0), x)
    assert make()(x, training=True).shape == x.shape


def test_augmentation_trains_before_a_dense_layer():
    keraslite.utils.set_random_seed(0)
    x = np.random.default_rng(0).uniform(0, 1, (32, 6, 5, 1)).astype("float32")
    y = x.reshape(32, -1).mean(axis=1, keepdims=True)
    model = keraslite.Sequential([keraslite.Input((6, 5, 1)), L.RandomFlip(),
                                  L.RandomRotation(0.1), L.Flatten(), L.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def _fraction(values, lower, upper):
    values = (np.asarray(values, np.float64).ravel() - lower) / (upper - lower)
    return values.min(), values.max(), values.mean()


@pytest.mark.parametrize("make,pick,bounds", [
    (lambda: L.RandomRotation((-0.1, 0.25)), lambda t: t["angle"], (-36, 90)),
    (lambda: L.RandomRotation(0.2), lambda t: t["angle"], (-72, 72)),
    (lambda: L.RandomZoom((-0.3, 0.5), 0.2), lambda t: t["height_zoom"], (0.7, 1.5)),
    (lambda: L.RandomZoom((-0.3, 0.5), 0.2), lambda t: t["width_zoom"], (0.8, 1.2)),
    (lambda: L.RandomTranslation(0.2, (-0.5, 0.1)), lambda t: t["translations"][:, 1],
     (-0.2 * 5, 0.2 * 5)),
    (lambda: L.RandomTranslation(0.2, (-0.5, 0.1)), lambda t: t["translations"][:, 0],
     (-0.5 * 6, 0.1 * 6)),
    # Keras 3: a single contrast factor f draws from [1 - 0, 1 + f].
    (lambda: L.RandomContrast(0.4), lambda t: t["contrast_factor"], (1.0, 1.4)),
    (lambda: L.RandomContrast((0.3, 0.6)), lambda t: t["contrast_factor"], (0.7, 1.6)),
])
def test_random_parameters_cover_their_ranges(make, pick, bounds):
    x = np.zeros((5000, 5, 6, 1), "float32")
    low, high, mean = _fraction(pick(make().get_random_transformation(x)), *bounds)
    assert 0 <= low < 0.01 and 0.99 < high <= 1 and abs(mean - 0.5) < 0.02


def test_random_flip_flips_half_the_images_both_ways_together():
    x = np.random.default_rng(0).uniform(size=(2000, 3, 4, 1)).astype("float32")
    y = L.RandomFlip(seed=0)(x, training=True)
    both = np.all(y == x[:, ::-1, ::-1], axis=(1, 2, 3))
    same = np.all(y == x, axis=(1, 2, 3))
    assert np.all(both | same) and abs(both.mean() - 0.5) < 0.03
    y = L.RandomFlip("vertical", seed=0)(x, training=True)
    assert np.all(np.all(y == x[:, ::-1], axis=(1, 2, 3)) | np.all(y == x, axis=(1, 2, 3)))


# --- golden values from Keras's unit tests ------------------------------------------
def test_random_translation_golden_keras():
    # keras/src/layers/preprocessing/image_preprocessing/random_translation_test.py
    # (test_random_translation_up_numeric_reflect / _constant).
    image = np.arange(25, dtype="float32")
    rows = np.arange(5, 25).reshape(4, 5)
    for fill_mode, last in (("reflect", np.arange(20, 25)), ("constant", np.zeros(5))):
        expected = np.concatenate([rows, last[None]])
        for data_format, shape in (("channels_last", (1, 5, 5, 1)),
                                   ("channels_first", (1, 1, 5, 5))):
            layer = L.RandomTranslation((-0.2, -0.2), 0.0, fill_mode=fill_mode,
                                        data_format=data_format)
            np.testing.assert_allclose(layer(image.reshape(shape)),
                                       expected.reshape(shape), atol=1e-5)


def test_random_zoom_and_rotation_golden_keras():
    # keras/src/layers/preprocessing/image_preprocessing/random_zoom_test.py
    # (test_random_zoom_out_correctness, test_random_zoom_in_correctness) and
    # random_rotation_test.py (test_random_rotation_correctness).
    image = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    zoom_out = np.array([[0, 0, 0, 0, 0], [0, 2.7, 4.5, 6.3, 0], [0, 10.2, 12.0, 13.8, 0],
                         [0, 17.7, 19.5, 21.3, 0], [0, 0, 0, 0, 0]])
    layer = L.RandomZoom((0.5, 0.5), (0.8, 0.8), interpolation="bilinear",
                         fill_mode="constant")
    np.testing.assert_allclose(layer(image)[0, ..., 0], zoom_out, atol=1e-5)
    zoom_in = 6 + 0.5 * np.arange(25).reshape(5, 5)
    layer = L.RandomZoom((-0.5, -0.5), (-0.5, -0.5), interpolation="bilinear",
                         fill_mode="constant")
    np.testing.assert_allclose(layer(image)[0, ..., 0], zoom_in, atol=1e-5)
    np.testing.assert_allclose(L.RandomRotation((0.5, 0.5))(image)[0, ..., 0],
                               np.arange(25)[::-1].reshape(5, 5), atol=1e-5)


def test_upsampling_and_padding_golden_keras():
    # keras/src/layers/reshaping/zero_padding1d.py and cropping1d.py docstrings.
    x = np.arange(12, dtype="float32").reshape(2, 2, 3)
    y = L.ZeroPadding1D(padding=2)(x)
    assert y.shape == (2, 6, 3) and np.array_equal(y[:, 2:4], x) and not y[:, :2].any()
    x = np.arange(12, dtype="float32").reshape(2, 3, 2)
    np.testing.assert_array_equal(L.Cropping1D(cropping=1)(x), [[[2, 3]], [[8, 9]]])
    # bilinear 2x of [0, 1]: half-pixel centres give 0, .25, .75, 1 (as TF).
    x = np.array([0, 1], "float32").reshape(1, 1, 2, 1)
    np.testing.assert_allclose(L.UpSampling2D((1, 2), interpolation="bilinear")(x)[0, 0, :, 0],
                               [0, 0.25, 0.75, 1])


def test_image_data_format_is_the_default():
    keraslite.config.set_image_data_format("channels_first")
    try:
        for layer in (L.ZeroPadding2D(), L.Cropping2D(), L.UpSampling2D(),
                      L.SpatialDropout2D(0.1), L.RandomFlip(), L.RandomZoom(0.1)):
            assert layer.get_config()["data_format"] == "channels_first"
        assert L.ZeroPadding2D((1, 2))(np.zeros((1, 2, 3, 3), "float32")).shape == \
            (1, 2, 5, 7)
    finally:
        keraslite.config.set_image_data_format("channels_last")


# --- configs and errors ---------------------------------------------------------------
@pytest.mark.parametrize("make", [c[1] for c in SHAPE_CASES] + [
    lambda L: L.RandomFlip("vertical", seed=2), lambda L: L.RandomRotation(0.1),
    lambda L: L.RandomZoom(0.2, (0.1, 0.3)), lambda L: L.RandomTranslation(0.1, 0.2),
    lambda L: L.RandomContrast((0.1, 0.2))])
def test_config_round_trip(make):
    layer = make(L)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


# (constructor, exception type, a fragment of Keras's message); ERROR_CASES'
# labels give the same cases to the parity row, which compares with Keras.
ERRORS = {
    "ZeroPadding1D(-1)": (ValueError, "do not satisfy `value >= 0`"),
    "ZeroPadding2D(((1, -1), (0, 0)))": (ValueError, "1st entry of padding"),
    "ZeroPadding2D((1, 2, 3))": (ValueError, "`padding` should have two elements"),
    "Cropping1D(-2)": (ValueError, "do not satisfy `value >= 0`"),
    "Cropping2D(-1)": (ValueError, "`cropping` cannot be negative"),
    "Cropping2D(((1, -1), (0, 0)))": (ValueError, "1st entry of cropping"),
    "UpSampling1D(0)": (ValueError, "Received: size=0"),
    "UpSampling1D(2.0)": (TypeError, "Expected an integer value for `size`"),
    "UpSampling2D(0)": (ValueError, "that do not satisfy `value > 0`"),
    "UpSampling2D(data_format='nchw')": (ValueError, "Received: data_format=nchw"),
    "SpatialDropout1D(1.5)": (ValueError, "Received: rate=1.5"),
    "SpatialDropout2D(0.5, data_format='x')": (ValueError, "Received: data_format=x"),
    "RandomRotation(2)": (ValueError, "in the range [-1, 1]. Received: factor=2"),
    "RandomRotation(fill_mode='mirror')": (NotImplementedError, "Unknown `fill_mode`"),
    "RandomRotation(interpolation='bicubic')": (NotImplementedError,
                                                "Unknown `interpolation`"),
    "RandomZoom(-1)": (ValueError, "(-1.0, 1.0]. Received: input_number=-1"),
    "RandomZoom(0.2, (0.1, 2))": (ValueError, "Received: input_number=2"),
    "RandomTranslation(1.5, 0)": (ValueError, "Received: input_number=1.5"),
    "RandomTranslation(0.1, 'a')": (ValueError, "Received: width_factor=a"),
    "RandomTranslation(fill_mode='mirror')": (NotImplementedError, "Unknown `fill_mode`"),
    "RandomContrast(1.5)": (ValueError, "in the range [0, 1]. Received: factor=1.5"),
    "RandomContrast(-0.5)": (ValueError, "Received: factor=-0.5"),
    "RandomFlip(data_format='nhwc')": (ValueError, "Received: data_format=nhwc"),
}


def test_every_error_case_has_an_expectation():
    assert sorted(ERRORS) == sorted(label for label, _ in ERROR_CASES)


@pytest.mark.parametrize("label,make", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_arguments_raise_keras_errors(label, make):
    error, fragment = ERRORS[label]
    with pytest.raises(error) as info:
        make(L)
    assert fragment in str(info.value)


@pytest.mark.parametrize("make,shape,fragment", [
    (lambda: L.ZeroPadding2D(), (2, 3, 4), "expected ndim=4, found ndim=3"),
    (lambda: L.Cropping2D(), (2, 3, 4, 1, 1), "expected ndim=4, found ndim=5"),
    (lambda: L.UpSampling1D(), (2, 3), "expected ndim=3, found ndim=2"),
    (lambda: L.SpatialDropout1D(0.2), (2, 3, 4, 5), "expected ndim=3, found ndim=4"),
    (lambda: L.Cropping1D((3, 2)), (2, 5, 4), "must be smaller than the input length"),
    (lambda: L.Cropping2D(((1, 1), (2, 2))), (2, 5, 4, 1), "should be smaller than"),
    (lambda: L.Cropping2D(((1, 1), (2, 2)), data_format="channels_first"), (2, 1, 5, 4),
     "should be smaller than"),
    (lambda: L.RandomFlip(), (2, 3), "Expected image tensor to have rank 3"),
    (lambda: L.RandomContrast(0.2), (2, 3, 4, 5, 1), "Expected image tensor to have rank"),
])
def test_bad_inputs_name_the_problem(make, shape, fragment):
    with pytest.raises(ValueError, match=None) as info:
        make()(np.zeros(shape, "float32"))
    assert fragment in str(info.value)
    with pytest.raises(ValueError):  # symbolic inputs too
        make()(keraslite.Input(shape[1:]))


def test_rank_is_checked_after_building():
    layer = L.ZeroPadding1D()
    layer(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="zero_padding1d.*expected ndim=3"):
        layer(np.zeros((2, 3), "float32"))


def test_upsampling_interpolation_and_flip_mode_are_checked():
    with pytest.raises(ValueError, match="Received: interpolation=bicubic"):
        L.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="unknown mode argument diagonal"):
        L.RandomFlip("diagonal")


def test_the_models_training_flag_wins_over_a_nodes():
    # As Keras's functional graphs (which record training=True for these layers).
    x = np.random.default_rng(0).uniform(size=(4, 3, 4, 1)).astype("float32")
    inp = keraslite.Input((3, 4, 1))
    model = keraslite.Model(inp, L.RandomFlip(seed=0)(inp, training=True))
    assert np.array_equal(model.predict(x, verbose=0), x)
    assert not np.array_equal(model(x, training=True), x)
