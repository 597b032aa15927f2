"""RNN: the time loop of the recurrent layers, and backpropagation through time.

A built-in cell (SimpleRNNCell, LSTMCell, GRUCell) gives its maths by hand:
`project` (the input projections of all steps, one matrix product), `step`
(one time step) and, beside them, `step_backward` and `project_backward`.
`sequence_forward` / `sequence_backward` below run them over the steps,
handle `go_backwards` and the mask (masked steps carry the state over and
repeat the previous output), and the RNN layer records the whole sequence as
one record on the tape. A user's cell written in `call()` with
`keraslite.ops` is instead called once per step, and each op is recorded.
"""
import numpy as np

from keraslite import activations, autodiff, constraints, initializers
from keraslite import regularizers
from keraslite.layers.layer import Layer, Variable, _accepts_training, number_call
from keraslite.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from keraslite.ops.node import flatten
from keraslite.utils import workspace
from keraslite.utils.numerical_utils import column_sums


# --- small kernels shared by the cells -------------------------------------------
def activate(kernels, z, keep):
    """`(activation(z), z or None)`: the input is kept when the backward
    needs it. `z` is overwritten."""
    forward, _, needs_input = kernels
    # NOTE: a gate's columns are a strided view; NumPy's `clip(out=)` (in
    # the sigmoid kernel) misreads some such views, so work on a copy.
    z = np.ascontiguousarray(z)
    pre = z.copy() if keep and needs_input else None
    return forward(z), pre


def activate_backward(kernels, dy, y, pre):
    """The gradient through an activation (from its output `y`)."""
    return kernels[1](dy, y, pre)


def masked_matmul(a, w, masks):
    """`a @ w`; with a dropout mask `(a * mask) @ w`; with one mask per gate
    `[(a * mask_g) @ w_g for each gate g]`, concatenated."""
    if masks is None:
        return a @ w
    if not isinstance(masks, list):
        return (a * masks) @ w
    units = w.shape[1] // len(masks)
    return np.concatenate(
        [(a * m) @ w[:, g * units:(g + 1) * units] for g, m in enumerate(masks)],
        axis=-1)


def dot_t(a, b, out=None):
    """`a @ b.T` for 2-D arrays (into `out` if given).

    NOTE: a product with a transposed (Fortran-ordered) operand, by `matmul`
    or `np.dot`, took 10-25 ms for (128, 128) by (128, 32) on this loaded
    2-core machine (NumPy 2.4, OpenBLAS), against 0.01 ms for C-ordered
    operands; so the transpose is copied first.
    """
    return np.matmul(a, np.ascontiguousarray(b.T), out=out)


def t_dot(a, b):
    """`a.T @ b` for 2-D arrays: BLAS reads `a` transposed (for the long
    reductions over all steps, faster than copying it; measured 0.17 s
    against 2.0 s for (64000, 32) by (64000, 128))."""
    return np.dot(a.T, b)


def masked_matmul_backward(a, w, masks, dz, need_da=True, need_dw=True, da_out=None):
    """Gradients of `masked_matmul(a, w, masks)`: `(da, dw)` (None when not
    needed); `a` and `dz` may have leading axes (time and batch), summed
    over in `dw`. `da_out`: where to write `da` (one mask or none)."""
    a2 = a.reshape(-1, a.shape[-1])
    dz2 = dz.reshape(-1, dz.shape[-1])
    if not isinstance(masks, list):  # one mask, or none
        da = dw = None
        if need_da:
            da = dot_t(dz2, w, None if da_out is None else da_out.reshape(a2.shape))
            da = da.reshape(a.shape) if da_out is None else da_out
            if masks is not None:
                da *= masks
        if need_dw:
            dw = t_dot(a2 if masks is None else (a * masks).reshape(a2.shape), dz2)
        return da, dw
    units = w.shape[1] // len(masks)
    dw = np.empty_like(w) if need_dw else None
    da = np.zeros_like(a) if need_da else None
    for g, m in enumerate(masks):
        cols = slice(g * units, (g + 1) * units)
        if need_dw:
            dw[:, cols] = t_dot((a * m).reshape(a2.shape), dz2[:, cols])
        if need_da:
            da += dot_t(dz2[:, cols], w[:, cols]).reshape(a.shape) * m
    return da, dw


def flush_threshold(dtype):
    """Magnitudes below which `flush_denormals` zeroes: 2**26 times the
    smallest normal float (2**-100, about 8e-31, in float32)."""
    return np.finfo(dtype).tiny * dtype.type(2.0 ** 26)


def flush_denormals(a):
    """Sets the entries of `a` below `flush_threshold` to 0, in place;
    returns `a`.

    NOTE: gradients that vanish through many steps become subnormal floats,
    on which the CPU computes up to 100 times slower (a 500-step LSTM's
    backward took 10x longer); TensorFlow flushes them to zero in its CPU
    kernels, so Keras's gradients have zeros there too. Flushing only the
    subnormals is not enough: a gradient just above the smallest normal,
    times a gate or a weight, is subnormal again (in the next step and in
    the weight gradients' products: the book's IMDB LSTM spent 1.3 ms on
    each of its last ~50 steps instead of 0.1 ms, and 68 ms instead of 14 ms
    on its two weight-gradient products per batch). An entry below 2**-100
    changes a float32 sum only where the sum is below ~1e-23.
    """
    np.copyto(a, 0, where=np.abs(a) < flush_threshold(a.dtype))
    return a


# --- the time loop -------------------------------------------------------------
def sequence_forward(cell, x, states, mask, training, keep, go_backwards=False,
                     return_sequences=False, zero_output_for_mask=False):
    """Runs a built-in `cell` over `x` (batch, timesteps, features).

    As Keras 3's `backend.rnn`: the steps run in reverse with `go_backwards`
    (and the output sequence is in that order); a masked step keeps the
    previous states and outputs the previous output (zeros before the first
    unmasked step, or always with `zero_output_for_mask`).

    Returns:
        `(output, final_states, ctx)`, where the output is the sequence
        (batch, timesteps, units) or the last output (batch, units).
    """
    steps = x.shape[1]
    order = list(range(steps - 1, -1, -1) if go_backwards else range(steps))
    dp, rdp = cell._active_dropout_masks(x[:, 0], states[0], training)
    x_tm = workspace.take((steps,) + x.shape[:1] + x.shape[2:], x.dtype)
    np.copyto(x_tm, x.transpose(1, 0, 2))  # given back after the backward
    proj, pctx = cell.project(x_tm, dp, keep)
    states = [np.asarray(s, dtype=cell.dtype) for s in states]
    if hasattr(cell, "run_steps"):  # the cell's own fused loop (LSTMCell), if it applies
        result = cell.run_steps(order, proj, pctx, dp, rdp, mask, states, keep,
                                return_sequences)
        if result is not None:
            if not keep:  # else the backward gives them back
                workspace.give(x_tm, proj)
            return result
    out_prev = np.zeros(states[0].shape[:1] + (cell.output_size,), cell.dtype)
    outputs = np.empty((steps if return_sequences else 1,) + out_prev.shape, cell.dtype)
    step_ctx = []
    for i, t in enumerate(order):
        new_states, sctx = cell.step(proj[t], states, rdp, keep)
        out = new_states[0]
        if mask is not None:
            m = mask[:, t, None]
            new_states = [np.where(m, n, s) for n, s in zip(new_states, states)]
            out = np.where(m, out, 0.0 if zero_output_for_mask else out_prev)
        if keep:
            step_ctx.append(sctx)
        outputs[i if return_sequences else 0] = out
        out_prev, states = out, new_states
    if return_sequences:
        output = np.ascontiguousarray(outputs.transpose(1, 0, 2))
    else:
        output = outputs[0]
    ctx = None
    if keep:
        ctx = (x.shape, order, mask, dp, rdp, pctx, step_ctx, return_sequences,
               zero_output_for_mask)
    else:
        workspace.give(x_tm)  # (proj may be viewed by the steps' outputs)
    return output, states, ctx


def sequence_backward(cell, ctx, d_output, d_states, need_input_grad=True):
    """Backpropagation through time of `sequence_forward`, one step at a time
    in reverse.

    Args:
        d_output: Gradient of the output (or None); `d_states`: of the final
            states (a list with None entries, or empty).

    Returns:
        `(dx, d_initial_states, weight_grads)`, the weight gradients aligned
        with the cell's trainable weights.
    """
    if hasattr(ctx, "backward"):  # from a cell's run_steps
        return ctx.backward(d_output, d_states, need_input_grad)
    (shape, order, mask, dp, rdp, pctx, step_ctx, return_sequences,
     zero_output_for_mask) = ctx
    batch = shape[0]
    sizes = cell._state_sizes()
    ds = [np.zeros((batch, n), cell.dtype) if d is None else np.asarray(d, cell.dtype)
          for n, d in zip(sizes, list(d_states) + [None] * (len(sizes) - len(d_states)))]
    if d_output is not None:
        d_output = np.asarray(d_output, cell.dtype)
        if return_sequences:
            d_output = d_output.transpose(1, 0, 2)  # (timesteps, batch, units)
    grads = cell._zero_grads()
    d_proj = np.zeros((len(order), batch, cell._projection_size()), cell.dtype)
    d_carry = None  # gradient reaching the previous output through a masked step
    terms = None  # per step: the operands of the recurrent kernel's gradient
    for i in range(len(order) - 1, -1, -1):
        t = order[i]
        do = None
        if d_output is not None:
            if return_sequences:
                do = d_output[i]
            elif i == len(order) - 1:
                do = d_output
        if d_carry is not None:
            do = d_carry if do is None else do + d_carry
        if mask is not None:
            m = mask[:, t, None]
            keep_states = [np.where(m, 0.0, d) for d in ds]
            ds = [np.where(m, d, 0.0) for d in ds]
            if do is not None:
                d_carry = None if zero_output_for_mask else np.where(m, 0.0, do)
                do = np.where(m, do, 0.0)
        if do is not None:
            ds[0] = ds[0] + do
        d_proj[t], ds, rec = cell.step_backward(step_ctx[i], ds, rdp, grads)
        ds = [flush_denormals(d) for d in ds]
        if terms is None:
            terms = [np.empty((len(order),) + r.shape, cell.dtype) for r in rec]
        for term, r in zip(terms, rec):
            term[i] = r
        if mask is not None:
            ds = [d + k for d, k in zip(ds, keep_states)]
    # The recurrent kernel's gradient over all steps at once.
    grads["recurrent_kernel"] = cell.recurrent_kernel_grad(
        [terms[0]] + [flush_denormals(term) for term in terms[1:]], rdp)
    flush_denormals(d_proj)
    dx_tm = cell.project_backward(pctx, d_proj, dp, grads, need_input_grad)
    dx = None if dx_tm is None else dx_tm.transpose(1, 0, 2).copy()
    workspace.give(pctx, dx_tm)
    return dx, ds, cell._weight_grads(grads)


# --- the cells' shared parts ---------------------------------------------------
class BaseRNNCell(Layer, DropoutRNNCell):
    """What SimpleRNNCell, LSTMCell and GRUCell share: the arguments,
    weights (`kernel`, `recurrent_kernel`, `bias`), the input projection and
    the config. A subclass sets `gates` and writes `step`/`step_backward`."""

    gates = 1
    # LSTM and GRU apply a dropout mask only for 0 < rate < 1 (Keras 3).
    _full_rate_drops = True

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) \
                or units <= 0:
            raise ValueError(
                "Received an invalid value for argument `units`, expected a "
                f"positive integer, got {units}."
            )
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self._act = activations.kernels(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self._seed_rng = None
        self.state_size = self.units
        self.output_size = self.units
        self.kernel = self.recurrent_kernel = self.bias = None

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], width), name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(), name="bias",
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    # --- the pieces sequence_forward / sequence_backward run -------------------
    def _state_sizes(self):
        size = self.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def _projection_size(self):
        return self.gates * self.units

    def _uses(self, rate):
        return rate > 0 and (rate < 1 or self._full_rate_drops)

    def _active_dropout_masks(self, step_input, state, training):
        """The masks applied in this call (drawn as Keras 3 draws them:
        once per call, whether training or not; applied only in training)."""
        dp = self.get_dropout_mask(step_input)
        rdp = self.get_recurrent_dropout_mask(state)
        if not (training and self._uses(self.dropout)):
            dp = None
        if not (training and self._uses(self.recurrent_dropout)):
            rdp = None
        return dp, rdp

    def _input_bias(self):
        return self.bias.value

    def project(self, x_tm, dp, keep):
        """`x @ kernel + bias` for every step at once: (timesteps, batch,
        gates * units)."""
        steps, batch, features = x_tm.shape
        if dp is None:
            kernel = self.kernel.value
            proj = workspace.take((steps, batch, kernel.shape[1]), kernel.dtype)
            np.matmul(x_tm.reshape(-1, features), kernel,
                      out=proj.reshape(-1, kernel.shape[1]))
        else:
            proj = masked_matmul(x_tm, self.kernel.value, dp)
        if self.use_bias:
            proj += self._input_bias()
        return proj, (x_tm if keep else None)

    def project_backward(self, x_tm, d_proj, dp, grads, need_input_grad):
        """The gradient of `x_tm` (None unless `need_input_grad`; in a
        `workspace` array with one dropout mask or none); adds the kernel's
        and the input bias's to `grads`."""
        out = None
        if need_input_grad and not isinstance(dp, list):
            out = workspace.take(x_tm.shape, d_proj.dtype)
        dx, grads["kernel"] = masked_matmul_backward(
            x_tm, self.kernel.value, dp, d_proj, need_input_grad, da_out=out)
        if self.use_bias:
            self._add_input_bias_grad(
                grads, column_sums(d_proj.reshape(-1, d_proj.shape[-1])))
        return dx

    def recurrent_kernel_grad(self, terms, rdp):
        """`h_{t-1}.T @ dz_t` summed over the steps, as one product; `terms`
        holds `h_{t-1}` and `dz_t` of every step, (timesteps, batch, ...)
        (see `step_backward`)."""
        h, dz = terms
        return masked_matmul_backward(h, self.recurrent_kernel.value, rdp, dz,
                                      need_da=False)[1]

    def _add_input_bias_grad(self, grads, db):
        grads["bias"] += db

    def _zero_grads(self):
        grads = {}
        if self.use_bias:
            grads["bias"] = np.zeros(self.bias.shape, self.dtype)
        return grads

    def _weight_grads(self, grads):
        by_name = {"kernel": self.kernel, "recurrent_kernel": self.recurrent_kernel,
                   "bias": self.bias}
        names = {id(v): k for k, v in by_name.items() if v is not None}
        return [grads[names[id(w)]] for w in self.trainable_weights]

    # --- calling the cell on one step ------------------------------------------
    def __call__(self, inputs, states=None, training=None, **kwargs):
        # As Keras's cells: `cell(inputs, states)` (states positional).
        return super().__call__(inputs, states=states, training=training, **kwargs)

    def call(self, inputs, states, training=False):
        """One step: `(output, new_states)` (states as a list)."""
        single = not isinstance(states, (list, tuple))
        states = [states] if single else list(states)
        from keraslite import ops

        sequences = ops.expand_dims(inputs, 1)  # a sequence of one step
        results, _ = run_cell(self, self, sequences, states, None, training,
                              return_sequences=False, return_state=True)
        output, new_states = results[0], results[1:]
        return output, (new_states[0] if single else new_states)

    def get_initial_state(self, batch_size=None):
        return [np.zeros((batch_size, d), dtype=self.dtype)
                for d in self._state_sizes()]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class GatedRNNCell(BaseRNNCell):
    """What LSTMCell and GRUCell add: the gates' `recurrent_activation`, and
    Keras's `implementation` (1, forced by `recurrent_dropout`: one dropout
    mask per gate)."""

    _full_rate_drops = False

    def __init__(self, units, recurrent_activation="sigmoid", **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, **kwargs)
        self.implementation = implementation
        if self.recurrent_dropout != 0.0:
            self.implementation = 1
        if self.implementation == 1:
            self.dropout_mask_count = self.gates
        self.recurrent_activation = activations.get(recurrent_activation)
        self._rec_act = activations.kernels(self.recurrent_activation)

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
        }


def run_cell(owner, cell, sequences, states, mask, training, go_backwards=False,
             return_sequences=False, return_state=False, zero_output_for_mask=False):
    """Runs a built-in cell over `sequences` and records it on the tape as
    one record (inputs: the sequences and the initial states; outputs: the
    output and, with `return_state`, the final states).

    Returns:
        `(outputs, final_states)`: the outputs are the output, or
        `[output, *final_states]` with `return_state` (Tensors when recorded).
    """
    state = autodiff._STATE
    tape = state["tape"]
    number_call(owner, state)
    x = autodiff.value_of(sequences)
    values = [autodiff.value_of(s) for s in states]
    weights = cell.trainable_weights if cell.trainable else []
    keep = tape is not None and (
        autodiff.needs_grad(sequences) or any(autodiff.needs_grad(s) for s in states)
        or any(tape.watches(w) for w in weights))
    try:
        output, final, ctx = sequence_forward(
            cell, x, values, mask, training, keep, go_backwards, return_sequences,
            zero_output_for_mask)
    finally:
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    results = [output] + (list(final) if return_state else [])
    if keep:
        results = [autodiff.Tensor(r, requires_grad=True) for r in results]
        inputs = [sequences] + list(states)

        def backward(grads):
            need = autodiff.needs_grad(sequences)
            dx, d_states, weight_grads = sequence_backward(
                cell, ctx, grads[0], grads[1:], need_input_grad=need)
            for var, grad in zip(weights, weight_grads):
                if tape.watches(var):
                    tape.add_weight_grad(var, grad)
            return [dx] + d_states

        tape.record(backward, inputs, results)
    if return_state:
        return results, final
    return results[0], final


# --- the layer -------------------------------------------------------------------
class RNN(Layer):
    """Base class for recurrent layers: runs a cell over the time axis.

    Args:
        cell: An RNN cell: a layer with `call(inputs_at_t, states_at_t)`
            returning `(output_at_t, states_at_t_plus_1)` and a `state_size`
            attribute (an integer or a list of integers), e.g.
            `LSTMCell(4)` or a user's cell written with `keraslite.ops`; or
            a list of cells (a `StackedRNNCells`: the states, initial and
            returned, are then one entry per cell).
        return_sequences: Whether to return the whole output sequence
            (batch, timesteps, units) or only the last output.
        return_state: Whether to return the last states after the output.
        go_backwards: Whether to process the sequence in reverse (and
            return the reversed output sequence).
        stateful: Whether the last states of a batch are the initial states
            of the next one (needs a fixed batch size); `reset_states()`
            sets them to zeros.
        unroll: Accepted for compatibility (same numbers).
        zero_output_for_mask: Whether masked steps output zeros (else the
            previous output) in the output sequence.

    Call arguments:
        inputs: (batch, timesteps, features).
        mask: Optional boolean (batch, timesteps); False steps are skipped
            (the state is carried over).
        training: Whether dropout is applied.
        initial_state: Optional list of initial state tensors.
    """

    _protect_inputs = False

    def __init__(self, cell, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            from keraslite.layers.rnn.stacked_rnn_cells import StackedRNNCells

            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(
                f"Argument `cell` should have a `call` method. Received: cell={cell}"
            )
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single "
                "integer or list of integers, one integer per RNN state). "
                f"Received: cell={cell}"
            )
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.states = None
        self._expected_batch_size = None
        state_size = getattr(self.cell, "state_size", None)
        if state_size is None:
            raise ValueError(
                "state_size must be specified as property on the RNN cell."
            )
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                "state_size must be an integer, or a list/tuple of integers "
                "(one for each state tensor)."
            )
        if isinstance(state_size, int):
            self.state_size = [state_size]
            self.single_state = True
        else:
            self.state_size = list(state_size)
            self.single_state = False

    def _check_rank(self, shape):
        if not isinstance(shape, tuple) or len(shape) != 3:
            ndim = len(shape) if isinstance(shape, tuple) else "?"
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the "
                f"layer: expected ndim=3, found ndim={ndim}. Full shape "
                f"received: {shape}. A recurrent layer takes sequences "
                "(batch_size, timesteps, features): add an Embedding layer "
                "before it for integer token ids, or a feature axis (e.g. "
                "`x[..., None]` or `Reshape((timesteps, 1))`) for one value "
                "per step."
            )

    def _check_input_shape(self, input_shape):
        self._check_rank(input_shape)

    def _activity_penalty(self, outputs):
        # As Keras 3: with `return_state`, one penalty per returned tensor.
        for output in flatten(outputs):
            super()._activity_penalty(output)

    def build(self, sequences_shape, initial_state_shape=None):
        self._check_rank(tuple(sequences_shape))
        if self.unroll and sequences_shape[1] is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n"
                "- If using a Sequential model, specify the time dimension by "
                "passing an `Input()` as your first layer.\n- If using the "
                "functional API, specify the time dimension by passing a "
                "`shape` or `batch_shape` argument to your `Input()`."
            )
        step_input_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_input_shape)
            self.cell.built = True
            self.cell.input_shape = step_input_shape  # its build_config
            if self._stacked():  # Keras's variable paths (legacy .h5 names)
                for cell in self.cell.cells:
                    for w in getattr(cell, "weights", []):
                        w.path = f"{self.name}/{self.cell.name}/{cell.name}/{w.name}"
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            else:
                if sequences_shape[0] is None:
                    raise ValueError(
                        "When using `stateful=True` in a RNN, the batch size "
                        "must be static. Found dynamic batch size: "
                        f"sequence.shape={tuple(sequences_shape)}"
                    )
                self.states = [
                    Variable(np.asarray(s, self.dtype), "rnn_state", trainable=False,
                             path=f"{self.name}/rnn_state")
                    for s in flatten(self.get_initial_state(sequences_shape[0]))]
                self._expected_batch_size = sequences_shape[0]
        self.built = True

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, length = sequences_shape[0], sequences_shape[1]
        states_shape = [(batch_size, s) if isinstance(s, int) else
                        [(batch_size, d) for d in s] for s in self.state_size]
        output_size = getattr(self.cell, "output_size", None) or self.state_size[0]
        if self.return_sequences:
            output_shape = (batch_size, length, output_size)
        else:
            output_shape = (batch_size, output_size)
        if self.return_state:
            return [output_shape, *states_shape]
        return output_shape

    def compute_mask(self, _, mask):
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    def get_initial_state(self, batch_size):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is None:
            return [np.zeros((batch_size, d), dtype=self.dtype) for d in self.state_size]
        init = fn(batch_size=batch_size)
        return list(init) if isinstance(init, (list, tuple)) else [init]

    def reset_states(self):
        self.reset_state()

    def reset_state(self):
        """Sets the states of a stateful layer to zeros."""
        if self.states is not None:
            for v in self.states:
                v.assign(np.zeros_like(v.value))

    def _check_mask(self, mask, shape):
        mask = np.asarray(autodiff.value_of(mask))
        if mask.shape != tuple(shape[:2]):
            raise ValueError(
                f"The mask passed to layer '{self.name}' must have shape "
                f"(batch_size, timesteps) = {tuple(shape[:2])}. Received: "
                f"mask.shape={mask.shape}"
            )
        return mask.astype(bool)

    def _check_initial_state(self, initial_state, batch, sizes=None):
        sizes = self.state_size if sizes is None else sizes
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        initial_state = list(initial_state)
        if len(initial_state) != len(sizes):
            raise ValueError(
                f"Layer '{self.name}' expects {len(sizes)} initial "
                f"state(s) of shapes {[(batch, s) for s in sizes]}. "
                f"Received: {len(initial_state)} initial state(s)."
            )
        out = []
        for s, size in zip(initial_state, sizes):
            if isinstance(s, Variable):
                s = s.value
            if not isinstance(s, autodiff.Tensor):
                s = np.asarray(s, dtype=self.dtype)
            if tuple(s.shape) != (batch, size):
                raise ValueError(
                    f"An initial state of layer '{self.name}' must have shape "
                    f"{(batch, size)}. Received: shape={tuple(s.shape)}"
                )
            out.append(s)
        return out

    def call(self, sequences, initial_state=None, mask=None, training=False):
        shape = tuple(sequences.shape)
        self._check_rank(shape)
        if initial_state is None:
            if self.stateful:
                initial_state = [v.value.copy() for v in self.states]
                if self._stacked():
                    initial_state = self._per_cell(initial_state)
            else:
                initial_state = self.get_initial_state(shape[0])
        if self.stateful and self._expected_batch_size is not None and \
                shape[0] != self._expected_batch_size:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences "
                "must be the same as the batch size of the initial state. \n"
                f"- Expected batch size: {self._expected_batch_size}\n"
                f"- Received batch size: {shape[0]}"
            )
        if mask is not None:
            mask = self._check_mask(mask, shape)
        if self._stacked():
            outputs, final = self._stacked_call(sequences, initial_state, mask,
                                                training)
        elif isinstance(self.cell, BaseRNNCell):
            states = self._check_initial_state(initial_state, shape[0])
            outputs, final = run_cell(
                self, self.cell, sequences, states, mask, training,
                self.go_backwards, self.return_sequences, self.return_state,
                self.zero_output_for_mask)
        else:
            states = self._check_initial_state(initial_state, shape[0])
            outputs, final = self._user_cell_call(sequences, states, mask, training)
        if self.stateful:
            for var, value in zip(self.states, flatten(final)):
                var.assign(autodiff.value_of(value))
        return outputs

    def _user_cell_call(self, sequences, states, mask, training):
        autodiff.enter_call()  # the cell's calls are inner calls (Tensors out)
        try:
            return self._cell_loop(sequences, states, mask, training)
        finally:
            autodiff.exit_call()

    # --- stacked cells (StackedRNNCells) ----------------------------------------
    def _stacked(self):
        from keraslite.layers.rnn.stacked_rnn_cells import StackedRNNCells

        return isinstance(self.cell, StackedRNNCells)

    def _per_cell(self, flat):
        """Flat states as one list per cell of a StackedRNNCells."""
        out, start = [], 0
        for size in self.state_size:
            n = len(size) if isinstance(size, (list, tuple)) else 1
            out.append(list(flat[start:start + n]))
            start += n
        return out

    def _stacked_call(self, sequences, initial_state, mask, training):
        """The cells of a StackedRNNCells over the sequence.

        Built-in cells run one after the other, each over the whole
        sequence (one record each): cell k's input at step t is cell k-1's
        output at step t, as when the stack runs step by step. The states
        are one entry per cell, a list where the initial one was a list (as
        Keras returns them)."""
        cells = self.cell.cells
        batch = tuple(sequences.shape)[0]
        if not isinstance(initial_state, (list, tuple)) or \
                len(initial_state) != len(cells):
            raise ValueError(
                f"Layer '{self.name}' expects one initial state entry per cell "
                f"({len(cells)}, of state sizes {self.state_size}). Received: "
                f"initial_state={initial_state}"
            )
        per_cell, as_list = [], []
        for size, states in zip(self.state_size, initial_state):
            sizes = list(size) if isinstance(size, (list, tuple)) else [size]
            as_list.append(isinstance(states, (list, tuple)))
            per_cell.append(self._check_initial_state(states, batch, sizes))
        if all(isinstance(c, BaseRNNCell) for c in cells):
            x, finals = sequences, []
            for k, (cell, states) in enumerate(zip(cells, per_cell)):
                top = k == len(cells) - 1
                results, _ = run_cell(
                    cell, cell, x, states, mask, training,
                    go_backwards=self.go_backwards and k == 0,
                    return_sequences=self.return_sequences or not top,
                    return_state=True,
                    zero_output_for_mask=self.zero_output_for_mask and top)
                x, final = results[0], results[1:]
                finals.append(final)
                if k == 0 and self.go_backwards and mask is not None:
                    mask = mask[:, ::-1]  # the next cells see steps in order
            finals = [f if is_list else f[0] for f, is_list in zip(finals, as_list)]
            if self.return_state:
                return [x, *finals], finals
            return x, finals
        states = [s if is_list else s[0] for s, is_list in zip(per_cell, as_list)]
        return self._user_cell_call(sequences, states, mask, training)

    def _cell_loop(self, sequences, states, mask, training):
        """A user's cell, called once per step; the tape records its ops."""
        from keraslite import ops

        steps = sequences.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        kwargs = {"training": training} if _accepts_training(self.cell) else {}
        previous, outputs = None, []
        for t in order:
            output, new_states = self.cell(sequences[:, t], states=list(states), **kwargs)
            if not isinstance(new_states, (list, tuple)):
                new_states = [new_states]
            if mask is not None:
                m = mask[:, t, None]
                new_states = [_where_nested(m, n, s) for n, s in zip(new_states, states)]
                if previous is None or self.zero_output_for_mask:
                    previous = np.zeros(output.shape, self.dtype)
                output = ops.where(m, output, previous)
            outputs.append(output)
            previous, states = output, list(new_states)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.return_state:
            return [output, *states], states
        return output, states

    def get_config(self):
        from keraslite import layers

        config = {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        config["cell"] = layers.serialize(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite import layers

        config = _keras2_config(config)  # a Keras 2 file's `time_major`
        cell = layers.deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _where_nested(mask, new, old):
    """`ops.where(mask, new, old)` on each state of (nested lists of) states."""
    from keraslite import ops

    if isinstance(new, (list, tuple)):
        return [_where_nested(mask, n, o) for n, o in zip(new, old)]
    return ops.where(mask, new, old)


def _keras2_config(config):
    """A layer config without the `time_major` (False) that Keras 2
    (tf.keras) files add; keraslite, as Keras 3, has no time-major layout."""
    config = dict(config)
    if config.pop("time_major", False):
        raise ValueError(
            "keraslite's recurrent layers take (batch, timesteps, features) "
            "inputs. Received: time_major=True"
        )
    return config


class RNNCellAttributes:
    """The cell's arguments read through the layer (`layer.units`, ...)."""

    units = property(lambda self: self.cell.units)
    activation = property(lambda self: self.cell.activation)
    use_bias = property(lambda self: self.cell.use_bias)
    kernel_initializer = property(lambda self: self.cell.kernel_initializer)
    recurrent_initializer = property(lambda self: self.cell.recurrent_initializer)
    bias_initializer = property(lambda self: self.cell.bias_initializer)
    kernel_regularizer = property(lambda self: self.cell.kernel_regularizer)
    recurrent_regularizer = property(lambda self: self.cell.recurrent_regularizer)
    bias_regularizer = property(lambda self: self.cell.bias_regularizer)
    kernel_constraint = property(lambda self: self.cell.kernel_constraint)
    recurrent_constraint = property(lambda self: self.cell.recurrent_constraint)
    bias_constraint = property(lambda self: self.cell.bias_constraint)
    dropout = property(lambda self: self.cell.dropout)
    recurrent_dropout = property(lambda self: self.cell.recurrent_dropout)

    @classmethod
    def from_config(cls, config):
        return cls(**_keras2_config(config))

    def _layer_config(self, extra):
        """The RNN layer's config with the cell's arguments instead of the
        cell (as Keras's SimpleRNN, LSTM, GRU)."""
        cell_config = self.cell.get_config()
        base = RNN.get_config(self)
        del base["cell"]
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**base, **cell_config,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                **extra}


class GatedRNNLayer(RNNCellAttributes, RNN):
    """What LSTM and GRU share: `recurrent_activation`, `implementation`
    and Keras's `use_cudnn` argument ("auto", True or False; keraslite runs
    on the CPU, so True raises at call time as Keras does without cuDNN)."""

    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    implementation = property(lambda self: self.cell.implementation)

    def __init__(self, cell, use_cudnn="auto", **kwargs):
        super().__init__(cell, **kwargs)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "Invalid valid received for argument `use_cudnn`. Expected one "
                f"of {{'auto', True, False}}. Received: use_cudnn={use_cudnn}"
            )
        self.use_cudnn = use_cudnn

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if self.use_cudnn is True:
            raise ValueError(
                "use_cudnn=True was specified, but cuDNN is not supported for "
                "this layer configuration with this backend. Pass "
                "use_cudnn='auto' to fallback to a non-cuDNN implementation."
            )
        return super().call(sequences, initial_state=initial_state, mask=mask,
                            training=training)

    def get_config(self):
        return self._layer_config({})
