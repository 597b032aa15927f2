"""Lamb: Adam's step rescaled per variable by a trust ratio."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """Lamb, step for step as Keras 3 computes it.

    ```
    m += (g - m) * (1 - beta_1)
    v += (g**2 - v) * (1 - beta_2)
    update = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)
    ratio = norm(w) / norm(update)   (1 if either norm is 0)
    w -= ratio * learning_rate * update
    ```
    The norms are over the whole variable, so the step is not blocked.

    Args:
        learning_rate: Float or schedule (default 0.001).
        beta_1: Decay of the first moment (0.9).
        beta_2: Decay of the second moment (0.999).
        epsilon: Small constant for numerical stability (1e-7).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    _num_scratch = 2
    _elementwise = False

    def build(self, variables):
        super().build(variables)
        self.momentums, self.velocities = self.add_interleaved_slots(
            ("momentum", "velocity")
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        one = np.float32(1)
        step = np.float32(self.iterations + 1)
        beta_1_power = np.float32(self.beta_1) ** step
        beta_2_power = np.float32(self.beta_2) ** step
        m, v = slots
        update, tmp = scratch
        np.subtract(gradient, m, out=tmp)
        tmp *= np.float32(1 - self.beta_1)
        m += tmp
        np.square(gradient, out=tmp)
        tmp -= v
        tmp *= np.float32(1 - self.beta_2)
        v += tmp
        np.divide(m, one - beta_1_power, out=update)
        np.divide(v, one - beta_2_power, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += np.float32(self.epsilon)
        update /= tmp
        w_norm = np.sqrt(np.sum(np.square(variable)))
        g_norm = np.sqrt(np.sum(np.square(update)))
        ratio = w_norm / g_norm if w_norm > 0 and g_norm > 0 else one
        update *= np.float32(ratio) * learning_rate
        variable -= update

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}
