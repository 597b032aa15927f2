"""Input rank checks of layers, with Keras's InputSpec message
(keras/src/layers/input_spec.py)."""


def check_ndim(layer, shape, ndim):
    """Raises ValueError when `shape` (one input's) does not have rank `ndim`
    (an int or a tuple of allowed ranks)."""
    allowed = ndim if isinstance(ndim, tuple) else (ndim,)
    if not isinstance(shape, tuple) or len(shape) not in allowed:
        found = len(shape) if isinstance(shape, tuple) else None
        raise ValueError(
            f"Input 0 with name 'None' of layer '{layer.name}' is "
            f"incompatible with the layer: expected ndim={ndim}, found "
            f"ndim={found}. Full shape received: {shape}"
        )


class RankChecked:
    """Mixin of built-in layers that take inputs of one rank (`_input_ndim`),
    checked at build and at every later call, as Keras's InputSpec(ndim=...)."""

    _input_ndim = None

    def _maybe_build(self, input_shape):
        check_ndim(self, tuple(input_shape), self._input_ndim)
        super()._maybe_build(input_shape)

    def _check_input_shape(self, input_shape):
        check_ndim(self, input_shape, self._input_ndim)
