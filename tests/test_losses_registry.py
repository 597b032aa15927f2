"""Names, aliases, configs and bad input of the losses beyond the first five
(NumPy only; compat_tests/parity_losses.py checks the same against Keras)."""
import numpy as np
import pytest

import keraslite
from keraslite import losses, metrics

# keras/src/losses/__init__.py: ALL_OBJECTS_DICT aliases.
ALIASES = {
    "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
    "kld": "kl_divergence", "KLD": "kl_divergence",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
    "MSE": "mean_squared_error", "MAE": "mean_absolute_error",
}
NEW_FUNCTIONS = ["huber", "log_cosh", "kl_divergence", "poisson", "cosine_similarity",
                 "hinge", "squared_hinge", "categorical_hinge",
                 "mean_squared_logarithmic_error", "mean_absolute_percentage_error",
                 "categorical_focal_crossentropy", "binary_focal_crossentropy",
                 "tversky", "dice"]
# Class name -> Keras's default `name`.
NEW_CLASSES = {
    "Huber": "huber_loss", "LogCosh": "log_cosh", "KLDivergence": "kl_divergence",
    "Poisson": "poisson", "CosineSimilarity": "cosine_similarity", "Hinge": "hinge",
    "SquaredHinge": "squared_hinge", "CategoricalHinge": "categorical_hinge",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "Tversky": "tversky", "Dice": "dice",
}


@pytest.mark.parametrize("alias,name", sorted(ALIASES.items()))
def test_alias_resolves_to_the_function(alias, name):
    assert losses.get(alias) is getattr(losses, name)
    assert losses.serialize(losses.get(alias)) == name


@pytest.mark.parametrize("name", NEW_FUNCTIONS)
def test_function_names(name):
    fn = getattr(losses, name)
    assert losses.get(name) is fn
    assert losses.deserialize({"class_name": "function", "config": name}) is fn
    assert type(losses.as_loss_object(name)).__name__ in NEW_CLASSES


@pytest.mark.parametrize("cls,name", sorted(NEW_CLASSES.items()))
def test_class_names_and_get(cls, name):
    loss = losses.get(cls)
    assert type(loss) is getattr(losses, cls)  # an instance, as Keras's get
    assert loss.name == name and loss.reduction == "sum_over_batch_size"
    assert losses.get({"class_name": cls, "config": {"name": "x"}}).name == "x"


@pytest.mark.parametrize("name", ["logcosh", "kullback_leibler_divergence",
                                  "huber_loss"])
def test_names_keras_3_does_not_register(name):
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(name)


def test_module_exposes_keras_function_names_only():
    for alias in ("logcosh", "kld", "KLD", "msle", "mape", "bce"):
        assert not hasattr(losses, alias)


@pytest.mark.parametrize("name", [
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber",
    "kl_divergence", "log_cosh", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge"])
def test_metrics_reexport_the_loss_functions(name):
    assert getattr(metrics, name) is getattr(losses, name)


def test_configs_keep_keras_keys():
    # As Keras: Huber leaves out delta, CosineSimilarity its axis.
    assert losses.Huber(delta=3.0).get_config() == {
        "name": "huber_loss", "reduction": "sum_over_batch_size"}
    assert losses.CosineSimilarity(axis=0).get_config() == {
        "name": "cosine_similarity", "reduction": "sum_over_batch_size"}
    assert list(losses.BinaryFocalCrossentropy().get_config()) == [
        "name", "reduction", "from_logits", "label_smoothing", "axis",
        "apply_class_balancing", "alpha", "gamma"]
    assert list(losses.CategoricalFocalCrossentropy().get_config()) == [
        "name", "reduction", "from_logits", "label_smoothing", "axis", "alpha",
        "gamma"]
    assert losses.Tversky(axis=(1, 2)).get_config() == {
        "name": "tversky", "reduction": "sum_over_batch_size", "alpha": 0.5,
        "beta": 0.5, "axis": (1, 2)}
    # A JSON config holds lists; the loss accepts them as axes.
    dice = losses.Dice.from_config({"name": "dice", "reduction": "none",
                                    "axis": [1, 2]})
    y = np.ones((2, 3, 4), "float32")
    assert dice(y, y).shape == (2,)


@pytest.mark.parametrize("cls", sorted(NEW_CLASSES))
def test_invalid_reduction(cls):
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        getattr(losses, cls)(reduction="bogus")


def test_focal_bad_input_as_keras():
    ones = np.ones((2, 3), "float32")
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.BinaryFocalCrossentropy()(ones, ones[:, :2])
    with pytest.raises(ValueError, match=r"must have the same rank \(ndim\)"):
        losses.binary_focal_crossentropy(ones, ones[..., None])
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_focal_crossentropy(ones, ones, axis=True)
    with pytest.warns(SyntaxWarning, match="Consider using 'binary_crossentropy'"):
        losses.categorical_focal_crossentropy(ones[:, :1], ones[:, :1])


def test_hinge_converts_only_all_binary_labels():
    p = np.array([[0.3, -0.2]], "float32")
    # 0/1 labels become -1/1 ...
    np.testing.assert_allclose(losses.hinge([[0.0, 1.0]], p),
                               losses.hinge([[-1.0, 1.0]], p))
    # ... but labels already -1/1 (or mixed) are used as they are.
    np.testing.assert_allclose(losses.hinge([[0.0, -1.0]], p),
                               np.mean(np.maximum(1 - np.array([0.0, -1.0]) * p, 0)))


def test_scalar_loss_is_spread_over_the_weights():
    """Dice with axis=None gives one value for the batch; as Keras's
    reduce_weighted_values, weights multiply it before the reduction."""
    y = np.array([[1, 0], [0, 1], [1, 1]], "float32")
    p = np.array([[0.8, 0.1], [0.3, 0.6], [0.9, 0.4]], "float32")
    d = float(losses.dice(y, p))
    w = np.array([0.5, 1.0, 2.0], "float32")
    np.testing.assert_allclose(losses.Dice()(y, p, w), d * w.sum() / 3, rtol=1e-6)
    np.testing.assert_allclose(losses.Dice(reduction="none")(y, p, w), d * w, rtol=1e-6)
    np.testing.assert_allclose(
        losses.Dice(reduction="mean_with_sample_weight")(y, p, w), d, rtol=1e-6)


@pytest.mark.parametrize("loss", ["huber", "poisson", "binary_focal_crossentropy",
                                  "dice", "categorical_hinge"])
def test_fit_refuses_labels_of_another_shape(loss):
    model = keraslite.Sequential([keraslite.Input((4,)), keraslite.layers.Dense(3)])
    model.compile("sgd", loss=loss)
    x = np.ones((8, 4), "float32")
    with pytest.raises(ValueError, match=f"do not match the model output shape.*{loss}"):
        model.fit(x, np.ones((8, 2), "float32"), verbose=0)
