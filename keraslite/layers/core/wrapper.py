"""Wrapper: the base of layers that wrap another layer (TimeDistributed)."""
from keraslite.layers.layer import Layer


class Wrapper(Layer):
    """Abstract wrapper base class.

    Wrappers take another layer and augment it; the wrapped layer owns the
    weights. Do not use this class as a layer, it is only a base class.

    Args:
        layer: The layer to be wrapped.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to Wrapper isn't "
                "a supported layer type. Please "
                "ensure wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            build_nested(self, self.layer, input_shape)

    def get_config(self):
        config = {"layer": serialize_nested(self.layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite import layers

        config = dict(config)
        layer = layers.deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def serialize_nested(layer):
    """The config entry of a wrapped layer, as Keras writes it (a model's
    has its `compile_config`, `{}` when not compiled)."""
    from keraslite import layers
    from keraslite.models.model import Model

    entry = layers.serialize(layer)
    if isinstance(layer, Model):
        entry["compile_config"] = layer.get_compile_config()
    return entry


def build_nested(owner, layer, input_shape):
    """Builds `layer` inside `owner`: as in Keras, its weights' paths then
    start with the owner's and the layer's names (`time_distributed/dense/
    kernel`, `bidirectional/forward_lstm/lstm_cell/kernel`)."""
    layer._maybe_build(input_shape)
    for var in layer.weights:
        if not var.path.startswith(f"{layer.name}/"):
            var.path = f"{layer.name}/{var.path}"
        var.path = f"{owner.name}/{var.path}"
