"""`keraslite.ops`: the `keras.ops` functions users write layers with.

Each computes with NumPy and, in training, is recorded on the tape with its
gradient, so a layer written with them needs no backward of its own.
"""
from keraslite.ops.core import *  # noqa: F401,F403
from keraslite.ops.nn import *  # noqa: F401,F403
from keraslite.ops.numpy import *  # noqa: F401,F403

from keraslite.ops import core as _core, nn as _nn, numpy as _numpy  # noqa: E402
from keraslite.ops.graph import symbolic as _symbolic  # noqa: E402

# Every op also accepts KerasTensors (building a functional model), except
# those that read a KerasTensor's static facts.
for _module in (_core, _nn, _numpy):
    for _name in _module.__all__:
        if _name not in ("shape", "convert_to_tensor"):
            globals()[_name] = _symbolic(getattr(_module, _name))
