"""Nadam: Adam with Nesterov momentum."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer
from keraslite.utils.naming import unique_name


class Nadam(Optimizer):
    """Nadam, step for step as Keras 3 computes it.

    ```
    u_t = beta_1 * (1 - 0.5 * 0.96**t);  u_t1 = beta_1 * (1 - 0.5 * 0.96**(t+1))
    u_product *= u_t                       # once per step, saved as state
    m += (g - m) * (1 - beta_1)
    v += (g**2 - v) * (1 - beta_2)
    m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
    v_hat = v / (1 - beta_2**t)
    w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)
    ```

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

    def build(self, variables):
        super().build(variables)
        self.momentums, self.velocities = self.add_interleaved_slots(
            ("momentum", "velocity")
        )
        # Keras creates it as an unnamed Variable, hence the automatic name
        # "variable", "variable_1", ...
        self.u_product = self.add_extra_state(unique_name("variable"), 1.0)

    def _u(self, step):
        decay = np.float32(0.96) ** np.float32(step)
        return np.float32(self.beta_1) * (np.float32(1) - np.float32(0.5) * decay)

    def _before_update_steps(self):
        self.u_product[...] = self.u_product * np.float32(self.beta_1) * (
            np.float32(1) - np.float32(0.5)
            * np.float32(0.96) ** np.float32(self.iterations + 1)
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        one = np.float32(1)
        beta_1 = np.float32(self.beta_1)
        beta_2 = np.float32(self.beta_2)
        u_t = self._u(self.iterations + 1)
        u_t_1 = self._u(self.iterations + 2)
        u_product_t = np.float32(self.u_product)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = beta_2 ** np.float32(self.iterations + 1)
        m, v = slots
        tmp, m_hat = scratch
        np.subtract(gradient, m, out=tmp)
        tmp *= one - beta_1
        m += tmp
        np.square(gradient, out=tmp)
        tmp -= v
        tmp *= one - beta_2
        v += tmp
        np.multiply(m, u_t_1, out=m_hat)
        m_hat /= one - u_product_t_1
        np.multiply(gradient, one - u_t, out=tmp)
        tmp /= one - u_product_t
        m_hat += tmp
        np.divide(v, one - beta_2_power, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += np.float32(self.epsilon)
        m_hat *= learning_rate
        m_hat /= tmp
        variable -= m_hat

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}
