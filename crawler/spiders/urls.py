"""``urls``: explicit article URLs (``-a url=URL[,URL...]``); each URL is its own source."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import scrapy
from aiwatch.crawler.items import PageItem
from aiwatch.crawler.spiders.base import AiwatchSpider
from aiwatch.crawler.spiders.formats import Entry
from scrapy.http import Response
from twisted.python.failure import Failure


class UrlsSpider(AiwatchSpider):
    name = "urls"
    arg_name = "url"
    discovery_label = "url"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            request = self.article_request(Entry(url=source["url"]), source["name"])
            if request is None:
                self.source_ok(source["name"])  # already decided: nothing to do is a success
            else:
                yield request

    def parse_article(self, response: Response) -> Iterable[PageItem]:
        self.source_ok(response.meta["source"], 1)
        yield from super().parse_article(response)

    def on_article_error(self, failure: Failure) -> None:
        super().on_article_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        self.inc(f"source/{request.meta['source']}/failed")
