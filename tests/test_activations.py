"""activations.sigmoid: the kernel's shortcuts keep the formula's bits."""
import warnings

import numpy as np

from keraslite import activations


def test_sigmoid_gives_the_bits_of_the_twice_clipped_formula_without_warnings():
    z = np.concatenate([np.array([-1e30, -104, -88.8, -88.0, -87.9, 87.9, 88.0, 88.8,
                                  103.9, 104, 1e30, np.inf, -np.inf], np.float32),
                        np.random.default_rng(0).normal(0, 40, 10000).astype(np.float32)])
    expected = 1.0 / (1.0 + np.exp(-np.clip(z, -88.0, 88.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = activations.sigmoid(z)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.view(np.int32), expected.view(np.int32))
