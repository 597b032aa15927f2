"""Layers on their own: shapes, configs, training vs inference, backward."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, models


def numeric_input_grad(layer, x, dy, eps=1e-3):
    """Central differences of sum(layer(x) * dy) w.r.t. x (float32 layer)."""
    grad = np.zeros_like(x, dtype="float64")
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = float((layer.forward(x.copy())[0] * dy).sum(dtype="float64"))
        flat[i] = old - eps
        down = float((layer.forward(x.copy())[0] * dy).sum(dtype="float64"))
        flat[i] = old
        grad.reshape(-1)[i] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", sorted(keraslite.activations.ALL_ACTIVATIONS))
def test_activation_layer_backward_matches_differences(name):
    rng = np.random.default_rng(0)
    layer = layers.Activation(name)
    x = rng.normal(size=(3, 5)).astype("float32")
    if name in ("relu", "relu6", "leaky_relu", "elu", "selu", "hard_sigmoid"):
        x += np.sign(x) * 0.1  # keep away from the kinks
    dy = rng.normal(size=(3, 5)).astype("float32")
    layer._maybe_build(x.shape)
    _, ctx = layer.forward(x, training=True, keep=True)
    analytic, _ = layer.backward(ctx, dy.copy())
    np.testing.assert_allclose(analytic, numeric_input_grad(layer, x, dy),
                               rtol=2e-2, atol=2e-3)


def test_dense_backward_and_parameter_gradients():
    rng = np.random.default_rng(1)
    layer = layers.Dense(4, activation="tanh")
    x = rng.normal(size=(6, 3)).astype("float32")
    dy = rng.normal(size=(6, 4)).astype("float32")
    layer._maybe_build(x.shape)
    _, ctx = layer.forward(x, training=True, keep=True)
    dx, grads = layer.backward(ctx, dy.copy())
    dx, d_kernel = dx.copy(), grads[0].copy()
    np.testing.assert_allclose(dx, numeric_input_grad(layer, x, dy),
                               rtol=2e-2, atol=2e-3)
    # Kernel gradient by differences on one entry.
    eps, (i, j) = 1e-3, (1, 2)
    k = layer.kernel.value
    k[i, j] += eps
    up = (layer.forward(x)[0] * dy).sum(dtype="float64")
    k[i, j] -= 2 * eps
    down = (layer.forward(x)[0] * dy).sum(dtype="float64")
    k[i, j] += eps
    assert d_kernel[i, j] == pytest.approx((up - down) / (2 * eps), rel=2e-2)


@pytest.mark.parametrize("shape", [(6, 3), (300, 7), (4, 5, 3)])
def test_dense_bias_gradient_is_the_output_gradient_summed_over_samples(shape):
    # The bias gradient is a BLAS product (ones @ dy): its additions run in
    # BLAS's order, so it equals the float64 sum to float32 rounding.
    rng = np.random.default_rng(2)
    layer = layers.Dense(5)
    x = rng.normal(size=shape).astype("float32")
    dy = rng.normal(size=shape[:-1] + (5,)).astype("float32")
    layer._maybe_build(x.shape)
    _, ctx = layer.forward(x, training=True, keep=True)
    _, grads = layer.backward(ctx, dy.copy())
    expected = dy.reshape(-1, 5).sum(axis=0, dtype="float64")
    assert grads[1].dtype == np.float32 and grads[1].shape == (5,)
    np.testing.assert_allclose(grads[1], expected, rtol=1e-5, atol=1e-5)


def test_dense_on_3d_input_acts_on_last_axis():
    layer = layers.Dense(2)
    out = layer(np.ones((4, 3, 5), "float32"))
    assert out.shape == (4, 3, 2)
    assert layer.kernel.shape == (5, 2)


def test_dropout_training_and_inference():
    keraslite.utils.set_random_seed(3)
    layer = layers.Dropout(0.25)
    x = np.ones((200, 50), "float32")
    assert layer(x) is not x and np.array_equal(layer(x), x)  # inference: identity
    y = layer(x, training=True)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert 0.70 < kept.mean() < 0.80
    dy = np.ones_like(x)
    _, mask = layer.forward(x, training=True, keep=True)
    mask = mask.copy()
    np.testing.assert_array_equal(layer.backward(mask, dy)[0], mask)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.5)


def test_dropout_noise_shape_and_seed():
    layer = layers.Dropout(0.5, noise_shape=(None, 1), seed=7)
    y = layer(np.ones((20, 6), "float32"), training=True)
    assert all(len(set(row)) == 1 for row in y)  # one draw per row
    again = layers.Dropout(0.5, noise_shape=(None, 1), seed=7)
    np.testing.assert_array_equal(again(np.ones((20, 6), "float32"), training=True), y)


def test_flatten_shapes_and_channels_first():
    x = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)
    layer = layers.Flatten()
    assert layer(x).shape == (2, 12)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 12)
    cf = layers.Flatten(data_format="channels_first")
    np.testing.assert_array_equal(cf(x), np.moveaxis(x, 1, -1).reshape(2, -1))
    y, ctx = cf.forward(x, training=True, keep=True)
    np.testing.assert_array_equal(cf.backward(ctx, y)[0], x)


def test_layer_configs_round_trip():
    for layer in (layers.Dense(3, activation="relu", use_bias=False,
                               kernel_initializer="he_normal",
                               kernel_regularizer="l2"),
                  layers.Dropout(0.3, seed=1), layers.Flatten(),
                  layers.Activation("softmax")):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config


def test_set_random_seed_reproduces_a_run():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")

    def run():
        keraslite.utils.set_random_seed(42)
        model = models.Sequential([keraslite.Input((5,)),
                                   layers.Dense(8, activation="relu"),
                                   layers.Dropout(0.2), layers.Dense(1)])
        model.compile("adam", "mse")
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        return model.get_weights(), history.history["loss"]

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_dense_stack_on_3d_input_backprops_through_every_layer():
    rng = np.random.default_rng(5)
    model = models.Sequential([
        keraslite.Input((4, 5)), layers.Dense(6, activation="tanh"),
        layers.Dropout(0.0), layers.Dense(3), layers.Flatten(), layers.Dense(2),
    ])
    model.compile("sgd", "mse")
    x = rng.normal(size=(7, 4, 5)).astype("float32")
    y = rng.normal(size=(7, 2)).astype("float32")
    _, grads = model._compute_loss_and_grads(x, y)
    analytic = grads[0].copy()
    kernel = model.layers[0].kernel.value

    def loss():
        return float(model.evaluate(x, y, batch_size=7, verbose=0))

    eps, (i, j) = 1e-2, (2, 4)
    kernel[i, j] += eps
    up = loss()
    kernel[i, j] -= 2 * eps
    down = loss()
    kernel[i, j] += eps
    assert analytic[i, j] == pytest.approx((up - down) / (2 * eps), rel=2e-2, abs=1e-4)
    layer = model.layers[2]
    _, ctx = layer.forward(np.ones((7, 4, 6), "float32"), keep=True)
    dx, _ = layer.backward(ctx, np.ones((28, 3), "float32"))
    assert dx.shape == (7, 4, 6)
