"""GlobalAveragePooling1D: the mean of each channel over the steps."""
import numpy as np

from keraslite.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling over the steps.

    With a mask (e.g. from `Embedding(mask_zero=True)` or `Masking`), the
    mean is over the unmasked steps only, as in Keras; the output has no mask.

    Args:
        data_format: "channels_last", inputs `(batch, steps, features)`,
            or "channels_first", `(batch, features, steps)`; None means
            `keraslite.config.image_data_format()`.
        keepdims: Whether the output keeps the steps
            as axes of size 1.

    Example:
    >>> GlobalAveragePooling1D()(np.ones((4, 10, 3), "float32")).shape
    (4, 3)
    """

    supports_masking = True
    _forward_takes_mask = True

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, pool_mode="average",
                         data_format=data_format, keepdims=keepdims, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return None

    def _may_make_mask(self):
        return False

    def forward(self, x, training=False, keep=False, mask=None):
        """Without a mask the plain mean; with one (batch, steps):
        `sum(x * m) / sum(m)` over the steps (NaN where all are masked, as
        Keras)."""
        if mask is None:
            return super().forward(x, training=training, keep=keep)
        steps = self._axes[0]
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (x.shape[0], x.shape[steps]):
            raise ValueError(
                f"Layer '{self.name}' expects a mask of shape (batch, steps) = "
                f"{(x.shape[0], x.shape[steps])} for inputs of shape {x.shape}. "
                f"Received: mask of shape {mask.shape}"
            )
        m = np.expand_dims(mask, 2 if steps == 1 else 1)
        count = np.sum(m, axis=steps, keepdims=True, dtype=x.dtype)
        total = np.sum(np.where(m, x, x.dtype.type(0)), axis=steps, keepdims=True)
        y = total / count
        if keep:  # the gradient's share of each step: m / sum(m)
            with np.errstate(divide="ignore"):
                share = np.where(m, 1.0 / count, 0.0).astype(x.dtype)
        ctx = ("masked", share) if keep else None
        return (y if self.keepdims else y.reshape(y.shape[0], -1)), ctx

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Masked: `dy * m / sum(m)` to each step (zero on masked steps)."""
        if ctx[0] != "masked":
            return super().backward(ctx, dy, need_input_grad, from_logits)
        if not need_input_grad:
            return None, []
        share = ctx[1]  # (batch, steps, 1) or (batch, 1, steps)
        steps = self._axes[0]
        dy = np.expand_dims(dy.reshape(dy.shape[0], -1), steps)
        return dy * share, []
