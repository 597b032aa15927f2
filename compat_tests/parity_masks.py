"""Parity rows of the layers that use a mask in Keras 3 (issue 12):
BatchNormalization (masked moments in training), Softmax (`mask`), the
merges whose values depend on their inputs' masks (Multiply, Maximum,
Minimum) and those that only combine them. Values, input gradients, weight
gradients and moving statistics vs `tf.GradientTape`; output masks.

`MASKED_CASES` is shared with tests/test_masks.py (float64 gradient checks).
Builders here return `Row`s that `parity.all_rows()` adds to the table.
"""
import numpy as np

from compat_tests.parity_models import _lib


def _steps_mask(batch, steps, seed, full_row=None):
    """A (batch, steps) boolean mask; `full_row` is masked entirely."""
    mask = np.random.default_rng(seed).random((batch, steps)) > 0.4
    mask[:, 0] = True
    if full_row is not None:
        mask[full_row] = False
    return mask


# (name, constructor(layers module), inputs(rng) -> array or list, mask
# (array, list with Nones, or None), call kwargs)
MASKED_CASES = [
    ("BatchNormalization[training, mask (batch, steps)]",
     lambda L: L.BatchNormalization(), lambda r: r.normal(1, 2, (4, 6, 3)),
     _steps_mask(4, 6, 1), {"training": True}),
    ("BatchNormalization[training, a sample fully masked]",
     lambda L: L.BatchNormalization(momentum=0.8), lambda r: r.normal(0, 1, (3, 5, 2)),
     _steps_mask(3, 5, 2, full_row=1), {"training": True}),
    ("BatchNormalization[training, axis=1, per-channel counts]",
     lambda L: L.BatchNormalization(axis=1), lambda r: r.normal(0, 1, (4, 5, 3)),
     _steps_mask(4, 5, 3), {"training": True}),
    ("BatchNormalization[training, 4-D, mask (batch, h, w)]",
     lambda L: L.BatchNormalization(epsilon=1e-2), lambda r: r.normal(0, 1, (2, 3, 4, 3)),
     np.random.default_rng(4).random((2, 3, 4)) > 0.3, {"training": True}),
    ("BatchNormalization[training, center=False, scale=False]",
     lambda L: L.BatchNormalization(center=False, scale=False),
     lambda r: r.normal(0, 1, (3, 6, 2)), _steps_mask(3, 6, 5), {"training": True}),
    ("BatchNormalization[training, 2-D, mask (batch,)]",
     lambda L: L.BatchNormalization(), lambda r: r.normal(0, 1, (6, 3)),
     np.array([True, False, True, True, False, True]), {"training": True}),
    ("BatchNormalization[inference, mask unused]",
     lambda L: L.BatchNormalization(), lambda r: r.normal(0, 1, (3, 5, 2)),
     _steps_mask(3, 5, 6), {"training": False}),
    ("TimeDistributed[BatchNormalization, training, the mask of each step]",
     lambda L: L.TimeDistributed(L.BatchNormalization()),
     lambda r: r.normal(0, 1, (4, 5, 3)), _steps_mask(4, 5, 32), {"training": True}),
    ("Softmax[mask (batch, steps), a row fully masked]",
     lambda L: L.Softmax(), lambda r: r.normal(0, 2, (3, 5)),
     _steps_mask(3, 5, 7, full_row=2), {}),
    ("Softmax[3-D, mask (batch, 1, steps) broadcast]",
     lambda L: L.Softmax(), lambda r: r.normal(0, 2, (2, 4, 5)),
     _steps_mask(2, 5, 8)[:, None, :], {}),
    ("Softmax[float mask, > 0.5 kept]",
     lambda L: L.Softmax(), lambda r: r.normal(0, 2, (2, 4, 5)),
     np.random.default_rng(9).random((4, 5)).astype("float32"), {}),
    ("Softmax[axis=1, mask of the input's shape]",
     lambda L: L.Softmax(axis=1), lambda r: r.normal(0, 2, (2, 4, 3)),
     np.random.default_rng(10).random((2, 4, 3)) > 0.3, {}),
    ("Softmax[axis=[1, 2], mask]",
     lambda L: L.Softmax(axis=[1, 2]), lambda r: r.normal(0, 1, (2, 3, 4)),
     np.random.default_rng(11).random((2, 3, 4)) > 0.3, {}),
    ("Multiply[both masked]", lambda L: L.Multiply(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [_steps_mask(3, 5, 12), _steps_mask(3, 5, 13)], {}),
    ("Multiply[first masked only]", lambda L: L.Multiply(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [_steps_mask(3, 5, 14), None], {}),
    ("Multiply[three inputs, all masked]", lambda L: L.Multiply(),
     lambda r: [r.normal(0, 1, (2, 4, 3)) for _ in range(3)],
     [_steps_mask(2, 4, 15), _steps_mask(2, 4, 16), _steps_mask(2, 4, 17)], {}),
    ("Maximum[both masked]", lambda L: L.Maximum(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [_steps_mask(3, 5, 18), _steps_mask(3, 5, 19)], {}),
    ("Maximum[second masked only]", lambda L: L.Maximum(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [None, _steps_mask(3, 5, 20)], {}),
    ("Maximum[three inputs, first and third masked]", lambda L: L.Maximum(),
     lambda r: [r.normal(0, 1, (2, 4, 3)) for _ in range(3)],
     [_steps_mask(2, 4, 21), None, _steps_mask(2, 4, 22)], {}),
    ("Minimum[both masked]", lambda L: L.Minimum(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [_steps_mask(3, 5, 23), _steps_mask(3, 5, 24)], {}),
    ("Minimum[three inputs, all masked]", lambda L: L.Minimum(),
     lambda r: [r.normal(0, 1, (2, 4, 3)) for _ in range(3)],
     [_steps_mask(2, 4, 25), _steps_mask(2, 4, 26), _steps_mask(2, 4, 27)], {}),
    ("Add[masks only combined]", lambda L: L.Add(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [_steps_mask(3, 5, 28), _steps_mask(3, 5, 29)], {}),
    ("Average[one mask: no output mask]", lambda L: L.Average(),
     lambda r: [r.normal(0, 1, (3, 5, 2)), r.normal(0, 1, (3, 5, 2))],
     [_steps_mask(3, 5, 30), None], {}),
]


def case_inputs(make_inputs, dtype="float32"):
    """The case's inputs (seeded), as arrays of `dtype`."""
    x = make_inputs(np.random.default_rng(0))
    return [a.astype(dtype) for a in x] if isinstance(x, list) else x.astype(dtype)


def set_case_weights(ours, theirs=None):
    """Random weights (variances positive) in both layers."""
    rng = np.random.default_rng(31)
    weights = [rng.uniform(0.5, 1.5, w.shape) if "variance" in name
               else rng.normal(0.3, 0.5, w.shape)
               for w, name in zip(ours.get_weights(), [v.name for v in ours.weights])]
    ours.set_weights([w.astype(ours.dtype) for w in weights])
    if theirs is not None:
        theirs.set_weights([w.astype("float32") for w in weights])


def ours_masked(layer, x, mask, kwargs, dy=None):
    """keraslite's output, its mask, the input gradients and the weight
    gradients of sum(out * dy) (dy random when None)."""
    from keraslite import autodiff

    arrays = x if isinstance(x, list) else [x]
    tensors = [autodiff.Tensor(a.copy(), requires_grad=True) for a in arrays]
    call_inputs = tensors if isinstance(x, list) else tensors[0]
    autodiff.enter_call()
    try:
        with autodiff.Tape(watch=layer.trainable_weights) as tape:
            out, out_mask = layer._call_and_mask(call_inputs, mask, dict(kwargs))
    finally:
        autodiff.exit_call()
    value = np.array(autodiff.value_of(out))
    if dy is None:
        dy = np.random.default_rng(5).normal(size=value.shape).astype(value.dtype)
    grads = tape.gradient([(out, dy.copy())])
    input_grads = [np.zeros_like(a) if t.grad is None else t.grad
                   for a, t in zip(arrays, tensors)]
    weight_grads = [grads[id(v)] for v in layer.trainable_weights]
    return value, out_mask, dy, input_grads, weight_grads


def _theirs_masked(layer, x, mask, kwargs, dy):
    """Keras's output, output mask and gradients under `tf.GradientTape`:
    the masks ride on the inputs (`_keras_mask`), and Softmax and
    BatchNormalization get theirs as `mask=` too, as Keras's `__call__`
    passes it."""
    tf, _ = _lib()
    from keras.src import backend

    arrays = x if isinstance(x, list) else [x]
    masks = mask if isinstance(mask, list) else [mask]
    tensors = [tf.constant(a) for a in arrays]
    with tf.GradientTape(persistent=True) as tape:
        for t in tensors:
            tape.watch(t)
        for t, m in zip(tensors, masks):
            if m is not None:
                backend.set_keras_mask(t, tf.constant(m))
        out = layer(tensors if isinstance(x, list) else tensors[0], **kwargs)
    input_grads = tape.gradient(out, tensors, output_gradients=tf.constant(dy))
    weight_grads = tape.gradient(out, layer.trainable_weights,
                                 output_gradients=tf.constant(dy))
    out_mask = backend.get_keras_mask(out)
    return (out.numpy(), None if out_mask is None else out_mask.numpy(),
            [np.zeros(a.shape, "float32") if g is None else g.numpy()
             for a, g in zip(arrays, input_grads)],
            [g.numpy() for g in weight_grads])


def _masked_row(name, make, make_inputs, mask, kwargs):
    from compat_tests.parity import Pair, Row

    import keraslite

    def compute():
        _, keras = _lib()
        x = case_inputs(make_inputs)
        ours, theirs = make(keraslite.layers), make(keras.layers)
        shapes = [a.shape for a in x] if isinstance(x, list) else x.shape
        ours.build(shapes), theirs.build(shapes)
        set_case_weights(ours, theirs)
        value, out_mask, dy, dx, dw = ours_masked(ours, x, mask, kwargs)
        t_value, t_mask, t_dx, t_dw = _theirs_masked(theirs, x, mask, kwargs, dy)
        pairs = [Pair("forward", value, t_value),
                 Pair("output mask", None if out_mask is None
                      else np.asarray(out_mask).tolist(),
                      None if t_mask is None else t_mask.tolist(), exact=True)]
        pairs += [Pair(f"input {i} gradient vs GradientTape", g, t)
                  for i, (g, t) in enumerate(zip(dx, t_dx))]
        pairs += [Pair(f"{v.name} gradient vs GradientTape", g, t)
                  for v, g, t in zip(ours.trainable_weights, dw, t_dw)]
        pairs += [Pair(f"{v.name} after the call", v.value, np.asarray(t))
                  for v, t in zip(ours.non_trainable_weights,
                                  theirs.non_trainable_weights)]
        return pairs

    cls = name.split("[")[0]
    return Row(f"masks.{name}[values, gradients]", compute, rtol=1e-5, atol=1e-6,
               covers=(f"layers.{cls}",))


def _softmax_error_row():
    """Masks Softmax and BatchNormalization refuse: the same error type and
    text (up to the shape notation of TensorFlow's TensorShape)."""
    from compat_tests.parity import Pair, Row

    import keraslite

    def message(fn):
        try:
            fn()
        except Exception as e:
            # Keras wraps it: "Exception encountered when calling ...\x1b[1m".
            text = str(e).split("\x1b[1m")[-1]
            return type(e).__name__, text.split("Received")[0].strip()
        return "no error", ""

    cases = [
        ("Softmax, mask of rank 3 for inputs of rank 2",
         lambda L: L.Softmax()(np.ones((2, 3), "float32"),
                               mask=np.ones((1, 2, 3), bool))),
        ("Softmax, mask dimension neither 1 nor the input's",
         lambda L: L.Softmax()(np.ones((2, 3), "float32"), mask=np.ones((2, 2), bool))),
        ("BatchNormalization, mask of the input's rank",
         lambda L: L.BatchNormalization()(np.ones((2, 3), "float32"),
                                          mask=np.ones((2, 3), bool), training=True)),
    ]

    def compute():
        _, keras = _lib()
        return [Pair(label, message(lambda: fn(keraslite.layers)),
                     message(lambda: fn(keras.layers)), exact=True)
                for label, fn in cases]

    return Row("masks.Softmax and BatchNormalization[bad masks: errors]", compute,
               covers=("layers.Softmax", "layers.BatchNormalization"))


def masks_rows():
    """The rows of this module, in report order."""
    return [_masked_row(*case) for case in MASKED_CASES] + [_softmax_error_row()]
