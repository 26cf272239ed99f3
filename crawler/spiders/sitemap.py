"""``sitemap``: sitemaps, sitemap indexes and Google News sitemaps (``-a sitemap=URL``).

With ``since``, child sitemaps and pages whose ``lastmod``/``news:publication_date`` is older are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import replace

import scrapy
from aiwatch.crawler.spiders.base import AiwatchSpider
from aiwatch.crawler.spiders.formats import FormatError, is_before, parse_sitemap
from scrapy.http import Response

MAX_INDEX_DEPTH = 3


class SitemapSpider(AiwatchSpider):
    name = "sitemap"
    arg_name = "sitemap"
    discovery_label = "sitemap"
    date_source = "sitemap"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            yield self.discovery_request(source["url"], source["name"], self.parse_sitemap, depth=0)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        source = response.meta["source"]
        depth = response.meta.get("depth", 0)
        try:
            sitemap = parse_sitemap(response.body)
        except FormatError as exc:
            self.format_error(response, source, str(exc))
            return
        self.source_ok(source, len(sitemap.entries))
        if sitemap.kind == "index":
            if depth >= MAX_INDEX_DEPTH:
                self.logger.warning("sitemap %s: index nested deeper than %d, not followed", response.url,
                                    MAX_INDEX_DEPTH)
                return
            for entry in sitemap.entries:
                if is_before(entry.modified or entry.published, self.since):
                    self.inc("skipped_since")
                    continue
                yield self.discovery_request(response.urljoin(entry.url), source, self.parse_sitemap,
                                             depth=depth + 1)
            return
        for entry in sitemap.entries:
            entry = replace(entry, url=response.urljoin(entry.url))  # relative links happen
            request = self.article_request(entry, source, origin=response.url)
            if request is not None:
                yield request
