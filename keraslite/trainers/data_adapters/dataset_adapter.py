"""Batches of keraslite's tf.data-like datasets (Keras 3's TFDatasetAdapter).

These are the datasets that `Dataset.map`, `.cache`, `.batch`, ... return
(`keraslite.utils.dataset_ops`); each epoch iterates the dataset anew.
"""
import numpy as np

from keraslite.models import data as data_utils
from keraslite.trainers.data_adapters import data_adapter_utils
from keraslite.trainers.data_adapters.data_adapter import DataAdapter


class DatasetAdapter(DataAdapter):
    """Adapter for a `keraslite.utils.dataset_ops.Dataset`."""

    def __init__(self, dataset, class_weight=None):
        self._dataset = dataset
        self.class_weight = class_weight

    def _add_class_weights(self, batch):
        x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(batch)
        if sample_weight is not None:
            raise ValueError(
                "You cannot `class_weight` and `sample_weight` at the same time."
            )
        if y is None:
            raise ValueError(
                "`class_weight` needs targets: the dataset's elements must be "
                "`(x, y)` tuples."
            )
        return x, y, data_utils.class_weight_to_sample_weight(np.asarray(y),
                                                              self.class_weight)

    def get_numpy_iterator(self):
        for batch in self._dataset:
            yield batch if self.class_weight is None else self._add_class_weights(batch)

    @property
    def num_batches(self):
        cardinality = self._dataset._cardinality()
        return cardinality if cardinality >= 0 else None  # unknown or infinite
