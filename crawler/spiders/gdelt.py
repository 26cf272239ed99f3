"""``gdelt``: article discovery through the GDELT DOC 2.0 API (``mode=ArtList&format=json``).

Each source's ``url`` is the API endpoint (``https://api.gdeltproject.org/api/v2/doc/doc``; tests serve a
canned response on 127.0.0.1); its ``queries`` (default: the ``gdelt_queries`` setting) are each one API
call. Discovered article URLs are ordinary untrusted links.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from urllib.parse import urlencode

import scrapy
from aiwatch.crawler.spiders.base import AiwatchSpider
from aiwatch.crawler.spiders.formats import FormatError, parse_gdelt
from scrapy.http import Response

DEFAULT_ENDPOINT = "https://api.gdeltproject.org/api/v2/doc/doc"
MAX_RECORDS = 75


def gdelt_query_url(endpoint: str, query: str, timespan: str, max_records: int = MAX_RECORDS) -> str:
    """The ArtList JSON request URL for one query."""
    params = {"query": query, "mode": "ArtList", "format": "json", "maxrecords": str(max_records),
              "timespan": timespan, "sort": "DateDesc"}
    return f"{endpoint}?{urlencode(params)}"


class GdeltSpider(AiwatchSpider):
    name = "gdelt"
    arg_name = "api"
    discovery_label = "GDELT response"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        sources = self.sources or [{"name": "gdelt", "url": DEFAULT_ENDPOINT}]
        default_queries = self.settings.getlist("AIWATCH_GDELT_QUERIES")
        timespan = self.settings.get("AIWATCH_GDELT_TIMESPAN")
        for source in sources:
            for query in source.get("queries") or default_queries:
                url = gdelt_query_url(source["url"], query, source.get("timespan") or timespan)
                yield self.discovery_request(url, source["name"], self.parse_api)

    def parse_api(self, response: Response) -> Iterable[scrapy.Request]:
        source = response.meta["source"]
        try:
            entries = parse_gdelt(response.body)
        except FormatError as exc:
            self.format_error(response, source, str(exc))
            return
        self.source_ok(source, len(entries))
        for entry in entries:
            request = self.article_request(entry, source, language=entry.hint("language"))
            if request is not None:
                yield request
