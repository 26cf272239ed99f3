"""The ``runs`` table: one row per CLI run, with stats per stage and the error, if any."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any


def utcnow() -> str:
    """Current UTC time as ISO 8601 with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def start_run(conn: sqlite3.Connection, command: str) -> int:
    """Insert a ``running`` row for ``command`` and return its id."""
    cur = conn.execute(
        "INSERT INTO runs (command, started_at, status, stats) VALUES (?, ?, 'running', '{}')",
        (command, utcnow()),
    )
    return int(cur.lastrowid)


def update_stats(conn: sqlite3.Connection, run_id: int, stats: dict[str, Any]) -> None:
    """Replace the stats of a run that is still going (so a killed run shows how far it got)."""
    conn.execute("UPDATE runs SET stats = ? WHERE id = ?", (json.dumps(stats, sort_keys=True), run_id))


def finish_run(
    conn: sqlite3.Connection, run_id: int, status: str, stats: dict[str, Any], error: str | None = None
) -> None:
    """Close a run with its final status (``ok``, ``partial``, ``failed``, ``interrupted``)."""
    conn.execute(
        "UPDATE runs SET finished_at = ?, status = ?, stats = ?, error = ? WHERE id = ?",
        (utcnow(), status, json.dumps(stats, sort_keys=True, default=str), error, run_id),
    )
