"""Golden values copied from Keras 3's own unit tests (no TensorFlow needed).

Each case cites the Keras test it comes from; Keras's `assertAlmostEqual`
compares to 3 decimals, its `assertAllClose` with atol=1e-6/rtol=1e-6
unless the test says otherwise, and the tolerances below follow the test.
"""
import numpy as np
import pytest

from keraslite import activations, losses, metrics

# y_true / y_pred used throughout keras/src/losses/losses_test.py.
MSE_TRUE = np.array([[1, 9, 2], [-5, -2, 6]])
MSE_PRED = np.array([[4, 8, 12], [8, 1, 3]], dtype="float32")
CCE_TRUE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
CCE_PRED = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]],
                    dtype="float32")
CCE_LOGITS = np.array([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
BCE_TRUE = np.array([1, 0, 1, 0]).reshape([2, 2])
BCE_PRED = np.array([1, 1, 1, 0], dtype="float32").reshape([2, 2])
BCE_LOGIT_TRUE = np.array([[1, 0, 1], [0, 1, 1]])
BCE_LOGITS = np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]])

# (id, callable, golden value, atol)
LOSS_GOLDEN = [
    # keras/src/losses/losses_test.py::MeanSquaredErrorTest
    ("mse unweighted", lambda: losses.MeanSquaredError()(MSE_TRUE, MSE_PRED),
     49.5, 1e-3),
    ("mse scalar weighted",
     lambda: losses.MeanSquaredError()(MSE_TRUE, MSE_PRED, sample_weight=2.3),
     113.85, 1e-3),
    ("mse sample weighted",
     lambda: losses.MeanSquaredError()(MSE_TRUE, MSE_PRED,
                                      sample_weight=np.array([[1.2], [3.4]])),
     767.8 / 6, 1e-3),
    ("mse timestep weighted",
     lambda: losses.MeanSquaredError()(
         np.asarray([1, 9, 2, -5, -2, 6]).reshape(2, 3, 1),
         np.asarray([4, 8, 12, 8, 1, 3]).reshape(2, 3, 1),
         sample_weight=np.array([3, 6, 5, 0, 4, 2]).reshape((2, 3))),
     97.833336, 1e-3),
    ("mse zero weighted",
     lambda: losses.MeanSquaredError()(MSE_TRUE, MSE_PRED, sample_weight=0),
     0.0, 1e-3),
    ("mse no reduction",
     lambda: losses.MeanSquaredError(reduction=None)(MSE_TRUE, MSE_PRED,
                                                     sample_weight=2.3),
     [84.3333, 143.3666], 1e-3),
    ("mse sum reduction",
     lambda: losses.MeanSquaredError(reduction="sum")(MSE_TRUE, MSE_PRED,
                                                      sample_weight=2.3),
     227.69998, 1e-3),
    ("mse mean_with_sample_weight",
     lambda: losses.MeanSquaredError(reduction="mean_with_sample_weight")(
         MSE_TRUE, MSE_PRED, sample_weight=np.array([[1.2], [3.4]])),
     (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4), 1e-3),
    # keras/src/losses/losses_test.py::MeanAbsoluteErrorTest
    ("mae unweighted", lambda: losses.MeanAbsoluteError()(MSE_TRUE, MSE_PRED),
     5.5, 1e-3),
    ("mae scalar weighted",
     lambda: losses.MeanAbsoluteError()(MSE_TRUE, MSE_PRED, sample_weight=2.3),
     12.65, 1e-3),
    ("mae sample weighted",
     lambda: losses.MeanAbsoluteError()(MSE_TRUE, MSE_PRED,
                                       sample_weight=np.array([[1.2], [3.4]])),
     81.4 / 6, 1e-3),
    ("mae no reduction",
     lambda: losses.MeanAbsoluteError(reduction=None)(MSE_TRUE, MSE_PRED,
                                                      sample_weight=2.3),
     [10.7333, 14.5666], 1e-3),
    ("mae sum reduction",
     lambda: losses.MeanAbsoluteError(reduction="sum")(MSE_TRUE, MSE_PRED,
                                                       sample_weight=2.3),
     25.29999, 1e-3),
    # keras/src/losses/losses_test.py::BinaryCrossentropyTest
    ("bce all correct",
     lambda: losses.BinaryCrossentropy()(np.eye(3, dtype="float32"),
                                         np.eye(3, dtype="float32")), 0.0, 1e-3),
    ("bce unweighted",
     lambda: losses.BinaryCrossentropy()(
         np.eye(3, dtype="float32"),
         np.array([[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]],
                  dtype="float32")),
     0.20046903, 1e-6),
    ("bce unweighted with 0/1 predictions",
     lambda: losses.BinaryCrossentropy()(BCE_TRUE, BCE_PRED), 3.98559, 1e-3),
    ("bce logits unweighted",
     lambda: losses.BinaryCrossentropy(from_logits=True)(BCE_LOGIT_TRUE,
                                                         BCE_LOGITS),
     3.3333, 1e-3),
    ("bce scalar weighted",
     lambda: losses.BinaryCrossentropy()(BCE_TRUE, BCE_PRED, sample_weight=2.3),
     9.1668, 1e-3),
    ("bce logits scalar weighted",
     lambda: losses.BinaryCrossentropy(from_logits=True)(
         BCE_LOGIT_TRUE, BCE_LOGITS, sample_weight=2.3), 7.666, 1e-3),
    ("bce sample weighted",
     lambda: losses.BinaryCrossentropy()(
         BCE_TRUE, BCE_PRED, sample_weight=np.array([1.2, 3.4]).reshape((2, 1))),
     4.7827, 1e-3),
    ("bce logits sample weighted",
     lambda: losses.BinaryCrossentropy(from_logits=True)(
         BCE_LOGIT_TRUE, BCE_LOGITS, sample_weight=np.array([4, 3])), 10.0, 1e-3),
    ("bce logits no reduction",
     lambda: losses.BinaryCrossentropy(from_logits=True, reduction=None)(
         BCE_LOGIT_TRUE, BCE_LOGITS), [0.0, 6.666], 1e-3),
    # keras/src/losses/losses_test.py::CategoricalCrossentropyTest
    ("cce all correct",
     lambda: losses.CategoricalCrossentropy()(CCE_TRUE,
                                              np.eye(3, dtype="float32")),
     0.0, 1e-3),
    ("cce unweighted", lambda: losses.CategoricalCrossentropy()(CCE_TRUE, CCE_PRED),
     0.3239, 1e-3),
    ("cce logits unweighted",
     lambda: losses.CategoricalCrossentropy(from_logits=True)(CCE_TRUE,
                                                              CCE_LOGITS),
     0.0573, 1e-3),
    ("cce scalar weighted",
     lambda: losses.CategoricalCrossentropy()(CCE_TRUE, CCE_PRED,
                                              sample_weight=2.3), 0.7449, 1e-3),
    ("cce logits scalar weighted",
     lambda: losses.CategoricalCrossentropy(from_logits=True)(
         CCE_TRUE, CCE_LOGITS, sample_weight=2.3), 0.1317, 1e-3),
    ("cce sample weighted",
     lambda: losses.CategoricalCrossentropy()(
         CCE_TRUE, CCE_PRED, sample_weight=np.array([[1.2], [3.4], [5.6]])),
     1.0696, 1e-3),
    ("cce logits sample weighted",
     lambda: losses.CategoricalCrossentropy(from_logits=True)(
         CCE_TRUE, CCE_LOGITS, sample_weight=np.array([[1.2], [3.4], [5.6]])),
     0.31829, 1e-3),
    ("cce logits no reduction",
     lambda: losses.CategoricalCrossentropy(from_logits=True, reduction=None)(
         CCE_TRUE, CCE_LOGITS), [0.001822, 0.000459, 0.169846], 1e-6),
    ("cce label smoothing",
     lambda: losses.CategoricalCrossentropy(from_logits=True,
                                            label_smoothing=0.1)(
         np.array([[1, 0, 0]]), np.array([[100.0, -100.0, -100.0]])),
     400.0 * 0.1 / 3.0, 1e-3),
    # keras/src/losses/losses_test.py::SparseCategoricalCrossentropyTest
    ("scce all correct",
     lambda: losses.SparseCategoricalCrossentropy()(
         np.array([[0], [1], [2]], dtype="int64"), np.eye(3, dtype="float32")),
     0.0, 1e-3),
    ("scce unweighted",
     lambda: losses.SparseCategoricalCrossentropy()(np.array([0, 1, 2]),
                                                    CCE_PRED), 0.3239, 1e-3),
    ("scce logits unweighted",
     lambda: losses.SparseCategoricalCrossentropy(from_logits=True)(
         np.array([[0], [1], [2]]), CCE_LOGITS), 0.0573, 1e-3),
    ("scce scalar weighted",
     lambda: losses.SparseCategoricalCrossentropy()(
         np.array([[0], [1], [2]]), CCE_PRED, sample_weight=2.3), 0.7449, 1e-3),
    ("scce sample weighted",
     lambda: losses.SparseCategoricalCrossentropy()(
         np.array([[0], [1], [2]]), CCE_PRED,
         sample_weight=np.array([[1.2], [3.4], [5.6]])), 1.0696, 1e-3),
    ("scce logits no reduction",
     lambda: losses.SparseCategoricalCrossentropy(from_logits=True,
                                                  reduction=None)(
         np.array([[0], [1], [2]]), CCE_LOGITS),
     [0.001822, 0.000459, 0.169846], 1e-6),
    # keras/src/losses/losses_test.py (function docstring example of
    # sparse_categorical_crossentropy in keras/src/losses/losses.py)
    ("scce function docstring",
     lambda: losses.sparse_categorical_crossentropy(
         [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), [0.0513, 2.303], 1e-3),
]


def _metric(cls, updates, **kwargs):
    obj = cls(**kwargs)
    for args, sw in updates:
        obj.update_state(*[np.array(a) for a in args],
                         sample_weight=None if sw is None else np.array(sw))
    return obj.result()


METRIC_GOLDEN = [
    # keras/src/metrics/accuracy_metrics_test.py::AccuracyTest
    ("accuracy unweighted",
     lambda: _metric(metrics.Accuracy, [(([[1], [2], [3], [4]],
                                          [[0], [2], [3], [4]]), None)]),
     0.75, 1e-3),
    ("accuracy weighted",
     lambda: _metric(metrics.Accuracy, [(([[1], [2], [3], [4]],
                                          [[0], [2], [3], [4]]), [1, 1, 0, 0])]),
     0.5, 1e-3),
    ("accuracy weighted rank 1",
     lambda: _metric(metrics.Accuracy, [(([1, 2, 3, 4], [0, 2, 3, 4]),
                                         [1, 1, 0, 0])]), 0.5, 1e-3),
    ("accuracy weighted nd weights",
     lambda: _metric(metrics.Accuracy, [(([[1, 2], [3, 4]], [[0, 2], [3, 4]]),
                                         [[1, 0], [0, 1]])]), 0.5, 1e-3),
    ("accuracy weighted nd broadcast weights",
     lambda: _metric(metrics.Accuracy, [(([[1, 2], [3, 4]], [[0, 2], [3, 4]]),
                                         [[1, 0]])]), 0.5, 1e-3),
    # keras/src/metrics/accuracy_metrics_test.py::BinaryAccuracyTest
    ("binary accuracy unweighted",
     lambda: _metric(metrics.BinaryAccuracy, [(([[1], [1], [0], [0]],
                                                [[0.98], [1], [0], [0.6]]), None)]),
     0.75, 1e-3),
    ("binary accuracy rank-1 labels",
     lambda: _metric(metrics.BinaryAccuracy, [(([1, 1, 0, 0],
                                                [[0.98], [1], [0], [0.6]]), None)]),
     0.75, 1e-3),
    ("binary accuracy weighted",
     lambda: _metric(metrics.BinaryAccuracy, [(([[1], [1], [0], [0]],
                                                [[0.98], [1], [0], [0.6]]),
                                               [1, 0, 0, 1])]), 0.5, 1e-3),
    ("binary accuracy weighted nd weights",
     lambda: _metric(metrics.BinaryAccuracy, [(([[1, 1], [0, 0]],
                                                [[0.98, 1], [0, 0.6]]),
                                               [[1, 0], [0, 1]])]), 0.5, 1e-3),
    ("binary accuracy nd broadcast weights",
     lambda: _metric(metrics.BinaryAccuracy, [(([[1, 1], [0, 0]],
                                                [[0.98, 1], [0, 0.6]]),
                                               [[1, 0]])]), 1.0, 1e-3),
    ("binary accuracy threshold 0.3",
     lambda: _metric(metrics.BinaryAccuracy, [(([[1], [1], [0], [0]],
                                                [[0.98], [0.5], [0.1], [0.2]]),
                                               None)], threshold=0.3), 1.0, 1e-6),
    ("binary accuracy threshold 0.9",
     lambda: _metric(metrics.BinaryAccuracy, [(([[1], [1], [0], [0]],
                                                [[0.98], [0.5], [0.1], [0.2]]),
                                               None)], threshold=0.9), 0.75, 1e-6),
    # keras/src/metrics/accuracy_metrics_test.py::CategoricalAccuracyTest
    ("categorical accuracy unweighted",
     lambda: _metric(metrics.CategoricalAccuracy,
                     [(([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]),
                       None)]), 0.5, 1e-3),
    ("categorical accuracy weighted",
     lambda: _metric(metrics.CategoricalAccuracy,
                     [(([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]),
                       [0.7, 0.3])]), 0.3, 1e-3),
    # keras/src/metrics/accuracy_metrics_test.py::SparseCategoricalAccuracyTest
    ("sparse categorical accuracy unweighted",
     lambda: _metric(metrics.SparseCategoricalAccuracy,
                     [(([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]), None)]),
     0.5, 1e-3),
    ("sparse categorical accuracy weighted",
     lambda: _metric(metrics.SparseCategoricalAccuracy,
                     [(([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]),
                       [0.7, 0.3])]), 0.3, 1e-3),
]

_SELU_ALPHA = 1.6732632423543772848170429916717  # from Keras's test_selu
_SELU_SCALE = 1.0507009873554804934193349852946


def _ref_softplus(x):  # keras/src/activations/activations_test.py
    return np.log(np.ones_like(x) + np.exp(x))


def _ref_hard_sigmoid(x):  # keras/src/activations/activations_test.py
    x = (x / 6.0) + 0.5
    z = 0.0 if x <= 0 else (1.0 if x >= 1 else x)
    return z


def _ref_sigmoid(x):  # keras/src/activations/activations_test.py
    if x >= 0:
        return 1 / (1 + np.exp(-x))
    z = np.exp(x)
    return z / (1 + z)


def _ref_silu(x):  # keras/src/activations/activations_test.py
    return x / (1 + np.exp(-x))


def _ref_softsign(x):  # keras/src/activations/activations_test.py
    return np.divide(x, np.ones_like(x) + np.absolute(x))


_X = np.array([[-7.5, -3.0, -0.4, 0.0, 0.2, 2.9, 6.5]], dtype="float32")
ACTIVATION_GOLDEN = [
    # keras/src/activations/activations_test.py::test_selu
    ("selu positive", lambda: activations.selu(np.array([[1, 2]], "float32")),
     np.array([[1, 2]]) * _SELU_SCALE, 1e-5),
    ("selu negative", lambda: activations.selu(np.array([[-1, -2]], "float32")),
     (np.exp(np.array([[-1, -2]])) - 1) * _SELU_SCALE * _SELU_ALPHA, 1e-6),
    # test_softplus, test_hard_sigmoid, test_sigmoid, test_silu, test_softsign
    ("softplus", lambda: activations.softplus(_X), _ref_softplus(_X), 1e-5),
    ("hard_sigmoid", lambda: activations.hard_sigmoid(_X),
     np.vectorize(_ref_hard_sigmoid)(_X), 1e-5),
    ("sigmoid", lambda: activations.sigmoid(_X), np.vectorize(_ref_sigmoid)(_X),
     1e-5),
    ("silu", lambda: activations.silu(_X), _ref_silu(_X), 1e-5),
    ("softsign", lambda: activations.softsign(_X), _ref_softsign(_X), 1e-5),
    # test_softmax_1d: expected = _ref_softmax(x)
    ("softmax 1d", lambda: activations.softmax(np.array([1.0, 2.0, 3.0])),
     np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum(), 1e-6),
]


@pytest.mark.parametrize("case", LOSS_GOLDEN + METRIC_GOLDEN + ACTIVATION_GOLDEN,
                         ids=[c[0] for c in LOSS_GOLDEN + METRIC_GOLDEN
                              + ACTIVATION_GOLDEN])
def test_golden(case):
    _, compute, expected, atol = case
    np.testing.assert_allclose(np.asarray(compute(), dtype=np.float64), expected,
                               rtol=1e-5, atol=atol)
