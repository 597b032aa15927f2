"""GRU: Gated Recurrent Unit (Cho et al., 2014).

With the gates `z, r, h` (in the kernels' column order), `x = x_t @ kernel +
input_bias` and `m = h_{t-1} @ recurrent_kernel (+ recurrent_bias)`:
    z, r = recurrent_activation(x_z + m_z, x_r + m_r)
    reset_after=True:  hh = activation(x_h + r * m_h)
    reset_after=False: hh = activation(x_h + (r * h_{t-1}) @ recurrent_kernel_h)
    h_t = z * h_{t-1} + (1 - z) * hh
"""
import numpy as np

from keraslite import activations
from keraslite.layers.rnn.lstm import _check_use_cudnn, _refuse_cudnn
from keraslite.layers.rnn.rnn import (RNN, BaseRNNCell, RNNCellAttributes,
                                      activate, activate_backward,
                                      masked_matmul, masked_matmul_backward)


class GRUCell(BaseRNNCell):
    """Cell class for the GRU layer: one step.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation of the candidate state (tanh).
        recurrent_activation: Activation of the gates (sigmoid).
        use_bias, initializers (orthogonal recurrent kernel), regularizers,
        constraints, dropout, recurrent_dropout, seed: As `LSTMCell`.
        reset_after: Whether the reset gate applies after the recurrent
            matrix product (True, the default, as cuDNN; the bias is then
            (2, 3 * units): input bias and recurrent bias) or before it.

    Call arguments:
        inputs: (batch, features) inputs of one step; states: `[h]`.
    """

    gates = 3
    _full_rate_drops = False

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
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
            self.dropout_mask_count = 3
        self.recurrent_activation = activations.get(recurrent_activation)
        self._rec_act = activations.kernels(self.recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias.value[0] if self.reset_after else self.bias.value

    def _add_input_bias_grad(self, grads, db):
        if self.reset_after:
            grads["bias"][0] += db
        else:
            grads["bias"] += db

    def _rec_masks(self, rdp, gates):
        return None if rdp is None else rdp[gates]

    def step(self, proj_t, states, rdp, keep):
        """One step: `[h]` and what its backward needs."""
        h_prev = states[0]
        u = self.units
        kernel = self.recurrent_kernel.value
        if self.reset_after:
            m = masked_matmul(h_prev, kernel, rdp)
            if self.use_bias:
                m += self.bias.value[1]
        else:
            m = masked_matmul(h_prev, kernel[:, :2 * u], self._rec_masks(rdp, slice(0, 2)))
        z, pre_z = activate(self._rec_act, proj_t[:, :u] + m[:, :u], keep)
        r, pre_r = activate(self._rec_act, proj_t[:, u:2 * u] + m[:, u:2 * u], keep)
        if self.reset_after:
            m_h = m[:, 2 * u:]
            a = proj_t[:, 2 * u:] + r * m_h
        else:
            h_h = h_prev if rdp is None else h_prev * rdp[2]
            m_h = r * h_h  # the reset state, before its matrix product
            a = proj_t[:, 2 * u:] + m_h @ kernel[:, 2 * u:]
        hh, pre_h = activate(self._act, a, keep)
        h = z * h_prev + (1 - z) * hh
        ctx = (h_prev, z, r, hh, m_h, (pre_z, pre_r, pre_h)) if keep else None
        return [h], ctx

    def step_backward(self, ctx, d_states, rdp, grads):
        """Gradients of the step's projection and of `[h_{t-1}]`."""
        h_prev, z, r, hh, m_h, (pre_z, pre_r, pre_h) = ctx
        u = self.units
        kernel = self.recurrent_kernel.value
        dh = d_states[0]
        dh_prev = dh * z
        da = activate_backward(self._act, dh * (1 - z), hh, pre_h)
        if self.reset_after:
            dr = da * m_h
            dm_h = da * r
        else:
            grads["recurrent_kernel"][:, 2 * u:] += m_h.T @ da
            d_reset = da @ kernel[:, 2 * u:].T
            dr = d_reset * h_prev if rdp is None else d_reset * (h_prev * rdp[2])
            dh_h = d_reset * r
            dh_prev += dh_h if rdp is None else dh_h * rdp[2]
        dz = activate_backward(self._rec_act, dh * (h_prev - hh), z, pre_z)
        dr = activate_backward(self._rec_act, dr, r, pre_r)
        d_proj = np.concatenate([dz, dr, da], axis=1)
        if self.reset_after:
            dm = np.concatenate([dz, dr, dm_h], axis=1)
            dh_m, dw = masked_matmul_backward(h_prev, kernel, rdp, dm)
            grads["recurrent_kernel"] += dw
            if self.use_bias:
                grads["bias"][1] += dm.sum(0)
        else:
            dh_m, dw = masked_matmul_backward(
                h_prev, kernel[:, :2 * u], self._rec_masks(rdp, slice(0, 2)),
                d_proj[:, :2 * u])
            grads["recurrent_kernel"][:, :2 * u] += dw
        return d_proj, [dh_prev + dh_m]

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


class GRU(RNNCellAttributes, RNN):
    """Gated Recurrent Unit layer (Cho et al. 2014).

    Args:
        units: Positive integer, dimensionality of the output space.
        activation, recurrent_activation, use_bias, initializers,
        regularizers, constraints, dropout, recurrent_dropout, seed,
        reset_after: As `GRUCell`.
        activity_regularizer: Optional regularizer of the output.
        return_sequences, return_state, go_backwards, stateful, unroll:
            As `RNN`.
        use_cudnn: As `LSTM`.

    Example:
    >>> layer = GRU(4, return_sequences=True)
    >>> layer(np.ones((32, 10, 8), "float32")).shape
    (32, 10, 4)
    """

    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    reset_after = property(lambda self: self.cell.reset_after)
    implementation = property(lambda self: self.cell.implementation)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout,
            reset_after=reset_after, dtype=kwargs.get("dtype", None),
            trainable=kwargs.get("trainable", True), name="gru_cell", seed=seed,
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
