"""`keraslite.applications` beside `keras.applications`.

Architectures with `weights=None` (small inputs, with and without the top,
each pooling, both data formats, `input_tensor`): layer names, classes,
output shapes, every layer's config and `count_params` equal Keras's.
Weights: Keras-written files in the published legacy format, Keras's
`.keras` and `.h5` model files, and keraslite's files read by Keras,
predict within 1e-4 (relative to max(1, |y|)). `preprocess_input` of every
mode and data format (NumPy and symbolic inputs) within 1e-6,
`decode_predictions` on a fake class index, and the `get_file` calls of
`weights="imagenet"` equal Keras's.
"""
import warnings

import numpy as np
import pytest

import keraslite
from compat_tests import parity_applications as apps
from compat_tests.parity import run_row

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True, scope="module")
def _release_models_and_files():
    """Frees this module's large models and any HDF5 handles left to the
    garbage collector before later modules run (their loaders fork a child
    that walks HDF5 files)."""
    import gc

    yield
    keras.backend.clear_session()
    keraslite.backend.clear_session()
    gc.collect()

STRUCTURE_CASES = [
    ("VGG16", dict(include_top=False), "channels_last"),
    ("VGG16", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg"),
     "channels_last"),
    ("VGG19", dict(include_top=True, input_shape=(32, 32, 3), classes=5,
                   classifier_activation=None), "channels_last"),
    ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3), pooling="max"),
     "channels_last"),
    ("ResNet50", dict(include_top=False, input_shape=(3, 32, 32), pooling="avg"),
     "channels_first"),
    ("ResNet101", dict(include_top=True, input_shape=(32, 32, 3), classes=3),
     "channels_last"),
    ("MobileNetV2", dict(include_top=False), "channels_last"),
    ("MobileNetV2", dict(alpha=0.5, include_top=True, input_shape=(128, 128, 3)),
     "channels_last"),
    ("MobileNetV2", dict(alpha=0.75, include_top=False, input_shape=(96, 128, 3),
                         pooling="max"), "channels_last"),
    ("MobileNetV2", dict(alpha=1.4, include_top=True, input_shape=(3, 96, 96)),
     "channels_first"),
    ("MobileNetV2", dict(alpha=1.3, include_top=False, input_shape=(33, 35, 3)),
     "channels_last"),
    ("InceptionV3", dict(include_top=True, input_shape=(75, 75, 3),
                         classifier_activation="sigmoid"), "channels_last"),
    ("InceptionV3", dict(include_top=False, input_shape=(3, 80, 76), pooling="max"),
     "channels_first"),
]


def _configs(model):
    from compat_tests.parity_models import _plain

    out = []
    for layer in model.layers:
        config = _plain(layer.get_config())
        config.pop("dtype", None)  # a policy dict in Keras, float32 in both
        out.append(config)
    return out


@pytest.mark.parametrize("app,kwargs,fmt", STRUCTURE_CASES,
                         ids=[f"{a}-{k}-{f}" for a, k, f in STRUCTURE_CASES])
def test_architecture_equals_keras(app, kwargs, fmt):
    with apps.data_format(fmt), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = apps.build_pair(app, kwargs)
    assert apps.structure(ours) == apps.structure(theirs)
    ours_configs, theirs_configs = _configs(ours), _configs(theirs)
    for layer, a, b in zip(ours.layers, ours_configs, theirs_configs, strict=True):
        assert a == b, layer.name
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]


def test_input_tensor_with_a_predecessor_keeps_it_in_the_model():
    models = []
    for lib in (keraslite, keras):
        lib.backend.clear_session()
        inputs = lib.Input(shape=(32, 32, 3), name="pixels")
        scaled = lib.layers.Rescaling(1.0 / 255)(inputs)
        models.append(lib.applications.ResNet50(weights=None, input_tensor=scaled,
                                                include_top=False, pooling="avg"))
    ours, theirs = models
    assert apps.structure(ours) == apps.structure(theirs)
    assert ours.layers[0].name == "pixels" and ours.layers[1].name == "rescaling"
    assert [t.shape for t in ours.inputs] == [tuple(t.shape) for t in theirs.inputs]


# --- weights ----------------------------------------------------------------------
WEIGHT_CASES = [case for case in apps.APP_CASES
                if case[0] not in ("ResNet101", "ResNet152")] + [
    ("MobileNetV2", dict(include_top=False, input_shape=(128, 128, 3), alpha=1.4,
                         pooling="avg"), 128),
    ("InceptionV3", dict(include_top=True, input_shape=(80, 80, 3)), 80),
]


def _close(ours, theirs):
    a, b = apps.relative_to_scale(ours, theirs)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


@pytest.mark.parametrize("app,kwargs,size", WEIGHT_CASES,
                         ids=[f"{a}-{k}" for a, k, _ in WEIGHT_CASES])
def test_keras_weights_file_in_the_published_format_predicts_the_same(
        tmp_path, app, kwargs, size):
    keras.backend.clear_session()
    theirs = getattr(keras.applications, app)(weights=None, **kwargs)
    apps.randomize_keras(theirs, seed=3)
    path = apps.write_published_weights(theirs, str(tmp_path / "weights.h5"))
    ours = getattr(keraslite.applications, app)(weights=path, **kwargs)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = apps.images(size, seed=4)
    _close(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))


FILE_CASES = [("VGG16", dict(include_top=False, input_shape=(32, 32, 3),
                             pooling="max"), 32),
              ("ResNet50", dict(include_top=True, input_shape=(32, 32, 3)), 32)]


@pytest.mark.parametrize("suffix", [".keras", ".h5", "legacy weights .h5"])
@pytest.mark.parametrize("app,kwargs,size", FILE_CASES, ids=["VGG16", "ResNet50"])
def test_keras_saved_files_load_in_keraslite(tmp_path, app, kwargs, size, suffix):
    keras.backend.clear_session()
    theirs = getattr(keras.applications, app)(weights=None, **kwargs)
    apps.randomize_keras(theirs, seed=5)
    x = apps.images(size, seed=6)
    expected = theirs.predict(x, verbose=0)
    if suffix == "legacy weights .h5":
        path = apps.write_published_weights(theirs, str(tmp_path / "w.h5"))
        ours = getattr(keraslite.applications, app)(weights=None, **kwargs)
        ours.load_weights(path)
    else:
        path = str(tmp_path / f"model{suffix}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs.save(path)
        ours = keraslite.models.load_model(path)
        assert [layer.name for layer in ours.layers] == \
            [layer.name for layer in theirs.layers]
    _close(ours.predict(x, verbose=0), expected)


def _randomize_keraslite(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32")
                               if w.name in ("gamma", "moving_variance") else
                               rng.normal(0, 0.1, w.shape).astype("float32")
                               for w in layer.weights])


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5", "legacy weights .h5"])
@pytest.mark.parametrize("app,kwargs,size", FILE_CASES, ids=["VGG16", "ResNet50"])
def test_keraslite_saved_files_load_in_keras(tmp_path, app, kwargs, size, suffix):
    keraslite.backend.clear_session()
    ours = getattr(keraslite.applications, app)(weights=None, **kwargs)
    _randomize_keraslite(ours, seed=7)
    x = apps.images(size, seed=8)
    expected = ours.predict(x, verbose=0)
    keras.backend.clear_session()
    if suffix in (".weights.h5", "legacy weights .h5"):
        path = str(tmp_path / ("w.weights.h5" if suffix == ".weights.h5" else "w.h5"))
        ours.save_weights(path)
        # Keras's application loads it as `weights=path` (model.load_weights).
        theirs = getattr(keras.applications, app)(weights=path, **kwargs)
    else:
        path = str(tmp_path / f"model{suffix}")
        ours.save(path)
        theirs = keras.models.load_model(path)
    _close(theirs.predict(x, verbose=0), expected)


@pytest.mark.parametrize("app,kwargs,size", [
    ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg"), 32),
    ("MobileNetV2", dict(include_top=True, alpha=0.35, input_shape=(96, 96, 3)), 96),
], ids=["ResNet50", "MobileNetV2"])
def test_imagenet_weights_come_through_get_file_as_in_keras(tmp_path, app, kwargs, size):
    """Both libraries fetch the same file name from the same URL with the same
    hash; given the same file they predict the same."""
    keras.backend.clear_session()
    source = getattr(keras.applications, app)(weights=None, **kwargs)
    apps.randomize_keras(source, seed=9)
    path = apps.write_published_weights(source, str(tmp_path / "published.h5"))
    calls = []
    x = apps.images(size, seed=10)
    with apps.patched_get_file(lambda fname: path, calls):
        ours = getattr(keraslite.applications, app)(weights="imagenet", **kwargs)
        theirs = getattr(keras.applications, app)(weights="imagenet", **kwargs)
    (_, *ours_call), (_, *theirs_call) = calls
    assert ours_call == theirs_call
    assert ours_call[2]["cache_subdir"] == "models"
    _close(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               source.predict(x, verbose=0), atol=1e-4)


def test_imagenet_get_file_arguments_equal_keras():
    result = run_row(apps._imagenet_row())
    assert result.passed, result.failures


# --- preprocessing and decoding ---------------------------------------------------
@pytest.mark.parametrize("mode,fmt,ndim,dtype", apps.PREPROCESS_CASES + [
    ("caffe", "channels_last", 4, "float64"), ("torch", "channels_first", 3, "float64"),
    ("tf", "channels_last", 4, "int32")])
def test_preprocess_input_numpy_equals_keras(mode, fmt, ndim, dtype):
    pairs = apps.preprocess_pairs(
        lambda x, **k: keraslite.applications.imagenet_utils.preprocess_input(
            x, mode=mode, **k),
        lambda x, **k: keras.applications.imagenet_utils.preprocess_input(
            x, mode=mode, **k),
        mode, fmt, ndim, dtype, seed=11)
    for pair in pairs:
        if pair.exact:
            assert pair.ours == pair.theirs
        else:
            np.testing.assert_allclose(pair.ours, pair.theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_preprocess_input_on_a_symbolic_input_equals_keras(mode, fmt):
    shape = (5, 4, 3) if fmt == "channels_last" else (3, 5, 4)
    x = np.random.default_rng(12).uniform(0, 255, (2,) + shape).astype("float32")
    outputs = []
    for lib in (keraslite, keras):
        inputs = lib.Input(shape=shape)
        out = lib.applications.imagenet_utils.preprocess_input(inputs, data_format=fmt,
                                                               mode=mode)
        outputs.append(lib.Model(inputs, out).predict(x, verbose=0))
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-6, atol=1e-6)


def test_preprocess_input_row_passes():
    result = run_row(apps._preprocess_row())
    assert result.passed, result.failures


@pytest.mark.parametrize("top", [1, 3, 10])
def test_decode_predictions_equals_keras(tmp_path, top):
    index = apps.fake_class_index(str(tmp_path / "imagenet_class_index.json"))
    for pair in apps.decode_pairs(index, top=top, seed=top):
        if pair.exact:
            assert pair.ours == pair.theirs, pair.label
        else:
            np.testing.assert_allclose(pair.ours, pair.theirs, rtol=0, atol=0)


def test_helpers_and_errors_equal_keras():
    result = run_row(apps._helpers_row())
    assert result.passed, result.failures


def test_classifier_activation_with_imagenet_weights_raises_like_keras():
    outcomes = []
    for lib in (keraslite, keras):
        lib.backend.clear_session()
        kind, message = apps.outcome(lambda: lib.applications.MobileNetV2(
            weights="imagenet", alpha=0.35, input_shape=(96, 96, 3),
            classifier_activation="relu"))
        # The message ends with the function's repr; compare what precedes.
        outcomes.append((kind, message.split("classifier_activation=")[0]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "ValueError" and "Only `None` and `softmax`" in outcomes[0][1]
