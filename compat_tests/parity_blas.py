"""Parity rows of `fit`'s BLAS thread choice (keraslite.config.set_blas_threads).

Whatever thread count `fit` runs its products on (fixed at 1 or 2, or
measured), training matches Keras's; the inner size 784 (> 512) is where
OpenBLAS sums differently at 1 and 2 threads, so the rows use it.

The hidden layer is tanh, not the book's relu: with relu, a pre-activation
within rounding (~1e-7) of zero flips a whole unit's gradient column between
two libraries whose products round differently (seen on an AVX-512 machine:
step 17 of 20, one column of the kernel off by 1e-4), so a 1e-6 comparison
of 20 steps would test luck, not the thread choice.
"""
import numpy as np

import keraslite


def _data():
    rng = np.random.default_rng(3)
    x = rng.random((1280, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 1280)]
    return x, y


def _model(lib, weights=None):
    model = lib.Sequential([
        lib.Input((784,)), lib.layers.Dense(512, activation="tanh"),
        lib.layers.Dense(10, activation="softmax")])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _fit(model, x, y):
    history = model.fit(x, y, batch_size=128, epochs=2, shuffle=False, verbose=0)
    return model.get_weights(), [float(v) for v in history.history["loss"]]


def _row():
    from compat_tests.parity import Pair, Row, _keras

    def compute():
        _, keras = _keras()
        x, y = _data()
        keraslite.utils.set_random_seed(0)
        start = _model(keraslite).get_weights()
        theirs, their_loss = _fit(_model(keras, start), x, y)
        pairs = []
        try:
            for setting in (1, 2, None):
                keraslite.config.set_blas_threads(setting)
                pairs.append(Pair(f"get_blas_threads() after set_blas_threads({setting})",
                                  keraslite.config.get_blas_threads(), setting,
                                  exact=True))
                ours, loss = _fit(_model(keraslite, start), x, y)
                label = "measured" if setting is None else f"{setting} thread(s)"
                pairs.append(Pair(f"loss per epoch, {label}", loss, their_loss))
                for i, (o, t) in enumerate(zip(ours, theirs)):
                    pairs.append(Pair(f"final weight {i}, {label}", o, t))
        finally:
            keraslite.config.set_blas_threads(None)
        return pairs

    return Row("config.set_blas_threads[fit 2 epochs x 10 steps of 784 -> 512 tanh -> 10 at 1, 2 "
               "and measured BLAS threads vs Keras]", compute, rtol=0.0, atol=1e-6,
               covers=("config.set_blas_threads", "config.get_blas_threads"))


def blas_rows():
    return [_row()]
