"""``run_update`` called directly (no click): stand-in stages, the real lock, signals and ``runs`` rows."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from aiwatch.db import connect
from aiwatch.lock import EX_TEMPFAIL, RunLock, default_lock_path
from aiwatch.runs import start_run
from aiwatch.update import (
    EX_TERMINATED,
    EX_TIMEOUT,
    LockBusy,
    Stage,
    StageError,
    StageResult,
    UpdateError,
    run_update,
)


def stage(name: str, status: str = "ok", error: str | None = None, action=None) -> Stage:
    """A stand-in stage: runs ``action(conn, progress)`` if given, then reports ``{"ran": 1}``."""

    def run(conn: sqlite3.Connection, progress) -> StageResult:
        if action:
            action(conn, progress)
        return StageResult({"ran": 1}, f"{name}: done", status, error)

    return Stage(name, run)


def update_rows(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    try:
        found = conn.execute("SELECT status, stats, error, finished_at FROM runs WHERE command = 'update' "
                             "ORDER BY id").fetchall()
    finally:
        conn.close()
    return [{"status": s, "stats": json.loads(st), "error": e, "finished_at": f} for s, st, e, f in found]


def test_stages_run_in_order_and_the_run_is_recorded_once(db_path):
    seen = []

    def publish(conn, progress):
        progress({"articles": 3})
        seen.append(update_rows(db_path)[-1]["stats"])

    stages = [stage("crawl", "partial"), stage("extract", action=publish), stage("graph")]
    result = run_update(db_path, stages)
    assert (result.status, result.exit_status, result.message) == ("partial", 0, None)
    assert result.summaries == ["crawl: done", "extract: done", "graph: done"]
    assert seen == [{"stage": "extract", "crawl": {"ran": 1}, "extract": {"articles": 3}}]
    (row,) = update_rows(db_path)
    assert row["status"] == "partial" and row["error"] is None and row["finished_at"]
    assert row["stats"] == result.stats == {"crawl": {"ran": 1}, "extract": {"ran": 1}, "graph": {"ran": 1}}


def test_lock_busy_is_refused_with_75_and_touches_nothing(db_path):
    with RunLock(default_lock_path(db_path), "update"), pytest.raises(LockBusy) as info:
        run_update(db_path, [stage("crawl")])
    assert info.value.exit_status == EX_TEMPFAIL == 75
    assert str(info.value).startswith(f"another aiwatch update is running (pid {os.getpid()}")
    assert not db_path.exists()  # no database, so no runs row


def test_bad_database_or_lock_path_is_refused_with_1(tmp_path):
    with pytest.raises(UpdateError, match="directory .* does not exist") as info:
        run_update(tmp_path / "missing" / "a.db", [stage("crawl")])
    assert info.value.exit_status == 1
    with pytest.raises(UpdateError, match="lock file .*: directory does not exist"):
        run_update(tmp_path / "a.db", [stage("crawl")], lock_path=tmp_path / "no" / "a.lock")


def test_a_stage_error_fails_the_run_with_its_line_and_stops_it(db_path):
    def bad_sources(conn, progress):
        raise StageError("sources s.toml: line 3: expected a value")

    result = run_update(db_path, [stage("crawl", action=bad_sources), stage("extract")])
    assert (result.status, result.exit_status) == ("failed", 1)
    assert result.message == "update failed: sources s.toml: line 3: expected a value"
    (row,) = update_rows(db_path)
    assert row["error"] == "sources s.toml: line 3: expected a value" and row["stats"] == {"stage": "crawl"}


def test_any_other_error_is_recorded_with_its_type(db_path):
    def boom(conn, progress):
        raise RuntimeError("boom")

    result = run_update(db_path, [stage("crawl"), stage("graph", action=boom)])
    assert (result.status, result.error) == ("failed", "RuntimeError: boom")
    assert result.summaries == ["crawl: done"]


def test_a_failed_stage_fails_the_run_but_the_next_stages_run(db_path):
    result = run_update(db_path, [stage("crawl", "failed", "every source failed"), stage("extract")])
    assert (result.status, result.error, result.exit_status) == ("failed", "every source failed", 1)
    assert result.summaries == ["crawl: done", "extract: done"]


def test_time_limit_is_a_timeout_with_124_even_when_a_library_swallows_it(db_path):
    def swallowing(conn, progress):
        with contextlib.suppress(BaseException):  # what spaCy's model lookup does
            time.sleep(5)
        raise OSError("can't find model")

    started = time.monotonic()
    result = run_update(db_path, [stage("crawl"), stage("extract", action=swallowing)], max_minutes=0.005)
    assert time.monotonic() - started < 3
    assert (result.status, result.exit_status) == ("timeout", EX_TIMEOUT)
    assert result.message == "update stopped: time limit of 0.005 minutes reached; the next run resumes"
    (row,) = update_rows(db_path)
    assert row["status"] == "timeout" and row["stats"]["stage"] == "extract"


def test_sigterm_is_interrupted_with_143(db_path):
    def terminated(conn, progress):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    before = signal.getsignal(signal.SIGTERM)
    result = run_update(db_path, [stage("crawl", action=terminated)])
    assert (result.status, result.error, result.exit_status) == ("interrupted", "terminated by SIGTERM",
                                                                 EX_TERMINATED)
    assert signal.getsignal(signal.SIGTERM) == before  # handler restored


def test_keyboard_interrupt_propagates_after_the_row_is_closed_and_the_lock_freed(db_path):
    def interrupt(conn, progress):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_update(db_path, [stage("crawl", action=interrupt)])
    assert [(r["status"], r["error"]) for r in update_rows(db_path)] == [("interrupted", "interrupted")]
    RunLock(default_lock_path(db_path), "update").acquire().release()


def test_rows_of_a_killed_update_are_closed_by_the_next(db_path):
    conn = connect(db_path)
    start_run(conn, "update")
    conn.close()
    run_update(db_path, [stage("crawl")])
    rows = update_rows(db_path)
    assert [(r["status"], r["error"]) for r in rows] == [
        ("interrupted", "process died before the run finished"), ("ok", None)]
