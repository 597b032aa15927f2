"""Central-difference gradient checks in float64 (NumPy only).

Activations are checked through their in-place kernels on float64 arrays;
losses and Dense stacks run with `backend.set_floatx("float64")` so that
keraslite's own code computes in float64 and the finite differences are
accurate to ~1e-8.
"""
import numpy as np
import pytest

import keraslite
from keraslite import activations, backend, losses

EPS = 1e-6



@pytest.fixture
def float64():
    previous = backend.floatx()
    backend.set_floatx("float64")
    yield
    backend.set_floatx(previous)


def numeric_grad(f, x, eps=EPS):
    """d f / d x by central differences (f returns a scalar)."""
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        g[i] = (up - down) / (2 * eps)
    return grad


def _away_from_kinks(x):
    # Move points off the kinks of relu/relu6/hard_sigmoid/elu (0, +-3, 6).
    for kink in (0.0, 3.0, -3.0, 6.0):
        near = np.abs(x - kink) < 0.05
        x[near] += 0.1
    return x


ACTIVATION_NAMES = [n for n in activations.ALL_ACTIVATIONS]


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_backward(name):
    fn = activations.get(name)
    forward, backward, _ = activations.kernels(fn)
    rng = np.random.default_rng(0)
    x = _away_from_kinks(rng.normal(0, 3, size=(4, 6)))
    dy = rng.normal(size=x.shape)
    y = forward(x.copy())
    analytic = backward(dy.copy(), y, x.copy())
    expected = numeric_grad(lambda: float(np.sum(forward(x.copy()) * dy)), x)
    np.testing.assert_allclose(analytic, expected, rtol=1e-6, atol=1e-7)
    # The public function and the in-place kernel agree.
    np.testing.assert_allclose(fn(x), y, rtol=1e-12, atol=0)


def _loss_data(kind, rng, n=6, k=4):
    if kind == "regression":
        return rng.normal(size=(n, k)), rng.normal(size=(n, k))
    if kind == "onehot":
        p = np.exp(rng.normal(size=(n, k)))
        return np.eye(k)[rng.integers(0, k, n)], p / p.sum(-1, keepdims=True)
    if kind == "sparse":
        p = np.exp(rng.normal(size=(n, k)))
        return rng.integers(0, k, n).astype("float64"), p / p.sum(-1, keepdims=True)
    if kind == "sparse_ignore":
        y, p = _loss_data("sparse", rng, n, k)
        y[[1, 3]] = -1
        return y, p
    if kind == "binary":
        return (rng.integers(0, 2, (n, k)).astype("float64"),
                1 / (1 + np.exp(-rng.normal(size=(n, k)))))
    if kind == "logits":
        return np.eye(k)[rng.integers(0, k, n)], rng.normal(size=(n, k)) * 2
    if kind == "sparse_logits":
        return rng.integers(0, k, n).astype("float64"), rng.normal(size=(n, k)) * 2
    if kind == "binary_logits":
        return (rng.integers(0, 2, (n, k)).astype("float64"),
                rng.normal(size=(n, k)) * 2)
    raise ValueError(kind)


LOSS_CASES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     "logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": -1}, "sparse_ignore"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logits"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", LOSS_CASES,
                         ids=[f"{c}{kw}" for c, kw, _ in LOSS_CASES])
def test_loss_gradient(float64, case, weighted, reduction):
    cls, kwargs, kind = case
    rng = np.random.default_rng(1)
    y_true, y_pred = _loss_data(kind, rng)
    sw = rng.uniform(0.2, 2.0, len(y_pred)) if weighted else None
    loss = getattr(losses, cls)(reduction=reduction, **kwargs)
    value, grad = loss.value_and_grad(y_true, y_pred.copy(), sw)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(value, loss(y_true, y_pred, sw), rtol=1e-12)
    expected = numeric_grad(lambda: float(loss(y_true, y_pred, sw)), y_pred)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cls,kind,activation", [
    ("CategoricalCrossentropy", "logits", "softmax"),
    ("SparseCategoricalCrossentropy", "sparse_logits", "softmax"),
    ("BinaryCrossentropy", "binary_logits", "sigmoid"),
])
def test_fused_logits_gradient(float64, cls, kind, activation):
    """value_and_grad(from_logits=True) is the gradient w.r.t. the logits of
    the loss of softmax/sigmoid(logits)."""
    rng = np.random.default_rng(2)
    y_true, z = _loss_data(kind, rng)
    loss = getattr(losses, cls)()
    act = activations.get(activation)
    value, grad = loss.value_and_grad(y_true, z.copy(), None, from_logits=True)
    np.testing.assert_allclose(value, loss(y_true, act(z)), rtol=1e-9)
    expected = numeric_grad(lambda: float(loss(y_true, act(z))), z)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


STACKS = [
    ("tanh", "mse", 2, True),
    ("relu", "mae", 1, True),
    ("sigmoid", "categorical_crossentropy", 2, False),
    ("elu", "sparse_categorical_crossentropy", 3, True),
    ("softplus", "binary_crossentropy", 2, True),
    ("selu", "categorical_crossentropy", 3, False),
    ("swish", "mse", 3, True),
]


@pytest.mark.parametrize("activation,loss,depth,use_bias", STACKS)
def test_dense_stack_gradient(float64, activation, loss, depth, use_bias):
    rng = np.random.default_rng(3)
    k = 3
    out_activation = {"categorical_crossentropy": "softmax",
                      "sparse_categorical_crossentropy": "softmax",
                      "binary_crossentropy": "sigmoid"}.get(loss, activation)
    layers = [keraslite.layers.Dense(4, activation=activation, use_bias=use_bias)
              for _ in range(depth - 1)]
    layers.append(keraslite.layers.Dense(k, activation=out_activation,
                                         use_bias=use_bias))
    model = keraslite.Sequential([keraslite.Input((5,))] + layers)
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(7, 5))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, 7).astype("float64")
    elif loss == "categorical_crossentropy":
        y = np.eye(k)[rng.integers(0, k, 7)]
    elif loss == "binary_crossentropy":
        y = rng.integers(0, 2, (7, k)).astype("float64")
    else:
        y = rng.normal(size=(7, k))
    model.set_weights([w if w.ndim > 1 else rng.normal(0, 0.3, w.shape)
                       for w in model.get_weights()])
    if loss == "mae":
        # Keep predictions away from the labels, where |.| has its kink.
        y = y + 5.0

    def objective():
        out = model(x, training=False)
        return float(model._loss_object(y, out) + sum(model.losses))

    _, grads = model._compute_loss_and_grads(x, y)
    analytic = [g.copy() for g in grads]
    variables = model.trainable_weights
    assert len(analytic) == len(variables)
    for var, g in zip(variables, analytic):
        assert g.dtype == np.float64
        expected = numeric_grad(objective, var.value)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8,
                                   err_msg=var.path)


@pytest.mark.parametrize("regularizer", [
    keraslite.regularizers.L1(0.03), keraslite.regularizers.L2(0.02),
    keraslite.regularizers.L1L2(l1=0.01, l2=0.05),
], ids=["L1", "L2", "L1L2"])
def test_regularizer_gradient(regularizer):
    # NOTE: penalties are float32 scalars; with a step of 1e-2 central
    # differences are exact for these piecewise linear/quadratic penalties
    # (no point crosses 0), so float32 rounding is the only error.
    rng = np.random.default_rng(4)
    w = rng.normal(size=(5, 3))
    w[np.abs(w) < 0.05] = 0.2
    expected = numeric_grad(lambda: float(regularizer(w)), w, eps=1e-2)
    np.testing.assert_allclose(regularizer.gradient(w), expected, rtol=1e-4,
                               atol=1e-6)
