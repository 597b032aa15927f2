"""Fuzzes keraslite's file loaders with mutated Keras files.

Saves a small trained model in every format keraslite writes, then feeds
mutated copies (flipped bytes, truncations, inserted junk, JSON edits of the
config) to `load_model` and `load_weights`. Every case must either load a
working model or raise a ValueError (keraslite's FileFormatError); anything
else (another exception, a crash, a hang) is reported.

Usage:
    python fuzz/fuzz_loaders.py --cases 2000 --seed 0
"""
import argparse
import faulthandler
import io
import json
import os
import sys
import tempfile
import time
import traceback
import warnings
import zipfile

import numpy as np

import keraslite
from keraslite import layers
from keraslite.saving import FileFormatError

FORMATS = ("model.keras", "model.h5", "model.weights.h5", "legacy_weights.h5")


def make_model():
    """A small compiled, trained model with every layer type."""
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([
        keraslite.Input((2, 3)),
        layers.Flatten(),
        layers.Dense(5, activation="relu", kernel_regularizer="l2"),
        layers.Dropout(0.2),
        layers.Activation("tanh"),
        layers.Dense(3, activation="softmax", use_bias=False),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    x = np.random.default_rng(0).random((8, 2, 3), dtype="float32")
    y = np.eye(3, dtype="float32")[np.arange(8) % 3]
    model.train_on_batch(x, y)
    return model, x


def originals(model, folder):
    """Bytes of the model saved in each format."""
    out = {}
    for name in FORMATS:
        path = os.path.join(folder, name)
        if name.endswith("weights.h5") or name.startswith("legacy"):
            model.save_weights(path)
        else:
            model.save(path)
        with open(path, "rb") as f:
            out[name] = f.read()
    return out


def mutate_bytes(data, rng):
    """A random byte-level mutation of `data`."""
    data = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:  # flip a few bytes
        for _ in range(int(rng.integers(1, 9))):
            i = int(rng.integers(len(data)))
            data[i] ^= int(rng.integers(1, 256))
    elif kind == 1:  # truncate
        data = data[: int(rng.integers(len(data)))]
    elif kind == 2:  # overwrite a run with junk
        i = int(rng.integers(len(data)))
        n = int(rng.integers(1, 64))
        data[i:i + n] = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    else:  # insert junk
        i = int(rng.integers(len(data)))
        data[i:i] = rng.integers(0, 256, int(rng.integers(1, 32)),
                                 dtype=np.uint8).tobytes()
    return bytes(data)


_JSON_VALUES = [None, True, -1, 0, 10 ** 12, 1e308, float("nan"), "", "relu",
                "Lambda", [], {}, [None, -5], {"class_name": "Lambda"},
                {"class_name": "function", "config": "os.system"}]


def mutate_json(obj, rng):
    """Replaces, deletes or adds one value somewhere in a JSON tree."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + [k])
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append(path + [i])
                walk(v, path + [i])

    walk(obj, [])
    path = paths[int(rng.integers(len(paths)))]
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    action = rng.integers(3)
    value = _JSON_VALUES[int(rng.integers(len(_JSON_VALUES)))]
    if action == 0 or isinstance(parent, list):
        parent[path[-1]] = value
    elif action == 1:
        del parent[path[-1]]
    else:
        parent["unexpected_field"] = value
    return obj


def mutate_keras_config(data, rng):
    """A `.keras` archive whose config.json had one JSON mutation."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    config = mutate_json(json.loads(entries["config.json"]), rng)
    entries["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, payload in entries.items():
            zf.writestr(name, payload)
    return buffer.getvalue()


def mutate_h5_config(data, rng, folder):
    """A legacy `.h5` model whose model_config had one JSON mutation."""
    import h5py

    path = os.path.join(folder, "cfg.h5")
    with open(path, "wb") as f:
        f.write(data)
    with h5py.File(path, "r+") as f:
        key = "model_config" if rng.integers(2) else "training_config"
        config = mutate_json(json.loads(f.attrs[key]), rng)
        f.attrs[key] = json.dumps(config).encode("utf8")
    with open(path, "rb") as f:
        return f.read()


def run_case(name, data, folder, reference, x):
    """Loads mutated bytes; returns "loaded", "refused" or raises."""
    path = os.path.join(folder, "case" + os.path.splitext(name)[1])
    with open(path, "wb") as f:
        f.write(data)
    try:
        if name.startswith(("model.keras", "model.h5")):
            model = keraslite.models.load_model(path)
            out = model.predict(x[: 2].reshape((2,) + model.input_shape[1:])
                                if model.input_shape[1:] == x.shape[1:]
                                else np.zeros((2,) + tuple(
                                    d or 1 for d in model.input_shape[1:]),
                                    "float32"), verbose=0)
            if out.shape[0] != 2:
                raise AssertionError("predict returned the wrong batch size")
        else:
            model = reference
            before = model.get_weights()
            try:
                model.load_weights(path)
            except ValueError:
                after = model.get_weights()
                if any(not np.array_equal(a, b, equal_nan=True)
                       for a, b in zip(before, after)):
                    raise AssertionError("failed load changed the weights")
                raise
        return "loaded"
    except ValueError as e:
        if not isinstance(e, FileFormatError):
            # Every loader error should be a FileFormatError.
            raise AssertionError(f"plain ValueError: {e}") from e
        return "refused"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds after which one case counts as a hang")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    model, x = make_model()
    counts = {"loaded": 0, "refused": 0, "failed": 0}
    start = time.time()
    with tempfile.TemporaryDirectory() as folder:
        files = originals(model, folder)
        reference, _ = make_model()
        for case in range(args.cases):
            name = FORMATS[case % len(FORMATS)]
            kind = rng.integers(3)
            if kind == 0 and name == "model.keras":
                data = mutate_keras_config(files[name], rng)
            elif kind == 0 and name == "model.h5":
                data = mutate_h5_config(files[name], rng, folder)
            else:
                data = mutate_bytes(files[name], rng)
            # A case that hangs dumps its traceback and ends the run.
            faulthandler.dump_traceback_later(args.timeout, exit=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    counts[run_case(name, data, folder, reference, x)] += 1
                except Exception:
                    counts["failed"] += 1
                    print(f"case {case} ({name}, seed {args.seed}) failed:")
                    traceback.print_exc()
            faulthandler.cancel_dump_traceback_later()
    clean = counts["loaded"] + counts["refused"]
    print(f"{args.cases} cases in {time.time() - start:.1f}s: {clean} ran "
          f"clean ({counts['loaded']} loaded, {counts['refused']} refused "
          f"with FileFormatError), {counts['failed']} failed.")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
