"""Datasets with Keras's loaders: `keraslite.datasets.mnist.load_data()`.

Files are cached in `$KERASLITE_HOME/datasets` (default
`~/.keraslite/datasets`); copies already in the Keras cache
(`$KERAS_HOME/datasets`, default `~/.keras/datasets`) are reused.
"""
from keraslite.datasets import boston_housing
from keraslite.datasets import cifar10
from keraslite.datasets import cifar100
from keraslite.datasets import fashion_mnist
from keraslite.datasets import imdb
from keraslite.datasets import mnist
from keraslite.datasets import reuters
