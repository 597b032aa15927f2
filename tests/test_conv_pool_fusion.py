"""A Sequential or functional model runs a relu Conv2D and the MaxPooling2D
that tiles its output as one step (`conv_pool.ConvPool`): its outputs must
be those of the two layers run one by one bit for bit, its gradients the
same up to the order of the additions in the products (float32 rounding),
and each window's gradient must go to the same (first) maximum."""
import numpy as np
import pytest

import keraslite as K
from keraslite import layers
from keraslite.layers.convolutional import conv_pool


CASES = {  # first convolution and pooling; a second fused pair follows
    "book": dict(shape=(14, 14, 1)),
    "rgb_odd_sizes": dict(shape=(15, 13, 3)),  # a row and column uncovered
    "groups": dict(shape=(16, 16, 4), groups=2),
    "strided_same_no_bias": dict(shape=(17, 17, 2), strides=2, padding="same",
                                 use_bias=False),
    "dilated_2x3_pool": dict(shape=(20, 20, 1), dilation_rate=2, pool=(2, 3)),
    "3x3_pool": dict(shape=(21, 21, 5), kernel_size=2, pool=3),
    "1x1_pool": dict(shape=(8, 8, 2), pool=1),
}


def _model(case, dtype="float32", fused=True, monkeypatch=None, bias=0.0):
    if not fused:
        monkeypatch.setattr(conv_pool, "fusable", lambda conv, pool: False)
    K.utils.set_random_seed(1)
    conv_args = {k: v for k, v in case.items() if k not in ("shape", "pool")}
    model = K.Sequential([
        K.Input(case["shape"]),
        layers.Conv2D(8, conv_args.pop("kernel_size", 3), activation="relu",
                      bias_initializer=K.initializers.Constant(bias), dtype=dtype,
                      **conv_args),
        layers.MaxPooling2D(case.get("pool", 2), dtype=dtype),
        layers.Conv2D(6, 2, activation="relu", dtype=dtype),
        layers.MaxPooling2D(2, dtype=dtype),
        layers.Flatten(dtype=dtype),
        layers.Dense(5, activation="softmax", dtype=dtype),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.predict(np.zeros((1,) + case["shape"], dtype), verbose=0)  # plan the steps
    steps = model._steps()
    assert sum(isinstance(s, conv_pool.ConvPool) for s in steps) == (2 if fused else 0)
    if not fused:
        monkeypatch.undo()
    return model


@pytest.fixture
def float64():
    previous = K.backend.floatx()
    K.backend.set_floatx("float64")
    yield "float64"
    K.backend.set_floatx(previous)


def _data(case, dtype, sparse=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9,) + case["shape"]).astype(dtype)
    if sparse:  # a zero half: its windows hold equal maxima (the bias)
        x[:, : x.shape[1] // 2] = 0
    return x, rng.integers(0, 5, 9)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fused_steps_equal_the_layers_one_by_one(name, monkeypatch):
    case = CASES[name]
    fused = _model(case)
    plain = _model(case, fused=False, monkeypatch=monkeypatch)
    x, y = _data(case, "float32")
    np.testing.assert_array_equal(fused.predict(x, verbose=0),
                                  plain.predict(x, verbose=0))
    _assert_training_matches(fused, plain, x, y)


def _assert_training_matches(fused, plain, x, y):
    """Loss, gradients and the weights after a 2-epoch fit: the fused
    model's within float32 rounding of the unfused one's."""
    loss_f, grads_f = fused._compute_loss_and_grads(x, y)
    loss_p, grads_p = plain._compute_loss_and_grads(x, y)
    assert loss_f == loss_p
    assert len(grads_f) == len(grads_p)
    for a, b in zip(grads_f, grads_p):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * np.abs(b).max())
    for model in (fused, plain):
        K.utils.set_random_seed(5)
        model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    for a, b in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,functional", [
    ("book", False), ("rgb_odd_sizes", False), ("3x3_pool", False),
    ("rgb_odd_sizes", True)])
def test_ties_go_to_the_first_maximum_in_float64(name, functional, monkeypatch, float64):
    # Zero patches and a positive bias: many windows hold several equal
    # maxima; a gradient sent to another one would differ by far more
    # than float64 rounding.
    case = CASES[name]
    build = _functional if functional else _model
    fused = build(case, "float64", bias=0.1)
    plain = build(case, "float64", fused=False, monkeypatch=monkeypatch, bias=0.1)
    x, y = _data(case, "float64", sparse=True)
    _, grads_f = fused._compute_loss_and_grads(x, y)
    _, grads_p = plain._compute_loss_and_grads(x, y)
    for a, b in zip(grads_f, grads_p):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_input_gradient_of_a_fused_pair(monkeypatch, float64):
    # The input gradient (col2im of the blocks put back in image order)
    # against the unfused layers', on a tape of the pair alone.
    case = CASES["rgb_odd_sizes"]
    x, _ = _data(case, "float64")
    grads = []
    for fused in (True, False):
        model = _model(case, "float64", fused=fused, monkeypatch=monkeypatch)
        step = model._steps()[0] if fused else None
        conv, pool = model.layers[0], model.layers[1]
        tape = K.autodiff.Tape(watch=conv.trainable_weights)
        inp = K.autodiff.Tensor(x, requires_grad=True)
        with tape:
            K.autodiff.enter_call()
            try:
                out = step.call(inp) if fused else pool.call(conv.call(inp))
            finally:
                K.autodiff.exit_call()
        seed = np.random.default_rng(2).standard_normal(out.value.shape)
        tape.gradient([(out, seed)])
        grads.append(inp.grad)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("change", [
    "elu", "pool_strides", "pool_same", "channels_first", "separable",
    "activity_regularizer", "average"])
def test_pairs_that_are_not_fused(change):
    conv = dict(filters=2, kernel_size=3, activation="relu")
    pool = dict(pool_size=2)
    conv_cls, pool_cls = layers.Conv2D, layers.MaxPooling2D
    shape = (8, 8, 1)
    if change == "elu":
        conv["activation"] = "elu"
    elif change == "pool_strides":
        pool["strides"] = 1
    elif change == "pool_same":
        pool.update(pool_size=3, padding="same")
    elif change == "channels_first":
        conv["data_format"] = pool["data_format"] = "channels_first"
        shape = (1, 8, 8)
    elif change == "separable":
        conv_cls = layers.SeparableConv2D
    elif change == "activity_regularizer":
        conv["activity_regularizer"] = "l2"
    elif change == "average":
        pool_cls = layers.AveragePooling2D
    model = K.Sequential([K.Input(shape), conv_cls(**conv), pool_cls(**pool),
                          layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.predict(np.zeros((1,) + shape, "float32"), verbose=0)
    assert not any(isinstance(s, conv_pool.ConvPool) for s in model._steps())


def test_steps_follow_the_layers():
    model = K.Sequential([K.Input((8, 8, 1)), layers.Conv2D(2, 3, activation="relu"),
                          layers.Flatten(), layers.Dense(1)])
    assert not any(isinstance(s, conv_pool.ConvPool) for s in model._steps())
    model.pop()
    model.pop()
    model.add(layers.MaxPooling2D())
    model.add(layers.Flatten())
    assert isinstance(model._steps()[0], conv_pool.ConvPool)
    assert model.predict(np.ones((2, 8, 8, 1), "float32"), verbose=0).shape == (2, 18)


def test_frozen_convolution_gets_no_gradient_and_keeps_its_weights():
    model = K.Sequential([K.Input((8, 8, 1)), layers.Conv2D(2, 3, activation="relu"),
                          layers.MaxPooling2D(), layers.Flatten(), layers.Dense(1)])
    model.layers[0].trainable = False
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.layers[0].get_weights()]
    dense_before = model.layers[-1].get_weights()[0].copy()
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 1)).astype("float32")
    model.fit(x, np.ones((4, 1), "float32"), epochs=2, verbose=0)
    for a, b in zip(before, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(dense_before, model.layers[-1].get_weights()[0])


def test_errors_name_the_layers_as_unfused():
    # A pooling larger than the convolution's output: the pooling's error.
    model = K.Sequential([layers.Conv2D(2, 3, activation="relu"), layers.MaxPooling2D(4)])
    with pytest.raises(ValueError, match="zero or negative"):
        model.predict(np.ones((1, 5, 5, 1), "float32"), verbose=0)


# --- functional models (conv_pool.plan_graph) ---------------------------------------

def _functional(case, dtype="float32", fused=True, monkeypatch=None, bias=0.0,
                input_dtype=None):
    """`_model`'s network as a functional model (the book's 2nd edition)."""
    if not fused:
        monkeypatch.setattr(conv_pool, "fusable", lambda conv, pool: False)
    K.utils.set_random_seed(1)
    conv_args = {k: v for k, v in case.items() if k not in ("shape", "pool")}
    inputs = K.Input(case["shape"], dtype=input_dtype or dtype)
    x = layers.Conv2D(8, conv_args.pop("kernel_size", 3), activation="relu",
                      bias_initializer=K.initializers.Constant(bias), dtype=dtype,
                      **conv_args)(inputs)
    x = layers.MaxPooling2D(case.get("pool", 2), dtype=dtype)(x)
    x = layers.Conv2D(6, 2, activation="relu", dtype=dtype)(x)
    x = layers.MaxPooling2D(2, dtype=dtype)(x)
    outputs = layers.Dense(5, activation="softmax", dtype=dtype)(
        layers.Flatten(dtype=dtype)(x))
    model = K.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    steps = model._conv_pools()
    assert len(steps) == (2 if fused else 0)
    if not fused:
        monkeypatch.undo()
    return model


@pytest.mark.parametrize("name", ["book", "rgb_odd_sizes", "dilated_2x3_pool"])
def test_functional_pairs_run_fused_as_in_sequential(name, monkeypatch):
    case = CASES[name]
    fused = _functional(case)
    plain = _functional(case, fused=False, monkeypatch=monkeypatch)
    x, y = _data(case, "float32")
    calls = []
    call = conv_pool.ConvPool.call
    monkeypatch.setattr(conv_pool.ConvPool, "call",
                        lambda self, *a, **k: calls.append(1) or call(self, *a, **k))
    np.testing.assert_array_equal(fused.predict(x, verbose=0),
                                  plain.predict(x, verbose=0))
    assert len(calls) == 2  # the fused model's two pairs, once each
    # The same numbers as the fused Sequential model, weights and all.
    np.testing.assert_array_equal(fused.predict(x, verbose=0),
                                  _model(case).predict(x, verbose=0))
    _assert_training_matches(fused, plain, x, y)


def test_functional_input_of_another_dtype_runs_the_layers_one_by_one():
    # uint8 images into the first convolution: converted by the layer, as
    # unfused; the second pair (float32 input) still runs fused.
    case = CASES["book"]
    model = _functional(case, input_dtype="uint8")
    x = np.random.default_rng(0).integers(0, 255, (3,) + case["shape"]).astype("uint8")
    first = model._conv_pools()
    assert not first[id(model.layers[1]._inbound_nodes[0])].run(
        {id(model.inputs[0]): x})
    np.testing.assert_array_equal(model.predict(x, verbose=0),
                                  model.predict(x.astype("float32"), verbose=0))


def _graph(reader):
    inp = K.Input((8, 8, 2))
    h = layers.Conv2D(3, 3, activation="relu")(inp)
    pooled = layers.MaxPooling2D()(h)
    out = layers.Dense(2)(layers.Flatten()(pooled))
    if reader == "branch":  # the convolution's output read by another layer too
        side = layers.Dense(2)(layers.GlobalAveragePooling2D()(h))
        return K.Model(inp, layers.Add()([out, side]))
    if reader == "output":  # the convolution's output is a model output too
        return K.Model(inp, [out, h])
    if reader == "pool_output":  # fused: the pooling's output may be one
        return K.Model(inp, [out, pooled])
    if reader == "overlapping":
        return K.Model(inp, layers.Dense(2)(layers.Flatten()(
            layers.MaxPooling2D(3, strides=2)(h))))
    raise AssertionError(reader)


@pytest.mark.parametrize("reader,fused", [
    ("branch", False), ("output", False), ("overlapping", False), ("pool_output", True)])
def test_functional_pairs_fuse_only_when_the_pooling_alone_reads(reader, fused):
    model = _graph(reader)
    assert len(model._conv_pools()) == int(fused)
    x = np.random.default_rng(3).standard_normal((4, 8, 8, 2)).astype("float32")
    # The outputs are those of the layers called one by one.
    expected = {}
    for node in model._run_order:
        if node.is_input:
            expected[id(node.output_tensors[0])] = x
            continue
        args = [expected[id(t)] for t in node.input_tensors]
        expected[id(node.output_tensors[0])] = node.layer(args if len(args) > 1 else args[0])
    outputs = model.predict(x, verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for got, tensor in zip(outputs, model.outputs):
        np.testing.assert_array_equal(got, expected[id(tensor)])
