"""``aiwatch extract``: run the extraction stage (a thin wrapper over
:func:`aiwatch.extract.runner.run_extract`)."""

from __future__ import annotations

import sys

import click

from aiwatch.cli import AppContext, cli
from aiwatch.runs import finish_run, start_run, update_stats


@cli.command()
@click.option("--rebuild", is_flag=True, help="Reprocess every article, not only new or changed ones.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="spaCy processes (default: setting extract_workers).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Articles per nlp.pipe batch (default: setting extract_batch_size).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Process at most this many articles.")
@click.pass_obj
def extract(
    app: AppContext, rebuild: bool, workers: int | None, batch_size: int | None, limit: int | None
) -> None:
    """Find entities, mentions and attributed claims in articles not yet processed by this version."""
    from aiwatch.extract.kb import KBError
    from aiwatch.extract.pipeline import ModelError
    from aiwatch.extract.runner import run_extract
    from aiwatch.extract.workers import ExtractWorkerError

    conn = app.db()
    run_id = start_run(conn, "extract --rebuild" if rebuild else "extract")
    try:
        stats = run_extract(
            conn,
            model=app.config.spacy_model,
            rebuild=rebuild,
            workers=workers or app.config.extract_workers,
            batch_size=batch_size or app.config.extract_batch_size,
            limit=limit,
            min_confidence=app.config.claim_min_confidence,
            progress=app.verbosity >= 0 and sys.stderr.isatty(),
            on_progress=lambda s: update_stats(conn, run_id, s.as_dict()),
        )
    except (KBError, ModelError, ExtractWorkerError) as exc:
        finish_run(conn, run_id, "failed", {}, str(exc))
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        finish_run(conn, run_id, "interrupted", {}, "interrupted")
        raise
    except Exception as exc:
        finish_run(conn, run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
        raise
    finish_run(conn, run_id, "partial" if stats.errors else "ok", stats.as_dict())
    if app.verbosity >= 0:
        click.echo(stats.summary(), err=True)
    if stats.errors:
        raise click.ClickException(f"extract: {stats.errors} articles could not be saved (see the log)")
