"""A max pooling that alone reads a convolution's relu output applies the
relu's mask to its own (smaller) output gradient, and the convolution skips
its relu backward: the gradients must be those of the unfused path bit for
bit (the unfused path: the same convolution without activation, then an
`Activation("relu")` layer)."""
import numpy as np
import pytest

import keraslite as K
from keraslite import layers


def _conv(kind, relu, data_format):
    act = "relu" if relu else None
    if kind == "conv1d":
        return layers.Conv1D(4, 3, activation=act, padding="same")
    if kind == "separable":
        return layers.SeparableConv2D(4, 3, activation=act, data_format=data_format)
    if kind == "transpose":
        return layers.Conv2DTranspose(4, 3, activation=act, data_format=data_format)
    if kind == "depthwise":
        return layers.DepthwiseConv2D(3, activation=act, data_format=data_format)
    return layers.Conv2D(4, 3, activation=act, data_format=data_format)


CASES = [  # (conv kind, data_format, pool kwargs)
    ("conv2d", "channels_last", {}),
    ("conv2d", "channels_first", {}),
    ("conv2d", "channels_last", {"pool_size": 3, "strides": 2}),  # overlap
    ("conv2d", "channels_last", {"pool_size": 3, "padding": "same"}),
    ("conv1d", "channels_last", {}),
    ("separable", "channels_last", {}),
    ("transpose", "channels_last", {}),
    ("depthwise", "channels_first", {}),
]


class _Stack(K.Model):
    """The layers one after the other, called by a subclassed model's call."""

    def __init__(self, stack):
        super().__init__()
        self.stack = stack

    def call(self, x):
        for layer in self.stack:
            x = layer(x)
        return x


def _pair(kind, data_format, pool_kwargs):
    """The fused model, and its unfused twin with the same weights."""
    rank = 1 if kind == "conv1d" else 2
    shape = (12, 3) if rank == 1 else ((3, 9, 9) if data_format == "channels_first"
                                       else (9, 9, 3))
    pool = layers.MaxPooling1D if rank == 1 else layers.MaxPooling2D
    kwargs = dict(pool_kwargs)
    if rank == 2:
        kwargs["data_format"] = data_format
    # Subclassed: Sequential and functional models run a relu Conv2D and a
    # tiling max pooling as one step instead (test_conv_pool_fusion.py).
    fused = _Stack([_conv(kind, True, data_format), pool(**kwargs),
                    layers.Flatten(), layers.Dense(3)])
    fused(np.zeros((1,) + shape, "float32"))  # builds it
    plain = K.Sequential([K.Input(shape), _conv(kind, False, data_format),
                          layers.Activation("relu"), pool(**kwargs),
                          layers.Flatten(), layers.Dense(3)])
    plain.set_weights(fused.get_weights())
    for m in (fused, plain):
        m.compile("rmsprop", K.losses.MeanSquaredError())
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5,) + shape).astype("float32")
    y = rng.standard_normal((5, 3)).astype("float32")
    return fused, plain, x, y, shape


def _fused(pool_layer):
    return any(key[0] == "relu_dy" for key in pool_layer._buffers)


@pytest.mark.parametrize("kind,data_format,pool_kwargs", CASES)
def test_fused_gradients_equal_unfused(kind, data_format, pool_kwargs):
    fused, plain, x, y, _ = _pair(kind, data_format, pool_kwargs)
    loss_f, grads_f = fused._compute_loss_and_grads(x, y)
    loss_p, grads_p = plain._compute_loss_and_grads(x, y)
    assert _fused(fused.stack[1]) and not _fused(plain.layers[2])
    assert loss_f == loss_p
    assert len(grads_f) == len(grads_p)
    for a, b in zip(grads_f, grads_p):
        np.testing.assert_array_equal(a, b)
    # Training steps too (the fused and unfused step, weights after 3).
    fused.fit(x, y, epochs=3, batch_size=5, verbose=0, shuffle=False)
    plain.fit(x, y, epochs=3, batch_size=5, verbose=0, shuffle=False)
    for a, b in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)


def _functional(relu, second_reader):
    inp = K.Input((8, 8, 2))
    conv = layers.Conv2D(3, 3, activation="relu" if relu else None)
    h = conv(inp)
    if not relu:
        h = layers.Activation("relu")(h)
    pool = layers.MaxPooling2D()
    out = layers.Dense(2)(layers.Flatten()(pool(h)))
    if second_reader == "branch":  # the relu output read twice
        side = layers.Dense(2)(layers.GlobalAveragePooling2D()(h))
        return K.Model(inp, layers.Add()([out, side])), pool
    if second_reader == "output":  # the relu output is a model output too
        return K.Model(inp, [out, h]), pool
    if second_reader == "pool_twice":  # the pooling reads it twice
        again = layers.Dense(2)(layers.Flatten()(pool(h)))
        return K.Model(inp, layers.Add()([out, again])), pool
    raise AssertionError(second_reader)


@pytest.mark.parametrize("second_reader", ["branch", "output", "pool_twice"])
def test_no_fusion_when_the_relu_output_has_another_reader(second_reader):
    fused, pool_f = _functional(True, second_reader)
    plain, _ = _functional(False, second_reader)
    plain.set_weights(fused.get_weights())
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 8, 8, 2)).astype("float32")
    if second_reader == "output":
        y = [rng.standard_normal((4, 2)).astype("float32"),
             rng.standard_normal((4, 6, 6, 3)).astype("float32")]
        losses = ["mse", "mse"]
    else:
        y = rng.standard_normal((4, 2)).astype("float32")
        losses = "mse"
    for m in (fused, plain):
        m.compile("sgd", losses)
    _, grads_f = fused._compute_loss_and_grads(x, y)
    _, grads_p = plain._compute_loss_and_grads(x, y)
    assert not _fused(pool_f)
    for a, b in zip(grads_f, grads_p):
        np.testing.assert_array_equal(a, b)


def test_average_pooling_and_other_activations_are_not_fused():
    for pool, act in ((layers.AveragePooling2D(2), "relu"),
                      (layers.MaxPooling2D(), "elu")):
        model = K.Sequential([K.Input((6, 6, 1)), layers.Conv2D(2, 3, activation=act),
                              pool, layers.Flatten(), layers.Dense(1)])
        model.compile("sgd", "mse")
        x = np.random.default_rng(0).standard_normal((2, 6, 6, 1)).astype("float32")
        model._compute_loss_and_grads(x, np.zeros((2, 1), "float32"))
        assert not _fused(pool)
