"""LSTM: Long Short-Term Memory (Hochreiter & Schmidhuber, 1997).

With the gates `i, f, g, o` (in the kernels' column order):
    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_g)
    c_t = f * c_{t-1} + i * g;  h_t = o * activation(c_t)
"""
import numpy as np

from keraslite import activations
from keraslite.layers.rnn.rnn import (GatedRNNCell, GatedRNNLayer,
                                      activate, activate_backward,
                                      flush_threshold, masked_matmul,
                                      masked_matmul_backward)
from keraslite.utils import workspace

# Activations whose forward is elementwise and whose backward is plain
# arithmetic: with them the fused loop below gives the per-step loop's
# numbers bit for bit (a transcendental function of a strided view may take
# another NumPy path than of a contiguous array, so none is applied to one).
_FUSED_ACTIVATIONS = (activations.sigmoid, activations.hard_sigmoid,
                      activations.tanh, activations.linear, activations.relu,
                      activations.relu6)


class LSTMCell(GatedRNNCell):
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

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
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
        """Gradients of the step's projection and of `[h_{t-1}, c_{t-1}]`,
        and the operands of the recurrent kernel's gradient."""
        h_prev, c_prev, i, f, g, o, tanh_c, (pre_i, pre_f, pre_g, pre_o, pre_c) = ctx
        dh, dc = d_states
        do = dh * tanh_c
        dc = dc + activate_backward(self._act, dh * o, tanh_c, pre_c)
        dz = np.concatenate([
            activate_backward(self._rec_act, dc * g, i, pre_i),
            activate_backward(self._rec_act, dc * c_prev, f, pre_f),
            activate_backward(self._act, dc * i, g, pre_g),
            activate_backward(self._rec_act, do, o, pre_o)], axis=1)
        dh_prev, _ = masked_matmul_backward(h_prev, self.recurrent_kernel.value,
                                            rdp, dz, need_dw=False)
        return dz, [dh_prev, dc * f], (h_prev, dz)

    def run_steps(self, order, proj, pctx, dp, rdp, mask, states, keep,
                  return_sequences):
        """The whole time loop in buffers allocated once per call, for the
        common case (no mask, no recurrent dropout, the built-in `step`,
        activations of `_FUSED_ACTIVATIONS`); None otherwise, and the RNN
        runs `step` / `step_backward` per step. Same numbers as those.

        Returns:
            `(output, final_states, ctx)` as `sequence_forward`; the ctx's
            `backward` is the backpropagation through time.
        """
        if (mask is not None or rdp is not None or not order
                or self.activation not in _FUSED_ACTIVATIONS
                or self.recurrent_activation not in _FUSED_ACTIVATIONS
                or type(self).step is not LSTMCell.step
                or type(self).step_backward is not LSTMCell.step_backward):
            return None
        steps, (batch, u) = len(order), states[0].shape
        rec_forward, act_forward = self._rec_act[0], self._act[0]
        tanh = self.activation is activations.tanh
        kernel = self.recurrent_kernel.value
        # h[i], c[i]: the states before the i-th step run (h[0]: the initial).
        h = workspace.take((steps + 1, batch, u), self.dtype)
        c = workspace.take((steps + 1, batch, u), self.dtype)
        tanh_c = workspace.take((steps, batch, u), self.dtype)
        # g[i]: the cell input gate of the i-th step (contiguous, for the backward)
        g = workspace.take((steps if keep else 1, batch, u), self.dtype)
        h[0], c[0] = states
        rec = np.empty((batch, 4 * u), self.dtype)
        ig = np.empty((batch, u), self.dtype)
        for i, t in enumerate(order):
            z = proj[t]  # (batch, 4 * units), overwritten by the gates i, f, o
            np.matmul(h[i], kernel, out=rec)
            z += rec
            g_i = g[i if keep else 0]
            np.copyto(g_i, z[:, 2 * u:3 * u])
            act_forward(g_i)
            # i, f, o; the g columns get recurrent_activation(z_g), not used
            # (one call on the contiguous rows is faster than three on views)
            rec_forward(z)
            np.multiply(z[:, u:2 * u], c[i], out=c[i + 1])  # c = f * c_prev + i * g
            np.multiply(z[:, :u], g_i, out=ig)
            c[i + 1] += ig
            if tanh:
                np.tanh(c[i + 1], out=tanh_c[i])
            else:
                np.copyto(tanh_c[i], c[i + 1])
                act_forward(tanh_c[i])
            np.multiply(z[:, 3 * u:], tanh_c[i], out=h[i + 1])  # h = o * tanh(c)
        if return_sequences:
            output = h[1:].transpose(1, 0, 2).copy()  # a copy even if batch == 1
        else:
            output = h[steps].copy()
        final = [h[steps].copy(), c[steps].copy()]  # (h and c are given back)
        ctx = None
        if keep:  # its backward gives the buffers back
            ctx = _FusedSteps(self, order, proj, g, h, c, tanh_c, pctx, dp,
                              return_sequences)
        else:
            workspace.give(h, c, tanh_c, g)
        return output, final, ctx

    def get_config(self):
        return {
            **super().get_config(),
            "unit_forget_bias": self.unit_forget_bias,
        }


class _FusedSteps:
    """What the backward of `LSTMCell.run_steps` needs: the gates i, f, o of
    every step (in the projection's buffer), g, the states and `tanh(c)`."""

    def __init__(self, cell, order, gates, g, h, c, tanh_c, x_tm, dp,
                 return_sequences):
        self.cell, self.order, self.gates, self.g = cell, order, gates, g
        self.h, self.c, self.tanh_c = h, c, tanh_c
        self.x_tm, self.dp, self.return_sequences = x_tm, dp, return_sequences

    def backward(self, d_output, d_states, need_input_grad=True):
        """Backpropagation through time, as `sequence_backward` with
        `step_backward`: `(dx, d_initial_states, weight_grads)`."""
        cell, order = self.cell, self.order
        steps, (batch, u) = len(order), self.h.shape[1:]
        dtype = cell.dtype
        rec_backward, act_backward = cell._rec_act[1], cell._act[1]
        d_states = list(d_states) + [None] * (2 - len(d_states))
        d_hc = np.zeros((2, batch, u), dtype)  # the gradients of h and c, flushed together
        dh, dc = d_hc
        for d, given in zip(d_hc, d_states):
            if given is not None:
                d[...] = given
        if d_output is not None:
            d_output = np.asarray(d_output, dtype)
            if self.return_sequences:
                d_output = d_output.transpose(1, 0, 2)  # (timesteps, batch, units)
        kernel_t = np.ascontiguousarray(cell.recurrent_kernel.value.T)
        dz_all = workspace.take((steps, batch, 4 * u), dtype)  # in the steps' order
        tmp = np.empty((batch, u), dtype)
        dg = np.empty((batch, u), dtype)
        absolute = np.empty((2, batch, u), dtype)
        tiny = np.empty((2, batch, u), bool)
        absolute_z = np.empty((batch, 4 * u), dtype)
        tiny_z = np.empty((batch, 4 * u), bool)
        smallest = flush_threshold(np.dtype(dtype))
        for i in range(steps - 1, -1, -1):
            if d_output is not None:
                if self.return_sequences:
                    dh += d_output[i]
                elif i == steps - 1:
                    dh += d_output
            z, dz, tanh_c, g = self.gates[order[i]], dz_all[i], self.tanh_c[i], self.g[i]
            np.multiply(dh, z[:, 3 * u:], out=tmp)  # through h = o * tanh(c)
            dc += act_backward(tmp, tanh_c, None)
            np.multiply(dc, g, out=dz[:, :u])  # d i
            np.multiply(dc, self.c[i], out=dz[:, u:2 * u])  # d f
            np.multiply(dh, tanh_c, out=dz[:, 3 * u:])  # d o
            np.multiply(dc, z[:, :u], out=dg)  # d g
            d_g = act_backward(dg, g, None)
            # The gates' backward through recurrent_activation on all the
            # columns at once (on the gates' strided views, three calls took
            # ~3x as long); in the g columns it makes a finite value from
            # d_g, which is then written over it.
            dz[:, 2 * u:3 * u] = d_g
            rec_backward(dz, z, None)
            dz[:, 2 * u:3 * u] = d_g
            np.matmul(dz, kernel_t, out=dh)  # d h_prev
            np.multiply(dc, z[:, u:2 * u], out=dc)  # d c_prev
            # flush_denormals of the states' gradients, and of dz (used
            # unflushed above, as `sequence_backward` does), without allocating
            for d, a, m in ((d_hc, absolute, tiny), (dz, absolute_z, tiny_z)):
                np.abs(d, out=a)
                np.less(a, smallest, out=m)
                np.copyto(d, 0, where=m)  # (3x faster than np.putmask here)
        grads = cell._zero_grads()
        grads["recurrent_kernel"] = cell.recurrent_kernel_grad([self.h[:-1], dz_all], None)
        d_proj = dz_all if order[0] == 0 else np.ascontiguousarray(dz_all[::-1])
        dx_tm = cell.project_backward(self.x_tm, d_proj, self.dp, grads, need_input_grad)
        dx = None if dx_tm is None else dx_tm.transpose(1, 0, 2).copy()
        workspace.give(dz_all, self.gates, self.g, self.h, self.c, self.tanh_c,
                       self.x_tm, dx_tm)
        self.gates = self.g = self.h = self.c = self.tanh_c = self.x_tm = None  # given back
        return dx, [dh.copy(), dc.copy()], cell._weight_grads(grads)


class LSTM(GatedRNNLayer):
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

    unit_forget_bias = property(lambda self: self.cell.unit_forget_bias)

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
        super().__init__(cell, use_cudnn=use_cudnn, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
