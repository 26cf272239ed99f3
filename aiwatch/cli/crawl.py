"""``aiwatch crawl``: fetch articles from feeds, sitemaps, URLs and discovery APIs into the database."""

from __future__ import annotations

import click

from aiwatch.cli import AppContext, cli
from aiwatch.cli.options import source_options


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
    from aiwatch.crawler.runtime.run import (  # Scrapy: imported only when crawling (fast CLI start)
        CrawlError,
        run_crawl,
    )
    from aiwatch.crawler.sources import SourcesError

    try:
        stats = run_crawl(app.db_path, app.config, feeds=feeds, sitemaps=sitemaps, urls=urls,
                          sources_file=sources_file, since=since, spiders=spiders or None,
                          redis_url=redis_url)
    except (SourcesError, CrawlError) as exc:
        raise click.ClickException(str(exc)) from None
    if stats.all_failed:
        raise click.ClickException(f"{stats.summary()}; every source failed")
    click.echo(stats.summary())
    if redis_url:
        queued = sum(c.get("queued", 0) for c in stats.sources.values())
        click.echo(f"crawl: {queued} articles queued in Redis for `aiwatch ingest`")
