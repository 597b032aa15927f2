"""Parity rows of the losses added after the first five (Keras 3's
`keras/src/losses/losses.py`): Huber, LogCosh, KLDivergence, Poisson,
CosineSimilarity, the hinge losses, MSLE, MAPE, the focal crossentropies,
Dice and Tversky.

Each configuration runs through `parity._loss_row`: the function form per
sample, then every reduction with and without sample weights, the value
and the gradient with respect to `y_pred` against `tf.GradientTape`. The
other rows compare configs (and their JSON round trip), string names and
aliases, the `keraslite.metrics` re-exports and Keras's errors.

Builders here return `Row`s that `parity.all_rows()` adds to the table.
"""
import json
import warnings

import numpy as np

from keraslite import losses as kl_losses
from keraslite import metrics as kl_metrics


def _parity():
    from compat_tests import parity

    return parity


# --- data -------------------------------------------------------------------------------
def _rng(seed):
    return np.random.default_rng(seed)


def _f32(x):
    return np.asarray(x, dtype=np.float32)


def _regression(seed=0, n=8, k=3, scale=1.0):
    rng = _rng(seed)
    return (_f32(rng.normal(size=(n, k)) * scale),
            _f32(rng.normal(size=(n, k)) * scale))


def _positive(seed=0, n=8, k=3):
    """Counts and positive rates (Poisson), some y_pred below epsilon."""
    rng = _rng(seed)
    y = _f32(rng.poisson(2.0, (n, k)))
    p = _f32(rng.uniform(0.05, 4.0, (n, k)))
    return y, p


def _msle(seed=0, n=8, k=3):
    """Values around 0, some negative (clamped to epsilon in both)."""
    rng = _rng(seed)
    return _f32(rng.uniform(-0.5, 5.0, (n, k))), _f32(rng.uniform(-0.5, 5.0, (n, k)))


def _mape(seed=0, n=8, k=3, zero_label=False):
    y, p = _regression(seed, n, k, scale=3.0)
    if zero_label:
        y[0, 0] = 0.0  # divided by epsilon
        y[1, 1] = 1e-9
    return y, p


def _distributions(seed=0, n=8, k=4, edges=False):
    rng = _rng(seed)
    y = _f32(rng.dirichlet(np.ones(k), n))
    p = _f32(rng.dirichlet(np.ones(k), n))
    if edges:  # zeros (clipped to epsilon) and exact ones
        y[0] = [1.0, 0.0, 0.0, 0.0]
        p[1] = [0.0, 1.0, 0.0, 0.0]
    return y, p


def _hinge(seed=0, n=8, k=3, labels="01", edges=False):
    rng = _rng(seed)
    y = _f32(rng.integers(0, 2, (n, k)))
    if labels == "-11":
        y = 2.0 * y - 1.0
    elif labels == "soft":  # not all 0/1: used as they are
        y = _f32(rng.uniform(-1.0, 1.0, (n, k)))
    p = _f32(rng.normal(size=(n, k)))
    if edges:  # margins exactly 0 (1 - y * p == 0)
        t = 2.0 * y[0] - 1.0 if labels == "01" else y[0]
        p[0] = t
    return y, p


def _onehot_scores(seed=0, n=8, k=4, ties=False):
    rng = _rng(seed)
    labels = rng.integers(0, k, n)
    y = np.eye(k, dtype=np.float32)[labels]
    p = _f32(rng.normal(size=(n, k)))
    if ties:  # tied maxima among the other classes, and all-negative rows
        p[0] = 0.5
        p[0, labels[0]] = 2.0
        p[1] = -1.0
        p[2, :] = 0.3
    return y, p


def _cosine(seed=0, n=8, k=3, shape=None, zeros=False):
    rng = _rng(seed)
    shape = shape or (n, k)
    y, p = _f32(rng.normal(size=shape)), _f32(rng.normal(size=shape))
    if zeros:  # a zero vector on either side
        y[0] = 0.0
        p[1] = 0.0
    return y, p


def _masks(seed=0, shape=(8, 5)):
    rng = _rng(seed)
    y = _f32(rng.integers(0, 2, shape))
    p = _f32(1.0 / (1.0 + np.exp(-rng.normal(size=shape))))
    return y, p


def _binary(seed=0, n=8, k=3, logits=False, edges=False, scale=1.0):
    return _parity()._data_binary(seed=seed, n=n, k=k, logits=logits,
                                  edges=edges, scale=scale)


def _probs(seed=0, n=8, k=5):
    y, p, _ = _parity()._data_probs_onehot(seed=seed, n=n, k=k)
    return y, p


def _logits(seed=0, n=8, k=5, edges=()):
    y, z, _ = _parity()._data_logits(seed=seed, n=n, k=k, edges=edges)
    return y, z


# --- the configurations ----------------------------------------------------------------
def _cases():
    P = _parity()
    case = P.LossCase
    bfce = "BinaryFocalCrossentropy"
    cfce = "CategoricalFocalCrossentropy"
    return [
        case("huber", "Huber", {}, lambda: _regression(scale=2.0), function="huber"),
        case("huber delta=0.5", "Huber", {"delta": 0.5}, _regression,
             function="huber"),
        case("huber delta=3 y (n,) vs pred (n,1)", "Huber", {"delta": 3.0},
             lambda: (_regression(k=1, scale=4.0)[0][:, 0],
                      _regression(k=1, scale=4.0, seed=1)[1])),
        case("log_cosh", "LogCosh", {}, _regression, function="log_cosh"),
        case("log_cosh errors +-60", "LogCosh", {},
             lambda: _regression(scale=30.0), function="log_cosh"),
        case("kl_divergence", "KLDivergence", {}, _distributions,
             function="kl_divergence"),
        case("kl_divergence zeros and ones", "KLDivergence", {},
             lambda: _distributions(edges=True), function="kl_divergence"),
        case("poisson", "Poisson", {}, _positive, function="poisson"),
        case("cosine_similarity", "CosineSimilarity", {}, _cosine,
             function="cosine_similarity"),
        case("cosine_similarity zero vectors", "CosineSimilarity", {},
             lambda: _cosine(zeros=True), function="cosine_similarity"),
        case("cosine_similarity axis=1 on (n, k, 1)", "CosineSimilarity",
             {"axis": 1}, lambda: _cosine(shape=(8, 4, 1)),
             function="cosine_similarity"),
        case("hinge 0/1 labels", "Hinge", {}, _hinge, function="hinge"),
        case("hinge -1/1 labels, margins 0", "Hinge", {},
             lambda: _hinge(labels="-11", edges=True), function="hinge"),
        case("hinge soft labels", "Hinge", {}, lambda: _hinge(labels="soft"),
             function="hinge"),
        case("squared_hinge 0/1 labels", "SquaredHinge", {}, _hinge,
             function="squared_hinge"),
        case("squared_hinge -1/1 labels", "SquaredHinge", {},
             lambda: _hinge(labels="-11"), function="squared_hinge"),
        case("categorical_hinge", "CategoricalHinge", {}, _onehot_scores,
             function="categorical_hinge"),
        case("categorical_hinge tied maxima", "CategoricalHinge", {},
             lambda: _onehot_scores(ties=True), function="categorical_hinge"),
        case("msle", "MeanSquaredLogarithmicError", {}, _msle,
             function="mean_squared_logarithmic_error"),
        case("mape", "MeanAbsolutePercentageError", {}, _mape,
             function="mean_absolute_percentage_error"),
        case("mape labels 0 and 1e-9", "MeanAbsolutePercentageError", {},
             lambda: _mape(zero_label=True),
             function="mean_absolute_percentage_error"),
        case("cfce probabilities", cfce, {}, _probs,
             function="categorical_focal_crossentropy"),
        case("cfce gamma=0 alpha=1 (is cce)", cfce, {"gamma": 0.0, "alpha": 1.0},
             _probs, function="categorical_focal_crossentropy"),
        case("cfce alpha per class, gamma=3", cfce,
             {"alpha": [0.1, 0.2, 0.3, 0.15, 0.25], "gamma": 3.0}, _probs,
             function="categorical_focal_crossentropy"),
        case("cfce label_smoothing=0.1", cfce, {"label_smoothing": 0.1}, _probs,
             function="categorical_focal_crossentropy"),
        case("cfce from_logits=True", cfce, {"from_logits": True}, _logits,
             function="categorical_focal_crossentropy"),
        case("cfce from_logits=True logits +-50 label_smoothing=0.2", cfce,
             {"from_logits": True, "label_smoothing": 0.2},
             lambda: _logits(edges=(50, -50, 30))),
        case("bfce probabilities", bfce, {}, _binary,
             function="binary_focal_crossentropy"),
        case("bfce probabilities exactly 0 and 1", bfce, {},
             lambda: _binary(edges=True), function="binary_focal_crossentropy"),
        case("bfce gamma=1.5 apply_class_balancing alpha=0.4", bfce,
             {"gamma": 1.5, "apply_class_balancing": True, "alpha": 0.4}, _binary,
             function="binary_focal_crossentropy"),
        case("bfce label_smoothing=0.1", bfce, {"label_smoothing": 0.1}, _binary,
             function="binary_focal_crossentropy"),
        case("bfce from_logits=True", bfce, {"from_logits": True},
             lambda: _binary(logits=True, scale=3.0),
             function="binary_focal_crossentropy"),
        case("bfce from_logits=True logits +-50/+-100 balancing", bfce,
             {"from_logits": True, "apply_class_balancing": True},
             lambda: _binary(logits=True, edges=True),
             function="binary_focal_crossentropy"),
        case("bfce y (n,) vs pred (n,1)", bfce, {},
             lambda: (_binary(k=1)[0][:, 0], _binary(k=1)[1])),
        case("bfce fused sigmoid logits", bfce, {},
             lambda: _binary(logits=True, scale=3.0), fused="sigmoid"),
        case("bfce fused sigmoid logits +-50/+-100 label_smoothing=0.1", bfce,
             {"label_smoothing": 0.1, "apply_class_balancing": True},
             lambda: _binary(logits=True, edges=True), fused="sigmoid"),
        case("dice axis=None (one value per batch)", "Dice", {}, _masks,
             function="dice"),
        case("dice axis=[1]", "Dice", {"axis": [1]}, _masks, function="dice"),
        case("dice axis=(1, 2) on (n, h, w, 1)", "Dice", {"axis": (1, 2)},
             lambda: _masks(shape=(6, 3, 4, 1)), function="dice"),
        case("tversky", "Tversky", {}, _masks, function="tversky"),
        case("tversky alpha=0.2 beta=0.8 axis=(1, 2, 3)", "Tversky",
             {"alpha": 0.2, "beta": 0.8, "axis": (1, 2, 3)},
             lambda: _masks(shape=(6, 3, 4, 2)), function="tversky"),
        case("tversky alpha=0.7 beta=0.3 axis=-1", "Tversky",
             {"alpha": 0.7, "beta": 0.3, "axis": -1}, _masks, function="tversky"),
    ]


# --- configs, names, metrics re-exports, errors ----------------------------------------
_CONFIGS = [
    ("Huber", dict(delta=2.0, reduction="sum", name="h")),
    ("LogCosh", dict(reduction="none")),
    ("KLDivergence", dict(name="kld")),
    ("Poisson", dict(reduction="mean")),
    ("CosineSimilarity", dict(axis=1, reduction="sum")),
    ("Hinge", dict(reduction=None)),
    ("SquaredHinge", {}),
    ("CategoricalHinge", dict(reduction="mean_with_sample_weight")),
    ("MeanSquaredLogarithmicError", dict(name="msle")),
    ("MeanAbsolutePercentageError", {}),
    ("CategoricalFocalCrossentropy",
     dict(alpha=[0.1, 0.2, 0.7], gamma=1.0, from_logits=True, label_smoothing=0.1)),
    ("BinaryFocalCrossentropy",
     dict(apply_class_balancing=True, alpha=0.3, gamma=1.5, label_smoothing=0.2)),
    ("Tversky", dict(alpha=0.3, beta=0.7, axis=(1, 2))),
    ("Dice", dict(axis=[1], reduction="sum")),
]


def _config_data(cls):
    if cls in ("Tversky",):
        return _masks(shape=(4, 3, 2))
    if cls == "CategoricalFocalCrossentropy":
        return _logits(n=4, k=3)
    if cls in ("Hinge", "SquaredHinge", "BinaryFocalCrossentropy", "Dice"):
        return _masks(shape=(4, 3))
    return _positive(n=4, k=3)


def _config_row():
    def compute():
        P = _parity()
        _, keras = P._keras()
        pairs = []
        for cls, kwargs in _CONFIGS:
            ours = getattr(kl_losses, cls)(**kwargs)
            theirs = getattr(keras.losses, cls)(**kwargs)
            o_config, k_config = kl_losses.serialize(ours), keras.losses.serialize(theirs)
            pairs.append(Pair(f"serialize({cls}, {kwargs})", o_config, k_config,
                              exact=True))
            pairs.append(Pair(f"{cls}.name", ours.name, theirs.name, exact=True))
            # The config as a file holds it (tuples become lists), read by each.
            from_file = json.loads(json.dumps(k_config))
            rebuilt = kl_losses.deserialize(from_file)
            k_rebuilt = keras.losses.deserialize(json.loads(json.dumps(o_config)))
            pairs.append(Pair(f"Keras's JSON config of {cls} -> keraslite type",
                              type(rebuilt).__name__, cls, exact=True))
            pairs.append(Pair(f"keraslite's JSON config of {cls} -> Keras config",
                              json.loads(json.dumps(keras.losses.serialize(k_rebuilt))),
                              from_file, exact=True))
            y, p = _config_data(cls)
            pairs.append(Pair(f"{cls} rebuilt from JSON, value",
                              rebuilt(y, p), P._np(k_rebuilt(y, p))))
        return pairs

    return Row("losses[new losses: configs and their JSON round trip]", compute,
               covers=tuple(f"losses.{cls}" for cls, _ in _CONFIGS))


def _registry_row():
    def compute():
        P = _parity()
        _, keras = P._keras()
        from keras.src.losses import ALL_OBJECTS_DICT

        pairs = []
        names = sorted(n for n in ALL_OBJECTS_DICT
                       if n in kl_losses._REGISTRY or n in kl_losses.ALL_FUNCTIONS)
        missing = sorted(set(ALL_OBJECTS_DICT) - set(names))
        pairs.append(Pair("Keras names keraslite leaves out", missing,
                          ["CTC", "Circle", "Loss", "LossFunctionWrapper", "circle",
                           "ctc"], exact=True))
        for name in names:
            ours, theirs = kl_losses.get(name), keras.losses.get(name)
            pairs.append(Pair(f"get({name!r})", _describe(ours), _describe(theirs),
                              exact=True))
            if not isinstance(theirs, keras.losses.Loss):
                k_config = keras.losses.serialize(theirs)
                pairs.append(Pair(f"serialize(get({name!r}))",
                                  kl_losses.serialize(ours), k_config["config"],
                                  exact=True))
                pairs.append(Pair(f"deserialize(Keras config of {name!r})",
                                  _describe(kl_losses.deserialize(k_config)),
                                  _describe(keras.losses.deserialize(k_config)),
                                  exact=True))
                # compile(loss=name) trains with this object; Keras wraps the
                # function in a LossFunctionWrapper.
                from keras.src.losses.losses import LossFunctionWrapper

                y, p = _function_data(theirs.__name__)
                pairs.append(Pair(f"as_loss_object({name!r}) value",
                                  kl_losses.as_loss_object(name)(y, p),
                                  P._np(LossFunctionWrapper(theirs)(y, p))))
        for name in ("logcosh", "kullback_leibler_divergence", "huber_loss"):
            pairs.append(Pair(f"get({name!r}) raises",
                              P._error_name(lambda: kl_losses.get(name)),
                              P._error_name(lambda: keras.losses.get(name)),
                              exact=True))
        new_functions = [n for n in kl_losses.ALL_FUNCTIONS]
        pairs.append(Pair("losses functions exposed",
                          sorted(n for n in new_functions if hasattr(kl_losses, n)),
                          sorted(n for n in new_functions if hasattr(keras.losses, n)),
                          exact=True))
        return pairs

    return Row("losses[new losses: names, aliases, get/serialize]", compute,
               covers=("losses.get", "losses.serialize", "losses.deserialize",
                       "losses.as_loss_object"))


def _describe(obj):
    """A loss by what it is: a function's name, or a class and its config."""
    if isinstance(obj, type):
        return f"class {obj.__name__}"
    if hasattr(obj, "get_config"):
        config = {k: v for k, v in obj.get_config().items() if k not in ("fn",)}
        return f"{type(obj).__name__} {sorted(config.items(), key=str)}"
    return obj.__name__


def _function_data(name):
    """(y_true, y_pred) that suit the loss function `name`."""
    if name == "sparse_categorical_crossentropy":
        y, p = _probs()
        return np.argmax(y, -1), p
    if "categorical" in name:
        return _probs()
    return _masks(shape=(6, 3))


# keras.metrics functions that are keras.losses functions too.
METRIC_FUNCTIONS = [
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber",
    "kl_divergence", "log_cosh", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge",
]


def _metric_functions_row():
    def compute():
        P = _parity()
        _, keras = P._keras()
        pairs = [Pair("keras.metrics functions that are losses",
                      sorted(n for n in dir(keras.metrics) if not n.startswith("_")
                             and getattr(keras.metrics, n) is getattr(keras.losses, n, 0)
                             and n not in ("mean_squared_error", "mean_absolute_error",
                                           "deserialize", "get", "serialize")),
                      METRIC_FUNCTIONS, exact=True)]
        for name in METRIC_FUNCTIONS:
            y, p = _function_data(name)
            pairs.append(Pair(f"metrics.{name} is losses.{name}",
                              getattr(kl_metrics, name) is getattr(kl_losses, name),
                              getattr(keras.metrics, name) is getattr(keras.losses, name),
                              exact=True))
            pairs.append(Pair(f"metrics.{name}(y, p)", getattr(kl_metrics, name)(y, p),
                              P._np(getattr(keras.metrics, name)(y, p))))
        return pairs

    return Row("metrics[loss functions re-exported by keras.metrics]", compute,
               covers=tuple(f"metrics.{n}" for n in METRIC_FUNCTIONS))


def _errors_row():
    def compute():
        P = _parity()
        _, keras = P._keras()
        ones = np.ones((2, 3), np.float32)
        pairs = []
        for cls, _ in _CONFIGS:
            pairs.append(Pair(f"{cls}(reduction='bogus')",
                              P._error_message(lambda: getattr(kl_losses, cls)(
                                  reduction="bogus"))[0],
                              P._error_message(lambda: getattr(keras.losses, cls)(
                                  reduction="bogus"))[0], exact=True))
        checks = [
            ("binary_focal_crossentropy shapes (2,3) vs (2,2)",
             lambda L: L.binary_focal_crossentropy(ones, ones[:, :2])),
            ("binary_focal_crossentropy ranks 2 vs 3",
             lambda L: L.binary_focal_crossentropy(ones, ones[..., None])),
            ("BinaryFocalCrossentropy shapes (2,3) vs (2,2)",
             lambda L: L.BinaryFocalCrossentropy()(ones, ones[:, :2])),
            ("categorical_focal_crossentropy axis=True",
             lambda L: L.categorical_focal_crossentropy(ones, ones, axis=True)),
            ("Huber(delta=-1) accepted", lambda L: L.Huber(delta=-1.0)),
            ("Hinge(reduction='none')", lambda L: L.Hinge(reduction="none")),
        ]
        for label, fn in checks:
            pairs.append(Pair(label, P._error_message(lambda: fn(kl_losses)),
                              P._error_message(lambda: fn(keras.losses)), exact=True))
        # Incompatible shapes: numpy's ValueError, TensorFlow's
        # InvalidArgumentError; both refuse.
        for cls in ("Hinge", "Poisson", "KLDivergence", "Huber", "Dice"):
            pairs.append(Pair(f"{cls} shapes (2,3) vs (2,2) raises",
                              P._error_name(lambda: getattr(kl_losses, cls)()(
                                  ones, ones[:, :2])) != "no error",
                              P._error_name(lambda: getattr(keras.losses, cls)()(
                                  ones, ones[:, :2])) != "no error", exact=True))
        y, p = _regression(n=4)
        for cls in ("MeanSquaredError", "BinaryCrossentropy", "Huber", "Dice"):
            for reduction in ("mean_with_sample_weight", "sum_over_batch_size"):
                pairs.append(Pair(f"{cls}(reduction={reduction!r}), sample_weight=2.3",
                                  getattr(kl_losses, cls)(reduction=reduction)(
                                      y, _f32(y > 0), 2.3),
                                  P._np(getattr(keras.losses, cls)(
                                      reduction=reduction)(y, _f32(y > 0), 2.3))))
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            kl_losses.categorical_focal_crossentropy(ones[:, :1], ones[:, :1])
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            keras.losses.categorical_focal_crossentropy(ones[:, :1], ones[:, :1])
        pairs.append(Pair("cfce one class warns",
                          [(w.category.__name__, str(w.message)) for w in ours],
                          [(w.category.__name__, str(w.message).replace(
                              "(2, 1)", "(2, 1)")) for w in theirs], exact=True))
        return pairs

    return Row("losses[new losses: Keras's errors, warnings, scalar weights]", compute,
               covers=("losses.Huber", "losses.binary_focal_crossentropy", "losses.Loss",
                       "losses.categorical_focal_crossentropy",
                       "losses.standardize_reduction"))


def Pair(*args, **kwargs):
    return _parity().Pair(*args, **kwargs)


def Row(*args, **kwargs):
    return _parity().Row(*args, **kwargs)


def loss_extra_rows():
    P = _parity()
    return ([P._loss_row(case) for case in _cases()]
            + [_config_row(), _registry_row(), _metric_functions_row(), _errors_row()])
