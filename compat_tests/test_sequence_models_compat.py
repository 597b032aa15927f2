"""Whole sequence models beside Keras: masks from Embedding(mask_zero) or
Masking flowing through recurrent layers and wrappers into a masked loss.

Same weights, shuffle=False, 3 epochs: History and every final weight within
1e-4 (issue 12). SGD for the Embedding models: with RMSprop/Adam, Keras on
TensorFlow squares each occurrence of a repeated id's gradient slice before
summing (README, deliberate differences), keraslite uses the dense gradient.
"""
import numpy as np
import pytest

keras = pytest.importorskip("keras")
import keraslite  # noqa: E402


def _ids(seed, batch=16, steps=7, vocab=50):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, vocab, (batch, steps))
    x[:, :3] = 0          # pre-padding, as pad_sequences writes it
    x[3, :] = 0           # a fully masked sample
    x[5, 4:] = 0          # post-padding
    return x


def _floats(seed, batch=16, steps=7, features=3):
    x = np.random.default_rng(seed).normal(size=(batch, steps, features))
    x[:, :2] = 0.0        # Masking(0.0) hides these steps
    return x.astype("float32")


def embedding_simple_rnn(lib):
    L = lib.layers
    return [lib.Input((7,)), L.Embedding(50, 4), L.SimpleRNN(5), L.Dense(1)]


def embedding_mask_lstm(lib):
    L = lib.layers
    return [lib.Input((7,)), L.Embedding(50, 4, mask_zero=True),
            L.LSTM(5, return_sequences=True), L.GRU(3), L.Dense(1)]


def bidirectional_lstm_gru(lib):
    L = lib.layers
    return [lib.Input((7,)), L.Embedding(50, 4, mask_zero=True),
            L.Bidirectional(L.LSTM(5, return_sequences=True)),
            L.GRU(3, reset_after=False), L.Dense(1)]


def bidirectional_time_distributed(lib):
    L = lib.layers
    return [lib.Input((7,)), L.Embedding(50, 4, mask_zero=True),
            L.Bidirectional(L.LSTM(5, return_sequences=True), merge_mode="sum"),
            L.TimeDistributed(L.Dense(2))]


def masking_stacked_lstm(lib):
    L = lib.layers
    return [lib.Input((7, 3)), L.Masking(0.0), L.LSTM(6, return_sequences=True),
            L.LSTM(4, return_sequences=True), L.TimeDistributed(L.Dense(2))]


CASES = [
    # (builder, inputs, target shape, optimizer)
    (embedding_simple_rnn, _ids, (1,), "sgd"),
    (embedding_mask_lstm, _ids, (1,), "sgd"),
    (bidirectional_lstm_gru, _ids, (1,), "sgd"),
    (bidirectional_time_distributed, _ids, (7, 2), "sgd"),
    (masking_stacked_lstm, _floats, (7, 2), "rmsprop"),
]


@pytest.mark.parametrize("builder,inputs,target,optimizer", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_sequence_model_fits_like_keras(builder, inputs, target, optimizer):
    x = inputs(0)
    y = np.random.default_rng(1).random((len(x),) + target).astype("float32")
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(builder(keras))
    ours = keraslite.Sequential(builder(keraslite))
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    for model in (theirs, ours):
        model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    kwargs = dict(epochs=3, batch_size=4, shuffle=False, verbose=0,
                  validation_split=0.25)
    h_theirs = theirs.fit(x, y, **kwargs).history
    h_ours = ours.fit(x, y, **kwargs).history
    assert sorted(h_ours) == sorted(h_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=0, atol=1e-4,
                                   err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def addition_rnn(lib):
    """Keras's addition_rnn example: an encoder LSTM, RepeatVector, a decoder
    LSTM and a softmax Dense on every step (3-D logits into the loss)."""
    L = lib.layers
    return [lib.Input((7, 12)), L.LSTM(16), L.RepeatVector(4),
            L.LSTM(16, return_sequences=True), L.Dense(12, activation="softmax")]


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_addition_rnn_fits_like_keras(optimizer):
    rng = np.random.default_rng(2)
    x = np.eye(12, dtype=bool)[rng.integers(0, 12, (32, 7))]
    y = np.eye(12, dtype=bool)[rng.integers(0, 12, (32, 4))]
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(addition_rnn(keras))
    ours = keraslite.Sequential(addition_rnn(keraslite))
    ours.set_weights(theirs.get_weights())
    for model in (theirs, ours):
        model.compile(loss="categorical_crossentropy", optimizer=optimizer,
                      metrics=["accuracy"])
    kwargs = dict(epochs=3, batch_size=8, shuffle=False, verbose=0,
                  validation_data=(x[:8], y[:8]))
    h_theirs = theirs.fit(x, y, **kwargs).history
    h_ours = ours.fit(x, y, **kwargs).history
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=0, atol=1e-4,
                                   err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def int_ids_model(lib):
    """Keras's bidirectional_lstm_imdb example: variable-length int32 ids."""
    L = lib.layers
    inputs = lib.Input(shape=(None,), dtype="int32")
    x = L.Embedding(50, 8)(inputs)
    x = L.Bidirectional(L.LSTM(4, return_sequences=True))(x)
    x = L.Bidirectional(L.LSTM(4))(x)
    return lib.Model(inputs, L.Dense(1, activation="sigmoid")(x))


def test_int32_input_model_fits_and_crosses_files(tmp_path):
    x = _ids(3)
    y = np.random.default_rng(4).integers(0, 2, len(x))
    keras.utils.set_random_seed(0)
    theirs, ours = int_ids_model(keras), int_ids_model(keraslite)
    assert ours.inputs[0].dtype == "int32"
    ours.set_weights(theirs.get_weights())
    for model in (theirs, ours):
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    kwargs = dict(epochs=2, batch_size=4, shuffle=False, verbose=0)
    h_theirs, h_ours = theirs.fit(x, y, **kwargs).history, ours.fit(x, y, **kwargs).history
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=0, atol=1e-4)
    ours.save(tmp_path / "ours.keras")
    loaded = keras.saving.load_model(tmp_path / "ours.keras")
    assert loaded.inputs[0].dtype == "int32"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    theirs.save(tmp_path / "theirs.keras")
    back = keraslite.saving.load_model(tmp_path / "theirs.keras")
    assert back.inputs[0].dtype == "int32"
    np.testing.assert_allclose(back.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
