"""Killing ``aiwatch extract`` mid-run loses nothing done: each article's rows and stamp commit together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiwatch.db import connect

TEXT = (
    "Anthropic accused DeepSeek of distilling Claude, the company said on Monday. Nvidia's Jensen Huang said "
    "the Commerce Department had restricted exports of the H20 to China. "
) * 12


@pytest.mark.slow
@pytest.mark.model
def test_sigkill_mid_run_then_resume(db_path: Path) -> None:
    conn = connect(db_path)
    conn.executemany(
        "INSERT INTO articles (url, text) VALUES (?, ?)",
        [(f"https://kill.example/{i}", TEXT) for i in range(200)],
    )
    cmd = [
        sys.executable,
        "-c",
        "from aiwatch.cli import main; main()",
        "--db",
        str(db_path),
        "-q",
        "extract",
        "--batch-size",
        "4",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        done = conn.execute("SELECT count(*) FROM articles WHERE extractor_version IS NOT NULL").fetchone()[0]
        if done >= 10:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    stamped = conn.execute("SELECT count(*) FROM articles WHERE extractor_version IS NOT NULL").fetchone()[0]
    assert 10 <= stamped < 200
    # every stamped article has its rows; no unstamped article has any
    per_article = dict(
        conn.execute("SELECT article_id, count(*) FROM mentions GROUP BY article_id").fetchall()
    )
    for article_id, version in conn.execute("SELECT id, extractor_version FROM articles"):
        assert (article_id in per_article) == (version is not None)
    assert len(set(per_article.values())) == 1  # complete sets, never a partial article
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert conn.execute("SELECT count(*) FROM articles WHERE extractor_version IS NULL").fetchone()[0] == 0
    counts = conn.execute("SELECT count(DISTINCT article_id), count(*) FROM mentions").fetchone()
    assert counts[0] == 200 and counts[1] == 200 * next(iter(per_article.values()))


@pytest.mark.slow
@pytest.mark.model
def test_sigkill_of_extract_alone_takes_its_spacy_workers_with_it(db_path: Path) -> None:
    """The OOM killer hits one process: spaCy's ``n_process`` workers must not run on without it."""
    import psutil

    conn = connect(db_path)
    conn.executemany("INSERT INTO articles (url, text) VALUES (?, ?)",
                     [(f"https://kill.example/{i}", TEXT) for i in range(400)])
    cmd = [sys.executable, "-c", "from aiwatch.cli import main; main()", "--db", str(db_path), "-q",
           "extract", "--workers", "2", "--batch-size", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers = parent.children(recursive=True)
        stamped = conn.execute("SELECT count(*) FROM articles WHERE extractor_version IS NOT NULL")
        if len(workers) >= 2 and stamped.fetchone()[0] >= 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None and len(workers) >= 2, "extract finished or never started its workers"
    proc.kill()  # this process only, not its group
    proc.wait(timeout=30)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "a spaCy worker outlived the extract process"


def alive(proc) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
