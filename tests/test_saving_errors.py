"""Bad, hostile and mismatched files: clear errors, untouched models, atomic saves."""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings
import zipfile

import h5py
import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving import FileFormatError


def small_model(units=(5, 3), name="m"):
    keraslite.utils.set_random_seed(0)
    stack = [keraslite.Input((4,))]
    stack += [layers.Dense(n, activation="relu") for n in units[:-1]]
    stack += [layers.Dropout(0.1), layers.Dense(units[-1], activation="softmax")]
    model = keraslite.Sequential(stack, name=name)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.ones((4, 4), "float32")
    model.train_on_batch(x, np.eye(units[-1], dtype="float32")[[0, 1, 0, 1]])
    return model


def keras_entries(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path, entries, compression=zipfile.ZIP_STORED):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(path, "w", compression=compression) as zf:
            for name, data in entries:
                zf.writestr(name, data)


def edited_config(tmp_path, edit):
    """A copy of a valid .keras file whose config.json went through `edit`."""
    model = small_model()
    model.save(tmp_path / "ok.keras")
    entries = keras_entries(tmp_path / "ok.keras")
    config = json.loads(entries["config.json"])
    edit(config)
    entries["config.json"] = json.dumps(config).encode()
    write_zip(tmp_path / "bad.keras", entries.items())
    return tmp_path / "bad.keras"


# --- not a Keras file -------------------------------------------------------------------
@pytest.mark.parametrize("content,match", [
    (b"", "empty"),
    (b"hello world, not a model", "neither an HDF5 file nor a zip"),
    (b"\x89HDF\r\n\x1a\n" + b"\x00" * 100, "HDF5"),
    (b"PK\x03\x04" + b"\x00" * 100, "zip"),
])
@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_not_a_keras_file(tmp_path, content, match, suffix):
    path = tmp_path / ("x" + suffix)
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=match):
        keraslite.models.load_model(path)
    model = small_model()
    with pytest.raises(FileFormatError):
        model.load_weights(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        keraslite.models.load_model(tmp_path / "nope.keras")


@pytest.mark.parametrize("fmt", ["m.keras", "m.h5", "w.weights.h5"])
@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.999])
def test_truncated_files(tmp_path, fmt, fraction):
    model = small_model()
    path = tmp_path / fmt
    model.save_weights(path) if fmt.startswith("w.") else model.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    before = model.get_weights()
    with pytest.raises(FileFormatError):
        if fmt.startswith("w."):
            model.load_weights(path)
        else:
            keraslite.models.load_model(path)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- hostile zip archives ----------------------------------------------------------------
@pytest.mark.parametrize("entry_name", ["../evil.txt", "/etc/evil", "a/../../b",
                                        "C:\\evil", "..\\evil"])
def test_zip_path_traversal_refused(tmp_path, entry_name):
    small_model().save(tmp_path / "ok.keras")
    entries = list(keras_entries(tmp_path / "ok.keras").items())
    write_zip(tmp_path / "bad.keras", entries + [(entry_name, b"x")])
    with pytest.raises(FileFormatError, match="absolute path or '..'"):
        keraslite.models.load_model(tmp_path / "bad.keras")


def test_zip_duplicate_entry_refused(tmp_path):
    small_model().save(tmp_path / "ok.keras")
    entries = list(keras_entries(tmp_path / "ok.keras").items())
    write_zip(tmp_path / "bad.keras", entries + [("config.json", b"{}")])
    with pytest.raises(FileFormatError, match="duplicate"):
        keraslite.models.load_model(tmp_path / "bad.keras")


@pytest.mark.parametrize("entry", ["config.json", "model.weights.h5"])
def test_zip_bomb_refused(tmp_path, entry):
    small_model().save(tmp_path / "ok.keras")
    entries = keras_entries(tmp_path / "ok.keras")
    entries[entry] = b"\x00" * (16 << 20)  # 16 MiB of zeros deflate to ~16 KiB
    write_zip(tmp_path / "bomb.keras", entries.items(), zipfile.ZIP_DEFLATED)
    with pytest.raises(FileFormatError, match="zip bomb"):
        keraslite.models.load_model(tmp_path / "bomb.keras")


def test_zip_entry_larger_than_allowed_for_model(tmp_path):
    small_model().save(tmp_path / "ok.keras")
    entries = keras_entries(tmp_path / "ok.keras")
    entries["model.weights.h5"] = os.urandom(70 << 20)  # incompressible
    write_zip(tmp_path / "big.keras", entries.items())
    with pytest.raises(FileFormatError, match="declares .* bytes, more than"):
        keraslite.models.load_model(tmp_path / "big.keras")


@pytest.mark.parametrize("missing,match", [("config.json", "no 'config.json'"),
                                           ("model.weights.h5", "no 'model.weights.h5'")])
def test_zip_missing_entry(tmp_path, missing, match):
    small_model().save(tmp_path / "ok.keras")
    entries = keras_entries(tmp_path / "ok.keras")
    del entries[missing]
    write_zip(tmp_path / "bad.keras", entries.items())
    with pytest.raises(FileFormatError, match=match):
        keraslite.models.load_model(tmp_path / "bad.keras")


# --- hostile or unsupported configs ------------------------------------------------------------
def _set_layer(index, **changes):
    def edit(config):
        entry = config["config"]["layers"][index]
        for key, value in changes.items():
            if key == "config":
                entry["config"].update(value)
            else:
                entry[key] = value
    return edit


@pytest.mark.parametrize("edit,match", [
    (_set_layer(1, class_name="Conv3D"),
     "Unsupported class 'Conv3D'.*Activation, Add, .*Dense, .*InputLayer"),
    (_set_layer(1, class_name="Lambda", config={"function": {
        "class_name": "__lambda__", "config": {"code": "x"}}}), "Lambda"),
    (_set_layer(1, config={"activation": {
        "class_name": "__lambda__", "config": {"code": "4wEAAA"}}}), "lambda"),
    (_set_layer(1, module="os"), "module 'os'"),
    (_set_layer(1, config={"activation": {"module": "builtins",
                                          "class_name": "function",
                                          "config": "system",
                                          "registered_name": "function"}}),
     "activation function identifier: 'system'"),
    (_set_layer(1, registered_name="MyPackage>Dense"), "not registered"),
    (_set_layer(1, config={"units": 10 ** 12}), "cap"),
    (_set_layer(1, config={"units": -3}), "units=-3"),
    (_set_layer(1, config={"units": "many"}), "units"),
    (_set_layer(1, config={"bogus_field": 1}), "bogus_field"),
    (_set_layer(0, config={"batch_shape": [None, 10 ** 30]}), "Invalid dimension"),
    (_set_layer(0, config={"batch_shape": "abc"}), "Invalid shape"),
    (_set_layer(1, config={"name": "a/b"}), "Invalid name"),
    (_set_layer(1, config={"dtype": "float64"}), "float32"),
    (lambda c: c.update(class_name="Functional"), "input_layers"),
    (lambda c: c["config"].update(layers="oops"), "layers"),
    (lambda c: c["config"]["layers"].append(c["config"]["layers"][1]),
     "unique names"),
    (lambda c: c["compile_config"].update(loss="no_such_loss"), "no_such_loss"),
    (lambda c: c["compile_config"]["optimizer"].update(class_name="Muon"),
     "Muon"),
    (lambda c: c["compile_config"]["optimizer"]["config"].update(
        learning_rate=-1), "learning_rate"),
])
def test_bad_configs_give_clear_errors(tmp_path, edit, match):
    path = edited_config(tmp_path, edit)
    with pytest.raises(FileFormatError, match=match):
        keraslite.models.load_model(path)


@pytest.mark.parametrize("text", [b"{not json", b"[1, 2]", b"\xff\xfe",
                                  b"[" * 100000 + b"]" * 100000,
                                  b'{"a":' * 200 + b"1" + b"}" * 200])
def test_malformed_json(tmp_path, text):
    small_model().save(tmp_path / "ok.keras")
    entries = keras_entries(tmp_path / "ok.keras")
    entries["config.json"] = text
    write_zip(tmp_path / "bad.keras", entries.items())
    with pytest.raises(FileFormatError):
        keraslite.models.load_model(tmp_path / "bad.keras")


def test_malformed_json_in_legacy_h5(tmp_path):
    small_model().save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        f.attrs["model_config"] = b'{"class_name": "Sequential", "config": '
    with pytest.raises(FileFormatError, match="not valid JSON"):
        keraslite.models.load_model(tmp_path / "m.h5")


def test_layer_deserialize_refuses_unknown_and_lambda():
    with pytest.raises(TypeError, match="Conv3D.*Dense"):
        keraslite.layers.deserialize({"class_name": "Conv3D", "config": {}})
    with pytest.raises(ValueError, match="Lambda"):
        keraslite.layers.deserialize({"class_name": "Lambda", "config": {}})


# --- weights that do not fit --------------------------------------------------------------------
def _assert_untouched(model, weights, state):
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(state, model.optimizer.get_state()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("fmt", ["w.weights.h5", "w.h5", "m.keras", "m.h5"])
def test_shape_mismatch_names_layer_and_shapes_and_is_all_or_nothing(tmp_path, fmt):
    saved = small_model(units=(5, 3))
    path = tmp_path / fmt
    saved.save_weights(path) if fmt.startswith("w") else saved.save(path)
    target = small_model(units=(5, 2), name="other")  # last layer differs
    weights, state = target.get_weights(), target.optimizer.get_state()
    last = target.layers[-1].name
    with pytest.raises(FileFormatError,
                       match=rf"'{last}'.*\(5, 2\).*\(5, 3\)"):
        target.load_weights(path)
    _assert_untouched(target, weights, state)


@pytest.mark.parametrize("fmt", ["w.weights.h5", "w.h5"])
def test_layer_count_mismatch(tmp_path, fmt):
    small_model(units=(5, 4, 3)).save_weights(tmp_path / fmt)
    target = small_model(units=(5, 3), name="other")
    weights, state = target.get_weights(), target.optimizer.get_state()
    with pytest.raises(FileFormatError, match="layer"):
        target.load_weights(tmp_path / fmt)
    _assert_untouched(target, weights, state)


def test_missing_group_keras3(tmp_path):
    small_model().save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense_1"]
    target = small_model(name="other")
    weights, state = target.get_weights(), target.optimizer.get_state()
    with pytest.raises(FileFormatError, match="no group 'layers/dense_1/vars'"):
        target.load_weights(tmp_path / "w.weights.h5")
    _assert_untouched(target, weights, state)


def test_missing_dataset_legacy(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.h5")
    first = model.layers[0].name
    with h5py.File(tmp_path / "w.h5", "r+") as f:
        del f[f"{first}/{model.name}/{first}/bias"]
    with pytest.raises(FileFormatError, match="no dataset"):
        model.load_weights(tmp_path / "w.h5")


def test_optimizer_state_mismatch_is_all_or_nothing(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["optimizer/vars/5"]
        f["optimizer/vars/5"] = np.zeros((7, 7), "float32")
    target = small_model(name="other")
    weights, state = target.get_weights(), target.optimizer.get_state()
    with pytest.raises(FileFormatError, match="optimizer variable"):
        target.load_weights(tmp_path / "w.weights.h5")
    _assert_untouched(target, weights, state)


def test_absurd_declared_dataset_shape_is_never_read(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset(
            "0", shape=(10 ** 6, 10 ** 6), dtype="float32",
            chunks=(1000, 1000), compression="gzip")
    with pytest.raises(FileFormatError, match=r"\(4, 5\).*\(1000000, 1000000\)"):
        model.load_weights(tmp_path / "w.weights.h5")


@pytest.mark.parametrize("dtype", ["S10", "int32", "complex64"])
def test_wrong_dataset_dtype(tmp_path, dtype):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars"].create_dataset("1", shape=(5,), dtype=dtype)
    with pytest.raises(FileFormatError, match="dtype"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_extra_layer_in_file_is_a_mismatch(tmp_path):
    small_model(units=(5, 4, 3)).save_weights(tmp_path / "w.weights.h5")
    target = small_model(units=(5, 3), name="other")
    with pytest.raises(FileFormatError):
        target.load_weights(tmp_path / "w.weights.h5")


@pytest.mark.parametrize("link", ["soft", "external"])
def test_links_refused(tmp_path, link):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense/vars/0"]
        group = f["layers/dense/vars"]
        if link == "soft":
            group["0"] = h5py.SoftLink("/layers/dense_1/vars/0")
        else:
            group["0"] = h5py.ExternalLink("/etc/passwd", "/x")
    with pytest.raises(FileFormatError, match="Not allowed"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_external_dataset_refused(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    (tmp_path / "raw.bin").write_bytes(np.ones(20, "float32").tobytes())
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset(
            "0", shape=(4, 5), dtype="float32",
            external=[(str(tmp_path / "raw.bin"), 0, 80)])
    with pytest.raises(FileFormatError, match="external"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_corrupt_global_heap_refused_without_hanging(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.h5")
    data = bytearray((tmp_path / "w.h5").read_bytes())
    start = data.find(b"GCOL")
    assert start != -1
    data[start + 16:start + 32] = b"\x00" * 16  # object 0 of size 0
    (tmp_path / "w.h5").write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="global heap"):
        model.load_weights(tmp_path / "w.h5")


# --- atomic saves ------------------------------------------------------------------------------
_KILLED_SAVE = textwrap.dedent("""
    import sys, time
    import keraslite
    from keraslite.saving import _io
    def stall(path):
        print("WRITTEN", flush=True)
        time.sleep(600)
    _io.fsync_file = stall
    model = keraslite.Sequential([keraslite.Input((8,)),
                                  keraslite.layers.Dense(300)])
    model.save(sys.argv[1]) if sys.argv[1].endswith((".keras", "model.h5")) \\
        else model.save_weights(sys.argv[1])
""")


@pytest.mark.parametrize("fmt", ["m.keras", "model.h5", "w.weights.h5"])
def test_killed_save_leaves_previous_file_intact(tmp_path, fmt):
    model = small_model()
    path = tmp_path / fmt
    model.save_weights(path) if fmt.startswith("w") else model.save(path)
    before = path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_SAVE, str(path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "WRITTEN"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert path.read_bytes() == before
    if fmt.startswith("w"):
        model.load_weights(path)
    else:
        keraslite.models.load_model(path)


def test_failed_save_leaves_no_temp_file(tmp_path, monkeypatch):
    from keraslite.saving import keras3_h5

    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    before = (tmp_path / "w.weights.h5").read_bytes()

    def broken(h5file, model):
        h5file.create_group("half")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(keras3_h5, "write", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        model.save_weights(tmp_path / "w.weights.h5")
    assert sorted(os.listdir(tmp_path)) == ["w.weights.h5"]
    assert (tmp_path / "w.weights.h5").read_bytes() == before


def test_unserializable_custom_loss_refused_at_save(tmp_path):
    model = keraslite.Sequential([keraslite.Input((2,)), layers.Dense(1)])

    class MyLoss(keraslite.losses.MeanSquaredError):
        pass

    model.compile(optimizer="sgd", loss=MyLoss())
    with pytest.raises(ValueError, match="custom loss"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()
    assert os.listdir(tmp_path) == []


def test_bytes_buffer_is_not_a_path():
    model = small_model()
    with pytest.raises(ValueError, match="file paths"):
        model.save(io.BytesIO())


# --- libhdf5 crashes and hangs ----------------------------------------------------------------
DATA = os.path.join(os.path.dirname(__file__), "data")


def test_file_that_crashes_libhdf5_is_refused():
    # Found by fuzz/fuzz_loaders.py: reading its attributes segfaults
    # libhdf5 1.14 (h5py 3.14); keraslite reads it in a forked child first.
    model = keraslite.Sequential([
        keraslite.Input((2, 3)), layers.Flatten(),
        layers.Dense(5, activation="relu"), layers.Dropout(0.2),
        layers.Activation("tanh"), layers.Dense(3, use_bias=False)])
    before = model.get_weights()
    with pytest.raises(FileFormatError, match="crashed"):
        model.load_weights(os.path.join(DATA, "libhdf5_segfault.weights.h5"))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("failure,match", [("crash", "crashed"),
                                           ("hang", "did not finish")])
def test_preflight_catches_crashes_and_hangs(tmp_path, monkeypatch, failure, match):
    import time

    from keraslite.saving import _io

    def walk(source):
        if failure == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(30)

    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    monkeypatch.setattr(_io, "_walk_hdf5", walk)
    monkeypatch.setattr(_io, "PREFLIGHT_TIMEOUT", 0.5)
    with pytest.raises(FileFormatError, match=match):
        model.load_weights(tmp_path / "w.weights.h5")


def _env_with_root():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return root, env


def test_expected_libhdf5_crash_prints_no_crash_dump():
    """With faulthandler on (python -X faulthandler, as pytest turns it on),
    the crash of the forked child that keraslite expects prints nothing."""
    root, env = _env_with_root()
    script = textwrap.dedent(f"""
        import faulthandler, sys
        import keraslite
        from keraslite import layers
        from keraslite.saving import FileFormatError
        assert faulthandler.is_enabled()
        model = keraslite.Sequential([
            keraslite.Input((2, 3)), layers.Flatten(),
            layers.Dense(5, activation="relu"), layers.Dropout(0.2),
            layers.Activation("tanh"), layers.Dense(3, use_bias=False)])
        try:
            model.load_weights({os.path.join(DATA, "libhdf5_segfault.weights.h5")!r})
        except FileFormatError as e:
            print("refused:", e)
        assert faulthandler.is_enabled()  # the parent's is left as it was
    """)
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script],
                          cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "refused:" in proc.stdout and "crashed" in proc.stdout
    assert "Fatal Python error" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.stderr == ""


def test_hdf5_crash_and_fuzz_tests_print_no_crash_dump():
    root, env = _env_with_root()
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-m", "pytest", "-q",
         "-p", "no:cacheprovider",
         os.path.abspath(__file__) + "::test_file_that_crashes_libhdf5_is_refused",
         os.path.abspath(__file__) + "::test_preflight_catches_crashes_and_hangs",
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_saving_fuzz.py")],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "Fatal Python error" not in proc.stdout + proc.stderr, proc.stdout[-4000:]
