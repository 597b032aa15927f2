"""Adagrad: learning rates shrink with each parameter's summed squares."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad, step for step as Keras 3 computes it.

    ```
    accumulator += g**2
    w -= learning_rate * g / sqrt(accumulator + epsilon)
    ```

    Args:
        learning_rate: Float or schedule (default 0.001; the paper's exact
            form uses 1.0).
        initial_accumulator_value: Starting value of the accumulators (0.1).
        epsilon: Small constant for numerical stability (1e-7).
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1,
                 epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    _num_scratch = 2

    def build(self, variables):
        super().build(variables)
        self.accumulators = self.add_slots(
            "accumulator", initial_value=self.initial_accumulator_value
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        accumulator = slots[0]
        step, denom = scratch
        np.square(gradient, out=step)
        accumulator += step
        np.multiply(gradient, learning_rate, out=step)
        np.add(accumulator, np.float32(self.epsilon), out=denom)
        np.sqrt(denom, out=denom)
        step /= denom
        variable -= step

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
