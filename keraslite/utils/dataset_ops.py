"""tf.data's transformations on keraslite's datasets, in NumPy.

Keras's `*_dataset_from_directory` and `timeseries_dataset_from_array`
return `tf.data.Dataset`s, and the book and Keras's examples chain tf.data
methods on them (`train_ds.map(lambda x, y: x)`, `.cache()`, `.prefetch()`,
`.take(1)`, `.unbatch()`, ...). `DatasetOps` gives keraslite's datasets
those methods, with tf.data's semantics:

- an element is what one step of iteration yields: an array, a tuple or a
  dict of arrays (a batch, or one sample after `unbatch`);
- every pass (each `iter()`, each epoch of `fit`) runs the whole chain
  again from the source, so a shuffling source or `shuffle()` gives a new
  order each pass, while `cache()` computes each element once, on its
  first complete pass, and replays the stored elements afterwards;
- `map_func` and `predicate` receive a tuple element unpacked as
  arguments (`lambda x, y: ...`) and any other element as one argument; a
  list returned by `map_func` becomes a tuple, as in tf.data;
- `take`/`skip`/`batch` count elements (batches, for batched datasets);
  `len()` is known where tf.data knows it, else raises tf.data's
  `TypeError` ("The dataset length is unknown." / "The dataset is
  infinite.");
- `prefetch` and `num_parallel_calls` accept tf.data's values
  (`tf.data.AUTOTUNE` is -1, or a positive count) and change nothing:
  keraslite computes elements in the calling thread, in order.

Elements are NumPy values, as `as_numpy_iterator()` gives them in
tf.data: text is a `bytes` object (an object array of `bytes` when
batched). The order of `shuffle()` is NumPy's, not TensorFlow's (the same
buffer algorithm, another random stream).
"""
import itertools

import numpy as np

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


def _check_count(value, arg_name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"Expected an integer `{arg_name}`. Received: "
            f"{arg_name}={value!r} (of type {type(value).__name__})"
        )


def _check_parallel_calls(num_parallel_calls):
    if num_parallel_calls is None:
        return
    _check_count(num_parallel_calls, "num_parallel_calls")
    if num_parallel_calls != AUTOTUNE and num_parallel_calls <= 0:
        raise ValueError("num_parallel_calls must be greater than zero.")


def _apply(fn, element):
    """`fn(*element)` for a tuple element, else `fn(element)` (tf.data's)."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


def _to_element(value):
    """A map function's result as a tf.data element of NumPy values."""
    if isinstance(value, (tuple, list)):
        return tuple(_to_element(v) for v in value)
    if isinstance(value, dict):
        return {k: _to_element(v) for k, v in value.items()}
    if isinstance(value, str):
        return value.encode("utf-8")  # a tf.string holds bytes
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int32(value)
    if isinstance(value, float):
        return np.float32(value)
    return value


def _stack(items, component=0):
    """One batch of `items` (elements of one structure), as `batch()`."""
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_stack([item[k] for item in items], component + k)
                     for k in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([item[key] for item in items], component + k)
                for k, key in enumerate(first)}
    shapes = [np.shape(item) for item in items]
    for k, shape in enumerate(shapes[1:], start=1):
        if shape != shapes[0]:
            raise ValueError(
                "Cannot batch tensors with different shapes in component "
                f"{component}. First element had shape {list(shapes[0])} "
                f"and element {k} had shape {list(shape)}."
            )
    if isinstance(first, bytes) or getattr(first, "dtype", None) == object:
        out = np.empty((len(items),) + shapes[0], dtype=object)  # text stays bytes
        for k, item in enumerate(items):
            out[k] = item
        return out
    return np.stack([np.asarray(item) for item in items])


def _split(element):
    """The samples of a batched element, as `unbatch()` yields them."""
    parts = (list(element) if isinstance(element, tuple)
             else list(element.values()) if isinstance(element, dict) else [element])
    sizes = []
    for part in parts:
        if np.ndim(part) == 0:
            raise ValueError("Cannot unbatch an input with scalar components.")
        sizes.append(len(part))
    for k, size in enumerate(sizes):
        if size != sizes[0]:
            raise ValueError(
                "Input element must have the same batch size in each "
                f"component. Component 0 received batch size of {sizes[0]} "
                f"and component {k} received batch size of {size}."
            )
    for i in range(sizes[0]):
        if isinstance(element, tuple):
            yield tuple(part[i] for part in element)
        elif isinstance(element, dict):
            yield {key: part[i] for key, part in element.items()}
        else:
            yield element[i]


class DatasetOps:
    """tf.data's transformations, for a class whose `__iter__` yields the
    elements of one pass and whose `_cardinality()` is their number
    (`INFINITE_CARDINALITY` or `UNKNOWN_CARDINALITY` when not known)."""

    def _cardinality(self):
        return len(self)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element.

        Args:
            map_func: A function of an element (of its parts, for a tuple).
            num_parallel_calls: None, `AUTOTUNE` (-1) or a positive count;
                accepted, the elements are computed in order.
            deterministic: Accepted (the order is always the input's).

        Example:
        >>> text_only_train_ds = train_ds.map(lambda x, y: x)
        """
        _check_parallel_calls(num_parallel_calls)

        def elements():
            for element in self:
                yield _to_element(_apply(map_func, element))

        return Dataset(elements, self._cardinality())

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` returns True."""

        def elements():
            for element in self:
                keep = _apply(predicate, element)
                if np.ndim(keep) != 0 or np.asarray(keep).dtype != bool:
                    raise ValueError(
                        "Invalid `predicate`. `predicate` must return a "
                        "boolean scalar, but it returned a value of shape "
                        f"{np.shape(keep)} and dtype {np.asarray(keep).dtype}."
                    )
                if keep:
                    yield element

        return Dataset(elements, UNKNOWN_CARDINALITY)

    def cache(self, filename="", name=None):
        """Keeps the elements in memory after the first complete pass.

        Args:
            filename: Only `""` (memory): keraslite has no file cache.
        """
        if filename:
            raise ValueError(
                "keraslite caches datasets in memory only; call `cache()` "
                f"without a filename. Received: filename={filename!r}"
            )
        return CachedDataset(self)

    def prefetch(self, buffer_size, name=None):
        """Accepts tf.data's `buffer_size` (`AUTOTUNE` or >= 0); keraslite
        computes each element when it is read, so this changes nothing."""
        _check_count(buffer_size, "buffer_size")
        if buffer_size < AUTOTUNE:
            raise ValueError(
                "buffer_size must be >= 0 or set buffer_size to be -1 for "
                "auto-tuning"
            )
        return Dataset(self.__iter__, self._cardinality())

    def take(self, count, name=None):
        """The first `count` elements (all of them when `count` is -1)."""
        _check_count(count, "count")
        count = int(count)
        n = self._cardinality()
        if count < 0:
            size = n
        elif n == INFINITE_CARDINALITY:
            size = count
        else:
            size = UNKNOWN_CARDINALITY if n == UNKNOWN_CARDINALITY else min(n, count)
        return Dataset(lambda: itertools.islice(self, None if count < 0 else count),
                       size)

    def skip(self, count, name=None):
        """All but the first `count` elements (none when `count` is -1)."""
        _check_count(count, "count")
        count = int(count)
        n = self._cardinality()
        if n < 0:
            size = n
        else:
            size = 0 if count < 0 else max(n - count, 0)

        def elements():
            if count < 0:
                for _ in self:  # tf.data reads the skipped elements too
                    pass
                return
            yield from itertools.islice(self, count, None)

        return Dataset(elements, size)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements into one.

        Args:
            batch_size: Elements per batch (the last batch may be smaller).
            drop_remainder: Drop a last, smaller batch.
            num_parallel_calls: As in `map`.
        """
        _check_count(batch_size, "batch_size")
        if batch_size <= 0:
            raise ValueError("Batch size must be greater than zero.")
        _check_parallel_calls(num_parallel_calls)
        n = self._cardinality()
        if n < 0:
            size = n
        else:
            size = n // batch_size if drop_remainder else -(-n // batch_size)

        def elements():
            iterator = iter(self)
            while True:
                items = list(itertools.islice(iterator, batch_size))
                if not items or drop_remainder and len(items) < batch_size:
                    return
                yield _stack(items)

        return Dataset(elements, size)

    def unbatch(self, name=None):
        """Splits each element into its samples (along the first axis)."""

        def elements():
            for element in self:
                yield from _split(element)

        return Dataset(elements, UNKNOWN_CARDINALITY)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles the elements through a buffer of `buffer_size`, as tf.data.

        The buffer is filled with the first `buffer_size` elements; each
        element read then replaces one, drawn at random, which is yielded.

        Args:
            buffer_size: Elements in the buffer (> 0; `UNKNOWN_CARDINALITY`,
                -2: the whole dataset).
            seed: Seed of the shuffle (else drawn from keraslite's RNG, so
                `keraslite.utils.set_random_seed` makes it reproducible).
            reshuffle_each_iteration: A new order on each pass; with False
                every pass has the order of the first.
        """
        from keraslite import backend

        _check_count(buffer_size, "buffer_size")
        if buffer_size <= 0 and buffer_size != UNKNOWN_CARDINALITY:
            raise ValueError(
                "buffer_size must be greater than zero or UNKNOWN_CARDINALITY"
            )
        if seed is None:
            seed = int(backend.rng().integers(2**31))
        limit = None if buffer_size == UNKNOWN_CARDINALITY else int(buffer_size)
        shared_rng = np.random.default_rng(seed)

        def elements():
            rng = shared_rng if reshuffle_each_iteration else np.random.default_rng(seed)
            buffer = []
            for element in self:
                if limit is None or len(buffer) < limit:
                    buffer.append(element)
                    continue
                i = rng.integers(len(buffer))
                yield buffer[i]
                buffer[i] = element
            while buffer:
                i = rng.integers(len(buffer))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()

        return Dataset(elements, self._cardinality())

    def repeat(self, count=None, name=None):
        """The elements `count` times (forever when `count` is None or -1)."""
        if count is not None:
            _check_count(count, "count")
        forever = count is None or count < 0
        n = self._cardinality()
        if n == 0 or count == 0:
            size = 0
        elif forever or n == INFINITE_CARDINALITY:
            size = INFINITE_CARDINALITY
        else:
            size = n * count if n > 0 else n

        def elements():
            passes = itertools.count() if forever else range(count)
            for _ in passes:
                empty = True
                for element in self:
                    empty = False
                    yield element
                if empty:  # an empty dataset repeated is empty, as in tf.data
                    return

        return Dataset(elements, size)

    def as_numpy_iterator(self):
        """An iterator over the elements, as NumPy values."""
        return iter(self)


class Dataset(DatasetOps):
    """A dataset made by a transformation: each `iter()` calls `elements()`
    for a new pass; `cardinality` is its number of elements, or
    `INFINITE_CARDINALITY` / `UNKNOWN_CARDINALITY`."""

    def __init__(self, elements, cardinality):
        self._elements = elements
        self._size = cardinality

    def _cardinality(self):
        return self._size

    def __iter__(self):
        return iter(self._elements())

    def __len__(self):
        if self._size == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._size < 0:
            raise TypeError("The dataset length is unknown.")
        return self._size

    def __bool__(self):  # tf.data datasets are truthy, even when empty
        return True

    def __repr__(self):
        return f"<{type(self).__name__} cardinality={self._size}>"


class CachedDataset(Dataset):
    """`source`'s elements, computed on the first complete pass and then
    replayed (a pass is complete at its end, or at its last element when
    its length is known). A pass broken off (e.g. `take(1)`, or a `for` loop's `break`)
    stores nothing, as tf.data discards a partial cache."""

    def __init__(self, source):
        super().__init__(self._read, source._cardinality())
        self._source = source
        self._cache = None

    def _read(self):
        if self._cache is not None:
            yield from self._cache
            return
        elements = []
        size = self._source._cardinality()
        for element in self._source:
            elements.append(element)
            if len(elements) == size:
                # Complete before the last element is yielded: `fit` stops
                # reading after `len()` batches, without asking for more.
                self._cache = elements
            yield element
        self._cache = elements
