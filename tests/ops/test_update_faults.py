"""``aiwatch update`` under faults: SIGKILL at seeded moments, re-runs, concurrent runs and live readers.

Every test runs the real command in a subprocess against the bundled sample site on 127.0.0.1 and checks
real SQLite files; ``reference`` is one uninterrupted run whose content every other run must reproduce.
"""

from __future__ import annotations

import json
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

KILLS = 10
SEED = 20261128
AIWATCH = [sys.executable, "-c", "import sys; from aiwatch.cli import main; sys.argv[0] = 'aiwatch'; main()"]


def copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy of a database (SQLite backup API, so a WAL is folded in)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def wait_for_stage(ops, upd, db: Path, stage: str, timeout: float = 60) -> bool:
    """Poll the run's ``stats.stage`` until it is ``stage``; False if the process ended first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if upd.proc.poll() is not None:
            return False
        run = ops.last_run(db)
        if run and run["status"] == "running" and run["stats"].get("stage") == stage:
            return True
        time.sleep(0.005 if stage == "graph" else 0.02)
    raise AssertionError(f"update never reached stage {stage}: {upd.output[-2000:]}")


def kill_during(ops, db: Path, stage: str, delay: float) -> str | None:
    """Start an update and SIGKILL its process group ``delay`` s into ``stage``; the stage it died in."""
    upd = ops.start(db)
    if not wait_for_stage(ops, upd, db, stage):
        upd.wait()
        return None
    time.sleep(delay)
    alive = upd.proc.poll() is None
    upd.kill()
    run = ops.last_run(db)
    if not alive or run is None or run["status"] != "running":
        return None  # finished before the kill: not a kill
    return run["stats"].get("stage")


def test_sigkill_at_ten_moments_keeps_the_database_whole_and_a_rerun_completes(ops, reference, tmp_path):
    rng = random.Random(SEED)
    plan = ["crawl"] * 4 + ["extract"] * 3 + ["graph"] * 3
    rng.shuffle(plan)
    died_in: Counter[str] = Counter()
    log = []
    for n, stage in enumerate(plan):
        fraction = rng.uniform(0.05, 0.9)
        landed = None
        for attempt in range(4):  # a kill that came after the run ended is retried earlier in the stage
            db = tmp_path / f"kill{n}-{attempt}.db"
            landed = kill_during(ops, db, stage, fraction / (4 ** attempt) * reference.stage_seconds[stage])
            if landed:
                break
        assert landed, f"kill {n}: never landed in {stage}"
        died_in[landed] += 1
        problems = ops.integrity_problems(db)
        assert problems == [], f"kill {n} in {landed}: {problems}"
        code, output = ops.run(db)
        assert code == 0, f"re-run after kill {n} in {landed}: exit {code}\n{output[-3000:]}"
        assert "Traceback" not in output
        diff = ops.diff_content(reference.content, ops.content(db))
        assert diff == "", f"re-run after kill {n} in {landed} differs from an uninterrupted run:\n{diff}"
        with sqlite3.connect(db) as conn:
            statuses = [r[0] for r in conn.execute(
                "SELECT status FROM runs WHERE command = 'update' ORDER BY id")]
        conn.close()
        assert statuses == ["interrupted", "ok"], statuses
        log.append(f"kill {n}: {landed} +{fraction:.2f}")
    assert sum(died_in.values()) == KILLS
    assert set(died_in) == {"crawl", "extract", "graph"}, died_in
    print(f"\n{KILLS} kills survived ({dict(died_in)}): " + "; ".join(log))


def test_second_update_over_an_unchanged_site_inserts_nothing(ops, reference, tmp_path):
    db = copy_db(reference.db, tmp_path / "again.db")
    ids_before = table_ids(db)
    code, output = ops.run(db, quiet=True)
    assert code == 0, output[-3000:]
    assert output == ""  # -q prints nothing on success, so cron mails only problems
    assert ops.diff_content(reference.content, ops.content(db)) == ""
    assert ops.digest(db) == ops.digest(reference.db)
    assert table_ids(db) == ids_before  # no row deleted and re-inserted, nothing added
    stats = ops.last_run(db)["stats"]
    assert stats["crawl"]["inserted"] == 0 and stats["crawl"]["updated"] == 0, stats["crawl"]
    assert stats["extract"]["articles"] == 0, stats["extract"]
    assert stats["graph"]["changed"] is False, stats["graph"]


def table_ids(db: Path) -> dict[str, list[int]]:
    with sqlite3.connect(db) as conn:
        ids = {t: [r[0] for r in conn.execute(f"SELECT id FROM {t} ORDER BY id")]
               for t in ("articles", "mentions", "claims", "graph_edges")}
    conn.close()
    return ids


def test_two_updates_started_together_exactly_one_runs(ops, reference, tmp_path):
    db = copy_db(reference.db, tmp_path / "pair.db")
    first, second = ops.start(db), ops.start(db)
    ended: dict[int, float] = {}
    for upd in (first, second):
        threading.Thread(target=lambda u=upd: (u.wait(), ended.__setitem__(id(u), time.monotonic())),
                         daemon=True).start()
    deadline = time.monotonic() + 120
    while len(ended) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    codes = sorted((first.proc.returncode, second.proc.returncode))
    assert codes == [0, 75], (first.output[-2000:], second.output[-2000:])
    loser = first if first.proc.returncode == 75 else second
    winner = second if loser is first else first
    seconds = ended[id(loser)] - loser.started
    assert seconds < 1.0, f"refused run took {seconds:.2f}s"
    lines = [line for line in loser.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "another aiwatch update is running" in lines[0], lines
    assert f"pid {winner.proc.pid}" in lines[0], lines
    with sqlite3.connect(db) as conn:
        n = conn.execute("SELECT count(*) FROM runs WHERE command = 'update'").fetchone()[0]
    conn.close()
    assert n == 2  # the reference run and the winner; the refused run wrote nothing
    print(f"\nrefused run exited 75 after {seconds:.2f}s: {lines[0]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


COUNTED = ("articles", "mentions", "claims", "graph_nodes", "graph_edges")
COUNT_SQL = "select " + ", ".join(f"(select count(*) from {t}) as {t}" for t in COUNTED)


def reader(base: str, stop: threading.Event, out: dict[str, object]) -> None:
    """Query counts, a table page and a full-text search in a loop; record errors and count regressions."""
    count_url = f"{base}/aiwatch.json?_shape=array&sql=" + urllib.parse.quote(COUNT_SQL)
    others = [f"{base}/aiwatch/articles.json?_size=5", f"{base}/aiwatch/claims.json?_size=5",
              f"{base}/aiwatch/articles.json?_search=DeepSeek&_size=5"]
    last: dict[str, int] = {}
    errors: list[str] = []
    requests = 0
    while not stop.is_set():
        for url in [count_url, *others]:
            requests += 1
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    body = resp.read().decode()
            except urllib.error.HTTPError as exc:
                errors.append(f"{url}: HTTP {exc.code} {exc.read()[:200]!r}")
                continue
            except OSError as exc:
                errors.append(f"{url}: {exc}")
                continue
            if "database is locked" in body:
                errors.append(f"{url}: database is locked")
            if url == count_url:
                counts = json.loads(body)[0]
                for table, n in counts.items():
                    if n < last.get(table, 0):
                        errors.append(f"{table} went down from {last[table]} to {n}")
                    last[table] = n
    out.update(errors=errors, requests=requests, last=last)


def test_four_datasette_readers_see_no_errors_and_counts_never_go_down(ops, tmp_path):
    from aiwatch.db import connect

    db = tmp_path / "live.db"
    connect(db).close()
    port = free_port()
    serve_log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([*AIWATCH, "--db", str(db), "serve", "--port", str(port)], stdout=serve_log,
                              stderr=subprocess.STDOUT, env=ops.clean_env(), cwd=tmp_path,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/aiwatch.json", server)
        upd = ops.start(db)
        stop = threading.Event()
        results: list[dict[str, object]] = [{} for _ in range(4)]
        threads = [threading.Thread(target=reader, args=(base, stop, r)) for r in results]
        started = time.monotonic()
        for t in threads:
            t.start()
        backup = tmp_path / "backup.db"
        if wait_for_stage(ops, upd, db, "extract"):  # a backup while the update writes, as the README says
            with sqlite3.connect(db, timeout=10) as conn:
                conn.execute("VACUUM INTO ?", (str(backup),))
            conn.close()
        code = upd.wait()
        time.sleep(max(0.0, 10 - (time.monotonic() - started)))
        stop.set()
        for t in threads:
            t.join(30)
        seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
        serve_log.close()
    assert code == 0, upd.output[-3000:]
    errors = [e for r in results for e in r["errors"]]
    requests = sum(r["requests"] for r in results)
    assert errors == [], errors[:10]
    final = results[0]["last"]
    assert final["articles"] > 0 and final["graph_edges"] > 0, final  # readers saw the writes land
    assert ops.integrity_problems(backup) == []
    with sqlite3.connect(backup) as conn:
        backed_up = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    assert 0 < backed_up <= final["articles"]
    print(f"\n4 readers, {requests} requests in {seconds:.1f}s while update wrote: 0 errors; final {final}; "
          f"VACUUM INTO backup mid-run: {backed_up} articles, integrity ok")


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_sigkill_of_the_update_process_alone_takes_the_crawl_child_and_the_lock_with_it(ops, tmp_path):
    """An OOM kill hits one process, not the group: the crawl child must not outlive it nor keep the lock."""
    import psutil

    from aiwatch.lock import RunLock, default_lock_path

    db = tmp_path / "orphan.db"
    upd = ops.start(db)
    assert wait_for_stage(ops, upd, db, "crawl")
    parent = psutil.Process(upd.proc.pid)
    end = time.monotonic() + 30
    while len(parent.children(recursive=True)) < 3 and time.monotonic() < end:
        time.sleep(0.02)
    children = parent.children(recursive=True)
    assert len(children) >= 3, "no crawl process with its page-processing workers started"
    upd.proc.kill()  # the update process only
    upd.proc.wait()
    end = time.monotonic() + 3  # the death signal or start-up check acts within ~1 s; a crawl lasts 4 s+
    while time.monotonic() < end and any(running(p) for p in children):
        time.sleep(0.05)
    assert not any(running(p) for p in children), "the crawl process or a worker outlived the update"
    RunLock(default_lock_path(db), "update").acquire().release()  # free at once
    assert ops.integrity_problems(db) == []


def running(proc) -> bool:
    """Alive and not a zombie (a dead child of a dead parent may wait unreaped)."""
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
