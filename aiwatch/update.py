"""``aiwatch update`` as a library: stages run in sequence under one lock and a time limit, recorded as one
``update`` row in ``runs``.

The stages come in as plain callables (:class:`Stage`): this module is shared ground, which imports no
stage, so the sequence (crawl, extract, graph) is built by the CLI (:mod:`aiwatch.cli.pipeline`), the one
layer that knows every stage. Keeping the lock, signals, time limit and exit mapping here, apart from the
stages, also lets tests drive the whole run with stand-in stages. No click here: refusals are
:class:`UpdateError` with their exit status; how a run ended is :attr:`UpdateResult.exit_status`.

Exit status tells cron what happened:

* 0: every stage ran (some sources or pages may have failed: status ``partial`` in ``runs``);
* 1: a stage failed, every source failed, or the input is bad (database path, settings, options, sources
  file: one line names the bad value; once the database is open the run is recorded as ``failed``);
* 75 (EX_TEMPFAIL): another update holds the lock; nothing was done;
* 124: the time limit was hit; work done so far is kept and the next run resumes;
* 143: stopped by SIGTERM (work done so far is kept; the run is recorded as ``interrupted``).

The ``runs`` row's ``stats`` names the stage in progress (``stage``) while the run goes, so a run killed with
SIGKILL shows where it died; the next update marks such rows ``interrupted`` (it holds the lock, so no other
update can still be running).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiwatch.db import DatabaseOpenError, check_writable, connect
from aiwatch.lock import EX_TEMPFAIL, LockHeldError, RunLock, default_lock_path
from aiwatch.runs import Run, recorded_run, utcnow
from aiwatch.stopping import StopRequest, Terminated, sigterm_raises, time_limit

log = logging.getLogger(__name__)
EX_TIMEOUT = 124
EX_TERMINATED = 143
EXIT_STATUS = {"ok": 0, "partial": 0, "failed": 1, "timeout": EX_TIMEOUT, "interrupted": EX_TERMINATED}

Progress = Callable[[dict[str, Any]], None]


class UpdateError(Exception):
    """The update was refused before it started (bad database path, lock file, lock held)."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_status = exit_status


class LockBusy(UpdateError):
    """Another update holds the lock (exit status 75)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EX_TEMPFAIL)


class StageError(Exception):
    """A stage cannot run; the message is the whole one-line reason (recorded without the type name)."""


@dataclass(frozen=True)
class StageResult:
    """What one stage did: its stats, its one-line summary, and a status for the run (which goes on)."""

    stats: dict[str, Any]
    summary: str
    status: str = "ok"  # "partial" or "failed" (with error) mark the run; the next stages still run
    error: str | None = None


@dataclass(frozen=True)
class Stage:
    """A named step of the update: ``run(conn, progress)`` works on the database and returns its result.

    ``progress(stats)`` publishes the stage's stats so far in the ``runs`` row.
    """

    name: str
    run: Callable[[sqlite3.Connection, Progress], StageResult]


@dataclass
class UpdateResult:
    """How an update ended: ``status`` as recorded in ``runs``, the stats per stage and stage summaries."""

    status: str = "ok"
    stats: dict[str, Any] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def exit_status(self) -> int:
        """0, or 1 (failed), 124 (time limit) or 143 (SIGTERM)."""
        return EXIT_STATUS.get(self.status, 1)

    @property
    def message(self) -> str | None:
        """The one-line error for a non-zero exit status, else None."""
        if self.status in ("timeout", "interrupted"):
            return f"update stopped: {self.error}; the next run resumes"
        return f"update failed: {self.error}" if self.exit_status else None


def check_database_path(db_path: Path) -> None:
    """Refuse a database path the run could not write (:func:`aiwatch.db.check_writable`), before the lock."""
    try:
        check_writable(db_path)
    except DatabaseOpenError as exc:
        raise UpdateError(str(exc)) from None


def close_stale_runs(conn: sqlite3.Connection) -> int:
    """Mark ``update`` rows left ``running`` by a killed process as ``interrupted``; call under the lock."""
    cur = conn.execute(
        "UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?), "
        "error = COALESCE(error, 'process died before the run finished') "
        "WHERE command = 'update' AND status = 'running'", (utcnow(),))
    if cur.rowcount:
        log.warning("marked %d earlier update run(s) that died mid-run as interrupted", cur.rowcount)
    return cur.rowcount


def acquire_lock(lock_path: Path) -> RunLock:
    """Take the update lock at once or raise :class:`UpdateError` (:class:`LockBusy` when it is held)."""
    if not lock_path.parent.is_dir():
        raise UpdateError(f"lock file {lock_path}: directory does not exist")
    try:
        return RunLock(lock_path, "update").acquire()
    except LockHeldError as exc:
        raise LockBusy(str(exc)) from None
    except OSError as exc:
        raise UpdateError(f"lock file {lock_path}: {exc.strerror or exc}") from None


def run_update(db_path: Path, stages: Sequence[Stage], *, lock_path: Path | None = None,
               max_minutes: float | None = None,
               announce: Callable[[str], None] | None = None) -> UpdateResult:
    """Run ``stages`` in order over the database at ``db_path`` under the update lock.

    ``lock_path`` defaults to ``<db>.lock``; ``max_minutes`` stops the run (status ``timeout``). Raises
    :class:`UpdateError` when the run cannot start (nothing recorded); an unusable database raises the
    error of :func:`aiwatch.db.connect`. Anything else is recorded in ``runs`` and returned.
    ``announce(summary)`` is called with each stage's one-line summary as the stage ends.
    """
    check_database_path(db_path)
    lock = acquire_lock(lock_path or default_lock_path(db_path))
    try:
        conn = connect(db_path)
        try:
            close_stale_runs(conn)
            return run_stages(conn, stages, max_minutes=max_minutes, announce=announce)
        finally:
            conn.close()
    finally:
        lock.release()


def run_stages(conn: sqlite3.Connection, stages: Sequence[Stage], *, max_minutes: float | None = None,
               announce: Callable[[str], None] | None = None) -> UpdateResult:
    """Run ``stages`` in order, recorded as one ``update`` row; SIGTERM and the time limit stop the run.

    A stage's error ends the run as ``failed``; a stop wins over whatever error it caused on its way out.
    Only a KeyboardInterrupt propagates (after the row is closed as ``interrupted``).
    """
    result = UpdateResult()
    stop = StopRequest()
    seconds = max_minutes * 60 if max_minutes else None
    with recorded_run(conn, "update") as run:
        result.stats = run.stats
        try:
            with stop.prevails(), sigterm_raises(stop), time_limit(seconds, stop):
                for stage in stages:
                    _run_stage(stage, conn, run, result, announce)
                run.stats.pop("stage", None)
        except (Exception, Terminated) as exc:
            run.end_with(exc, expected=(StageError,))
            log.debug("update stopped", exc_info=True)
    result.status, result.error = run.status, run.error
    return result


def _run_stage(stage: Stage, conn: sqlite3.Connection, run: Run, result: UpdateResult,
               announce: Callable[[str], None] | None = None) -> None:
    """One stage: named in the row while it runs, its stats and summary kept, its status applied."""
    run.stats["stage"] = stage.name
    run.save()

    def progress(stats: dict[str, Any]) -> None:
        run.save({**run.stats, stage.name: stats})

    done = stage.run(conn, progress)
    run.stats[stage.name] = done.stats
    result.summaries.append(done.summary)
    if announce is not None:
        announce(done.summary)
    if done.status == "failed":
        run.fail(done.error or f"{stage.name} failed")
    elif done.status == "partial" and run.status == "ok":
        run.status = "partial"
