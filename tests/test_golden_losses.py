"""Golden values of the losses beyond the first five, copied from Keras 3's
own unit tests, keras/src/losses/losses_test.py (no TensorFlow needed).

Each case names its test class and method. Keras's `assertAlmostEqual(x, y,
3)` compares to 3 decimals (atol 5e-4 here), `assertAlmostEqual(x, y)` and
`assertAllClose` with atol=1e-6/rtol=1e-6, which the relative tolerance
below follows for large values. Where a Keras test computes its expected
value with NumPy (Huber, LogCosh, KLDivergence, Poisson, CosineSimilarity),
the same NumPy expression is written here.
"""
import numpy as np
import pytest

from keraslite import losses

# The y_true / y_pred pair of MeanAbsolutePercentageErrorTest,
# MeanSquaredLogarithmicErrorTest and LogCoshTest.
Y_TRUE = np.array([[1, 9, 2], [-5, -2, 6]])
Y_PRED = np.array([[4, 8, 12], [8, 1, 3]], dtype="float32")
SW = np.array([[1.2], [3.4]])
TIMESTEP_SW = np.array([3, 6, 5, 0, 4, 2]).reshape((2, 3))
# HingeTest, SquaredHingeTest, CategoricalHingeTest
H_TRUE = np.array([[0.0, 1.0], [0.0, 0.0]])
H_PRED = np.array([[0.6, 0.4], [0.4, 0.6]])
# HuberLossTest.setup
HU_PRED = np.array([[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]])
HU_TRUE = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
# KLDivergenceTest.setup
KL_PRED = np.asarray([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], dtype=np.float32).reshape((2, 3))
KL_TRUE = np.asarray([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], dtype=np.float32).reshape((2, 3))
# PoissonTest.setup
PO_PRED = np.asarray([1, 9, 2, 5, 2, 6], dtype=np.float32).reshape((2, 3))
PO_TRUE = np.asarray([4, 8, 12, 8, 1, 3], dtype=np.float32).reshape((2, 3))
# CosineSimilarityTest.setup
CO_TRUE = np.asarray([[1, 9, 2], [-5, -2, 6]], dtype=np.float32)
CO_PRED = np.asarray([[4, 8, 12], [8, 1, 3]], dtype=np.float32)
# BinaryFocalCrossentropyTest
BF_TRUE = np.asarray([1, 0, 1, 0]).reshape([2, 2])
BF_PRED = np.asarray([0.9, 0.8, 0.7, 0.2], dtype=np.float32).reshape([2, 2])
BF_LOGIT_TRUE = np.array([[1, 1, 0], [0, 1, 0]], dtype="float32")
BF_LOGITS = np.array([[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]])
EYE3 = np.eye(3, dtype="float32")
# CategoricalFocalCrossentropyTest
CF_TRUE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
CF_PRED = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]],
                   dtype="float32")
CF_LOGITS = np.array([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
# DiceTest, TverskyTest
SEG_TRUE = np.array([[1, 2], [1, 2]])
SEG_PRED = np.array([[4, 1], [6, 1]])
BIN_TRUE = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]])
BIN_PRED = np.array([[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]])
AX_TRUE = np.array([[[[1.0], [1.0]], [[0.0], [0.0]]],
                    [[[1.0], [1.0]], [[0.0], [0.0]]]])
AX_PRED = np.array([[[[0.0], [1.0]], [[0.0], [1.0]]],
                    [[[0.4], [0.0]], [[0.0], [0.9]]]])


def _huber_numpy(y_true, y_pred, delta=1.0):
    """HuberLossTest.huber_loss."""
    abs_error = np.abs(y_pred - y_true)
    quadratic = np.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return 0.5 * quadratic * quadratic + delta * linear


def _l2_norm(x, axis):
    """CosineSimilarityTest.l2_norm."""
    square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
    return x / np.sqrt(np.maximum(square_sum, 1e-12))


LOGCOSH = np.log((np.exp(Y_PRED - Y_TRUE) + np.exp(Y_TRUE - Y_PRED)) / 2)
KL = KL_TRUE * np.log(KL_TRUE / KL_PRED)
POISSON = PO_PRED - PO_TRUE * np.log(PO_PRED)
COSINE = np.sum(_l2_norm(CO_TRUE, 1) * _l2_norm(CO_PRED, 1), axis=1)
ROWS_SW = np.asarray([1.2, 1.2, 1.2, 3.4, 3.4, 3.4]).reshape((2, 3))

# (id, callable, golden value, atol)
CASES = [
    # MeanAbsolutePercentageErrorTest
    ("mape test_all_correct_unweighted",
     lambda: losses.MeanAbsolutePercentageError()(
         np.array([[4, 8, 12], [8, 1, 3]]), np.array([[4, 8, 12], [8, 1, 3]])),
     0.0, 5e-4),
    ("mape test_unweighted",
     lambda: losses.MeanAbsolutePercentageError()(Y_TRUE, Y_PRED), 211.8518, 5e-4),
    ("mape test_scalar_weighted",
     lambda: losses.MeanAbsolutePercentageError()(Y_TRUE, Y_PRED, sample_weight=2.3),
     487.259, 5e-4),
    ("mape test_sample_weighted",
     lambda: losses.MeanAbsolutePercentageError()(Y_TRUE, Y_PRED, sample_weight=SW),
     422.8888, 5e-4),
    ("mape test_timestep_weighted",
     lambda: losses.MeanAbsolutePercentageError()(
         Y_TRUE.reshape(2, 3, 1), Y_PRED.reshape(2, 3, 1), sample_weight=TIMESTEP_SW),
     694.4444, 1e-3),
    ("mape test_zero_weighted",
     lambda: losses.MeanAbsolutePercentageError()(Y_TRUE, Y_PRED, sample_weight=0),
     0.0, 5e-4),
    ("mape test_no_reduction",
     lambda: losses.MeanAbsolutePercentageError(reduction=None)(
         Y_TRUE, Y_PRED, sample_weight=2.3), [621.8518, 352.6666], 1e-3),
    ("mape test_mean_with_sample_weight_reduction",
     lambda: losses.MeanAbsolutePercentageError(reduction="mean_with_sample_weight")(
         Y_TRUE, Y_PRED, sample_weight=SW), 183.865, 1e-3),
    # MeanSquaredLogarithmicErrorTest
    ("msle test_unweighted",
     lambda: losses.MeanSquaredLogarithmicError()(Y_TRUE, Y_PRED), 1.4370, 5e-4),
    ("msle test_scalar_weighted",
     lambda: losses.MeanSquaredLogarithmicError()(Y_TRUE, Y_PRED, sample_weight=2.3),
     3.3051, 5e-4),
    ("msle test_sample_weighted",
     lambda: losses.MeanSquaredLogarithmicError()(Y_TRUE, Y_PRED, sample_weight=SW),
     3.7856, 5e-4),
    ("msle test_timestep_weighted",
     lambda: losses.MeanSquaredLogarithmicError()(
         Y_TRUE.reshape(2, 3, 1), Y_PRED.reshape(2, 3, 1), sample_weight=TIMESTEP_SW),
     2.647374, 1e-5),
    ("msle test_zero_weighted",
     lambda: losses.MeanSquaredLogarithmicError()(Y_TRUE, Y_PRED, sample_weight=0),
     0.0, 5e-4),
    ("msle test_mean_with_sample_weight_reduction",
     lambda: losses.MeanSquaredLogarithmicError(reduction="mean_with_sample_weight")(
         Y_TRUE, Y_PRED, sample_weight=SW), 1.646, 1e-3),
    # HingeTest
    ("hinge test_unweighted sum_over_batch_size",
     lambda: losses.Hinge()(H_TRUE, H_PRED), 1.3, 5e-4),
    ("hinge test_unweighted sum",
     lambda: losses.Hinge(reduction="sum")(H_TRUE, H_PRED), 2.6, 5e-4),
    ("hinge test_unweighted None",
     lambda: losses.Hinge(reduction=None)(H_TRUE, H_PRED), [1.1, 1.5], 1e-6),
    ("hinge test_weighted sum_over_batch_size",
     lambda: losses.Hinge()(H_TRUE, H_PRED, sample_weight=[1, 0]), 0.55, 5e-4),
    ("hinge test_weighted sum",
     lambda: losses.Hinge(reduction="sum")(H_TRUE, H_PRED, sample_weight=[1, 0]),
     1.1, 5e-4),
    ("hinge test_weighted None",
     lambda: losses.Hinge(reduction=None)(H_TRUE, H_PRED, sample_weight=[1, 0]),
     [1.1, 0.0], 1e-6),
    ("hinge test_zero_weighted",
     lambda: losses.Hinge()(H_TRUE, H_PRED, sample_weight=0.0), 0.0, 0.0),
    # SquaredHingeTest
    ("squared_hinge test_unweighted sum_over_batch_size",
     lambda: losses.SquaredHinge()(H_TRUE, H_PRED), 1.86, 5e-4),
    ("squared_hinge test_unweighted sum",
     lambda: losses.SquaredHinge(reduction="sum")(H_TRUE, H_PRED), 3.72, 5e-4),
    ("squared_hinge test_unweighted None",
     lambda: losses.SquaredHinge(reduction=None)(H_TRUE, H_PRED), [1.46, 2.26], 1e-6),
    ("squared_hinge test_weighted sum_over_batch_size",
     lambda: losses.SquaredHinge()(H_TRUE, H_PRED, sample_weight=[1, 0]), 0.73, 5e-4),
    ("squared_hinge test_weighted sum",
     lambda: losses.SquaredHinge(reduction="sum")(H_TRUE, H_PRED, sample_weight=[1, 0]),
     1.46, 5e-4),
    ("squared_hinge test_weighted None",
     lambda: losses.SquaredHinge(reduction=None)(H_TRUE, H_PRED, sample_weight=[1, 0]),
     [1.46, 0.0], 1e-6),
    ("squared_hinge test_zero_weighted",
     lambda: losses.SquaredHinge()(H_TRUE, H_PRED, sample_weight=0.0), 0.0, 0.0),
    # CategoricalHingeTest
    ("categorical_hinge test_unweighted sum_over_batch_size",
     lambda: losses.CategoricalHinge()(H_TRUE, H_PRED), 1.4, 5e-4),
    ("categorical_hinge test_unweighted sum",
     lambda: losses.CategoricalHinge(reduction="sum")(H_TRUE, H_PRED), 2.8, 5e-4),
    ("categorical_hinge test_unweighted None",
     lambda: losses.CategoricalHinge(reduction=None)(H_TRUE, H_PRED), [1.2, 1.6], 1e-6),
    ("categorical_hinge test_weighted sum_over_batch_size",
     lambda: losses.CategoricalHinge()(H_TRUE, H_PRED, sample_weight=[1, 0]),
     0.6, 5e-4),
    ("categorical_hinge test_weighted sum",
     lambda: losses.CategoricalHinge(reduction="sum")(
         H_TRUE, H_PRED, sample_weight=[1, 0]), 1.2, 5e-4),
    ("categorical_hinge test_weighted None",
     lambda: losses.CategoricalHinge(reduction=None)(
         H_TRUE, H_PRED, sample_weight=[1, 0]), [1.2, 0.0], 1e-6),
    ("categorical_hinge test_zero_weighted",
     lambda: losses.CategoricalHinge()(H_TRUE, H_PRED, sample_weight=0.0), 0.0, 0.0),
    # CosineSimilarityTest
    ("cosine test_unweighted",
     lambda: losses.CosineSimilarity()(CO_TRUE, CO_PRED), -np.mean(COSINE), 5e-4),
    ("cosine test_scalar_weighted",
     lambda: losses.CosineSimilarity()(CO_TRUE, CO_PRED, sample_weight=2.3),
     -np.mean(COSINE * 2.3), 5e-4),
    ("cosine test_sample_weighted",
     lambda: losses.CosineSimilarity()(CO_TRUE, CO_PRED,
                                       sample_weight=np.asarray([1.2, 3.4])),
     -np.mean(COSINE * np.asarray([1.2, 3.4])), 5e-4),
    ("cosine test_timestep_weighted",
     lambda: losses.CosineSimilarity()(
         CO_TRUE.reshape((2, 3, 1)), CO_PRED.reshape((2, 3, 1)),
         sample_weight=TIMESTEP_SW),
     -np.mean(np.sum(_l2_norm(CO_TRUE.reshape((2, 3, 1)), 2)
                     * _l2_norm(CO_PRED.reshape((2, 3, 1)), 2), axis=2)
              * TIMESTEP_SW), 5e-4),
    ("cosine test_zero_weighted",
     lambda: losses.CosineSimilarity()(CO_TRUE, CO_PRED, sample_weight=0), 0.0, 5e-4),
    ("cosine test_axis",
     lambda: losses.CosineSimilarity(axis=1)(CO_TRUE, CO_PRED), -np.mean(COSINE), 5e-4),
    # HuberLossTest
    ("huber test_all_correct", lambda: losses.Huber()(HU_TRUE, HU_TRUE), 0.0, 5e-4),
    ("huber test_unweighted", lambda: losses.Huber()(HU_TRUE, HU_PRED),
     np.sum(_huber_numpy(HU_TRUE, HU_PRED)) / 6, 5e-4),
    ("huber test_scalar_weighted",
     lambda: losses.Huber()(HU_TRUE, HU_PRED, sample_weight=2.3),
     2.3 * np.sum(_huber_numpy(HU_TRUE, HU_PRED)) / 6, 5e-4),
    ("huber test_sample_weighted",
     lambda: losses.Huber()(HU_TRUE, HU_PRED, sample_weight=SW),
     np.sum(_huber_numpy(HU_TRUE, HU_PRED) * ROWS_SW) / 6, 5e-4),
    ("huber test_timestep_weighted",
     lambda: losses.Huber()(HU_TRUE.reshape((2, 3, 1)), HU_PRED.reshape((2, 3, 1)),
                            sample_weight=TIMESTEP_SW.reshape((2, 3, 1))),
     np.sum(_huber_numpy(HU_TRUE.reshape((2, 3, 1)), HU_PRED.reshape((2, 3, 1)))
            * TIMESTEP_SW.reshape((2, 3, 1))) / 6, 5e-4),
    ("huber test_zero_weighted",
     lambda: losses.Huber()(HU_TRUE, HU_PRED, sample_weight=0), 0.0, 5e-4),
    ("huber test_non_default_delta",
     lambda: losses.Huber(delta=0.8)(HU_TRUE, HU_PRED, sample_weight=2.3),
     2.3 * np.sum(_huber_numpy(HU_TRUE, HU_PRED, 0.8)) / 6, 5e-4),
    # LogCoshTest
    ("logcosh test_unweighted", lambda: losses.LogCosh()(Y_TRUE, Y_PRED),
     np.sum(LOGCOSH) / 6, 5e-4),
    ("logcosh test_scalar_weighted",
     lambda: losses.LogCosh()(Y_TRUE, Y_PRED, sample_weight=2.3),
     2.3 * np.sum(LOGCOSH) / 6, 5e-4),
    ("logcosh test_sample_weighted",
     lambda: losses.LogCosh()(Y_TRUE, Y_PRED, sample_weight=np.asarray([1.2, 3.4])),
     np.sum(LOGCOSH * ROWS_SW) / 6, 5e-4),
    ("logcosh test_timestep_weighted",
     lambda: losses.LogCosh()(Y_TRUE.reshape(2, 3, 1), Y_PRED.reshape(2, 3, 1),
                              sample_weight=TIMESTEP_SW.reshape((2, 3, 1))),
     np.sum(LOGCOSH.reshape(2, 3, 1) * TIMESTEP_SW.reshape((2, 3, 1))) / 6, 5e-4),
    ("logcosh test_zero_weighted",
     lambda: losses.LogCosh()(Y_TRUE, Y_PRED, sample_weight=0), 0.0, 5e-4),
    # KLDivergenceTest
    ("kld test_unweighted", lambda: losses.KLDivergence()(KL_TRUE, KL_PRED),
     np.sum(KL) / 2, 5e-4),
    ("kld test_scalar_weighted",
     lambda: losses.KLDivergence()(KL_TRUE, KL_PRED, sample_weight=2.3),
     2.3 * np.sum(KL) / 2, 5e-4),
    ("kld test_sample_weighted",
     lambda: losses.KLDivergence()(KL_TRUE, KL_PRED, sample_weight=SW),
     np.sum(KL * ROWS_SW) / 2, 5e-4),
    ("kld test_timestep_weighted",
     lambda: losses.KLDivergence()(KL_TRUE.reshape(2, 3, 1), KL_PRED.reshape(2, 3, 1),
                                   sample_weight=TIMESTEP_SW),
     np.sum(KL * TIMESTEP_SW) / 6, 5e-4),
    ("kld test_zero_weighted",
     lambda: losses.KLDivergence()(KL_TRUE, KL_PRED, sample_weight=0), 0.0, 5e-4),
    # PoissonTest
    ("poisson test_unweighted", lambda: losses.Poisson()(PO_TRUE, PO_PRED),
     np.sum(POISSON) / 6, 5e-4),
    ("poisson test_scalar_weighted",
     lambda: losses.Poisson()(PO_TRUE, PO_PRED, sample_weight=2.3),
     2.3 * np.sum(POISSON) / 6, 5e-4),
    ("poisson test_sample_weighted",
     lambda: losses.Poisson()(PO_TRUE, PO_PRED, sample_weight=SW),
     np.sum(POISSON * ROWS_SW) / 6, 5e-4),
    ("poisson test_timestep_weighted",
     lambda: losses.Poisson()(PO_TRUE.reshape(2, 3, 1), PO_PRED.reshape(2, 3, 1),
                              sample_weight=TIMESTEP_SW),
     np.sum(POISSON.reshape(2, 3, 1) * TIMESTEP_SW.reshape(2, 3, 1)) / 6, 5e-4),
    ("poisson test_zero_weighted",
     lambda: losses.Poisson()(PO_TRUE, PO_PRED, sample_weight=0), 0.0, 5e-4),
    # BinaryFocalCrossentropyTest
    ("bfce test_all_correct_unweighted",
     lambda: losses.BinaryFocalCrossentropy(gamma=1.5)(EYE3, EYE3), 0.0, 5e-4),
    ("bfce test_all_correct_unweighted logits",
     lambda: losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True)(
         EYE3, 200.0 * EYE3 - 100.0), 0.0, 5e-4),
    ("bfce test_unweighted",
     lambda: losses.BinaryFocalCrossentropy(gamma=2.0)(BF_TRUE, BF_PRED), 0.268, 5e-4),
    ("bfce test_unweighted logits",
     lambda: losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True)(
         BF_LOGIT_TRUE, BF_LOGITS), 0.799, 5e-4),
    ("bfce test_scalar_weighted",
     lambda: losses.BinaryFocalCrossentropy(gamma=2.0)(
         BF_TRUE, BF_PRED, sample_weight=1.23), 0.3296, 5e-4),
    ("bfce test_scalar_weighted logits",
     lambda: losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True)(
         BF_LOGIT_TRUE, BF_LOGITS, sample_weight=3.21), 2.565, 5e-4),
    ("bfce test_sample_weighted",
     lambda: losses.BinaryFocalCrossentropy(gamma=2.0)(
         BF_TRUE, BF_PRED, sample_weight=SW), 0.34415, 5e-4),
    ("bfce test_sample_weighted logits",
     lambda: losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True)(
         BF_LOGIT_TRUE, BF_LOGITS, sample_weight=SW), 0.95977, 5e-4),
    ("bfce test_no_reduction",
     lambda: losses.BinaryFocalCrossentropy(gamma=2.0, reduction=None)(BF_TRUE, BF_PRED),
     [0.515547, 0.020513], 1e-6),
    # CategoricalFocalCrossentropyTest
    ("cfce test_all_correct_unweighted",
     lambda: losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0)(
         CF_TRUE.astype("int64"), EYE3), 0.0, 5e-4),
    ("cfce test_all_correct_unweighted logits",
     lambda: losses.CategoricalFocalCrossentropy(from_logits=True)(
         CF_TRUE.astype("int64"), 10.0 * EYE3), 0.0, 5e-4),
    ("cfce test_unweighted",
     lambda: losses.CategoricalFocalCrossentropy()(CF_TRUE, CF_PRED), 0.02059, 5e-4),
    ("cfce test_unweighted logits",
     lambda: losses.CategoricalFocalCrossentropy(from_logits=True)(CF_TRUE, CF_LOGITS),
     0.000345, 5e-4),
    ("cfce test_scalar_weighted",
     lambda: losses.CategoricalFocalCrossentropy()(CF_TRUE, CF_PRED, sample_weight=2.3),
     0.047368, 5e-4),
    ("cfce test_scalar_weighted logits",
     lambda: losses.CategoricalFocalCrossentropy(from_logits=True)(
         CF_TRUE, CF_LOGITS, sample_weight=2.3), 0.000794, 5e-5),
    ("cfce test_sample_weighted",
     lambda: losses.CategoricalFocalCrossentropy()(
         CF_TRUE, CF_PRED, sample_weight=np.array([[1.2], [3.4], [5.6]])),
     0.06987, 5e-4),
    ("cfce test_sample_weighted logits",
     lambda: losses.CategoricalFocalCrossentropy(from_logits=True)(
         CF_TRUE, CF_LOGITS, sample_weight=np.array([[1.2], [3.4], [5.6]])),
     0.001933, 5e-4),
    ("cfce test_no_reduction",
     lambda: losses.CategoricalFocalCrossentropy(from_logits=True, reduction=None)(
         CF_TRUE, CF_LOGITS), [1.5096224e-09, 2.4136547e-11, 1.0360638e-03], 1e-6),
    ("cfce test_label_smoothing",
     lambda: losses.CategoricalFocalCrossentropy(from_logits=True,
                                                 label_smoothing=0.1)(
         np.array([[1, 0, 0]]), np.array([[4.9, -0.5, 2.05]])), 0.06685, 5e-4),
    # DiceTest
    ("dice test_correctness", lambda: losses.Dice()(SEG_TRUE, SEG_PRED),
     -0.55555546, 1e-6),
    ("dice test_binary_segmentation", lambda: losses.Dice()(BIN_TRUE, BIN_PRED),
     0.77777773, 1e-6),
    ("dice test_binary_segmentation_with_axis",
     lambda: losses.Dice(axis=(1, 2, 3), reduction=None)(AX_TRUE, AX_PRED),
     [0.5, 0.75757575], 1e-6),
    # TverskyTest
    ("tversky test_correctness", lambda: losses.Tversky()(SEG_TRUE, SEG_PRED),
     -0.55555546, 1e-6),
    ("tversky test_correctness_custom_coefficients",
     lambda: losses.Tversky(alpha=0.2, beta=0.8)(SEG_TRUE, SEG_PRED),
     -0.29629636, 1e-6),
    ("tversky test_binary_segmentation", lambda: losses.Tversky()(BIN_TRUE, BIN_PRED),
     0.77777773, 1e-6),
    ("tversky test_binary_segmentation_with_axis",
     lambda: losses.Tversky(axis=(1, 2, 3), reduction=None)(AX_TRUE, AX_PRED),
     [0.5, 0.75757575], 1e-6),
    ("tversky test_binary_segmentation_custom_coefficients",
     lambda: losses.Tversky(alpha=0.2, beta=0.8)(BIN_TRUE, BIN_PRED),
     0.7916667, 1e-6),
    ("tversky test_binary_segmentation_custom_coefficients_with_axis",
     lambda: losses.Tversky(alpha=0.2, beta=0.8, axis=(1, 2, 3), reduction=None)(
         AX_TRUE, AX_PRED), [0.5, 0.7222222], 1e-6),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_golden(case):
    _, fn, expected, atol = case
    value = fn()
    assert np.asarray(value).dtype == np.float32
    np.testing.assert_allclose(value, expected, rtol=1e-6, atol=atol)


# Configs, from the test_config methods of the same file.
CONFIGS = [
    # CosineSimilarityTest.test_config
    (lambda: losses.CosineSimilarity(axis=2, reduction="sum", name="cosine_loss"),
     {"name": "cosine_loss", "reduction": "sum"}),
    # HuberLossTest.test_config
    (lambda: losses.Huber(reduction="sum", name="huber"),
     {"name": "huber", "reduction": "sum"}),
    # LogCoshTest.test_config
    (lambda: losses.LogCosh(reduction="sum", name="logcosh_loss"),
     {"name": "logcosh_loss", "reduction": "sum"}),
]


@pytest.mark.parametrize("make,expected", CONFIGS)
def test_golden_config(make, expected):
    assert make().get_config() == expected


@pytest.mark.parametrize("cls", ["Hinge", "SquaredHinge", "CategoricalHinge"])
def test_bad_reduction(cls):
    # HingeTest/SquaredHingeTest/CategoricalHingeTest.test_unweighted
    with pytest.raises(ValueError, match="Invalid value for argument"):
        getattr(losses, cls)(reduction="abc")


@pytest.mark.parametrize("loss", [
    losses.MeanAbsolutePercentageError(name="mymape"),  # test_config
    losses.MeanSquaredLogarithmicError(name="mysloge"),
    losses.BinaryFocalCrossentropy(name="bfce"),
    losses.CategoricalFocalCrossentropy(name="cfce"),
    losses.Dice(name="mydice"),
    losses.Tversky(name="mytversky"),
], ids=lambda loss: type(loss).__name__)
def test_class_serialization(loss):
    """As Keras's run_class_serialization_test: the config rebuilds an equal loss."""
    config = loss.get_config()
    rebuilt = type(loss).from_config(config)
    assert rebuilt.get_config() == config
    assert losses.deserialize(losses.serialize(loss)).get_config() == config
