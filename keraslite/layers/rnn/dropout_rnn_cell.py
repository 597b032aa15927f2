"""DropoutRNNCell: the dropout masks of a recurrent cell, drawn once per call."""
import numpy as np

from keraslite import backend


class DropoutRNNCell:
    """Mixin of the built-in cells: creates and caches their dropout masks.

    As Keras 3, one mask (or `dropout_mask_count` masks, one per gate) of
    the shape of a step's input is drawn at the start of a layer call and
    reused for every step; the RNN layer resets it after the call. Kept
    entries are `1 / (1 - rate)`, dropped ones 0.
    """

    def _create_dropout_mask(self, step_input, rate):
        if self._seed_rng is None and self.seed is not None:
            self._seed_rng = backend.make_rng(self.seed)
        rng = self._seed_rng or backend.rng()
        shape = np.shape(step_input)
        dtype = self.dtype

        def one():
            keep = rng.random(shape) >= rate
            return (keep / (1.0 - rate) if rate < 1 else keep * 0.0).astype(dtype)

        count = getattr(self, "dropout_mask_count", None)
        return one() if count is None else [one() for _ in range(count)]

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        if getattr(self, "_recurrent_dropout_mask", None) is None and \
                self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(
                step_input, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None
