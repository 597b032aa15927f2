"""`keraslite.ops`: the `keras.ops` functions users write layers with.

Each computes with NumPy and, in training, is recorded on the tape with its
gradient, so a layer written with them needs no backward of its own.
"""
from keraslite.ops.core import *  # noqa: F401,F403
from keraslite.ops.nn import *  # noqa: F401,F403
from keraslite.ops.numpy import *  # noqa: F401,F403
