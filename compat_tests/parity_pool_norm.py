"""Parity rows of the pooling and normalization layers (issue 11): forward,
input and weight gradients vs `tf.GradientTape`, output shapes and configs
over `POOL_NORM_CASES`; TensorFlow's tie-breaking in max pooling; moving
statistics through `fit`; summary counts, weight order and errors.

A case whose name holds "training" runs with `training=True` (batch
statistics in BatchNormalization); every other case runs in inference.
"""
import numpy as np

import keraslite
from compat_tests.parity_models import _layer_row, _lib


def _random_pool_cases(seed=11, count=8):
    """Pooling layers with random pool sizes, strides, padding and layout."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        dims = int(rng.integers(1, 3))
        mode = ["Max", "Average"][i % 2]
        pool = tuple(int(v) for v in rng.integers(1, 4, dims))
        strides = tuple(int(v) for v in rng.integers(1, 4, dims))
        padding = ["valid", "same"][int(rng.integers(2))]
        data_format = ["channels_last", "channels_first"][int(rng.integers(2))]
        spatial = tuple(int(p + rng.integers(0, 5)) for p in pool)
        channels = int(rng.integers(1, 4))
        shape = (3,) + (spatial + (channels,) if data_format == "channels_last"
                        else (channels,) + spatial)
        cls = f"{mode}Pooling{dims}D"
        args = dict(pool_size=pool if dims == 2 else pool[0],
                    strides=strides if dims == 2 else strides[0],
                    padding=padding, data_format=data_format)
        cases.append((f"{cls}[random {i}: {pool}, {strides}, {padding}, {data_format}]",
                      lambda L, cls=cls, args=args: getattr(L, cls)(**args),
                      [shape], "distinct"))
    return cases


# (name, constructor(layers module), input shapes, kind), as LAYER_CASES in
# compat_tests/parity_models.py.
POOL_NORM_CASES = [
    ("MaxPooling2D", lambda L: L.MaxPooling2D(), [(4, 6, 6, 3)], "distinct"),
    ("MaxPooling2D[11x11 valid, remainder]", lambda L: L.MaxPooling2D(2),
     [(2, 11, 11, 4)], "distinct"),
    ("MaxPooling2D[3x3, strides 2, same]",
     lambda L: L.MaxPooling2D(3, strides=2, padding="same"), [(3, 7, 5, 2)], "distinct"),
    ("MaxPooling2D[(2, 3), strides 1, overlapping]",
     lambda L: L.MaxPooling2D((2, 3), strides=1), [(2, 5, 6, 3)], "distinct"),
    ("MaxPooling2D[channels_first, same, strides (1, 2)]",
     lambda L: L.MaxPooling2D(2, strides=(1, 2), padding="same",
                              data_format="channels_first"), [(2, 3, 5, 5)], "distinct"),
    ("MaxPooling1D", lambda L: L.MaxPooling1D(), [(4, 9, 3)], "distinct"),
    ("MaxPooling1D[3, strides 2, same]",
     lambda L: L.MaxPooling1D(3, strides=2, padding="same"), [(3, 8, 2)], "distinct"),
    ("MaxPooling1D[channels_first]",
     lambda L: L.MaxPooling1D(2, data_format="channels_first"), [(3, 2, 7)], "distinct"),
    ("AveragePooling2D", lambda L: L.AveragePooling2D(2), [(4, 6, 6, 3)], "normal"),
    ("AveragePooling2D[3x3, strides 2, same]",
     lambda L: L.AveragePooling2D(3, strides=2, padding="same"), [(3, 7, 6, 2)], "normal"),
    ("AveragePooling2D[2x2, strides 1, same, channels_first]",
     lambda L: L.AveragePooling2D(2, strides=1, padding="same",
                                  data_format="channels_first"), [(2, 3, 4, 5)], "normal"),
    ("AveragePooling2D[(3, 2), strides (2, 1)]",
     lambda L: L.AveragePooling2D((3, 2), strides=(2, 1)), [(2, 7, 5, 2)], "normal"),
    ("AveragePooling1D", lambda L: L.AveragePooling1D(2), [(4, 9, 3)], "normal"),
    ("AveragePooling1D[3, strides 2, same]",
     lambda L: L.AveragePooling1D(3, strides=2, padding="same"), [(3, 8, 2)], "normal"),
    ("AveragePooling1D[channels_first, same]",
     lambda L: L.AveragePooling1D(2, padding="same", data_format="channels_first"),
     [(3, 2, 7)], "normal"),
    ("GlobalMaxPooling1D", lambda L: L.GlobalMaxPooling1D(), [(4, 6, 3)], "distinct"),
    ("GlobalMaxPooling1D[keepdims, channels_first]",
     lambda L: L.GlobalMaxPooling1D(data_format="channels_first", keepdims=True),
     [(4, 3, 6)], "distinct"),
    ("GlobalMaxPooling2D", lambda L: L.GlobalMaxPooling2D(), [(3, 4, 5, 2)], "distinct"),
    ("GlobalMaxPooling2D[keepdims, channels_first]",
     lambda L: L.GlobalMaxPooling2D(data_format="channels_first", keepdims=True),
     [(3, 2, 4, 5)], "distinct"),
    ("GlobalAveragePooling1D", lambda L: L.GlobalAveragePooling1D(), [(4, 6, 3)], "normal"),
    ("GlobalAveragePooling1D[keepdims, channels_first]",
     lambda L: L.GlobalAveragePooling1D(data_format="channels_first", keepdims=True),
     [(4, 3, 6)], "normal"),
    ("GlobalAveragePooling2D", lambda L: L.GlobalAveragePooling2D(), [(3, 4, 5, 2)],
     "normal"),
    ("GlobalAveragePooling2D[keepdims, channels_first]",
     lambda L: L.GlobalAveragePooling2D(data_format="channels_first", keepdims=True),
     [(3, 2, 4, 5)], "normal"),
    *_random_pool_cases(),
    ("BatchNormalization", lambda L: L.BatchNormalization(), [(6, 4)], "normal"),
    ("BatchNormalization[axis=1, 4-D]", lambda L: L.BatchNormalization(axis=1),
     [(4, 3, 2, 2)], "normal"),
    ("BatchNormalization[training]", lambda L: L.BatchNormalization(), [(6, 4)], "normal"),
    ("BatchNormalization[training, 4-D]",
     lambda L: L.BatchNormalization(momentum=0.9, epsilon=1e-2), [(4, 3, 3, 2)], "normal"),
    ("BatchNormalization[training, axis=1]", lambda L: L.BatchNormalization(axis=1),
     [(4, 3, 2, 2)], "normal"),
    ("BatchNormalization[training, axis=-2, 3-D]", lambda L: L.BatchNormalization(axis=-2),
     [(3, 4, 5)], "normal"),
    ("BatchNormalization[training, center=False]",
     lambda L: L.BatchNormalization(center=False), [(5, 3)], "normal"),
    ("BatchNormalization[training, scale=False]",
     lambda L: L.BatchNormalization(scale=False), [(5, 3)], "normal"),
    ("BatchNormalization[training, trainable=False: inference]",
     lambda L: L.BatchNormalization(trainable=False), [(6, 4)], "normal"),
    ("LayerNormalization", lambda L: L.LayerNormalization(), [(4, 5)], "normal"),
    ("LayerNormalization[axis=[1, 2]]", lambda L: L.LayerNormalization(axis=[1, 2]),
     [(3, 4, 5)], "normal"),
    ("LayerNormalization[axis=1, 3-D]", lambda L: L.LayerNormalization(axis=1, epsilon=0.1),
     [(3, 4, 5)], "normal"),
    ("LayerNormalization[axis=[-1, 1]]", lambda L: L.LayerNormalization(axis=[-1, 1]),
     [(3, 4, 5)], "normal"),
    ("LayerNormalization[center=False]", lambda L: L.LayerNormalization(center=False),
     [(4, 5)], "normal"),
    ("LayerNormalization[scale=False]", lambda L: L.LayerNormalization(scale=False),
     [(4, 5)], "normal"),
    ("LayerNormalization[rms_scaling]", lambda L: L.LayerNormalization(rms_scaling=True),
     [(4, 3, 5)], "normal"),
]


def is_training(name):
    """Whether a case runs with `training=True`."""
    return "training" in name


def _case_row(name, make, shapes, kind):
    return _layer_row(name, make, shapes, kind, training=True if is_training(name)
                      else None)


# === beyond the table ==================================================================
def _ties_row():
    """Max pooling on tied values: TensorFlow sends the gradient to the first
    maximum of each window (row-major); global max pooling shares it equally
    among the tied maxima (reduce_max's gradient)."""
    from compat_tests.parity import Pair, Row, _tape

    def compute():
        rng = np.random.default_rng(8)
        pairs = []
        for label, make, shape in [
            ("MaxPooling2D 2x2", lambda L: L.MaxPooling2D(), (2, 6, 6, 2)),
            ("MaxPooling2D 3x3 strides 1 same",
             lambda L: L.MaxPooling2D(3, strides=1, padding="same"), (2, 5, 5, 2)),
            ("MaxPooling1D 3 strides 2", lambda L: L.MaxPooling1D(3, strides=2), (2, 9, 2)),
            ("GlobalMaxPooling2D", lambda L: L.GlobalMaxPooling2D(), (2, 3, 3, 2)),
            ("GlobalMaxPooling1D", lambda L: L.GlobalMaxPooling1D(), (2, 5, 2)),
        ]:
            _, keras = _lib()
            x = rng.integers(0, 2, size=shape).astype("float32")
            ours, theirs = make(keraslite.layers), make(keras.layers)
            dy = rng.normal(size=ours.compute_output_shape(shape)).astype("float32")
            from compat_tests.parity_models import _ours_grads

            value, (grad,) = _ours_grads(lambda t: ours._eager_call(t), [x], dy)
            their_value, (their_grad,) = _tape(theirs, x, output_gradients=dy)
            pairs += [Pair(f"{label} forward", value, their_value),
                      Pair(f"{label} input gradient on ties", grad, their_grad)]
        return pairs

    return Row("layers.MaxPooling2D[ties: gradient to the first maximum, as TF]",
               compute, covers=("layers.MaxPooling1D", "layers.GlobalMaxPooling1D",
                                "layers.GlobalMaxPooling2D"))


def _bn_model(lib, frozen=False):
    L = lib.layers
    inp = lib.Input((6, 6, 2), name="x")
    h = L.BatchNormalization(name="bn_in", momentum=0.9)(inp)
    h = L.MaxPooling2D(name="pool")(h)
    h = L.Flatten(name="flat")(h)
    h = L.Dense(8, activation="relu", name="hidden")(h)
    h = L.BatchNormalization(name="bn", trainable=not frozen)(h)
    h = L.LayerNormalization(name="ln")(h)
    out = L.Dense(3, activation="softmax", name="out")(h)
    return lib.Model(inp, out, name="bn_model")


def _fit_row():
    """Five steps of `fit` (shuffle=False) from the same weights: moving
    statistics and every weight as Keras's; `evaluate` and `predict` leave
    the statistics alone; a frozen BatchNormalization keeps its own."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        rng = np.random.default_rng(12)
        x = rng.normal(1.0, 2.0, size=(40, 6, 6, 2)).astype("float32")
        y = np.eye(3, dtype="float32")[rng.integers(0, 3, 40)]
        pairs = []
        for frozen in (False, True):
            tag = "frozen bn: " if frozen else ""
            models = [_bn_model(lib, frozen) for lib in (keraslite, keras)]
            # Kernels of both signs, so that the relu cuts: a shift that only
            # passes linear maps is undone by the next BatchNormalization.
            start = [rng.normal(0.0 if w.name == "kernel" else 0.5,
                                0.5 if w.name == "kernel" else 0.2,
                                w.shape).astype("float32") for w in models[0].weights]
            for model, lib in zip(models, (keraslite, keras)):
                model.set_weights(start)
            bn_start = models[0].get_layer("bn").get_weights()
            for model, lib in zip(models, (keraslite, keras)):
                # SGD: Adam divides by sqrt(v), so a gradient that is rounding
                # noise (a bias whose relu units are all active before a
                # BatchNormalization) would move by the full learning rate.
                model.compile(lib.optimizers.SGD(0.1), "categorical_crossentropy")
                model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
            ours, theirs = models
            for var, a, b in zip(ours.weights, ours.get_weights(), theirs.get_weights()):
                pairs.append(Pair(f"{tag}{var.path} after 5 steps", a, b))
            if frozen:
                for a, b in zip(ours.get_layer("bn").get_weights(), bn_start):
                    pairs.append(Pair("frozen bn weights unchanged by fit", a, b))
            before = [ours.get_weights(), theirs.get_weights()]
            for model in models:
                model.evaluate(x, y, verbose=0)
                model.predict(x, verbose=0)
                model(x)
            for i, model in enumerate(models):
                for j, (a, b) in enumerate(zip(model.get_weights(), before[i])):
                    pairs.append(Pair(f"{tag}{['keraslite', 'keras'][i]} weight {j} "
                                      "unchanged by evaluate/predict", a, b))
            pairs.append(Pair(f"{tag}predict", ours.predict(x, verbose=0),
                              theirs.predict(x, verbose=0)))
        return pairs

    return Row("layers.BatchNormalization[moving statistics after 5 fit steps]",
               compute, rtol=1e-6, atol=1e-6, covers=("layers.BatchNormalization",))


def _bookkeeping_row():
    """Weight names and order, trainable/non-trainable counts (summary's
    numbers), count_params, a frozen layer's weights, and the aliases."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        pairs = []
        for frozen in (False, True):
            ours, theirs = _bn_model(keraslite, frozen), _bn_model(keras, frozen)
            for label, pick in [
                ("weights", lambda m: [w.path.split("/", 1)[-1] if "/" in w.path
                                       else w.name for w in m.weights]),
                ("trainable weights", lambda m: [w.name for w in m.trainable_weights]),
                ("non-trainable weights",
                 lambda m: [w.name for w in m.non_trainable_weights]),
                ("trainable count", lambda m: int(sum(np.prod(w.shape)
                                                      for w in m.trainable_weights))),
                ("non-trainable count",
                 lambda m: int(sum(np.prod(w.shape) for w in m.non_trainable_weights))),
                ("count_params", lambda m: m.count_params()),
                ("bn layer weights", lambda m: [w.name for w in m.get_layer("bn").weights]),
                ("bn layer trainable weights",
                 lambda m: [w.name for w in m.get_layer("bn").trainable_weights]),
            ]:
                pairs.append(Pair(f"{'frozen: ' if frozen else ''}{label}", pick(ours),
                                  pick(theirs), exact=True))
            for options in ({}, {"show_trainable": True}):
                pairs.append(Pair(f"{'frozen: ' if frozen else ''}summary {options}",
                                  _summary(ours, **options), _summary(theirs, **options),
                                  exact=True))
        for model, lib in ((ours, keraslite), (theirs, keras)):
            model.trainable = False
        pairs.append(Pair("model.trainable=False freezes every layer",
                          [la.trainable for la in ours.layers],
                          [la.trainable for la in theirs.layers], exact=True))
        aliases = ["AvgPool1D", "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D",
                   "GlobalMaxPool1D", "GlobalMaxPool2D", "MaxPool1D", "MaxPool2D"]
        for alias in aliases:
            pairs.append(Pair(f"layers.{alias} is", getattr(keraslite.layers, alias).__name__,
                              getattr(keras.layers, alias).__name__, exact=True))
        return pairs

    return Row("layers[pooling/normalization weights, counts, frozen layers, aliases]",
               compute, covers=tuple(f"layers.{a}" for a in (
                   "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D",
                   "GlobalMaxPool1D", "GlobalMaxPool2D", "MaxPool1D", "MaxPool2D")))


def _summary(model, **options):
    """The lines of `model.summary()` at Keras's 80-column width."""
    import os

    lines, previous = [], os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        model.summary(print_fn=lambda text, *a, **k: lines.append(text), **options)
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "".join(lines).splitlines()


# Bad arguments and inputs: (label, fn(layers module, Input)).
ERROR_CASES = [
    ("MaxPooling2D(pool_size=-1)", lambda L, I: L.MaxPooling2D(-1)),
    ("MaxPooling2D(pool_size=0)", lambda L, I: L.MaxPooling2D(0)),
    ("MaxPooling2D(pool_size=1.5)", lambda L, I: L.MaxPooling2D(1.5)),
    ("MaxPooling2D(pool_size='a')", lambda L, I: L.MaxPooling2D("a")),
    ("MaxPooling2D(pool_size=(2,))", lambda L, I: L.MaxPooling2D((2,))),
    ("MaxPooling1D(pool_size=(2, 2))", lambda L, I: L.MaxPooling1D((2, 2))),
    ("AveragePooling2D(strides=-1)", lambda L, I: L.AveragePooling2D(2, strides=-1)),
    ("AveragePooling2D(strides=1.5)", lambda L, I: L.AveragePooling2D(2, strides=1.5)),
    ("MaxPooling2D(data_format='nhwc')", lambda L, I: L.MaxPooling2D(data_format="nhwc")),
    ("GlobalAveragePooling2D(data_format='x')",
     lambda L, I: L.GlobalAveragePooling2D(data_format="x")),
    ("MaxPooling2D on a 3-D input", lambda L, I: L.MaxPooling2D()(I((4, 4)))),
    ("MaxPooling1D on a 2-D input", lambda L, I: L.MaxPooling1D()(
        np.ones((1, 4), "float32"))),
    ("AveragePooling2D on a 5-D input", lambda L, I: L.AveragePooling2D(2)(I((4, 4, 4, 1)))),
    ("GlobalMaxPooling2D on a 3-D input", lambda L, I: L.GlobalMaxPooling2D()(
        np.ones((1, 4, 4), "float32"))),
    ("GlobalAveragePooling1D on a 4-D input", lambda L, I: L.GlobalAveragePooling1D()(
        I((4, 4, 1)))),
    ("MaxPooling2D pool larger than input, valid", lambda L, I: L.MaxPooling2D(5)(
        I((4, 4, 1)))),
    ("BatchNormalization wrong channel count on a second call",
     lambda L, I: _twice(L.BatchNormalization(), (2, 3), (2, 4))),
    ("LayerNormalization(axis='a')", lambda L, I: L.LayerNormalization(axis="a")),
    ("LayerNormalization(axis=1.0)", lambda L, I: L.LayerNormalization(axis=1.0)),
    ("BatchNormalization(axis=[1])", lambda L, I: L.BatchNormalization(axis=[1])),
]

# Where keraslite raises earlier or with another type than Keras (README's
# deliberate differences): (label, fn, keraslite's error, Keras's outcome).
DIFFERENT_ERROR_CASES = [
    ("MaxPooling2D(strides=0) raises at construction",
     lambda L, I: L.MaxPooling2D(2, strides=0)(np.ones((1, 4, 4, 1), "float32")),
     "ValueError", "InvalidArgumentError"),
    ("MaxPooling2D(padding='full') raises at construction",
     lambda L, I: L.MaxPooling2D(2, padding="full")(np.ones((1, 4, 4, 1), "float32")),
     "ValueError", "InvalidArgumentError"),
    ("MaxPooling2D(pool_size=(2, 2.5)) is refused",
     lambda L, I: L.MaxPooling2D((2, 2.5)), "ValueError", "no error"),
    ("MaxPooling2D pool larger than an eager input, valid",
     lambda L, I: L.MaxPooling2D(5)(np.ones((1, 4, 4, 1), "float32")),
     "ValueError", "AbortedError"),
    ("AveragePooling2D pool larger than an eager input, valid (Keras: empty output)",
     lambda L, I: L.AveragePooling2D(5)(np.ones((1, 4, 4, 1), "float32")),
     "ValueError", "no error"),
    ("BatchNormalization(axis=5) on a 2-D input",
     lambda L, I: L.BatchNormalization(axis=5)(I((3,))), "ValueError", "IndexError"),
    ("BatchNormalization(axis=-3) on a 2-D input",
     lambda L, I: L.BatchNormalization(axis=-3)(np.ones((2, 3), "float32")),
     "ValueError", "IndexError"),
    ("LayerNormalization(axis=5) on a 2-D input",
     lambda L, I: L.LayerNormalization(axis=5)(np.ones((2, 3), "float32")),
     "ValueError", "IndexError"),
]


def _twice(layer, first, second):
    layer(np.ones(first, "float32"))
    return layer(np.ones(second, "float32"))


def _errors_row():
    from compat_tests.parity import Pair, Row, _error_name

    def compute():
        _, keras = _lib()
        pairs = []
        for label, fn in ERROR_CASES:
            kind = _error_name(lambda: fn(keraslite.layers, keraslite.Input))
            pairs.append(Pair(label, kind, _error_name(lambda: fn(keras.layers, keras.Input)),
                              exact=True))
        for label, fn, ours, theirs in DIFFERENT_ERROR_CASES:
            pairs.append(Pair(label, _error_name(
                lambda: fn(keraslite.layers, keraslite.Input)), ours, exact=True))
            pairs.append(Pair(f"{label} (Keras: {theirs})", _error_name(
                lambda: fn(keras.layers, keras.Input)), theirs, exact=True))
        return pairs

    return Row("layers[pooling/normalization bad arguments and inputs: exception types]",
               compute, covers=("layers.AveragePooling1D", "layers.GlobalAveragePooling1D"))


def pool_norm_rows():
    return ([_case_row(*case) for case in POOL_NORM_CASES]
            + [_ties_row(), _fit_row(), _bookkeeping_row(), _errors_row()])
