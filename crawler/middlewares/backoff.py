"""Skip URLs and hosts that failed in earlier crawls, remember this crawl's failures, and log redirect loops.

* :class:`BackoffMiddleware` (downloader middleware, priority 560: requests reach it once the address guard
  and robots.txt passed them, and it sees each failed attempt before Scrapy's ``RetryMiddleware`` retries
  it) reads the waiting rows of ``crawl_backoff`` when the spider opens and refuses their requests at once
  (``IgnoreRequest``; one WARNING per host, stats ``aiwatch/backoff/skipped``), so a source of slow or dead
  links costs the next hourly runs nothing until its wait is over. It counts this crawl's failed attempts
  (exceptions, HTTP 5xx and 429), written at once by a writer thread (a crawl killed at the end of its
  time share keeps them; the reactor never waits for the storage pipeline's transaction), and successes
  per URL and per host, which clear their rows at once: a URL that failed and never succeeded, and a host
  with no success at all, wait (see
  :mod:`aiwatch.crawler.store.backoff`). Setting ``AIWATCH_SOURCE_BACKOFF_MINUTES``
  (``source_backoff_minutes``; 0 turns it off).
* :class:`RedirectLoopMiddleware` (priority 650, so it sees a redirect before Scrapy's ``RedirectMiddleware``
  follows it) refuses a redirect back to a URL already in its chain, and one past ``REDIRECT_MAX_TIMES``, with
  a WARNING naming the chain (stats ``aiwatch/redirect_loop``, ``aiwatch/redirect_too_many``): Scrapy would
  drop the first silently as a duplicate request and the second at DEBUG level.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

from aiwatch.crawler.store import backoff as store
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from aiwatch.db import connect

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
FAILING_STATUSES = frozenset({429, 500, 502, 503, 504, 522, 524})


def netloc_of(url: str) -> str:
    """``host:port`` (lower case) a URL is fetched from, the unit of host backoff.

    >>> netloc_of("HTTP://News.Example:8080/a"), netloc_of("https://news.example/a")
    ('news.example:8080', 'news.example:443')
    """
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    return f"{(parts.hostname or '').lower()}:{port}"


class BackoffMiddleware:
    """See the module doc."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.db_path = settings.get("AIWATCH_DB_PATH") or ""
        self.base_minutes = settings.getfloat("AIWATCH_SOURCE_BACKOFF_MINUTES")
        self.waiting: dict[tuple[str, str], tuple[int, str]] = {}
        self.known: set[tuple[str, str]] = set()  # rows in the table when the spider opened
        self.failed: dict[str, str] = {}  # url -> error
        self.succeeded: set[str] = set()
        self.host_ok: Counter[str] = Counter()
        self.host_failed: dict[str, str] = {}
        self.warned: set[str] = set()
        self.recorded: set[tuple[str, str]] = set()  # failures written during this crawl (counted once)
        self.cleared: set[tuple[str, str]] = set()
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aiwatch-backoff")
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        return cls(crawler)

    def spider_opened(self, spider: Any = None) -> None:
        if not (self.db_path and self.base_minutes > 0):
            return
        conn = connect(self.db_path, migrate_schema=False)
        try:
            self.waiting = store.active(conn)
            self.known = store.targets(conn)
        finally:
            conn.close()

    def process_request(self, request: Request, spider: Any = None) -> None:
        if not self.waiting:
            return
        url = urldefrag(request.url)[0]
        host = netloc_of(url)
        hit = self.waiting.get(("host", host)) or self.waiting.get(("url", url))
        if hit is None:
            return
        failures, retry_after = hit
        if host not in self.warned:
            self.warned.add(host)
            what = "host" if ("host", host) in self.waiting else "URLs of"
            logger.warning("skipping %s %s until %s: failed in %d crawl(s) in a row (setting "
                           "source_backoff_minutes)", what, host, retry_after, failures)
        if self.stats is not None:
            self.stats.inc_value("aiwatch/backoff/skipped")
        raise IgnoreRequest(f"backoff: {url} failed in earlier crawls; retry after {retry_after}")

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        url = urldefrag(request.url)[0]
        if response.status in FAILING_STATUSES:
            self._failure(url, f"HTTP {response.status}")
        elif not 300 <= response.status < 400:
            host = netloc_of(url)
            self.succeeded.add(url)
            self.host_ok[host] += 1
            keys = (("url", url), ("host", host))
            if any((k in self.known or k in self.recorded) and k not in self.cleared for k in keys):
                self.flush()  # a success clears its row at once
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # refused here, by robots.txt or by the address guard: not the source's failure
        self._failure(urldefrag(request.url)[0], type(exception).__name__)
        return None

    def _failure(self, url: str, error: str) -> None:
        if not url.endswith("/robots.txt"):
            self.failed[url] = error
        self.host_failed[netloc_of(url)] = error
        self.flush()  # at once: a crawl killed at the end of its time share must not forget it

    def failures(self) -> tuple[list[store.Failure], list[tuple[str, str]]]:
        """This crawl's (failures, successes) to record: failing URLs, and hosts with no success at all."""
        failures = [store.Failure("url", url, error) for url, error in self.failed.items()
                    if url not in self.succeeded]
        failures += [store.Failure("host", host, error) for host, error in self.host_failed.items()
                     if not self.host_ok[host]]
        successes = [("url", url) for url in self.succeeded] + [("host", host) for host in self.host_ok]
        return failures, successes

    def pending(self) -> tuple[list[store.Failure], list[tuple[str, str]]]:
        """What is not written yet, marked as written (reactor thread: the dicts are read here only)."""
        failures, successes = self.failures()
        failures = [f for f in failures if (f.kind, f.target) not in self.recorded]
        successes = [s for s in successes
                     if s not in self.cleared and (s in self.known or s in self.recorded)]
        self.recorded.update((f.kind, f.target) for f in failures)
        self.cleared.update(successes)
        self.recorded.difference_update(successes)
        return failures, successes

    def write(self, failures: list[store.Failure], successes: list[tuple[str, str]]) -> int:
        """Store one batch (any thread); returns the targets newly waiting."""
        conn = connect(self.db_path, migrate_schema=False)
        try:
            return store.record(conn, failures, successes, self.base_minutes)
        finally:
            conn.close()

    def flush(self) -> None:
        """Write what changed in the writer thread, in order. Never in the reactor thread: the storage
        pipeline may hold a write transaction open across reactor turns, and waiting for it there would
        stall the crawl until SQLite's busy timeout."""
        if not self.db_path:
            return
        failures, successes = self.pending()
        if failures or successes:
            future = self.writer.submit(self.write, failures, successes)
            future.add_done_callback(_report_write_error)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        self.writer.shutdown(wait=True)  # the pipelines have committed by now
        if self.db_path:
            failures, successes = self.pending()
            if failures or successes:
                self.write(failures, successes)
        waiting = len(self.recorded)
        if waiting and self.base_minutes > 0:
            logger.info("backoff: %d failing URL(s) or host(s) will be skipped by the next crawls for at "
                        "least %g minutes", waiting, self.base_minutes)


def _report_write_error(future: Future) -> None:
    error = future.exception()
    if error is not None:
        logger.warning("backoff: could not record failing sources: %s", error)


class RedirectLoopMiddleware:
    """See the module doc."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        if not location or request.meta.get("dont_redirect"):
            return response
        target = urldefrag(urljoin(request.url, location.decode("latin-1").strip()))[0]
        chain = [*(request.meta.get("redirect_urls") or ()), request.url]
        seen = {urldefrag(u)[0] for u in chain}
        if target in seen:
            reason, message = "redirect_loop", "redirect loop"
        elif len(chain) > self.max_times:
            reason, message = "redirect_too_many", f"more than {self.max_times} redirects"
        else:
            return response
        shown = " -> ".join([*chain, target])
        logger.warning("%s: %s", message, shown)
        if self.stats is not None:
            self.stats.inc_value(f"aiwatch/{reason}")
        raise IgnoreRequest(f"{message}: {shown}")
