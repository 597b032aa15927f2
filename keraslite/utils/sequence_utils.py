"""`pad_sequences`: lists of sequences of different lengths as one array.

Ported from Keras 3's `keras/src/utils/sequence_utils.py` (NumPy there
too), so every argument gives Keras's array and Keras's errors.
"""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre",
                  truncating="pre", value=0.0):
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences (lists of integers) into a 2D
    array `(num_samples, num_timesteps)`, `num_timesteps` being `maxlen` or
    the length of the longest sequence. Shorter sequences are padded with
    `value`, longer ones truncated, at the start (`"pre"`) or the end
    (`"post"`).

    Args:
        sequences: List of sequences (each a list of integers, or of
            equally shaped items).
        maxlen: Optional maximum length of all sequences.
        dtype: Type of the output (`"int32"`); `object` for strings of
            variable length.
        padding: `"pre"` or `"post"`: pad before or after each sequence.
        truncating: `"pre"` or `"post"`: remove values from the beginning or
            the end of sequences longer than `maxlen`.
        value: Float or string, the padding value (0.0).

    Returns:
        NumPy array of shape `(len(sequences), maxlen)`.

    Example:
    >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
    array([[0, 1],
           [2, 3],
           [5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)

    lengths = []
    sample_shape = ()
    flag = True
    # Take the sample shape from the first non-empty sequence; it is
    # checked against every other sequence below.
    for x in sequences:
        try:
            lengths.append(len(x))
            if flag and len(x):
                sample_shape = np.asarray(x).shape[1:]
                flag = False
        except TypeError as e:
            raise ValueError(
                "`sequences` must be a list of iterables. "
                f"Found non-iterable: {str(x)}"
            ) from e

    if maxlen is None:
        maxlen = np.max(lengths)

    is_dtype_str = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: "
            f"{type(value)}\nYou should set `dtype=object` for variable length "
            "strings."
        )

    x = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue  # an empty sequence stays all padding
        if truncating == "pre":
            trunc = s[-maxlen:]
        elif truncating == "post":
            trunc = s[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')

        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at "
                f"position {idx} is different from expected shape "
                f"{sample_shape}"
            )

        if padding == "post":
            x[idx, : len(trunc)] = trunc
        elif padding == "pre":
            x[idx, -len(trunc):] = trunc
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return x
