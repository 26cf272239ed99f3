"""``aiwatch ingest``: the single SQLite writer of a distributed crawl (thin wrapper over
:func:`aiwatch.crawler.distributed.frontier.ingest`)."""

from __future__ import annotations

import click

from aiwatch.cli import AppContext, cli, user_errors
from aiwatch.cli.options import FiniteFloatRange
from aiwatch.runs import recorded_run


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="Redis of the distributed crawl (the URL given to `aiwatch crawl --redis`).")
@click.option("--idle-exit", type=FiniteFloatRange(0, 7 * 86400), default=None, metavar="SECONDS",
              help="Stop once no item has arrived for this many seconds (default: run until interrupted).")
@click.pass_obj
def ingest(app: AppContext, redis_url: str, idle_exit: float | None) -> None:
    """Store the articles that `aiwatch crawl --redis URL` processes put in Redis.

    Run exactly one per database: it is the only process writing crawl results to SQLite. Items are
    removed from Redis only once stored, so it is safe to stop and restart at any moment.
    """
    from aiwatch.crawler.distributed.frontier import DistributedError, IngestStats
    from aiwatch.crawler.distributed.frontier import ingest as run_ingest

    conn = app.writable_db()
    with user_errors(DistributedError), recorded_run(conn, "ingest", expected=(DistributedError,)) as run:
        run.stats = IngestStats().to_dict()
        stats = run_ingest(app.db_path, redis_url, idle_exit=idle_exit,
                           near_duplicate_distance=app.config.near_duplicate_distance,
                           on_progress=lambda current: run.save(current.to_dict()))
        run.stats = stats.to_dict()
        if stats.invalid:
            run.status = "partial"
    click.echo(stats.summary())
