"""`PyDataset` (Keras 3's `keras.utils.PyDataset`) and its adapter.

keraslite reads the batches in the calling thread: `workers`,
`use_multiprocessing` and `max_queue_size` are accepted and stored, as in
Keras, but no threads or processes are started.
"""
import itertools
import random
import warnings

import numpy as np

from keraslite.models import data as data_utils
from keraslite.trainers.data_adapters.data_adapter import DataAdapter


class PyDataset:
    """Base class for a dataset of batches written in Python.

    Every `PyDataset` implements `__getitem__(index)` (the batch at
    `index`, a tuple `(x,)`, `(x, y)` or `(x, y, sample_weight)`) and
    `__len__()` (the number of batches); `on_epoch_begin()` and
    `on_epoch_end()` are called around each epoch.

    Args:
        workers: Number of workers (accepted; keraslite reads batches in
            the calling thread).
        use_multiprocessing: Accepted, as `workers`.
        max_queue_size: Accepted, as `workers`. Defaults to 10.

    Example:

    ```python
    class Batches(keraslite.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, idx):
            low = idx * self.batch_size
            high = min(low + self.batch_size, len(self.x))
            return self.x[low:high], self.y[low:high]
    ```
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        warn = False
        if not hasattr(self, "_workers"):
            self._workers = 1
            warn = True
        if not hasattr(self, "_use_multiprocessing"):
            self._use_multiprocessing = False
            warn = True
        if not hasattr(self, "_max_queue_size"):
            self._max_queue_size = 10
            warn = True
        if warn:
            warnings.warn(
                "Your `PyDataset` class should call "
                "`super().__init__(**kwargs)` in its constructor. "
                "`**kwargs` can include `workers`, "
                "`use_multiprocessing`, `max_queue_size`. Do not pass "
                "these arguments to `fit()`, as they will be ignored.",
                stacklevel=2,
            )

    @property
    def workers(self):
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __iter__(self):
        num_batches = self.num_batches
        index_range = (itertools.count() if num_batches is None
                       else range(num_batches))
        for index in index_range:
            yield self[index]

    @property
    def num_batches(self):
        """Number of batches, or None for an infinite dataset.

        Defaults to `len(self)`; an infinite dataset overrides it to
        return None.
        """
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n"
            "@property\ndef num_batches(self):\n  return ..."
        )

    def on_epoch_begin(self):
        """Method called at the beginning of every epoch."""

    def on_epoch_end(self):
        """Method called at the end of every epoch."""


class PyDatasetAdapter(DataAdapter):
    """Adapter for `PyDataset` instances.

    With `shuffle=True` the batch order of each pass is shuffled with
    Python's `random.shuffle`, as Keras does.
    """

    def __init__(self, x, class_weight=None, shuffle=False):
        self.py_dataset = x
        self.class_weight = class_weight
        self.shuffle = shuffle
        self._within_epoch = False
        # Read as Keras reads it: warns when super().__init__ was not called.
        self.workers = self.py_dataset.workers

    def _standardize_batch(self, batch):
        if isinstance(batch, dict):
            return batch
        if isinstance(batch, np.ndarray):
            batch = (batch,)
        if isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple) or len(batch) not in {1, 2, 3}:
            raise ValueError(
                "PyDataset.__getitem__() must return a tuple or a dict. "
                "If a tuple, it must be ordered either "
                "(input,) or (inputs, targets) or "
                "(inputs, targets, sample_weights). "
                f"Received: {str(batch)[:100]}... of type {type(batch)}"
            )
        if self.class_weight is not None:
            if len(batch) == 3:
                raise ValueError(
                    "You cannot specify `class_weight` "
                    "and `sample_weight` at the same time."
                )
            if len(batch) == 2:
                sw = data_utils.class_weight_to_sample_weight(
                    np.asarray(batch[1]), self.class_weight
                )
                batch = batch + (sw,)
        return batch

    def get_numpy_iterator(self):
        num_batches = self.py_dataset.num_batches
        if num_batches is None:
            indices = itertools.count()
        else:
            indices = range(num_batches)
            if self.shuffle:
                indices = list(indices)
                random.shuffle(indices)
        for i in indices:
            yield self._standardize_batch(self.py_dataset[i])

    def on_epoch_begin(self):
        if self._within_epoch:
            raise ValueError(
                "`on_epoch_begin` was called twice without `on_epoch_end` "
                "having been called."
            )
        self._within_epoch = True
        self.py_dataset.on_epoch_begin()

    def on_epoch_end(self):
        self.py_dataset.on_epoch_end()
        self._within_epoch = False

    @property
    def num_batches(self):
        return self.py_dataset.num_batches
