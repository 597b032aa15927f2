"""Large work arrays reused from one training step to the next.

A layer's forward and backward allocate the same large temporaries at every
step (an LSTM over 500 steps of a batch of 128: ~100 MB of gates, states and
their gradients). Allocated afresh, they cost twice: glibc serves them from
a heap that small long-lived objects pin, so the heap grows (the IMDB LSTM
grew 70 MB a step for its first ~30 steps, to 1.2 GB) and every new page is
a page fault (20-160 ms of system time in such a step of ~150 ms). `take`
hands out an array freed by `give` when one of the same shape and dtype is
waiting, so after the first step the hot loop touches no new memory.

Only arrays that nothing else references may be given back: the layer that
took them gives them back when its backward (or, without one, its forward)
no longer needs them; arrays that leave the layer (outputs, states,
gradients handed to the tape) are never given. At most `MAX_BYTES` wait at
a time (beyond, a given array is simply dropped); `clear()` frees them all.
"""
import threading

import numpy as np

MAX_BYTES = 512 * 2 ** 20

_free = {}  # (shape, dtype) -> arrays waiting to be taken again
_lock = threading.Lock()
_held = [0]  # bytes waiting in _free


def take(shape, dtype):
    """An uninitialized C-ordered array of `shape` and `dtype`: one given
    back earlier if any, else a new one."""
    key = (tuple(shape), np.dtype(dtype))
    with _lock:
        waiting = _free.get(key)
        if waiting:
            array = waiting.pop()
            _held[0] -= array.nbytes
            return array
    return np.empty(key[0], key[1])


def give(*arrays):
    """Hands arrays back for `take` (None entries are skipped). The caller
    must hold no other reference to them, nor to views of them."""
    with _lock:
        for array in arrays:
            if (array is None or array.base is not None
                    or not array.flags.c_contiguous
                    or _held[0] + array.nbytes > MAX_BYTES):
                continue
            waiting = _free.setdefault((array.shape, array.dtype), [])
            if not any(other is array for other in waiting):  # given twice
                waiting.append(array)
                _held[0] += array.nbytes


def held_bytes():
    """How many bytes wait to be taken."""
    return _held[0]


def clear():
    """Frees every waiting array."""
    with _lock:
        _free.clear()
        _held[0] = 0
