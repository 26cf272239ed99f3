"""The item that travels through the per-article pipelines, and the rejection they raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy.exceptions import DropItem


class Rejected(DropItem):
    """A page the pipelines decided not to store; ``reason`` is counted in stats and kept in crawl_seen."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # crosses from page-processing workers intact
        return (type(self), (self.reason, self.detail))


@dataclass
class PageItem:
    """A fetched page and what the pipelines learn about it.

    Spiders fill the first block; the extract, topic and dedupe pipelines fill the rest.
    """

    url: str  # URL as requested (tracking parameters stripped)
    seen_key: str  # canonical form of ``url``, the key checked in ``crawl_seen`` before fetching
    response_url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)
    encoding: str | None = None
    content_type: str | None = None
    source_name: str = ""
    spider: str = ""
    origin: str = ""  # the feed/sitemap/API document that listed the page (fingerprints are kept per origin)
    fingerprint: str | None = None  # feed/sitemap/API entry fingerprint for incremental crawls
    kind: str = "article"  # or 'policy_document'
    doc_number: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # title/published/abstract from the feed or API

    # Filled by the pipelines.
    canonical_link: str | None = None  # the page's absolute rel=canonical target, as written
    article_url: str | None = None  # the readable link stored in articles.url (aiwatch.urls.readable_url)
    url_key: str | None = None  # the dedupe key of article_url (aiwatch.urls.url_key): articles.url_key
    title: str | None = None
    byline: str | None = None
    published: str | None = None  # validated ISO 8601, or None when no valid date exists
    date_source: str | None = None  # where ``published`` came from: markup, feed, sitemap, text or none
    brief: bool = False  # shorter than min_article_words: kept only with brief_min_relevance
    language: str | None = None
    site_name: str | None = None
    outlet: str | None = None  # publisher name for articles.outlet (crawler/page/outlet.py)
    text: str | None = field(default=None, repr=False)
    words: list[str] | None = field(default=None, repr=False)  # text_words(text), from extract to fingerprint
    word_count: int = 0
    topics: list[str] = field(default_factory=list)
    relevance: float = 0.0
    content_hash: str | None = None
    simhash: int | None = None
    body_compressed: bytes | None = field(default=None, repr=False)  # ``body`` compressed for raw_pages
