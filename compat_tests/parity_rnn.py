"""Parity rows of the recurrent layers (SimpleRNN, LSTM, GRU, their cells
under RNN): forward, the gradients of the input, of the initial states and
of every weight against Keras's under `tf.GradientTape`, output shapes and
configs, over hand-picked and seeded random configurations of every option
(masks, initial states, go_backwards, return_state, return_sequences,
unroll, activations, use_bias, reset_after, and dropout in training with the
same masks given to both).

`RNN_CASES` is shared with the float64 gradient checks of tests/test_rnn.py.
"""
import numpy as np

import keraslite
from keraslite import autodiff


def _case(cls, kwargs, shape=(3, 5, 4), mask=False, initial_state=False,
          label=None, cell=False):
    """(name, cls, kwargs, input shape, mask, initial_state, cell)."""
    name = f"{cls}[{label}]" if label else cls
    return name, cls, kwargs, shape, mask, initial_state, cell


_CHOSEN = [
    _case("SimpleRNN", dict(units=3)),
    _case("SimpleRNN", dict(units=3, return_sequences=True), mask=True,
          initial_state=True, label="return_sequences, mask, initial_state"),
    _case("SimpleRNN", dict(units=2, go_backwards=True, return_state=True,
                            return_sequences=True), mask=True,
          label="go_backwards, return_state, mask"),
    _case("SimpleRNN", dict(units=4, activation="relu", use_bias=False, unroll=True),
          label="relu, no bias, unroll"),
    _case("LSTM", dict(units=3)),
    _case("LSTM", dict(units=3, return_sequences=True, return_state=True), mask=True,
          initial_state=True, label="return_sequences, return_state, mask, initial_state"),
    _case("LSTM", dict(units=2, go_backwards=True, unit_forget_bias=False),
          mask=True, label="go_backwards, mask, unit_forget_bias=False"),
    _case("LSTM", dict(units=3, activation="relu", recurrent_activation="hard_sigmoid",
                       use_bias=False, implementation=1),
          label="relu, hard_sigmoid, no bias, implementation=1"),
    _case("GRU", dict(units=3)),
    _case("GRU", dict(units=3, reset_after=False), label="reset_after=False"),
    _case("GRU", dict(units=3, return_sequences=True, return_state=True), mask=True,
          initial_state=True, label="return_sequences, return_state, mask, initial_state"),
    _case("GRU", dict(units=2, reset_after=False, go_backwards=True,
                      return_sequences=True), mask=True, initial_state=True,
          label="reset_after=False, go_backwards, mask, initial_state"),
    _case("GRU", dict(units=3, use_bias=False, activation="elu",
                      recurrent_activation="hard_sigmoid", reset_after=False),
          label="no bias, elu, hard_sigmoid, reset_after=False"),
    _case("GRU", dict(units=3, use_bias=False), label="no bias, reset_after=True"),
    # dropout in training, the same masks given to keraslite and Keras
    _case("SimpleRNN", dict(units=3, dropout=0.3, recurrent_dropout=0.4,
                            return_sequences=True), mask=True,
          label="dropout, recurrent_dropout, mask"),
    _case("LSTM", dict(units=3, dropout=0.4), label="dropout"),
    _case("LSTM", dict(units=3, dropout=0.3, recurrent_dropout=0.2, return_state=True),
          initial_state=True, label="dropout, recurrent_dropout (4 masks)"),
    _case("GRU", dict(units=3, dropout=0.3, recurrent_dropout=0.2,
                      return_sequences=True), label="dropout, recurrent_dropout (3 masks)"),
    _case("GRU", dict(units=3, dropout=0.2, recurrent_dropout=0.3, reset_after=False),
          mask=True, label="dropout, recurrent_dropout, reset_after=False, mask"),
    # the cells under RNN
    _case("SimpleRNNCell", dict(units=3), mask=True, cell=True, label="RNN(cell), mask"),
    _case("LSTMCell", dict(units=3), initial_state=True, cell=True,
          label="RNN(cell), initial_state"),
    _case("GRUCell", dict(units=2, reset_after=False), cell=True,
          label="RNN(cell), reset_after=False"),
]


def _random_cases(count, seed=12):
    """`count` seeded random configurations of the three layers."""
    rng = np.random.default_rng(seed)
    classes = ["SimpleRNN", "LSTM", "GRU"]
    cases = []
    for i in range(count):
        cls = classes[i % 3]
        kwargs = dict(units=int(rng.integers(1, 5)),
                      return_sequences=bool(rng.random() < 0.5),
                      return_state=bool(rng.random() < 0.5),
                      go_backwards=bool(rng.random() < 0.5),
                      unroll=bool(rng.random() < 0.3),
                      use_bias=bool(rng.random() < 0.8),
                      activation=str(rng.choice(["tanh", "relu", "sigmoid", "linear"])))
        if cls != "SimpleRNN":
            kwargs["recurrent_activation"] = str(rng.choice(["sigmoid", "hard_sigmoid"]))
        if cls == "GRU":
            kwargs["reset_after"] = bool(rng.random() < 0.5)
        if cls == "LSTM":
            kwargs["unit_forget_bias"] = bool(rng.random() < 0.5)
        if rng.random() < 0.4:
            kwargs["dropout"] = float(np.round(rng.uniform(0.1, 0.5), 2))
        if rng.random() < 0.3:
            kwargs["recurrent_dropout"] = float(np.round(rng.uniform(0.1, 0.5), 2))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 7)), int(rng.integers(1, 5)))
        cases.append(_case(cls, kwargs, shape, mask=bool(rng.random() < 0.5),
                           initial_state=bool(rng.random() < 0.5), label=f"random {i}"))
    return cases


RNN_CASES = _CHOSEN + _random_cases(15)


def make_layer(layers, cls, kwargs, cell):
    if cell:
        return layers.RNN(getattr(layers, cls)(**kwargs))
    return getattr(layers, cls)(**kwargs)


def case_arrays(case, seed=3, dtype="float32"):
    """The input, mask and initial states of a case."""
    _, cls, kwargs, shape, mask, initial_state, _ = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    m = None
    if mask:
        m = rng.random(shape[:2]) > 0.35
        m[0, :] = False if shape[1] > 1 else m[0, :]  # a sample with every step masked
    units = kwargs["units"]
    sizes = [units, units] if cls.startswith("LSTM") else [units]
    states = [rng.normal(size=(shape[0], s)).astype(dtype) for s in sizes] \
        if initial_state else None
    return x, m, states


def dropout_masks(layer, shape, seed=7):
    """Masks like Keras's (per call, one per gate with implementation 1)."""
    cell = layer.cell
    rng = np.random.default_rng(seed)
    count = getattr(cell, "dropout_mask_count", None)

    def draw(rate, size):
        def one():
            return ((rng.random((shape[0], size)) >= rate) / (1 - rate)).astype("float32")
        return one() if count is None else [one() for _ in range(count)]

    dp = draw(cell.dropout, shape[2]) if cell.dropout else None
    rdp = draw(cell.recurrent_dropout, cell.units) if cell.recurrent_dropout else None
    return dp, rdp


def _set_masks(cell, dp, rdp, convert):
    def conv(m):
        if m is None:
            return None
        return [convert(a) for a in m] if isinstance(m, list) else convert(m)

    cell._dropout_mask = conv(dp)
    cell._recurrent_dropout_mask = conv(rdp)


def comparison_pairs(ours, theirs, outs, their_outs, x_t, states, grads, their, shape):
    """The Pairs of a recurrent layer's row: outputs, the gradients of the
    input, the (flat) initial states and every weight (`their`: Keras's, in
    that order), the output shape and the weight names."""
    from compat_tests.parity import Pair
    from compat_tests.parity_models import _plain

    pairs = [Pair(f"output {i}", np.asarray(autodiff.value_of(o)), t.numpy())
             for i, (o, t) in enumerate(zip(outs, their_outs, strict=True))]
    pairs.append(Pair("input gradient", x_t.grad, their[0].numpy()))
    for i, s in enumerate(states):
        pairs.append(Pair(f"initial state {i} gradient", s.grad, their[1 + i].numpy()))
    offset = 1 + len(states)
    for j, var in enumerate(ours.trainable_weights):
        pairs.append(Pair(f"{var.path} gradient", grads[id(var)],
                          their[offset + j].numpy()))
    batch_shape = (None,) + tuple(shape[1:])
    pairs.append(Pair("output shape", _plain(ours.compute_output_shape(batch_shape)),
                      _plain(theirs.compute_output_shape(batch_shape)), exact=True))
    pairs.append(Pair("weight names and shapes",
                      [(w.name, tuple(w.shape)) for w in ours.weights],
                      [(w.name, tuple(w.shape)) for w in theirs.weights], exact=True))
    return pairs


def _rnn_row(case):
    from compat_tests.parity import Pair, Row
    from compat_tests.parity_models import _lib, _plain

    name, cls, kwargs, shape, mask, initial_state, cell = case

    def compute():
        tf, keras = _lib()
        x, m, states = case_arrays(case)
        ours = make_layer(keraslite.layers, cls, kwargs, cell)
        theirs = make_layer(keras.layers, cls, kwargs, cell)
        ours(x), theirs(x)
        rng = np.random.default_rng(4)
        weights = [rng.normal(0, 0.5, w.shape).astype("float32")
                   for w in ours.get_weights()]
        ours.set_weights(weights)
        theirs.set_weights(weights)
        training = bool(kwargs.get("dropout") or kwargs.get("recurrent_dropout"))
        dp, rdp = dropout_masks(ours, shape)
        call = {"training": training}
        if m is not None:
            call["mask"] = m
        x_t = autodiff.Tensor(x.copy(), requires_grad=True)
        s_t = None if states is None else [autodiff.Tensor(s.copy(), requires_grad=True)
                                           for s in states]
        _set_masks(ours.cell, dp, rdp, lambda a: a)
        with autodiff.Tape(watch=ours.trainable_weights) as tape:
            out = ours._eager_call(x_t, initial_state=s_t, **call)
        outs = out if isinstance(out, list) else [out]
        dys = [np.random.default_rng(5 + i).normal(size=o.shape).astype("float32")
               for i, o in enumerate(outs)]
        grads = tape.gradient([(o, d.copy()) for o, d in zip(outs, dys)])
        x_v = tf.Variable(x)
        s_v = None if states is None else [tf.Variable(s) for s in states]
        _set_masks(theirs.cell, dp, rdp, tf.constant)
        if m is not None:
            call["mask"] = tf.constant(m)
        with tf.GradientTape() as gt:
            their_out = theirs(x_v, initial_state=s_v, **call)
            their_outs = list(their_out) if isinstance(their_out, (list, tuple)) \
                else [their_out]
            loss = sum(tf.reduce_sum(o * d) for o, d in zip(their_outs, dys))
        sources = [x_v] + (s_v or []) + list(theirs.trainable_weights)
        their = gt.gradient(loss, sources)
        pairs = comparison_pairs(ours, theirs, outs, their_outs, x_t, s_t or [], grads,
                                 their, shape)
        config, their_config = ours.get_config(), theirs.get_config()
        config.pop("name"), their_config.pop("name")
        if cell:
            config["cell"]["config"].pop("name"), their_config["cell"]["config"].pop("name")
        pairs.append(Pair("config", _plain(config), _plain(their_config), exact=True))
        return pairs

    covers = (f"layers.{cls}",) + (("layers.RNN",) if cell else ())
    return Row(f"layers.{name}[forward, gradients vs GradientTape, config]", compute,
               rtol=1e-5, atol=1e-5, covers=covers)


def rnn_rows():
    return [_rnn_row(case) for case in RNN_CASES]
