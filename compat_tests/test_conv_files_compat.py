"""Every convolution case of the parity table crosses between Keras and
keraslite as a one-layer functional model, both ways, through `.keras`,
legacy `.h5` and `.weights.h5`: the weights arrive unchanged and the
predictions agree within 1e-6. tf.keras 2 (tf_keras) legacy `.h5` convnets
load too, and keraslite's Sequential convnet `.h5` loads in tf.keras 2.
"""
import numpy as np
import pytest

import keraslite
from compat_tests.parity_conv import CONV_LAYER_CASES
from tests.ops_cases import inputs

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _one_layer_model(lib, make, shape):
    inp = lib.Input(shape[1:], name="in0")
    return lib.Model(inp, make(lib.layers)(inp))


def _set_random_weights(model, seed=7):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, 0.3, w.shape).astype("float32")
                       for w in model.get_weights()])


def _same_model(source, loaded, x):
    assert [w.shape for w in loaded.get_weights()] == \
        [w.shape for w in source.get_weights()]
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), source.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert type(loaded.layers[-1]).__name__ == type(source.layers[-1]).__name__
    assert loaded.layers[-1].get_config()["kernel_size"] == \
        source.layers[-1].get_config()["kernel_size"]


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name,make,shapes,kind", CONV_LAYER_CASES,
                         ids=[c[0] for c in CONV_LAYER_CASES])
def test_every_conv_layer_model_file_crosses_both_ways(tmp_path, name, make, shapes,
                                                       kind, suffix):
    x = inputs(shapes, kind, seed=6)[0]
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = _one_layer_model(writer, make, shapes[0])
        _set_random_weights(source)
        path = tmp_path / f"{writer.__name__}{suffix}"
        source.save(path)
        _same_model(source, reader.models.load_model(path), x)


@pytest.mark.parametrize("name,make,shapes,kind", CONV_LAYER_CASES,
                         ids=[c[0] for c in CONV_LAYER_CASES])
def test_every_conv_layer_weights_file_crosses_both_ways(tmp_path, name, make, shapes,
                                                         kind):
    x = inputs(shapes, kind, seed=6)[0]
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = _one_layer_model(writer, make, shapes[0])
        _set_random_weights(source)
        path = tmp_path / f"{writer.__name__}.weights.h5"
        source.save_weights(path)
        target = _one_layer_model(reader, make, shapes[0])
        target.load_weights(path)
        _same_model(source, target, x)


def _tf_keras_convnet(tf_keras):
    return tf_keras.Sequential([
        tf_keras.Input((12, 12, 1)),
        tf_keras.layers.Conv2D(4, 3, activation="relu", name="c1"),
        tf_keras.layers.Conv2D(6, (3, 2), strides=2, padding="same", name="c2"),
        tf_keras.layers.Flatten(name="flat"),
        tf_keras.layers.Dense(3, activation="softmax", name="out"),
    ])


def test_tf_keras_2_conv2d_h5_loads(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    model = _tf_keras_convnet(tf_keras)
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(8, 12, 12, 1)).astype("float32")
    model.fit(x, np.eye(3, dtype="float32")[np.arange(8) % 3], epochs=1, verbose=0)
    model.save(tmp_path / "k2.h5")
    ours = keraslite.models.load_model(tmp_path / "k2.h5")
    assert [type(la).__name__ for la in ours.layers] == ["Conv2D", "Conv2D", "Flatten",
                                                         "Dense"]
    np.testing.assert_allclose(ours.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_tf_keras_2_functional_convnet_h5_loads(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    inp = tf_keras.Input((10, 10, 3))
    h = tf_keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw")(inp)
    h = tf_keras.layers.SeparableConv2D(4, 3, padding="same", activation="relu",
                                        name="sep")(h)
    h = tf_keras.layers.Conv2DTranspose(2, 3, strides=2, name="up")(h)
    out = tf_keras.layers.Conv2D(2, 3, groups=2, name="grouped")(h)
    seq_in = tf_keras.Input((9, 2))
    seq = tf_keras.layers.Conv1D(3, 3, padding="causal", dilation_rate=2, name="c1d")(seq_in)
    model = tf_keras.Model([inp, seq_in], [out, seq])
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32")
                       for w in model.get_weights()])
    model.save(tmp_path / "k2f.h5")
    ours = keraslite.models.load_model(tmp_path / "k2f.h5")
    xs = [rng.normal(size=(4, 10, 10, 3)).astype("float32"),
          rng.normal(size=(4, 9, 2)).astype("float32")]
    for a, b in zip(ours.predict(xs, verbose=0), model.predict(xs, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_keraslite_sequential_convnet_h5_loads_in_tf_keras_2(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    model = _tf_keras_convnet(keraslite)
    _set_random_weights(model)
    model.save(tmp_path / "ours.h5")
    theirs = tf_keras.models.load_model(tmp_path / "ours.h5")
    x = np.random.default_rng(2).normal(size=(5, 12, 12, 1)).astype("float32")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
