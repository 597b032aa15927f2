"""Steps of one epoch over a data adapter (Keras 3's EpochIterator).

Iterating gives `(step, batch)` pairs. With `steps_per_epoch` set, an
epoch stops after that many steps and the next epoch continues the same
pass where it stopped; without it, an epoch is one whole pass, and when
the size of the data is unknown (a generator), the first pass runs until
the data is exhausted and its length is learnt. Data that runs out
before the planned steps ends the epoch with Keras's warning "Your input
ran out of data".
"""
import warnings


class EpochIterator:
    """Yields `(step, batch)` for one epoch of `data_adapter`."""

    def __init__(self, data_adapter, steps_per_epoch=None):
        self.data_adapter = data_adapter
        self.steps_per_epoch = steps_per_epoch
        self._current_iterator = None
        self._epoch_iterator = None
        self._steps_seen = 0
        self._num_batches = data_adapter.num_batches

    def _interrupted_warning(self):
        warnings.warn(
            "Your input ran out of data; interrupting training. "
            "Make sure that your dataset or generator can generate "
            "at least `steps_per_epoch * epochs` batches. "
            "You may need to use the `.repeat()` "
            "function when building your dataset.",
            stacklevel=2,
        )

    def reset(self):
        self._current_iterator = None
        self._num_batches = self.data_adapter.num_batches
        self._steps_seen = 0
        self._epoch_iterator = None
        self.data_adapter.on_epoch_end()

    def _enumerate_iterator(self):
        self.data_adapter.on_epoch_begin()
        steps_per_epoch = self.steps_per_epoch or self._num_batches or -1
        if steps_per_epoch > 0:
            if self._current_iterator is None or self.steps_per_epoch is None:
                self._current_iterator = iter(self.data_adapter.get_numpy_iterator())
                self._steps_seen = 0
            for step in range(steps_per_epoch):
                if self._num_batches and self._steps_seen >= self._num_batches:
                    if self.steps_per_epoch:
                        self._interrupted_warning()
                    break
                self._steps_seen += 1
                yield step, self._current_iterator
            if self._num_batches and self._steps_seen >= self._num_batches:
                self._current_iterator = iter(self.data_adapter.get_numpy_iterator())
                self._steps_seen = 0
        else:
            iterator = iter(self.data_adapter.get_numpy_iterator())
            step = -1
            while True:
                step += 1
                self._steps_seen = step + 1
                yield step, iterator
        self.data_adapter.on_epoch_end()

    def __iter__(self):
        self._epoch_iterator = self._enumerate_iterator()
        return self

    def __next__(self):
        step, iterator = next(self._epoch_iterator)
        try:  # (Keras's catch_stop_iteration, without a context manager per step)
            return step, next(iterator)
        except StopIteration:
            self._data_ran_out()
        raise StopIteration

    def _data_ran_out(self):
        """Ends the epoch (with a warning) when the data runs out."""
        if self._num_batches is None:
            self._num_batches = self._steps_seen
        self._interrupted_warning()
        self._current_iterator = None
        self.data_adapter.on_epoch_end()

    @property
    def num_batches(self):
        """Steps of an epoch: `steps_per_epoch`, the data's, or None."""
        if self.steps_per_epoch:
            return self.steps_per_epoch
        return self._num_batches
