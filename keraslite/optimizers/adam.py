"""Adam: adaptive moment estimation."""
import math

import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, step for step as Keras 3 computes it.

    ```
    m += (g - m) * (1 - beta_1)
    v += (g**2 - v) * (1 - beta_2)
    v_hat = max(v_hat, v); v = v_hat                       # amsgrad only
    alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w -= m * alpha / (sqrt(v) + epsilon)
    ```

    Args:
        learning_rate: Float or schedule (default 0.001).
        beta_1: Decay of the first moment (0.9).
        beta_2: Decay of the second moment (0.999).
        epsilon: Small constant for numerical stability (1e-7).
        amsgrad: Whether to use the AMSGrad variant.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    _num_scratch = 2
    _gradient_scratch = 1  # written after the gradient's last read

    def build(self, variables):
        super().build(variables)
        self.momentums, self.velocities = self.add_interleaved_slots(
            ("momentum", "velocity")
        )
        self.velocity_hats = (
            self.add_slots("velocity_hat") if self.amsgrad else []
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        step = np.float32(self.iterations + 1)
        beta_1_power = np.float32(self.beta_1) ** step
        beta_2_power = np.float32(self.beta_2) ** step
        m, v = slots[0], slots[1]
        tmp, denom = scratch
        np.subtract(gradient, m, out=tmp)
        tmp *= np.float32(1.0 - self.beta_1)
        m += tmp
        np.square(gradient, out=tmp)
        tmp -= v
        tmp *= np.float32(1.0 - self.beta_2)
        v += tmp
        if self.amsgrad:
            v_hat = slots[2]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        alpha = learning_rate * np.float32(
            math.sqrt(1.0 - beta_2_power)
        ) / (np.float32(1.0) - beta_1_power)
        np.sqrt(v, out=denom)
        denom += np.float32(self.epsilon)
        np.multiply(m, np.float32(alpha), out=tmp)
        tmp /= denom
        variable -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}
