"""Layers: `from keraslite.layers import Dense` as in `keras.layers`."""
from keraslite.layers.activation import Activation
from keraslite.layers.dense import Dense
from keraslite.layers.dropout import Dropout
from keraslite.layers.flatten import Flatten
from keraslite.layers.input_layer import Input, InputLayer
from keraslite.layers.layer import Layer

ALL_LAYERS = {
    cls.__name__: cls
    for cls in (Activation, Dense, Dropout, Flatten, InputLayer)
}


def serialize(layer):
    """Returns the Keras 3 config dict of a layer."""
    return {
        "module": "keras.layers",
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "registered_name": None,
    }


def deserialize(config):
    """Rebuilds a layer from its Keras config dict; only known classes."""
    name = config.get("class_name")
    if name not in ALL_LAYERS:
        raise ValueError(
            f"Unknown layer: '{name}'. keraslite supports: "
            f"{', '.join(sorted(ALL_LAYERS))}."
        )
    return ALL_LAYERS[name].from_config(dict(config.get("config") or {}))
