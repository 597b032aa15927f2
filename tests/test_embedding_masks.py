"""Embedding, Masking and Keras 3's masks (issue 12), NumPy only: a float64
gradient check of the embeddings gradient, golden values from Keras's own
unit tests, bad inputs, and how masks flow through Sequential, functional
and subclassed models to the layers, losses and metrics that use them."""
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import autodiff, layers

from tests.test_gradcheck import float64, numeric_grad  # noqa: F401 (a fixture)


def _weight_grad(layer, x, dy, mask=None):
    kwargs = {} if mask is None else {"mask": mask}
    with autodiff.Tape(watch=layer.trainable_weights) as tape:
        out = layer._eager_call(x, **kwargs)
    return autodiff.dense(tape.gradient([(out, dy.copy())])[id(layer.embeddings)])


# --- gradient check and golden values -------------------------------------------------
def test_embedding_weight_gradient_float64(float64):
    rng = np.random.default_rng(0)
    layer = layers.Embedding(6, 3, dtype="float64")
    ids = np.array([[1, 4, 1, 0], [5, 5, 5, 2]])  # repeats sum into one row
    layer.build()
    layer.set_weights([rng.normal(size=(6, 3))])
    dy = rng.normal(size=(2, 4, 3))
    analytic = _weight_grad(layer, ids, dy)
    numeric = numeric_grad(lambda: float(np.sum(layer(ids) * dy)),
                           layer.embeddings.value)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-8)
    assert not analytic[3].any()  # an index not looked up gets no gradient
    # A second step: only its own rows get a gradient.
    ids2 = np.array([[3, 3, 0, 0], [2, 2, 2, 2]])
    analytic2 = _weight_grad(layer, ids2, dy)
    numeric2 = numeric_grad(lambda: float(np.sum(layer(ids2) * dy)),
                            layer.embeddings.value)
    np.testing.assert_allclose(analytic2, numeric2, rtol=1e-7, atol=1e-8)
    assert not analytic2[[1, 4, 5]].any()


def test_embedding_gradient_when_few_rows_are_re_zeroed(float64):
    """A large vocabulary and few ids, step after step (repeats summed)."""
    rng = np.random.default_rng(1)
    layer = layers.Embedding(200, 2, dtype="float64")
    layer.build()
    layer.set_weights([rng.normal(size=(200, 2))])
    for ids in (np.array([[7, 150, 7]]), np.array([[9, 9, 199]]), np.array([[0, 7, 1]])):
        dy = rng.normal(size=(1, 3, 2))
        analytic = _weight_grad(layer, ids, dy)
        numeric = numeric_grad(lambda: float(np.sum(layer(ids) * dy)),
                               layer.embeddings.value)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-8)


def test_embedding_golden_values():
    # keras/src/layers/core/embedding_test.py: test_correctness, test_masking,
    # test_compute_mask_no_masking.
    layer = layers.Embedding(input_dim=3, output_dim=2)
    layer.build()
    layer.embeddings.assign(np.array([[0.0, 0.0], [2.0, 2.0], [3.0, 3.0]]))
    np.testing.assert_array_equal(layer(np.array([2, 1, 0])),
                                  [[3.0, 3.0], [2.0, 2.0], [0.0, 0.0]])
    assert layer.compute_mask(np.array([2, 1, 0])) is None
    masked = layers.Embedding(input_dim=3, output_dim=2, mask_zero=True)
    np.testing.assert_array_equal(masked.compute_mask(np.array([2, 1, 0])),
                                  [True, True, False])
    assert masked.supports_masking and not layer.supports_masking


def test_embedding_float_indices_holding_integers_work_as_in_keras():
    layer = layers.Embedding(5, 2)
    ints = np.array([[0, 4, 2]])
    np.testing.assert_array_equal(layer(ints.astype("float32")), layer(ints))


def test_embedding_weights_argument_and_config_round_trip():
    w = np.arange(12, dtype="float32").reshape(6, 2)
    layer = layers.Embedding(6, 2, weights=w, mask_zero=True,
                             embeddings_regularizer="l2",
                             embeddings_constraint="non_neg")
    np.testing.assert_array_equal(layer.get_weights()[0], w)
    clone = layers.Embedding.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.mask_zero and clone.input_dim == 6 and clone.output_dim == 2
    assert layer.get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"


def test_masking_golden_values():
    # keras/src/layers/core/masking_test.py: test_masking_correctness.
    x = np.array([[[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]],
                  [[2.0, 2.0], [0.0, 0.0], [2.0, 1.0]]], "float32")
    layer = layers.Masking(mask_value=0.0)
    np.testing.assert_array_equal(layer.compute_mask(x),
                                  [[False, True, False], [True, False, True]])
    seen = []

    class TestLayer(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def compute_output_shape(self, input_shape):
            return input_shape

        def call(self, inputs, mask=None):
            seen.append(mask)
            return inputs

    keraslite.Sequential([keraslite.Input((3, 2)), layers.Masking(mask_value=0.0),
                          TestLayer()])(x)
    np.testing.assert_array_equal(seen[-1], [[False, True, False], [True, False, True]])


def test_masked_global_average_pooling_1d():
    # As keras/src/layers/pooling/global_average_pooling_test.py's np_gap1d.
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 0, 0, 1], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    layer = layers.GlobalAveragePooling1D()
    expected = (x * mask[..., None]).sum(1) / mask.sum(1)[:, None]
    np.testing.assert_allclose(layer(x, mask=mask), expected, rtol=1e-6)
    assert layer.compute_mask(x, mask) is None
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    with autodiff.Tape() as tape:
        out = layer._eager_call(t, mask=mask)
    dy = np.ones((3, 4), "float32")
    tape.gradient([(out, dy)])
    np.testing.assert_allclose(t.grad, np.broadcast_to(
        (mask / mask.sum(1, keepdims=True))[..., None], x.shape), rtol=1e-6)


# --- bad input ----------------------------------------------------------------------
@pytest.mark.parametrize("bad", [3.7, 4.0, "3", None, True, False, -1, 0])
def test_embedding_constructor_errors(bad):
    # The values of Keras's test_invalid_input_dim / test_invalid_output_dim.
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        layers.Embedding(input_dim=bad, output_dim=8)
    with pytest.raises(ValueError, match="`output_dim` must be a positive integer"):
        layers.Embedding(input_dim=10, output_dim=bad)


@pytest.mark.parametrize("ids,value", [([[1, 2, 10]], "10"), ([[-1, 2]], "-1"),
                                       ([[3.0, 12.0]], "12")])
def test_embedding_index_out_of_range_names_layer_value_and_input_dim(ids, value):
    layer = layers.Embedding(10, 2, name="words")
    with pytest.raises(ValueError, match=rf"'words'.*index {value}\b.*input_dim=10"):
        layer(np.array(ids))


def test_embedding_out_of_range_in_fit_is_a_clear_error():
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Embedding(5, 2),
                                  layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="index 7.*input_dim=5"):
        model.fit(np.array([[1, 2, 7]]), np.zeros((1, 1)), verbose=0)


@pytest.mark.parametrize("x", [np.array([[0.5, 1.0]]), np.array([[1.0, np.nan]])])
def test_embedding_non_integer_floats_raise(x):
    with pytest.raises(ValueError, match="expects integer indices"):
        layers.Embedding(4, 2, name="emb")(x)


def test_mask_of_the_wrong_shape_raises():
    layer = layers.GlobalAveragePooling1D(name="pool")
    with pytest.raises(ValueError, match=r"'pool'.*\(2, 5\).*mask of shape \(2, 4\)"):
        layer(np.ones((2, 5, 3), "float32"), mask=np.ones((2, 4), bool))


def test_embedding_string_input_raises():
    with pytest.raises(ValueError, match="expects integer indices"):
        layers.Embedding(4, 2)(np.array([["a", "b"]]))


# --- masks through models -------------------------------------------------------------
class Recorder(layers.Layer):
    """A user layer whose call takes `mask` (the interface the recurrent
    layers use): it records the mask it is given."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.masks = []

    def call(self, inputs, mask=None):
        self.masks.append(None if mask is None else np.array(mask))
        return inputs * 1.0

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        return input_shape


IDS = np.array([[3, 1, 0, 0], [2, 0, 0, 0]])
KEPT = IDS != 0


def _graph(kind, recorder):
    emb = layers.Embedding(5, 3, mask_zero=True)
    dense = layers.Dense(3)
    if kind == "sequential":
        return keraslite.Sequential([keraslite.Input((4,)), emb, dense, recorder])
    if kind == "functional":
        ids = keraslite.Input((4,))
        return keraslite.Model(ids, recorder(dense(emb(ids))))

    class Net(keraslite.Model):
        def __init__(self):
            super().__init__()
            self.emb, self.dense, self.rec = emb, dense, recorder

        def call(self, inputs, training=False):
            return self.rec(self.dense(self.emb(inputs)))

    return Net()


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_mask_reaches_a_call_that_takes_mask(kind):
    recorder = Recorder()
    model = _graph(kind, recorder)
    model.predict(IDS, verbose=0)
    np.testing.assert_array_equal(recorder.masks[-1], KEPT)
    model.compile("sgd", "mse")
    model.fit(IDS, np.zeros((2, 4, 3)), shuffle=False, verbose=0)  # training
    np.testing.assert_array_equal(recorder.masks[-1], KEPT)


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_masked_steps_do_not_count_in_loss_or_mean_metrics(kind):
    model = _graph(kind, Recorder())
    model.compile("sgd", "mse", metrics=["mae"])
    y = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    y_changed = y.copy()
    y_changed[~KEPT] += 50.0
    a = model.evaluate(IDS, y, verbose=0)
    b = model.evaluate(IDS, y_changed, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    pred = model.predict(IDS, verbose=0)
    se = ((pred - y) ** 2).mean(-1)
    np.testing.assert_allclose(a[0], se[KEPT].mean(), rtol=1e-5)
    np.testing.assert_allclose(a[1], np.abs(pred - y).mean(-1)[KEPT].mean(), rtol=1e-5)


def test_masked_gradient_ignores_masked_steps():
    model = _graph("sequential", Recorder())
    model.compile("sgd", "mse")
    y = np.zeros((2, 4, 3), "float32")
    _, grads = model._compute_loss_and_grads(IDS, y)
    y[~KEPT] = 9.0
    _, grads2 = model._compute_loss_and_grads(IDS, y)
    for g, g2 in zip(grads, grads2):
        np.testing.assert_allclose(g, g2, rtol=1e-6)


def test_explicit_mask_is_passed_through():
    recorder = Recorder()
    x = np.ones((2, 3, 2), "float32")
    m = np.array([[True, False, True], [False, False, True]])
    recorder(x, mask=m)
    np.testing.assert_array_equal(recorder.masks[-1], m)


def test_layer_without_masking_drops_the_mask_with_keras_warning():
    recorder = Recorder()
    model = keraslite.Sequential([keraslite.Input((4,)),
                                  layers.Embedding(5, 3, mask_zero=True),
                                  layers.Flatten(), layers.Reshape((4, 3)), recorder])
    with pytest.warns(UserWarning, match="does not support masking"):
        model.predict(IDS, verbose=0)
    assert recorder.masks[-1] is None


def test_nested_model_hands_its_mask_on():
    inner = keraslite.Sequential([keraslite.Input((4,)),
                                  layers.Embedding(5, 3, mask_zero=True)])
    recorder = Recorder()
    ids = keraslite.Input((4,))
    outer = keraslite.Model(ids, recorder(layers.Dense(2)(inner(ids))))
    outer.predict(IDS, verbose=0)
    np.testing.assert_array_equal(recorder.masks[-1], KEPT)


def test_merge_masks_are_the_or_and_concatenate_follows_keras():
    ids = keraslite.Input((4,))
    a = layers.Embedding(5, 2, mask_zero=True)(ids)
    feats = keraslite.Input((4, 2))
    b = layers.Masking()(feats)
    model = keraslite.Model([ids, feats], [layers.Add()([a, b]),
                                           layers.Concatenate()([a, b])])
    f = np.ones((2, 4, 2), "float32")
    f[0, 3] = 0.0
    f[1, 1:] = 0.0
    _, masks = model._run_graph([IDS.astype("float32"), f], False, None)
    expected = KEPT | np.any(f != 0, axis=-1)
    np.testing.assert_array_equal(masks[0], expected)
    np.testing.assert_array_equal(masks[1], expected)


def test_models_without_mask_layers_skip_mask_work():
    mlp = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3),
                                layers.Dropout(0.1), layers.Dense(1)])
    assert mlp._mask_free
    ids = keraslite.Input((4,))
    plain = keraslite.Model(ids, layers.Dense(1)(layers.Flatten()(
        layers.Embedding(5, 2)(ids))))
    assert plain._mask_free
    assert not _graph("sequential", Recorder())._mask_free


def test_masking_zeroes_masked_steps_and_its_gradient():
    x = np.ones((1, 3, 2), "float32")
    x[0, 1] = 0.0
    x[0, 2, 0] = 0.0
    t = autodiff.Tensor(x.copy(), requires_grad=True)
    layer = layers.Masking()
    with autodiff.Tape() as tape:
        out = layer._eager_call(t)
    tape.gradient([(out, np.ones_like(x))])
    np.testing.assert_array_equal(t.grad[0], [[1, 1], [0, 0], [1, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(layers.Masking(-1.0)(x), x)
