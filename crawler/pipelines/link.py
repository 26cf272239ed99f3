"""Pipeline step 4 (in the crawl process): the page's own ``rel=canonical`` as its link, once it answers.

The prepare step stores a page under the address it was fetched from (after redirects, tracking parameters
removed). When the page names another address of the same site as canonical (an AMP copy naming the
article, ``/story`` naming ``/story/``), that address is what readers should get, and what dedupes the
variants, but only if it opens: it is fetched once (through the downloader middlewares: robots.txt, the
address guard, redirects, retries) and used when it answers 200, at its final address. Addresses already
known to answer (an article stored under it, a page fetched in this crawl) need no request. When the
canonical article is itself listed in this crawl (by any crawler of a shared frontier), it is not fetched
twice: the page takes the canonical's key, so the two are one row, and keeps its own fetched address until
the canonical's own fetch gives the row its address (:func:`aiwatch.crawler.store.articles.store_article`).
A canonical that points a story at its site's front page is ignored
(:func:`aiwatch.urls.canonical_candidate`).

Stats: ``aiwatch/canonical/checked`` (requests sent), ``canonical/used``, ``canonical/refused``,
``canonical/deferred``.
"""

from __future__ import annotations

import logging

import scrapy
from aiwatch.crawler.items import PageItem
from aiwatch.crawler.pipelines.fingerprint import set_address
from scrapy.crawler import Crawler

from aiwatch.urls import canonical_candidate, readable_url, url_key

logger = logging.getLogger(__name__)
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class CanonicalLinkPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # readable address -> where it answers 200 (None: it does not)
        self.answers: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalLinkPipeline:
        return cls(crawler)

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"aiwatch/canonical/{key}")

    async def process_item(self, item: PageItem) -> PageItem:
        if item.status == 200 and item.article_url:
            self.answers.setdefault(item.article_url, item.article_url)
        if item.kind == "policy_document":
            return item
        candidate = canonical_candidate(item.response_url, item.canonical_link)
        if candidate is None:
            return item
        key = url_key(candidate)
        will_fetch = getattr(self.crawler.spider, "will_fetch", None)
        listed = key != item.seen_key and will_fetch is not None and will_fetch(key)
        if candidate not in self.answers and listed:
            item.url_key = key  # one row with the canonical article, which brings its own address
            self._inc("deferred")
            return item
        target = await self.resolve(candidate)
        if target is None:
            self._inc("refused")
            logger.info("page %s: rel=canonical %s does not answer; kept the fetched address",
                        item.response_url, candidate)
            return item
        set_address(item, target)
        self._inc("used")
        return item

    def _stored(self, url: str) -> bool:
        db = getattr(self.crawler.spider, "db", None)
        if db is None:
            return False
        return db.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None

    async def resolve(self, url: str) -> str | None:
        """Where ``url`` answers 200 with an HTML page (its final address, readable), or None."""
        if url in self.answers:
            return self.answers[url]
        if self._stored(url):
            self.answers[url] = url
            return url
        self._inc("checked")
        target: str | None = None
        try:
            response = await self.crawler.engine.download_async(
                scrapy.Request(url, dont_filter=True, meta={"aiwatch_canonical_check": True}))
        except Exception as exc:  # refused by robots.txt or the address guard, timed out, unreachable
            logger.debug("rel=canonical %s: %s", url, exc)
        else:
            ctype = response.headers.get(b"Content-Type", b"text/html").split(b";")[0].strip().lower()
            if response.status == 200 and ctype in HTML_TYPES:
                target = readable_url(response.url)
        self.answers[url] = target
        return target
