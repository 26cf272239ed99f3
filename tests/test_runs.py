"""``recorded_run``: one ``runs`` row per command, closed however the body ends (real SQLite file)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from aiwatch.db import connect
from aiwatch.runs import recorded_run
from aiwatch.stopping import Terminated, TimeLimitExceeded


def rows(db_path: Path) -> list[dict]:
    """Every ``runs`` row, read through a connection of its own (stats decoded)."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        found = [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]
    finally:
        conn.close()
    for row in found:
        row["stats"] = json.loads(row["stats"])
    return found


@pytest.fixture
def conn(db_path: Path):
    conn = connect(db_path)
    yield conn
    conn.close()


def test_ok_run_is_running_while_the_body_runs_then_ok_with_its_stats(conn, db_path):
    with recorded_run(conn, "graph") as run:
        (row,) = rows(db_path)
        assert (row["command"], row["status"], row["stats"]) == ("graph", "running", {})
        assert row["finished_at"] is None
        run.stats = {"nodes": 9}
    (row,) = rows(db_path)
    assert (row["status"], row["stats"], row["error"]) == ("ok", {"nodes": 9}, None)
    assert row["started_at"] <= row["finished_at"]


def test_in_flight_stats_are_visible_and_the_final_stats_win(conn, db_path):
    with recorded_run(conn, "extract") as run:
        run.save({"articles": 2})
        assert rows(db_path)[0]["stats"] == {"articles": 2}
        run.stats = {"articles": 4}
        run.save()
        assert rows(db_path)[0]["stats"] == {"articles": 4}
    assert rows(db_path)[0]["stats"] == {"articles": 4}


def test_partial_and_failed_as_the_body_says(conn, db_path):
    with recorded_run(conn, "ingest") as run:
        run.status = "partial"
    with recorded_run(conn, "update") as run:
        run.fail("every source failed")
        run.stats = {"crawl": {}}
    assert [(r["status"], r["error"]) for r in rows(db_path)] == [
        ("partial", None), ("failed", "every source failed")]


class KBError(Exception):
    pass


def test_an_exception_fails_the_run_and_is_re_raised(conn, db_path):
    with pytest.raises(ValueError), recorded_run(conn, "extract") as run:
        run.stats = {"articles": 1}
        raise ValueError("bad input")
    with pytest.raises(KBError), recorded_run(conn, "extract", expected=(KBError,)):
        raise KBError("kb entities.jsonl: line 3: no id")
    first, second = rows(db_path)
    assert (first["status"], first["error"]) == ("failed", "ValueError: bad input")
    assert first["stats"] == {"articles": 1}
    assert (second["status"], second["error"]) == ("failed", "kb entities.jsonl: line 3: no id")
    assert first["finished_at"] and second["finished_at"]


@pytest.mark.parametrize(("exc", "status", "error"), [
    (KeyboardInterrupt(), "interrupted", "interrupted"),
    (Terminated("terminated by SIGTERM"), "interrupted", "terminated by SIGTERM"),
    (TimeLimitExceeded("time limit of 1 minutes reached"), "timeout", "time limit of 1 minutes reached"),
])
def test_interrupted_and_timed_out_runs(conn, db_path, exc, status, error):
    with pytest.raises(type(exc)), recorded_run(conn, "crawl") as run:
        run.stats = {"stage": "crawl"}
        raise exc
    (row,) = rows(db_path)
    assert (row["status"], row["error"], row["stats"]) == (status, error, {"stage": "crawl"})
    assert row["finished_at"]
