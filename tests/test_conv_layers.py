"""The convolution layers (NumPy only): float64 central-difference checks of
the input and every weight gradient and a direct-loop reference of the
forward, over the parity table's cases; weights, configs and bad arguments.
"""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_conv import CONV_LAYER_CASES
from keraslite import autodiff, layers
from tests.ops_cases import inputs
from tests.test_gradcheck import numeric_grad

IDS = [c[0] for c in CONV_LAYER_CASES]


@pytest.fixture
def float64():
    keraslite.backend.set_floatx("float64")
    yield
    keraslite.backend.set_floatx("float32")


def _with_weights(make, x, seed=4):
    layer = make(keraslite.layers)
    layer(x)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0.5, 0.2, w.shape) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("name,make,shapes,kind", CONV_LAYER_CASES, ids=IDS)
def test_conv_gradients_match_central_differences(float64, name, make, shapes, kind):
    x = inputs(shapes, kind, seed=3, dtype="float64")[0]
    layer = _with_weights(make, x)
    dy = np.random.default_rng(5).normal(size=np.shape(layer(x)))
    tensor = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(tensor)
    weight_grads = tape.gradient([(out, dy.copy())])

    def objective():
        return float(np.sum(np.asarray(layer(x)) * dy))

    np.testing.assert_allclose(tensor.grad, numeric_grad(objective, x),
                               rtol=1e-6, atol=1e-8, err_msg=f"{name} input")
    assert len(weight_grads) == len(layer.trainable_weights)
    for var in layer.trainable_weights:
        np.testing.assert_allclose(weight_grads[id(var)],
                                   numeric_grad(objective, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=f"{name} {var.name}")


# --- a direct reference: each output position from its window ----------------------
def _same_pads(size, out, kernel, stride, dilation):
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _channels_last_2d(x, layer):
    if layer.data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    return x[:, None] if layer.rank == 1 else x


def _back_to_layout(y, layer):
    y = y[:, 0] if layer.rank == 1 else y
    return np.moveaxis(y, -1, 1) if layer.data_format == "channels_first" else y


def _args_2d(layer):
    one = (1,) if layer.rank == 1 else ()
    return (one + layer.kernel_size, one + layer.strides, one + layer.dilation_rate)


def _windows(layer, x):
    """Yields (oy, ox, window (N, kh, kw, C)) of the padded input."""
    (kh, kw), (sh, sw), (dh, dw) = _args_2d(layer)
    n, h, w, _ = x.shape
    if layer.padding == "valid":
        oh, ow = (h - (kh - 1) * dh - 1) // sh + 1, (w - (kw - 1) * dw - 1) // sw + 1
        pads = ((0, 0), (0, 0))
    elif layer.padding == "causal":
        oh, ow = h, w
        pads = ((0, 0), ((kw - 1) * dw, 0))
    else:
        oh, ow = -(-h // sh), -(-w // sw)
        pads = (_same_pads(h, oh, kh, sh, dh), _same_pads(w, ow, kw, sw, dw))
    xp = np.pad(x, ((0, 0),) + pads + ((0, 0),))
    for oy in range(oh):
        for ox in range(ow):
            yield oy, ox, oh, ow, xp[:, oy * sh:oy * sh + (kh - 1) * dh + 1:dh,
                                     ox * sw:ox * sw + (kw - 1) * dw + 1:dw]


def _depthwise(layer, x, kernel):
    kernel = kernel.reshape(_args_2d(layer)[0] + kernel.shape[-2:])
    out = None
    for oy, ox, oh, ow, window in _windows(layer, x):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, kernel.shape[2] * kernel.shape[3]))
        value = np.einsum("nijc,ijcm->ncm", window, kernel)
        out[:, oy, ox] = value.reshape(x.shape[0], -1)
    return out


def _conv(layer, x, kernel, groups):
    kernel = kernel.reshape(_args_2d(layer)[0] + kernel.shape[-2:])
    cg, filters = kernel.shape[-2], kernel.shape[-1]
    fg = filters // groups
    out = None
    for oy, ox, oh, ow, window in _windows(layer, x):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, filters))
        for f in range(filters):
            group = f // fg
            part = window[..., group * cg:(group + 1) * cg]
            out[:, oy, ox, f] = np.einsum("nijc,ijc->n", part, kernel[..., f])
    return out


def _conv_transpose(layer, x, kernel):
    (kh, kw), (sh, sw), (dh, dw) = _args_2d(layer)
    kernel = kernel.reshape((kh, kw) + kernel.shape[-2:])
    n, h, w, _ = x.shape
    filters = kernel.shape[2]
    out_shape = layer.compute_output_shape((None,) + layer.input_shape[1:])
    spatial = out_shape[2:] if layer.data_format == "channels_first" else out_shape[1:-1]
    oh, ow = ((1,) + tuple(spatial)) if layer.rank == 1 else spatial
    full = np.zeros((n, (h - 1) * sh + (kh - 1) * dh + 1 + oh,
                     (w - 1) * sw + (kw - 1) * dw + 1 + ow, filters))
    for p in range(h):
        for q in range(w):
            for i in range(kh):
                for j in range(kw):
                    full[:, p * sh + i * dh, q * sw + j * dw] += x[:, p, q] @ kernel[i, j].T
    if layer.padding == "valid":
        top = left = 0
    else:
        top = max((h - 1) * sh + (kh - 1) * dh + 1 - oh, 0) // 2
        left = max((w - 1) * sw + (kw - 1) * dw + 1 - ow, 0) // 2
    return full[:, top:top + oh, left:left + ow]


def reference_forward(layer, x):
    """The layer's output, computed window by window in float64."""
    x = _channels_last_2d(x.astype("float64"), layer)
    weights = [w.astype("float64") for w in layer.get_weights()]
    name = type(layer).__name__
    if name in ("Conv1D", "Conv2D"):
        z = _conv(layer, x, weights[0], layer.groups)
    elif name == "DepthwiseConv2D":
        z = _depthwise(layer, x, weights[0])
    elif name == "SeparableConv2D":
        z = _depthwise(layer, x, weights[0]) @ weights[1].reshape(-1, layer.filters)
    else:
        z = _conv_transpose(layer, x, weights[0])
    if layer.use_bias:
        z = z + weights[-1]
    return layer.activation(_back_to_layout(z, layer))


@pytest.mark.parametrize("name,make,shapes,kind", CONV_LAYER_CASES, ids=IDS)
def test_conv_forward_matches_direct_reference(name, make, shapes, kind):
    x = inputs(shapes, kind, seed=3)[0]
    layer = _with_weights(make, x)
    np.testing.assert_allclose(layer(x), reference_forward(layer, x),
                               rtol=2e-5, atol=2e-5)


def test_channels_first_bias_is_per_channel_when_width_equals_filters():
    # Keras 3.15 on TensorFlow adds this bias along the width (see
    # compat_tests/parity_conv.py); it belongs to the channels.
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype("float32")
    layer = layers.Conv2D(6, 2, padding="same", data_format="channels_first")
    layer(x)
    layer.set_weights([layer.get_weights()[0], np.arange(6, dtype="float32")])
    np.testing.assert_allclose(layer(x), reference_forward(layer, x), atol=2e-5)


# --- weights, configs, layouts ---------------------------------------------------------
@pytest.mark.parametrize("make,shape,expected", [
    (lambda: layers.Conv2D(8, (3, 2), groups=2), (2, 9, 9, 4),
     [("kernel", (3, 2, 2, 8)), ("bias", (8,))]),
    (lambda: layers.Conv2D(8, 3, use_bias=False, data_format="channels_first"),
     (2, 5, 9, 9), [("kernel", (3, 3, 5, 8))]),
    (lambda: layers.Conv1D(4, 5), (2, 9, 3), [("kernel", (5, 3, 4)), ("bias", (4,))]),
    (lambda: layers.Conv2DTranspose(6, 3), (2, 4, 4, 2),
     [("kernel", (3, 3, 6, 2)), ("bias", (6,))]),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (2, 6, 6, 3),
     [("kernel", (3, 3, 3, 2)), ("bias", (6,))]),
    (lambda: layers.SeparableConv2D(5, 3, depth_multiplier=2), (2, 6, 6, 3),
     [("depthwise_kernel", (3, 3, 3, 2)), ("pointwise_kernel", (1, 1, 6, 5)),
      ("bias", (5,))]),
])
def test_weights_have_keras_names_shapes_and_order(make, shape, expected):
    layer = make()
    layer(np.zeros(shape, "float32"))
    assert [(w.name, w.shape) for w in layer.weights] == expected
    assert all(w.value.dtype == np.float32 for w in layer.weights)


@pytest.mark.parametrize("name,make,shapes,kind", CONV_LAYER_CASES, ids=IDS)
def test_config_round_trip(name, make, shapes, kind):
    layer = make(keraslite.layers)
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_config() == {**config, "name": again.name}


def test_aliases_are_the_same_classes():
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_default_data_format_is_the_image_data_format():
    assert layers.Conv2D(2, 3).data_format == "channels_last"
    keraslite.config.set_image_data_format("channels_first")
    try:
        layer = layers.Conv2D(2, 3)
        assert layer.data_format == "channels_first"
        assert layer(np.zeros((1, 3, 5, 5), "float32")).shape == (1, 2, 3, 3)
    finally:
        keraslite.config.set_image_data_format("channels_last")


def test_outputs_are_float32_and_buffers_are_reused_across_steps():
    layer = layers.Conv2D(4, 3, padding="same", activation="relu")
    x = np.random.default_rng(0).normal(size=(8, 6, 6, 2)).astype("float32")
    model = keraslite.Sequential([keraslite.Input((6, 6, 2)), layer,
                                  layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    y = np.ones((8, 1), "float32")
    model.train_on_batch(x, y)
    buffers = {key: id(buf) for key, buf in layer._buffers.items()}
    model.train_on_batch(x, y)
    assert {key: id(buf) for key, buf in layer._buffers.items()} == buffers
    assert model.predict(x, verbose=0).dtype == np.float32


def test_a_convnet_trains_and_a_shared_conv_sums_its_gradients(float64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 7, 7, 1))
    y = rng.normal(size=(4, 1))
    inp = keraslite.Input((7, 7, 1))
    shared = layers.Conv2D(2, 3, activation="tanh")
    a = shared(inp)
    b = shared(layers.Conv2D(1, 1)(inp))
    out = layers.Dense(1)(layers.Flatten()(layers.Concatenate()([a, b])))
    model = keraslite.Model(inp, out)
    model.compile("sgd", "mse")
    _, grads = model._compute_loss_and_grads(x, y)
    for var, grad in zip(model.trainable_weights, grads):
        def loss():
            return float(np.mean((model.predict(x, verbose=0) - y) ** 2))
        np.testing.assert_allclose(grad, numeric_grad(loss, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=var.path)
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


# --- bad arguments: Keras's errors, naming the layer ----------------------------------
def _build(make, shape):
    return lambda lib: make(lib.layers)(np.zeros(shape, "float32"))


def _symbolic(make, shape):
    return lambda lib: make(lib.layers)(lib.Input(shape))


BAD_ARGUMENTS = [
    ("filters=-1", lambda lib: lib.layers.Conv2D(-1, 3), ValueError, r"Received filters=-1"),
    ("filters=0", lambda lib: lib.layers.Conv1D(0, 3), ValueError, r"Received filters=0"),
    ("filters=2.5", lambda lib: lib.layers.Conv2D(2.5, 3), ValueError, r"filters=2.5"),
    ("filters='a'", lambda lib: lib.layers.Conv2D("a", 3), TypeError, r"filters='a'"),
    ("kernel_size=0", lambda lib: lib.layers.Conv2D(2, 0), ValueError, r"kernel_size=0"),
    ("kernel_size=-1", lambda lib: lib.layers.Conv2D(2, -1), ValueError, r"kernel_size=-1"),
    ("kernel_size=2.5", lambda lib: lib.layers.Conv2D(2, 2.5), ValueError, r"kernel_size=2.5"),
    ("kernel_size=(2, 2.0)", lambda lib: lib.layers.Conv2D(2, (2, 2.0)), ValueError,
     r"including element 2.0"),
    ("kernel_size of 1 for 2-D", lambda lib: lib.layers.Conv2D(2, (2,)), ValueError,
     r"tuple of 2 integers"),
    ("strides=0", lambda lib: lib.layers.Conv2D(2, 3, strides=0), ValueError, r"strides=0"),
    ("strides=(1, -2)", lambda lib: lib.layers.Conv2D(2, 3, strides=(1, -2)), ValueError,
     r"value > 0"),
    ("strides and dilation", lambda lib: lib.layers.Conv2D(2, 3, strides=2, dilation_rate=2),
     ValueError, r"`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
    ("transpose strides and dilation",
     lambda lib: lib.layers.Conv2DTranspose(2, 3, strides=2, dilation_rate=2), ValueError,
     r"`strides > 1` not supported"),
    ("filters % groups", lambda lib: lib.layers.Conv2D(4, 3, groups=3), ValueError,
     r"filters must be evenly divisible.*groups=3, filters=4"),
    ("groups=0", lambda lib: lib.layers.Conv2D(4, 3, groups=0), ValueError, r"groups=0"),
    ("channels % groups", _build(lambda L: L.Conv2D(4, 3, groups=2, name="grouped"),
                                 (1, 5, 5, 3)),
     ValueError, r"input channels must be evenly divisible.*'grouped'"),
    ("causal Conv2D", lambda lib: lib.layers.Conv2D(4, 3, padding="causal"), ValueError,
     r"`padding` argument must be one of .* Received: causal"),
    ("causal DepthwiseConv2D", lambda lib: lib.layers.DepthwiseConv2D(3, padding="causal"),
     ValueError, r"Received: causal"),
    ("padding='full'", lambda lib: lib.layers.Conv1D(4, 3, padding="full"), ValueError,
     r"Received: full"),
    ("data_format", lambda lib: lib.layers.Conv2D(4, 3, data_format="nhwc"), ValueError,
     r"data_format=nhwc"),
    ("depth_multiplier=0", lambda lib: lib.layers.DepthwiseConv2D(3, depth_multiplier=0),
     ValueError, r"depth_multiplier=0"),
    ("separable filters=0", lambda lib: lib.layers.SeparableConv2D(0, 3), ValueError,
     r"filters=0"),
    ("output_padding >= strides",
     lambda lib: lib.layers.Conv2DTranspose(2, 3, strides=2, output_padding=2), ValueError,
     r"`output_padding` must be strictly less than `strides`"),
    ("output size that convolves back wrong",
     _build(lambda L: L.Conv2DTranspose(2, 4, strides=2, padding="same", output_padding=0,
                                   name="up"), (1, 5, 5, 1)),
     ValueError, r"'up'.*does not convolve back"),
    ("lora_rank", lambda lib: lib.layers.Conv2D(2, 3, lora_rank=2), ValueError, r"lora_rank"),
    ("grayscale images without a channel axis",
     _build(lambda L: L.Conv2D(4, 3, name="first"), (2, 28, 28)), ValueError,
     r"layer \"first\".*expected ndim=4, found ndim=3.*reshape the inputs to "
     r"\(28, 28, 1\)"),
    ("the same, symbolic", _symbolic(lambda L: L.Conv2D(4, 3, name="sym"), (28, 28)),
     ValueError, r"\"sym\".*\(28, 28, 1\)"),
    ("channels_first hint", _build(lambda L: L.Conv2D(4, 3, data_format="channels_first"),
                                   (2, 28, 28)),
     ValueError, r"\(1, 28, 28\)"),
    ("Conv1D of 2-D input", _build(lambda L: L.Conv1D(4, 3, name="seq"), (2, 8)),
     ValueError, r"\"seq\".*expected ndim=3, found ndim=2.*\(8, 1\)"),
    ("5-D input to Conv2D", _build(lambda L: L.Conv2D(4, 3), (2, 6, 6, 6, 1)), ValueError,
     r"expected ndim=4, found ndim=5"),
    ("kernel larger than the input", _build(lambda L: L.Conv2D(4, 5, name="big"),
                                            (2, 3, 3, 1)),
     ValueError, r"Computed output size would be zero or negative.*'big'"),
    ("the same, symbolic", _symbolic(lambda L: L.Conv2D(4, 5, name="big_sym"), (3, 3, 1)),
     ValueError, r"zero or negative.*'big_sym'"),
    ("dilated kernel larger than the input",
     _build(lambda L: L.Conv1D(2, 5, dilation_rate=2), (2, 8, 1)), ValueError,
     r"zero or negative"),
    ("strided kernel larger than the input",
     _build(lambda L: L.DepthwiseConv2D((2, 4)), (2, 5, 3, 1)), ValueError,
     r"zero or negative"),
]


@pytest.mark.parametrize("label,fn,error,match", BAD_ARGUMENTS,
                         ids=[b[0] for b in BAD_ARGUMENTS])
def test_bad_arguments_raise_keras_errors(label, fn, error, match):
    with pytest.raises(error, match=match):
        fn(keraslite)


def test_too_small_input_at_call_time_names_the_layer():
    layer = layers.Conv2D(2, 3, name="late")
    model = keraslite.Sequential([keraslite.Input((None, None, 1)), layer])
    assert model.predict(np.zeros((1, 4, 4, 1), "float32"), verbose=0).shape == (1, 2, 2, 2)
    with pytest.raises(ValueError, match=r"zero or negative.*'late'"):
        model.predict(np.zeros((1, 2, 5, 1), "float32"), verbose=0)


def test_wrong_channels_after_build_raise_keras_error():
    layer = layers.Conv2D(2, 3, name="built")
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"\"built\".*expected axis -1 of input shape "
                                         r"to have value 3"):
        layer(np.zeros((1, 5, 5, 2), "float32"))


def test_tf_keras_2_configs_load():
    # tf.keras 2 writes `groups: 1` (and a separable conv's unused kernel_*).
    layer = layers.DepthwiseConv2D.from_config({"kernel_size": [3, 3], "groups": 1})
    assert layer.kernel_size == (3, 3)
    layer = layers.SeparableConv2D.from_config(
        {"filters": 2, "kernel_size": 3, "groups": 1, "kernel_initializer": None,
         "kernel_regularizer": None, "kernel_constraint": None})
    assert layer.get_config()["filters"] == 2
    with pytest.raises(ValueError, match="groups=2"):
        layers.Conv2DTranspose.from_config({"filters": 2, "kernel_size": 3, "groups": 2})
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.DepthwiseConv2D(3, groups=1)  # the constructor is Keras 3's


@pytest.mark.parametrize("name,make,shapes,kind", CONV_LAYER_CASES, ids=IDS)
def test_weight_count_before_build_is_exact(name, make, shapes, kind):
    layer = make(keraslite.layers)
    shape = (None,) + shapes[0][1:]
    expected = layer._count_weights(shape)
    layer.build(shape)
    assert layer.count_params() == expected


def test_a_file_declaring_huge_conv_weights_is_refused(tmp_path):
    model = keraslite.Sequential([keraslite.Input((8, 8, 3)), layers.Conv2D(2, 3)])
    model.save(tmp_path / "m.keras")
    import json
    import zipfile

    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(files["config.json"])
    config["config"]["layers"][-1]["config"]["filters"] = 2 ** 28
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "big.keras", "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    with pytest.raises(keraslite.saving.FileFormatError, match="cap"):
        keraslite.models.load_model(tmp_path / "big.keras")


@pytest.mark.parametrize("activation,loss,data_format", [
    ("sigmoid", "binary_crossentropy", "channels_last"),
    ("softmax", "categorical_crossentropy", "channels_last"),
    ("sigmoid", "binary_crossentropy", "channels_first"),
])
def test_loss_on_conv_logits_has_the_right_gradient(float64, activation, loss,
                                                    data_format):
    # The loss reads the conv's pre-activation as logits (as Keras's does).
    rng = np.random.default_rng(1)
    shape = (5, 5, 2) if data_format == "channels_last" else (2, 5, 5)
    x = rng.normal(size=(3,) + shape)
    model = keraslite.Sequential([keraslite.Input(shape), layers.Conv2D(
        3, 3, activation=activation, data_format=data_format)])
    out_shape = (3,) + model.output_shape[1:]
    y = rng.uniform(size=out_shape)
    if activation == "softmax":
        y = y / y.sum(-1, keepdims=True)
    model.compile("sgd", loss)
    _, grads = model._compute_loss_and_grads(x, y)
    for var, grad in zip(model.trainable_weights, grads):
        def objective():
            per_position = getattr(keraslite.losses, loss)(y, model.predict(x, verbose=0))
            return float(np.mean(per_position))
        np.testing.assert_allclose(grad, numeric_grad(objective, var.value),
                                   rtol=1e-5, atol=1e-7, err_msg=var.path)


def test_a_conv_after_padding_loads(tmp_path):
    # The loader's size check follows shapes through Dense, Flatten and the
    # convolutions only; a padding layer before a conv must not fool it.
    model = keraslite.Sequential([keraslite.Input((2, 2, 1)), layers.ZeroPadding2D(1),
                                  layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(1)])
    x = np.ones((1, 2, 2, 1), "float32")
    for suffix in (".keras", ".h5"):
        model.save(tmp_path / f"m{suffix}")
        loaded = keraslite.models.load_model(tmp_path / f"m{suffix}")
        np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                      model.predict(x, verbose=0))


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Conv2D(4, 3, padding="same", activation="relu"), (3, 7, 6, 1)),
    (lambda: layers.Conv2D(3, (3, 2), strides=2), (2, 9, 8, 3)),
    (lambda: layers.Conv2D(2, 3, dilation_rate=2, data_format="channels_first"), (2, 2, 9, 9)),
    (lambda: layers.Conv1D(3, 3, padding="causal"), (2, 10, 2)),
])
def test_bias_folded_into_the_product_equals_the_plain_path(make, shape, monkeypatch):
    # Few input channels: `col` is stored tap by tap and carries a ones tap,
    # so the forward product adds the bias and the kernel-gradient product
    # sums its gradient. With the rows-major layout forced, the bias is added
    # and summed separately; both must agree (and the input gradient too).
    from keraslite.layers.convolutional import base_conv

    x = np.random.default_rng(0).normal(size=shape).astype("float32")

    def step():
        layer = _with_weights(lambda L: make(), x)
        autodiff.enter_call()
        try:
            y, ctx = layer.forward(x, training=True, keep=True)
            folded = base_conv.bias_folded(ctx[0], ctx[1])
            dy = np.random.default_rng(1).normal(size=y.shape).astype("float32")
            dx, grads = layer.backward(ctx, dy, need_input_grad=True)
            return folded, [np.array(a) for a in (y, dx, *grads)]
        finally:
            autodiff.exit_call()

    folded, fast = step()
    monkeypatch.setattr(base_conv, "TAPS_MAJOR_BELOW", 0)
    plain_folded, plain = step()
    assert folded and not plain_folded
    for a, b in zip(fast, plain):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Conv2D(4, 3, padding="same", activation="relu"), (5, 7, 6, 6)),
    (lambda: layers.Conv2D(6, (3, 2), strides=2, groups=2), (5, 9, 8, 4)),
    (lambda: layers.Conv2D(2, 3, dilation_rate=2, data_format="channels_first"), (3, 2, 9, 9)),
    (lambda: layers.DepthwiseConv2D(3, padding="same"), (4, 6, 7, 3)),
    (lambda: layers.Conv1D(3, 3, padding="causal"), (5, 10, 5)),
])
def test_col2im_in_chunks_of_images_equals_one_chunk(make, shape, monkeypatch):
    # The column gradient is made and added back a few images at a time
    # (COL2IM_CHUNK_BYTES); one image per chunk must give the same input
    # gradient as the whole batch at once.
    from keraslite.layers.convolutional import base_conv

    x = np.random.default_rng(0).normal(size=shape).astype("float32")

    def input_grad():
        layer = _with_weights(lambda L: make(), x)
        autodiff.enter_call()
        try:
            y, ctx = layer.forward(x, training=True, keep=True)
            dy = np.random.default_rng(1).normal(size=y.shape).astype("float32")
            return np.array(layer.backward(ctx, dy, need_input_grad=True)[0])
        finally:
            autodiff.exit_call()

    whole = input_grad()
    monkeypatch.setattr(base_conv, "COL2IM_CHUNK_BYTES", 1)
    np.testing.assert_allclose(input_grad(), whole, rtol=1e-6, atol=1e-6)
