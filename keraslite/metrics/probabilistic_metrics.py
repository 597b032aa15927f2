"""Probabilistic metrics: the mean of a crossentropy or divergence loss."""
import numpy as np

from keraslite.losses import (
    kl_divergence,
    poisson,
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
    squeeze_or_expand_to_same_rank,
)
from keraslite.metrics.reduction_metrics import _FunctionMetric


class KLDivergence(_FunctionMetric):
    """Mean Kullback-Leibler divergence, `y_true * log(y_true / y_pred)`."""

    _direction = "down"
    _fn = staticmethod(kl_divergence)
    _default_name = "kl_divergence"


class Poisson(_FunctionMetric):
    """Mean Poisson loss, `y_pred - y_true * log(y_pred)`."""

    _direction = "down"
    _fn = staticmethod(poisson)
    _default_name = "poisson"


class BinaryCrossentropy(_FunctionMetric):
    """Mean binary crossentropy of 0/1 labels.

    Args:
        name: Name of the metric.
        dtype: dtype of the result.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Squeezes the labels towards 0.5.
    """

    _direction = "down"
    _fn = staticmethod(binary_crossentropy)
    _config_keys = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_FunctionMetric):
    """Mean crossentropy of one-hot labels.

    Args:
        name: Name of the metric.
        dtype: dtype of the result.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Mixes the labels with the uniform distribution.
        axis: The class axis.
    """

    _direction = "down"
    _fn = staticmethod(categorical_crossentropy)
    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None,
                 from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_FunctionMetric):
    """Mean crossentropy of integer labels.

    Args:
        name: Name of the metric.
        dtype: dtype of the result.
        from_logits: Whether `y_pred` are logits.
        ignore_class: A label value whose samples get zero loss.
        axis: The class axis.
    """

    _direction = "down"
    _fn = staticmethod(sparse_categorical_crossentropy)
    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None,
                 from_logits=False, ignore_class=None, axis=-1):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None and self.ignore_class is not None:
            # NOTE: as Keras, where the loss masks the ignored samples: the
            # mask reaches the sample weights (ignored samples leave the
            # count), but without weights they count as zeros.
            labels = np.asarray(y_true)
            if labels.ndim == np.ndim(y_pred) and labels.shape[-1] == 1:
                labels = labels[..., 0]
            valid = (labels != self.ignore_class).astype(self.dtype)
            valid, sample_weight = squeeze_or_expand_to_same_rank(
                valid, np.asarray(sample_weight, self.dtype))
            sample_weight = sample_weight * valid
        super().update_state(y_true, y_pred, sample_weight=sample_weight)
