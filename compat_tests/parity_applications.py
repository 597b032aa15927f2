"""Parity rows of `keraslite.applications` (issue 11): each architecture's
layer names, classes, output shapes, parameter count and predictions on
weights written by Keras in its published (legacy `.h5`) format;
`preprocess_input` in every mode and data format; `decode_predictions`;
`obtain_input_shape`, `correct_pad`, `validate_activation` and the
argument errors; the `get_file` arguments of `weights="imagenet"`.

The helpers here are shared with compat_tests/test_applications_compat.py.
"""
import contextlib
import os
import tempfile

import numpy as np

import keraslite
from compat_tests.parity_models import _lib

# (application, kwargs (weights=None), image size) of the table's rows.
APP_CASES = [
    ("VGG16", dict(include_top=True, input_shape=(32, 32, 3), classes=10), 32),
    ("VGG19", dict(include_top=False, input_shape=(32, 32, 3), pooling="max"), 32),
    ("ResNet50", dict(include_top=True, input_shape=(32, 32, 3)), 32),
    ("ResNet101", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg"), 32),
    ("ResNet152", dict(include_top=False, input_shape=(32, 32, 3)), 32),
    ("MobileNetV2", dict(include_top=True, input_shape=(96, 96, 3), alpha=0.35), 96),
    ("InceptionV3", dict(include_top=False, input_shape=(75, 75, 3), pooling="avg"), 75),
]
# Modules of each application (Keras's `keras.applications.<module>`).
MODULES = {"VGG16": ("vgg16",), "VGG19": ("vgg19",),
           "ResNet50": ("resnet", "resnet50"), "ResNet101": ("resnet",),
           "ResNet152": ("resnet",), "MobileNetV2": ("mobilenet_v2",),
           "InceptionV3": ("inception_v3",)}
PREPROCESS_MODULES = ("vgg16", "vgg19", "resnet", "resnet50", "mobilenet_v2",
                      "inception_v3")


def clear_sessions():
    _, keras = _lib()
    keras.backend.clear_session()
    keraslite.backend.clear_session()


@contextlib.contextmanager
def data_format(value):
    """Both libraries' image_data_format set to `value` for the block."""
    _, keras = _lib()
    before = (keras.backend.image_data_format(), keraslite.backend.image_data_format())
    keras.backend.set_image_data_format(value)
    keraslite.backend.set_image_data_format(value)
    try:
        yield
    finally:
        keras.backend.set_image_data_format(before[0])
        keraslite.backend.set_image_data_format(before[1])


def structure(model):
    """What must equal Keras's: the model name, every layer's name, class and
    output shape, and the parameter count."""
    return {
        "name": model.name,
        "layers": [(layer.name, type(layer).__name__, tuple(layer.output.shape))
                   for layer in model.layers],
        "count_params": int(model.count_params()),
    }


def build_pair(app, kwargs):
    """The Keras and keraslite models of `app(weights=None, **kwargs)`, each
    built after a clear_session (so automatic names start from 0)."""
    _, keras = _lib()
    clear_sessions()
    keras.utils.set_random_seed(0)  # Keras's initial weights, reproducibly
    theirs = getattr(keras.applications, app)(weights=None, **kwargs)
    keraslite.backend.clear_session()
    ours = getattr(keraslite.applications, app)(weights=None, **kwargs)
    return ours, theirs


def randomize_keras(model, seed=0):
    """Keras's random initial weights, with BatchNormalization statistics
    and scales drawn at random as well (so the check covers them)."""
    rng = np.random.default_rng(seed)
    draws = {"moving_mean": lambda s: rng.normal(0, 0.1, s),
             "moving_variance": lambda s: rng.uniform(0.5, 1.5, s),
             "gamma": lambda s: rng.uniform(0.5, 1.5, s),
             "beta": lambda s: rng.normal(0, 0.1, s)}
    for weight in model.weights:
        draw = draws.get(weight.path.split("/")[-1])
        if draw is not None:
            weight.assign(draw(tuple(weight.shape)).astype("float32"))


def write_published_weights(model, path):
    """`model`'s weights as Keras's published application files are: a
    Keras-2-style weights-only `.h5` (`layer_names`/`weight_names`
    attributes), written by Keras's own `save_weights_to_hdf5_group`."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


def images(size, n=2, seed=1, channels_first=False):
    shape = (n, 3, size, size) if channels_first else (n, size, size, 3)
    x = np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")
    return keraslite.applications.imagenet_utils.preprocess_input(x, mode="caffe")


def relative_to_scale(ours, theirs):
    """`ours` and `theirs` divided by max(1, max |theirs|): differences of
    large activations (deep random networks reach ~50) read relatively."""
    scale = max(1.0, float(np.abs(theirs).max()))
    return np.asarray(ours) / scale, np.asarray(theirs) / scale


def _app_row(app, kwargs, size):
    from compat_tests.parity import Pair, Row

    predict = app not in ("ResNet101", "ResNet152")  # same blocks as ResNet50

    def compute():
        ours, theirs = build_pair(app, kwargs)
        a, b = structure(ours), structure(theirs)
        pairs = [Pair(f"{key}", a[key], b[key], exact=True) for key in a]
        if predict:
            randomize_keras(theirs)
            with tempfile.TemporaryDirectory() as tmp:
                path = write_published_weights(theirs, os.path.join(tmp, "w.h5"))
                keraslite.backend.clear_session()
                loaded = getattr(keraslite.applications, app)(weights=path, **kwargs)
            x = images(size)
            pairs.append(Pair("predict on Keras's weights file (/ max(1, |y|))",
                              *relative_to_scale(loaded.predict(x, verbose=0),
                                                 theirs.predict(x, verbose=0))))
        return pairs

    modules = MODULES[app]
    covers = (f"applications.{app}",) + tuple(f"applications.{m}.{app}" for m in modules
                                              if not (m == "resnet50" and app != "ResNet50"))
    if app == "ResNet50":
        covers += ("applications.resnet.ResNet", "applications.resnet.residual_block_v1",
                   "applications.resnet.stack_residual_blocks_v1")
    if app == "MobileNetV2":
        covers += ("applications.imagenet_utils.correct_pad",)
    if app == "InceptionV3":
        covers += ("applications.inception_v3.conv2d_bn",)
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return Row(f"applications.{app}[{args}]", compute, rtol=1e-5, atol=1e-4,
               covers=covers)


# --- preprocess_input -------------------------------------------------------------
PREPROCESS_CASES = [(mode, fmt, ndim, dtype)
                    for mode in ("caffe", "tf", "torch")
                    for fmt in ("channels_last", "channels_first")
                    for ndim in (3, 4)
                    for dtype in ("float32", "uint8")]


def preprocess_pairs(fn_ours, fn_theirs, label, fmt, ndim, dtype, seed=0):
    """Pairs of one preprocessing: the result, its dtype, and the input
    array after the call (float input is preprocessed in place)."""
    from compat_tests.parity import Pair

    shape = {3: (3, 5, 4), 4: (2, 3, 5, 4)}[ndim]
    if fmt == "channels_last":
        shape = shape[:-3] + (5, 4, 3)
    x = np.random.default_rng(seed).uniform(0, 255, shape).astype(dtype)
    xa, xb = x.copy(), x.copy()
    ours, theirs = fn_ours(xa, data_format=fmt), fn_theirs(xb, data_format=fmt)
    return [Pair(f"{label} value", ours, np.asarray(theirs)),
            Pair(f"{label} dtype", str(ours.dtype), str(np.asarray(theirs).dtype),
                 exact=True),
            Pair(f"{label} input after the call", xa, xb)]


def _preprocess_row():
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        pairs = []
        for mode, fmt, ndim, dtype in PREPROCESS_CASES:
            pairs += preprocess_pairs(
                lambda x, **k: keraslite.applications.imagenet_utils.preprocess_input(
                    x, mode=mode, **k),
                lambda x, **k: keras.applications.imagenet_utils.preprocess_input(
                    x, mode=mode, **k),
                f"{mode} {fmt} {ndim}D {dtype}", fmt, ndim, dtype)
        for module in PREPROCESS_MODULES:
            for fmt in ("channels_last", "channels_first"):
                pairs += preprocess_pairs(
                    getattr(keraslite.applications, module).preprocess_input,
                    getattr(keras.applications, module).preprocess_input,
                    f"{module} {fmt}", fmt, 4, "float32")
        return pairs

    covers = ("applications.imagenet_utils.preprocess_input",) + tuple(
        f"applications.{m}.preprocess_input" for m in PREPROCESS_MODULES)
    return Row("applications.preprocess_input[3 modes x 2 formats x 3D/4D x "
               "float32/uint8, each module]", compute, rtol=1e-6, atol=1e-6,
               covers=covers)


# --- decode_predictions ---------------------------------------------------------
def fake_class_index(path):
    """A class index in Keras's format (1000 entries of [wnid, label])."""
    import json

    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    with open(path, "w") as f:
        json.dump(index, f)
    return path


@contextlib.contextmanager
def patched_get_file(result, calls=None):
    """Both libraries' `get_file` (as the applications call it) replaced by
    one returning `result(fname)` and recording its arguments in `calls`."""
    from keras.src.applications import imagenet_utils as keras_utils
    from keras.src.utils import file_utils as keras_files

    from keraslite.applications import imagenet_utils
    from keraslite.utils import file_utils

    def fake(library):
        def get_file(fname=None, origin=None, **kwargs):
            if calls is not None:  # arguments left out recorded as their defaults
                calls.append((library, fname, origin,
                              {"cache_subdir": "datasets", "file_hash": None} | kwargs))
            return result(fname)
        return get_file

    saved = (keras_files.get_file, file_utils.get_file, keras_utils.CLASS_INDEX,
             imagenet_utils.CLASS_INDEX)
    keras_files.get_file, file_utils.get_file = fake("keras"), fake("keraslite")
    keras_utils.CLASS_INDEX = imagenet_utils.CLASS_INDEX = None
    try:
        yield
    finally:
        (keras_files.get_file, file_utils.get_file, keras_utils.CLASS_INDEX,
         imagenet_utils.CLASS_INDEX) = saved


def decode_pairs(index_path, top=5, seed=0):
    from compat_tests.parity import Pair

    _, keras = _lib()
    preds = np.random.default_rng(seed).uniform(size=(3, 1000)).astype("float32")
    calls = []
    pairs = []
    with patched_get_file(lambda fname: index_path, calls):
        modules = ("imagenet_utils",) + PREPROCESS_MODULES
        for module in modules:
            ours = getattr(keraslite.applications, module).decode_predictions(preds, top=top)
            theirs = getattr(keras.applications, module).decode_predictions(preds, top=top)
            pairs.append(Pair(f"{module} labels", [[r[:2] for r in s] for s in ours],
                              [[tuple(r[:2]) for r in s] for s in theirs], exact=True))
            pairs.append(Pair(f"{module} scores", [[r[2] for r in s] for s in ours],
                              [[float(r[2]) for r in s] for s in theirs]))
    ours_calls = [c[1:] for c in calls if c[0] == "keraslite"]
    theirs_calls = [c[1:] for c in calls if c[0] == "keras"]
    pairs.append(Pair("get_file arguments", ours_calls, theirs_calls, exact=True))
    return pairs


def _decode_row():
    from compat_tests.parity import Row

    def compute():
        with tempfile.TemporaryDirectory() as tmp:
            return decode_pairs(fake_class_index(os.path.join(tmp, "index.json")))

    covers = ("applications.imagenet_utils.decode_predictions",) + tuple(
        f"applications.{m}.decode_predictions" for m in PREPROCESS_MODULES)
    return Row("applications.decode_predictions[fake class index, get_file call]",
               compute, covers=covers)


# --- helpers and errors ----------------------------------------------------------
def outcome(fn):
    """`("ok", value)` or `(exception class name, message)`."""
    try:
        return "ok", fn()
    except Exception as e:  # the comparison is of what each library raises
        return type(e).__name__, str(e)


OBTAIN_CASES = [
    # (input_shape, default_size, min_size, data_format, require_flatten, weights)
    (None, 224, 32, "channels_last", True, None),
    (None, 224, 32, "channels_last", False, None),
    (None, 224, 32, "channels_first", False, None),
    (None, 299, 75, "channels_first", True, "imagenet"),
    ((32, 32, 3), 224, 32, "channels_last", True, None),
    ((31, 40, 3), 224, 32, "channels_last", False, None),
    ((3, 40, 31), 224, 32, "channels_first", False, None),
    ((64, 64, 3), 224, 32, "channels_last", True, "imagenet"),
    ((224, 224, 3), 224, 32, "channels_last", True, "imagenet"),
    ((64, 64, 4), 224, 32, "channels_last", False, "imagenet"),
    ((4, 64, 64), 224, 32, "channels_first", False, "imagenet"),
    ((64, 64, 5), 224, 32, "channels_last", False, None),
    ((64, 64), 224, 32, "channels_last", False, None),
    ((None, None, 3), 224, 32, "channels_last", True, None),
    ((None, 80, 3), 299, 75, "channels_last", False, "imagenet"),
    ((74, 80, 3), 299, 75, "channels_last", False, "imagenet"),
]


def obtain_pairs():
    import warnings

    from compat_tests.parity import Pair

    _, keras = _lib()
    from keras.src.applications import imagenet_utils as theirs

    ours = keraslite.applications.imagenet_utils
    pairs = []
    for case in OBTAIN_CASES:
        with warnings.catch_warnings(record=True) as w_ours:
            warnings.simplefilter("always")
            a = outcome(lambda: ours.obtain_input_shape(*case))
        with warnings.catch_warnings(record=True) as w_theirs:
            warnings.simplefilter("always")
            b = outcome(lambda: theirs.obtain_input_shape(*case))
        pairs.append(Pair(f"obtain_input_shape{case}", a, b, exact=True))
        pairs.append(Pair(f"obtain_input_shape{case} warnings",
                          [str(w.message) for w in w_ours],
                          [str(w.message) for w in w_theirs], exact=True))
    return pairs


def correct_pad_pairs():
    from compat_tests.parity import Pair

    _, keras = _lib()
    from keras.src.applications import imagenet_utils as theirs

    pairs = []
    for shape in [(None, 7, 7, 3), (None, 8, 9, 3), (None, None, None, 3)]:
        for kernel in (3, (3, 5)):
            a = keraslite.applications.imagenet_utils.correct_pad(
                keraslite.Input(batch_shape=shape), kernel)
            b = theirs.correct_pad(keras.Input(batch_shape=shape), kernel)
            pairs.append(Pair(f"correct_pad{shape, kernel}", a, b, exact=True))
    return pairs


# Bad arguments: (application, kwargs); each raises in Keras before any
# weights are fetched.
ERROR_CASES = [
    ("VGG16", dict(weights="no_such_file.h5")),
    ("VGG16", dict(weights="imagenet", classes=10)),
    ("VGG16", dict(weights=None, input_shape=(31, 32, 3), include_top=False)),
    ("VGG19", dict(weights=None, input_shape=(64, 64))),
    ("VGG16", dict(weights="imagenet", input_shape=(64, 64, 3))),
    ("ResNet50", dict(weights="imagenet", include_top=False, input_shape=(64, 64, 1))),
    ("ResNet50", dict(weights=None, input_shape=(None, None, 3))),
    ("ResNet101", dict(weights="bogus")),
    ("ResNet152", dict(weights="imagenet", classes=2)),
    ("MobileNetV2", dict(weights="bogus")),
    ("MobileNetV2", dict(weights="imagenet", classes=10)),
    ("MobileNetV2", dict(weights="imagenet", alpha=0.6, include_top=False,
                         input_shape=(96, 96, 3))),
    ("MobileNetV2", dict(weights=None, input_shape=(16, 16, 3), include_top=False)),
    ("InceptionV3", dict(weights="bogus")),
    ("InceptionV3", dict(weights="imagenet", classes=10)),
    ("InceptionV3", dict(weights=None, input_shape=(74, 75, 3), include_top=False)),
    ("InceptionV3", dict(weights="imagenet", input_shape=(75, 75, 3))),
]


def error_pairs():
    from compat_tests.parity import Pair

    _, keras = _lib()
    pairs = []
    for app, kwargs in ERROR_CASES:
        a = outcome(lambda: getattr(keraslite.applications, app)(**kwargs))
        b = outcome(lambda: getattr(keras.applications, app)(**kwargs))
        pairs.append(Pair(f"{app}({kwargs})", a, b, exact=True))
    return pairs


def validate_activation_pairs():
    from compat_tests.parity import Pair

    _, keras = _lib()
    from keras.src.applications import imagenet_utils as theirs

    ours = keraslite.applications.imagenet_utils
    pairs = []
    for activation in ("softmax", None, "linear", "relu", "sigmoid"):
        for weights in (None, "imagenet", "w.h5"):
            a = outcome(lambda: ours.validate_activation(activation, weights))
            b = outcome(lambda: theirs.validate_activation(activation, weights))
            # The message ends with the function object; compare what precedes.
            a, b = [(kind, text.split("classifier_activation=")[0])
                    if kind != "ok" else (kind, text) for kind, text in (a, b)]
            pairs.append(Pair(f"validate_activation({activation!r}, {weights!r})",
                              a, b, exact=True))
    return pairs


def _helpers_row():
    from compat_tests.parity import Row

    def compute():
        return (obtain_pairs() + correct_pad_pairs() + validate_activation_pairs()
                + error_pairs())

    return Row("applications.imagenet_utils helpers and argument errors "
               f"({len(OBTAIN_CASES)} input shapes, {len(ERROR_CASES)} bad arguments)",
               compute,
               covers=("applications.imagenet_utils.obtain_input_shape",
                       "applications.imagenet_utils.validate_activation"))


# --- weights="imagenet" ----------------------------------------------------------
# (application, kwargs) built with weights="imagenet": the get_file arguments
# (file name, URL, cache_subdir, file_hash) must be Keras's.
IMAGENET_CASES = [
    ("VGG16", dict(include_top=False)),
    ("VGG19", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet50", dict(include_top=True)),
    ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet101", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet152", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNetV2", dict(include_top=True, alpha=0.35, input_shape=(96, 96, 3))),
    ("MobileNetV2", dict(include_top=False, alpha=1.0, input_shape=(128, 128, 3))),
    ("InceptionV3", dict(include_top=False, input_shape=(75, 75, 3))),
]


class _Fetched(Exception):
    """Raised by the fake get_file once it has recorded its arguments."""


def imagenet_call_pairs(cases=IMAGENET_CASES):
    """The recorded get_file arguments of both libraries, case by case."""
    from compat_tests.parity import Pair

    _, keras = _lib()
    pairs = []
    for app, kwargs in cases:
        calls = []

        def stop(fname):
            raise _Fetched(fname)

        with patched_get_file(stop, calls):
            for library in (keraslite, keras):
                library.backend.clear_session()
                try:
                    getattr(library.applications, app)(weights="imagenet", **kwargs)
                except _Fetched:
                    pass
        ours = [c[1:] for c in calls if c[0] == "keraslite"]
        theirs = [c[1:] for c in calls if c[0] == "keras"]
        pairs.append(Pair(f"{app}({kwargs}) get_file", ours, theirs, exact=True))
    return pairs


def _imagenet_row():
    from compat_tests.parity import Row

    return Row("applications[weights='imagenet': get_file name, URL, cache_subdir, "
               f"file_hash as Keras's, {len(IMAGENET_CASES)} cases]",
               imagenet_call_pairs, covers=())


def application_rows():
    return ([_app_row(*case) for case in APP_CASES]
            + [_preprocess_row(), _decode_row(), _helpers_row(), _imagenet_row()])
