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
    assert "| measure | keraslite | Keras | GEMM floor |" in stdout

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

    assert set(report["ratios"]) == RATIO_KEYS
    for name, ratio in report["ratios"].items():
        assert {"description", "value", "op", "target", "met"} <= set(ratio)
    assert report["ratios"]["keras_fit_over_keraslite_fit"]["value"] is None
    assert _is_number(report["ratios"]["fit_over_floor"]["value"])

    assert Path(report["plot"]) == png_path
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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
