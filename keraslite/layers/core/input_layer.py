"""InputLayer and `Input`: declare the shape a model takes."""
import numpy as np

from keraslite.layers.layer import Layer
from keraslite.ops.node import KerasTensor, Node
from keraslite.utils.naming import unique_name


class InputLayer(Layer):
    """The entry point of a model: records the input shape.

    Args:
        shape: Shape of one sample, without the batch axis.
        batch_size: Optional fixed batch size.
        dtype: Input dtype: float32 (the default), an integer dtype or
            "bool" (e.g. "int32" ids for an Embedding), or "string".
        batch_shape: Full shape including the batch axis (instead of
            `shape` and `batch_size`).
        name: Layer name (`input_layer` by default).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, optional=False,
                 name=None, ragged=None, **kwargs):
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time."
            )
        if sparse or ragged:
            raise ValueError("keraslite supports dense inputs only.")
        if "input_shape" in kwargs:  # legacy Keras 2 configs
            shape = tuple(kwargs.pop("input_shape"))
        if "batch_input_shape" in kwargs:
            batch_shape = tuple(kwargs.pop("batch_input_shape"))
        # An input of ids (int32 for an Embedding, as Keras's examples
        # declare them), of bools or of strings (for TextVectorization)
        # computes nothing itself: it keeps its declared dtype.
        declared = _declared_dtype(dtype)
        super().__init__(name=name or unique_name("input_layer"),
                         dtype=None if declared else dtype, **kwargs)
        if declared:
            self.dtype = declared
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(batch_shape)
        self.optional = optional
        self.built = True
        Node(self, [], KerasTensor(self.batch_shape, self.dtype, self.name))

    def forward(self, x, training=False, keep=False):
        return x, None

    def get_config(self):
        return {
            "batch_shape": self.batch_shape,
            "dtype": self.dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }


def _declared_dtype(dtype):
    """The name of a non-float input dtype, or None (floats: the layer's
    own float32 check applies)."""
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy config
        dtype = dtype.get("config", {}).get("name")
    if dtype == "string":
        return "string"
    if dtype is None:
        return None
    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        return None
    return np.dtype(dtype).name if kind in "biu" else None


def Input(shape=None, batch_size=None, dtype=None, sparse=None,
          batch_shape=None, name=None, tensor=None, optional=False):
    """Declares a model input; pass it first to `Sequential([...])`.

    Example:
    >>> model = keraslite.Sequential([keraslite.Input((784,)), Dense(10)])
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       sparse=sparse, batch_shape=batch_shape, name=name,
                       input_tensor=tensor, optional=optional)
    layer.output._input_layer = layer
    return layer.output
