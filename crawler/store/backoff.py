"""Failing URLs and hosts remembered across crawls (table ``crawl_backoff``), so one slow or dead source does
not cost every hourly run the same waits.

After a crawl, each URL that failed (timeout, refused or reset connection, DNS failure, HTTP 5xx or 429) and
each host none of whose requests succeeded get a row; the next crawls skip them until ``retry_after``. The
wait is ``base_minutes`` after the first failing crawl and doubles with each failing crawl in a row, up to
:data:`MAX_MINUTES`. A success removes the row. Pure functions over a connection; the Scrapy glue is
:mod:`aiwatch.crawler.middlewares.backoff`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiwatch.db import transaction

MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class Failure:
    """One failing URL or host of a crawl: ``kind`` is ``url`` or ``host``."""

    kind: str
    target: str
    error: str


def wait_minutes(failures: int, base_minutes: float) -> float:
    """Minutes to skip a target after ``failures`` failing crawls in a row.

    >>> [wait_minutes(n, 60) for n in (1, 2, 3, 6)]
    [60.0, 120.0, 240.0, 1440.0]
    """
    return float(min(MAX_MINUTES, base_minutes * 2 ** max(0, failures - 1)))


def active(conn: sqlite3.Connection, now: datetime | None = None) -> dict[tuple[str, str], tuple[int, str]]:
    """``{(kind, target): (failures, retry_after)}`` of the rows still waiting at ``now``."""
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    try:
        rows = conn.execute("SELECT kind, target, failures, retry_after FROM crawl_backoff "
                            "WHERE retry_after > ?", (stamp,)).fetchall()
    except sqlite3.OperationalError:  # a database from before the table (read before migration)
        return {}
    return {(r[0], r[1]): (int(r[2]), str(r[3])) for r in rows}


def targets(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """Every ``(kind, target)`` with a row, waiting or not (a success must clear it either way)."""
    try:
        return {(r[0], r[1]) for r in conn.execute("SELECT kind, target FROM crawl_backoff")}
    except sqlite3.OperationalError:
        return set()


def record(conn: sqlite3.Connection, failures: Iterable[Failure], successes: Iterable[tuple[str, str]],
           base_minutes: float, now: datetime | None = None) -> int:
    """Store this crawl's failures (each one more failing crawl in a row) and clear its successes.

    Returns the number of targets now waiting. Runs in one transaction.
    """
    moment = now or datetime.now(UTC)
    stamp = moment.isoformat(timespec="seconds")
    waiting = 0
    with transaction(conn):
        conn.executemany("DELETE FROM crawl_backoff WHERE kind = ? AND target = ?", list(successes))
        for failure in failures if base_minutes > 0 else ():
            row = conn.execute("SELECT failures FROM crawl_backoff WHERE kind = ? AND target = ?",
                               (failure.kind, failure.target)).fetchone()
            count = (int(row[0]) if row else 0) + 1
            wait = timedelta(minutes=wait_minutes(count, base_minutes))
            retry = (moment + wait).isoformat(timespec="seconds")
            conn.execute(
                "INSERT INTO crawl_backoff (kind, target, failures, last_error, last_failed_at, retry_after) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, target) DO UPDATE SET "
                "failures = excluded.failures, last_error = excluded.last_error, "
                "last_failed_at = excluded.last_failed_at, "
                "retry_after = excluded.retry_after",
                (failure.kind, failure.target, count, failure.error[:300], stamp, retry))
            waiting += 1
    return waiting
