"""AdamW: Adam with decoupled weight decay."""
from keraslite.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Before each step, `w -= w * weight_decay * learning_rate` (the base
    class's weight decay, which `exclude_from_weight_decay` can turn off
    per variable); then the Adam step.

    Args:
        learning_rate: Float or schedule (default 0.001).
        weight_decay: Decoupled weight decay factor (0.004); required.
        beta_1, beta_2, epsilon, amsgrad: As for `Adam`.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-7, amsgrad=False, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1,
                         beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         name=name, weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: "
                "weight_decay=None"
            )
