"""The ``runs`` table: one row per CLI run, with stats per stage and the error, if any.

Every command records its run with :func:`recorded_run`. Statuses: ``running`` while the body runs, then
``ok`` or ``partial`` (the body says so), ``failed`` (the body says so, or an exception: ``error`` is its
one-line message), ``timeout`` (:class:`~aiwatch.stopping.TimeLimitExceeded`) or ``interrupted``
(KeyboardInterrupt, :class:`~aiwatch.stopping.Terminated`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiwatch.stopping import Terminated, TimeLimitExceeded


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
    """Close a run with its final status (``ok``, ``partial``, ``failed``, ``timeout``, ``interrupted``)."""
    conn.execute(
        "UPDATE runs SET finished_at = ?, status = ?, stats = ?, error = ? WHERE id = ?",
        (utcnow(), status, json.dumps(stats, sort_keys=True, default=str), error, run_id),
    )


@dataclass
class Run:
    """A run being recorded: the body of :func:`recorded_run` sets what its row ends with."""

    conn: sqlite3.Connection
    id: int
    stats: dict[str, Any] = field(default_factory=dict)  # the final stats (also kept if the body raises)
    status: str = "ok"  # the body may set "partial", or call fail()
    error: str | None = None

    def fail(self, error: str) -> None:
        """End as ``failed`` with this one-line error (the body may go on)."""
        self.status, self.error = "failed", error

    def save(self, stats: dict[str, Any] | None = None) -> None:
        """Write in-flight stats now (``stats``, or the run's own) so a killed run shows how far it got."""
        update_stats(self.conn, self.id, self.stats if stats is None else stats)

    def end_with(self, exc: BaseException, expected: tuple[type[BaseException], ...] = ()) -> None:
        """End as the exception says: ``interrupted`` (KeyboardInterrupt: error ``interrupted``; SIGTERM),
        ``timeout``, or ``failed`` with :func:`error_line`."""
        if isinstance(exc, KeyboardInterrupt):
            self.status, self.error = "interrupted", "interrupted"
        elif isinstance(exc, Terminated):
            self.status, self.error = "interrupted", str(exc)
        elif isinstance(exc, TimeLimitExceeded):
            self.status, self.error = "timeout", str(exc)
        else:
            self.fail(error_line(exc, expected))


def error_line(exc: BaseException, expected: tuple[type[BaseException], ...] = ()) -> str:
    """The ``runs.error`` for a run ended by ``exc``: the message alone for an ``expected`` error (already a
    complete explanation), else the exception type and message.

    >>> error_line(ValueError("bad"))
    'ValueError: bad'
    >>> error_line(ValueError("bad"), expected=(ValueError,))
    'bad'
    """
    return str(exc) if isinstance(exc, expected) else f"{type(exc).__name__}: {exc}"


@contextmanager
def recorded_run(
    conn: sqlite3.Connection, command: str, *, expected: tuple[type[BaseException], ...] = ()
) -> Iterator[Run]:
    """Record the block as one ``runs`` row for ``command``; exceptions are recorded, then re-raised.

    The row is inserted as ``running``; when the block ends it gets the body's ``stats`` and ``status``
    (``ok`` unless the body set ``partial`` or called :meth:`Run.fail`), or, when the block raises, the
    status :meth:`Run.end_with` gives the exception.
    """
    run = Run(conn, start_run(conn, command))
    try:
        yield run
    except BaseException as exc:
        run.end_with(exc, expected)
        raise
    finally:
        finish_run(conn, run.id, run.status, run.stats, run.error)
