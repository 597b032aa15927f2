"""Embedding: integer indices to rows of a `(input_dim, output_dim)` matrix."""
import numpy as np

from keraslite import autodiff, constraints, initializers, regularizers
from keraslite.layers.layer import Layer


class Embedding(Layer):
    """Turns nonnegative integers (indexes) into dense vectors of fixed size.

    e.g. `[[4], [20]] -> [[0.25, 0.1], [0.6, -0.2]]`

    Args:
        input_dim: Size of the vocabulary, i.e. maximum integer index + 1.
        output_dim: Dimension of the dense embedding.
        embeddings_initializer: Initializer of the `embeddings` matrix
            ("uniform": RandomUniform(-0.05, 0.05), as Keras).
        embeddings_regularizer, embeddings_constraint: Optional regularizer
            and constraint of the `embeddings` matrix.
        mask_zero: Whether index 0 is padding: the layer then gives the mask
            `inputs != 0` to the layers after it (index 0 cannot be a word,
            so `input_dim` should be the vocabulary size + 1).
        weights: Optional initial `(input_dim, output_dim)` matrix (or a
            list holding it).

    Input shape: integer indices of any shape, e.g. `(batch, input_length)`;
    floats holding whole numbers are accepted (Keras casts them).
    Output shape: `input_shape + (output_dim,)`.

    Example:
    >>> layer = Embedding(1000, 64)
    >>> layer(np.random.randint(1000, size=(32, 10))).shape
    (32, 10, 64)
    """

    _cast_inputs = False  # indices stay integers

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, activity_regularizer=None, **kwargs):
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) \
                    or value <= 0:
                raise ValueError(
                    f"`{name}` must be a positive integer. Received: "
                    f"{name}={value} (of type {type(value).__name__})."
                )
        for key, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                           ("quantization_config", quantization_config)):
            if value is not None:
                raise ValueError(f"keraslite's Embedding does not support `{key}`.")
        if kwargs.pop("input_length", None) is not None:
            import warnings

            warnings.warn("Argument `input_length` is deprecated. Just remove it.")
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.embeddings is not None:
            return
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return np.not_equal(inputs, 0)

    def _may_make_mask(self):
        return self.mask_zero

    def _indices(self, x):
        """`x` as integer indices, or a ValueError naming the bad value."""
        x = np.asarray(x)
        if x.dtype.kind == "f":
            bad = x[x != np.floor(x)] if x.size else x
            if bad.size:
                raise ValueError(
                    f"Embedding layer '{self.name}' expects integer indices, "
                    f"but received the non-integer value {bad.flat[0]!r} "
                    f"(input dtype {x.dtype}). Pass integer token ids (e.g. "
                    "from `pad_sequences` or a tokenizer)."
                )
        elif x.dtype.kind not in "iub":
            raise ValueError(
                f"Embedding layer '{self.name}' expects integer indices. "
                f"Received: input of dtype {x.dtype}"
            )
        ids = x.astype(np.intp, copy=False)
        if ids.size:
            low, high = ids.min(), ids.max()
            if low < 0 or high >= self.input_dim:
                bad = low if low < 0 else high
                raise ValueError(
                    f"Embedding layer '{self.name}' received the index {bad}, "
                    f"outside [0, input_dim) with input_dim={self.input_dim}."
                )
        return ids

    def forward(self, x, training=False, keep=False):
        """Gathers the rows `embeddings[x]`."""
        ids = self._indices(x)
        y = self._buffer("y", ids.shape + (self.output_dim,)) if ids.ndim else \
            np.empty((self.output_dim,), self.dtype)
        # mode="clip": the ids are checked above; with out= the default mode
        # ("raise") gathers into a temporary first (64000 ids of 32: 4.0 ms
        # against 0.7)
        np.take(self.embeddings.value, ids, axis=0, out=y, mode="clip")
        return y, (ids if keep else None)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """The gradient of the gathered rows, as an `IndexedSlices`: row
        `ids[i]` receives `dy[i]`, repeated ids summed in their order
        (TensorFlow's sums). No input gradient: the indices are integers.

        No `(input_dim, output_dim)` matrix is made here. The optimizer
        updates only the rows in the batch where that equals Keras's dense
        update (plain SGD, see `Optimizer`), and otherwise scatter-adds the
        slices into a dense gradient kept between steps.
        """
        ids = ctx
        dy = dy.reshape(-1, self.output_dim)
        return None, [autodiff.IndexedSlices(dy, ids.reshape(-1),
                                             self.embeddings.shape)]

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(
                self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(
                self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
