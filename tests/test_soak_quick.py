"""A few seconds of soak/soak.py: fit with validation, a weights file saved
every epoch and read back every ten; no file handle may leak and memory
must stay (generously) flat. The long version: python soak/soak.py --minutes 10
"""
import json
import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parent.parent / "soak" / "soak.py"


def test_soak_quick_no_fd_leak_and_flat_rss():
    proc = subprocess.run(
        [sys.executable, str(SOAK), "--epochs", "20", "--samples", "512",
         "--warmup", "5", "--rss-margin-mb", "32", "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    numbers = json.loads(proc.stdout.strip().splitlines()[-1])
    assert numbers["epochs"] == 20 and numbers["saves"] == 20
    assert numbers["reloads"] == 2
    assert numbers["fds_after"] == numbers["fds_before"]
    assert numbers["open_files_after"] == numbers["open_files_before"]
    # A leak is growth; OpenBLAS may park a worker thread and lower the count.
    assert numbers["threads_after"] <= numbers["threads_before"]
    assert numbers["rss_growth_after_warmup_mb"] < 32
    assert numbers["failures"] == [] and proc.returncode == 0
