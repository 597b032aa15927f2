"""Parity rows of Embedding, Masking and masks (issue 12): values, the
embeddings gradient and input gradients vs `tf.GradientTape`, the masks
Keras attaches (`_keras_mask`), masked GlobalAveragePooling1D, configs.

Builders here return `Row`s that `parity.all_rows()` adds to the table.
"""
import numpy as np

import keraslite
from keraslite import autodiff
from compat_tests.parity_models import _lib, _plain

# (name, constructor(layers module), integer input maker)
EMBEDDING_CASES = [
    ("Embedding[2-D ids, repeats]", lambda L: L.Embedding(7, 4),
     lambda rng: rng.integers(0, 7, (5, 9))),
    ("Embedding[3-D ids]", lambda L: L.Embedding(11, 3),
     lambda rng: rng.integers(0, 11, (2, 3, 4))),
    ("Embedding[1-D ids]", lambda L: L.Embedding(5, 2),
     lambda rng: rng.integers(0, 5, (6,))),
    ("Embedding[mask_zero, float32 ids]", lambda L: L.Embedding(6, 5, mask_zero=True),
     lambda rng: rng.integers(0, 6, (4, 7)).astype("float32")),
    ("Embedding[every row hit, int32]", lambda L: L.Embedding(3, 2),
     lambda rng: np.tile(np.arange(3, dtype="int32"), (4, 5))),
]


def _ours_call(layer, x, mask=None, requires_grad=False):
    """keraslite's output, input gradient and weight gradients of sum(out * dy)."""
    tensor = autodiff.Tensor(x.copy(), requires_grad=requires_grad) \
        if requires_grad else x
    kwargs = {} if mask is None else {"mask": mask}
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(tensor, **kwargs)
    value = np.array(autodiff.value_of(out))
    dy = np.random.default_rng(5).normal(size=value.shape).astype("float32")
    grads = tape.gradient([(out, dy.copy())]) if isinstance(out, autodiff.Tensor) \
        else {}
    dx = tensor.grad if requires_grad else None
    return value, dy, dx, grads


def _embedding_row(name, make, ids_of):
    from compat_tests.parity import Pair, Row

    def compute():
        tf, keras = _lib()
        x = ids_of(np.random.default_rng(3))
        ours, theirs = make(keraslite.layers), make(keras.layers)
        ours.build(), theirs.build(x.shape)
        weights = np.random.default_rng(4).normal(size=ours.embeddings.shape)
        ours.set_weights([weights.astype("float32")])
        theirs.set_weights([weights.astype("float32")])
        value, dy, _, grads = _ours_call(ours, x)
        with tf.GradientTape() as gt:
            theirs_out = theirs(x)
        their_grad = tf.convert_to_tensor(
            gt.gradient(theirs_out, theirs.embeddings, output_gradients=dy))
        pairs = [Pair("forward", value, theirs_out.numpy()),
                 Pair("embeddings gradient", grads[id(ours.embeddings)],
                      their_grad.numpy()),
                 Pair("output shape", ours.compute_output_shape((None,) + x.shape[1:]),
                      tuple(theirs.compute_output_shape((None,) + x.shape[1:])),
                      exact=True)]
        their_mask = getattr(theirs_out, "_keras_mask", None)
        ours_mask = ours.compute_mask(x)
        pairs.append(Pair("mask", None if ours_mask is None else ours_mask.tolist(),
                          None if their_mask is None else their_mask.numpy().tolist(),
                          exact=True))
        config = {k: v for k, v in ours.get_config().items() if k != "name"}
        theirs_config = {k: v for k, v in theirs.get_config().items() if k != "name"}
        pairs.append(Pair("config", _plain(config), _plain(theirs_config), exact=True))
        # A second step on the same layer (the gradient buffer is reused and
        # only its touched rows re-zeroed): still Keras's gradient.
        x2 = ids_of(np.random.default_rng(9))
        _, dy2, _, grads2 = _ours_call(ours, x2)
        with tf.GradientTape() as gt:
            out2 = theirs(x2)
        their2 = tf.convert_to_tensor(gt.gradient(out2, theirs.embeddings,
                                                  output_gradients=dy2))
        pairs.append(Pair("embeddings gradient, second call",
                          grads2[id(ours.embeddings)], their2.numpy()))
        return pairs

    return Row(f"layers.{name}[forward, embeddings gradient vs GradientTape, "
               "mask, config]", compute, rtol=1e-5, atol=1e-6,
               covers=("layers.Embedding",))


def _masking_row(mask_value):
    from compat_tests.parity import Pair, Row

    def compute():
        tf, keras = _lib()
        rng = np.random.default_rng(6)
        x = rng.normal(size=(3, 6, 4)).astype("float32")
        x[0, 2] = mask_value
        x[1, 0] = mask_value
        x[1, 5] = mask_value
        x[2, 3, 1] = mask_value  # one feature only: the step is kept
        ours, theirs = keraslite.layers.Masking(mask_value), \
            keras.layers.Masking(mask_value)
        value, dy, dx, _ = _ours_call(ours, x, requires_grad=True)
        v = tf.Variable(x)
        with tf.GradientTape() as gt:
            theirs_out = theirs(v)
        their_dx = gt.gradient(theirs_out, v, output_gradients=dy)
        config = {k: v for k, v in ours.get_config().items() if k != "name"}
        theirs_config = {k: v for k, v in theirs.get_config().items() if k != "name"}
        return [Pair("forward", value, theirs_out.numpy()),
                Pair("input gradient", dx, their_dx.numpy()),
                Pair("mask", ours.compute_mask(x).tolist(),
                     theirs_out._keras_mask.numpy().tolist(), exact=True),
                Pair("config", _plain(config), _plain(theirs_config), exact=True)]

    return Row(f"layers.Masking[mask_value={mask_value}: forward, input gradient, "
               "mask, config]", compute, covers=("layers.Masking",))


def _masked_pooling_row(data_format, keepdims):
    from compat_tests.parity import Pair, Row

    def compute():
        tf, keras = _lib()
        rng = np.random.default_rng(8)
        shape = (4, 7, 3) if data_format == "channels_last" else (4, 3, 7)
        x = rng.normal(size=shape).astype("float32")
        mask = rng.random((4, 7)) > 0.4
        mask[:, 0] = True
        args = dict(data_format=data_format, keepdims=keepdims)
        ours = keraslite.layers.GlobalAveragePooling1D(**args)
        theirs = keras.layers.GlobalAveragePooling1D(**args)
        value, dy, dx, _ = _ours_call(ours, x, mask=mask, requires_grad=True)
        v = tf.Variable(x)
        with tf.GradientTape() as gt:
            theirs_out = theirs(v, mask=tf.constant(mask))
        their_dx = gt.gradient(theirs_out, v, output_gradients=dy)
        return [Pair("forward", value, theirs_out.numpy()),
                Pair("input gradient", dx, their_dx.numpy()),
                Pair("output mask", ours.compute_mask(x, mask),
                     getattr(theirs_out, "_keras_mask", None), exact=True)]

    return Row(f"layers.GlobalAveragePooling1D[masked, {data_format}, "
               f"keepdims={keepdims}: forward, input gradient]", compute,
               covers=("layers.GlobalAveragePooling1D",))


def _mask_flow_row():
    """The mask each layer of a functional model hands on, as Keras's
    `_keras_mask` (pass-through, merges, Concatenate, dropped by Flatten)."""
    from compat_tests.parity import Pair, Row

    def build(lib):
        L = lib.layers
        ids = lib.Input((6,))
        feats = lib.Input((6, 2))
        a = L.Embedding(5, 2, mask_zero=True)(ids)
        b = L.Masking(0.0)(feats)
        dense = L.Dense(2)(a)
        added = L.Add()([dense, b])
        joined = L.Concatenate()([a, b])
        act = L.Activation("relu")(joined)
        return lib.Model([ids, feats], [added, joined, act, L.Dense(1)(act)])

    def compute():
        tf, keras = _lib()
        ids = np.array([[1, 2, 0, 0, 3, 0], [0, 4, 4, 1, 0, 0]], "float32")
        feats = np.ones((2, 6, 2), "float32")
        feats[0, 1] = 0.0
        feats[1, 4:] = 0.0
        theirs = build(keras)
        outs = theirs([ids, feats])
        ours = build(keraslite)
        _, masks = ours._run_graph([ids, feats], False, None)
        return [Pair(f"mask of output {i}", m.tolist(),
                     o._keras_mask.numpy().tolist(), exact=True)
                for i, (m, o) in enumerate(zip(masks, outs))]

    return Row("masks[Embedding(mask_zero), Masking, Dense, Add, Concatenate, "
               "Activation: the masks of a functional model's outputs]",
               compute, covers=())


def embedding_rows():
    return ([_embedding_row(*case) for case in EMBEDDING_CASES]
            + [_masking_row(0.0), _masking_row(-1.0)]
            + [_masked_pooling_row(f, k) for f in ("channels_last", "channels_first")
               for k in (False, True)]
            + [_mask_flow_row()])
