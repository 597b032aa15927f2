"""Checks of layer arguments, with Keras 3's error messages
(`keras/src/utils/argument_validation.py`, `keras/src/backend/config.py`)."""
import numpy as np

from keraslite import backend


def standardize_tuple(value, n, name, allow_zero=False):
    """`value` (an int or `n` ints) as a tuple of `n` ints.

    Raises ValueError (Keras's message) for a wrong length, a non-integer
    or a value that is not positive (`allow_zero`: negative). Unlike Keras,
    floats and bools inside a tuple are refused too.
    """
    error_msg = (f"The `{name}` argument must be a tuple of {n} integers. "
                 f"Received {name}={value}")
    if _is_int(value):
        value_tuple = (int(value),) * n
    else:
        try:
            value_tuple = tuple(value)
        except TypeError:
            raise ValueError(error_msg) from None
        if isinstance(value, str) or len(value_tuple) != n:
            raise ValueError(error_msg)
        for single_value in value_tuple:
            if not _is_int(single_value):
                raise ValueError(error_msg + f"including element {single_value} "
                                 f"of type {type(single_value)}")
        value_tuple = tuple(int(v) for v in value_tuple)
    if allow_zero:
        bad, req = {v for v in value_tuple if v < 0}, ">= 0"
    else:
        bad, req = {v for v in value_tuple if v <= 0}, "> 0"
    if bad:
        raise ValueError(error_msg + f", including values {bad} that do not "
                         f"satisfy `value {req}`")
    return value_tuple


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def standardize_data_format(data_format):
    """"channels_last" or "channels_first" (`image_data_format()` for None)."""
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


def standardize_padding(padding):
    """"valid" or "same" (any case), else Keras's ValueError."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError("Argument `padding` must be either 'valid' or 'same'. "
                         f"Received: padding={padding}")
    return padding.lower()
