"""Metric: the base of stateful metrics, `update_state(y_true, y_pred)`,
`result()`, `reset_state()`."""
import numpy as np

from keraslite import backend
from keraslite.utils.naming import snake_case, unique_name


class Metric:
    """Base class of stateful metrics.

    Args:
        name: Name of the metric (the key in logs and History).
        dtype: dtype of the metric's state and result.
    """

    # "up" or "down": which way is better, read by EarlyStopping & co. in
    # mode="auto" (Keras's metrics carry the same attribute).
    _direction = None

    def __init__(self, name=None, dtype=None):
        # As Keras: an unnamed metric gets its class name in snake_case,
        # made unique in the session ("auc", "auc_1", ...).
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = dtype or backend.floatx()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} must implement update_state()."
        )

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        for name, value in self._state().items():
            setattr(self, name, np.zeros_like(value))

    def _state(self):
        """The state variables by their Keras names, in Keras's order."""
        return {}

    @property
    def variables(self):
        return list(self._state().values())

    @property
    def dtype_type(self):
        """The NumPy scalar type of the metric's state (float32)."""
        return np.dtype(self.dtype).type

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
