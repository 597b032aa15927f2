"""`keraslite.config`: the global settings, as `keras.config`.

floatx and epsilon (backend.py), the image data format, and no-ops for
Keras's traceback filtering (keraslite's tracebacks are plain Python).
"""
from keraslite.backend import (backend, epsilon, floatx, image_data_format,
                               set_epsilon, set_floatx, set_image_data_format)

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
           "epsilon", "floatx", "image_data_format", "is_traceback_filtering_enabled",
           "set_epsilon", "set_floatx", "set_image_data_format"]
