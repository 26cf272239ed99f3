"""``aiwatch update``: the click face of :func:`aiwatch.update.run_update` (crawl, extract and graph in one
locked, time-limited run for cron; exit statuses are listed there).

The stages are built by :func:`aiwatch.cli.pipeline.update_database`; this module parses the time limit,
prints the stage summaries and turns a refusal or a bad ending into ``Error: ...`` with its exit status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from aiwatch import update as library
from aiwatch.cli import AppContext, cli
from aiwatch.cli.options import source_options
from aiwatch.cli.pipeline import Sources, update_database
from aiwatch.cli.progress import show_progress
from aiwatch.config import MINUTES_A_WEEK
from aiwatch.update import UpdateResult


class ExitError(click.ClickException):
    """A one-line error with a chosen exit status."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@contextmanager
def exit_errors() -> Iterator[None]:
    """Turn :class:`aiwatch.update.UpdateError` into :class:`ExitError` with the same exit status."""
    try:
        yield
    except library.UpdateError as exc:
        raise ExitError(str(exc), exc.exit_status) from None


def update_app(app: AppContext, sources: Sources, max_minutes: float | None) -> UpdateResult:
    """The update over ``app``'s database with its settings; a refused run raises :class:`ExitError`.

    Each stage's summary is printed as the stage ends (unless ``-q``); on a terminal each stage also shows
    live progress (:mod:`aiwatch.cli.progress`).
    """
    with exit_errors():
        return update_database(app.db_path, app.config, sources, max_minutes=max_minutes,
                               progress=show_progress(app.verbosity),
                               announce=click.echo if app.verbosity >= 0 else None)


def report(result: UpdateResult, verbosity: int) -> None:
    """Turn a bad status into the matching exit code (the summaries were printed as the stages ended)."""
    if result.exit_status:
        raise ExitError(result.message or f"update {result.status}", result.exit_status)


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
    report(update_app(app, sources, limit or None), app.verbosity)


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
    if minutes > MINUTES_A_WEEK:
        raise click.ClickException(f"{origin}: at most {MINUTES_A_WEEK} minutes (a week), got {value!r}")
    return minutes
