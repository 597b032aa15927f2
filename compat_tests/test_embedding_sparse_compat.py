"""The Embedding's sparse update beside Keras (issue 12): whole runs with
identical weights and shuffle=False, 3 epochs, batches in which ids repeat.

Plain SGD updates only the batch's rows in keraslite (an `IndexedSlices`)
and in Keras on TensorFlow (`scatter_sub`): History and weights within 1e-6
of Keras's dense update (a dense-gradient embedding), within 1e-5 of
Keras's own Embedding (see RUNS), and the rows of ids never seen keep their
initial bits in both. SGD with
momentum and RMSprop take keraslite's dense path: within 1e-6 of Keras where
Keras's update is the dense one too (SGD with momentum densifies the slices;
RMSprop on batches without repeated ids, or against a dense-gradient
embedding). With repeated ids Keras's RMSprop squares each repeat's slice
before they are summed (README, "Known differences"): measured below.
"""
import numpy as np
import pytest

import keraslite
from compat_tests.test_embedding_compat import (VOCAB, _distinct_ids, _ids,
                                                _same_start, book_ch6,
                                                masked_average)

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

BOUND = 1e-6


def _low_ids(seed, n=96):
    """As `_ids` (padded, ids repeating within a batch), drawn from the
    lower half of the vocabulary only: the upper rows are never seen."""
    x, y = _ids(seed, n)
    return np.where(x > 0, x % (VOCAB // 2), 0), y


def _sgd(lr, **kwargs):
    return lambda lib: lib.optimizers.SGD(lr, **kwargs)


def _rmsprop(lib):
    return lib.optimizers.RMSprop(0.001)


# (name, model, data, optimizer, batch size, keraslite's path, Keras
# dense-grad, bound). NOTE: Keras's own Embedding with plain SGD runs
# `scatter_sub`, which subtracts each repeat of an id on its own
# (w - lr*g1 - lr*g2), while the dense update (and keraslite, sparse or not)
# subtracts lr*(g1 + g2): a few ulps a step, up to ~2e-6 after 3 epochs of
# many repeats; so those runs get 1e-5, and 1e-6 against the dense update.
RUNS = [
    ("book_ch6 sgd, Keras dense update", book_ch6, _low_ids, _sgd(0.05), 16, "sparse",
     True, BOUND),
    ("masked average sgd, Keras dense update", masked_average, _low_ids, _sgd(0.1), 16,
     "sparse", True, BOUND),
    ("book_ch6 sgd, Keras scatter_sub", book_ch6, _low_ids, _sgd(0.05), 16, "sparse",
     False, 1e-5),
    ("masked average sgd, Keras scatter_sub", masked_average, _low_ids, _sgd(0.1), 16,
     "sparse", False, 1e-5),
    ("book_ch6 sgd+momentum", book_ch6, _ids, _sgd(0.05, momentum=0.9), 16, "dense",
     False, BOUND),
    ("masked average sgd+nesterov", masked_average, _ids,
     _sgd(0.05, momentum=0.8, nesterov=True), 16, "dense", False, BOUND),
    ("book_ch6 rmsprop, distinct ids", book_ch6, _distinct_ids, _rmsprop, 8, "dense",
     False, BOUND),
    ("masked average rmsprop, distinct ids", masked_average, _distinct_ids, _rmsprop, 8,
     "dense", False, BOUND),
    ("masked average rmsprop, repeated ids, Keras dense update", masked_average, _ids,
     _rmsprop, 16, "dense", True, BOUND),
]


def _fit(name, build, data, optimizer, batch, dense_grad):
    x, y = data(1)
    xv, yv = data(2, n=32)
    models = {keraslite: build(keraslite), keras: build(keras, dense_grad)}
    _same_start(models[keraslite], models[keras])
    start = models[keraslite].get_weights()
    histories = {}
    for lib, model in models.items():
        model.compile(optimizer(lib), "binary_crossentropy", metrics=["accuracy"])
        histories[lib] = model.fit(x, y, batch_size=batch, epochs=3, shuffle=False,
                                   validation_data=(xv, yv), verbose=0).history
    return models, histories, start, x


def _worst(models, histories):
    ours, theirs = histories[keraslite], histories[keras]
    assert sorted(ours) == sorted(theirs)
    pairs = [(np.asarray(ours[k]), np.asarray(theirs[k])) for k in theirs]
    pairs += list(zip(models[keraslite].get_weights(), models[keras].get_weights(),
                      strict=True))
    return max(float(np.max(np.abs(a - b))) for a, b in pairs)


@pytest.mark.parametrize("name,build,data,optimizer,batch,path,dense_grad,bound", RUNS,
                         ids=[r[0] for r in RUNS])
def test_fit_matches_keras(name, build, data, optimizer, batch, path, dense_grad, bound):
    models, histories, start, x = _fit(name, build, data, optimizer, batch, dense_grad)
    ids = np.unique(x)
    if data is not _distinct_ids:  # ids repeat within the batches
        assert max(np.unique(x[i:i + batch][x[i:i + batch] > 0], return_counts=True)[1].max()
                   for i in range(0, len(x), batch)) > 1
    # which path keraslite's optimizer took for the embedding
    densified = models[keraslite].optimizer._dense_grads
    assert (len(densified) == 0) == (path == "sparse"), name
    worst = _worst(models, histories)
    print(f"{name}: worst abs difference (History, weights) {worst:.3g}")
    assert worst <= bound, f"{name}: {worst}"
    if path == "sparse":  # the rows of ids never seen keep their bits, in both
        unseen = np.setdiff1d(np.arange(VOCAB), ids)
        assert unseen.size > 0
        for model in models.values():
            np.testing.assert_array_equal(model.get_weights()[0][unseen],
                                          start[0][unseen])


def test_keras_rmsprop_on_repeated_ids_is_not_the_dense_update():
    """README, "Known differences": Keras's Embedding on TensorFlow gives
    IndexedSlices, whose repeats RMSprop squares one by one; keraslite (and
    Keras with a dense gradient, test above) square their sum."""
    models, histories, _, _ = _fit("rmsprop, repeated ids", masked_average, _ids,
                                   _rmsprop, 16, False)
    ours, theirs = (m.get_weights()[0] for m in (models[keraslite], models[keras]))
    difference = float(np.max(np.abs(ours - theirs)))
    print(f"rmsprop, repeated ids: embedding differs from Keras/TF's by {difference:.3g}")
    assert difference > 1e-4
