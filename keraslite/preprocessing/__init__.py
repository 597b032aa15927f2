"""Keras's `keras.preprocessing` aliases: `image` and `image_dataset_from_directory`."""
from keraslite.preprocessing import image
from keraslite.utils.image_dataset_utils import image_dataset_from_directory
