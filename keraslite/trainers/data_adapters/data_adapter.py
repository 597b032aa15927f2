"""The interface every input type of fit/evaluate/predict is adapted to."""


class DataAdapter:
    """Turns one kind of user data into an iterator of batches (Keras 3's).

    `get_numpy_iterator()` returns a fresh iterator over the batches of one
    pass; `num_batches` is their number, or None when it is unknown until
    the data runs out (generators, infinite datasets).
    """

    @property
    def num_batches(self):
        """Number of batches of one pass, or None if unknown."""
        return None

    @property
    def batch_size(self):
        """Samples per batch, or None if the data decides."""
        return None

    def on_epoch_begin(self):
        """A hook called before each epoch."""

    def on_epoch_end(self):
        """A hook called after each epoch."""


class MappedDataAdapter(DataAdapter):
    """Another adapter's batches, each passed through `fn`."""

    def __init__(self, adapter, fn):
        self.adapter = adapter
        self.fn = fn

    def get_numpy_iterator(self):
        return map(self.fn, self.adapter.get_numpy_iterator())

    @property
    def num_batches(self):
        return self.adapter.num_batches

    def on_epoch_begin(self):
        self.adapter.on_epoch_begin()

    def on_epoch_end(self):
        self.adapter.on_epoch_end()
