"""Helpers shared by the data adapters (as Keras 3's data_adapter_utils)."""

# Generators are peeked for this many batches, as Keras does to find the
# tensor spec; the peeked batches are replayed first by every new iterator.
NUM_BATCHES_FOR_TENSOR_SPEC = 2


def unpack_x_y_sample_weight(data):
    """Unpacks `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    Returns:
        The tuple `(x, y, sample_weight)`, with None for what is missing.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    elif len(data) == 1:
        return (data[0], None, None)
    elif len(data) == 2:
        return (data[0], data[1], None)
    elif len(data) == 3:
        return (data[0], data[1], data[2])
    error_msg = (
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, "
        f"or `(x, y, sample_weight)`, found: {data}"
    )
    raise ValueError(error_msg)
