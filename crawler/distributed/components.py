"""Scrapy components of a distributed crawl (enabled by
:func:`aiwatch.crawler.distributed.frontier.scrapy_settings`).

- :class:`RedisScheduler`: scrapy-redis's scheduler, minus calls that Scrapy 2.13+ deprecates.
- :class:`SeenSetDupeFilter`: scrapy-redis duplicate filter keyed on the canonical article URL in the
  shared seen set, with the per-origin entry fingerprint check of
  :func:`aiwatch.crawler.store.articles.should_fetch`
  done atomically in Redis (a Lua script), so two crawlers never fetch the same article.
- :class:`ForgetFailedMiddleware`: an article whose fetch failed is removed from the seen set, so a later
  crawl tries it again (failed fetches are not final outcomes, as in the single-machine ledger).
- :class:`RedisItemPipeline`: replaces the storage pipeline; pushes items and rejections to Redis and
  marks their URLs ``done`` in the seen set.

An article's mark in the seen set is the Redis server time (seconds) at which a crawler claimed it, then
``done`` once its outcome reached the items list. A claim older than :data:`CLAIM_TTL` that never became
``done`` (its crawler was killed with the request queued or in flight) may be claimed again.
- :class:`IdleClose`: keeps a spider open until the shared queue has been empty for
  ``AIWATCH_REDIS_IDLE_CLOSE`` seconds, so a crawler does not quit while another is still discovering.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiwatch.crawler.distributed.frontier import (
    ITEMS_KEY,
    REDIRECTS_KEY,
    SEEN_KEY,
    encode_dropped,
    encode_item,
)
from aiwatch.crawler.items import PageItem
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

log = logging.getLogger(__name__)

REDIRECTS_TTL = 24 * 3600
CLAIM_TTL = 3600
DONE = "done"

# KEYS[1] seen hash; ARGV url, origin, entry fingerprint ('' when the listing gives none), claim TTL.
# Returns 1 when the article must not be requested. Mirrors aiwatch.crawler.store.articles.should_fetch:
# new URL (or a stale claim) -> fetch; known URL -> fetch only if this origin saw a different fingerprint
# before (the first fingerprint an origin reports for a known URL is remembered).
SEEN_SCRIPT = """
local url, origin, fp, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local now = tonumber(redis.call('TIME')[1])
local mark = redis.call('HGET', KEYS[1], url)
if (not mark) or (mark ~= 'done' and now - (tonumber(mark) or 0) > ttl) then
  redis.call('HSET', KEYS[1], url, tostring(now))
  if fp ~= '' then redis.call('HSET', KEYS[1], url .. '\\t' .. origin, fp) end
  return 0
end
if fp == '' then return 1 end
local field = url .. '\\t' .. origin
local known = redis.call('HGET', KEYS[1], field)
redis.call('HSET', KEYS[1], field, fp)
if (not known) or known == fp then return 1 end
redis.call('HSET', KEYS[1], url, tostring(now))
return 0
"""


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler without the calls Scrapy 2.13+ deprecates (``spider=`` stats, ``Spider.log``),
    which would otherwise fill every crawler's log with warnings."""

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            log.info("spider %s: joining a crawl with %d requests queued", spider.name, len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


def is_article_request(request: Request) -> bool:
    """A first-hop article request made by
    :meth:`aiwatch.crawler.spiders.base.AiwatchSpider.article_request`."""
    return "seen_key" in request.meta and not request.meta.get("redirect_urls")


class SeenSetDupeFilter(RFPDupeFilter):
    """Article requests are filtered on the shared seen set; any other request (a redirect target) on a
    request fingerprint set that expires after a day. The seen set outlives the crawl (never cleared)."""

    def __init__(self, server: Any, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug)
        self.redirects_key = REDIRECTS_KEY
        self.seen = server.register_script(SEEN_SCRIPT)
        self.spider: Any = None

    @classmethod
    def from_spider(cls, spider: Any) -> SeenSetDupeFilter:
        settings = spider.settings
        server = get_redis_from_settings(settings)
        dupefilter = cls(server, key=settings.get("SCHEDULER_DUPEFILTER_KEY", SEEN_KEY),
                         debug=settings.getbool("DUPEFILTER_DEBUG"))
        dupefilter.spider = spider
        if hasattr(spider, "frontier_knows"):
            spider.frontier_knows = dupefilter.known
        return dupefilter

    def known(self, seen_key: str) -> bool:
        """Whether some crawler has requested (or finished) the article with this address key."""
        return bool(self.server.hexists(self.key, seen_key))

    def request_seen(self, request: Request) -> bool:
        if is_article_request(request):
            meta = request.meta
            return bool(self.seen(keys=[self.key], args=[meta["seen_key"], meta.get("origin") or "",
                                                          meta.get("fingerprint") or "", CLAIM_TTL]))
        added = self.server.sadd(self.redirects_key, self.request_fingerprint(request))
        self.server.expire(self.redirects_key, REDIRECTS_TTL)
        return added == 0

    def forget(self, seen_key: str) -> None:
        """Let the next crawl request this article again (its fingerprints per origin are kept)."""
        self.server.hdel(self.key, seen_key)

    def log(self, request: Request, spider: Any) -> None:
        stats = getattr(getattr(spider, "crawler", None), "stats", None)
        if stats is not None and is_article_request(request):
            stats.inc_value("aiwatch/skipped_seen")
        super().log(request, spider)

    def clear(self) -> None:
        """Never called with ``SCHEDULER_PERSIST``; drops only the short-lived redirect set."""
        self.server.delete(self.redirects_key)


class ForgetFailedMiddleware:
    """Downloader middleware next to the engine: sees final outcomes after retries and redirects."""

    def __init__(self, crawler: Crawler) -> None:
        self.server = get_redis_from_settings(crawler.settings)
        self.key = crawler.settings.get("SCHEDULER_DUPEFILTER_KEY", SEEN_KEY)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ForgetFailedMiddleware:
        return cls(crawler)

    def _forget(self, request: Request) -> None:
        key = request.meta.get("seen_key")
        if key:
            self.server.hdel(self.key, key)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status >= 400 and "seen_key" in request.meta:
            self._forget(request)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if "seen_key" in request.meta and not isinstance(exception, IgnoreRequest):
            self._forget(request)
        return None


class RedisItemPipeline:
    """Last pipeline step of a distributed crawl: the storage-ready item goes to the writer's list."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.seen_key = crawler.settings.get("SCHEDULER_DUPEFILTER_KEY", SEEN_KEY)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"aiwatch/{key}")

    def _push(self, item: PageItem, message: bytes) -> None:
        pipe = self.server.pipeline()  # MULTI/EXEC: the item and its done mark together
        pipe.lpush(ITEMS_KEY, message)
        pipe.hset(self.seen_key, item.seen_key, DONE)
        pipe.execute()

    def process_item(self, item: PageItem) -> PageItem:
        self._push(item, encode_item(item))
        self._inc("queued")
        if item.source_name:
            self._inc(f"source/{item.source_name}/queued")
        return item

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        reason = getattr(exception, "reason", "dropped")
        self._inc(f"dropped/{reason}")
        if isinstance(item, PageItem):
            self._push(item, encode_dropped(item, reason, str(exception)))


class IdleClose:
    """Close an idle spider only after the shared queue has stayed empty for ``AIWATCH_REDIS_IDLE_CLOSE`` s.

    Scrapy asks again every engine heartbeat (5 s), so the wait is rounded up to that.
    """

    def __init__(self, crawler: Crawler, idle_close: float) -> None:
        self.crawler = crawler
        self.idle_close = idle_close
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IdleClose:
        extension = cls(crawler, crawler.settings.getfloat("AIWATCH_REDIS_IDLE_CLOSE"))
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.busy, signal=signals.request_reached_downloader)
        return extension

    def busy(self, request: Request, spider: Any = None) -> None:
        self.idle_since = None

    def spider_idle(self, spider: Any) -> None:
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_close:
            raise DontCloseSpider
        log.info("spider %s: shared queue empty for %.0fs, closing", spider.name, now - self.idle_since)
