"""benchmarks/conv_layers.py runs (keraslite only, tiny); no timing asserted."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_conv_benchmark_runs_and_writes_json(tmp_path):
    out = tmp_path / "conv.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.conv_layers", "--no-tensorflow",
         "--repeats", "1", "--batch", "4", "--threads", "1", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert [r["layer"].split()[0] for r in rows] == ["conv1", "conv2", "conv3"]
    for row in rows:
        assert row["keraslite_ms"] > 0 and row["gemm_floor_ms"] > 0
        assert row["keraslite/floor"] > 0 and row["threads"] == 1
    assert "conv1 28x28x1 -> 26x26x32" in proc.stdout
