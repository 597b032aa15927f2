"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax, step for step as Keras 3 computes it.

    ```
    m += (g - m) * (1 - beta_1)
    u = max(beta_2 * u, abs(g))
    w -= learning_rate * m / ((1 - beta_1**t) * (u + epsilon))
    ```

    Args:
        learning_rate: Float or schedule (default 0.001).
        beta_1: Decay of the first moment (0.9).
        beta_2: Decay of the exponentially weighted infinity norm (0.999).
        epsilon: Small constant for numerical stability (1e-7).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    _num_scratch = 2

    def build(self, variables):
        super().build(variables)
        self.momentums, self.norms = self.add_interleaved_slots(
            ("momentum", "norm")
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        step = np.float32(self.iterations + 1)
        beta_1_power = np.float32(self.beta_1) ** step
        m, u = slots
        tmp, denom = scratch
        np.subtract(gradient, m, out=tmp)
        tmp *= np.float32(1 - self.beta_1)
        m += tmp
        u *= np.float32(self.beta_2)
        np.abs(gradient, out=tmp)
        np.maximum(u, tmp, out=u)
        np.multiply(m, learning_rate, out=tmp)
        np.add(u, np.float32(self.epsilon), out=denom)
        denom *= np.float32(1) - beta_1_power
        tmp /= denom
        variable -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}
