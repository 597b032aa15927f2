"""TextVectorization models cross `.keras` and `.weights.h5` files both ways
with Keras 3: the vocabulary (assets/layers/<path>/vocabulary.txt, for the
layer and its `_lookup_layer`, as Keras's saving_lib writes it, or the
config for a given vocabulary list), the IDF weights (`vars/idf_weights`) and
the Dense weights after it; predictions on strings identical (within 1e-6
for tf_idf and Dense outputs).
"""
import os
import warnings
import zipfile

import numpy as np
import pytest

import keraslite
from compat_tests.parity import _keras
from compat_tests.parity_text import CALLS, TEXTS

CONFIGS = [
    dict(),
    dict(output_sequence_length=6, ngrams=(1, 2)),
    dict(output_mode="multi_hot", max_tokens=9),
    dict(output_mode="count", max_tokens=12, pad_to_max_tokens=True),
    dict(output_mode="tf_idf"),
    dict(output_mode="tf_idf", max_tokens=10, pad_to_max_tokens=True, ngrams=2),
    dict(split="character", output_mode="count"),
    dict(vocabulary=["dog", "the", "cat"], output_sequence_length=4),
    dict(vocabulary=["dog", "the", "cat"], output_mode="tf_idf",
         idf_weights=[0.5, 0.25, 2.0]),
]
# NOTE: a token holding a line break ("\x0b", "\x0c", "\n" with
# split="character") does not survive vocabulary.txt, which Keras reads with
# str.splitlines(): Keras cannot reload such a file of its own either.
FILE_TEXTS = [t.replace("\x0b", " ").replace("\x0c", " ") for t in TEXTS]
INPUTS = np.array(CALLS[0] + TEXTS)[:, None]


def _model(lib, config, dense):
    """Input(string) -> TextVectorization (adapted first, so that a Dense
    after it knows its input width) [-> Dense(3)]."""
    layer = lib.layers.TextVectorization(**config)
    if "vocabulary" not in config:
        layer.adapt(FILE_TEXTS)
    layers = [lib.Input(shape=(1,), dtype="string"), layer]
    if dense:
        layers.append(lib.layers.Dense(3))
    return lib.Sequential(layers)


def _keras_load(path):
    """Keras's load_model, failing on its 'could not be loaded' warnings."""
    _, keras = _keras()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.saving.load_model(path)
    problems = [str(w.message) for w in caught if "could not be loaded" in str(w.message)
                or "Skipping variable loading" in str(w.message)]
    assert not problems, problems
    return model


def _predict(model):
    """Predictions on INPUTS: keraslite takes the NumPy strings, Keras's
    predict a tf.string tensor (it refuses NumPy string arrays)."""
    if isinstance(model, keraslite.Model):
        return np.asarray(model.predict(INPUTS, verbose=0))
    tf, _ = _keras()
    return np.asarray(model.predict(tf.constant(INPUTS), verbose=0))


@pytest.mark.parametrize("config", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_keras_file_to_keraslite_and_back(config, tmp_path):
    _, keras = _keras()
    dense = config.get("output_mode") == "tf_idf"
    theirs = _model(keras, config, dense)
    expected = _predict(theirs)
    path = str(tmp_path / "keras.keras")
    theirs.save(path)
    ours = keraslite.saving.load_model(path)
    assert ours.layers[0].get_vocabulary() == [str(t) for t in theirs.layers[0].get_vocabulary()]
    got = _predict(ours)
    assert got.shape == expected.shape and str(got.dtype) == str(expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    # and back: keraslite writes, Keras reads
    back = str(tmp_path / "back.keras")
    ours.save(back)
    again = _keras_load(back)
    np.testing.assert_allclose(_predict(again), expected, rtol=1e-6, atol=1e-6)
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(back) as b:
        assert sorted(n for n in a.namelist() if n.startswith("assets/")) == \
            sorted(n for n in b.namelist() if n.startswith("assets/"))
        for name in a.namelist():
            if name.startswith("assets/"):
                assert a.read(name) == b.read(name), name


@pytest.mark.parametrize("config", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_keraslite_file_to_keras(config, tmp_path):
    _, keras = _keras()
    dense = config.get("output_mode") == "tf_idf"
    ours = _model(keraslite, config, dense)
    theirs = _model(keras, config, dense)
    if dense:
        theirs.layers[-1].set_weights(ours.layers[-1].get_weights())
    path = str(tmp_path / "ours.keras")
    ours.save(path)
    loaded = _keras_load(path)
    np.testing.assert_allclose(_predict(loaded), _predict(theirs), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_predict(ours), _predict(theirs), rtol=1e-6, atol=1e-6)


def test_weights_file_holds_idf_weights_both_ways(tmp_path):
    _, keras = _keras()
    config = dict(output_mode="tf_idf", max_tokens=10, pad_to_max_tokens=True)
    theirs = _model(keras, config, True)
    ours = _model(keraslite, config, True)
    theirs_path = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(theirs_path)
    ours.load_weights(theirs_path)
    np.testing.assert_array_equal(ours.layers[-1].get_weights()[0],
                                  theirs.layers[-1].get_weights()[0])
    np.testing.assert_allclose(ours.layers[0]._lookup_layer.idf_weights,
                               np.asarray(theirs.layers[0]._lookup_layer.idf_weights),
                               rtol=1e-6)
    ours_path = str(tmp_path / "ours.weights.h5")
    ours.save_weights(ours_path)
    fresh = _model(keras, config, True)
    fresh.load_weights(ours_path)
    np.testing.assert_allclose(_predict(fresh), _predict(theirs), rtol=1e-6, atol=1e-6)
    assert os.path.getsize(ours_path) > 0
