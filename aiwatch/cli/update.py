"""``aiwatch update``: crawl, extract and graph in one locked, time-limited run for cron.

Exit status tells cron what happened:

* 0: every stage ran (some sources or pages may have failed: status ``partial`` in ``runs``);
* 1: a stage failed, every source failed, or the input is bad (database path, settings, options, sources
  file: one line names the bad value; once the database is open the run is recorded as ``failed``);
* 75 (EX_TEMPFAIL): another update holds the lock; nothing was done;
* 124: the ``--max-minutes`` limit was hit; work done so far is kept and the next run resumes;
* 143: stopped by SIGTERM (work done so far is kept; the run is recorded as ``interrupted``).

The ``runs`` row's ``stats`` names the stage in progress (``stage``) while the run goes, so a run killed with
SIGKILL shows where it died; the next update marks such rows ``interrupted`` (it holds the lock, so no other
update can still be running).
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from aiwatch.cli import AppContext, cli
from aiwatch.cli.options import source_options
from aiwatch.lock import EX_TEMPFAIL, LockHeldError, RunLock, default_lock_path
from aiwatch.runs import finish_run, start_run, update_stats, utcnow

log = logging.getLogger(__name__)
EX_TIMEOUT = 124
EX_TERMINATED = 143


class TimeLimitExceeded(Exception):
    """The run's ``--max-minutes`` limit was reached."""


class Terminated(BaseException):
    """SIGTERM arrived (cron, systemd or an operator stopping the run)."""


class ExitError(click.ClickException):
    """A one-line error with a chosen exit status."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Sources:
    """Crawl source options, as given to ``aiwatch crawl``."""

    feeds: Sequence[str] = ()
    sitemaps: Sequence[str] = ()
    urls: Sequence[str] = ()
    sources_file: str | None = None
    since: str | None = None
    spiders: Sequence[str] | None = None


@dataclass
class UpdateResult:
    status: str = "ok"
    stats: dict[str, Any] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class StopRequest:
    """A stop asked for by a signal (SIGTERM or the time limit), remembered beside the exception raised.

    The handlers raise in the main thread, wherever it is; a library with a bare ``except:`` can swallow that
    exception (spaCy's model lookup does, then reports "can't find model"). The request itself stays here,
    so the run still ends as stopped, not as some other failure.
    """

    error: BaseException | None = None

    def stop(self, error: BaseException) -> None:
        self.error = error
        raise error


@contextmanager
def time_limit(
    seconds: float | None, stop: StopRequest | None = None
) -> Iterator[Callable[[], float | None]]:
    """Raise :class:`TimeLimitExceeded` in the main thread after ``seconds``; yields a "time left" getter."""
    if not seconds:
        yield lambda: None
        return
    deadline = time.monotonic() + seconds
    request = stop or StopRequest()

    def expire(signum: int, frame: object) -> None:
        request.stop(TimeLimitExceeded(f"time limit of {seconds / 60:g} minutes reached"))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield lambda: max(0.0, deadline - time.monotonic())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def sigterm_raises(stop: StopRequest | None = None) -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in the main thread, so the run is closed and recorded."""
    request = stop or StopRequest()

    def terminate(signum: int, frame: object) -> None:
        request.stop(Terminated("terminated by SIGTERM"))

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def check_database_path(db_path: Path) -> None:
    """Refuse a database path the run could not write, with one line naming it (before taking the lock).

    A file without any write permission bit counts as read-only even for root, who could write it anyway:
    the operator marked it so on purpose (a backup, a published copy).
    """
    parent = db_path.parent if str(db_path.parent) else Path(".")
    if not parent.is_dir():
        raise click.ClickException(f"database {db_path}: directory {parent} does not exist")
    if db_path.is_dir():
        raise click.ClickException(f"database {db_path}: is a directory")
    if db_path.exists():
        mode = db_path.stat().st_mode
        if not os.access(db_path, os.R_OK):
            raise click.ClickException(f"database {db_path}: file is not readable")
        if not os.access(db_path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise click.ClickException(f"database {db_path}: file is read-only")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise click.ClickException(f"database {db_path}: directory {parent} is not writable "
                                   "(SQLite needs it for the WAL and lock files)")


def close_stale_runs(conn: sqlite3.Connection) -> int:
    """Mark ``update`` rows left ``running`` by a killed process as ``interrupted``; call under the lock."""
    cur = conn.execute(
        "UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?), "
        "error = COALESCE(error, 'process died before the run finished') "
        "WHERE command = 'update' AND status = 'running'", (utcnow(),))
    if cur.rowcount:
        log.warning("marked %d earlier update run(s) that died mid-run as interrupted", cur.rowcount)
    return cur.rowcount


def crawl_stop_reasons(spiders: dict[str, str], config: Any) -> str:
    """Why spiders closed before finishing, in words ('' when all finished).

    >>> crawl_stop_reasons({"feeds": "memusage_exceeded", "urls": "finished"}, {"crawl_memory_mb": 20})
    'feeds: memory limit crawl_memory_mb = 20 MB exceeded'
    """
    limit = config["crawl_memory_mb"] if isinstance(config, dict) else config.crawl_memory_mb
    words = {"memusage_exceeded": f"memory limit crawl_memory_mb = {limit} MB exceeded",
             "closespider_pagecount": "max_pages reached",
             "closespider_errorcount": "close_on_errors reached"}
    return "; ".join(f"{name}: {words.get(reason, reason)}" for name, reason in sorted(spiders.items())
                     if reason not in ("finished", "unknown"))


def run_pipeline(app: AppContext, sources: Sources, *, max_minutes: float | None = None,
                 progress: bool = False) -> UpdateResult:
    """Crawl, extract and graph into ``app``'s database, recording one ``update`` row in ``runs``."""
    from aiwatch.crawler.runtime.run import CrawlError, run_crawl
    from aiwatch.crawler.sources import SourcesError
    from aiwatch.extract.runner import run_extract
    from aiwatch.graph.pipeline import update_graph

    conn = app.db()
    config = app.config
    close_stale_runs(conn)
    run_id = start_run(conn, "update")
    result = UpdateResult()

    def stage(name: str) -> None:
        result.stats["stage"] = name
        update_stats(conn, run_id, result.stats)

    stop = StopRequest()
    try:
        with sigterm_raises(stop), time_limit(max_minutes * 60 if max_minutes else None, stop):
            stage("crawl")
            try:
                # No crawl timeout of its own: the run's alarm interrupts the wait and the child is killed.
                crawl = run_crawl(app.db_path, config, feeds=sources.feeds, sitemaps=sources.sitemaps,
                                  urls=sources.urls, sources_file=sources.sources_file, since=sources.since,
                                  spiders=sources.spiders, record_run=False)
            except (SourcesError, CrawlError) as exc:
                raise click.ClickException(str(exc)) from None
            result.stats["crawl"] = crawl.to_dict()
            result.summaries.append(crawl.summary())
            stopped = crawl_stop_reasons(crawl.spiders, config)
            if stopped:
                log.warning("crawl stopped early: %s", stopped)
            if crawl.all_failed:
                result.status = "failed"
                result.error = "every source failed"
                if stopped:
                    result.error += f" (crawl stopped early: {stopped})"
            elif crawl.status == "partial":
                result.status = "partial"

            stage("extract")
            extracted = run_extract(
                conn, model=config.spacy_model, workers=config.extract_workers,
                batch_size=config.extract_batch_size, min_confidence=config.claim_min_confidence,
                progress=progress,
                on_progress=lambda s: update_stats(conn, run_id, {**result.stats, "extract": s.as_dict()}),
            )
            result.stats["extract"] = extracted.as_dict()
            result.summaries.append(extracted.summary())

            stage("graph")
            built = update_graph(conn, betweenness_k=config.graph_betweenness_k, seed=config.graph_seed)
            result.stats["graph"] = built.as_dict()
            result.summaries.append(built.summary())
            result.stats.pop("stage", None)
    except (TimeLimitExceeded, Terminated):
        pass  # recorded in ``stop``
    except click.ClickException as exc:
        result.status, result.error = "failed", exc.format_message()
    except KeyboardInterrupt:
        finish_run(conn, run_id, "interrupted", result.stats, "interrupted")
        raise
    except Exception as exc:
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
        log.debug("update failed", exc_info=True)
    if stop.error is not None:  # a signal's stop wins over whatever error it caused on its way out
        result.status = "timeout" if isinstance(stop.error, TimeLimitExceeded) else "interrupted"
        result.error = str(stop.error)
    finish_run(conn, run_id, result.status, result.stats, result.error)
    return result


def locked_pipeline(app: AppContext, sources: Sources, max_minutes: float | None) -> UpdateResult:
    """:func:`run_pipeline` under the update lock; a held lock exits at once with status 75."""
    check_database_path(app.db_path)
    lock_path = Path(app.config.lock_file) if app.config.lock_file else default_lock_path(app.db_path)
    if not lock_path.parent.is_dir():
        raise click.ClickException(f"lock file {lock_path}: directory does not exist")
    try:
        lock = RunLock(lock_path, "update").acquire()
    except LockHeldError as exc:
        raise ExitError(str(exc), EX_TEMPFAIL) from None
    except OSError as exc:
        raise click.ClickException(f"lock file {lock_path}: {exc.strerror or exc}") from None
    try:
        return run_pipeline(app, sources, max_minutes=max_minutes,
                            progress=app.verbosity >= 0 and sys.stderr.isatty())
    finally:
        lock.release()


def report(result: UpdateResult, verbosity: int) -> None:
    """Print the stage summaries and turn a bad status into the matching exit code."""
    if verbosity >= 0:
        for line in result.summaries:
            click.echo(line)
    if result.status == "timeout":
        raise ExitError(f"update stopped: {result.error}; the next run resumes", EX_TIMEOUT)
    if result.status == "interrupted":
        raise ExitError(f"update stopped: {result.error}; the next run resumes", EX_TERMINATED)
    if result.status == "failed":
        raise ExitError(f"update failed: {result.error}", 1)


@cli.command()
@source_options
@click.option("--max-minutes", metavar="MINUTES", default=None,
              help="Stop the whole run after this many minutes (default: setting update_max_minutes).")
@click.pass_obj
def update(app: AppContext, feeds: tuple[str, ...], sitemaps: tuple[str, ...], urls: tuple[str, ...],
           sources_file: str | None, since: str | None, spiders: tuple[str, ...],
           max_minutes: str | None) -> None:
    """Crawl, extract and graph in one locked run (for cron); a concurrent second run exits with 75."""
    sources = Sources(feeds, sitemaps, urls, sources_file, since, spiders or None)
    if max_minutes is not None:
        limit = parse_minutes(max_minutes, "--max-minutes")
    else:
        limit = parse_minutes(app.config.update_max_minutes, "setting update_max_minutes", zero_ok=True)
    report(locked_pipeline(app, sources, limit or None), app.verbosity)


def parse_minutes(value: object, origin: str, zero_ok: bool = False) -> float:
    """A time limit in minutes from an option or setting; one-line :class:`click.ClickException` if bad.

    >>> parse_minutes("1.5", "--max-minutes")
    1.5
    >>> parse_minutes("abc", "--max-minutes")
    Traceback (most recent call last):
    click.exceptions.ClickException: --max-minutes: expected a positive number of minutes, got 'abc'
    """
    try:
        minutes = float(str(value).strip())
    except ValueError:
        minutes = float("nan")
    if not (minutes > 0 or (zero_ok and minutes == 0)) or minutes == float("inf"):
        raise click.ClickException(f"{origin}: expected a positive number of minutes, got {value!r}")
    return minutes
