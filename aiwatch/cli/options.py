"""Click options shared by several commands."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """A float range that also refuses ``nan`` and ``inf`` (click's own range lets ``nan`` through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


SPIDER_HELP = "Run only this spider: feeds, sitemap, urls, gdelt, federal_register (repeatable)."


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The crawl source options of ``aiwatch crawl`` and ``aiwatch update``."""
    options = [
        click.option("--feed", "feeds", multiple=True, metavar="URL",
                     help="RSS or Atom feed to crawl (repeatable)."),
        click.option("--sitemap", "sitemaps", multiple=True, metavar="URL",
                     help="Sitemap, sitemap index or news sitemap (repeatable)."),
        click.option("--url", "urls", multiple=True, metavar="URL", help="Article URL (repeatable)."),
        click.option("--sources", "sources_file", metavar="FILE",
                     help="TOML file of sources (format: crawler/sources.toml)."),
        click.option("--since", metavar="DATE", help="Skip entries published before this date (YYYY-MM-DD)."),
        click.option("--spider", "spiders", multiple=True, metavar="NAME", help=SPIDER_HELP),
    ]
    for option in reversed(options):
        func = option(func)
    return func
