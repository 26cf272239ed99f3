"""``aiwatch ingest``: the single SQLite writer of a distributed crawl (thin wrapper over
:func:`aiwatch.crawler.distributed.frontier.ingest`)."""

from __future__ import annotations

import click

from aiwatch.cli import AppContext, cli
from aiwatch.runs import finish_run, start_run, update_stats


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="Redis of the distributed crawl (the URL given to `aiwatch crawl --redis`).")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Stop once no item has arrived for this many seconds (default: run until interrupted).")
@click.pass_obj
def ingest(app: AppContext, redis_url: str, idle_exit: float | None) -> None:
    """Store the articles that `aiwatch crawl --redis URL` processes put in Redis.

    Run exactly one per database: it is the only process writing crawl results to SQLite. Items are
    removed from Redis only once stored, so it is safe to stop and restart at any moment.
    """
    from aiwatch.crawler.distributed.frontier import DistributedError, IngestStats
    from aiwatch.crawler.distributed.frontier import ingest as run_ingest

    conn = app.db()
    run_id = start_run(conn, "ingest")
    stats = IngestStats()

    def progress(current: IngestStats) -> None:
        update_stats(conn, run_id, current.to_dict())

    try:
        stats = run_ingest(app.db_path, redis_url, idle_exit=idle_exit,
                           near_duplicate_distance=app.config.near_duplicate_distance, on_progress=progress)
    except DistributedError as exc:
        finish_run(conn, run_id, "failed", stats.to_dict(), str(exc))
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        finish_run(conn, run_id, "interrupted", stats.to_dict(), "interrupted")
        raise
    except Exception as exc:
        finish_run(conn, run_id, "failed", stats.to_dict(), f"{type(exc).__name__}: {exc}")
        raise
    finish_run(conn, run_id, "partial" if stats.invalid else "ok", stats.to_dict())
    click.echo(stats.summary())
