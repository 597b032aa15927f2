"""RMSprop: divide the gradient by a running root mean square."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, step for step as Keras 3 computes it.

    ```
    v = rho * v + (1 - rho) * g**2
    a = rho * a + (1 - rho) * g                    # centered only
    denominator = v - a**2 + epsilon  (centered)  or  v + epsilon
    increment = (learning_rate * g) / sqrt(denominator)
    m = momentum * m + increment; w -= m           # momentum > 0
    w -= increment                                 # otherwise
    ```
    NOTE: epsilon sits inside the square root, as in Keras (not outside, as
    in the original lecture notes).

    Args:
        learning_rate: Float or schedule (default 0.001).
        rho: Discount of the moving average of squared gradients (0.9).
        momentum: Momentum (0.0).
        epsilon: Small constant for numerical stability (1e-7).
        centered: Normalise by the estimated variance instead of the
            second moment.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0,
                 epsilon=1e-7, centered=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    _num_scratch = 2
    _gradient_scratch = 1  # written after the gradient's last read

    def build(self, variables):
        super().build(variables)
        self.velocities = self.add_slots("velocity")
        self.momentums = self.add_slots("momentum") if self.momentum > 0 else []
        self.average_gradients = (
            self.add_slots("average_gradient") if self.centered else []
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        rho = np.float32(self.rho)
        tmp = scratch[0]
        velocity = slots[0]
        velocity *= rho
        np.square(gradient, out=tmp)
        tmp *= np.float32(1.0 - self.rho)
        velocity += tmp
        if self.centered:
            average = slots[-1]
            average *= rho
            np.multiply(gradient, np.float32(1.0 - self.rho), out=tmp)
            average += tmp
            np.square(average, out=tmp)
            np.subtract(velocity, tmp, out=tmp)
            tmp += np.float32(self.epsilon)
        else:
            np.add(velocity, np.float32(self.epsilon), out=tmp)
        np.sqrt(tmp, out=tmp)
        scaled = scratch[1]  # Keras's order: (learning_rate * g) / sqrt(...)
        np.multiply(gradient, learning_rate, out=scaled)
        np.divide(scaled, tmp, out=tmp)  # tmp is now the increment
        if self.momentum > 0:
            momentum = slots[1]
            momentum *= np.float32(self.momentum)
            momentum += tmp
            variable -= momentum
        else:
            variable -= tmp

    def get_config(self):
        return {**super().get_config(), "rho": self.rho,
                "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
