"""Utilities of the ImageNet applications: `preprocess_input`,
`decode_predictions`, input-shape and activation checks.

Ported from Keras 3 (`keras/src/applications/imagenet_utils.py`, Apache
License 2.0): same modes, constants, URLs, hashes and error messages.
"""
import json
import os
import warnings

import numpy as np

from keraslite import activations
from keraslite import backend
from keraslite import ops
from keraslite.ops.node import KerasTensor, get_source_inputs
from keraslite.utils import file_utils

CLASS_INDEX = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/"
    "data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

PREPROCESS_INPUT_DOC = """
  Preprocesses a NumPy array (or a symbolic tensor) encoding a batch of images.

  Args:
      x: A floating point `numpy.array` or a tensor, 3D or 4D with 3 color
          channels, with values in the range [0, 255]. A float NumPy array
          is preprocessed in place, as in Keras (pass `numpy.copy(x)` to
          keep it).
      data_format: Optional data format of the image tensor/array. None
          means `keraslite.backend.image_data_format()`.{mode}

  Returns:
      Preprocessed array (`float32` for integer input).
      {ret}

  Raises:
      {error}
  """

PREPROCESS_INPUT_MODE_DOC = """
      mode: One of "caffe", "tf" or "torch".
          - caffe: will convert the images from RGB to BGR, then will
              zero-center each color channel with respect to the ImageNet
              dataset, without scaling.
          - tf: will scale pixels between -1 and 1, sample-wise.
          - torch: will scale pixels between 0 and 1 and then will
              normalize each channel with respect to the ImageNet dataset.
          Defaults to `"caffe"`."""

PREPROCESS_INPUT_DEFAULT_ERROR_DOC = """
      ValueError: In case of unknown `mode` or `data_format` argument."""

PREPROCESS_INPUT_ERROR_DOC = """
      ValueError: In case of unknown `data_format` argument."""

PREPROCESS_INPUT_RET_DOC_TF = """
      The inputs pixel values are scaled between -1 and 1, sample-wise."""

PREPROCESS_INPUT_RET_DOC_TORCH = """
      The input pixels values are scaled between 0 and 1 and each channel is
      normalized with respect to the ImageNet dataset."""

PREPROCESS_INPUT_RET_DOC_CAFFE = """
      The images are converted from RGB to BGR, then each color channel is
      zero-centered with respect to the ImageNet dataset, without scaling."""

_MEANS = {"caffe": [103.939, 116.779, 123.68], "torch": [0.485, 0.456, 0.406]}
_STDS = {"torch": [0.229, 0.224, 0.225]}


def preprocess_input(x, data_format=None, mode="caffe"):
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(
            "Expected mode to be one of `caffe`, `tf` or `torch`. "
            f"Received: mode={mode}"
        )
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "Expected data_format to be one of `channels_first` or "
            f"`channels_last`. Received: data_format={data_format}"
        )
    if isinstance(x, np.ndarray):
        return _preprocess_numpy_input(x, data_format=data_format, mode=mode)
    return _preprocess_tensor_input(x, data_format=data_format, mode=mode)


preprocess_input.__doc__ = PREPROCESS_INPUT_DOC.format(
    mode=PREPROCESS_INPUT_MODE_DOC, ret="", error=PREPROCESS_INPUT_DEFAULT_ERROR_DOC)


_RET_DOCS = {"caffe": PREPROCESS_INPUT_RET_DOC_CAFFE, "tf": PREPROCESS_INPUT_RET_DOC_TF,
             "torch": PREPROCESS_INPUT_RET_DOC_TORCH}


def _preprocess_input_for(mode):
    """An application's `preprocess_input(x, data_format=None)` in `mode`."""
    def application_preprocess_input(x, data_format=None):
        return preprocess_input(x, data_format=data_format, mode=mode)

    application_preprocess_input.__name__ = "preprocess_input"
    application_preprocess_input.__qualname__ = "preprocess_input"
    application_preprocess_input.__doc__ = PREPROCESS_INPUT_DOC.format(
        mode="", ret=_RET_DOCS[mode], error=PREPROCESS_INPUT_ERROR_DOC)
    return application_preprocess_input


def decode_predictions(preds, top=5):
    """Decodes the prediction of an ImageNet model.

    The class index `imagenet_class_index.json` is fetched once with
    `keraslite.utils.get_file` (cached in `models/`).

    Args:
        preds: NumPy array encoding a batch of predictions.
        top: Integer, how many top-guesses to return. Defaults to `5`.

    Returns:
        A list of lists of top class prediction tuples
        `(class_name, class_description, score)`.
        One list of tuples per sample in batch input.

    Raises:
        ValueError: In case of invalid shape of the `pred` array
            (must be 2D).
    """
    global CLASS_INDEX

    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects "
            "a batch of predictions "
            "(i.e. a 2D array of shape (samples, 1000)). "
            f"Received array with shape: {preds.shape}"
        )
    if CLASS_INDEX is None:
        fpath = file_utils.get_file(
            "imagenet_class_index.json",
            CLASS_INDEX_PATH,
            cache_subdir="models",
            file_hash=CLASS_INDEX_HASH,
        )
        with open(fpath) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in np.asarray(preds):
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda x: x[2], reverse=True)
        results.append(result)
    return results


def _channel_slices(ndim, data_format):
    """Index tuples of the three colour channels of an array of rank `ndim`."""
    if data_format == "channels_first":
        lead = (slice(None),) * (ndim - 3)  # the batch axis of a 4D array
        return [lead + (c,) for c in range(3)]
    return [(Ellipsis, c) for c in range(3)]


def _preprocess_numpy_input(x, data_format, mode):
    """Keras's NumPy path: in place for float arrays (the BGR flip is a view)."""
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
    elif data_format == "channels_first":
        # 'RGB'->'BGR'
        x = x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]
    else:
        x = x[..., ::-1]
    # Zero-center by mean pixel (and divide by std in torch mode).
    mean, std = _MEANS[mode], _STDS.get(mode)
    channels = _channel_slices(x.ndim, data_format)
    for c, index in enumerate(channels):
        x[index] -= mean[c]
    if std is not None:
        for c, index in enumerate(channels):
            x[index] /= std[c]
    return x


def _preprocess_tensor_input(x, data_format, mode):
    """Keras's tensor path, written in `keraslite.ops` (works on KerasTensors)."""
    ndim = len(x.shape)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
    elif data_format == "channels_first":
        # 'RGB'->'BGR'
        if ndim == 3:
            x = ops.stack([x[i, ...] for i in (2, 1, 0)], axis=0)
        else:
            x = ops.stack([x[:, i, :] for i in (2, 1, 0)], axis=1)
    else:
        x = ops.stack([x[..., i] for i in (2, 1, 0)], axis=-1)
    mean, std = _MEANS[mode], _STDS.get(mode)
    mean_tensor = ops.convert_to_tensor(-np.array(mean), dtype=x.dtype)
    if data_format == "channels_first":
        if ndim == 3:
            mean_tensor = ops.reshape(mean_tensor, (3, 1, 1))
        else:
            mean_tensor = ops.reshape(mean_tensor, (1, 3) + (1,) * (ndim - 2))
    else:
        mean_tensor = ops.reshape(mean_tensor, (1,) * (ndim - 1) + (3,))
    x += mean_tensor
    if std is not None:
        std_tensor = ops.convert_to_tensor(np.array(std), dtype=x.dtype)
        if data_format == "channels_first":
            std_tensor = ops.reshape(std_tensor, (-1, 1, 1))
        x /= std_tensor
    return x


def obtain_input_shape(input_shape, default_size, min_size, data_format,
                       require_flatten, weights=None):
    """Computes or validates a model's input shape (as Keras's helper).

    Args:
        input_shape: None (the default shape) or a shape to validate.
        default_size: Default input width/height of the model.
        min_size: Minimum input width/height the model accepts.
        data_format: Image data format to use.
        require_flatten: Whether the model ends in a classifier that needs a
            static input shape.
        weights: None, "imagenet" (3 channels required) or a file path.

    Returns:
        An integer shape tuple (may include None entries).

    Raises:
        ValueError: In case of invalid argument values.
    """
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        if data_format == "channels_first":
            if input_shape[0] not in {1, 3}:
                warnings.warn(
                    "This model usually expects 1 or 3 input channels. "
                    "However, it was passed an input_shape "
                    f"with {input_shape[0]} input channels.",
                    stacklevel=2,
                )
            default_shape = (input_shape[0], default_size, default_size)
        else:
            if input_shape[-1] not in {1, 3}:
                warnings.warn(
                    "This model usually expects 1 or 3 input channels. "
                    "However, it was passed an input_shape "
                    f"with {input_shape[-1]} input channels.",
                    stacklevel=2,
                )
            default_shape = (default_size, default_size, input_shape[-1])
    elif data_format == "channels_first":
        default_shape = (3, default_size, default_size)
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(
                "When setting `include_top=True` "
                "and loading `imagenet` weights, "
                f"`input_shape` should be {default_shape}.  "
                f"Received: input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels_first = data_format == "channels_first"
        channels = input_shape[0] if channels_first else input_shape[-1]
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError(
                "The input must have 3 channels; Received "
                f"`input_shape={input_shape}`"
            )
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(
                f"Input size must be at least {min_size}"
                f"x{min_size}; Received: "
                f"input_shape={input_shape}"
            )
    elif require_flatten:
        input_shape = default_shape
    elif data_format == "channels_first":
        input_shape = (3, None, None)
    else:
        input_shape = (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(
            "If `include_top` is True, "
            "you should specify a static `input_shape`. "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def correct_pad(inputs, kernel_size):
    """Zero-padding `((top, bottom), (left, right))` for a 2D convolution
    with downsampling of `inputs` (a tensor), as Keras's helper."""
    img_dim = 2 if backend.image_data_format() == "channels_first" else 1
    input_size = inputs.shape[img_dim:(img_dim + 2)]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if input_size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]),
            (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Raises ValueError if pretrained `weights` are combined with a
    classifier activation other than None or "softmax"."""
    if weights is None:
        return
    classifier_activation = activations.get(classifier_activation)
    if classifier_activation not in {activations.get("softmax"),
                                     activations.get(None)}:
        raise ValueError(
            "Only `None` and `softmax` activations are allowed "
            "for the `classifier_activation` argument when using "
            "pretrained weights, with `include_top=True`; Received: "
            f"classifier_activation={classifier_activation}"
        )


_APPLICATION_DOC = """Instantiates the {title} architecture.

    The default input size is {size}x{size}; call
    `keraslite.applications.{module}.preprocess_input` on the inputs
    ({preprocessing}).

    Args:
        include_top: whether to include the fully-connected layer(s) at the
            top of the network.
        weights: one of `None` (random initialization), `"imagenet"`
            (pre-training on ImageNet, fetched with `get_file` into the
            `models/` cache) or the path to a weights file to load.
        input_tensor: optional tensor (output of `layers.Input()`) to use
            as image input for the model.
        input_shape: optional shape tuple, only to be specified if
            `include_top` is `False` (otherwise it has to be
            `({size}, {size}, 3)`, or `(3, {size}, {size})` with
            "channels_first"). Width and height should be no smaller
            than {min_size}.
        pooling: feature extraction pooling when `include_top` is `False`:
            `None` (the 4D output of the last block), `"avg"` or `"max"`.
        classes: number of classes, only if `include_top` is `True` and no
            `weights` are given.
        classifier_activation: activation of the "top" layer (`None` for
            logits); only `None` or `"softmax"` with pretrained weights.
        name: The name of the model (string).{extra}

    Returns:
        A `Model` instance.
    """

_CAFFE_DOC = '"caffe" mode: RGB to BGR, each channel zero-centered, no scaling'
_TF_DOC = "pixels scaled to [-1, 1]"


def _application_doc(title, module, size, min_size, preprocessing, extra=""):
    return _APPLICATION_DOC.format(title=title, module=module, size=size,
                                   min_size=min_size, preprocessing=preprocessing,
                                   extra=extra)


# --- shared steps of the application builders (inline in each Keras file) ---------
# Keras's messages for a bad `weights` and for imagenet weights with
# `classes != 1000` (VGG and ResNet share theirs).
WEIGHTS_ERROR = (
    "The `weights` argument should be either "
    "`None` (random initialization), 'imagenet' "
    "(pre-training on ImageNet), "
    "or the path to the weights file to be loaded.  Received: "
    "weights={weights}"
)
CLASSES_ERROR = (
    "If using `weights='imagenet'` with `include_top=True`, "
    "`classes` should be 1000.  "
    "Received classes={classes}"
)


def _check_weights(weights, include_top, classes, weights_error=WEIGHTS_ERROR,
                   classes_error=CLASSES_ERROR):
    """Raises Keras's ValueError unless `weights` is None, "imagenet" or an
    existing file, and for imagenet weights with a top of `classes != 1000`."""
    if not (weights is None or weights == "imagenet" or _file_exists(weights)):
        raise ValueError(weights_error.format(weights=weights))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(classes_error.format(classes=classes))


def _file_exists(path):
    path = file_utils.path_to_string(path)
    return isinstance(path, str) and os.path.exists(path)


def _input_shape(input_shape, default_size, min_size, include_top, weights):
    """`obtain_input_shape` in the current image data format."""
    return obtain_input_shape(input_shape, default_size=default_size,
                              min_size=min_size,
                              data_format=backend.image_data_format(),
                              require_flatten=include_top, weights=weights)


def _image_input(input_tensor, input_shape):
    """The model's image input: a new `Input`, or `input_tensor`."""
    from keraslite.layers import Input

    if input_tensor is None:
        return Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError(
            "Argument `input_tensor` must be a KerasTensor. "
            f"Received invalid type: input_tensor={input_tensor} "
            f"(of type {type(input_tensor)})"
        )
    return input_tensor


def _pooling_head(x, pooling, names=(None, None)):
    """GlobalAveragePooling2D for "avg", GlobalMaxPooling2D for "max"."""
    from keraslite import layers

    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=names[1])(x)
    return x


def _functional(input_tensor, img_input, outputs, name):
    """The model, its inputs being the sources of `input_tensor` if given."""
    from keraslite.models.functional import Functional

    inputs = img_input if input_tensor is None else get_source_inputs(input_tensor)
    return Functional(inputs, outputs, name=name)


def _load_weights(model, weights, fname=None, origin=None, file_hash=None):
    """ImageNet weights through `get_file` (cache_subdir "models"), or a file."""
    if weights == "imagenet":
        weights = file_utils.get_file(fname, origin, cache_subdir="models",
                                      file_hash=file_hash)
    if weights is not None:
        model.load_weights(weights)
    return model
