"""Keras's `keras.preprocessing` aliases: `image`, `sequence`, the dataset functions."""
from keraslite.preprocessing import image, sequence
from keraslite.utils.image_dataset_utils import image_dataset_from_directory
from keraslite.utils.timeseries_dataset_utils import timeseries_dataset_from_array
from keraslite.utils.text_dataset_utils import text_dataset_from_directory
