"""Every shape, spatial dropout, rescaling and augmentation layer (issue 11)
as a one-layer functional model through `.keras` and legacy `.h5`, written
by keraslite and read by Keras and the other way: same predictions and the
same layer config (as in test_every_graph_layer_file_crosses_both_ways)."""
import json

import numpy as np
import pytest

import keraslite
from compat_tests.parity_shape_layers import AUGMENTATION_CASES, SHAPE_CASES
from compat_tests.test_model_files_compat import _one_layer_model, _same

keras = pytest.importorskip("keras")

CASES = [(name, make, shapes) for name, make, shapes, _ in SHAPE_CASES] + [
    (name, make, [(3, 5, 6, 2)]) for name, make in AUGMENTATION_CASES]


def _config(layer):
    config = dict(layer.get_config())
    config.pop("name")
    return json.loads(json.dumps(config, default=str))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name,make,shapes", CASES, ids=[c[0] for c in CASES])
def test_every_shape_layer_file_crosses_both_ways(tmp_path, name, make, shapes, suffix):
    x = np.random.default_rng(6).uniform(0, 1, shapes[0]).astype("float32")
    for writer, reader in ((keraslite, keras), (keras, keraslite)):
        source = _one_layer_model(writer, make, shapes)
        path = tmp_path / f"{writer.__name__}{suffix}"
        source.save(path)
        loaded = reader.models.load_model(path)
        _same(source.predict(x, verbose=0), loaded.predict(x, verbose=0))
        assert type(loaded.layers[-1]).__name__ == type(source.layers[-1]).__name__
        assert _config(loaded.layers[-1]) == _config(source.layers[-1])
