"""Parity rows of the stateful metrics beyond accuracy/MSE/MAE: top-k
accuracies, F-scores, R2 and the other regression metrics, IoU, correlation,
probabilistic and hinge metrics, and Sum/MeanMetricWrapper.

Each case is accumulated over 3 batches with sample weights, reset, and fed
one more batch, in keraslite and Keras side by side: results after every
batch, the state variables (Keras's names, shapes and values), configs,
`from_config`, `_direction` and the per-sample functions. Further rows
compare how compile resolves metric strings (class and History name) and the
errors of bad arguments.
"""
import warnings
from dataclasses import dataclass, field

import numpy as np

import keraslite
from keraslite import metrics as kl_metrics


def _lib():
    from compat_tests.parity import _keras

    return _keras()


def _f32(x):
    return np.asarray(x, dtype=np.float32)


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return _f32(e / e.sum(-1, keepdims=True))


# --- data: each maker takes a seed and returns (y_true, y_pred) ----------------------
N = 12


def _onehot_probs(seed, k=5, shape=(N,), ties=False):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, shape)
    p = _softmax(rng.normal(size=shape + (k,)))
    if ties:  # rows with equal scores straddling the top-k boundary
        p = _f32(np.round(p * 4) / 4)
    return _f32(np.eye(k)[labels]), p


def _sparse_probs(seed, k=5, label_shape=(N,), ties=False, float_labels=False):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, label_shape)
    p = _softmax(rng.normal(size=(label_shape[0], k)))
    if ties:
        p = _f32(np.round(p * 4) / 4)
    return (_f32(labels) if float_labels else labels), p


def _sorted_ids(seed, k=6, width=4):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, N)
    ids = np.stack([rng.permutation(k)[:width] for _ in range(N)])
    return labels, ids


def _multilabel(seed, k=4, zero_row=True):
    rng = np.random.default_rng(seed)
    y = _f32(rng.integers(0, 2, (N, k)))
    p = _f32(rng.uniform(size=(N, k)))
    if zero_row:  # an all-zero prediction row stays all zero with threshold=None
        p[0] = 0.0
    return y, p


def _regression(seed, k=3, positive=False, shape=None):
    rng = np.random.default_rng(seed)
    shape = shape or (N, k)
    y, p = rng.normal(size=shape), rng.normal(size=shape)
    if positive:
        y, p = np.abs(y) + 0.1, np.abs(p)
        y[0, 0] = 0.0  # MAPE's epsilon on a zero label
    return _f32(y), _f32(p)


def _regression_1d(seed):
    y, p = _regression(seed, k=1)
    return y[:, 0], p  # labels (n,), predictions (n, 1)


def _class_ids(seed, k=4, out_of_range=False, shape=(N,), float_ids=False):
    rng = np.random.default_rng(seed)
    y, p = rng.integers(0, k, shape), rng.integers(0, k, shape)
    if out_of_range:
        y.flat[0], p.flat[1], y.flat[2] = k, -1, k + 3
    if float_ids:
        return _f32(y) + 0.5, _f32(p) + 0.25  # truncated to the ids, as Keras
    return y, p


def _onehot_scores(seed, k=4, sparse_pred=False):
    rng = np.random.default_rng(seed)
    y = _f32(np.eye(k)[rng.integers(0, k, N)])
    if sparse_pred:
        return y, rng.integers(0, k, N)
    return y, _softmax(rng.normal(size=(N, k)))


def _binary_probs(seed, k=1):
    rng = np.random.default_rng(seed)
    return _f32(rng.integers(0, 2, (N, k))), _f32(rng.uniform(size=(N, k)))


def _probs_pair(seed, k=5):
    rng = np.random.default_rng(seed)
    y = _softmax(rng.normal(size=(N, k)))
    y[0, 0] = 0.0  # clipped to epsilon
    return y, _softmax(rng.normal(size=(N, k)))


def _logits(seed, k=5):
    rng = np.random.default_rng(seed)
    return _f32(np.eye(k)[rng.integers(0, k, N)]), _f32(rng.normal(size=(N, k)) * 3)


def _sparse_logits(seed, k=5):
    rng = np.random.default_rng(seed)
    return rng.integers(0, k, N), _f32(rng.normal(size=(N, k)) * 3)


def _hinge_labels(seed, signed=False, k=3):
    rng = np.random.default_rng(seed)
    y = _f32(rng.integers(0, 2, (N, k)))
    if signed:
        y = 2 * y - 1
    return y, _f32(rng.normal(size=(N, k)))


def _values(seed, shape=(N,)):
    return (_f32(np.random.default_rng(seed).normal(size=shape)),)


# --- sample weights: each maker takes (seed, y_true) and returns the weights -----------
def _float_weights(seed, y_true):
    w = _f32(np.random.default_rng(100 + seed).uniform(0, 2, len(y_true)))
    w[seed % len(w)] = 0.0
    return w


def _int_weights(seed, y_true):
    return np.random.default_rng(100 + seed).integers(0, 3, len(y_true))


def _weights_like(shape_of):
    """Weights shaped like `shape_of(y_true)`, e.g. (n, 1) or (n, 3)."""
    def make(seed, y_true):
        return _f32(np.random.default_rng(100 + seed).uniform(0, 2, shape_of(y_true)))

    return make


@dataclass
class Case:
    label: str
    cls: str
    kwargs: dict
    data: object
    function: str = None  # the keras.metrics function computing it per sample
    weights: object = _float_weights
    function_kwargs: dict = field(default_factory=dict)


def _cases():
    top_k = [
        Case("k=5 default", "TopKCategoricalAccuracy", {},
             lambda s: _onehot_probs(s, k=8), "top_k_categorical_accuracy"),
        Case("k=2 ties", "TopKCategoricalAccuracy", {"k": 2},
             lambda s: _onehot_probs(s, ties=True), "top_k_categorical_accuracy",
             function_kwargs={"k": 2}),
        Case("k=1 (n,4,5) inputs", "TopKCategoricalAccuracy", {"k": 1},
             lambda s: _onehot_probs(s, shape=(N, 4)), "top_k_categorical_accuracy",
             function_kwargs={"k": 1}),
        Case("k=7 > classes", "TopKCategoricalAccuracy", {"k": 7},
             _onehot_probs),
        Case("k=5 default", "SparseTopKCategoricalAccuracy", {},
             lambda s: _sparse_probs(s, k=8), "sparse_top_k_categorical_accuracy"),
        Case("k=2 ties, labels (n,1)", "SparseTopKCategoricalAccuracy", {"k": 2},
             lambda s: _sparse_probs(s, label_shape=(N, 1), ties=True),
             "sparse_top_k_categorical_accuracy", function_kwargs={"k": 2}),
        Case("k=3 float labels", "SparseTopKCategoricalAccuracy", {"k": 3},
             lambda s: _sparse_probs(s, float_labels=True),
             "sparse_top_k_categorical_accuracy", function_kwargs={"k": 3}),
        Case("k=2 from_sorted_ids", "SparseTopKCategoricalAccuracy",
             {"k": 2, "from_sorted_ids": True}, _sorted_ids,
             "sparse_top_k_categorical_accuracy",
             function_kwargs={"k": 2, "from_sorted_ids": True}),
    ]
    f_scores = [
        Case(f"average={average} threshold={threshold}", "F1Score",
             {"average": average, "threshold": threshold}, _multilabel)
        for average in (None, "micro", "macro", "weighted")
        for threshold in (None, 0.5)
    ] + [
        Case("beta=2.0 average=macro threshold=0.4", "FBetaScore",
             {"beta": 2.0, "average": "macro", "threshold": 0.4}, _multilabel),
        Case("beta=0.5 average=None", "FBetaScore", {"beta": 0.5}, _multilabel),
        Case("beta=1.5 average=weighted threshold=1.0", "FBetaScore",
             {"beta": 1.5, "average": "weighted", "threshold": 1.0}, _multilabel),
        Case("beta=1.0 average=micro, one-hot softmax", "FBetaScore",
             {"average": "micro"}, _onehot_probs),
    ]
    regression = [
        Case(f"class_aggregation={agg}", "R2Score", {"class_aggregation": agg},
             _regression) for agg in ("uniform_average", "variance_weighted_average",
                                      None)
    ] + [
        Case("num_regressors=2", "R2Score", {"num_regressors": 2}, _regression),
        Case("num_regressors=100 (falls back, warns)", "R2Score",
             {"num_regressors": 100}, _regression),
        Case("labels (n,), predictions (n,1)", "R2Score", {}, _regression_1d),
        Case("(n,3) weights", "R2Score", {}, _regression,
             weights=_weights_like(lambda y: y.shape)),
        Case("", "RootMeanSquaredError", {}, _regression),
        Case("labels (n,) predictions (n,1)", "RootMeanSquaredError", {},
             _regression_1d),
        Case("", "CosineSimilarity", {}, _regression),
        Case("axis=0", "CosineSimilarity", {"axis": 0},
             lambda s: _regression(s, k=N)),
        Case("", "LogCoshError", {}, lambda s: (_regression(s)[0] * 30,
                                                _regression(s)[1])),
        Case("", "MeanAbsolutePercentageError", {},
             lambda s: _regression(s, positive=True)),
        Case("", "MeanSquaredLogarithmicError", {},
             lambda s: _regression(s, positive=True)),
        Case("negative values", "MeanSquaredLogarithmicError", {}, _regression),
    ]
    iou = [
        Case("int weights", "IoU", {"num_classes": 4, "target_class_ids": [0, 2]},
             _class_ids, weights=_int_weights),
        Case("float weights truncated (int64 state)", "IoU",
             {"num_classes": 4, "target_class_ids": [1, 3]}, _class_ids),
        Case("dtype=float32, float weights", "IoU",
             {"num_classes": 4, "target_class_ids": [0, 1, 3], "dtype": "float32"},
             _class_ids),
        Case("ignore_class=1, out-of-range ids", "IoU",
             {"num_classes": 4, "target_class_ids": [0, 1, 2, 3],
              "ignore_class": 1}, lambda s: _class_ids(s, out_of_range=True),
             weights=_int_weights),
        Case("float ids, (n,3) maps", "IoU",
             {"num_classes": 4, "target_class_ids": [2]},
             lambda s: _class_ids(s, shape=(N, 3), float_ids=True),
             weights=_weights_like(lambda y: y.shape)),
        Case("sparse_y_true=False sparse_y_pred=False", "IoU",
             {"num_classes": 4, "target_class_ids": [0, 3], "sparse_y_true": False,
              "sparse_y_pred": False}, _onehot_scores, weights=_int_weights),
        Case("", "MeanIoU", {"num_classes": 4}, _class_ids, weights=_int_weights),
        Case("ignore_class=0 dtype=float32", "MeanIoU",
             {"num_classes": 4, "ignore_class": 0, "dtype": "float32"}, _class_ids),
        Case("absent class", "MeanIoU", {"num_classes": 6}, _class_ids,
             weights=_int_weights),
        Case("", "BinaryIoU", {}, _binary_probs, weights=_int_weights),
        Case("target_class_ids=[1] threshold=0.3 dtype=float32", "BinaryIoU",
             {"target_class_ids": [1], "threshold": 0.3, "dtype": "float32"},
             lambda s: _binary_probs(s, k=3), weights=_weights_like(lambda y: y.shape)),
        Case("", "OneHotIoU", {"num_classes": 4, "target_class_ids": [0, 2]},
             _onehot_scores, weights=_int_weights),
        Case("sparse_y_pred=True", "OneHotIoU",
             {"num_classes": 4, "target_class_ids": [1], "sparse_y_pred": True},
             lambda s: _onehot_scores(s, sparse_pred=True), weights=_int_weights),
        Case("", "OneHotMeanIoU", {"num_classes": 4}, _onehot_scores,
             weights=_int_weights),
        Case("ignore_class=2 dtype=float32", "OneHotMeanIoU",
             {"num_classes": 4, "ignore_class": 2, "dtype": "float32"},
             _onehot_scores),
    ]
    correlation = [
        Case("", "PearsonCorrelation", {}, lambda s: _regression(s, k=6),
             "pearson_correlation"),
        Case("axis=0", "PearsonCorrelation", {"axis": 0},
             lambda s: _regression(s, shape=(N, N)), "pearson_correlation",
             function_kwargs={"axis": 0}),
        Case("", "ConcordanceCorrelation", {}, lambda s: _regression(s, k=6),
             "concordance_correlation"),
        Case("axis=0", "ConcordanceCorrelation", {"axis": 0},
             lambda s: _regression(s, shape=(N, N)), "concordance_correlation",
             function_kwargs={"axis": 0}),
    ]
    probabilistic = [
        Case("", "KLDivergence", {}, _probs_pair),
        Case("", "Poisson", {}, lambda s: _regression(s, positive=True)),
        Case("", "BinaryCrossentropy", {}, lambda s: _binary_probs(s, k=3)),
        Case("from_logits label_smoothing=0.2", "BinaryCrossentropy",
             {"from_logits": True, "label_smoothing": 0.2},
             lambda s: _hinge_labels(s)),
        Case("", "CategoricalCrossentropy", {}, _onehot_probs),
        Case("from_logits label_smoothing=0.1", "CategoricalCrossentropy",
             {"from_logits": True, "label_smoothing": 0.1}, _logits),
        Case("", "SparseCategoricalCrossentropy", {}, _sparse_probs),
        Case("from_logits", "SparseCategoricalCrossentropy", {"from_logits": True},
             _sparse_logits),
        Case("ignore_class=1", "SparseCategoricalCrossentropy", {"ignore_class": 1},
             _sparse_probs),
        Case("ignore_class=0 labels (n,1), (n,1) weights",
             "SparseCategoricalCrossentropy", {"ignore_class": 0},
             lambda s: _sparse_probs(s, label_shape=(N, 1)),
             weights=_weights_like(lambda y: (N, 1))),
    ]
    hinge = [
        Case("0/1 labels", "Hinge", {}, _hinge_labels),
        Case("-1/1 labels", "Hinge", {}, lambda s: _hinge_labels(s, signed=True)),
        Case("0/1 labels", "SquaredHinge", {}, _hinge_labels),
        Case("-1/1 labels", "SquaredHinge", {},
             lambda s: _hinge_labels(s, signed=True)),
        Case("", "CategoricalHinge", {}, _logits),
    ]
    reduction = [
        Case("(n,) values", "Sum", {}, _values),
        Case("(n,3) values, (n,) weights", "Sum", {},
             lambda s: _values(s, (N, 3))),
        Case("(n,3) values, (n,1) weights", "Sum", {},
             lambda s: _values(s, (N, 3)), weights=_weights_like(lambda v: (N, 1))),
        Case("(n,3,2) values, (n,3) weights", "Sum", {},
             lambda s: _values(s, (N, 3, 2)), weights=_weights_like(lambda v: (N, 3))),
        Case("dtype=float64", "Sum", {"dtype": "float64"}, _values),
        Case("(n,3,2) values, (n,3) weights", "Mean", {},
             lambda s: _values(s, (N, 3, 2)), weights=_weights_like(lambda v: (N, 3))),
        Case("dtype=float64", "Mean", {"dtype": "float64"}, _values),
    ]
    return top_k + f_scores + regression + iou + correlation + probabilistic + hinge \
        + reduction


def _state(metric):
    """(name, shape, value) of each state variable, in order."""
    return [(name, np.shape(value), np.asarray(value))
            for name, value in metric._state().items()]


def _metric_row(case):
    from compat_tests.parity import Pair, Row, _np

    def compute():
        _, keras = _lib()
        keras.backend.clear_session()
        keraslite.backend.clear_session()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # IoU's float weights, R2's fallback
            return _compare(keras, case, Pair, _np)

    tag = f"[{case.label}]" if case.label else ""
    covers = [f"metrics.{case.cls}"]
    if case.function:
        covers.append(f"metrics.{case.function}")
    return Row(f"metrics.{case.cls}{tag}", compute, rtol=1e-6, atol=1e-6,
               covers=tuple(covers))


def _compare(keras, case, Pair, _np):
    ours = getattr(kl_metrics, case.cls)(**case.kwargs)
    theirs = getattr(keras.metrics, case.cls)(**case.kwargs)
    pairs = [Pair("name", ours.name, theirs.name, exact=True),
             Pair("dtype", ours.dtype, theirs.dtype, exact=True),
             Pair("_direction", ours._direction,
                  getattr(theirs, "_direction", None), exact=True)]
    for step, seed in enumerate((1, 2, 3)):
        args = case.data(seed)
        sw = case.weights(seed, args[0]) if case.weights else None
        ours.update_state(*args, sample_weight=sw)
        theirs.update_state(*args, sample_weight=sw)
        pairs.append(Pair(f"result after weighted batch {step + 1}", ours.result(),
                          _np(theirs.result())))
    our_state = _state(ours)
    their_state = [(v.name, tuple(v.shape), _np(v)) for v in theirs.variables]
    pairs.append(Pair("state variable names and shapes",
                      [(n, tuple(s)) for n, s, _ in our_state],
                      [(n, s) for n, s, _ in their_state], exact=True))
    for (name, _, value), (_, _, their_value) in zip(our_state, their_state):
        pairs.append(Pair(f"state {name}", value, their_value))
        pairs.append(Pair(f"state {name} dtype", str(value.dtype),
                          str(their_value.dtype), exact=True))
    from compat_tests.parity import _reset_pairs

    pairs += _reset_pairs(ours, theirs, case.data)
    config = theirs.get_config()
    pairs.append(Pair("get_config", ours.get_config(), config, exact=True))
    rebuilt = type(ours).from_config(config)
    pairs.append(Pair("from_config(Keras config).get_config()", rebuilt.get_config(),
                      config, exact=True))
    if case.function:
        args = case.data(6)
        pairs.append(Pair(f"{case.function}() per sample",
                          getattr(kl_metrics, case.function)(
                              *args, **case.function_kwargs),
                          _np(getattr(keras.metrics, case.function)(
                              *args, **case.function_kwargs))))
    return pairs


# --- MeanMetricWrapper -------------------------------------------------------------
def _wrapper_row():
    from compat_tests.parity import Pair, Row, _np

    def compute():
        _, keras = _lib()
        keras.backend.clear_session()
        keraslite.backend.clear_session()
        pairs = []
        cases = [
            ("mean_squared_error", {}, lambda s: _regression(s)),
            ("top_k_categorical_accuracy", {"k": 2}, _onehot_probs),
            ("sparse_top_k_categorical_accuracy", {"k": 1},
             lambda s: _sparse_probs(s, label_shape=(N, 1))),
            ("pearson_correlation", {"axis": -1}, lambda s: _regression(s, k=5)),
            ("binary_crossentropy", {"from_logits": True}, _hinge_labels),
            ("categorical_crossentropy", {"label_smoothing": 0.1}, _onehot_probs),
            ("sparse_categorical_crossentropy", {}, _sparse_probs),
        ]
        for fn_name, kwargs, data in cases:
            ours = kl_metrics.MeanMetricWrapper(getattr(kl_metrics, fn_name), **kwargs)
            theirs = keras.metrics.MeanMetricWrapper(getattr(keras.metrics, fn_name),
                                                     **kwargs)
            tag = f"MeanMetricWrapper({fn_name}, {kwargs})"
            for seed in (1, 2, 3):
                args = data(seed)
                sw = _weights_like(lambda y: (len(y), 1))(seed, args[0])
                ours.update_state(*args, sample_weight=sw)
                theirs.update_state(*args, sample_weight=sw)
                pairs.append(Pair(f"{tag} after batch {seed}", ours.result(),
                                  _np(theirs.result())))
            ours.reset_state()
            theirs.reset_state()
            ours.update_state(*data(4))
            theirs.update_state(*data(4))
            pairs.append(Pair(f"{tag} after reset and one batch", ours.result(),
                              _np(theirs.result())))
            pairs += [Pair(f"{tag} name", ours.name, theirs.name, exact=True),
                      Pair(f"{tag} _direction", ours._direction,
                           getattr(theirs, "_direction", None), exact=True),
                      Pair(f"{tag} get_config", ours.get_config(),
                           theirs.get_config(), exact=True)]
            config = keras.metrics.serialize(theirs)
            rebuilt = kl_metrics.deserialize(config)
            pairs.append(Pair(f"{tag} deserialize(Keras config)", rebuilt.get_config(),
                              theirs.get_config(), exact=True))
            pairs.append(Pair(f"{tag} rebuilt value", rebuilt(*data(5)),
                              _np(keras.metrics.deserialize(config)(*data(5)))))
        ours = kl_metrics.MeanMetricWrapper(keraslite.losses.MeanSquaredError(),
                                            name="w", dtype="float64")
        theirs = keras.metrics.MeanMetricWrapper(keras.losses.MeanSquaredError(),
                                                 name="w", dtype="float64")
        args = _regression(7)
        pairs += [Pair("wrapper of a Loss object: get_config", ours.get_config(),
                       theirs.get_config(), exact=True),
                  Pair("wrapper of a Loss object: _direction", ours._direction,
                       theirs._direction, exact=True),
                  Pair("wrapper dtype=float64: value", ours(*args), _np(theirs(*args))),
                  Pair("wrapper dtype=float64: result dtype",
                       str(np.asarray(ours.result()).dtype),
                       str(_np(theirs.result()).dtype), exact=True)]
        return pairs

    return Row("metrics.MeanMetricWrapper[functions, kwargs, weights, configs]",
               compute, rtol=1e-6, atol=1e-6,
               covers=("metrics.MeanMetricWrapper", "metrics.binary_crossentropy",
                       "metrics.categorical_crossentropy",
                       "metrics.sparse_categorical_crossentropy"))


# --- compile's string resolution -------------------------------------------------------
_STRINGS = [
    ("top_k_categorical_accuracy", (8, 5), (8, 5)),
    ("TopKCategoricalAccuracy", (8, 5), (8, 5)),
    ("sparse_top_k_categorical_accuracy", (8,), (8, 5)),
    ("SparseTopKCategoricalAccuracy", (8, 1), (8, 5)),
    ("RootMeanSquaredError", (8, 3), (8, 3)),
    ("root_mean_squared_error", (8, 3), (8, 3)),
    ("r2_score", (8, 3), (8, 3)),
    ("R2Score", (8, 3), (8, 3)),
    ("f1_score", (8, 4), (8, 4)),
    ("F1Score", (8, 4), (8, 4)),
    ("f_beta_score", (8, 4), (8, 4)),
    ("FBetaScore", (8, 4), (8, 4)),
    ("cosine_similarity", (8, 3), (8, 3)),
    ("log_cosh_error", (8, 3), (8, 3)),
    ("LogCoshError", (8, 3), (8, 3)),
    ("mape", (8, 3), (8, 3)),
    ("MAPE", (8, 3), (8, 3)),
    ("mean_absolute_percentage_error", (8, 3), (8, 3)),
    ("msle", (8, 3), (8, 3)),
    ("MSLE", (8, 3), (8, 3)),
    ("mean_squared_logarithmic_error", (8, 3), (8, 3)),
    ("pearson_correlation", (8, 3), (8, 3)),
    ("concordance_correlation", (8, 3), (8, 3)),
    ("kl_divergence", (8, 5), (8, 5)),
    ("KLDivergence", (8, 5), (8, 5)),
    ("poisson", (8, 3), (8, 3)),
    ("bce", (8, 1), (8, 1)),
    ("BCE", (8, 1), (8, 1)),
    ("binary_crossentropy", (8, 1), (8, 1)),
    ("categorical_crossentropy", (8, 5), (8, 5)),
    ("sparse_categorical_crossentropy", (8,), (8, 5)),
    ("hinge", (8, 1), (8, 1)),
    ("squared_hinge", (8, 1), (8, 1)),
    ("categorical_hinge", (8, 5), (8, 5)),
    ("sum", (8,), (8, 1)),
    ("mean", (8,), (8, 1)),
]


def _resolution_row():
    from compat_tests.parity import Pair, Row, _error_name

    def compute():
        _, keras = _lib()
        from keras.src.trainers.compile_utils import get_metric

        pairs = []
        for identifier, y_shape, p_shape in _STRINGS:
            ours = kl_metrics.resolve(identifier, y_shape, p_shape)
            theirs = get_metric(identifier, np.zeros(y_shape), np.zeros(p_shape))
            pairs += [Pair(f"{identifier!r} class", type(ours).__name__,
                           type(theirs).__name__, exact=True),
                      Pair(f"{identifier!r} History name", ours.name, theirs.name,
                           exact=True),
                      Pair(f"{identifier!r} _direction", ours._direction,
                           getattr(theirs, "_direction", None), exact=True)]
        # Metric functions and instances are named as Keras's get_object_name.
        for fn in ("top_k_categorical_accuracy", "pearson_correlation",
                   "concordance_correlation", "sparse_top_k_categorical_accuracy"):
            ours = kl_metrics.resolve(getattr(kl_metrics, fn), (8, 5), (8, 5))
            theirs = get_metric(getattr(keras.metrics, fn), np.zeros((8, 5)),
                                np.zeros((8, 5)))
            pairs += [Pair(f"function {fn} class", type(ours).__name__,
                           type(theirs).__name__, exact=True),
                      Pair(f"function {fn} name", ours.name, theirs.name, exact=True)]
        ours = kl_metrics.resolve(kl_metrics.F1Score(average="macro", name="f1"),
                                  (8, 4), (8, 4))
        theirs = get_metric(keras.metrics.F1Score(average="macro", name="f1"),
                            np.zeros((8, 4)), np.zeros((8, 4)))
        pairs.append(Pair("instance keeps its name", ours.name, theirs.name,
                          exact=True))
        # Every name of keraslite's registry gets what Keras's get() gives: a
        # default instance, or the same error for classes with required args.
        for name in kl_metrics._REGISTRY:
            pairs.append(Pair(f"get({name!r}) class or error",
                              _get_type(lambda: kl_metrics.get(name), _error_name),
                              _get_type(lambda: keras.metrics.get(name), _error_name),
                              exact=True))
        for name in ("logcosh", "log_cosh", "rmse", "f1"):  # not names in Keras
            pairs.append(Pair(f"get({name!r}) raises",
                              _error_name(lambda: kl_metrics.get(name)),
                              _error_name(lambda: keras.metrics.get(name)),
                              exact=True))
        return pairs

    return Row("metrics.resolve[strings, functions and instances of the new metrics]",
               compute, covers=("metrics.resolve", "metrics.get"))


def _get_type(fn, error_name):
    name = error_name(fn)
    return type(fn()).__name__ if name == "no error" else name


# --- serialization through the registry ----------------------------------------------
def _serialize_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        keras.backend.clear_session()
        keraslite.backend.clear_session()
        pairs = []
        for case in _cases():
            ours = getattr(kl_metrics, case.cls)(**case.kwargs)
            theirs = getattr(keras.metrics, case.cls)(**case.kwargs)
            config = keras.metrics.serialize(theirs)
            tag = f"{case.cls}({case.kwargs})"
            pairs.append(Pair(f"serialize {tag}", kl_metrics.serialize(ours),
                              {k: config[k] for k in ("module", "class_name", "config",
                                                      "registered_name")},
                              exact=True))
            pairs.append(Pair(f"deserialize(Keras config) {tag}",
                              kl_metrics.deserialize(config).get_config(),
                              theirs.get_config(), exact=True))
        return pairs

    return Row("metrics.serialize/deserialize[new metric classes]", compute,
               covers=("metrics.serialize", "metrics.deserialize"))


# --- bad arguments ---------------------------------------------------------------------
_BAD = [
    ("F1Score average='samples'", "F1Score", {"average": "samples"}, None),
    ("F1Score threshold=1 (int)", "F1Score", {"threshold": 1}, None),
    ("F1Score threshold=1.5", "F1Score", {"threshold": 1.5}, None),
    ("F1Score threshold=0.0", "F1Score", {"threshold": 0.0}, None),
    ("FBetaScore beta=2 (int)", "FBetaScore", {"beta": 2}, None),
    ("FBetaScore beta=-1.0", "FBetaScore", {"beta": -1.0}, None),
    ("F1Score on 1-D inputs", "F1Score", {},
     (np.zeros(4, np.float32), np.zeros(4, np.float32))),
    ("F1Score on 3-D inputs", "F1Score", {},
     (np.zeros((2, 3, 4), np.float32), np.zeros((2, 3, 4), np.float32))),
    ("R2Score on 3-D inputs", "R2Score", {},
     (np.zeros((2, 3, 4), np.float32), np.zeros((2, 3, 4), np.float32))),
    ("R2Score class_aggregation='median'", "R2Score",
     {"class_aggregation": "median"}, None),
    ("R2Score num_regressors=-1", "R2Score", {"num_regressors": -1}, None),
    ("IoU target id 3 of 3 classes", "IoU",
     {"num_classes": 3, "target_class_ids": [0, 3]}, None),
    ("IoU no target ids", "IoU", {"num_classes": 3, "target_class_ids": []}, None),
    ("IoU num_classes=0", "IoU", {"num_classes": 0, "target_class_ids": [0]}, None),
    ("IoU num_classes=-2", "IoU", {"num_classes": -2, "target_class_ids": [0]},
     None),
    ("IoU num_classes=2.5", "IoU", {"num_classes": 2.5, "target_class_ids": [0]},
     None),
    ("IoU num_classes=None", "IoU", {"num_classes": None, "target_class_ids": [0]},
     None),
    ("MeanIoU num_classes=0", "MeanIoU", {"num_classes": 0}, None),
    ("OneHotIoU target id 5 of 4 classes", "OneHotIoU",
     {"num_classes": 4, "target_class_ids": [5]}, None),
    ("TopKCategoricalAccuracy k=1.5", "TopKCategoricalAccuracy", {"k": 1.5},
     (np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32))),
    ("SparseTopKCategoricalAccuracy k='2'", "SparseTopKCategoricalAccuracy",
     {"k": "2"}, (np.arange(3), np.eye(3, dtype=np.float32))),
]


def _bad_argument_row():
    from compat_tests.parity import Pair, Row, _error_message

    def compute():
        _, keras = _lib()
        pairs = []
        for label, cls, kwargs, data in _BAD:
            def run(module):
                metric = getattr(module, cls)(**kwargs)
                if data is not None:
                    metric.update_state(*data)

            ours, our_message = _error_message(lambda: run(kl_metrics))
            theirs, their_message = _error_message(lambda: run(keras.metrics))
            pairs.append(Pair(f"{label}: exception type", ours, theirs, exact=True))
            pairs.append(Pair(f"{label}: message names the value",
                              _names_value(our_message, kwargs, data), True,
                              exact=True))
        return pairs

    return Row("metrics[bad arguments: Keras's exception types]", compute,
               covers=("metrics.F1Score", "metrics.IoU"))


def _names_value(message, kwargs, data):
    """Whether the message names the bad argument (or the input shapes)."""
    if data is not None and not kwargs:
        return "shape" in message
    return any(f"{key}={value}" in message or f"{key}={value!r}" in message
               or f"id {value[-1] if isinstance(value, list) and value else value}"
               in message for key, value in kwargs.items()) \
        or "target_class_ids" in message


def _deliberate_difference_row():
    """Where keraslite raises and Keras returns a meaningless number."""
    from compat_tests.parity import Pair, Row, _error_name, _np

    def compute():
        _, keras = _lib()
        y, p = np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32)
        pairs = []
        for k in (0, -1):
            theirs = keras.metrics.TopKCategoricalAccuracy(k=k)
            pairs.append(Pair(f"Keras TopKCategoricalAccuracy(k={k}) gives 0",
                              float(_np(theirs(y, p))), 0.0))
            pairs.append(Pair(f"keraslite TopKCategoricalAccuracy(k={k}) raises",
                              _error_name(lambda: kl_metrics.TopKCategoricalAccuracy(
                                  k=k)), "ValueError", exact=True))
            pairs.append(Pair(f"keraslite sparse_top_k_categorical_accuracy(k={k}) "
                              "raises",
                              _error_name(lambda: kl_metrics.
                                          sparse_top_k_categorical_accuracy(
                                              np.arange(3), p, k=k)),
                              "ValueError", exact=True))
        theirs = keras.metrics.IoU(num_classes=3, target_class_ids=[-1])
        pairs.append(Pair("Keras IoU(target_class_ids=[-1]) builds",
                          type(theirs).__name__, "IoU", exact=True))
        pairs.append(Pair("keraslite IoU(target_class_ids=[-1]) raises",
                          _error_name(lambda: kl_metrics.IoU(3, [-1])), "ValueError",
                          exact=True))
        return pairs

    return Row("metrics[deliberate differences: k <= 0, negative target ids]",
               compute, covers=("metrics.TopKCategoricalAccuracy",
                                "metrics.sparse_top_k_categorical_accuracy"))


def more_metric_rows():
    return ([_metric_row(case) for case in _cases()]
            + [_wrapper_row(), _resolution_row(), _serialize_row(),
               _bad_argument_row(), _deliberate_difference_row()])
