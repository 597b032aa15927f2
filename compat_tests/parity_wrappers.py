"""Parity rows of the wrappers (TimeDistributed, Bidirectional): forward,
input gradient and every weight gradient against Keras's under
`tf.GradientTape`, output shapes, configs (the wrapped layers' nested
configs included, names aside) and Keras's argument errors.

`TIME_DISTRIBUTED_CASES` is shared with the file round trips
(compat_tests/test_wrappers_compat.py).
"""
import numpy as np

import keraslite
from keraslite import autodiff


def _centered(layers):
    """A user's layer whose output depends on the whole batch (x - mean over
    the batch): TimeDistributed must call it once per step, as Keras."""
    if layers is keraslite.layers:
        ops, saving = keraslite.ops, keraslite.saving
    else:
        from keras import ops, saving

    @saving.register_keras_serializable(package="parity")
    class Centered(layers.Layer):
        def call(self, x):
            return x - ops.mean(x, axis=0, keepdims=True)

        def compute_output_shape(self, input_shape):
            return input_shape

    return Centered()


def _inner_model(layers):
    lib = keraslite if layers is keraslite.layers else __import__("keras")
    return lib.Sequential([layers.Input((4,)), layers.Dense(3, activation="tanh"),
                           layers.Dense(2)])


# (label, make(layers), input shape, call kwargs)
TIME_DISTRIBUTED_CASES = [
    ("Dense", lambda L: L.TimeDistributed(L.Dense(5)), (2, 4, 3), {}),
    ("Dense, relu, no bias, 4-D input",
     lambda L: L.TimeDistributed(L.Dense(3, activation="relu", use_bias=False)),
     (3, 2, 4, 5), {}),
    ("Dense, softmax", lambda L: L.TimeDistributed(L.Dense(4, activation="softmax")),
     (2, 5, 3), {}),
    ("Conv2D on (batch, time, h, w, c)",
     lambda L: L.TimeDistributed(L.Conv2D(3, 2, activation="tanh")), (2, 3, 6, 5, 2), {}),
    ("Conv1D, same", lambda L: L.TimeDistributed(L.Conv1D(2, 3, padding="same")),
     (2, 3, 7, 2), {}),
    ("MaxPooling2D", lambda L: L.TimeDistributed(L.MaxPooling2D(2)), (2, 3, 4, 6, 2), {}),
    ("Flatten", lambda L: L.TimeDistributed(L.Flatten()), (2, 3, 4, 5), {}),
    ("Dropout, inference", lambda L: L.TimeDistributed(L.Dropout(0.5)), (2, 3, 4), {}),
    ("Dropout, training, rate 0",
     lambda L: L.TimeDistributed(L.Dropout(0.0)), (2, 3, 4), {"training": True}),
    ("BatchNormalization, training (statistics per step)",
     lambda L: L.TimeDistributed(L.BatchNormalization()), (5, 3, 4), {"training": True}),
    ("BatchNormalization, inference",
     lambda L: L.TimeDistributed(L.BatchNormalization()), (5, 3, 4), {"training": False}),
    ("LayerNormalization", lambda L: L.TimeDistributed(L.LayerNormalization()),
     (2, 3, 4), {}),
    ("a user's batch-dependent layer (per step)",
     lambda L: L.TimeDistributed(_centered(L)), (4, 3, 2), {}),
    ("Sequential model", lambda L: L.TimeDistributed(_inner_model(L)), (2, 3, 4), {}),
    ("nested TimeDistributed(Dense)",
     lambda L: L.TimeDistributed(L.TimeDistributed(L.Dense(2))), (2, 3, 4, 3), {}),
    ("Dense with a mask", lambda L: L.TimeDistributed(L.Dense(2)), (2, 3, 4),
     {"mask": np.array([[1, 1, 0], [1, 0, 0]], bool)}),
]


_USER_LAYER_CASES = {"a user's batch-dependent layer (per step)"}


_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 0]], bool)

# (label, make(layers), input shape, call kwargs); an `initial_state` entry
# lists the shapes of the initial states.
BIDIRECTIONAL_CASES = [
    ("LSTM, concat", lambda L: L.Bidirectional(L.LSTM(4)), (2, 5, 3), {}),
    ("LSTM, return_sequences, sum",
     lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum"),
     (2, 5, 3), {}),
    ("GRU, ave", lambda L: L.Bidirectional(L.GRU(3), merge_mode="ave"), (2, 5, 3), {}),
    ("GRU reset_after=False, return_sequences, mul",
     lambda L: L.Bidirectional(L.GRU(2, reset_after=False, return_sequences=True),
                               merge_mode="mul"), (2, 5, 3), {}),
    ("SimpleRNN, return_sequences, merge_mode=None",
     lambda L: L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode=None),
     (2, 5, 3), {}),
    ("SimpleRNN relu, merge_mode=None",
     lambda L: L.Bidirectional(L.SimpleRNN(2, activation="relu"), merge_mode=None),
     (2, 4, 3), {}),
    ("LSTM, return_state, concat",
     lambda L: L.Bidirectional(L.LSTM(2, return_state=True)), (2, 5, 3), {}),
    ("LSTM, return_sequences and return_state, merge_mode=None",
     lambda L: L.Bidirectional(L.LSTM(2, return_sequences=True, return_state=True),
                               merge_mode=None), (2, 5, 3), {}),
    ("GRU, return_state, sum",
     lambda L: L.Bidirectional(L.GRU(3, return_state=True), merge_mode="sum"),
     (2, 5, 3), {}),
    ("LSTM, initial_state (4 states)",
     lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True)), (2, 5, 3),
     {"initial_state": [(2, 3)] * 4}),
    ("GRU, return_state, initial_state (2 states)",
     lambda L: L.Bidirectional(L.GRU(3, return_state=True)), (2, 5, 3),
     {"initial_state": [(2, 3)] * 2}),
    ("LSTM, return_sequences, mask",
     lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True)), (2, 5, 3),
     {"mask": _MASK}),
    ("GRU, last output, mask, ave",
     lambda L: L.Bidirectional(L.GRU(2), merge_mode="ave"), (2, 5, 3), {"mask": _MASK}),
    ("backward_layer=SimpleRNN(go_backwards=True) beside an LSTM",
     lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True), backward_layer=L.SimpleRNN(
         2, return_sequences=True, go_backwards=True)), (2, 5, 3), {}),
    ("RNN(LSTMCell), no bias",
     lambda L: L.Bidirectional(L.RNN(L.LSTMCell(3, use_bias=False))), (2, 4, 3), {}),
    ("Input of 4 features, LSTM tanh/hard_sigmoid",
     lambda L: L.Bidirectional(L.LSTM(3, recurrent_activation="hard_sigmoid")),
     (3, 6, 4), {}),
]


def _strip_names(value):
    if isinstance(value, dict):
        return {k: _strip_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, (list, tuple)):
        return [_strip_names(v) for v in value]
    return value


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def wrapper_row(label, make, shape, case_call, covers, name):
    """Forward, gradients (input and every weight), output shape, weights
    after the call and config of `make(layers)` in keraslite and Keras."""
    from compat_tests.parity import Pair, Row
    from compat_tests.parity_models import _lib, _plain
    from tests.ops_cases import inputs

    def compute():
        tf, keras = _lib()
        x = inputs([shape], "normal", seed=3)[0]
        call, state_shapes = dict(case_call), case_call.get("initial_state", ())
        states = inputs(state_shapes, "normal", seed=8) if state_shapes else []
        if states:
            call["initial_state"] = states
        ours, theirs = make(keraslite.layers), make(keras.layers)
        ours(x, **call)
        theirs(x, **call)
        rng = np.random.default_rng(4)
        weights = [rng.normal(0.5, 0.2, w.shape).astype("float32")
                   for w in ours.get_weights()]
        ours.set_weights(weights)
        theirs.set_weights(weights)
        tensor = autodiff.Tensor(x.copy(), requires_grad=True)
        state_tensors = [autodiff.Tensor(s.copy(), requires_grad=True) for s in states]
        if states:
            call["initial_state"] = state_tensors
        with autodiff.Tape(watch=ours.trainable_weights) as tape:
            outs = _as_list(ours._eager_call(tensor, **call))
        values = [np.array(autodiff.value_of(o)) for o in outs]
        dys = [np.random.default_rng(5 + i).normal(size=v.shape).astype("float32")
               for i, v in enumerate(values)]
        weight_grads = tape.gradient([(o, dy.copy()) for o, dy in zip(outs, dys)])
        variable = tf.Variable(x)
        state_variables = [tf.Variable(s) for s in states]
        if states:
            call["initial_state"] = state_variables
        with tf.GradientTape() as gt:
            their_outs = _as_list(theirs(variable, **call))
        their = gt.gradient(their_outs, [variable] + list(theirs.trainable_weights)
                            + state_variables, output_gradients=dys)
        batch_shape = (None,) + shape[1:]
        pairs = [Pair(f"forward {i}", v, t.numpy())
                 for i, (v, t) in enumerate(zip(values, their_outs))]
        pairs += [Pair("outputs", len(values), len(their_outs), exact=True),
                  Pair("output shape", _plain(ours.compute_output_shape(batch_shape)),
                       _plain(theirs.compute_output_shape(batch_shape)), exact=True),
                  Pair("input gradient", tensor.grad, their[0].numpy()),
                  Pair("weight names", [w.name for w in ours.weights],
                       [w.name for w in theirs.weights], exact=True)]
        for j, var in enumerate(ours.trainable_weights):
            pairs.append(Pair(f"{var.path} gradient", weight_grads[id(var)],
                              their[1 + j].numpy()))
        for i, t in enumerate(state_tensors):
            pairs.append(Pair(f"initial state {i} gradient", t.grad,
                              their[1 + len(ours.trainable_weights) + i].numpy()))
        for var, mine, keras_value in zip(ours.weights, ours.get_weights(),
                                          theirs.get_weights()):
            pairs.append(Pair(f"{var.path} after the call", mine, keras_value))
        ours_config, theirs_config = (_strip_names(_plain(layer.get_config()))
                                      for layer in (ours, theirs))
        if label in _USER_LAYER_CASES:
            # NOTE: a user's Layer subclass has Keras's base config keys
            # (autocast, ...) that keraslite's base Layer does not write.
            for config in (ours_config, theirs_config):
                config["layer"] = {k: config["layer"][k] for k in
                                   ("class_name", "registered_name", "build_config")}
        pairs.append(Pair("config", ours_config, theirs_config, exact=True))
        return pairs

    return Row(f"layers.{name}[{label}: forward, gradients vs GradientTape, config]",
               compute, rtol=1e-5, atol=1e-6, covers=covers)


def _error_row(name, cases, covers):
    """The same exception class as Keras for each bad call, and Keras's
    message contains ours (Keras wraps errors raised in `call()` in
    "Exception encountered when calling ...")."""
    from compat_tests.parity import Pair, Row, _error_message
    from compat_tests.parity_models import _lib

    def compute():
        _, keras = _lib()
        pairs = []
        for label, fn in cases:
            ours = _error_message(lambda: fn(keraslite))
            theirs = _error_message(lambda: fn(keras))
            pairs.append(Pair(f"{label}: type", ours[0], theirs[0], exact=True))
            pairs.append(Pair(f"{label}: Keras's message contains ours",
                              bool(ours[1]) and ours[1] in theirs[1], True, exact=True))
        return pairs

    return Row(f"layers.{name}[argument errors as Keras]", compute, covers=covers)


def _x(shape):
    return np.zeros(shape, "float32")


TIME_DISTRIBUTED_ERRORS = [
    ("not a layer", lambda lib: lib.layers.TimeDistributed("dense")),
    ("rank 2 input", lambda lib: lib.layers.TimeDistributed(lib.layers.Dense(2))(_x((2, 3)))),
    ("rank 2 symbolic input",
     lambda lib: lib.layers.TimeDistributed(lib.layers.Dense(2))(lib.Input((3,)))),
    ("a 1-D mask", lambda lib: lib.layers.TimeDistributed(lib.layers.Dense(2))(
        _x((2, 3, 4)), mask=np.ones((2,), bool))),
    ("a mask of the wrong time length",
     lambda lib: lib.layers.TimeDistributed(lib.layers.Dense(2))(
         _x((2, 3, 4)), mask=np.ones((2, 4), bool))),
]


BIDIRECTIONAL_ERRORS = [
    ("not a layer", lambda lib: lib.layers.Bidirectional("lstm")),
    ("backward_layer not a layer",
     lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2), backward_layer="lstm")),
    ("merge_mode='max'",
     lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2), merge_mode="max")),
    ("a layer with go_backwards=True",
     lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2, go_backwards=True))),
    ("backward_layer with the same go_backwards",
     lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2),
                                          backward_layer=lib.layers.LSTM(2))),
    ("backward_layer with another return_sequences",
     lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2), backward_layer=lib.layers.LSTM(
         2, go_backwards=True, return_sequences=True))),
    ("backward_layer with another return_state",
     lambda lib: lib.layers.Bidirectional(lib.layers.GRU(2), backward_layer=lib.layers.GRU(
         2, go_backwards=True, return_state=True))),
    ("reset_states of a layer that is not stateful",
     lambda lib: lib.layers.Bidirectional(lib.layers.LSTM(2)).reset_states()),
]


def _dense_row():
    """Keras fails copying a Dense with go_backwards=True (TypeError); the
    same class of error, with a message naming what is missing."""
    from compat_tests.parity import Pair, Row, _error_message
    from compat_tests.parity_models import _lib

    def compute():
        _, keras = _lib()
        make = lambda lib: lib.layers.Bidirectional(lib.layers.Dense(2))  # noqa: E731
        ours, theirs = (_error_message(lambda: make(lib)) for lib in (keraslite, keras))
        return [Pair("type", ours[0], theirs[0], exact=True),
                Pair("ours names go_backwards", "go_backwards" in ours[1], True, exact=True)]

    return Row("layers.Bidirectional[of a Dense: TypeError as Keras]", compute,
               covers=("layers.Bidirectional",))


def wrapper_rows():
    rows = [wrapper_row(label, make, shape, call,
                        ("layers.TimeDistributed", "layers.Wrapper"), "TimeDistributed")
            for label, make, shape, call in TIME_DISTRIBUTED_CASES]
    rows.append(_error_row("TimeDistributed", TIME_DISTRIBUTED_ERRORS,
                           ("layers.TimeDistributed",)))
    rows += [wrapper_row(label, make, shape, call, ("layers.Bidirectional",),
                         "Bidirectional")
             for label, make, shape, call in BIDIRECTIONAL_CASES]
    rows += [_error_row("Bidirectional", BIDIRECTIONAL_ERRORS, ("layers.Bidirectional",)),
             _dense_row()]
    return rows
