"""StackedRNNCells: a stack of RNN cells behaving as one cell."""
import numpy as np

from keraslite.layers.layer import Layer, _accepts_training


def _output_size(cell):
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    if isinstance(cell.state_size, (list, tuple)):
        return cell.state_size[0]
    return cell.state_size


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    At each step a cell's output is the input of the next one; the states
    are one entry per cell (a state, or a list of states). `RNN([cell1,
    cell2])` wraps its list in this class. Built-in cells in an `RNN` run
    one cell over the whole sequence after the other (the same numbers).

    Args:
        cells: List of RNN cell instances.

    Example:
    >>> cells = [keraslite.layers.LSTMCell(8) for _ in range(2)]
    >>> layer = keraslite.layers.RNN(keraslite.layers.StackedRNNCells(cells))
    >>> layer(np.ones((3, 5, 2), "float32")).shape
    (3, 8)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(
                    "All cells must have a `call` method. "
                    f"Received cell without a `call` method: {cell}"
                )
            if "state_size" not in dir(cell):
                raise ValueError(
                    "All cells must have a `state_size` attribute. "
                    f"Received cell without a `state_size`: {cell}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """One entry per cell: its `get_initial_state`, else zeros."""
        initial_states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn:
                initial_states.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                initial_states.append(
                    np.zeros((batch_size, cell.state_size), self.dtype))
            else:
                initial_states.append([np.zeros((batch_size, d), self.dtype)
                                       for d in cell.state_size])
        return initial_states

    def call(self, inputs, states, training=False):
        """One step: `(output of the last cell, new states per cell)`."""
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if is_list else [cell_states]
            kwargs = {"training": training} if isinstance(cell, Layer) and \
                _accepts_training(cell) else {}
            if isinstance(cell, Layer):  # states by keyword (Layer.__call__)
                inputs, cell_states = cell(inputs, states=cell_states, **kwargs)
            else:
                call = cell.__call__ if callable(cell) else cell.call
                inputs, cell_states = call(inputs, cell_states, **kwargs)
            if not isinstance(cell_states, (list, tuple)):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not is_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
                cell.input_shape = tuple(input_shape)  # its build_config
            input_shape = (tuple(input_shape)[0], _output_size(cell))
        self.built = True

    def get_config(self):
        from keraslite import layers

        return {**super().get_config(),
                "cells": [layers.serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite import layers

        config = dict(config)
        cells = [layers.deserialize(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
