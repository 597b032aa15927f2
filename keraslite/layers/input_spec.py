"""Input checks of built-in layers, with Keras 3's messages
(`keras/src/layers/input_spec.py`)."""


def check_ndim(layer, shape, ndim):
    """Raises Keras's ValueError unless `shape` has rank `ndim`."""
    if not isinstance(shape, tuple):
        raise ValueError(f"Layer '{layer.name}' expects 1 input, but it received "
                         f"{len(shape)} input tensors.")
    if len(shape) != ndim:
        raise ValueError(
            f"Input 0 with name 'None' of layer '{layer.name}' is incompatible "
            f"with the layer: expected ndim={ndim}, found ndim={len(shape)}. "
            f"Full shape received: {shape}")


def check_axes(layer, shape, axes):
    """Raises Keras's ValueError unless `shape[axis] == value` for each item
    of the dict `axes` (a None size is accepted)."""
    for axis, value in axes.items():
        if shape[axis] is not None and shape[axis] != value:
            raise ValueError(
                f"Input 0 with name 'None' of layer '{layer.name}' is "
                f"incompatible with the layer: expected axis {axis} of input shape to have value "
                f"{value}, but received input with shape {shape}")
