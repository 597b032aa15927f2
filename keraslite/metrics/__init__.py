"""Stateful metrics: `update_state(y_true, y_pred)`, `result()`, `reset_state()`.

One module per family, as in Keras 3 (`keras/src/metrics/`); this package
holds the registry that `compile(metrics=[...])` and files resolve names by.
"""
from keraslite import losses as losses_module
from keraslite.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from keraslite.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from keraslite.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from keraslite.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from keraslite.metrics.f_score_metrics import F1Score, FBetaScore
from keraslite.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from keraslite.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from keraslite.metrics.metric import Metric
from keraslite.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from keraslite.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from keraslite.registry import lookup, serialize_object
from keraslite.utils.naming import snake_case
from keraslite import registry


ALL_CLASSES = {
    cls.__name__: cls
    for cls in (
        Mean,
        Sum,
        MeanMetricWrapper,
        # Regression
        MeanSquaredError,
        RootMeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        CosineSimilarity,
        LogCoshError,
        R2Score,
        # Correlation
        ConcordanceCorrelation,
        PearsonCorrelation,
        # Hinge
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        # Probabilistic
        KLDivergence,
        Poisson,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        # Accuracy
        Accuracy,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
        TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy,
        # F-score
        F1Score,
        FBetaScore,
        # IoU
        IoU,
        BinaryIoU,
        MeanIoU,
        OneHotIoU,
        OneHotMeanIoU,
        # Confusion
        AUC,
        FalseNegatives,
        FalsePositives,
        Precision,
        PrecisionAtRecall,
        Recall,
        RecallAtPrecision,
        SensitivityAtSpecificity,
        SpecificityAtSensitivity,
        TrueNegatives,
        TruePositives,
    )
}
registry.register_builtins("metrics", ALL_CLASSES)
ALL_FUNCTIONS = {
    "accuracy": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "pearson_correlation": pearson_correlation,
    "concordance_correlation": concordance_correlation,
    "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
    "kl_divergence": kl_divergence,
    "poisson": poisson,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
    "huber": huber,
    "log_cosh": log_cosh,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "mse": mean_squared_error,
    "mae": mean_absolute_error,
}
# As Keras's metrics registry: a string names a class (by its name or its
# snake_case form, or an alias as "mse" or "bce") and `get` instantiates it.
_REGISTRY = {
    **ALL_CLASSES,
    **{snake_case(name): cls for name, cls in ALL_CLASSES.items()},
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
}

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


def serialize(metric):
    """Returns the Keras 3 config of a metric object."""
    return serialize_object(metric, "keras.metrics")


def _deserialize_function(config):
    """The metric function (or loss) of a MeanMetricWrapper's "fn" config."""
    if config.get("class_name") == "function":
        name = config.get("config")
        if name in ALL_FUNCTIONS:
            return ALL_FUNCTIONS[name]
        return lookup(losses_module.ALL_FUNCTIONS, name, "metric function")
    return losses_module.deserialize(config)


def deserialize(config):
    """Rebuilds a metric from a name or config dict."""
    if isinstance(config, dict):
        cls = lookup(ALL_CLASSES, config.get("class_name"), "metric")
        return cls.from_config(config.get("config") or {})
    return lookup(_REGISTRY, config, "metric")


def get(identifier):
    """Returns a Metric (or a metric function) from a name, config or object.

    As in Keras, a string gives a new instance of the metric class it names:
    `get("mse")` is a `MeanSquaredError()`.
    """
    if isinstance(identifier, (str, dict)):
        identifier = deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def resolve(identifier, y_true_shape, y_pred_shape):
    """The Metric that `compile(metrics=[identifier])` tracks, as Keras does.

    "accuracy"/"acc" become binary, sparse categorical or categorical
    accuracy depending on the label and prediction shapes; the metric is
    named after the string given.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary = y_pred_shape[-1] == 1
        is_sparse = len(y_true_shape) < len(y_pred_shape) or (
            y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
        )
        if is_binary:
            metric = BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = CategoricalAccuracy(name=str(identifier))
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        name = identifier
    else:  # as Keras's `get_object_name`
        name = getattr(metric, "name", None) or snake_case(
            getattr(metric, "__name__", None) or type(metric).__name__)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    metric.name = name
    return metric
