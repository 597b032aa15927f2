"""SimpleRNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`."""
from keraslite.layers.rnn.rnn import (RNN, BaseRNNCell, RNNCellAttributes,
                                      activate, activate_backward,
                                      masked_matmul_backward)


class SimpleRNNCell(BaseRNNCell):
    """Cell class for SimpleRNN: one step of a fully-connected RNN.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation function (tanh).
        use_bias: Whether the layer adds a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer:
            Initializers of the input kernel (glorot_uniform), the recurrent
            kernel (orthogonal) and the bias (zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: Optional.
        dropout: Fraction of the inputs to drop (one mask per call).
        recurrent_dropout: Fraction of the recurrent state to drop.
        seed: Random seed for dropout.

    Call arguments:
        sequence: (batch, features) inputs of one step; states: `[h]`.
    """

    gates = 1

    def step(self, proj_t, states, rdp, keep):
        """One step: `[h]` and what its backward needs."""
        h_in = states[0] if rdp is None else states[0] * rdp
        z = proj_t + h_in @ self.recurrent_kernel.value
        h, pre = activate(self._act, z, keep)
        return [h], ((h_in, h, pre) if keep else None)

    def step_backward(self, ctx, d_states, rdp, grads):
        """Gradients of the step's projection and of `[h_{t-1}]`."""
        h_in, h, pre = ctx
        dz = activate_backward(self._act, d_states[0], h, pre)
        dh_prev, dw = masked_matmul_backward(h_in, self.recurrent_kernel.value,
                                             None, dz)
        grads["recurrent_kernel"] += dw
        return dz, [dh_prev if rdp is None else dh_prev * rdp]



class SimpleRNN(RNNCellAttributes, RNN):
    """Fully-connected RNN where the output is fed back as the new input.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation, use_bias, initializers, regularizers, constraints,
        dropout, recurrent_dropout, seed: As `SimpleRNNCell`.
        activity_regularizer: Accepted and ignored, as Keras 3.15's
            SimpleRNN does (its config reads None).
        return_sequences, return_state, go_backwards, stateful, unroll:
            As `RNN`.

    Example:
    >>> layer = SimpleRNN(4)
    >>> layer(np.ones((32, 10, 8), "float32")).shape
    (32, 4)
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype", None), trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, mask=mask, training=training,
                            initial_state=initial_state)

    def get_config(self):
        config = self._layer_config({})
        del config["seed"]  # as Keras 3.15's SimpleRNN
        return config
