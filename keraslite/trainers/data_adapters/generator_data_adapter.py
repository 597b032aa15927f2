"""Batches from a Python generator (or iterator), as Keras 3's adapter."""
import itertools

from keraslite.trainers.data_adapters import data_adapter_utils
from keraslite.trainers.data_adapters.data_adapter import DataAdapter


class GeneratorDataAdapter(DataAdapter):
    """Adapter for Python generators yielding `(x,)`, `(x, y)` or
    `(x, y, sample_weight)` tuples.

    As in Keras, the first two batches are read ahead (Keras does it to
    learn their shapes) and every new iterator replays them before reading
    on: a finite generator iterated again after it ran out yields those two
    batches only.
    """

    def __init__(self, generator):
        first_batches, generator = peek_and_restore(generator)
        self.generator = generator
        self._first_batches = first_batches
        if not first_batches:
            raise ValueError(
                "When passing a Python generator to a Keras model, "
                "the generator must yield at least one batch. "
                "Received an empty generator."
            )
        if not isinstance(first_batches[0], tuple):
            raise ValueError(
                "When passing a Python generator to a Keras model, "
                "the generator must return a tuple, either "
                "(input,) or (inputs, targets) or "
                "(inputs, targets, sample_weights). "
                f"Received: {first_batches[0]}"
            )

    def get_numpy_iterator(self):
        return self.generator()


def peek_and_restore(generator):
    """The first batches of `generator`, and a function restarting it."""
    batches = list(
        itertools.islice(
            generator, data_adapter_utils.NUM_BATCHES_FOR_TENSOR_SPEC
        )
    )
    return batches, lambda: itertools.chain(batches, generator)
