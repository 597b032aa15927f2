"""`keraslite.config`: the global settings, as `keras.config`.

floatx and epsilon (backend.py), the image data format, and no-ops for
Keras's traceback filtering (keraslite's tracebacks are plain Python), and
keraslite's own BLAS thread setting of `fit` (trainers/blas_threads.py).
"""
from keraslite.backend import (backend, epsilon, floatx, image_data_format,
                               set_epsilon, set_floatx, set_image_data_format)
from keraslite.trainers.blas_threads import get_blas_threads, set_blas_threads

_TRACEBACK_FILTERING = [True]


def disable_traceback_filtering():
    """Accepted for Keras compatibility (keraslite does not filter tracebacks)."""
    _TRACEBACK_FILTERING[0] = False


def enable_traceback_filtering():
    """Accepted for Keras compatibility (keraslite does not filter tracebacks)."""
    _TRACEBACK_FILTERING[0] = True


def is_traceback_filtering_enabled():
    """Whether `enable_traceback_filtering` was called last (True by default)."""
    return _TRACEBACK_FILTERING[0]


__all__ = ["backend", "disable_traceback_filtering", "enable_traceback_filtering",
           "epsilon", "floatx", "get_blas_threads", "image_data_format",
           "is_traceback_filtering_enabled", "set_blas_threads", "set_epsilon",
           "set_floatx", "set_image_data_format"]
