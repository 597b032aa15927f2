"""Keras's pretrained image models: `keraslite.applications.ResNet50(...)`.

VGG16, VGG19, ResNet50/101/152, MobileNetV2 and InceptionV3, laid out as
`keras.applications` (`vgg16.preprocess_input`, `resnet.decode_predictions`,
...). `weights="imagenet"` fetches Keras's published weight files into
`$KERASLITE_HOME/models` (copies in `$KERAS_HOME/models` are reused).
"""
from keraslite.applications import imagenet_utils
from keraslite.applications import inception_v3
from keraslite.applications import mobilenet_v2
from keraslite.applications import resnet
from keraslite.applications import resnet50
from keraslite.applications import vgg16
from keraslite.applications import vgg19
from keraslite.applications.inception_v3 import InceptionV3
from keraslite.applications.mobilenet_v2 import MobileNetV2
from keraslite.applications.resnet import ResNet50, ResNet101, ResNet152
from keraslite.applications.vgg16 import VGG16
from keraslite.applications.vgg19 import VGG19
