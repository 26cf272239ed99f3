"""What every aiwatch spider shares: its sources, the incremental check, article requests, error counting.

Subclasses only turn a downloaded discovery document into :class:`~aiwatch.crawler.spiders.formats.Entry`
objects (pure parsers in :mod:`aiwatch.crawler.spiders.formats`) and call
:meth:`AiwatchSpider.article_request`.

Stats keys (all ``aiwatch/...``): ``skipped_seen``, ``skipped_since``, ``errors/<kind>``,
``ignored/<kind>``, ``source/<name>/ok|failed|entries``, plus the pipelines' ``stored/*``, ``dropped/*``,
``duplicates``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from aiwatch.crawler.items import PageItem
from aiwatch.crawler.spiders.formats import Entry, is_before, parse_since
from aiwatch.crawler.store.articles import should_fetch
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from aiwatch.db import connect
from aiwatch.urls import strip_tracking, url_key

log = logging.getLogger(__name__)


def origin_of(url: str) -> str:
    """``scheme://host:port`` of ``url`` (explicit default port), the unit of trust for the address guard."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def error_kind(failure: Failure) -> str:
    """Short stats key for a failed request: ``http_404``, ``timeout``, ``dns``, ``too_large``..."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    name = type(exc).__name__
    text = str(exc).lower()
    if "maxsize" in text or "max size" in text or "larger than" in text:
        return "too_large"
    if "timeout" in name.lower() or "timed out" in text:
        return "timeout"
    if "dns" in name.lower():
        return "dns"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("_error", "") or "error"


class AiwatchSpider(scrapy.Spider):
    """Base spider: ``sources`` is a list of ``{"name", "url", ...}`` dicts (from
    :mod:`aiwatch.crawler.sources`).

    From the ``scrapy crawl`` command line, ``-a <arg_name>=URL[,URL...]`` gives the sources instead, and
    ``-a since=YYYY-MM-DD`` the date filter.
    """

    arg_name = "url"
    date_source = "feed"  # what a date in an entry is (articles.date_source): a feed or API entry here
    discovery_label = "source"  # how log lines name the discovery document ("feed", "sitemap"...)

    def __init__(self, sources: Iterable[dict[str, Any]] | None = None, since: str | None = None,
                 **kwargs: Any) -> None:
        cli_urls = kwargs.pop(self.arg_name, None)
        super().__init__(**kwargs)
        found = [dict(s) for s in sources or ()]
        if cli_urls:
            for url in re.split(r"[\s,]+", cli_urls.strip()):
                if url:
                    found.append({"name": url, "url": url})
        self.sources: list[dict[str, Any]] = found
        self.since: datetime | None = parse_since(since) if since else None
        self.db: sqlite3.Connection | None = None
        self._requested: set[str] = set()
        # Set by a shared frontier (aiwatch crawl --redis): whether any crawler has requested an address key.
        self.frontier_knows: Callable[[str], bool] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AiwatchSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.since is None and crawler.settings.get("AIWATCH_SINCE"):
            spider.since = parse_since(crawler.settings.get("AIWATCH_SINCE"))
        if not crawler.settings.frozen:
            trusted = list(crawler.settings.getlist("AIWATCH_TRUSTED_ORIGINS"))
            for source in spider.sources:
                origin = origin_of(source["url"])
                if origin not in trusted:
                    trusted.append(origin)
            crawler.settings.set("AIWATCH_TRUSTED_ORIGINS", trusted, priority="spider")
        spider.db = connect(crawler.settings.get("AIWATCH_DB_PATH"))
        return spider

    def closed(self, reason: str) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    # -- stats -------------------------------------------------------------------------------------
    def inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"aiwatch/{key}", count)

    def source_ok(self, source: str, entries: int = 0) -> None:
        self.inc(f"source/{source}/ok")
        self.inc(f"source/{source}/entries", entries)

    def source_failed(self, source: str, kind: str) -> None:
        self.inc(f"source/{source}/failed")
        self.inc(f"errors/{kind}")

    def format_error(self, response: Response, source: str, reason: str) -> None:
        """One clear line for a discovery document in the wrong format, counted as an error."""
        self.logger.error("%s %s: not a %s (%s)", self.discovery_label, response.url, self.discovery_label,
                          reason)
        self.source_failed(source, f"not_a_{self.discovery_label.replace(' ', '_')}")

    # -- requests ----------------------------------------------------------------------------------
    def will_fetch(self, key: str) -> bool:
        """Whether the article with address key ``key`` is requested by this crawl (by any crawler of a
        shared frontier)."""
        if key in self._requested:
            return True
        return bool(self.frontier_knows is not None and self.frontier_knows(key))

    def discovery_request(self, url: str, source: str, callback: Any, **meta: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_discovery_error, dont_filter=True,
                              meta={"source": source, **meta})

    def article_request(
        self, entry: Entry, source: str, *, origin: str | None = None, fetch_url: str | None = None,
        kind: str = "article", **hints: Any,
    ) -> scrapy.Request | None:
        """Request for an article entry, or None when it is a repeat, too old or already decided.

        ``origin`` names the document that listed the entry (a feed or sitemap URL; default: the source
        name): entry fingerprints are compared per origin, since two feeds may describe one article
        differently.
        """
        origin = origin or source
        url = strip_tracking(entry.url)
        if urlsplit(url).scheme not in ("http", "https"):
            self.logger.warning("%s: skipped link with unsupported scheme: %s", source, entry.url[:200])
            self.inc("ignored/bad_scheme")
            return None
        key = url_key(url)
        if key in self._requested:
            self.inc("skipped_repeat")
            return None
        if is_before(entry.published or entry.modified, self.since):
            self.inc("skipped_since")
            return None
        assert self.db is not None
        # One decision per key and crawl: a feed listing one article under two addresses (an AMP copy and
        # the article) must not have the second entry's fingerprint fetch what the first one skipped.
        self._requested.add(key)
        if not should_fetch(self.db, key, origin, entry.fingerprint):
            self.inc("skipped_seen")
            return None
        meta = {
            "source": source,
            "seen_key": key,
            "store_url": url,
            "fingerprint": entry.fingerprint,
            "origin": origin,
            "kind": kind,
            "hints": {"title": entry.title, "published": entry.published, "published_from": self.date_source,
                      **hints},
        }
        return scrapy.Request(fetch_url or url, callback=self.parse_article, errback=self.on_article_error,
                              meta=meta)

    def parse_article(self, response: Response) -> Iterable[PageItem]:
        meta = response.meta
        self.inc(f"source/{meta['source']}/fetched")
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        hints = {k: v for k, v in meta["hints"].items() if v}
        yield PageItem(
            url=meta["store_url"],
            seen_key=meta["seen_key"],
            response_url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            encoding=getattr(response, "encoding", None),
            content_type=headers.get("Content-Type"),
            source_name=meta["source"],
            spider=self.name,
            origin=meta["origin"],
            fingerprint=meta["fingerprint"],
            kind=meta["kind"],
            doc_number=hints.get("doc_number"),
            hints=hints,
        )

    # -- errors ------------------------------------------------------------------------------------
    def _describe(self, failure: Failure) -> tuple[str, bool]:
        if isinstance(failure.value, IgnoreRequest) and not isinstance(failure.value, HttpError):
            return "ignored", True
        return error_kind(failure), False

    def on_discovery_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind, ignored = self._describe(failure)
        source = request.meta.get("source", request.url)
        self.logger.error("%s %s: %s (%s)", self.discovery_label, request.url,
                          "refused" if ignored else "download failed", kind if not ignored else failure.value)
        self.source_failed(source, kind)

    def on_article_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind, ignored = self._describe(failure)
        source = request.meta.get("source", "")
        if ignored:
            self.logger.info("article %s: not fetched (%s)", request.url, failure.value)
            self.inc("ignored/request")
            return
        self.logger.warning("article %s: download failed (%s)", request.url, kind)
        self.inc(f"errors/{kind}")
        self.inc(f"source/{source}/article_errors")
