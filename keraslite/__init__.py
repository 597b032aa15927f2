"""keraslite: the Keras API on NumPy.

Swap `keras` for `keraslite` in the imports of a Keras script; the models,
their numbers and their files are the same.
"""
from keraslite import activations
from keraslite import applications
from keraslite import backend
from keraslite import callbacks
from keraslite import config
from keraslite import constraints
from keraslite import datasets
from keraslite import initializers
from keraslite import layers
from keraslite import losses
from keraslite import metrics
from keraslite import models
from keraslite import ops
from keraslite import optimizers
from keraslite import preprocessing
from keraslite import regularizers
from keraslite import saving
from keraslite import utils
from keraslite.layers import Input
from keraslite.layers.layer import Variable
from keraslite.models import Model, Sequential

__version__ = "0.1.0"
