"""Lion: sign of an interpolated momentum (Chen et al., 2023)."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion, step for step as Keras 3 computes it.

    ```
    w -= learning_rate * sign(beta_1 * m + (1 - beta_1) * g)
    m = beta_2 * m + (1 - beta_2) * g
    ```
    Its learning rate is typically 3-10x smaller than AdamW's, and its
    weight decay 3-10x larger.

    Args:
        learning_rate: Float or schedule (default 0.001).
        beta_1: Mix of gradient and momentum in the update (0.9), in (0, 1].
        beta_2: Decay of the momentum (0.99).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}."
            )

    _num_scratch = 2

    def build(self, variables):
        super().build(variables)
        self.momentums = self.add_slots("momentum")

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        beta_1 = np.float32(self.beta_1)
        beta_2 = np.float32(self.beta_2)
        one = np.float32(1)
        m = slots[0]
        tmp, mixed = scratch
        np.multiply(m, beta_1, out=mixed)
        np.multiply(gradient, one - beta_1, out=tmp)
        mixed += tmp
        np.sign(mixed, out=mixed)
        mixed *= learning_rate
        variable -= mixed
        m *= beta_2
        np.multiply(gradient, one - beta_2, out=tmp)
        m += tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2}
