"""Golden values of the metrics added with issue 14, copied from Keras 3's own
tests (`keras/src/metrics/<module>_test.py`, class and test named in each
row), inputs and expected results unchanged, at the tolerances Keras uses.
"""
import numpy as np
import pytest

from keraslite import metrics

# --- shared inputs of Keras's tests -----------------------------------------------------
TOPK_TRUE = np.array([[0, 0, 1], [0, 1, 0]])
TOPK_PRED = np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]], dtype="float32")

FBETA_PRED = [[0.7, 0.7, 0.7], [1, 0, 0], [0.9, 0.8, 0]]
FBETA_TRUE_6 = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1]]
FBETA_PRED_6 = [[0.9, 0.1, 0], [0.2, 0.6, 0.2], [0, 0, 1], [0.4, 0.3, 0.3],
                [0, 0.9, 0.1], [0, 0, 1]]

R2_TRUE = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]

REG_TRUE = np.array([[0, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0],
                     [0, 0, 0, 0, 1]])
REG_PRED = np.array([[0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0],
                     [1, 1, 1, 1, 1]], dtype="float32")

COS_TRUE = np.asarray([[1, 9, 2], [-5, -2, 6]], dtype=np.float32)
COS_PRED = np.asarray([[4, 8, 12], [8, 1, 3]], dtype=np.float32)

ONEHOT_TRUE = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
ONEHOT_PRED = np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1],
                        [0.1, 0.4, 0.5]])

CORR_TRUE = np.array([[0, 1, 0.5], [1, 1, 0.2], [1, 1, 0.1], [0.1, 0.7, 0.0]],
                     dtype="float32")
CORR_PRED = np.array([[0.1, 0.9, 0.5], [1, 0.9, 0.2], [0.2, 0.8, 0], [0.3, 0.3, 0.9]],
                     dtype="float32")
CCC_EXPECTED = np.array([0.97560976, 0.98765432, 0.46511628, -0.46376812])

KLD_PRED = np.asarray([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], np.float32).reshape((2, 3))
KLD_TRUE = np.asarray([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], np.float32).reshape((2, 3))
KLD_VALUES = KLD_TRUE * np.log(KLD_TRUE / KLD_PRED)
POISSON_PRED = np.asarray([1, 9, 2, 5, 2, 6], np.float32).reshape((2, 3))
POISSON_TRUE = np.asarray([4, 8, 12, 8, 1, 3], np.float32).reshape((2, 3))
POISSON_VALUES = POISSON_PRED - POISSON_TRUE * np.log(POISSON_PRED)
LOGCOSH_VALUES = np.log((np.exp(COS_PRED - COS_TRUE) + np.exp(COS_TRUE - COS_PRED)) / 2)
W6 = np.asarray([1.2, 1.2, 1.2, 3.4, 3.4, 3.4], np.float32).reshape((2, 3))

HINGE_PRED = np.array([[-0.3, 0.2, -0.1, 1.6], [-0.25, -1.0, 0.5, 0.6]])
HINGE_TRUE_01 = np.array([[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
HINGE_TRUE_PM = np.array([[-1, 1, -1, 1], [-1, -1, 1, 1]], dtype="float32")

SCCE_PRED = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
LOGITS = np.array([[1, 9, 0], [1, 8, 1]], dtype=np.float32)
IGNORE_PRED = np.array([[0.8, 0.1, 0.1], [0.05, 0.95, 0], [0.1, 0.8, 0.1]])


def _cos_expected():
    def l2(x):
        return x / np.sqrt(np.maximum(np.sum(x * x, axis=1, keepdims=True), 1e-12))

    return np.sum(l2(COS_TRUE) * l2(COS_PRED), axis=1)


# (Keras test, metric factory, [(y_true, y_pred, sample_weight), ...], expected, atol)
GOLDEN = [
    # accuracy_metrics_test.py
    ("TopKCategoricalAccuracyTest.test_unweighted",
     lambda: metrics.TopKCategoricalAccuracy(k=1), [(TOPK_TRUE, TOPK_PRED, None)],
     0.5, 1e-3),
    ("TopKCategoricalAccuracyTest.test_weighted",
     lambda: metrics.TopKCategoricalAccuracy(k=1),
     [(TOPK_TRUE, TOPK_PRED, np.array([0.7, 0.3]))], 0.3, 1e-3),
    ("SparseTopKCategoricalAccuracyTest.test_unweighted",
     lambda: metrics.SparseTopKCategoricalAccuracy(k=1),
     [(np.array([2, 1]), TOPK_PRED, None)], 0.5, 1e-3),
    ("SparseTopKCategoricalAccuracyTest.test_weighted",
     lambda: metrics.SparseTopKCategoricalAccuracy(k=1),
     [(np.array([2, 1]), TOPK_PRED, np.array([0.7, 0.3]))], 0.3, 1e-3),
    ("SparseTopKCategoricalAccuracyTest.test_from_sorted_ids_unweighted",
     lambda: metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True),
     [(np.array([2, 1]), np.array([[1, 0, 3], [1, 2, 3]]), None)], 0.5, 1e-3),
    ("SparseTopKCategoricalAccuracyTest.test_from_sorted_ids_weighted",
     lambda: metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True),
     [(np.array([2, 1]), np.array([[1, 0, 3], [1, 2, 3]]), np.array([0.7, 0.3]))],
     0.3, 1e-3),
    # regression_metrics_test.py
    ("RootMeanSquaredErrorTest.test_unweighted",
     lambda: metrics.RootMeanSquaredError(),
     [(np.array([2, 4, 6]), np.array([1, 3, 2]), None)], np.sqrt(6), 1e-3),
    ("RootMeanSquaredErrorTest.test_weighted",
     lambda: metrics.RootMeanSquaredError(),
     [(np.array([2, 4, 6, 8]), np.array([1, 3, 2, 3]), np.array([0, 1, 0, 1]))],
     np.sqrt(13), 1e-3),
    ("CosineSimilarityTest.test_unweighted", lambda: metrics.CosineSimilarity(),
     [(COS_TRUE, COS_PRED, None)], np.mean(_cos_expected()), 1e-3),
    ("CosineSimilarityTest.test_weighted", lambda: metrics.CosineSimilarity(),
     [(COS_TRUE, COS_PRED, np.asarray([1.2, 3.4]))],
     np.sum(_cos_expected() * [1.2, 3.4]) / 4.6, 1e-3),
    ("CosineSimilarityTest.test_axis", lambda: metrics.CosineSimilarity(axis=1),
     [(COS_TRUE, COS_PRED, None)], np.mean(_cos_expected()), 1e-3),
    ("MeanAbsolutePercentageErrorTest.test_unweighted",
     lambda: metrics.MeanAbsolutePercentageError(), [(REG_TRUE, REG_PRED, None)],
     35e7, 1e-5),
    ("MeanAbsolutePercentageErrorTest.test_weighted",
     lambda: metrics.MeanAbsolutePercentageError(),
     [(REG_TRUE, REG_PRED, np.array([1.0, 1.5, 2.0, 2.5]))], 40e7, 1e-5),
    ("MeanSquaredLogarithmicErrorTest.test_unweighted",
     lambda: metrics.MeanSquaredLogarithmicError(), [(REG_TRUE, REG_PRED, None)],
     0.24022, 1e-5),
    ("MeanSquaredLogarithmicErrorTest.test_weighted",
     lambda: metrics.MeanSquaredLogarithmicError(),
     [(REG_TRUE, REG_PRED, np.array([1.0, 1.5, 2.0, 2.5]))], 0.26082, 1e-5),
    ("LogCoshErrorTest.test_unweighted", lambda: metrics.LogCoshError(),
     [(COS_TRUE, COS_PRED, None)], np.sum(LOGCOSH_VALUES) / 6, 1e-3),
    ("LogCoshErrorTest.test_weighted", lambda: metrics.LogCoshError(),
     [(COS_TRUE, COS_PRED, np.array([[1.2], [3.4]]))],
     np.sum(LOGCOSH_VALUES * W6) / np.sum(W6), 1e-3),
] + [
    (f"R2ScoreTest.test_r2_sklearn_comparison[{agg}]",
     lambda agg=agg: metrics.R2Score(agg, 0),
     [(R2_TRUE, [[0.4, 0.5, 0.6], [0.1, 0.2, 0.3], [0.5, 0.8, 0.2]], None)],
     result, 1e-6)
    for agg, result in [(None, [0.37, -1.295, 0.565]), ("uniform_average", -0.12),
                        ("variance_weighted_average", -0.12)]
] + [
    (f"R2ScoreTest.test_r2_tfa_comparison[{agg}, {regressors}]",
     lambda agg=agg, regressors=regressors: metrics.R2Score(agg, regressors),
     [(R2_TRUE, [[0.4, 0.9, 1.6], [0.1, 1.2, 0.6], [1.5, 0.8, 0.6]],
       [0.8, 0.1, 0.4])], result, 1e-6)
    for agg, regressors, result in [
        (None, 0, [0.17305559, -8.836666, -0.521]),
        (None, 1, [0.054920673, -10.241904, -0.7382858]),
        (None, 2, [-0.10259259, -12.115555, -1.0280001]),
        ("uniform_average", 0, -3.0615367889404297),
        ("uniform_average", 1, -3.641756534576416),
        ("uniform_average", 2, -4.415382385253906),
        ("variance_weighted_average", 0, -1.3710224628448486),
        ("variance_weighted_average", 1, -1.7097399234771729),
        ("variance_weighted_average", 2, -2.161363363265991),
    ]
] + [
    # f_score_metrics_test.py
    (f"FBetaScoreTest.test_fbeta_perfect_score[{avg}, {beta}]",
     lambda avg=avg, beta=beta: metrics.FBetaScore(avg, beta, 0.66),
     [([[1, 1, 1], [1, 0, 0], [1, 1, 0]], FBETA_PRED, None)], 1.0, 1e-6)
    for avg in ("micro", "macro", "weighted") for beta in (0.5, 1.0, 2.0)
] + [
    (f"FBetaScoreTest.test_fbeta_worst_score[{avg}, {beta}]",
     lambda avg=avg, beta=beta: metrics.FBetaScore(avg, beta, 0.66),
     [([[0, 0, 0], [0, 1, 0], [0, 0, 1]], FBETA_PRED, None)], 0.0, 1e-6)
    for avg in ("micro", "macro", "weighted") for beta in (0.5, 1.0, 2.0)
] + [
    (f"FBetaScoreTest.test_fbeta_random_score[{avg}, {beta}]",
     lambda avg=avg, beta=beta: metrics.FBetaScore(avg, beta, 0.66),
     [([[0, 0, 1], [1, 1, 0], [1, 1, 1]], FBETA_PRED, None)], result, 1e-6)
    for avg, beta, result in [
        (None, 0.5, [0.71428573, 0.5, 0.833334]),
        (None, 1.0, [0.8, 0.5, 0.6666667]),
        (None, 2.0, [0.9090904, 0.5, 0.555556]),
        ("micro", 0.5, 0.6666667), ("micro", 1.0, 0.6666667),
        ("micro", 2.0, 0.6666667), ("macro", 0.5, 0.6825397),
        ("macro", 1.0, 0.6555555), ("macro", 2.0, 0.6548822),
        ("weighted", 0.5, 0.6825397), ("weighted", 1.0, 0.6555555),
        ("weighted", 2.0, 0.6548822),
    ]
] + [
    (f"FBetaScoreTest.test_fbeta_random_score_none[{avg}, {beta}]",
     lambda avg=avg, beta=beta: metrics.FBetaScore(avg, beta, None),
     [(FBETA_TRUE_6, FBETA_PRED_6, None)], result, 1e-6)
    for avg, beta, result in [
        (None, 0.5, [0.9090904, 0.555556, 1.0]),
        (None, 1.0, [0.8, 0.6666667, 1.0]),
        (None, 2.0, [0.71428573, 0.833334, 1.0]),
        ("micro", 0.5, 0.833334), ("micro", 1.0, 0.833334),
        ("micro", 2.0, 0.833334), ("macro", 0.5, 0.821549),
        ("macro", 1.0, 0.822222), ("macro", 2.0, 0.849206),
        ("weighted", 0.5, 0.880471), ("weighted", 1.0, 0.844445),
        ("weighted", 2.0, 0.829365),
    ]
] + [
    (f"FBetaScoreTest.test_fbeta_weighted_random_score_none[{avg}, {beta}, {sw}]",
     lambda avg=avg, beta=beta: metrics.FBetaScore(avg, beta, None),
     [(FBETA_TRUE_6, FBETA_PRED_6, sw)], result, 1e-6)
    for avg, beta, sw, result in [
        (None, 0.5, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [0.909091, 0.555556, 1.0]),
        (None, 0.5, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 1.0]),
        (None, 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], [0.9375, 0.714286, 1.0]),
        (None, 1.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], [0.857143, 0.8, 1.0]),
        (None, 2.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], [0.789474, 0.909091, 1.0]),
        ("micro", 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.9),
        ("micro", 2.0, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], 1.0),
        ("macro", 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.883929),
        ("macro", 1.0, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], 0.666667),
        ("macro", 2.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.899522),
        ("weighted", 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.917857),
        ("weighted", 1.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.902857),
        ("weighted", 2.0, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], 1.0),
        ("weighted", 2.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.897608),
    ]
] + [
    ("F1ScoreTest docstring example (threshold=0.5)",
     lambda: metrics.F1Score(threshold=0.5),
     [(np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32),
       np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32),
       None)], [0.5, 0.8, 0.6666667], 1e-6),
    # iou_metrics_test.py
    ("IoUTest.test_unweighted", lambda: metrics.IoU(2, [0, 1]),
     [([0, 0, 1, 1], [0, 1, 0, 1], None)], (1 / 3 + 1 / 3) / 2, 1e-3),
    ("IoUTest.test_weighted", lambda: metrics.IoU(2, [1, 0], dtype="float32"),
     [(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1], np.float32),
       np.array([0.2, 0.3, 0.4, 0.1]))],
     (0.1 / (0.4 + 0.5 - 0.1) + 0.2 / (0.6 + 0.5 - 0.2)) / 2, 1e-3),
    ("IoUTest.test_multi_dim_input", lambda: metrics.IoU(2, [0, 1], dtype="float32"),
     [(np.array([[0, 0], [1, 1]]), np.array([[0, 1], [0, 1]], np.float32),
       np.array([[0.2, 0.3], [0.4, 0.1]]))],
     (0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2, 1e-3),
    ("IoUTest.test_zero_valid_entries", lambda: metrics.IoU(2, [0, 1]), [], 0.0, 1e-3),
    ("IoUTest.test_zero_and_non_zero_entries", lambda: metrics.IoU(2, [0, 1]),
     [(np.array([1]), np.array([1], np.float32), None)], 1.0, 1e-3),
    ("IoUTest.test_out_of_range_y_true_ignored", lambda: metrics.IoU(2, [0, 1]),
     [([0, 2], [0, 1], None)], 1.0, 1e-3),
    ("IoUTest.test_out_of_range_y_pred_ignored", lambda: metrics.IoU(2, [0, 1]),
     [([0, 1], [0, 2], None)], 1.0, 1e-3),
    ("IoUTest.test_negative_y_true_ignored", lambda: metrics.IoU(2, [0, 1]),
     [([-1, 0], [0, 0], None)], 1.0, 1e-3),
    ("IoUTest.test_negative_y_pred_ignored", lambda: metrics.IoU(2, [0, 1]),
     [([0, 1], [-1, 1], None)], 1.0, 1e-3),
    ("IoUTest.test_absent_class_contributes_zero", lambda: metrics.IoU(4, [0, 1, 2, 3]),
     [([0, 0, 1, 1], [0, 1, 0, 1], None)], (1 / 3 + 1 / 3) / 2, 1e-3),
    ("BinaryIoUTest.test_different_thresholds_weighted[0.3]",
     lambda: metrics.BinaryIoU([0, 1], threshold=0.3, dtype="float32"),
     [([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], np.array([0.2, 0.3, 0.4, 0.1]))],
     (0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2, 1e-3),
    ("BinaryIoUTest.test_different_thresholds_weighted[0.5]",
     lambda: metrics.BinaryIoU([0, 1], threshold=0.5, dtype="float32"),
     [([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], np.array([0.1, 0.2, 0.4, 0.3]))],
     (0.5 / (0.5 + 0.7 - 0.5) + 0.3 / (0.5 + 0.3 - 0.3)) / 2, 1e-3),
    ("BinaryIoUTest.test_different_thresholds_unweighted[0.3]",
     lambda: metrics.BinaryIoU([0, 1], threshold=0.3),
     [([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], None)], (1 / 3 + 1 / 3) / 2, 1e-3),
    ("BinaryIoUTest.test_different_thresholds_unweighted[0.5]",
     lambda: metrics.BinaryIoU([0, 1], threshold=0.5),
     [([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], None)], (2 / 3 + 1 / 2) / 2, 1e-3),
    ("MeanIoUTest.test_unweighted_ignore_class_255",
     lambda: metrics.MeanIoU(3, ignore_class=255),
     [([0, 1, 2, 255], [0, 1, 1, 1], None)], (1 + 1 / 2 + 0) / 3, 1e-3),
    ("MeanIoUTest.test_unweighted_ignore_class_1",
     lambda: metrics.MeanIoU(3, ignore_class=-1),
     [([0, 1, 2, -1], [0, 1, 1, 1], None)], (1 + 1 / 2 + 0) / 3, 1e-3),
    ("MeanIoUTest.test_weighted", lambda: metrics.MeanIoU(2, dtype="float32"),
     [(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1], np.float32),
       np.array([0.2, 0.3, 0.4, 0.1]))],
     (0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2, 1e-3),
    ("MeanIoUTest.test_weighted_ignore_class_1",
     lambda: metrics.MeanIoU(2, ignore_class=-1, dtype="float32"),
     [(np.array([0, 0, 1, -1]), np.array([0, 1, 0, 1], np.float32),
       np.array([0.2, 0.3, 0.4, 0.1]))],
     (0.2 / (0.6 + 0.5 - 0.2) + 0.0 / (0.3 + 0.4 - 0.0)) / 2, 1e-3),
    ("OneHotIoUTest.test_unweighted", lambda: metrics.OneHotIoU(3, [0, 2]),
     [(ONEHOT_TRUE, ONEHOT_PRED, None)], (0 / (1 + 2 - 0) + 1 / (3 + 1 - 1)) / 2, 1e-3),
    ("OneHotIoUTest.test_weighted",
     lambda: metrics.OneHotIoU(3, [0, 2], dtype="float32"),
     [(ONEHOT_TRUE, ONEHOT_PRED, [0.1, 0.2, 0.3, 0.4])],
     (0 / (0.3 + 0.6 - 0) + 0.1 / (0.7 + 0.1 - 0.1)) / 2, 1e-3),
    ("OneHotMeanIoUTest.test_unweighted", lambda: metrics.OneHotMeanIoU(3),
     [(ONEHOT_TRUE, ONEHOT_PRED, None)], (0 + 0 + 1 / (3 + 1 - 1)) / 3, 1e-3),
] + [
    (f"OneHotMeanIoUTest.test_weighted[{dtype}]",
     lambda dtype=dtype: metrics.OneHotMeanIoU(3, dtype=dtype),
     [(np.concatenate([ONEHOT_TRUE, [[1, 0, 0]]]),
       np.concatenate([ONEHOT_PRED, [[0.6, 0.2, 0.2]]]), weights)],
     (0.1 / (0.4 + 0.6 - 0.1) + 0 + 0.1 / (0.6 + 0.1 - 0.1)) / 3, 1e-3)
    for dtype, weights in [("float32", [0.1, 0.2, 0.3, 0.3, 0.1]),
                           (None, [1, 2, 3, 3, 1])]
] + [
    # correlation_metrics_test.py (test_concordance_class: two updates)
    ("CorrelationsTest.test_concordance_class",
     lambda: metrics.ConcordanceCorrelation(axis=-1, dtype="float32"),
     [(CORR_TRUE[:2], CORR_PRED[:2], None), (CORR_TRUE[2:], CORR_PRED[2:], None)],
     np.mean(CCC_EXPECTED), 1e-6),
    # probabilistic_metrics_test.py
    ("KLDivergenceTest.test_unweighted", lambda: metrics.KLDivergence(),
     [(KLD_TRUE, KLD_PRED, None)], np.sum(KLD_VALUES) / 2, 1e-3),
    ("KLDivergenceTest.test_weighted", lambda: metrics.KLDivergence(),
     [(KLD_TRUE, KLD_PRED, np.asarray([[1.2], [3.4]], np.float32))],
     np.sum(KLD_VALUES * W6) / (1.2 + 3.4), 1e-3),
    ("PoissonTest.test_unweighted", lambda: metrics.Poisson(),
     [(POISSON_TRUE, POISSON_PRED, None)], np.sum(POISSON_VALUES) / 6, 1e-3),
    ("PoissonTest.test_weighted", lambda: metrics.Poisson(),
     [(POISSON_TRUE, POISSON_PRED, np.asarray([[1.2], [3.4]], np.float32))],
     np.sum(POISSON_VALUES * W6) / np.sum(W6), 1e-3),
    ("BinaryCrossentropyTest.test_unweighted", lambda: metrics.BinaryCrossentropy(),
     [(np.array([1, 0, 1, 0]).reshape([2, 2]),
       np.array([1, 1, 1, 0], np.float32).reshape([2, 2]), None)], 3.9855, 1e-3),
    ("BinaryCrossentropyTest.test_unweighted_with_logits",
     lambda: metrics.BinaryCrossentropy(from_logits=True),
     [(np.array([[1, 0, 1], [0, 1, 1]]),
       np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]]), None)], 3.333, 1e-3),
    ("BinaryCrossentropyTest.test_weighted", lambda: metrics.BinaryCrossentropy(),
     [(np.array([1, 0, 1, 0]).reshape([2, 2]),
       np.array([1, 1, 1, 0], np.float32).reshape([2, 2]), np.array([1.5, 2.0]))],
     3.4162, 1e-3),
    ("BinaryCrossentropyTest.test_weighted_from_logits",
     lambda: metrics.BinaryCrossentropy(from_logits=True),
     [(np.array([[1, 0, 1], [0, 1, 1]]),
       np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]]), np.array([2.0, 2.5]))],
     3.7037, 1e-3),
    ("BinaryCrossentropyTest.test_label_smoothing",
     lambda: metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
     [(np.array((1, 0, 1)), np.array((10.0, -10.0, -10.0)), None)],
     (10.0 + 5.0 * 0.1) / 3.0, 1e-3),
    ("CategoricalCrossentropyTest.test_unweighted",
     lambda: metrics.CategoricalCrossentropy(),
     [(np.array([[0, 1, 0], [0, 0, 1]]), SCCE_PRED, None)], 1.176, 1e-3),
    ("CategoricalCrossentropyTest.test_unweighted_from_logits",
     lambda: metrics.CategoricalCrossentropy(from_logits=True),
     [(np.array([[0, 1, 0], [0, 0, 1]]), LOGITS, None)], 3.5011, 1e-3),
    ("CategoricalCrossentropyTest.test_weighted",
     lambda: metrics.CategoricalCrossentropy(),
     [(np.array([[0, 1, 0], [0, 0, 1]]), SCCE_PRED, np.array([1.5, 2.0]))],
     1.338, 1e-3),
    ("CategoricalCrossentropyTest.test_weighted_from_logits",
     lambda: metrics.CategoricalCrossentropy(from_logits=True),
     [(np.array([[0, 1, 0], [0, 0, 1]]), LOGITS, np.array([1.5, 2.0]))],
     4.0012, 1e-3),
    ("CategoricalCrossentropyTest.test_label_smoothing",
     lambda: metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
     [(np.array([[0, 1, 0], [0, 0, 1]]), LOGITS, None)], 3.667, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_unweighted",
     lambda: metrics.SparseCategoricalCrossentropy(),
     [(np.array([1, 2]), SCCE_PRED, None)], 1.176, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_unweighted_from_logits",
     lambda: metrics.SparseCategoricalCrossentropy(from_logits=True),
     [(np.array([1, 2]), LOGITS, None)], 3.5011, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_weighted",
     lambda: metrics.SparseCategoricalCrossentropy(),
     [(np.array([1, 2]), SCCE_PRED, np.array([1.5, 2.0]))], 1.338, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_weighted_from_logits",
     lambda: metrics.SparseCategoricalCrossentropy(from_logits=True),
     [(np.array([1, 2]), LOGITS, np.array([1.5, 2.0]))], 4.0012, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_ignore_class",
     lambda: metrics.SparseCategoricalCrossentropy(ignore_class=0),
     [(np.array([0, 1, 2]), IGNORE_PRED, None)], 0.78462, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_ignore_class_weighted",
     lambda: metrics.SparseCategoricalCrossentropy(ignore_class=0),
     [(np.array([0, 1, 2]), IGNORE_PRED, np.array([0.5, 1.5, 2.0]))],
     1.33774646, 1e-3),
    ("SparseCategoricalCrossentropyTest.test_ignore_class_from_logits",
     lambda: metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
     [(np.array([0, 1, 2]),
       np.array([[10, 1, 1], [1, 9, 0], [1, 8, 1]], np.float32), None)],
     2.33409, 1e-3),
    # hinge_metrics_test.py
    ("HingeTest.test_unweighted", lambda: metrics.Hinge(),
     [(HINGE_TRUE_01, HINGE_PRED, None)], 0.506, 1e-3),
    ("HingeTest.test_weighted", lambda: metrics.Hinge(),
     [(HINGE_TRUE_PM, HINGE_PRED, np.array([1.5, 2.0]))], 0.493, 1e-3),
    ("SquaredHingeTest.test_unweighted", lambda: metrics.SquaredHinge(),
     [(HINGE_TRUE_01.astype("float32"), HINGE_PRED, None)], 0.364, 1e-3),
    ("SquaredHingeTest.test_weighted", lambda: metrics.SquaredHinge(),
     [(HINGE_TRUE_PM, HINGE_PRED, np.array([1.5, 2.0]))], 0.347, 1e-3),
    ("CategoricalHingeTest.test_unweighted", lambda: metrics.CategoricalHinge(),
     [(REG_TRUE.astype("float32"), REG_PRED, None)], 0.5, 1e-5),
    ("CategoricalHingeTest.test_weighted", lambda: metrics.CategoricalHinge(),
     [(REG_TRUE.astype("float32"), REG_PRED, np.array((1.0, 1.5, 2.0, 2.5)))],
     0.5, 1e-5),
]

# reduction_metrics_test.py: Sum(values, sample_weight)
SUM_GOLDEN = [
    ("SumTest.test_unweighted", [1, 3, 5, 7], None, 16.0),
    ("SumTest.test_weighted", [1, 3, 5, 7], [1, 1, 0, 0], 4.0),
    ("SumTest.test_weighted_nd", [[1, 3], [5, 7]], [[1, 1], [1, 0]], 9.0),
    ("SumTest.test_weighted_nd_broadcast", [[1, 3], [5, 7]], [[1, 0]], 6.0),
]


@pytest.mark.parametrize("test,make,updates,expected,atol", GOLDEN,
                         ids=[row[0] for row in GOLDEN])
def test_golden_value(test, make, updates, expected, atol):
    metric = make()
    for y_true, y_pred, sample_weight in updates:
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)
    result = metric.result()
    assert np.shape(result) == np.shape(expected)
    np.testing.assert_allclose(result, expected, rtol=0, atol=atol)


@pytest.mark.parametrize("test,values,sample_weight,expected", SUM_GOLDEN,
                         ids=[row[0] for row in SUM_GOLDEN])
def test_sum_golden_value(test, values, sample_weight, expected):
    metric = metrics.Sum(name="sum", dtype="float32")
    metric.update_state(values, sample_weight=sample_weight)
    np.testing.assert_allclose(metric.result(), expected, atol=1e-3)


def test_concordance_and_pearson_functions():
    """CorrelationsTest.test_concordance_function / test_pearson_function
    (Keras compares with scipy's pearsonr; the values below are the ones its
    test file lists in a comment, rounded)."""
    np.testing.assert_allclose(
        metrics.concordance_correlation(CORR_TRUE, CORR_PRED, axis=-1), CCC_EXPECTED,
        rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        metrics.pearson_correlation(CORR_TRUE, CORR_PRED, axis=-1)[1:],
        [0.99339927, 0.69337525, -0.60999428], rtol=1e-5, atol=1e-5)


def test_f1_equals_fbeta_with_beta_1():
    """F1ScoreTest.test_correctness."""
    f1, fbeta = metrics.F1Score(), metrics.FBetaScore(beta=1.0)
    f1.update_state(np.array(FBETA_TRUE_6), np.array(FBETA_PRED_6))
    fbeta.update_state(np.array(FBETA_TRUE_6), np.array(FBETA_PRED_6))
    np.testing.assert_allclose(f1.result(), fbeta.result(), atol=1e-6)


@pytest.mark.parametrize("make,config_keys", [
    # *Test.test_config of each Keras test file: configs round-trip.
    (lambda: metrics.TopKCategoricalAccuracy(k=1, name="top_k_categorical_accuracy",
                                             dtype="float32"), {"k": 1}),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True),
     {"k": 1, "from_sorted_ids": True}),
    (lambda: metrics.FBetaScore(beta=0.5, threshold=0.3, average=None,
                                dtype="float32"),
     {"beta": 0.5, "threshold": 0.3, "average": None}),
    (lambda: metrics.R2Score(class_aggregation=None, num_regressors=2,
                             dtype="float32"),
     {"class_aggregation": None, "num_regressors": 2}),
    (lambda: metrics.IoU(num_classes=2, target_class_ids=[1, 0],
                         name="iou_class_1_0"),
     {"name": "iou_class_1_0", "num_classes": 2, "target_class_ids": [1, 0]}),
    (lambda: metrics.RootMeanSquaredError(name="rmse", dtype="int32"),
     {"name": "rmse", "dtype": "int32"}),
    (lambda: metrics.CosineSimilarity(axis=2, name="my_cos", dtype="int32"),
     {"name": "my_cos", "dtype": "int32"}),
    (lambda: metrics.PearsonCorrelation(axis=-1, dtype="float16"),
     {"axis": -1, "dtype": "float16", "name": "pearson_correlation"}),
    (lambda: metrics.Sum(name="sum", dtype="float32"), {"name": "sum"}),
])
def test_config_round_trip(make, config_keys):
    metric = make()
    config = metric.get_config()
    for key, value in config_keys.items():
        assert config[key] == value
    assert type(metric).from_config(config).get_config() == config


def test_f1_config_has_no_beta():
    """F1ScoreTest.test_config."""
    config = metrics.F1Score(dtype="float32").get_config()
    assert "beta" not in config
    assert metrics.F1Score.from_config(config).average is None
