"""Fast checks of the pieces ``aiwatch update`` is built from: lock, path checks, limits, run bookkeeping."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import click
import pytest

from aiwatch import stopping
from aiwatch import update as library
from aiwatch.cli import update as upd
from aiwatch.cli.pipeline import crawl_stop_reasons
from aiwatch.db import connect
from aiwatch.lock import LockHeldError, RunLock, default_lock_path, read_holder
from aiwatch.runs import start_run


def test_lock_names_its_holder_and_is_free_again_after_release(tmp_path):
    path = default_lock_path(tmp_path / "a.db")
    assert path.name == "a.db.lock"
    with RunLock(path, "update"):
        holder = read_holder(path)
        assert holder["pid"] == os.getpid() and holder["command"] == "update"
        with pytest.raises(LockHeldError) as info:
            RunLock(path, "update").acquire()
        assert f"pid {os.getpid()}" in str(info.value) and str(path) in str(info.value)
    assert path.read_text() == ""  # released: holder cleared
    RunLock(path, "update").acquire().release()


def test_lock_of_a_killed_holder_is_free_at_once(tmp_path):
    path = tmp_path / "x.lock"
    code = ("import sys, time; from aiwatch.lock import RunLock; RunLock(sys.argv[1], 'update').acquire(); "
            "print('held', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(LockHeldError):
            RunLock(path, "update").acquire()
    finally:
        proc.kill()
        proc.wait()
    RunLock(path, "update").acquire().release()  # the kernel dropped the dead holder's lock


def test_database_path_checks(tmp_path):
    library.check_database_path(tmp_path / "new.db")  # a new file in a writable directory is fine
    with pytest.raises(library.UpdateError, match="does not exist"):
        library.check_database_path(tmp_path / "missing" / "a.db")
    with pytest.raises(library.UpdateError, match="is a directory"):
        library.check_database_path(tmp_path)
    ro = tmp_path / "ro.db"
    ro.write_bytes(b"")
    ro.chmod(0o444)
    with pytest.raises(library.UpdateError, match="read-only"):
        library.check_database_path(ro)


def test_parse_minutes():
    assert upd.parse_minutes("2", "--max-minutes") == 2.0
    assert upd.parse_minutes(0, "setting", zero_ok=True) == 0.0
    for bad in ("abc", "0", "-1", "inf", "nan", ""):
        with pytest.raises(click.ClickException, match="--max-minutes: expected a positive number"):
            upd.parse_minutes(bad, "--max-minutes")


def test_crawl_stop_reasons():
    assert crawl_stop_reasons({"feeds": "finished"}, {"crawl_memory_mb": 5}) == ""
    assert crawl_stop_reasons({"urls": "closespider_pagecount", "feeds": "shutdown"},
                                  {"crawl_memory_mb": 5}) == "feeds: shutdown; urls: max_pages reached"


def test_stale_update_rows_are_closed_and_others_left_alone(db_path):
    conn = connect(db_path)
    dead = start_run(conn, "update")
    crawl = start_run(conn, "crawl")  # a standalone crawl may really be running: not ours to close
    assert library.close_stale_runs(conn) == 1
    rows = dict(conn.execute("SELECT id, status FROM runs").fetchall())
    assert rows == {dead: "interrupted", crawl: "running"}
    assert conn.execute("SELECT finished_at IS NOT NULL FROM runs WHERE id = ?", (dead,)).fetchone()[0] == 1
    conn.close()


def test_time_limit_interrupts_the_main_thread():
    started = time.monotonic()
    limit = pytest.raises(stopping.TimeLimitExceeded, match="time limit of 0.005 minutes")
    with limit, stopping.time_limit(0.3):
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_a_stop_swallowed_by_a_bare_except_is_still_remembered():
    # spaCy's model lookup has a bare ``except:``: a SIGTERM or the time limit landing there is swallowed.
    stop = stopping.StopRequest()
    with stopping.time_limit(0.2, stop), contextlib.suppress(BaseException):  # what the library does
        time.sleep(5)
    assert isinstance(stop.error, stopping.TimeLimitExceeded)
    stop = stopping.StopRequest()
    with stopping.sigterm_raises(stop), contextlib.suppress(BaseException):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert isinstance(stop.error, stopping.Terminated)


def test_each_summary_is_announced_as_its_stage_ends_and_exit_codes(db_path, capsys):
    heard: list[str] = []

    def stage(name: str) -> library.Stage:
        def run(conn, progress) -> library.StageResult:
            heard.append(f"start {name}")
            return library.StageResult({}, f"{name}: done")
        return library.Stage(name, run)

    conn = connect(db_path)
    result = library.run_stages(conn, [stage("crawl"), stage("graph")], announce=heard.append)
    conn.close()
    assert heard == ["start crawl", "crawl: done", "start graph", "graph: done"]  # not all at the end
    assert result.summaries == ["crawl: done", "graph: done"]
    ok = library.UpdateResult(summaries=["crawl: x", "graph: y"])
    upd.report(ok, 0)  # already announced: nothing printed twice
    assert capsys.readouterr().out == ""
    for status, code in (("timeout", 124), ("interrupted", 143), ("failed", 1)):
        with pytest.raises(upd.ExitError) as info:
            upd.report(library.UpdateResult(status=status, error="why"), 0)
        assert info.value.exit_code == code and "why" in info.value.format_message()
