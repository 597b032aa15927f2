"""fit/evaluate/predict on transformed datasets, beside real Keras.

The book's chapter-11 pipeline on a small folder of texts
(`text_dataset_from_directory(shuffle=False)`, `TextVectorization` adapted on
`train_ds.map(lambda x, y: x)`, `train_ds.map(lambda x, y: (tv(x), y))`,
fit on `.cache()` with `validation_data`), run by keraslite on its datasets
and by Keras on tf.data, from the same weights: History, weights, evaluate
and predict agree within 1e-5. Data of unknown length (`filter`) and
infinite data (`repeat()` with `steps_per_epoch`) train alike, and
`class_weight` weights a dataset's batches as Keras's.

SGD with momentum is used where the data runs out during an epoch
(unknown length): Keras's TensorFlow train function adds 1 to
`optimizer.iterations` at the run-out step (see test_data_adapters_compat.py),
which moves Adam/RMSprop's step count but not SGD's.
"""
import tempfile
import warnings

import numpy as np
import pytest

import keraslite
from compat_tests.parity_text import write_text_folder

keras = pytest.importorskip("keras")


def _pipelines(output_mode="multi_hot", batch_size=3):
    folder = write_text_folder(tempfile.mkdtemp())
    out = {}
    for lib in (keraslite, keras):
        train_ds = lib.utils.text_dataset_from_directory(
            folder, batch_size=batch_size, shuffle=False, verbose=False)
        vectorize = lib.layers.TextVectorization(output_mode=output_mode)
        vectorize.adapt(train_ds.map(lambda x, y: x))
        out[lib] = (train_ds.map(lambda x, y: (vectorize(x), y), num_parallel_calls=4),
                    vectorize.vocabulary_size())
    assert out[keraslite][1] == out[keras][1]
    return out


def _models(depth, optimizer):
    keras.utils.set_random_seed(4)
    models = {}
    for lib in (keras, keraslite):
        inputs = lib.Input(shape=(depth,))
        x = lib.layers.Dense(8, activation="relu")(inputs)
        outputs = lib.layers.Dense(1, activation="sigmoid")(x)
        models[lib] = lib.Model(inputs, outputs)
    models[keraslite].set_weights(models[keras].get_weights())
    for lib, model in models.items():
        opt = (lib.optimizers.RMSprop(0.01) if optimizer == "rmsprop"
               else lib.optimizers.SGD(0.1, momentum=0.9))
        model.compile(optimizer=opt, loss="binary_crossentropy", metrics=["accuracy"])
    return models


def _assert_same(models, histories, rtol=1e-5, atol=1e-5):
    ours, theirs = histories[keraslite].history, histories[keras].history
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=atol,
                                   err_msg=key)
    for w_ours, w_theirs in zip(models[keraslite].get_weights(),
                                models[keras].get_weights()):
        np.testing.assert_allclose(w_ours, w_theirs, rtol=rtol, atol=atol)


@pytest.mark.parametrize("output_mode", ["multi_hot", "count", "tf_idf"])
def test_book_pipeline_fit_on_cache_matches_keras(output_mode):
    pipelines = _pipelines(output_mode)
    models = _models(pipelines[keras][1], "rmsprop")
    histories = {lib: models[lib].fit(ds.cache(), validation_data=ds.cache(), epochs=4,
                                      verbose=0)
                 for lib, (ds, _) in pipelines.items()}
    _assert_same(models, histories)
    for lib in (keraslite, keras):
        assert len(histories[lib].history["loss"]) == 4
    ds_ours, ds_theirs = pipelines[keraslite][0], pipelines[keras][0]
    np.testing.assert_allclose(models[keraslite].evaluate(ds_ours.prefetch(-1), verbose=0),
                               models[keras].evaluate(ds_theirs.prefetch(-1), verbose=0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(models[keraslite].predict(ds_ours.take(2), verbose=0),
                               models[keras].predict(ds_theirs.take(2), verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_regrouped_and_repeated_datasets_train_as_keras():
    pipelines = _pipelines(batch_size=4)
    models = _models(pipelines[keras][1], "rmsprop")
    histories = {lib: models[lib].fit(ds.unbatch().batch(3).repeat(), steps_per_epoch=3,
                                      epochs=3, verbose=0)
                 for lib, (ds, _) in pipelines.items()}
    _assert_same(models, histories)


def test_unknown_length_and_class_weight_train_as_keras():
    pipelines = _pipelines()
    models = _models(pipelines[keras][1], "sgd")
    histories = {}
    for lib, (ds, _) in pipelines.items():
        filtered = ds.unbatch().filter(lambda x, y: y >= 0).batch(4)  # length unknown
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn that the data ran out
            histories[lib] = models[lib].fit(filtered, epochs=3, verbose=0,
                                             class_weight={0: 1.0, 1: 3.0})
    _assert_same(models, histories)


def test_fit_warnings_and_errors_match_keras():
    pipelines = _pipelines()
    models = _models(pipelines[keras][1], "sgd")
    messages = {}
    for lib, (ds, _) in pipelines.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            models[lib].fit(ds, epochs=1, verbose=0)  # fit's default shuffle=True
        messages[lib] = sorted({str(w.message) for w in caught if "shuffle" in str(w.message)})
        for kwargs in (dict(y=np.zeros(10)), dict(sample_weight=np.ones(10))):
            with pytest.raises(ValueError) as error:
                models[lib].fit(ds, verbose=0, **kwargs)
            messages[lib].append(str(error.value))
    assert messages[keraslite] == messages[keras]
    assert len(messages[keras]) == 3
