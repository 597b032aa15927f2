"""Concatenate: joins a list of inputs along one axis."""
import numpy as np

from keraslite.layers.layer import Layer


class Concatenate(Layer):
    """Concatenates a list of inputs along `axis` (the last by default).

    Args:
        axis: Axis along which to concatenate.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_mask(self, inputs, mask=None):
        """As Keras: each input's mask (all True where it has none) brought
        to the input's rank, concatenated, then `any` over the last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(np.ones(np.shape(x), dtype=bool))
            elif np.ndim(m) < np.ndim(x):
                masks.append(np.broadcast_to(np.expand_dims(m, -1), np.shape(x)))
            else:
                masks.append(np.asarray(m, dtype=bool))
        return np.any(np.concatenate(masks, axis=self.axis), axis=-1)

    def _may_make_mask(self):
        return False  # it only combines the masks it receives

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 1 \
                or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least "
                f"1 input. Received: input_shape={input_shape}"
            )
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        rank = len(input_shape[0])
        axis = self.axis % rank
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if len(shape) != rank or any(
                i != axis and a is not None and b is not None and a != b
                for i, (a, b) in enumerate(zip(out, shape))
            ):
                raise ValueError(
                    "A `Concatenate` layer requires inputs with matching "
                    "shapes except for the concatenation axis. Received: "
                    f"input_shape={input_shape}"
                )
            out[axis] = None if out[axis] is None or shape[axis] is None \
                else out[axis] + shape[axis]
        return tuple(out)

    def forward(self, inputs, training=False, keep=False):
        out = np.concatenate(inputs, axis=self.axis)
        sizes = [x.shape[self.axis] for x in inputs]
        return out, (sizes if keep else None)

    def backward(self, sizes, dy, need_input_grad=True, from_logits=False):
        bounds = np.cumsum(sizes)[:-1]
        return [np.array(g) for g in np.split(dy, bounds, axis=self.axis)], []

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
