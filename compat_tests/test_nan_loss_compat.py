"""A loss that turns NaN mid-training: keraslite keeps training, as Keras does.

Without TerminateOnNaN neither library stops: every epoch runs and History
records the inf/nan values, at the same epochs.
"""
import numpy as np

import keraslite
from tests.test_training_reliability import diverging_fit


def test_nan_loss_history_matches_keras():
    import keras

    ours, theirs = diverging_fit(keraslite), diverging_fit(keras)
    assert ours.epoch == theirs.epoch == [0, 1, 2, 3, 4, 5]
    assert sorted(ours.history) == sorted(theirs.history) == ["loss", "mae"]
    for key in ours.history:
        a, b = np.array(ours.history[key]), np.array(theirs.history[key])
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        assert np.isnan(a[-1])
        finite = np.isfinite(a)
        np.testing.assert_allclose(a[finite], b[finite], rtol=1e-3)
