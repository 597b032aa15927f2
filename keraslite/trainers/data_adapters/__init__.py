"""Data adapters: one per input type of fit/evaluate/predict (Keras 3's).

Arrays are converted and checked once by the trainer and batched by
`ArrayDataAdapter`; Python generators (and other iterators) by
`GeneratorDataAdapter`; `keraslite.utils.PyDataset` by `PyDatasetAdapter`;
the datasets of `keraslite.utils.dataset_ops` (what `.map`, `.cache`, ...
return) by `DatasetAdapter`.
"""
import types
import warnings

from keraslite.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from keraslite.trainers.data_adapters.data_adapter import (
    DataAdapter,
    MappedDataAdapter,
)
from keraslite.trainers.data_adapters.dataset_adapter import DatasetAdapter
from keraslite.trainers.data_adapters.generator_data_adapter import (
    GeneratorDataAdapter,
)
from keraslite.trainers.data_adapters.py_dataset_adapter import (
    PyDataset,
    PyDatasetAdapter,
)
from keraslite.utils.dataset_ops import Dataset


def is_generator(x):
    """True for a Python generator or another one-pass iterator.

    Keras accepts only generators (`types.GeneratorType`); keraslite also
    takes iterators such as `iter(list_of_batches)` or `map(...)`.
    """
    if isinstance(x, types.GeneratorType):
        return True
    return (hasattr(x, "__next__") and hasattr(x, "__iter__")
            and not hasattr(x, "shape") and not isinstance(x, (list, tuple, dict)))


def is_batch_source(x):
    """True when `x` yields whole batches (a PyDataset, a dataset or a
    generator)."""
    return isinstance(x, (PyDataset, Dataset, DataAdapter)) or is_generator(x)


def get_data_adapter(x, y=None, sample_weight=None, shuffle=False,
                     class_weight=None):
    """The adapter for a PyDataset, a dataset or a generator `x`, with
    Keras's checks."""
    if isinstance(x, DataAdapter):
        return x
    if isinstance(x, Dataset):
        # Keras's checks and messages for a tf.data.Dataset, which it stands for.
        check_no_y_or_sample_weight(y, sample_weight, "tf.data.Dataset")
        if shuffle:
            warnings.warn(
                "`shuffle=True` was passed, but will be ignored since the "
                "data `x` was provided as a tf.data.Dataset. The Dataset is "
                "expected to already be shuffled "
                "(via `.shuffle(buffer_size)`).",
                stacklevel=3,
            )
        return DatasetAdapter(x, class_weight=class_weight)
    if isinstance(x, PyDataset):
        check_no_y_or_sample_weight(y, sample_weight, "PyDataset")
        if getattr(x, "num_batches", None) is None and shuffle:
            warnings.warn(
                "`shuffle=True` was passed, but will be ignored since the "
                "data `x` was provided as an infinite PyDataset. The "
                "PyDataset is expected to already be shuffled.",
                stacklevel=3,
            )
        shuffle = shuffle and not getattr(x, "_shuffles_itself", False)
        return PyDatasetAdapter(x, class_weight=class_weight, shuffle=shuffle)
    if is_generator(x):
        check_no_y_or_sample_weight(y, sample_weight, "generator")
        if class_weight is not None:
            raise ValueError(
                "Argument `class_weight` is not supported for Python "
                f"generator inputs. Received: class_weight={class_weight}"
            )
        if shuffle:
            warnings.warn(
                "`shuffle=True` was passed, but will be ignored since the "
                "data `x` was provided as a generator. The generator "
                "is expected to yield already-shuffled data.",
                stacklevel=3,
            )
        return GeneratorDataAdapter(x)
    raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")


def check_no_y_or_sample_weight(y, sample_weight, input_type):
    """Keras's errors when `y` or `sample_weight` come beside batches that
    hold their own."""
    if y is not None:
        raise_unsupported_arg("y", "the targets", input_type)
    if sample_weight is not None:
        raise_unsupported_arg("sample_weights", "the sample weights", input_type)


def raise_unsupported_arg(arg_name, arg_description, input_type):
    raise ValueError(
        f"When providing `x` as a {input_type}, `{arg_name}` "
        f"should not be passed. Instead, {arg_description} should "
        f"be included as part of the {input_type}."
    )
