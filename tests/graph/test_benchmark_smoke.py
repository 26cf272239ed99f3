"""The graph benchmark script runs end to end on a tiny synthetic database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "graph_build.py"


def test_benchmark_runs_on_small_sizes(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--sizes", "200,400", "--cache-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["articles", "rows", "nodes"]
    sizes = [int(line.split()[0]) for line in lines[1:]]
    assert sizes == [200, 400]
    rows = [int(line.split()[1]) for line in lines[1:]]
    assert 10 * 200 < rows[0] < 25 * 200  # ~15 mentions and ~1.5 claims per article
    cached = sorted(p.name for p in tmp_path.glob("*.db"))
    assert len(cached) == 2
    conn = sqlite3.connect(tmp_path / cached[0])
    assert conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM graph_nodes").fetchone()[0] > 0
