"""Keras's `keras.preprocessing.sequence`: `pad_sequences`."""
from keraslite.utils.sequence_utils import pad_sequences
