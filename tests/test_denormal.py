"""Flushing subnormal floats to zero inside fit/evaluate/predict, as
TensorFlow's and XLA's CPU kernels do (keraslite.utils.denormal)."""
import threading

import numpy as np
import pytest

import keraslite
from keraslite import layers, optimizers
from keraslite.layers.layer import Variable
from keraslite.utils import denormal
from keraslite.utils.denormal import flush_denormals

TINY = np.float32(1e-20)  # TINY * TINY = 1e-40: a float32 subnormal

pytestmark = pytest.mark.skipif(
    not denormal.supported(),
    reason="flushing subnormals needs Linux on x86-64 (a no-op elsewhere)")


def _square(x=TINY):
    return np.multiply(np.float32(x), np.float32(x))


def test_ieee_outside_and_flushed_inside():
    assert _square() > 0  # IEEE: the subnormal 1e-40
    with flush_denormals():
        assert _square() == 0
        assert denormal.flushing()
        # denormals-are-zero: a subnormal input counts as 0
        assert np.float32(1e-40) * np.float32(1e30) == 0
    assert _square() > 0
    assert not denormal.flushing()


def test_nested_scopes_keep_the_outer_mode():
    with flush_denormals():
        with flush_denormals():
            assert _square() == 0
        assert _square() == 0  # the inner exit did not restore IEEE
        assert denormal.flushing()
    assert _square() > 0


def test_disabled_scope_changes_nothing():
    with flush_denormals(enabled=False):
        assert _square() > 0
        assert not denormal.flushing()
    with flush_denormals():
        with flush_denormals(enabled=False):
            assert _square() == 0  # does not undo the outer scope
    assert _square() > 0


def test_restored_after_an_exception():
    with pytest.raises(RuntimeError):
        with flush_denormals():
            raise RuntimeError("boom")
    assert _square() > 0
    assert not denormal.flushing()


def _mxcsr(env=None):
    get, set_ = denormal._functions()
    env = env or denormal._fenv()
    get(env)
    return env


def test_a_partly_set_mode_is_restored_exactly():
    # Flush-to-zero alone on before the scope (bit 15), not denormals-are-
    # zero (bit 6): the scope sets both, and its exit puts back FTZ alone.
    get, set_ = denormal._functions()
    sub, big = np.float32(1e-40), np.float32(1e30)  # made before FTZ is on
    saved = _mxcsr()
    before = saved[-1]
    env = _mxcsr()
    env[-1] = (before & ~0x8040) | 0x8000
    set_(env)
    try:
        with flush_denormals():
            assert _mxcsr()[-1] & 0x8040 == 0x8040
            assert sub * big == 0  # DAZ on
        assert _mxcsr()[-1] & 0x8040 == 0x8000
        assert sub * big > 0  # DAZ off again
        assert _square() == 0  # FTZ still on
    finally:
        set_(saved)
    assert _mxcsr()[-1] == before
    assert _square() > 0


def test_other_threads_keep_ieee():
    seen, go = [], threading.Event()

    def work():
        go.wait()
        seen.append(_square())

    thread = threading.Thread(target=work)
    thread.start()  # before the scope: a new thread copies its creator's mode
    with flush_denormals():
        go.set()
        thread.join()
        assert _square() == 0
    assert seen[0] > 0


def _tiny_model(**compile_kwargs):
    """Dense output TINY * TINY (subnormal), then scaled up by 1e30: 1e-10
    with IEEE subnormals, 0 when they flush."""
    model = keraslite.Sequential([
        keraslite.Input((4,)),
        layers.Dense(1, use_bias=False, kernel_initializer="zeros"),
        layers.Rescaling(1e30),
    ])
    model.set_weights([np.full((4, 1), TINY, np.float32)])
    if compile_kwargs:
        model.compile(**compile_kwargs)
    return model


def test_predict_flushes_but_a_direct_call_does_not():
    model = _tiny_model()
    x = np.full((3, 4), TINY, np.float32)
    assert np.all(np.asarray(model(x)) > 1e-11)  # a direct call: IEEE
    assert np.all(model.predict(x, verbose=0) == 0)  # fast path
    assert np.all(model.predict(x, batch_size=1, verbose=0) == 0)  # batch loop
    assert np.all(model.predict_on_batch(x) == 0)
    with pytest.warns(UserWarning, match="ran out of data"):  # as Keras
        assert np.all(model.predict(iter([(x,), (x,)]), verbose=0) == 0)
    assert _square() > 0  # the mode is restored afterwards


def test_evaluate_and_fit_flush():
    model = _tiny_model(optimizer="sgd", loss="mse")
    x = np.full((8, 4), TINY, np.float32)
    y = np.ones((8, 1), np.float32)
    # The output is 0 (not 1e-10), so the loss is exactly mean((0 - 1)^2).
    assert model.evaluate(x, y, verbose=0) == 1.0
    assert model.test_on_batch(x, y) == 1.0
    seen = []

    class Probe(keraslite.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(_square())  # callbacks run outside: IEEE

    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0,
                        callbacks=[Probe()])
    assert history.history["loss"] == [1.0]
    assert seen and seen[0] > 0
    assert _square() > 0


def test_blocked_update_flushes_in_every_block():
    """A large variable's update, done block by block, computes as the
    calling thread does: a velocity that would be subnormal is 0 in every
    block."""
    n = 300_000  # several blocks
    results = {}
    for flush in (False, True):
        opt = optimizers.RMSprop(learning_rate=0.0)  # the slots only
        var = Variable(np.zeros(n, np.float32), "kernel")
        opt.build([var])
        with flush_denormals(flush):
            opt.apply_gradients([(np.full(n, TINY, np.float32), var)])
        velocity = np.asarray(opt.variables[-1].value).reshape(-1)
        results[flush] = velocity
    assert np.all(results[False] > 0)  # (1 - rho) * 1e-40: subnormal
    assert np.all(results[True] == 0)
