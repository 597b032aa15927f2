"""Parity rows of the convnet shape layers (issue 11): padding, cropping,
upsampling, spatial dropout, rescaling, and the deterministic parts of the
image augmentation layers (their transforms under Keras's own
transformation dicts, flips, contrast, inference identity, configs, the
ranges of the random draws, errors).

Builders here return `Row`s that `parity.all_rows()` adds to the table.
"""
import re

import numpy as np

import keraslite
from compat_tests.parity_models import _layer_row, _lib, _plain

# (name, constructor(layers module), input shapes, kind), as LAYER_CASES.
SHAPE_CASES = [
    ("ZeroPadding1D", lambda L: L.ZeroPadding1D((1, 2)), [(4, 3, 2)], "normal"),
    ("ZeroPadding1D[channels_first]",
     lambda L: L.ZeroPadding1D(2, data_format="channels_first"), [(4, 3, 2)], "normal"),
    ("ZeroPadding2D", lambda L: L.ZeroPadding2D(((1, 2), (0, 3))), [(2, 3, 4, 2)],
     "normal"),
    ("ZeroPadding2D[channels_first]",
     lambda L: L.ZeroPadding2D((1, 2), data_format="channels_first"), [(2, 2, 3, 4)],
     "normal"),
    ("Cropping1D", lambda L: L.Cropping1D((1, 2)), [(4, 6, 2)], "normal"),
    ("Cropping1D[end 0]", lambda L: L.Cropping1D((2, 0)), [(4, 5, 2)], "normal"),
    ("Cropping2D", lambda L: L.Cropping2D(((1, 2), (0, 1))), [(2, 5, 4, 2)], "normal"),
    ("Cropping2D[channels_first]",
     lambda L: L.Cropping2D(1, data_format="channels_first"), [(2, 2, 4, 5)], "normal"),
    ("UpSampling1D", lambda L: L.UpSampling1D(3), [(2, 3, 2)], "normal"),
    ("UpSampling2D", lambda L: L.UpSampling2D((2, 3)), [(2, 3, 2, 2)], "normal"),
    ("UpSampling2D[channels_first]",
     lambda L: L.UpSampling2D(2, data_format="channels_first"), [(2, 2, 3, 2)], "normal"),
    ("UpSampling2D[bilinear]",
     lambda L: L.UpSampling2D((2, 3), interpolation="bilinear"), [(2, 3, 4, 2)], "normal"),
    ("UpSampling2D[bilinear, channels_first]",
     lambda L: L.UpSampling2D((3, 2), data_format="channels_first",
                              interpolation="bilinear"), [(2, 2, 4, 3)], "normal"),
    ("UpSampling2D[bilinear, 1x4]",
     lambda L: L.UpSampling2D((1, 4), interpolation="bilinear"), [(2, 1, 3, 1)], "normal"),
    ("SpatialDropout1D[inference]", lambda L: L.SpatialDropout1D(0.5, seed=1),
     [(4, 3, 2)], "normal"),
    ("SpatialDropout2D[inference]",
     lambda L: L.SpatialDropout2D(0.5, data_format="channels_first", seed=1),
     [(2, 2, 3, 4)], "normal"),
    ("Rescaling", lambda L: L.Rescaling(1.0 / 255, offset=-0.5), [(2, 3, 3, 2)], "normal"),
    ("Rescaling[per channel]",
     lambda L: L.Rescaling([0.5, 2.0, -1.0], offset=[0.1, 0.2, 0.3]), [(2, 3, 3, 3)],
     "normal"),
]

_AFFINE_MODES = [(fill, interp) for fill in ("reflect", "wrap", "constant", "nearest")
                 for interp in ("bilinear", "nearest")]
# (name, constructor(layers module, fill_mode, interpolation, data_format)).
_AFFINE_LAYERS = [
    ("RandomRotation", lambda L, f, i, d: L.RandomRotation(
        (-0.3, 0.4), fill_mode=f, interpolation=i, fill_value=0.5, data_format=d,
        seed=3)),
    ("RandomZoom", lambda L, f, i, d: L.RandomZoom(
        (-0.4, 0.6), (-0.5, 0.3), fill_mode=f, interpolation=i, fill_value=0.5,
        data_format=d, seed=3)),
    ("RandomZoom[width_factor=None]", lambda L, f, i, d: L.RandomZoom(
        0.5, fill_mode=f, interpolation=i, data_format=d, seed=3)),
    ("RandomTranslation", lambda L, f, i, d: L.RandomTranslation(
        (-0.5, 0.4), 0.6, fill_mode=f, interpolation=i, fill_value=0.5,
        data_format=d, seed=3)),
]


def _images(shape, seed=8):
    return np.random.default_rng(seed).uniform(0, 1, shape).astype("float32")


def _keras_transformation(layer, x):
    tf, _ = _lib()
    t = layer.get_random_transformation(tf.constant(x), training=True)
    return {k: (np.asarray(v) if hasattr(v, "shape") else v) for k, v in t.items()}


def _affine_row(name, make, data_format):
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        shape = (3, 2, 7, 6) if data_format == "channels_first" else (3, 7, 6, 2)
        x = _images(shape)
        pairs = []
        for fill, interp in _AFFINE_MODES:
            theirs = make(keras.layers, fill, interp, data_format)
            ours = make(keraslite.layers, fill, interp, data_format)
            t = _keras_transformation(theirs, x)
            pairs.append(Pair(f"{fill}/{interp} transform_images",
                              ours.transform_images(x, t),
                              np.asarray(theirs.transform_images(x, t, training=True))))
        if "rotation_matrix" in t:  # our matrix from Keras's angles
            n = len(t["angle"])
            zeros = np.zeros(n, "float32")
            pairs.append(Pair("rotation_matrix from the angles",
                              ours._compute_affine_matrix(
                                  0.5, 0.5, t["angle"], zeros, zeros, zeros + 1,
                                  zeros, zeros, t["image_height"], t["image_width"]),
                              t["rotation_matrix"]))
        pairs.append(Pair("output shape", ours.compute_output_shape((None,) + shape[1:]),
                          tuple(theirs.compute_output_shape((None,) + shape[1:])),
                          exact=True))
        return pairs

    base = name.split("[")[0]
    return Row(f"layers.{name}[{data_format}: transform_images with Keras's "
               "transformation, 4 fill modes x 2 interpolations]", compute,
               rtol=1e-5, atol=1e-5, covers=(f"layers.{base}",))


def _ours_transform_grad(layer, x, t, dy):
    y, ctx = layer._transform(x, t)
    return layer._transform_backward(ctx, dy.copy())


def _keras_transform_grad(layer, x, t, dy):
    from compat_tests.parity import _tape

    return _tape(lambda v: layer.transform_images(v, t, training=True), x,
                 output_gradients=dy)[1][0]


def _translation_gradient_row():
    """Integer shifts with constant fill: there TF's gradient (the inverse
    warp of the output gradient) is the exact adjoint, as ours always is."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        x = _images((3, 5, 6, 2))
        dy = np.random.default_rng(9).normal(size=x.shape).astype("float32")
        t = {"translations": np.array([[2, -1], [-3, 0], [0, 4]], "float32")}
        pairs = []
        for interp in ("bilinear", "nearest"):
            args = dict(fill_mode="constant", interpolation=interp)
            ours = keraslite.layers.RandomTranslation(0.5, 0.5, **args)
            theirs = keras.layers.RandomTranslation(0.5, 0.5, **args)
            pairs.append(Pair(f"{interp} forward", ours.transform_images(x, t),
                              np.asarray(theirs.transform_images(x, t, training=True))))
            pairs.append(Pair(f"{interp} input gradient vs GradientTape",
                              _ours_transform_grad(ours, x, t, dy),
                              _keras_transform_grad(theirs, x, t, dy)))
        return pairs

    return Row("layers.RandomTranslation[integer shifts: input gradient vs "
               "GradientTape]", compute, covers=("layers.RandomTranslation",))


def _affine_op_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        rng = np.random.default_rng(10)
        x = rng.normal(size=(4, 6, 5, 2)).astype("float32")
        angle, scale = rng.uniform(-3, 3, 4), rng.uniform(0.4, 2.0, 4)
        t = np.stack([scale * np.cos(angle), -scale * np.sin(angle),
                      rng.uniform(-8, 8, 4), scale * np.sin(angle),
                      scale * np.cos(angle), rng.uniform(-8, 8, 4),
                      np.zeros(4), np.zeros(4)], 1).astype("float32")
        from keraslite.ops import image

        pairs = []
        for fill, interp in _AFFINE_MODES:
            for data_format in ("channels_last", "channels_first"):
                xs = np.moveaxis(x, -1, 1) if data_format == "channels_first" else x
                pairs.append(Pair(
                    f"{fill}/{interp}/{data_format}",
                    image.affine_transform(xs, t, interp, fill, 0.3, data_format),
                    np.asarray(keras.ops.image.affine_transform(
                        xs, t, interp, fill, 0.3, data_format))))
        pairs.append(Pair("single image", image.affine_transform(x[0], t[0]),
                          np.asarray(keras.ops.image.affine_transform(x[0], t[0]))))
        return pairs

    return Row("ops.image.affine_transform[scaled rotations and shifts, 4 fill modes x "
               "2 interpolations x 2 data formats]", compute, rtol=1e-5, atol=1e-5)


def _fixed_transform_pairs(cases, transformation):
    """Forward and input gradient vs GradientTape of `transform_images` with a
    fixed `transformation`, for `(label, ours, theirs, data_format)` cases."""
    from compat_tests.parity import Pair

    pairs = []
    for label, ours, theirs, data_format in cases:
        x = _images((3, 2, 4, 5) if data_format == "channels_first" else (3, 4, 5, 2))
        dy = np.random.default_rng(9).normal(size=x.shape).astype("float32")
        pairs.append(Pair(f"{label} forward", ours.transform_images(x, transformation),
                          np.asarray(theirs.transform_images(x, transformation))))
        pairs.append(Pair(f"{label} gradient vs GradientTape",
                          _ours_transform_grad(ours, x, transformation, dy),
                          _keras_transform_grad(theirs, x, transformation, dy)))
    return pairs


def _flip_row():
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        cases = [(f"{d} {mode}", keraslite.layers.RandomFlip(mode, data_format=d),
                  keras.layers.RandomFlip(mode, data_format=d), d)
                 for d in ("channels_last", "channels_first")
                 for mode in ("horizontal", "vertical", "horizontal_and_vertical")]
        flips = np.array([True, False, True]).reshape(3, 1, 1, 1)
        return _fixed_transform_pairs(cases, {"flips": flips})

    return Row("layers.RandomFlip[fixed flips, 3 modes x 2 data formats: forward, "
               "input gradient vs GradientTape]", compute, covers=("layers.RandomFlip",))


def _contrast_row():
    from compat_tests.parity import Row

    def compute():
        _, keras = _lib()
        cases = []
        for d, value_range in (("channels_last", (0, 1)), ("channels_first", (0.2, 0.9))):
            args = dict(value_range=value_range, data_format=d)
            cases.append((d, keraslite.layers.RandomContrast((0.5, 0.5), **args),
                          keras.layers.RandomContrast((0.5, 0.5), **args), d))
        factor = np.array([0.5, 1.5, 1.2], "float32").reshape(3, 1, 1, 1)
        return _fixed_transform_pairs(cases, {"contrast_factor": factor})

    return Row("layers.RandomContrast[fixed factors, value_range clipping: forward, "
               "input gradient vs GradientTape]", compute, covers=("layers.RandomContrast",))


# (name, constructor(layers module)) of the augmentation layers for the rows below.
AUGMENTATION_CASES = [
    ("RandomFlip", lambda L: L.RandomFlip("horizontal", seed=1)),
    ("RandomRotation", lambda L: L.RandomRotation(0.2, fill_mode="constant", seed=1)),
    ("RandomZoom", lambda L: L.RandomZoom(0.3, (-0.2, 0.1), interpolation="nearest",
                                          seed=1)),
    ("RandomTranslation", lambda L: L.RandomTranslation((-0.2, 0.3), 0.1,
                                                        fill_mode="wrap", seed=1)),
    ("RandomContrast", lambda L: L.RandomContrast(0.4, value_range=(0, 1), seed=1)),
]


def _inference_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        x = _images((3, 5, 6, 2))
        pairs = []
        for name, make in AUGMENTATION_CASES:
            ours, theirs = make(keraslite.layers), make(keras.layers)
            pairs.append(Pair(f"{name} training=False", ours(x, training=False),
                              np.asarray(theirs(x, training=False))))
            models = []
            for lib, layer in ((keraslite, ours), (keras, theirs)):
                inp = lib.Input((5, 6, 2))
                models.append(lib.Model(inp, layer(inp)))
            pairs.append(Pair(f"{name} predict", models[0].predict(x, verbose=0),
                              models[1].predict(x, verbose=0)))
            pairs.append(Pair(f"{name} output shape",
                              ours.compute_output_shape((None, 5, 6, 2)),
                              tuple(theirs.compute_output_shape((None, 5, 6, 2))),
                              exact=True))
            config = {k: v for k, v in ours.get_config().items() if k != "name"}
            theirs_config = {k: v for k, v in theirs.get_config().items() if k != "name"}
            pairs.append(Pair(f"{name} config", _plain(config), _plain(theirs_config),
                              exact=True))
            changed = [not np.array_equal(np.asarray(layer(x)), x) for layer in
                       (ours, theirs)]  # called directly: training by default
            pairs.append(Pair(f"{name} called directly transforms", changed[0],
                              changed[1], exact=True))
        return pairs

    return Row("layers.Random*[identity at inference and in predict, direct call "
               "transforms, output shapes, configs]", compute,
               covers=tuple(f"layers.{name}" for name, _ in AUGMENTATION_CASES))


def _draw_stats(values, lower, upper):
    """min, max and mean of the draws as fractions of `[lower, upper]`."""
    values = (np.asarray(values, np.float64).ravel() - lower) / (upper - lower)
    return np.array([values.min(), values.max(), values.mean()])


def _random_ranges_row():
    """The ranges of the random parameters, from 4000 seeded draws in each
    library (normalized by the range Keras's code draws from; the random
    streams differ, so only the statistics can agree)."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        x = np.zeros((4000, 5, 6, 1), "float32")
        pairs = []
        cases = [
            ("RandomRotation angle", lambda L: L.RandomRotation((-0.1, 0.25), seed=5),
             lambda t: t["angle"], (-36.0, 90.0)),
            ("RandomZoom height", lambda L: L.RandomZoom((-0.3, 0.5), 0.2, seed=5),
             lambda t: t["height_zoom"], (0.7, 1.5)),
            ("RandomZoom width", lambda L: L.RandomZoom((-0.3, 0.5), 0.2, seed=5),
             lambda t: t["width_zoom"], (0.8, 1.2)),
            ("RandomTranslation x pixels", lambda L: L.RandomTranslation(0.2, (-0.5, 0.1), seed=5),
             lambda t: t["translations"][:, 0], (-3.0, 0.6)),
            ("RandomTranslation y pixels", lambda L: L.RandomTranslation(0.2, (-0.5, 0.1), seed=5),
             lambda t: t["translations"][:, 1], (-1.0, 1.0)),
            ("RandomContrast factor=0.4", lambda L: L.RandomContrast(0.4, seed=5),
             lambda t: t["contrast_factor"], (1.0, 1.4)),
            ("RandomContrast factor=(0.3, 0.6)", lambda L: L.RandomContrast((0.3, 0.6), seed=5),
             lambda t: t["contrast_factor"], (0.7, 1.6)),
            ("RandomFlip", lambda L: L.RandomFlip(seed=5),
             lambda t: t["flips"].astype("float32") * 2 - 0.5, (0.0, 1.0)),
        ]
        for label, make, pick, (lower, upper) in cases:
            ours = pick(make(keraslite.layers).get_random_transformation(x))
            theirs = pick(_keras_transformation(make(keras.layers), x))
            pairs.append(Pair(f"{label}: min, max, mean in [{lower}, {upper}]",
                              _draw_stats(ours, lower, upper),
                              _draw_stats(theirs, lower, upper)))
        return pairs

    return Row("layers.Random*[ranges of 4000 random draws: min, max, mean]", compute,
               atol=0.03, rtol=0,
               covers=tuple(f"layers.{name}" for name, _ in AUGMENTATION_CASES))


def _spatial_dropout_row():
    """Training: whole channels dropped, the rest scaled by 1 / (1 - rate)."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        pairs = []
        for name, shape, channel_axis, kwargs in (
                ("SpatialDropout1D", (400, 6, 5), 2, {}),
                ("SpatialDropout2D", (400, 4, 3, 5), 3, {}),
                ("SpatialDropout2D", (400, 5, 4, 3), 1, {"data_format": "channels_first"})):
            x = _images(shape) + 0.5
            stats = []
            for lib in (keraslite, keras):
                y = np.asarray(getattr(lib.layers, name)(0.3, seed=2, **kwargs)(
                    x, training=True))
                ratio = np.moveaxis(y / x, channel_axis, 1).reshape(
                    shape[0], shape[channel_axis], -1)
                per_channel = bool(np.allclose(ratio, ratio[..., :1]))
                kept = ratio[..., 0][ratio[..., 0] > 0]
                stats.append((per_channel, float(np.mean(ratio[..., 0] == 0)),
                              np.unique(np.round(kept, 5))))
            label = f"{name} {kwargs.get('data_format', 'channels_last')}"
            pairs.append(Pair(f"{label} mask constant per channel", stats[0][0],
                              stats[1][0], exact=True))
            pairs.append(Pair(f"{label} dropped fraction", stats[0][1], stats[1][1]))
            pairs.append(Pair(f"{label} kept scale", stats[0][2], stats[1][2]))
        return pairs

    return Row("layers.SpatialDropout1D/2D[training: channel masks, dropped fraction, "
               "1/(1-rate) scale]", compute, atol=0.03, rtol=1e-5,
               covers=("layers.SpatialDropout1D", "layers.SpatialDropout2D"))


# Bad arguments: (label, constructor(layers module)); Keras's type and message.
ERROR_CASES = [
    ("ZeroPadding1D(-1)", lambda L: L.ZeroPadding1D(-1)),
    ("ZeroPadding2D(((1, -1), (0, 0)))", lambda L: L.ZeroPadding2D(((1, -1), (0, 0)))),
    ("ZeroPadding2D((1, 2, 3))", lambda L: L.ZeroPadding2D((1, 2, 3))),
    ("Cropping1D(-2)", lambda L: L.Cropping1D(-2)),
    ("Cropping2D(-1)", lambda L: L.Cropping2D(-1)),
    ("Cropping2D(((1, -1), (0, 0)))", lambda L: L.Cropping2D(((1, -1), (0, 0)))),
    ("UpSampling1D(0)", lambda L: L.UpSampling1D(0)),
    ("UpSampling1D(2.0)", lambda L: L.UpSampling1D(2.0)),
    ("UpSampling2D(0)", lambda L: L.UpSampling2D(0)),
    ("UpSampling2D(data_format='nchw')", lambda L: L.UpSampling2D(data_format="nchw")),
    ("SpatialDropout1D(1.5)", lambda L: L.SpatialDropout1D(1.5)),
    ("SpatialDropout2D(0.5, data_format='x')",
     lambda L: L.SpatialDropout2D(0.5, data_format="x")),
    ("RandomRotation(2)", lambda L: L.RandomRotation(2)),
    ("RandomRotation(fill_mode='mirror')",
     lambda L: L.RandomRotation(0.2, fill_mode="mirror")),
    ("RandomRotation(interpolation='bicubic')",
     lambda L: L.RandomRotation(0.2, interpolation="bicubic")),
    ("RandomZoom(-1)", lambda L: L.RandomZoom(-1)),
    ("RandomZoom(0.2, (0.1, 2))", lambda L: L.RandomZoom(0.2, (0.1, 2))),
    ("RandomTranslation(1.5, 0)", lambda L: L.RandomTranslation(1.5, 0)),
    ("RandomTranslation(0.1, 'a')", lambda L: L.RandomTranslation(0.1, "a")),
    ("RandomTranslation(fill_mode='mirror')",
     lambda L: L.RandomTranslation(0.1, 0.1, fill_mode="mirror")),
    ("RandomContrast(1.5)", lambda L: L.RandomContrast(1.5)),
    ("RandomContrast(-0.5)", lambda L: L.RandomContrast(-0.5)),
    ("RandomFlip(data_format='nhwc')", lambda L: L.RandomFlip(data_format="nhwc")),
]
# Errors at the call: (label, constructor, input shape); Keras wraps the
# message in "Exception encountered when calling ...", which contains ours.
CALL_ERROR_CASES = [
    ("ZeroPadding2D on rank 3", lambda L: L.ZeroPadding2D(), (2, 3, 4)),
    ("Cropping1D on rank 4", lambda L: L.Cropping1D(), (2, 3, 4, 1)),
    ("Cropping1D((3, 3)) on 5 steps", lambda L: L.Cropping1D(3), (2, 5, 4)),
    ("Cropping2D(3) on 5x8", lambda L: L.Cropping2D(3), (2, 5, 8, 4)),
    ("UpSampling1D on rank 2", lambda L: L.UpSampling1D(), (2, 3)),
    ("SpatialDropout2D on rank 3", lambda L: L.SpatialDropout2D(0.5), (2, 3, 4)),
    ("RandomFlip on rank 5", lambda L: L.RandomFlip(seed=5), (2, 3, 4, 1, 1)),
    ("RandomRotation on rank 2", lambda L: L.RandomRotation(0.1), (2, 3)),
]


def _errors_row():
    from compat_tests.parity import Pair, Row, _error_message

    def compute():
        _, keras = _lib()
        pairs = []
        for label, make in ERROR_CASES:
            ours = _error_message(lambda: make(keraslite.layers))
            theirs = _error_message(lambda: make(keras.layers))
            pairs.append(Pair(label, ours, theirs, exact=True))
        for label, make, shape in CALL_ERROR_CASES:
            x = np.zeros(shape, "float32")
            ours = _error_message(lambda: make(keraslite.layers)(x))
            theirs = _error_message(lambda: make(keras.layers)(x))
            pairs.append(Pair(f"{label}: type", ours[0], theirs[0], exact=True))
            # Keras numbers automatic layer names with its own counter.
            ours_message, theirs_message = (re.sub(r"layer '[^']*'", "layer", m)
                                            for m in (ours[1], theirs[1]))
            pairs.append(Pair(f"{label}: Keras's message contains ours",
                              bool(ours_message) and ours_message in theirs_message,
                              True, exact=True))
        return pairs

    return Row("layers[shape and augmentation layers: bad arguments and inputs, "
               "exception types and messages]", compute,
               covers=("layers.ZeroPadding1D", "layers.ZeroPadding2D", "layers.Cropping1D",
                       "layers.Cropping2D", "layers.UpSampling1D", "layers.UpSampling2D",
                       "layers.SpatialDropout1D", "layers.SpatialDropout2D",
                       "layers.RandomRotation", "layers.RandomZoom",
                       "layers.RandomTranslation", "layers.RandomContrast",
                       "layers.RandomFlip"))


def shape_layer_rows():
    rows = [_layer_row(*case) for case in SHAPE_CASES]
    rows += [_affine_row(name, make, data_format) for name, make in _AFFINE_LAYERS
             for data_format in ("channels_last", "channels_first")]
    return rows + [_translation_gradient_row(), _affine_op_row(), _flip_row(),
                   _contrast_row(), _inference_row(), _random_ranges_row(),
                   _spatial_dropout_row(), _errors_row()]
