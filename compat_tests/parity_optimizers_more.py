"""Parity rows of the optimizer options of Keras 3's base optimizer:
`use_ema` (with and without `ema_overwrite_frequency`) and
`gradient_accumulation_steps`, alone and with clipping, weight decay and a
learning-rate schedule, for every optimizer: 50 steps on the same
gradients, every weight and optimizer variable (names, order, values),
`iterations`, the weights after `finalize_variable_values` and the config.

Builders here return `Row`s that `parity.all_rows()` adds to the table.
"""

# A learning rate that moves the weights in 50 steps, per optimizer.
_LEARNING_RATES = {
    "SGD": 0.05, "RMSprop": 0.01, "Adam": 0.01, "AdamW": 0.01, "Adadelta": 1.0,
    "Adagrad": 0.1, "Adamax": 0.01, "Nadam": 0.01, "Ftrl": 0.1, "Lion": 0.003,
    "Lamb": 0.01, "Adafactor": 0.01,
}

# ("schedule", class name, config): each library builds its own schedule.
_SCHEDULE = ("schedule", "ExponentialDecay",
             {"decay_steps": 10, "decay_rate": 0.7})

_OPTIONS = [
    {"use_ema": True},
    {"use_ema": True, "ema_overwrite_frequency": 7},
    {"gradient_accumulation_steps": 3},
    {"gradient_accumulation_steps": 3, "use_ema": True, "ema_momentum": 0.9,
     "ema_overwrite_frequency": 7, "clipnorm": 0.5, "weight_decay": 0.01},
    {"gradient_accumulation_steps": 3, "use_ema": True, "global_clipnorm": 1.0,
     "learning_rate": _SCHEDULE},
]


def _kwargs_for(cls):
    """`kwargs_for(optimizers, kwargs)`: the constructor arguments, with the
    schedule of `optimizers`' own library in place of `_SCHEDULE`."""
    def kwargs_for(optimizers, kwargs):
        if kwargs.get("learning_rate") != _SCHEDULE:
            return kwargs
        _, name, config = _SCHEDULE
        schedule = getattr(optimizers.schedules, name)(
            initial_learning_rate=_LEARNING_RATES[cls], **config)
        return {**kwargs, "learning_rate": schedule}

    return kwargs_for


def optimizer_option_rows():
    from compat_tests.parity import _MORE_OPT_SHAPES, _optimizer_case_row

    return [_optimizer_case_row(cls, {"learning_rate": lr, **option},
                                shapes=_MORE_OPT_SHAPES,
                                kwargs_for=_kwargs_for(cls))
            for cls, lr in _LEARNING_RATES.items() for option in _OPTIONS]
