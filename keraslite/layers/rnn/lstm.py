"""LSTM: Long Short-Term Memory (Hochreiter & Schmidhuber, 1997).

With the gates `i, f, g, o` (in the kernels' column order):
    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_g)
    c_t = f * c_{t-1} + i * g;  h_t = o * activation(c_t)
"""
import numpy as np

from keraslite import activations
from keraslite.layers.rnn.rnn import (RNN, BaseRNNCell, RNNCellAttributes,
                                      activate, activate_backward,
                                      masked_matmul, masked_matmul_backward)


class LSTMCell(BaseRNNCell):
    """Cell class for the LSTM layer: one step.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation of the cell input and the output (tanh).
        recurrent_activation: Activation of the gates (sigmoid).
        use_bias, kernel_initializer, recurrent_initializer (orthogonal),
        bias_initializer, regularizers, constraints: As `SimpleRNNCell`.
        unit_forget_bias: Whether the forget gate's bias starts at 1.
        dropout, recurrent_dropout, seed: As `SimpleRNNCell`; with
            `recurrent_dropout` (or `implementation=1`) each gate has its
            own masks, as in Keras 3.

    Call arguments:
        inputs: (batch, features) inputs of one step; states: `[h, c]`.
    """

    gates = 4
    _full_rate_drops = False

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.implementation = implementation
        if self.recurrent_dropout != 0.0:
            self.implementation = 1
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.recurrent_activation = activations.get(recurrent_activation)
        self._rec_act = activations.kernels(self.recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def bias_initializer(shape, dtype=None):
            return np.concatenate([init((units,), dtype=dtype),
                                   np.ones((units,), dtype=dtype),
                                   init((units * 2,), dtype=dtype)])

        return bias_initializer

    def step(self, proj_t, states, rdp, keep):
        """One step: `[h, c]` and what its backward needs."""
        h_prev, c_prev = states
        u = self.units
        z = proj_t + masked_matmul(h_prev, self.recurrent_kernel.value, rdp)
        i, pre_i = activate(self._rec_act, z[:, :u], keep)
        f, pre_f = activate(self._rec_act, z[:, u:2 * u], keep)
        g, pre_g = activate(self._act, z[:, 2 * u:3 * u], keep)
        o, pre_o = activate(self._rec_act, z[:, 3 * u:], keep)
        c = f * c_prev + i * g
        tanh_c, pre_c = activate(self._act, c.copy(), keep)
        h = o * tanh_c
        ctx = None
        if keep:
            ctx = (h_prev, c_prev, i, f, g, o, tanh_c,
                   (pre_i, pre_f, pre_g, pre_o, pre_c))
        return [h, c], ctx

    def step_backward(self, ctx, d_states, rdp, grads):
        """Gradients of the step's projection and of `[h_{t-1}, c_{t-1}]`."""
        h_prev, c_prev, i, f, g, o, tanh_c, (pre_i, pre_f, pre_g, pre_o, pre_c) = ctx
        dh, dc = d_states
        do = dh * tanh_c
        dc = dc + activate_backward(self._act, dh * o, tanh_c, pre_c)
        dz = np.concatenate([
            activate_backward(self._rec_act, dc * g, i, pre_i),
            activate_backward(self._rec_act, dc * c_prev, f, pre_f),
            activate_backward(self._act, dc * i, g, pre_g),
            activate_backward(self._rec_act, do, o, pre_o)], axis=1)
        dh_prev, dw = masked_matmul_backward(h_prev, self.recurrent_kernel.value,
                                             rdp, dz)
        grads["recurrent_kernel"] += dw
        return dz, [dh_prev, dc * f]

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class LSTM(RNNCellAttributes, RNN):
    """Long Short-Term Memory layer (Hochreiter 1997).

    Args:
        units: Positive integer, dimensionality of the output space.
        activation, recurrent_activation, use_bias, initializers,
        unit_forget_bias, regularizers, constraints, dropout,
        recurrent_dropout, seed: As `LSTMCell`.
        activity_regularizer: Optional regularizer of the output.
        return_sequences, return_state, go_backwards, stateful, unroll:
            As `RNN`.
        use_cudnn: Accepted ("auto", True or False); keraslite runs on the
            CPU, so `True` raises at call time as Keras does without cuDNN.

    Example:
    >>> layer = LSTM(4, return_state=True)
    >>> output, h, c = layer(np.ones((32, 10, 8), "float32"))
    """

    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    unit_forget_bias = property(lambda self: self.cell.unit_forget_bias)
    implementation = property(lambda self: self.cell.implementation)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False,
                 unroll=False, use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout,
            dtype=kwargs.get("dtype", None), trainable=kwargs.get("trainable", True),
            name="lstm_cell", seed=seed,
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = _check_use_cudnn(use_cudnn)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        _refuse_cudnn(self)
        return super().call(sequences, mask=mask, training=training,
                            initial_state=initial_state)

    def get_config(self):
        return self._layer_config({})


def _check_use_cudnn(use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            "Invalid valid received for argument `use_cudnn`. Expected one of "
            f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}"
        )
    return use_cudnn


def _refuse_cudnn(layer):
    if layer.use_cudnn is True:
        raise ValueError(
            "use_cudnn=True was specified, but cuDNN is not supported for this "
            "layer configuration with this backend. Pass use_cudnn='auto' to "
            "fallback to a non-cuDNN implementation."
        )

