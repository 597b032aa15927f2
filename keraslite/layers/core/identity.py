"""Identity: returns its input unchanged."""
from keraslite.layers.layer import Layer


class Identity(Layer):
    """Returns its input (any structure) unchanged."""

    def forward(self, inputs, training=False, keep=False):
        return inputs, None
