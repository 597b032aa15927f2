"""FTRL: Follow The Regularized Leader (McMahan et al., 2013)."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """FTRL-Proximal, step for step as Keras 3 computes it.

    ```
    g_shrunk = g + 2 * l2_shrinkage_regularization_strength * w
    new_accum = accum + g**2
    linear += g_shrunk - (new_accum**-p - accum**-p) / learning_rate * w
    quadratic = new_accum**-p / learning_rate + 2 * (l2 + beta / (2 * lr))
    w = (clip(linear, -l1, l1) - linear) / quadratic
    accum = new_accum
    ```
    where `p` is `learning_rate_power`.

    Args:
        learning_rate: Float or schedule (default 0.001).
        learning_rate_power: <= 0; how the learning rate decreases (-0.5).
        initial_accumulator_value: >= 0; start of the accumulators (0.1).
        l1_regularization_strength: >= 0 (0.0).
        l2_regularization_strength: >= 0, a stabilisation penalty (0.0).
        l2_shrinkage_regularization_strength: >= 0, a magnitude penalty
            added to the gradient (0.0).
        beta: The beta of the paper (0.0).
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError(
                "`initial_accumulator_value` needs to be positive or zero. "
                "Received: initial_accumulator_value="
                f"{initial_accumulator_value}."
            )
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        if l1_regularization_strength < 0.0:
            raise ValueError(
                "`l1_regularization_strength` needs to be positive or zero. "
                "Received: l1_regularization_strength="
                f"{l1_regularization_strength}."
            )
        if l2_regularization_strength < 0.0:
            raise ValueError(
                "`l2_regularization_strength` needs to be positive or zero. "
                "Received: l2_regularization_strength="
                f"{l2_regularization_strength}."
            )
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError(
                "`l2_shrinkage_regularization_strength` needs to be positive "
                "or zero. Received: l2_shrinkage_regularization_strength"
                f"={l2_shrinkage_regularization_strength}."
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = (
            l2_shrinkage_regularization_strength
        )
        self.beta = beta

    _num_scratch = 4

    def build(self, variables):
        super().build(variables)
        self.accumulators, self.linears = self.add_interleaved_slots(
            ("accumulator", "linear"),
            initial_values=(self.initial_accumulator_value, 0.0),
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        power = np.float32(-self.learning_rate_power)
        l2_reg = np.float32(
            self.l2_regularization_strength
            + self.beta / (np.float32(2.0) * learning_rate)
        )
        accum, linear = slots
        new_accum, sigma_w, quadratic, tmp = scratch
        np.square(gradient, out=new_accum)
        new_accum += accum
        # sigma * w, with sigma = (new_accum**-p - accum**-p) / learning_rate
        np.power(new_accum, power, out=quadratic)
        np.power(accum, power, out=sigma_w)
        np.subtract(quadratic, sigma_w, out=sigma_w)
        sigma_w /= learning_rate
        sigma_w *= variable
        # linear += (g + 2 * l2_shrinkage * w) - sigma * w
        np.multiply(variable,
                    np.float32(2 * self.l2_shrinkage_regularization_strength),
                    out=tmp)
        tmp += gradient
        tmp -= sigma_w
        linear += tmp
        quadratic /= learning_rate
        quadratic += np.float32(2) * l2_reg
        l1 = np.float32(self.l1_regularization_strength)
        np.clip(linear, -l1, l1, out=tmp)
        np.subtract(tmp, linear, out=variable)
        variable /= quadratic
        accum[...] = new_accum

    def get_config(self):
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength":
                self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }
