"""Saturated softmax/sigmoid outputs: the loss comes from the logits, as in
Keras's TensorFlow backend, whether the activation is in the Dense layer or
in an Activation layer of its own (clipped probabilities would differ)."""
import numpy as np
import pytest

import keraslite

CASES = [  # (output activation, units, loss, label kind)
    ("softmax", 4, "categorical_crossentropy", "onehot"),
    ("softmax", 4, "sparse_categorical_crossentropy", "sparse"),
    ("sigmoid", 1, "binary_crossentropy", "binary"),
]


def labels(kind, n, rng):
    if kind == "onehot":
        return np.eye(4, dtype="float32")[rng.integers(0, 4, n)]
    if kind == "sparse":
        return rng.integers(0, 4, n).astype("float32")
    return rng.integers(0, 2, (n, 1)).astype("float32")


def build(lib, activation, units, separate):
    if separate:
        stack = [lib.layers.Dense(units), lib.layers.Activation(activation)]
    else:
        stack = [lib.layers.Dense(units, activation=activation)]
    return lib.Sequential([lib.Input((3,))] + stack)


@pytest.mark.parametrize("separate", [False, True], ids=["in_dense", "activation_layer"])
@pytest.mark.parametrize("activation, units, loss, kind", CASES)
def test_saturated_outputs_match_keras(activation, units, loss, kind, separate):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = labels(kind, 16, rng)
    ours = build(keraslite, activation, units, separate)
    theirs = build(keras, activation, units, separate)
    weights = [rng.normal(size=(3, units)).astype("float32") * 40,  # saturate
               rng.normal(size=(units,)).astype("float32")]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    ours.compile("sgd", loss)
    theirs.compile("sgd", loss)
    value, grads = ours._compute_loss_and_grads(x, y)
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        keras_value = tf.reduce_mean(loss_fn(y, theirs(x, training=True)))
    keras_grads = tape.gradient(keras_value, theirs.trainable_weights)
    np.testing.assert_allclose(value, float(keras_value), rtol=1e-5, atol=1e-5)
    for mine, ref in zip(grads, keras_grads):
        np.testing.assert_allclose(mine, ref.numpy(), rtol=1e-4, atol=1e-5)
