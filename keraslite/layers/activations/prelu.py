"""PReLU: a leaky rectifier whose slopes are learned."""
import numpy as np

from keraslite import constraints, initializers, regularizers
from keraslite.layers.layer import Layer


class PReLU(Layer):
    """`x` for `x >= 0`, `alpha * x` below, with `alpha` a weight.

    Args:
        alpha_initializer: Initializer of the slopes ("zeros").
        alpha_regularizer, alpha_constraint: Optional.
        shared_axes: Axes (1-based, without the batch) along which one slope
            is shared, e.g. `[1, 2]` for one slope per channel of an image.
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        self.alpha = self.add_weight(
            name="alpha", shape=tuple(shape),
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        self.built = True

    def forward(self, x, training=False, keep=False):
        positive = x >= 0
        alpha = self.alpha.value
        y = np.where(positive, x, alpha * x).astype(x.dtype)
        return y, ((x, positive) if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        x, positive = ctx
        d_alpha = np.where(positive, 0, dy * x)
        axes = (0,) + tuple(self.shared_axes or ())
        d_alpha = d_alpha.sum(axis=axes, keepdims=True)[0]
        dx = np.where(positive, dy, dy * self.alpha.value) if need_input_grad else None
        return dx, [d_alpha.astype(dy.dtype)]

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
