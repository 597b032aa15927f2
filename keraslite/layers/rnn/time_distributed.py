"""TimeDistributed: applies a layer to every temporal slice of an input."""
from keraslite import ops
from keraslite.layers.core.wrapper import Wrapper
from keraslite.layers.layer import Layer, _accepts, _accepts_training


class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice of an input.

    Every input should be at least 3D; the axis of index one is the time
    axis. The same layer (the same weights) is applied at every step.

    A layer whose output for a sample depends only on that sample (Dense,
    the convolutions, pooling, activations, reshaping, Dropout) is run once
    on the `(batch * time, ...)` merged batch, so its own backward runs once;
    other layers (BatchNormalization in training, a user's layer) are called
    once per step, as Keras does.

    Args:
        layer: a `keraslite.layers.Layer` instance.

    Call arguments:
        inputs: Input of shape `(batch, time, ...)`.
        training: Passed to the wrapped layer if its `call` takes it.
        mask: Mask of shape `(batch, time)`, passed to the wrapped layer if
            its `call` takes one.

    Example:
    >>> layer = TimeDistributed(Conv2D(64, (3, 3)))
    >>> layer(np.zeros((32, 10, 128, 128, 3), "float32")).shape
    (32, 10, 126, 126, 64)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a "
                f"`keras.layers.Layer` instance. Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _get_child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` "
                f"with at least 3 dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def compute_output_shape(self, input_shape):
        child_input_shape = self._get_child_input_shape(input_shape)
        child_output_shape = self.layer.compute_output_shape(child_input_shape)
        return (child_output_shape[0], input_shape[1], *child_output_shape[1:])

    def build(self, input_shape):
        super().build(self._get_child_input_shape(input_shape))

    def _check_input_shape(self, input_shape):
        self.layer._check_input_shape(self._get_child_input_shape(input_shape))

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        if mask is not None:
            _check_mask(mask, shape)
        kwargs = {}
        if _accepts_training(self.layer):
            kwargs["training"] = bool(training)
        takes_mask = mask is not None and _accepts(self.layer, "mask")
        batch, steps = shape[:2]
        if _per_sample(self.layer, bool(training)):
            # The fast path: one call on the merged batch.
            merged = ops.reshape(inputs, (batch * steps,) + shape[2:])
            if takes_mask:
                kwargs["mask"] = ops.reshape(
                    mask, (batch * steps,) + tuple(mask.shape[2:]))
            outputs = self.layer.call(merged, **kwargs)
            return ops.reshape(outputs, (batch, steps) + tuple(outputs.shape[1:]))
        outputs = []
        for i in range(steps):
            if takes_mask:
                kwargs["mask"] = mask[:, i]
            outputs.append(self.layer.call(inputs[:, i], **kwargs))
        return ops.stack(outputs, axis=1)


def _check_mask(mask, input_shape):
    mask_shape = tuple(mask.shape)
    if len(mask_shape) < 2:
        raise ValueError(
            "The `mask` passed to the `TimeDistributed` layer must be "
            "at least 2D (e.g., `(batch_size, timesteps)`), but it has "
            f"{len(mask_shape)} dimension(s) with shape {mask_shape}."
        )
    if mask_shape[0] != input_shape[0] or mask_shape[1] != input_shape[1]:
        raise ValueError(
            "The `mask` passed to the `TimeDistributed` layer has a "
            f"shape {mask_shape} that is incompatible with the input "
            f"shape {input_shape}. The first two dimensions of the "
            "mask (batch size and timesteps) must match the input's "
            "first two dimensions. Expected mask shape prefix: "
            f"({input_shape[0]}, {input_shape[1]})."
        )


def _per_sample(layer, training):
    """Whether `layer`'s output for a sample depends on that sample only,
    so that the time steps may be merged into the batch."""
    from keraslite import layers as layers_module
    from keraslite.models.functional import Functional
    from keraslite.models.sequential import Sequential

    if type(layer) in (Sequential, Functional):
        return all(_per_sample(inner, training) for inner in layer.layers)
    if layers_module.ALL_LAYERS.get(type(layer).__name__) is not type(layer):
        return False  # a user's layer: called once per step, as Keras
    if getattr(layer, "stateful", False):
        return False  # its states have the batch size of one step
    if type(layer).__name__ == "BatchNormalization":
        return not training  # batch statistics are per step in training
    noise_shape = getattr(layer, "noise_shape", None)
    if noise_shape is not None and noise_shape[0] is not None:
        return False  # a Dropout mask shaped for one step's batch
    return not isinstance(layer, TimeDistributed) or \
        _per_sample(layer.layer, training)
