"""Property tests: a mutated Keras file loads correctly or fails cleanly.

"Cleanly" means a FileFormatError (a ValueError); "correctly" means a
working model (loads) or, for weights, either all weights loaded or none.
The long-running version is fuzz/fuzz_loaders.py.
"""
import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keraslite
from keraslite import layers
from keraslite.saving import FileFormatError

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _model():
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([
        keraslite.Input((2, 3)), layers.Flatten(),
        layers.Dense(4, activation="relu"), layers.Dropout(0.2),
        layers.Dense(3, activation="softmax")], name="fuzzed")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.train_on_batch(np.ones((3, 2, 3), "float32"),
                         np.eye(3, dtype="float32"))
    return model


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    model = _model()
    out = {}
    for name in ("m.keras", "m.h5", "w.weights.h5", "w.h5"):
        path = folder / name
        model.save_weights(path) if name.startswith("w") else model.save(path)
        out[name] = path.read_bytes()
    return out


def _check_load(path, name):
    if name.startswith("m"):
        try:
            model = keraslite.models.load_model(path)
        except FileFormatError:
            return
        out = model.predict(np.zeros((2,) + tuple(d or 1 for d in
                                                  model.input_shape[1:]),
                                     "float32"), verbose=0)
        assert out.shape[0] == 2
        return
    model = _model()
    before = model.get_weights()
    state = model.optimizer.get_state()
    try:
        model.load_weights(path)
    except FileFormatError:
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(state, model.optimizer.get_state()):
            np.testing.assert_array_equal(a, b)


mutation = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1),
                                                  st.integers(1, 255)),
                                        min_size=1, max_size=8)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("junk"), st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=64))),
)


def _mutate(data, spec):
    data = bytearray(data)
    kind, arg = spec
    if kind == "flip":
        for where, xor in arg:
            i = min(int(where * len(data)), len(data) - 1)
            data[i] ^= xor
    elif kind == "truncate":
        data = data[: int(arg * len(data))]
    else:
        where, junk = arg
        i = int(where * len(data))
        data[i:i + len(junk)] = junk
    return bytes(data)


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "w.weights.h5", "w.h5"])
@SETTINGS
@given(spec=mutation)
def test_byte_mutations(files, tmp_path, name, spec):
    path = tmp_path / name
    path.write_bytes(_mutate(files[name], spec))
    _check_load(path, name)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 15, 10 ** 15)
    | st.floats(allow_nan=True) | st.text(max_size=12)
    | st.sampled_from(["relu", "Dense", "Lambda", "__lambda__", "keras.layers",
                       "function", "float64", "Sequential"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["class_name", "config", "module",
                                       "name", "units", "x"]), children,
                      max_size=3),
    max_leaves=6,
)


def _paths(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,)
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + (i,)
            yield from _paths(v, path + (i,))


@SETTINGS
@given(data=st.data())
def test_json_mutations_of_keras_config(files, tmp_path, data):
    with zipfile.ZipFile(io.BytesIO(files["m.keras"])) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(entries["config.json"])
    paths = list(_paths(config))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = config
        try:
            for key in path[:-1]:
                parent = parent[key]
            if data.draw(st.booleans()) or isinstance(parent, list):
                parent[path[-1]] = data.draw(json_values)
            else:
                del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    entries["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, payload in entries.items():
            zf.writestr(n, payload)
    (tmp_path / "m.keras").write_bytes(buffer.getvalue())
    _check_load(tmp_path / "m.keras", "m.keras")
