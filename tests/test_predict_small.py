"""Sequential's shortcut for `predict(x, verbose=0)` of one small batch
(`Sequential._predict_small`): the general path's outputs and errors, and
the general path for everything it does not cover."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, models


def _model(*extra, d=8):
    model = models.Sequential([
        keraslite.Input((d,)),
        layers.Dense(16, activation="relu"),
        *extra,
        layers.Dense(3, activation="softmax"),
    ])
    model.compile("rmsprop", "categorical_crossentropy")
    return model


def _x(n, d=8, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype("float32")


def _general(model, x):
    """predict through the batch loop (a callback list forces it)."""
    return model.predict(x, verbose=0, callbacks=[keraslite.callbacks.Callback()])


@pytest.mark.parametrize("n", [1, 5, 32])
@pytest.mark.parametrize("extra", ["plain", "dropout_batchnorm"])
def test_equals_the_general_path(n, extra):
    more = [layers.Dropout(0.5), layers.BatchNormalization()] \
        if extra == "dropout_batchnorm" else []
    model = _model(*more)
    x = _x(64)
    model.fit(x, np.eye(3, dtype="float32")[np.arange(64) % 3], epochs=1,
              verbose=0)  # BatchNormalization's moving statistics move
    assert model._predict_small(x[:n]) is not None  # the shortcut is taken
    out = model.predict(x[:n], verbose=0)
    assert out.shape == (n, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out, _general(model, x[:n]))


def test_returns_a_new_array_each_call():
    model = _model()
    x = _x(2)
    first = model.predict(x[:1], verbose=0)
    kept = first.copy()
    model.predict(x[1:], verbose=0)
    np.testing.assert_array_equal(first, kept)  # not a reused layer buffer


@pytest.mark.parametrize("case", ["33 samples", "float64", "uint8", "list",
                                  "batch_size", "verbose"])
def test_other_inputs_take_the_general_path(case):
    model = _model()
    x = _x(40)
    data, kwargs = {
        "33 samples": (x[:33], {}),
        "float64": (x[:2].astype("float64"), {}),
        "uint8": ((np.abs(x[:2]) * 10).astype("uint8"), {}),
        "list": (x[:2].tolist(), {}),
        "batch_size": (x[:2], {"batch_size": 1}),
        "verbose": (x[:2], {"verbose": 1}),
    }[case]
    if case not in ("batch_size", "verbose"):
        assert model._predict_small(data) is None
    kwargs.setdefault("verbose", 0)
    out = model.predict(data, **kwargs)
    np.testing.assert_allclose(
        out, model.predict(np.asarray(data, "float32"), verbose=0), rtol=1e-6)


def test_masking_and_custom_layers_take_the_general_path():
    masked = models.Sequential([
        keraslite.Input((4,), dtype="int32"),
        layers.Embedding(10, 3, mask_zero=True),
        layers.GlobalAveragePooling1D(),
    ])
    ids = np.array([[1, 2, 0, 0]], "int32")
    assert masked._predict_small(ids.astype("float32")) is None
    np.testing.assert_allclose(masked.predict(ids, verbose=0),
                               masked(ids), rtol=1e-6)

    class Twice(layers.Layer):
        def call(self, x):
            return x * 2

    custom = models.Sequential([keraslite.Input((3,)), Twice()])
    x = _x(1, d=3)
    assert custom._predict_small(x) is None
    np.testing.assert_array_equal(custom.predict(x, verbose=0), x * 2)


def test_keeps_the_general_paths_errors():
    model = _model()
    bad = _x(1)
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or Inf.*index \\(0, 3\\)"):
        model.predict(bad, verbose=0)
    with pytest.raises(ValueError, match="incompatible|expected"):
        model.predict(_x(1, d=5), verbose=0)


def test_a_convnet_with_the_fused_step():
    model = models.Sequential([
        keraslite.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
    x = np.random.default_rng(1).random((2, 8, 8, 1)).astype("float32")
    assert model._predict_small(x) is not None
    np.testing.assert_array_equal(model.predict(x, verbose=0),
                                  _general(model, x))
