"""``aiwatch crawl``: fetch articles from feeds, sitemaps, URLs and discovery APIs into the database."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from aiwatch.cli import AppContext, cli, user_errors
from aiwatch.cli.options import source_options
from aiwatch.cli.progress import crawl_bar, show_progress
from aiwatch.config import Config
from aiwatch.db import check_writable, connect
from aiwatch.runs import recorded_run

if TYPE_CHECKING:
    from aiwatch.crawler.runtime.stats import CrawlStats


def recorded_crawl(db_path: str | os.PathLike[str], config: Config, **options: Any) -> CrawlStats:
    """:func:`aiwatch.crawler.runtime.run.run_crawl` recorded as one ``crawl`` row in ``runs``.

    Bad sources or options raise before anything is recorded; the row's status is the crawl's (``ok``,
    ``partial``, or ``failed`` when every source failed).
    """
    from aiwatch.crawler.runtime.run import (  # Scrapy: imported only when crawling (fast CLI start)
        CrawlError,
        prepare_crawl,
        run_prepared,
    )

    on_progress = options.pop("on_progress", None)
    crawl = prepare_crawl(config, **options)
    check_writable(db_path)
    conn = connect(db_path)
    try:
        with recorded_run(conn, "crawl", expected=(CrawlError,)) as run:
            stats = run_prepared(db_path, config, crawl, on_progress=on_progress)
            run.stats, run.status = stats.to_dict(), stats.status
    finally:
        conn.close()
    return stats


@cli.command()
@source_options
@click.option("--redis", "redis_url", metavar="URL",
              help="Join a distributed crawl: shared frontier in Redis, items to `aiwatch ingest`.")
@click.pass_obj
def crawl(app: AppContext, feeds: tuple[str, ...], sitemaps: tuple[str, ...], urls: tuple[str, ...],
          sources_file: str | None, since: str | None, spiders: tuple[str, ...],
          redis_url: str | None) -> None:
    """Crawl sources into the database; with no source options, the configured default sources.

    URLs given here or in the sources file are trusted (loopback included); links and redirects found
    while crawling must not lead to private addresses. Exit status is non-zero only when every source
    failed.
    """
    from aiwatch.crawler.runtime.run import CrawlError, progress_counts
    from aiwatch.crawler.sources import SourcesError

    with user_errors(SourcesError, CrawlError), crawl_bar(show_progress(app.verbosity)) as on_progress:
        stats = recorded_crawl(app.db_path, app.config, feeds=feeds, sitemaps=sitemaps, urls=urls,
                               sources_file=sources_file, since=since, spiders=spiders or None,
                               redis_url=redis_url, on_progress=on_progress)
        if on_progress is not None:
            on_progress(progress_counts(stats))
    if stats.all_failed:
        raise click.ClickException(f"{stats.summary()}; every source failed")
    click.echo(stats.summary())
    if redis_url:
        queued = sum(c.get("queued", 0) for c in stats.sources.values())
        click.echo(f"crawl: {queued} articles queued in Redis for `aiwatch ingest`")
