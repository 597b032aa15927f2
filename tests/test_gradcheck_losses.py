"""Central-difference gradient checks in float64 of the losses beyond the
first five (Huber ... Tversky): `value_and_grad` for every reduction, with
and without sample weights, and whole Dense stacks trained with them.

Data keep away from each loss's kinks (hinge margins of 0, |error| = delta,
tied maxima, the clipping bounds), where a one-sided derivative is all
there is; compat_tests/parity_losses.py compares those points with
TensorFlow's conventions.
"""
import numpy as np
import pytest

import keraslite
from keraslite import activations, losses
from tests.test_gradcheck import float64, numeric_grad  # noqa: F401 (fixture)


def _away(x, points, margin=0.05):
    """Moves entries of x that are within `margin` of a kink off it."""
    for point in points:
        near = np.abs(x - point) < margin
        x[near] += 2 * margin
    return x


def _data(kind, rng, n=6, k=4):
    if kind == "regression":
        return rng.normal(size=(n, k)), rng.normal(size=(n, k)) * 2
    if kind == "huber":  # errors away from +-delta (0.5 and 1)
        y = rng.normal(size=(n, k))
        error = _away(rng.normal(size=(n, k)) * 2, (-1, -0.5, 0.5, 1, 0))
        return y, y + error
    if kind == "positive":
        return rng.poisson(2.0, (n, k)).astype("float64"), rng.uniform(0.2, 4, (n, k))
    if kind == "msle":  # labels below epsilon too; predictions above it
        return rng.uniform(-0.5, 4, (n, k)), rng.uniform(0.1, 4, (n, k))
    if kind == "mape":
        y = _away(rng.normal(size=(n, k)) * 3, (0,), 0.2)
        return y, y + _away(rng.normal(size=(n, k)), (0,))
    if kind == "away_from_zero":  # labels that MAPE divides by
        return rng.uniform(1, 3, (n, k)), rng.uniform(1, 3, (n, k))
    if kind == "distributions":
        return rng.dirichlet(np.ones(k), n), rng.dirichlet(np.ones(k), n)
    if kind == "hinge01":
        y = rng.integers(0, 2, (n, k)).astype("float64")
        return y, _away(rng.normal(size=(n, k)) * 2, (-1, 1))
    if kind == "hinge_soft":
        y = rng.uniform(-1, 1, (n, k))
        p = rng.normal(size=(n, k)) * 2
        margin = _away(1 - y * p, (0,))
        return y, (1 - margin) / y
    if kind == "onehot_scores":
        y = np.eye(k)[rng.integers(0, k, n)]
        return y, rng.normal(size=(n, k)) * 2
    if kind == "probs":
        p = np.exp(rng.normal(size=(n, k)))
        return np.eye(k)[rng.integers(0, k, n)], p / p.sum(-1, keepdims=True)
    if kind == "logits":
        return np.eye(k)[rng.integers(0, k, n)], rng.normal(size=(n, k)) * 2
    if kind == "binary":
        return (rng.integers(0, 2, (n, k)).astype("float64"),
                1 / (1 + np.exp(-rng.normal(size=(n, k)))))
    if kind == "binary_logits":
        return (rng.integers(0, 2, (n, k)).astype("float64"),
                rng.normal(size=(n, k)) * 2)
    if kind == "masks":
        return (rng.integers(0, 2, (n, k)).astype("float64"),
                1 / (1 + np.exp(-rng.normal(size=(n, k)))))
    if kind == "masks4d":
        shape = (n, 3, 2, 1)
        return (rng.integers(0, 2, shape).astype("float64"),
                1 / (1 + np.exp(-rng.normal(size=shape))))
    if kind == "cosine3d":
        return rng.normal(size=(n, k, 1)), rng.normal(size=(n, k, 1))
    raise ValueError(kind)


CASES = [
    ("Huber", {}, "huber"),
    ("Huber", {"delta": 0.5}, "huber"),
    ("LogCosh", {}, "regression"),
    ("KLDivergence", {}, "distributions"),
    ("Poisson", {}, "positive"),
    ("CosineSimilarity", {}, "regression"),
    ("CosineSimilarity", {"axis": 1}, "cosine3d"),
    ("Hinge", {}, "hinge01"),
    ("Hinge", {}, "hinge_soft"),
    ("SquaredHinge", {}, "hinge01"),
    ("CategoricalHinge", {}, "onehot_scores"),
    ("MeanSquaredLogarithmicError", {}, "msle"),
    ("MeanAbsolutePercentageError", {}, "mape"),
    ("CategoricalFocalCrossentropy", {}, "probs"),
    ("CategoricalFocalCrossentropy", {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 3.0},
     "probs"),
    ("CategoricalFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     "logits"),
    ("BinaryFocalCrossentropy", {}, "binary"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4,
                                 "gamma": 1.5, "label_smoothing": 0.1}, "binary"),
    ("BinaryFocalCrossentropy", {"from_logits": True}, "binary_logits"),
    ("Dice", {}, "masks"),
    ("Dice", {"axis": (1, 2)}, "masks4d"),
    ("Tversky", {"alpha": 0.3, "beta": 0.7}, "masks"),
    ("Tversky", {"axis": -1}, "masks"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c}{kw}-{d}" for c, kw, d in CASES])
def test_loss_gradient(float64, case, weighted, reduction):
    cls, kwargs, kind = case
    rng = np.random.default_rng(1)
    y_true, y_pred = _data(kind, rng)
    sw = rng.uniform(0.2, 2.0, len(y_pred)) if weighted else None
    loss = getattr(losses, cls)(reduction=reduction, **kwargs)

    def objective():
        # As Keras's CompileLoss, training averages an unreduced loss.
        return float(np.mean(loss(y_true, y_pred, sw)))

    value, grad = loss.value_and_grad(y_true, y_pred.copy(), sw)
    assert grad.dtype == np.float64 and grad.shape == y_pred.shape
    np.testing.assert_allclose(value, loss(y_true, y_pred, sw), rtol=1e-12)
    expected = numeric_grad(objective, y_pred)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("sw", [None, 2.3, np.array([0.5, 0.0, 1.5, 2.0, 1.0, 0.3])],
                         ids=["none", "scalar", "vector"])
def test_one_value_per_batch_gradient(float64, reduction, sw):
    """Dice with axis=None: the weights multiply the one value (as Keras)."""
    y_true, y_pred = _data("masks", np.random.default_rng(4))
    loss = losses.Dice(reduction=reduction)
    value, grad = loss.value_and_grad(y_true, y_pred.copy(), sw)
    np.testing.assert_allclose(value, loss(y_true, y_pred, sw), rtol=1e-12)
    expected = numeric_grad(lambda: float(np.mean(loss(y_true, y_pred, sw))), y_pred)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


def test_binary_focal_fused_logits_gradient(float64):
    """value_and_grad(from_logits=True), the path of a sigmoid output, is the
    gradient w.r.t. the logits of the loss of sigmoid(logits)."""
    rng = np.random.default_rng(2)
    y_true, z = _data("binary_logits", rng)
    loss = losses.BinaryFocalCrossentropy(apply_class_balancing=True)
    assert loss.logits_activation == "sigmoid"
    sigmoid = activations.get("sigmoid")
    value, grad = loss.value_and_grad(y_true, z.copy(), None, from_logits=True)
    np.testing.assert_allclose(value, loss(y_true, sigmoid(z)), rtol=1e-9)
    expected = numeric_grad(lambda: float(loss(y_true, sigmoid(z))), z)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


STACKS = [
    ("huber", "linear", "regression"),
    ("log_cosh", "linear", "regression"),
    ("kld", "softmax", "distributions"),
    ("poisson", "softplus", "positive"),
    ("cosine_similarity", "tanh", "regression"),
    ("hinge", "linear", "hinge01"),
    ("squared_hinge", "tanh", "hinge01"),
    ("categorical_hinge", "linear", "onehot_scores"),
    ("msle", "softplus", "positive"),
    ("mape", "linear", "away_from_zero"),
    ("categorical_focal_crossentropy", "softmax", "probs"),
    ("binary_focal_crossentropy", "sigmoid", "binary"),
    ("dice", "sigmoid", "masks"),
    ("tversky", "sigmoid", "masks"),
]


@pytest.mark.parametrize("loss,out_activation,kind", STACKS)
def test_dense_stack_gradient(float64, loss, out_activation, kind):
    """compile(loss=name): the weight gradients of a training step."""
    rng = np.random.default_rng(3)
    y, _ = _data(kind, rng, n=7, k=4)
    model = keraslite.Sequential([
        keraslite.Input((5,)), keraslite.layers.Dense(6, activation="tanh"),
        keraslite.layers.Dense(4, activation=out_activation)])
    model.compile(optimizer="sgd", loss=loss)
    model.set_weights([rng.normal(0, 0.5, w.shape) for w in model.get_weights()])
    x = rng.normal(size=(7, 5))

    def objective():
        return float(model._loss_object(y, model(x, training=False)))

    _, grads = model._compute_loss_and_grads(x, y)
    for var, g in zip(model.trainable_weights, [g.copy() for g in grads]):
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, numeric_grad(objective, var.value),
                                   rtol=1e-6, atol=1e-8, err_msg=var.path)
