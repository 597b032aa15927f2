"""Stochastic gradient descent, with optional (Nesterov) momentum."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum, exactly as Keras 3 updates it.

    ```
    velocity = momentum * velocity - learning_rate * g
    w = w + velocity                                   # nesterov=False
    w = w + momentum * velocity - learning_rate * g    # nesterov=True
    ```
    With `momentum=0`: `w = w - learning_rate * g`, and an Embedding's
    gradient updates only the rows of the ids in the batch (the same bits;
    not with clipping, weight decay, `use_ema`, gradient accumulation or a
    constraint, where the whole table is updated).

    Args:
        learning_rate: Float or schedule (default 0.01).
        momentum: Float >= 0 (default 0.0).
        nesterov: Whether to apply Nesterov momentum.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        super().build(variables)
        self.momentums = self.add_slots("momentum") if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        step = scratch[0]
        np.multiply(gradient, learning_rate, out=step)  # lr * g
        if self.momentum == 0:
            variable -= step
            return
        m = slots[0]
        m *= np.float32(self.momentum)
        m -= step
        if self.nesterov:
            variable += np.float32(self.momentum) * m
            variable -= step
        else:
            variable += m

    def _sparse_exact(self):
        return self.momentum == 0

    def update_step_sparse(self, rows, values, variable, learning_rate):
        """`update_step` of the distinct `rows` that have a gradient (`values`,
        overwritten), without momentum: the other rows' dense gradient is
        zero, which leaves them unchanged (`w - lr * 0 == w`), so this gives
        the dense update's bits."""
        np.multiply(values, learning_rate, out=values)  # lr * g
        variable[rows] -= values

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "nesterov": self.nesterov}
