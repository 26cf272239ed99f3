"""``federal_register``: Bureau of Industry and Security documents from the Federal Register API.

Each source's ``url`` is a ``documents.json`` search URL (the default list has the BIS rules query);
``since`` adds ``conditions[publication_date][gte]``. Documents are stored as articles with
``kind='policy_document'``, ``doc_number`` and ``published`` from the API; the text comes from the
document's ``body_html_url``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from aiwatch.crawler.spiders.base import AiwatchSpider
from aiwatch.crawler.spiders.formats import FormatError, parse_federal_register
from scrapy.http import Response

DEFAULT_QUERY = (
    "https://www.federalregister.gov/api/v1/documents.json?conditions[agencies][]=industry-and-security-bureau"
    "&conditions[type][]=RULE&per_page=50&order=newest&fields[]=document_number&fields[]=publication_date"
    "&fields[]=title&fields[]=abstract&fields[]=html_url&fields[]=body_html_url&fields[]=raw_text_url"
    "&fields[]=type"
)
MAX_PAGES = 3


def with_since(url: str, since: str | None) -> str:
    """``url`` with a ``conditions[publication_date][gte]`` filter (replacing any existing one)."""
    if not since:
        return url
    parts = urlsplit(url)
    key = "conditions[publication_date][gte]"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, since))
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


class FederalRegisterSpider(AiwatchSpider):
    name = "federal_register"
    arg_name = "api"
    discovery_label = "Federal Register response"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        sources = self.sources or [{"name": "federal_register", "url": DEFAULT_QUERY}]
        since = self.since.date().isoformat() if self.since else None
        for source in sources:
            yield self.discovery_request(with_since(source["url"], since), source["name"], self.parse_api,
                                         page=1)

    def parse_api(self, response: Response) -> Iterable[scrapy.Request]:
        source = response.meta["source"]
        try:
            page = parse_federal_register(response.body)
        except FormatError as exc:
            self.format_error(response, source, str(exc))
            return
        self.source_ok(source, len(page.entries))
        for entry in page.entries:
            request = self.article_request(
                entry, source, fetch_url=entry.hint("fetch_url"), kind="policy_document",
                doc_number=entry.hint("doc_number"), abstract=entry.hint("abstract"),
            )
            if request is not None:
                yield request
        if page.next_page_url and response.meta.get("page", 1) < MAX_PAGES:
            yield self.discovery_request(page.next_page_url, source, self.parse_api,
                                         page=response.meta.get("page", 1) + 1)
