"""``feeds``: RSS 2.0 and Atom feeds, each entry followed to its article (``-a feed=URL``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import replace

import scrapy
from aiwatch.crawler.spiders.base import AiwatchSpider
from aiwatch.crawler.spiders.formats import FormatError, feed_title, parse_feed
from scrapy.http import Response


class FeedsSpider(AiwatchSpider):
    name = "feeds"
    arg_name = "feed"
    discovery_label = "feed"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            yield self.discovery_request(source["url"], source["name"], self.parse_feed)

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        source = response.meta["source"]
        try:
            entries = parse_feed(response.body)
        except FormatError as exc:
            self.format_error(response, source, str(exc))
            return
        self.source_ok(source, len(entries))
        title = feed_title(response.body)  # the outlet of same-site pages without publisher metadata
        for entry in entries:
            entry = replace(entry, url=response.urljoin(entry.url))  # relative links happen
            request = self.article_request(entry, source, origin=response.url, feed_title=title)
            if request is not None:
                yield request
