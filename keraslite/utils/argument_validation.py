"""Argument checks shared by the layers, with Keras's messages
(keras/src/utils/argument_validation.py, keras/src/backend/config.py)."""
from keraslite import backend


def standardize_tuple(value, n, name, allow_zero=False):
    """An int or iterable of ints as a tuple of `n` non-negative (or, without
    `allow_zero`, positive) ints; raises ValueError as Keras does."""
    error_msg = (
        f"The `{name}` argument must be a tuple of {n} integers. "
        f"Received {name}={value}"
    )
    if isinstance(value, int):
        value_tuple = (value,) * n
    else:
        try:
            value_tuple = tuple(value)
        except TypeError:
            raise ValueError(error_msg) from None
        if len(value_tuple) != n:
            raise ValueError(error_msg)
        for single_value in value_tuple:
            try:
                int(single_value)
            except (ValueError, TypeError):
                raise ValueError(
                    error_msg + f"including element {single_value} of "
                    f"type {type(single_value)}"
                ) from None
    if allow_zero:
        bad, req = {v for v in value_tuple if v < 0}, ">= 0"
    else:
        bad, req = {v for v in value_tuple if v <= 0}, "> 0"
    if bad:
        raise ValueError(
            error_msg + f", including values {bad} that do not satisfy "
            f"`value {req}`"
        )
    return value_tuple


def standardize_data_format(data_format):
    """`data_format` lower-cased and checked; None means
    `keraslite.config.image_data_format()`."""
    if data_format is None:
        return backend.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "The `data_format` argument must be one of "
            "{'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    return data_format
