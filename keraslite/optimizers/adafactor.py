"""Adafactor: second moments factored into row and column averages."""
import numpy as np

from keraslite.optimizers.optimizer import Optimizer


def _rms(x):
    return np.sqrt(np.mean(np.square(x)))


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018), step for step as Keras 3 computes it.

    ```
    lr = min(learning_rate, 1 / sqrt(t))          # relative_step, float lr
    alpha = max(epsilon_2, rms(w)) * min(lr, 1 / sqrt(t))
    g2 = g**2 + epsilon_1;  beta_2_t = 1 - t**beta_2_decay
    variables of rank >= 2 (the last two axes factored):
        r = beta_2_t * r + (1 - beta_2_t) * mean(g2, axis=-1)
        c = beta_2_t * c + (1 - beta_2_t) * mean(g2, axis=-2)
        v = (r / mean(r, axis=-1))[..., None] * c[..., None, :]
    otherwise:
        v = beta_2_t * v + (1 - beta_2_t) * g2
    u = g / sqrt(v)
    w -= alpha * u / max(1, rms(u) / clip_threshold)
    ```
    As in Keras, a variable of rank < 2 still gets `r` and `c` slots: int32
    zeros of shape (), kept only so that saved states line up.

    Args:
        learning_rate: Float or schedule (default 0.001).
        beta_2_decay: Decay rate of `beta_2` (-0.8).
        epsilon_1: Offset keeping the denominator away from 0 (1e-30).
        epsilon_2: Offset keeping the step from vanishing (1e-3).
        clip_threshold: Threshold of Adafactor's own update clipping (1.0),
            independent of `clipnorm`, `clipvalue` and `global_clipnorm`.
        relative_step: With a float learning rate, cap it at `1/sqrt(t)`.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    _num_scratch = 1
    _elementwise = False

    def build(self, variables):
        super().build(variables)
        rows, columns, velocities = [], [], []
        for var in variables:
            shape = var.value.shape
            if len(shape) < 2:
                rows.append(np.zeros((), dtype="int32"))
                columns.append(np.zeros((), dtype="int32"))
            else:
                rows.append(np.zeros(shape[:-1], dtype=var.value.dtype))
                columns.append(np.zeros(shape[:-2] + shape[-1:],
                                        dtype=var.value.dtype))
            velocities.append(np.zeros_like(var.value))
        # Keras names r and c after the variable itself, v "<path>_velocity".
        self.r, self.c, self.v = self.add_slot_arrays(
            (None, None, "velocity"), [rows, columns, velocities]
        )

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        one = np.float32(1)
        step = np.float32(self.iterations + 1)
        inverse_sqrt_step = one / np.sqrt(step)
        lr = learning_rate
        if not callable(self._learning_rate) and self.relative_step:
            lr = min(lr, inverse_sqrt_step)
        r, c, v = slots
        u = scratch[0]
        rho_t = min(lr, inverse_sqrt_step)
        alpha_t = max(np.float32(self.epsilon_2), _rms(variable)) * rho_t
        regulated_grad_square = np.square(gradient)
        regulated_grad_square += np.float32(self.epsilon_1)
        beta_2_t = one - step ** np.float32(self.beta_2_decay)
        if variable.ndim >= 2:
            r[...] = beta_2_t * r + (one - beta_2_t) * np.mean(
                regulated_grad_square, axis=-1)
            c[...] = beta_2_t * c + (one - beta_2_t) * np.mean(
                regulated_grad_square, axis=-2)
            v[...] = np.expand_dims(r / np.mean(r, axis=-1, keepdims=True),
                                    -1) * np.expand_dims(c, -2)
        else:
            v *= beta_2_t
            regulated_grad_square *= one - beta_2_t
            v += regulated_grad_square
        np.sqrt(v, out=u)
        np.divide(gradient, u, out=u)
        u /= max(one, _rms(u) / np.float32(self.clip_threshold))
        u *= alpha_t
        variable -= u

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}
