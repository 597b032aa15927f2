"""Identity: returns its input unchanged."""
from keraslite.layers.layer import Layer


class Identity(Layer):
    """Returns its input (any structure) unchanged."""

    supports_masking = True  # the output mask is the input's (as Keras)

    def forward(self, inputs, training=False, keep=False):
        return inputs, None
