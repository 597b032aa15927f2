"""keraslite.applications without TensorFlow: parameter counts, preprocess_input
goldens, decode_predictions, the `weights="imagenet"` path through get_file
and the argument errors.

Parameter counts are Keras 3.15.1's `count_params()` of the default models
(`keras.applications.VGG16(weights=None)`, ...); the table of
https://keras.io/api/applications/ rounds them (138.4M, 143.7M, 25.6M,
44.7M, 60.4M, 3.5M, 23.9M). URLs and hashes are copied from Keras's
sources (`keras/src/applications/vgg16.py`, `resnet.py`, ...).
"""
import hashlib
import json
import urllib.error
import urllib.request

import numpy as np
import pytest

import keraslite
from keraslite import applications
from keraslite.applications import imagenet_utils
from keraslite.utils import file_utils
from tests.test_file_utils import offline  # noqa: F401 (a fixture: urlopen fails)

# (application, count_params, number of layers, model name) of the defaults.
DEFAULTS = [
    ("VGG16", 138_357_544, 23, "vgg16"),
    ("VGG19", 143_667_240, 26, "vgg19"),
    ("ResNet50", 25_636_712, 177, "resnet50"),
    ("ResNet101", 44_707_176, 347, "resnet101"),
    ("ResNet152", 60_419_944, 517, "resnet152"),
    ("MobileNetV2", 3_538_984, 156, "mobilenetv2_1.00_224"),
    ("InceptionV3", 23_851_784, 313, "inception_v3"),
]


@pytest.mark.parametrize("app,params,n_layers,name", DEFAULTS,
                         ids=[d[0] for d in DEFAULTS])
def test_default_architectures_have_keras_parameter_counts(app, params, n_layers, name):
    model = getattr(applications, app)(weights=None)
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    assert model.name == name
    assert model.output.shape == (None, 1000)


def test_smaller_variants_have_keras_parameter_counts():
    # Keras 3.15.1: VGG16(include_top=False) 14,714,688 and
    # MobileNetV2(alpha=0.35, input_shape=(96, 96, 3)) 1,691,208 parameters.
    vgg = applications.VGG16(weights=None, include_top=False)
    assert vgg.count_params() == 14_714_688
    assert vgg.output.shape == (None, None, None, 512)
    mobile = applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))
    assert mobile.count_params() == 1_691_208
    assert mobile.name == "mobilenetv2_0.35_96"


def test_public_names_are_keras_names():
    for name in ("VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152",
                 "MobileNetV2", "InceptionV3"):
        assert callable(getattr(applications, name))
    expected = {"vgg16": {"VGG16"}, "vgg19": {"VGG19"},
                "resnet": {"ResNet50", "ResNet101", "ResNet152"},
                "resnet50": {"ResNet50"}, "mobilenet_v2": {"MobileNetV2"},
                "inception_v3": {"InceptionV3"}}
    for module, models in expected.items():
        mod = getattr(applications, module)
        for name in models | {"preprocess_input", "decode_predictions"}:
            assert callable(getattr(mod, name)), (module, name)
    assert applications.resnet50.ResNet50 is applications.ResNet50


@pytest.mark.parametrize("pooling,shape", [(None, (None, 1, 1, 2048)),
                                           ("avg", (None, 2048)), ("max", (None, 2048))])
def test_pooling_and_predict_on_small_images(pooling, shape):
    model = applications.ResNet50(weights=None, include_top=False, pooling=pooling,
                                  input_shape=(32, 32, 3))
    assert model.output.shape == shape
    layer_names = [layer.name for layer in model.layers]
    assert layer_names[-1] == {None: "conv5_block3_out", "avg": "avg_pool",
                               "max": "max_pool"}[pooling]
    y = model.predict(np.zeros((2, 32, 32, 3), "float32"), verbose=0)
    assert y.shape == (2,) + shape[1:] and y.dtype == np.float32


def test_input_tensor_sources_become_the_model_inputs():
    inputs = keraslite.Input(shape=(75, 75, 3), name="pixels")
    scaled = keraslite.layers.Rescaling(1.0 / 127.5, offset=-1)(inputs)
    model = applications.InceptionV3(weights=None, include_top=False,
                                     input_tensor=scaled, pooling="avg")
    assert model.inputs[0] is inputs
    assert [layer.name for layer in model.layers[:2]] == ["pixels", "rescaling"]
    with pytest.raises(ValueError, match="must be a KerasTensor"):
        applications.VGG16(weights=None, include_top=False,
                           input_tensor=np.zeros((1, 32, 32, 3)))


# --- preprocess_input -----------------------------------------------------------
# One pixel (R, G, B) = (255, 0, 10). Expected values from Keras's constants
# (keras/src/applications/imagenet_utils.py): caffe flips to BGR and
# subtracts [103.939, 116.779, 123.68]; tf maps [0, 255] to [-1, 1]; torch
# divides by 255, subtracts [0.485, 0.456, 0.406] and divides by
# [0.229, 0.224, 0.225].
PIXEL = [255.0, 0.0, 10.0]
GOLDENS = {
    "caffe": [10 - 103.939, 0 - 116.779, 255 - 123.68],
    "tf": [1.0, -1.0, 10 / 127.5 - 1],
    "torch": [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (10 / 255 - 0.406) / 0.225],
}


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_preprocess_input_goldens(mode, fmt):
    x = np.array(PIXEL, "float32").reshape((1, 1, 1, 3) if fmt == "channels_last"
                                           else (1, 3, 1, 1))
    out = imagenet_utils.preprocess_input(x, data_format=fmt, mode=mode)
    np.testing.assert_allclose(out.reshape(3), GOLDENS[mode], rtol=1e-6, atol=1e-5)
    assert out.dtype == np.float32


def test_preprocess_input_follows_keras_unit_test():
    # The checks of Keras's imagenet_utils_test.py::test_preprocess_input.
    rng = np.random.default_rng(0)
    for shape, perm, back in (((2, 10, 10, 3), (0, 3, 1, 2), (0, 2, 3, 1)),
                              ((10, 10, 3), (2, 0, 1), (1, 2, 0))):
        x = rng.uniform(0, 255, shape)
        xint = x.astype("int32")
        assert imagenet_utils.preprocess_input(x.copy()).shape == x.shape
        assert imagenet_utils.preprocess_input(xint).shape == xint.shape
        out1 = imagenet_utils.preprocess_input(x.copy(), "channels_last")
        out2 = imagenet_utils.preprocess_input(np.transpose(x, perm).copy(),
                                               "channels_first")
        np.testing.assert_allclose(out1, out2.transpose(back))
        out1int = imagenet_utils.preprocess_input(xint, "channels_last")
        out2int = imagenet_utils.preprocess_input(np.transpose(xint, perm),
                                                  "channels_first")
        np.testing.assert_allclose(out1int, out2int.transpose(back))
    # Float input is written over (the caffe result is a BGR view of it).
    for mode in ("torch", "tf"):
        x = rng.uniform(0, 255, (2, 10, 10, 3))
        np.testing.assert_allclose(x, imagenet_utils.preprocess_input(x, mode=mode))
    x = rng.uniform(0, 255, (2, 10, 10, 3))
    x2 = imagenet_utils.preprocess_input(x, data_format="channels_last", mode="caffe")
    np.testing.assert_allclose(x, x2[..., ::-1])
    xint = x.astype("int64")
    xint2 = imagenet_utils.preprocess_input(xint)
    assert xint.astype("float").max() != xint2.max()


def test_application_preprocess_modes():
    x = np.array(PIXEL, "float32").reshape(1, 1, 1, 3)
    for module, mode in (("vgg16", "caffe"), ("vgg19", "caffe"), ("resnet", "caffe"),
                         ("resnet50", "caffe"), ("mobilenet_v2", "tf"),
                         ("inception_v3", "tf")):
        out = getattr(applications, module).preprocess_input(x.copy())
        np.testing.assert_allclose(out.reshape(3), GOLDENS[mode], rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_input_on_a_symbolic_input_matches_numpy(mode):
    inputs = keraslite.Input(shape=(4, 5, 3))
    model = keraslite.Model(inputs, imagenet_utils.preprocess_input(inputs, mode=mode))
    x = np.random.default_rng(1).uniform(0, 255, (2, 4, 5, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               imagenet_utils.preprocess_input(x.copy(), mode=mode),
                               rtol=1e-6, atol=1e-5)


def test_preprocess_input_errors():
    x = np.zeros((1, 2, 2, 3))
    with pytest.raises(ValueError, match=r"Expected mode to be one of `caffe`, `tf` "
                                         r"or `torch`. Received: mode=bgr"):
        imagenet_utils.preprocess_input(x, mode="bgr")
    with pytest.raises(ValueError, match="Expected data_format to be one of "
                                         "`channels_first` or `channels_last`. "
                                         "Received: data_format=NHWC"):
        applications.vgg16.preprocess_input(x, data_format="NHWC")


# --- decode_predictions and the class index --------------------------------------
def _write_class_index(path):
    index = {str(i): [f"n{i:08d}", f"label_{i}"] for i in range(1000)}
    path.write_text(json.dumps(index))
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def fresh_class_index(monkeypatch):
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)


@pytest.fixture
def get_file_with_hash(monkeypatch):
    """Swaps only the expected hash of the application's get_file call (after
    checking it is Keras's) for the hash of the local fake file; the cache
    lookup and the hash check are the real get_file's."""
    real = file_utils.get_file
    seen = []

    def install(keras_hash, local_hash):
        def get_file(fname, origin, **kwargs):
            seen.append((fname, origin, dict(kwargs)))
            assert kwargs.get("file_hash") == keras_hash
            return real(fname, origin, **(kwargs | {"file_hash": local_hash}))

        monkeypatch.setattr(file_utils, "get_file", get_file)
        return seen

    return install


def test_decode_predictions_reads_the_cached_class_index(
        keraslite_home, fresh_class_index, get_file_with_hash, offline):
    models = keraslite_home / "models"
    models.mkdir()
    local_hash = _write_class_index(models / "imagenet_class_index.json")
    seen = get_file_with_hash("c2c37ea517e94d9795004a39431a14cb", local_hash)
    preds = np.zeros((2, 1000), "float32")
    preds[0, [7, 3, 999]] = [0.5, 0.25, 0.125]
    preds[1, 42] = 1.0
    decoded = applications.resnet.decode_predictions(preds, top=3)
    assert decoded[0] == [("n00000007", "label_7", 0.5), ("n00000003", "label_3", 0.25),
                          ("n00000999", "label_999", 0.125)]
    assert decoded[1][0] == ("n00000042", "label_42", 1.0)
    assert len(decoded[1]) == 3
    assert seen == [("imagenet_class_index.json",
                     "https://storage.googleapis.com/download.tensorflow.org/"
                     "data/imagenet_class_index.json",
                     {"cache_subdir": "models",
                      "file_hash": "c2c37ea517e94d9795004a39431a14cb"})]
    assert offline == []  # found in the cache, nothing fetched


def test_a_class_index_with_another_hash_is_refetched(keraslite_home, fresh_class_index,
                                                      offline):
    models = keraslite_home / "models"
    models.mkdir()
    _write_class_index(models / "imagenet_class_index.json")
    with pytest.raises(file_utils.DownloadError, match="c2c37ea517e94d9795004a39431a14cb"):
        imagenet_utils.decode_predictions(np.zeros((1, 1000), "float32"))
    assert offline == [imagenet_utils.CLASS_INDEX_PATH]


def test_decode_predictions_needs_a_batch_of_1000_scores():
    with pytest.raises(ValueError, match=r"\(samples, 1000\)\). Received array with "
                                         r"shape: \(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


# --- weights="imagenet" through get_file ---------------------------------------------
BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
# (application, kwargs, file name, URL, file_hash), from Keras's sources.
IMAGENET_FILES = [
    ("VGG16", dict(include_top=False), "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
     BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "6d6bbae143d832006294945121d1f1fc"),
    ("VGG19", dict(include_top=False), "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
     BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "253f8cb515780f3b799900260a226db6"),
    ("ResNet50", dict(), "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
     BASE + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5",
     "2cb95161c43110f7111970584f804107"),
    ("ResNet50", dict(include_top=False),
     "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
     BASE + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "4d473c1dd8becc155b73f8504c6f6626"),
    ("ResNet101", dict(), "resnet101_weights_tf_dim_ordering_tf_kernels.h5",
     BASE + "resnet/resnet101_weights_tf_dim_ordering_tf_kernels.h5",
     "f1aeb4b969a6efcfb50fad2f0c20cfc5"),
    ("ResNet152", dict(include_top=False),
     "resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5",
     BASE + "resnet/resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    ("MobileNetV2", dict(alpha=0.35, input_shape=(96, 96, 3)),
     "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5",
     BASE + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5",
     None),
    ("MobileNetV2", dict(include_top=False, input_shape=(100, 120, 3)),
     "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
     BASE + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
     None),
    ("InceptionV3", dict(), "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
     BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
     "9a0d58056eeedaa3f26cb7ebd46da564"),
    ("InceptionV3", dict(include_top=False),
     "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
     BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "bcbd6486424b2319ff4ef7d526e38f63"),
]


class _Stop(Exception):
    pass


@pytest.mark.filterwarnings("ignore:`input_shape` is undefined or non-square")
@pytest.mark.parametrize("app,kwargs,fname,origin,file_hash", IMAGENET_FILES,
                         ids=[f"{c[0]}-{c[2]}" for c in IMAGENET_FILES])
def test_imagenet_weights_are_fetched_with_keras_names_urls_and_hashes(
        monkeypatch, app, kwargs, fname, origin, file_hash):
    calls = []

    def get_file(*args, **kwargs):
        calls.append((args, kwargs))
        raise _Stop

    monkeypatch.setattr(file_utils, "get_file", get_file)
    with pytest.raises(_Stop):
        getattr(applications, app)(weights="imagenet", **kwargs)
    assert calls == [((fname, origin), {"cache_subdir": "models", "file_hash": file_hash})]


def _published_style_file(path, **kwargs):
    """A legacy weights-only `.h5` (Keras's published layout) of a random
    ResNet50 without its top, written by keraslite's legacy writer."""
    model = applications.ResNet50(weights=None, include_top=False, **kwargs)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.05, w.shape).astype("float32")
                       if w.ndim > 1 else rng.uniform(0.5, 1.5, w.shape).astype("float32")
                       for w in model.get_weights()])
    model.save_weights(str(path))
    return model


def test_imagenet_weights_load_from_the_cache(keraslite_home, get_file_with_hash, offline):
    models = keraslite_home / "models"
    models.mkdir()
    target = models / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    source = _published_style_file(target, input_shape=(32, 32, 3), pooling="avg")
    local_hash = hashlib.md5(target.read_bytes()).hexdigest()
    seen = get_file_with_hash("4d473c1dd8becc155b73f8504c6f6626", local_hash)
    model = applications.ResNet50(weights="imagenet", include_top=False,
                                  input_shape=(32, 32, 3), pooling="avg")
    assert [fname for fname, _, _ in seen] == [target.name]
    assert offline == []
    for a, b in zip(model.get_weights(), source.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(2).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), source.predict(x, verbose=0))


def test_a_cached_file_without_keras_hash_is_refetched(keraslite_home, offline):
    models = keraslite_home / "models"
    models.mkdir()
    target = models / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    _published_style_file(target, input_shape=(32, 32, 3))
    with pytest.raises(file_utils.DownloadError, match="4d473c1dd8becc155b73f8504c6f6626"):
        applications.ResNet50(weights="imagenet", include_top=False,
                              input_shape=(32, 32, 3))
    assert offline == [BASE + "resnet/" + target.name]


def test_weights_path_loads_by_layer_order(tmp_path):
    path = tmp_path / "weights.h5"
    source = _published_style_file(path, input_shape=(32, 32, 3))
    model = applications.ResNet50(weights=str(path), include_top=False,
                                  input_shape=(32, 32, 3))
    for a, b in zip(model.get_weights(), source.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    keras3_file = tmp_path / "model.weights.h5"
    source.save_weights(str(keras3_file))
    model = applications.ResNet50(weights=keras3_file, include_top=False,
                                  input_shape=(32, 32, 3))
    for a, b in zip(model.get_weights(), source.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="[Ll]ayer count mismatch"):
        applications.ResNet50(weights=str(path), include_top=True,
                              input_shape=(32, 32, 3))


# --- argument errors (Keras's messages) ----------------------------------------------
@pytest.mark.parametrize("make,message", [
    (lambda: applications.VGG16(weights="missing.h5"),
     "The `weights` argument should be either `None` (random initialization), "
     "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
     "loaded.  Received: weights=missing.h5"),
    (lambda: applications.ResNet50(weights="imagenet", classes=10),
     "If using `weights='imagenet'` with `include_top=True`, `classes` should be "
     "1000.  Received classes=10"),
    (lambda: applications.MobileNetV2(weights="imagenet", classes=10),
     'If using `weights="imagenet"` with `include_top` as true, `classes` should be '
     "1000. Received `classes=10`"),
    (lambda: applications.InceptionV3(weights="x"),
     "The `weights` argument should be either `None` (random initialization), "
     "`imagenet` (pre-training on ImageNet), or the path to the weights file to be "
     "loaded; Received: weights=x"),
    (lambda: applications.VGG19(weights=None, include_top=False,
                                input_shape=(31, 64, 3)),
     "Input size must be at least 32x32; Received: input_shape=(31, 64, 3)"),
    (lambda: applications.InceptionV3(weights=None, include_top=False,
                                      input_shape=(75, 74, 3)),
     "Input size must be at least 75x75; Received: input_shape=(75, 74, 3)"),
    (lambda: applications.ResNet50(weights="imagenet", input_shape=(64, 64, 3)),
     "When setting `include_top=True` and loading `imagenet` weights, `input_shape` "
     "should be (224, 224, 3).  Received: input_shape=(64, 64, 3)"),
    (lambda: applications.VGG16(weights="imagenet", include_top=False,
                                input_shape=(64, 64, 1)),
     "The input must have 3 channels; Received `input_shape=(64, 64, 1)`"),
    (lambda: applications.ResNet101(weights=None, input_shape=(None, None, 3)),
     "If `include_top` is True, you should specify a static `input_shape`. "
     "Received: input_shape=(None, None, 3)"),
    (lambda: applications.MobileNetV2(weights="imagenet", alpha=0.9),
     "If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, "
     "`0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha=0.9`"),
    (lambda: applications.VGG16(weights=None, input_shape=(64, 64)),
     "`input_shape` must be a tuple of three integers."),
])
def test_bad_arguments_raise_keras_errors(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_pretrained_weights_allow_only_softmax_or_no_activation():
    imagenet_utils.validate_activation("relu", None)
    imagenet_utils.validate_activation("softmax", "imagenet")
    imagenet_utils.validate_activation(None, "imagenet")
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are "
                                         "allowed"):
        imagenet_utils.validate_activation("sigmoid", "imagenet")
    with pytest.raises(ValueError, match="Only `None` and `softmax`"):
        applications.MobileNetV2(weights="imagenet", alpha=0.35, input_shape=(96, 96, 3),
                                 classifier_activation="relu")


def test_input_channels_warning_and_obtain_input_shape():
    with pytest.warns(UserWarning, match="usually expects 1 or 3 input channels"):
        shape = imagenet_utils.obtain_input_shape((40, 40, 5), 224, 32,
                                                  "channels_last", False)
    assert shape == (40, 40, 5)
    assert imagenet_utils.obtain_input_shape(None, 299, 75, "channels_first", True) == \
        (3, 299, 299)
    assert imagenet_utils.obtain_input_shape(None, 224, 32, "channels_last", False) == \
        (None, None, 3)


def test_correct_pad():
    assert imagenet_utils.correct_pad(keraslite.Input((8, 9, 3)), 3) == ((0, 1), (1, 1))
    assert imagenet_utils.correct_pad(keraslite.Input((None, None, 3)), (3, 5)) == \
        ((0, 1), (1, 2))


def test_urlopen_is_never_called_with_weights_none(monkeypatch):
    def fail(*args, **kwargs):
        raise urllib.error.URLError("no network in tests")

    monkeypatch.setattr(urllib.request, "urlopen", fail)
    applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))
