"""Batches of in-memory arrays: the fast path of fit/evaluate/predict."""
import math

from keraslite import backend
from keraslite.models import data as data_utils
from keraslite.trainers.data_adapters.data_adapter import DataAdapter


class ArrayDataAdapter(DataAdapter):
    """Adapter for arrays already converted and checked by the trainer.

    Args:
        arrays: A flat list of float32 arrays (inputs, targets, weights;
            None for absent ones), all with the same number of samples.
        batch_size: Samples per batch; None gives 32, or
            `ceil(num_samples / steps)` when `steps` is given (as Keras).
        steps: The `steps_per_epoch` of the call (only used for the batch
            size).
        shuffle: Draw a new permutation for every pass.
        split: Called on each batch (a list of arrays) to give what the
            iterator yields; the identity by default.
    """

    def __init__(self, arrays, batch_size=None, steps=None, shuffle=False,
                 split=None):
        self._arrays = list(arrays)
        self._num_samples = next(len(a) for a in self._arrays if a is not None)
        if not batch_size:
            batch_size = (int(math.ceil(self._num_samples / steps)) if steps
                          else 32)
        self._batch_size = batch_size
        self._size = int(math.ceil(self._num_samples / batch_size))
        self._shuffle = shuffle
        self._split = split or (lambda batch: batch)
        self._gatherer = None

    def get_numpy_iterator(self):
        n, size, batch_size = self._num_samples, self._size, self._batch_size
        arrays, split = self._arrays, self._split
        if self._shuffle:
            if self._gatherer is None:
                self._gatherer = data_utils.BatchGatherer(arrays, batch_size)
            gather = self._gatherer.gather
            order = backend.rng().permutation(n)
        for step in range(size):
            start = step * batch_size
            stop = min(start + batch_size, n)
            if self._shuffle:
                batch = gather(order[start:stop])
            else:
                batch = [None if a is None else a[start:stop] for a in arrays]
            yield split(batch)

    @property
    def num_batches(self):
        return self._size

    @property
    def batch_size(self):
        return self._batch_size
