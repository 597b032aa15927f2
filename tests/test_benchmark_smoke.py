"""The benchmark runs end to end in its tiny configuration.

No timing assertions: only that the command succeeds and writes a JSON
report and a PNG plot with the expected keys.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

BOOK_RESULT_KEYS = {
    "fit_s", "step_s", "steps", "epoch_s", "history", "test_accuracy",
    "import_build_compile_s", "import_s", "predict1_us", "call1_us",
    "batch_predict_s", "batch_predict_samples_per_s", "peak_rss_mb",
}
RATIO_KEYS = {
    "fit_over_floor", "keras_fit_over_keraslite_fit", "import_build_compile_s",
    "predict1_us", "call1_us", "batch_predict_over_floor",
    "rss_over_keras_rss", "verbose1_over_verbose0",
}


def run_benchmark(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quiet", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_tiny_book_run_writes_json_and_png(tmp_path, mnist_npz_path):
    pytest.importorskip("matplotlib")
    json_path, png_path = tmp_path / "out.json", tmp_path / "curves.png"
    stdout = run_benchmark("--tiny", "--mnist", str(mnist_npz_path),
                           "--json", str(json_path), "--plot", str(png_path))
    assert ("| measure | keraslite | Keras/TF | Keras/JAX | PyTorch | GEMM floor |"
            in stdout)

    report = json.loads(json_path.read_text())
    assert report["mode"] == "book-tiny"
    assert report["libraries"] == ["keraslite"]
    assert report["keras"] is None
    for key in ("config", "machine", "blas", "versions", "ratios", "setup",
                "table_markdown", "plot"):
        assert key in report
    assert {"nproc", "cpu_model"} <= set(report["machine"])
    assert {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} <= set(report["blas"]["env"])

    kl = report["keraslite"]
    assert BOOK_RESULT_KEYS | {"fit_verbose1_s", "floor"} <= set(kl)
    for key in BOOK_RESULT_KEYS - {"history", "epoch_s"}:
        assert _is_number(kl[key]), key
    assert set(kl["history"]) == {"loss", "accuracy"}
    assert len(kl["history"]["loss"]) == report["config"]["epochs"]
    assert {"train_s", "train_step_s", "predict_s"} <= set(kl["floor"])
    loop = kl["numpy_loop"]
    assert _is_number(loop["train_s"]) and _is_number(loop["steady_epoch_s"])
    assert len(loop["epoch_s"]) == report["config"]["epochs"]

    assert set(report["ratios"]) == RATIO_KEYS
    for name, ratio in report["ratios"].items():
        assert {"description", "value", "op", "target", "met"} <= set(ratio)
    assert report["ratios"]["keras_fit_over_keraslite_fit"]["value"] is None
    assert _is_number(report["ratios"]["fit_over_floor"]["value"])

    assert Path(report["plot"]) == png_path
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tiny_book_run_with_a_busy_core(tmp_path, mnist_npz_path):
    json_path = tmp_path / "load.json"
    stdout = run_benchmark("--tiny", "--load", "--mnist", str(mnist_npz_path),
                           "--json", str(json_path), "--plot",
                           str(tmp_path / "load.png"))
    assert "With a busy loop holding one core" in stdout
    report = json.loads(json_path.read_text())
    assert report["mode"] == "book-tiny-load"
    loaded = report["load"]
    assert loaded["busy_loops"] == 1
    assert BOOK_RESULT_KEYS <= set(loaded["keraslite"])
    assert _is_number(loaded["keraslite"]["fit_s"])
    assert set(loaded["ratios"]) == RATIO_KEYS
    ratio = report["peer_ratios"]["load_fit_over_quiet_fit"]
    assert ratio["target"] == 1.5 and _is_number(ratio["value"])
    # without Keras and the peers, their ratios are absent, not made up
    assert report["peer_ratios"]["fit_over_jax_fit"]["value"] is None
    assert report["peer_ratios"]["load_fit_over_tf_load_fit"]["value"] is None
    assert len(loaded["keraslite"]["blas_runs"]) == report["config"]["fit_repeats"]


def test_peer_ratios_are_the_issue_13_targets():
    from benchmarks.run import peer_ratios

    def result(fit, steady, floor=None):
        out = {"fit_s": fit, "steady_epoch_s": steady}
        if floor is not None:
            out["floor"] = {"train_s": floor}
        return out

    quiet = {"keraslite": result(4.0, 0.8, floor=2.5), "keras": result(10.0, 2.0),
             "keras_jax": result(5.0, 0.8), "torch": result(6.0, 1.2)}
    loaded = {"keraslite": result(5.0, 1.0, floor=3.0), "keras": result(11.0, 2.1)}
    ratios = peer_ratios(quiet, loaded)
    values = {k: r["value"] for k, r in ratios.items()}
    assert values == {
        "fit_over_jax_fit": 0.8, "steady_epoch_over_jax": 1.0,
        "fit_over_floor": 1.6, "fit_over_tf_fit": 0.4,
        "fit_over_torch_fit": 4.0 / 6.0, "load_fit_over_quiet_fit": 1.25,
        "load_fit_over_tf_load_fit": 5.0 / 11.0, "load_fit_over_jax_load_fit": None}
    assert ratios["fit_over_jax_fit"]["met"] is True
    assert ratios["fit_over_floor"]["met"] is True  # <= 1.6
    assert ratios["load_fit_over_jax_load_fit"]["met"] is None
    assert "load_fit_over_quiet_fit" not in peer_ratios(quiet)
    assert "fit_over_numpy_loop" not in values


def test_peer_ratios_of_the_numpy_loop():
    from benchmarks.run import peer_ratios

    kl = {"fit_s": 4.0, "steady_epoch_s": 0.8, "floor": {"train_s": 2.0},
          "numpy_loop": {"train_s": 3.2, "steady_epoch_s": 0.6}}
    jax = {"fit_s": 4.0, "steady_epoch_s": 0.5}
    values = {k: r["value"] for k, r in
              peer_ratios({"keraslite": kl, "keras_jax": jax}).items()}
    assert values["fit_over_numpy_loop"] == 4.0 / 3.2
    assert values["numpy_loop_over_jax_fit"] == 0.8
    assert values["numpy_loop_steady_over_jax"] == 0.6 / 0.5
    assert values["numpy_loop_over_floor"] == 1.6
    without_jax = peer_ratios({"keraslite": kl})
    assert without_jax["numpy_loop_over_floor"]["value"] == 1.6
    assert "numpy_loop_over_jax_fit" not in without_jax


def test_tiny_scaled_run_writes_json(tmp_path, mnist_npz_path):
    json_path = tmp_path / "scaled.json"
    stdout = run_benchmark("--tiny", "--scaled", "--mnist", str(mnist_npz_path),
                           "--json", str(json_path))
    assert "keraslite / floor" in stdout
    report = json.loads(json_path.read_text())
    assert report["mode"] == "scaled-tiny"
    config = report["config"]
    assert len(report["rows"]) == len(config["hiddens"]) * len(config["batch_sizes"])
    for row in report["rows"]:
        kl = row["keraslite"]
        assert {"fit_s", "epoch_s", "steady_step_s", "floor_s",
                "floor_step_s"} <= set(kl)
        assert _is_number(row["gflop"])


def test_pool_norm_benchmark_runs_without_tf(capsys):
    from benchmarks import pool_norm_layers

    pool_norm_layers.main(["--without-tf", "--repeats", "1", "--number", "1"])
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and "layer" not in line]
    assert len(rows) == len(pool_norm_layers.CASES)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[2]) > 0 and float(cells[5]) > 0 and cells[3] == "-"


def test_tiny_convnet_run_writes_json(tmp_path, mnist_npz_path):
    json_path = tmp_path / "convnet.json"
    stdout = run_benchmark("--tiny", "--convnet", "--mnist", str(mnist_npz_path),
                           "--json", str(json_path))
    assert "its lowering's GEMM floor" in stdout
    report = json.loads(json_path.read_text())
    assert report["mode"] == "convnet-tiny"
    assert report["libraries"] == ["keraslite"] and report["keras"] is None
    kl = report["keraslite"]
    for key in ("fit_s", "floor_s", "peak_rss_mb"):
        assert _is_number(kl[key]) and kl[key] > 0, key
    assert kl["steps"] == -(-report["config"]["n_train"] // report["config"]["batch_size"])
    assert len(kl["history"]["loss"]) == report["config"]["epochs"]
    assert set(report["ratios"]) == {"keras_fit_over_keraslite_fit", "fit_over_floor",
                                     "rss_over_keras_rss"}
    assert report["ratios"]["keras_fit_over_keraslite_fit"]["value"] is None
    assert _is_number(report["ratios"]["fit_over_floor"]["value"])


def test_convnet_floor_does_the_lowering_products():
    from benchmarks import gemm

    seconds, steps = gemm.convnet_train_floor(100, 64, 2)
    assert steps == 4 and seconds > 0
    # Output sizes of the three convolutions, as the chapter-5 summary: 26, 11, 3.
    sizes = [(28, 26), (13, 11), (5, 3)]
    assert [(s, s - 2) for s, _, _ in gemm.CONVNET_CONVS] == sizes


def test_tiny_lstm_run_writes_json(tmp_path):
    json_path = tmp_path / "lstm.json"
    stdout = run_benchmark("--tiny", "--lstm", "--json", str(json_path))
    assert "Keras/TF steady epoch / keraslite steady epoch" in stdout
    report = json.loads(json_path.read_text())
    assert report["mode"] == "lstm-tiny"
    assert report["libraries"] == ["keraslite"] and report["keras"] is None
    config, kl = report["config"], report["keraslite"]
    n, maxlen = config["n_train"], config["maxlen"]
    assert config["data"]["x_shape"] == [n, maxlen]
    assert config["data"]["x_dtype"] == "int32"
    assert len(kl["runs"]) == config["fit_repeats"]
    for run in kl["runs"]:
        assert len(run["epoch_s"]) == config["epochs"]
        assert set(run["history"]) == {"loss", "acc"}
    for key in ("first_epoch_s", "steady_epoch_s", "first_epoch_imdb_s",
                "steady_epoch_imdb_s", "peak_rss_mb"):
        assert _is_number(kl[key]) and kl[key] > 0, key
    assert kl["first_epoch_imdb_s"] == kl["first_epoch_s"] * 25000 / n
    assert kl["steps_per_epoch"] == -(-n // config["batch_size"])
    assert set(report["ratios"]) == {"keras_first_epoch_over_keraslite",
                                     "keras_steady_epoch_over_keraslite"}
    assert all(r["value"] is None and r["met"] is None
               for r in report["ratios"].values())


def test_synthetic_imdb_has_the_form_of_imdb_load_data():
    import numpy as np

    from benchmarks.run import synthetic_imdb

    reviews, labels = synthetic_imdb(400, num_words=10000)
    assert len(reviews) == len(labels) == 400
    assert all(r[0] == 1 for r in reviews)  # start_char
    words = np.concatenate([r[1:] for r in reviews])
    assert words.min() >= 2 and words.max() < 10000 and 3 not in words
    assert (words == 2).any()  # words cut by num_words become oov_char
    lengths = np.array([len(r) - 1 for r in reviews])
    assert lengths.min() >= 10 and 150 < np.median(lengths) < 200
    assert labels.dtype == np.int64 and labels.sum() == 200
