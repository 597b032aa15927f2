"""`keraslite.applications.resnet50`: Keras's module of the same name
(`keras.applications.resnet50`), the ResNet50 names of `resnet.py`."""
from keraslite.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
