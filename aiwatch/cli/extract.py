"""``aiwatch extract``: run the extraction stage (a thin wrapper over
:func:`aiwatch.extract.runner.run_extract`)."""

from __future__ import annotations

import sys

import click

from aiwatch.cli import AppContext, cli, user_errors
from aiwatch.config import SETTINGS_BY_NAME
from aiwatch.runs import recorded_run


@cli.command()
@click.option("--rebuild", is_flag=True, help="Reprocess every article, not only new or changed ones.")
@click.option(
    "--workers",
    type=click.IntRange(1, int(SETTINGS_BY_NAME["extract_workers"].maximum)),
    default=None,
    help="spaCy processes (default: setting extract_workers).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, int(SETTINGS_BY_NAME["extract_batch_size"].maximum)),
    default=None,
    help="Articles per nlp.pipe batch (default: setting extract_batch_size).",
)
@click.option("--limit", type=click.IntRange(1, 10**12), default=None,
              help="Process at most this many articles.")
@click.pass_obj
def extract(
    app: AppContext, rebuild: bool, workers: int | None, batch_size: int | None, limit: int | None
) -> None:
    """Find entities, mentions and attributed claims in articles not yet processed by this version."""
    from aiwatch.extract.kb import KBError
    from aiwatch.extract.pipeline import ModelError
    from aiwatch.extract.runner import run_extract
    from aiwatch.extract.workers import ExtractWorkerError

    conn = app.writable_db()
    command = "extract --rebuild" if rebuild else "extract"
    errors = (KBError, ModelError, ExtractWorkerError)
    with user_errors(*errors), recorded_run(conn, command, expected=errors) as run:
        stats = run_extract(
            conn,
            model=app.config.spacy_model,
            rebuild=rebuild,
            workers=workers or app.config.extract_workers,
            batch_size=batch_size or app.config.extract_batch_size,
            limit=limit,
            min_confidence=app.config.claim_min_confidence,
            progress=app.verbosity >= 0 and sys.stderr.isatty(),
            on_progress=lambda s: run.save(s.as_dict()),
        )
        run.stats = stats.as_dict()
        if stats.errors:
            run.status = "partial"
    if app.verbosity >= 0:
        click.echo(stats.summary(), err=True)
    if stats.errors:
        raise click.ClickException(f"extract: {stats.errors} articles could not be saved (see the log)")
