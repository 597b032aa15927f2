"""Input checks of built-in layers, with Keras 3's InputSpec messages
(`keras/src/layers/input_spec.py`)."""


def check_ndim(layer, shape, ndim):
    """Raises Keras's ValueError unless `shape` (one input's) has rank `ndim`
    (an int or a tuple of allowed ranks)."""
    if not isinstance(shape, tuple):
        raise ValueError(f"Layer '{layer.name}' expects 1 input, but it received "
                         f"{len(shape)} input tensors.")
    allowed = ndim if isinstance(ndim, tuple) else (ndim,)
    if len(shape) not in allowed:
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


class RankChecked:
    """Mixin of built-in layers that take inputs of one rank (`_input_ndim`),
    checked at build and at every later call, as Keras's InputSpec(ndim=...)."""

    _input_ndim = None

    def _maybe_build(self, input_shape):
        check_ndim(self, tuple(input_shape), self._input_ndim)
        super()._maybe_build(input_shape)

    def _check_input_shape(self, input_shape):
        check_ndim(self, input_shape, self._input_ndim)
