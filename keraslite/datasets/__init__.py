"""Datasets with Keras's loaders: `keraslite.datasets.mnist.load_data()`."""
