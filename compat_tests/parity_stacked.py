"""Parity rows of stacked recurrent cells (`StackedRNNCells`, `RNN([cell,
...])`): forward, the gradients of the input, of every initial state
(nested: one entry per cell) and of every weight against Keras's under
`tf.GradientTape`, output shapes, weight names and configs, over mixed
stacks of SimpleRNNCell, LSTMCell and GRUCell with masks, initial states,
go_backwards, return_state, return_sequences and dropout cells in training
(the same masks given to both).

`STACKED_CASES` is shared with the float64 gradient checks of
tests/test_stacked_rnn_cells.py.
"""
import numpy as np

import keraslite
from keraslite import autodiff
from keraslite.ops.node import flatten, map_structure


def _case(cells, rnn=None, shape=(3, 5, 4), mask=False, initial_state=False,
          label=None, wrapped=False):
    """(name, cells [(class, kwargs)], RNN kwargs, input shape, mask,
    initial_state, wrapped): `wrapped` passes `StackedRNNCells(cells)`
    instead of the list."""
    names = "+".join(cls.replace("Cell", "") for cls, _ in cells)
    name = f"{names}[{label}]" if label else names
    return name, cells, dict(rnn or {}), shape, mask, initial_state, wrapped


_MIXED = [("SimpleRNNCell", dict(units=3)), ("LSTMCell", dict(units=4)),
          ("GRUCell", dict(units=2))]

_CHOSEN = [
    _case(_MIXED),
    _case(_MIXED, dict(return_sequences=True, return_state=True), mask=True,
          initial_state=True, label="return_sequences, return_state, mask, initial_state"),
    _case(_MIXED, dict(go_backwards=True, return_sequences=True), mask=True,
          label="go_backwards, return_sequences, mask"),
    _case(_MIXED, dict(go_backwards=True, return_state=True), initial_state=True,
          label="go_backwards, return_state, initial_state"),
    _case(_MIXED, dict(return_sequences=True, zero_output_for_mask=True), mask=True,
          label="zero_output_for_mask, mask"),
    _case(_MIXED, dict(return_state=True), label="StackedRNNCells, return_state",
          wrapped=True),
    _case([("LSTMCell", dict(units=3)), ("LSTMCell", dict(units=3))],
          dict(return_state=True), mask=True, initial_state=True,
          label="return_state, mask, initial_state"),
    _case([("GRUCell", dict(units=3, reset_after=False)),
           ("SimpleRNNCell", dict(units=2, activation="relu", use_bias=False))],
          dict(return_sequences=True, return_state=True, go_backwards=True),
          mask=True, initial_state=True,
          label="reset_after=False, relu, no bias, go_backwards, mask, initial_state"),
    _case([("LSTMCell", dict(units=2, recurrent_activation="hard_sigmoid",
                             implementation=1)),
           ("GRUCell", dict(units=3, use_bias=False)),
           ("LSTMCell", dict(units=2, unit_forget_bias=False))],
          dict(return_sequences=True), label="hard_sigmoid, implementation=1, no bias"),
    # dropout cells in training, the same masks given to keraslite and Keras
    _case([("SimpleRNNCell", dict(units=3, dropout=0.3, recurrent_dropout=0.4)),
           ("LSTMCell", dict(units=3, dropout=0.4, recurrent_dropout=0.2)),
           ("GRUCell", dict(units=2, dropout=0.2, recurrent_dropout=0.3))],
          dict(return_sequences=True, return_state=True), mask=True,
          initial_state=True, label="dropout, recurrent_dropout, mask, initial_state"),
    _case([("GRUCell", dict(units=3, dropout=0.3, reset_after=False)),
           ("SimpleRNNCell", dict(units=3)),
           ("LSTMCell", dict(units=2, dropout=0.5))],
          dict(go_backwards=True), label="dropout in some cells, go_backwards"),
]


def _random_cases(count, seed=21):
    """`count` seeded random stacks of 2 or 3 cells and random options."""
    rng = np.random.default_rng(seed)
    classes = ["SimpleRNNCell", "LSTMCell", "GRUCell"]
    cases = []
    for i in range(count):
        cells = []
        for _ in range(int(rng.integers(2, 4))):
            cls = str(rng.choice(classes))
            kwargs = dict(units=int(rng.integers(1, 5)),
                          use_bias=bool(rng.random() < 0.8),
                          activation=str(rng.choice(["tanh", "relu", "sigmoid"])))
            if cls == "GRUCell":
                kwargs["reset_after"] = bool(rng.random() < 0.5)
            if rng.random() < 0.3:
                kwargs["dropout"] = float(np.round(rng.uniform(0.1, 0.5), 2))
            if rng.random() < 0.2:
                kwargs["recurrent_dropout"] = float(np.round(rng.uniform(0.1, 0.5), 2))
            cells.append((cls, kwargs))
        rnn = dict(return_sequences=bool(rng.random() < 0.5),
                   return_state=bool(rng.random() < 0.5),
                   go_backwards=bool(rng.random() < 0.5))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 5)))
        cases.append(_case(cells, rnn, shape, mask=bool(rng.random() < 0.5),
                           initial_state=bool(rng.random() < 0.5), label=f"random {i}"))
    return cases


STACKED_CASES = _CHOSEN + _random_cases(8)


def make_stacked(layers, case):
    """The case's `RNN` of `layers` (keraslite's or Keras's)."""
    _, cells, rnn, _, _, _, wrapped = case
    cells = [getattr(layers, cls)(**kwargs) for cls, kwargs in cells]
    return layers.RNN(layers.StackedRNNCells(cells) if wrapped else cells, **rnn)


def _state_sizes(cls, kwargs):
    return [kwargs["units"]] * (2 if cls == "LSTMCell" else 1)


def stacked_arrays(case, seed=3, dtype="float32"):
    """The input, mask and initial state (one entry per cell: a SimpleRNN
    cell's state alone, LSTM's `[h, c]`, GRU's `[h]`) of a case."""
    _, cells, _, shape, mask, initial_state, _ = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    m = None
    if mask:
        m = rng.random(shape[:2]) > 0.35
        m[0, :] = False if shape[1] > 1 else m[0, :]  # a sample with every step masked
    states = None
    if initial_state:
        states = []
        for cls, kwargs in cells:
            entry = [rng.normal(size=(shape[0], s)).astype(dtype)
                     for s in _state_sizes(cls, kwargs)]
            states.append(entry[0] if cls == "SimpleRNNCell" else entry)
    return x, m, states


def stacked_dropout_masks(case, seed=7):
    """Per cell `(dp, rdp)`, like Keras's (per call, one per gate with
    implementation 1), of the shape of that cell's input and state."""
    _, cells, _, shape, _, _, _ = case
    rng = np.random.default_rng(seed)
    masks, features = [], shape[2]
    for cls, kwargs in cells:
        gated = cls != "SimpleRNNCell"
        count = 4 if cls == "LSTMCell" else 3
        one_per_gate = gated and (kwargs.get("recurrent_dropout", 0) != 0
                                  or kwargs.get("implementation") == 1)

        def draw(rate, size):
            def one():
                return ((rng.random((shape[0], size)) >= rate) / (1 - rate)).astype(
                    "float32")
            return [one() for _ in range(count)] if one_per_gate else one()

        dp = draw(kwargs["dropout"], features) if kwargs.get("dropout") else None
        rdp = draw(kwargs["recurrent_dropout"], kwargs["units"]) \
            if kwargs.get("recurrent_dropout") else None
        masks.append((dp, rdp))
        features = kwargs["units"]
    return masks


def set_stacked_masks(layer, masks, convert):
    """Gives each cell of `layer` its dropout masks (see `stacked_dropout_masks`)."""
    def conv(m):
        if m is None:
            return None
        return [convert(a) for a in m] if isinstance(m, list) else convert(m)

    for cell, (dp, rdp) in zip(layer.cell.cells, masks):
        cell._dropout_mask = conv(dp)
        cell._recurrent_dropout_mask = conv(rdp)


def uses_dropout(case):
    return any(k.get("dropout") or k.get("recurrent_dropout") for _, k in case[1])


def _without_names(config):
    config = dict(config)
    config.pop("name")
    cell = dict(config["cell"], config=dict(config["cell"]["config"]))
    cell["config"].pop("name")
    cell["config"]["cells"] = [dict(c, config={k: v for k, v in c["config"].items()
                                               if k != "name"})
                               for c in cell["config"]["cells"]]
    config["cell"] = cell
    return config


def _stacked_row(case):
    from compat_tests.parity import Pair, Row
    from compat_tests.parity_models import _lib, _plain
    from compat_tests.parity_rnn import comparison_pairs

    name, _, _, shape, _, _, wrapped = case

    def compute():
        tf, keras = _lib()
        x, m, states = stacked_arrays(case)
        ours = make_stacked(keraslite.layers, case)
        theirs = make_stacked(keras.layers, case)
        ours(x), theirs(x)
        rng = np.random.default_rng(4)
        weights = [rng.normal(0, 0.5, w.shape).astype("float32")
                   for w in ours.get_weights()]
        ours.set_weights(weights)
        theirs.set_weights(weights)
        training = uses_dropout(case)
        masks = stacked_dropout_masks(case)
        call = {"training": training}
        if m is not None:
            call["mask"] = m
        x_t = autodiff.Tensor(x.copy(), requires_grad=True)
        s_t = None if states is None else map_structure(
            lambda s: autodiff.Tensor(s.copy(), requires_grad=True), states)
        set_stacked_masks(ours, masks, lambda a: a)
        with autodiff.Tape(watch=ours.trainable_weights) as tape:
            outs = flatten(ours._eager_call(x_t, initial_state=s_t, **call))
        dys = [np.random.default_rng(5 + i).normal(size=o.shape).astype("float32")
               for i, o in enumerate(outs)]
        grads = tape.gradient([(o, d.copy()) for o, d in zip(outs, dys)])
        x_v = tf.Variable(x)
        s_v = None if states is None else tf.nest.map_structure(tf.Variable, states)
        set_stacked_masks(theirs, masks, tf.constant)
        if m is not None:
            call["mask"] = tf.constant(m)
        with tf.GradientTape() as gt:
            their_outs = tf.nest.flatten(theirs(x_v, initial_state=s_v, **call))
            loss = sum(tf.reduce_sum(o * d) for o, d in zip(their_outs, dys))
        flat_states, flat_vars = flatten(s_t or []), tf.nest.flatten(s_v or [])
        sources = [x_v] + flat_vars + list(theirs.trainable_weights)
        their = gt.gradient(loss, sources)
        pairs = [Pair("number of outputs", len(outs), len(their_outs), exact=True)]
        assert len(ours.trainable_weights) == len(theirs.trainable_weights)
        pairs += comparison_pairs(ours, theirs, outs, their_outs, x_t, flat_states, grads,
                                  their, shape)
        pairs.append(Pair("config", _plain(_without_names(ours.get_config())),
                          _plain(_without_names(theirs.get_config())), exact=True))
        return pairs

    covers = ("layers.RNN",) + (("layers.StackedRNNCells",) if wrapped else ())
    covers += tuple(sorted({f"layers.{cls}" for cls, _ in case[1]}))
    return Row(f"layers.RNN[stacked {name}: forward, gradients vs GradientTape, config]",
               compute, rtol=1e-5, atol=1e-5, covers=covers)


def stacked_rows():
    return [_stacked_row(case) for case in STACKED_CASES]
