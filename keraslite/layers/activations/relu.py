"""ReLU and LeakyReLU: rectifiers as layers, with Keras's arguments."""
import numpy as np

from keraslite.layers.layer import Layer


class ReLU(Layer):
    """`max(x, 0)` with a cap, a threshold and a slope below it.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x <
    max_value`, `negative_slope * (x - threshold)` otherwise.

    Args:
        max_value: Maximum output (None: no cap); >= 0.
        negative_slope: Slope below the threshold; >= 0.
        threshold: Where the rectifier bends.
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                "max_value of a ReLU layer cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be a negative value. "
                f"Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be a negative value. "
                f"Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def forward(self, x, training=False, keep=False):
        below = x < self.threshold
        y = np.where(below, self.negative_slope * (x - self.threshold), x)
        slope = np.where(below, self.negative_slope, 1.0)
        if self.max_value is not None:
            capped = y >= self.max_value
            y = np.where(capped, self.max_value, y)
            slope = np.where(capped, 0.0, slope)
        return y.astype(x.dtype), (slope.astype(x.dtype) if keep else None)

    def backward(self, slope, dy, need_input_grad=True, from_logits=False):
        return dy * slope, []

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(Layer):
    """`x` for `x >= 0`, `negative_slope * x` below.

    Args:
        negative_slope: Slope for negative inputs (0.3, as in Keras).
    """

    supports_masking = True  # the output mask is the input's (as Keras)

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # the Keras 2 name
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None "
                f"or negative value. Expected a float. Received: "
                f"negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope

    def forward(self, x, training=False, keep=False):
        positive = x >= 0
        y = np.where(positive, x, x * np.float32(self.negative_slope)).astype(x.dtype)
        return y, (positive if keep else None)

    def backward(self, positive, dy, need_input_grad=True, from_logits=False):
        return np.where(positive, dy, dy * np.float32(self.negative_slope)), []

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
