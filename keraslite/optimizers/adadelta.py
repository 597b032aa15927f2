"""Adadelta: per-dimension learning rates from running averages."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta, step for step as Keras 3 computes it.

    ```
    accumulated_grad = rho * accumulated_grad + (1 - rho) * g**2
    delta = -sqrt(accumulated_delta_var + epsilon) * g
            / sqrt(accumulated_grad + epsilon)
    accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta**2
    w += learning_rate * delta
    ```

    Args:
        learning_rate: Float or schedule (default 0.001; the paper's exact
            form uses 1.0).
        rho: The decay rate (0.95).
        epsilon: Small constant for numerical stability (1e-7).
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    _num_scratch = 2

    def build(self, variables):
        super().build(variables)
        self.accumulated_grads, self.accumulated_delta_vars = (
            self.add_interleaved_slots(
                ("accumulated_grad", "accumulated_delta_var")
            )
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        rho = np.float32(self.rho)
        one_minus_rho = np.float32(1 - self.rho)
        epsilon = np.float32(self.epsilon)
        accumulated_grad, accumulated_delta_var = slots
        delta, tmp = scratch
        accumulated_grad *= rho
        np.square(gradient, out=tmp)
        tmp *= one_minus_rho
        accumulated_grad += tmp
        # delta = -(rms(accumulated_delta_var) * g) / rms(accumulated_grad)
        np.add(accumulated_delta_var, epsilon, out=delta)
        np.sqrt(delta, out=delta)
        delta *= gradient
        np.add(accumulated_grad, epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        delta /= tmp
        np.negative(delta, out=delta)
        accumulated_delta_var *= rho
        np.square(delta, out=tmp)
        tmp *= one_minus_rho
        accumulated_delta_var += tmp
        delta *= learning_rate
        variable += delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho,
                "epsilon": self.epsilon}
