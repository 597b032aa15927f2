"""Every pooling and normalization case of the parity table
(compat_tests/parity_pool_norm.py) as a one-layer functional model, through
`.keras`, legacy `.h5` and `.weights.h5`, written by keraslite and read by
Keras and the other way round: the same predictions (within 1e-6) and the
same weights, BatchNormalization's moving statistics included."""
import warnings

import numpy as np
import pytest

import keraslite
from compat_tests.parity_pool_norm import POOL_NORM_CASES
from compat_tests.test_model_files_compat import _one_layer_model, _same
from tests.ops_cases import inputs as case_inputs

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("name,make,shapes,kind", POOL_NORM_CASES,
                         ids=[c[0] for c in POOL_NORM_CASES])
def test_every_pool_norm_layer_file_crosses_both_ways(tmp_path, name, make, shapes,
                                                      kind, suffix):
    xs = case_inputs(shapes, kind, seed=6)
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = _one_layer_model(writer, make, shapes)
        if source.get_weights():
            rng = np.random.default_rng(7)
            source.set_weights([rng.normal(0.5, 0.2, w.shape).astype("float32")
                                for w in source.get_weights()])
        path = tmp_path / f"{writer.__name__}{suffix}"
        if suffix == ".weights.h5":
            source.save_weights(path)
            loaded = _one_layer_model(reader, make, shapes)
            loaded.load_weights(path)
        else:
            source.save(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loaded = reader.models.load_model(path)
        for a, b in zip(source.get_weights(), loaded.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        assert [w.name for w in source.layers[-1].weights] == \
            [w.name for w in loaded.layers[-1].weights]
        _same(source.predict(xs, verbose=0), loaded.predict(xs, verbose=0))
        assert type(loaded.layers[-1]).__name__ == type(source.layers[-1]).__name__
        assert _plain(loaded.layers[-1].get_config()) == _plain(
            source.layers[-1].get_config())


def _plain(config):
    from compat_tests.parity_models import _plain as plain

    config = plain(config)
    config.pop("name")
    return config


def test_trained_batch_norm_model_crosses_with_its_statistics(tmp_path):
    """Models trained in one library (moving statistics moved by fit) predict
    the same in the other."""
    from compat_tests.parity_pool_norm import _bn_model

    rng = np.random.default_rng(9)
    x = rng.normal(1.0, 2.0, size=(24, 6, 6, 2)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = _bn_model(writer)
        source.compile("adam", "categorical_crossentropy")
        source.fit(x, y, batch_size=8, epochs=2, verbose=0)
        assert not np.allclose(source.get_layer("bn").get_weights()[2], 0)
        for suffix in (".keras", ".h5"):
            path = tmp_path / f"{writer.__name__}{suffix}"
            source.save(path)
            loaded = reader.models.load_model(path)
            for a, b in zip(source.get_weights(), loaded.get_weights(), strict=True):
                np.testing.assert_array_equal(a, b)
            _same(source.predict(x, verbose=0), loaded.predict(x, verbose=0))
