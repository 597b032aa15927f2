"""Sequential's public API: structure, training loop, return values, errors."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, models, optimizers
from keraslite.callbacks import History


def small_data(n=64, d=8, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    labels = (x @ rng.normal(size=(d, classes))).argmax(axis=1)  # learnable
    return x, keraslite.utils.to_categorical(labels, classes), labels


def small_model(d=8, classes=3, metrics=("accuracy",)):
    model = models.Sequential([
        keraslite.Input((d,)),
        layers.Dense(16, activation="relu"),
        layers.Dense(classes, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                  metrics=list(metrics))
    return model


def test_add_pop_layers_and_build():
    model = models.Sequential(name="stack")
    assert model.name == "stack"
    model.add(layers.Dense(4, input_shape=(3,)))
    model.add(layers.Dense(2))
    assert model.built
    assert [type(la).__name__ for la in model.layers] == ["Dense", "Dense"]
    assert model.output_shape == (None, 2)
    assert model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    popped = model.pop()
    assert isinstance(popped, layers.Dense) and popped.units == 2
    assert model.output_shape == (None, 4)


def test_input_dim_and_lazy_build():
    model = models.Sequential([layers.Dense(5, input_dim=7)])
    assert model.input_shape == (None, 7)
    lazy = models.Sequential([layers.Dense(5)])
    assert not lazy.built
    out = lazy.predict(np.ones((3, 6), "float32"), verbose=0)
    assert lazy.built and out.shape == (3, 5)
    with pytest.raises(ValueError, match="no defined input shape"):
        models.Sequential([layers.Dense(2)]).output_shape


def test_automatic_unique_names():
    a, b = layers.Dense(1), layers.Dense(1)
    assert a.name.startswith("dense") and b.name != a.name
    base = a.name
    suffix = 0 if base == "dense" else int(base.rsplit("_", 1)[1])
    assert b.name == f"dense_{suffix + 1}"
    with pytest.raises(ValueError, match="unique"):
        models.Sequential([layers.Dense(1, name="x", input_shape=(2,)),
                           layers.Dense(1, name="x")])


def test_fit_history_keys_params_epoch():
    x, y, _ = small_data()
    model = small_model(metrics=["accuracy", "mae"])
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0,
                        validation_split=0.25)
    assert isinstance(history, History) and model.history is history
    assert list(history.history) == [
        "accuracy", "loss", "mae", "val_accuracy", "val_loss", "val_mae"
    ]
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert all(len(v) == 3 for v in history.history.values())
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_training_reduces_loss():
    x, y, _ = small_data(n=256)
    model = small_model()
    before = model.evaluate(x, y, verbose=0)[0]
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    after = model.evaluate(x, y, verbose=0)[0]
    assert after < before * 0.8


def test_initial_epoch_resumes_numbering():
    x, y, _ = small_data()
    model = small_model()
    history = model.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]


def test_evaluate_return_forms():
    x, y, _ = small_data()
    model = small_model(metrics=["mse", "accuracy"])
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 3
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss", "mse"]
    assert result == [logs["loss"], logs["mse"], logs["accuracy"]]
    plain = models.Sequential([keraslite.Input((8,)), layers.Dense(3)])
    plain.compile("sgd", "mse")
    assert isinstance(plain.evaluate(x, y, verbose=0), float)


def test_batch_methods_and_predict():
    x, y, _ = small_data()
    model = small_model()
    out = model.train_on_batch(x[:16], y[:16])
    assert isinstance(out, list) and len(out) == 2
    logs = model.test_on_batch(x[:16], y[:16], return_dict=True)
    assert set(logs) == {"accuracy", "loss"}
    pred = model.predict(x, batch_size=10, verbose=0)
    assert pred.shape == (64, 3) and pred.dtype == np.float32
    np.testing.assert_allclose(pred.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict_on_batch(x), pred)
    np.testing.assert_allclose(model(x), pred, rtol=1e-6)


def test_evaluate_loss_weighted_by_batch_size():
    x, y, _ = small_data(n=50)
    model = small_model()
    whole = model.evaluate(x, y, batch_size=50, verbose=0)[0]
    batched = model.evaluate(x, y, batch_size=16, verbose=0)[0]
    assert batched == pytest.approx(whole, rel=1e-5)


def test_get_set_weights_all_or_nothing():
    model = small_model()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(8, 16), (16,), (16, 3), (3,)]
    bad = [np.zeros_like(w) for w in weights]
    bad[-1] = np.zeros(4, "float32")
    with pytest.raises(ValueError, match="shape mismatch"):
        model.set_weights(bad)
    for now, before in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(now, before)
    model.set_weights([np.ones_like(w) for w in weights])
    assert all(np.all(w == 1) for w in model.get_weights())


def test_config_round_trip():
    model = small_model()
    clone = models.Sequential.from_config(model.get_config())
    assert [la.get_config()["units"] for la in clone.layers] == [16, 3]
    assert clone.layers[0].activation is keraslite.activations.relu
    assert clone.input_shape == model.input_shape
    assert models.clone_model(model).count_params() == model.count_params()


def test_summary_prints_table(capsys):
    model = small_model()
    model.summary()
    text = capsys.readouterr().out
    assert f'Model: "{model.name}"' in text
    assert "(None, 16)" in text and "(None, 3)" in text
    assert "Total params: 195" in text and "Trainable params: 195" in text


def test_optimizer_objects_and_strings():
    for opt in ("sgd", "adam", optimizers.SGD(0.1, momentum=0.9),
                optimizers.Adam(amsgrad=True), optimizers.RMSprop(centered=True,
                                                                   momentum=0.5)):
        x, y, _ = small_data()
        model = small_model()
        model.compile(optimizer=opt, loss="categorical_crossentropy")
        model.fit(x, y, epochs=1, verbose=0)
        assert model.optimizer.iterations == 2


def test_sparse_labels_and_binary():
    x, _, labels = small_data()
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    model.fit(x, labels, epochs=1, verbose=0)
    binary = models.Sequential([keraslite.Input((8,)),
                                layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="metrics=\\[...\\]"):
        binary.compile("rmsprop", "binary_crossentropy", ["accuracy"])
    binary.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    history = binary.fit(x, (labels > 0).astype("float32"), epochs=2, verbose=0)
    assert 0 <= history.history["accuracy"][-1] <= 1


def test_dropout_and_flatten_in_a_model():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4, 4)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    model = models.Sequential([keraslite.Input((4, 4)), layers.Flatten(),
                               layers.Dense(8, activation="tanh"),
                               layers.Dropout(0.5), layers.Dense(2)])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


@pytest.mark.parametrize("call, exc, match", [
    (lambda m, x, y: m.fit(x, y, batch_size=0), ValueError, "batch_size"),
    (lambda m, x, y: m.fit(x, y, batch_size=-3), ValueError, "batch_size"),
    (lambda m, x, y: m.fit(x, y, epochs=1, initial_epoch=2), ValueError,
     "initial_epoch"),
    (lambda m, x, y: m.fit(x, y, validation_split=1.0), ValueError,
     "validation_split"),
    (lambda m, x, y: m.fit(x, y, validation_split=-0.1), ValueError,
     "validation_split"),
    (lambda m, x, y: m.fit(x, y[:10]), ValueError, "cardinality"),
    (lambda m, x, y: m.fit(x[:, :5], y), ValueError, "incompatible"),
    (lambda m, x, y: m.predict(x[:, :5]), ValueError, "incompatible"),
    (lambda m, x, y: m.fit(x, y.argmax(1)), ValueError, "to_categorical"),
    (lambda m, x, y: m.fit(x[:0], y[:0]), ValueError, "non-empty"),
    (lambda m, x, y: m.fit(np.array([["a"] * 8] * 64), y), ValueError, "numbers"),
])
def test_bad_input_raises_clear_errors(call, exc, match):
    x, y, _ = small_data()
    with pytest.raises(exc, match=match):
        call(small_model(), x, y)


def test_fit_before_compile_and_unknown_identifiers():
    x, y, _ = small_data()
    model = models.Sequential([keraslite.Input((8,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="compile"):
        model.fit(x, y)
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        model.compile(optimizer="rmsprp", loss="mse")
    with pytest.raises(ValueError, match="loss identifier"):
        model.compile(optimizer="sgd", loss="msee")
    with pytest.raises(ValueError, match="activation"):
        layers.Dense(3, activation="rellu")
    model.compile("sgd", "mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="metric"):
        model.fit(x, y, verbose=0)


def test_lists_and_float64_accepted():
    x, y, _ = small_data()
    model = small_model()
    model.fit(x.astype("float64").tolist(), y.tolist(), epochs=1, verbose=0)
    assert model.predict(x.astype("float64"), verbose=0).dtype == np.float32


def test_layer_weights_float32_and_layer_call():
    layer = layers.Dense(3, activation="relu", use_bias=False)
    out = layer(np.ones((2, 5)))
    assert out.shape == (2, 3) and out.dtype == np.float32
    assert [w.name for w in layer.weights] == ["kernel"]
    assert layer.kernel.value.dtype == np.float32
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        layers.Dense(3, foo=1)


def test_validation_steps_caps_validation_batches():
    x, y, _ = small_data(n=64)
    seen = []

    class Count(keraslite.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            seen.append(batch)

    model = small_model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, validation_data=(x, y),
              validation_steps=2, callbacks=[Count()])
    assert seen == [0, 1]
    seen.clear()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, validation_data=(x, y),
              callbacks=[Count()])
    assert seen == [0, 1, 2, 3]


def test_class_weight_scales_the_loss():
    x, y, _ = small_data(n=32)
    model = small_model()
    plain = model.test_on_batch(x, y)[0]
    weights = {0: 2.0, 1: 2.0, 2: 2.0}
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    before = model.get_weights()
    doubled = model.train_on_batch(x, y, class_weight=weights)[0]
    assert doubled == pytest.approx(2 * plain, rel=1e-5)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
