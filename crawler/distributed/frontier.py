"""Distributed crawl on scrapy-redis: shared frontier and seen set in Redis, one SQLite writer.

``aiwatch crawl --redis URL`` runs the usual spiders with scrapy-redis's scheduler (one request queue per
spider, shared by every crawler process on every machine) and with the storage pipeline replaced by
:class:`aiwatch.crawler.distributed.components.RedisItemPipeline`, which pushes each finished item (extracted,
topic-filtered, fingerprinted; raw body zstd-compressed) onto the Redis list :data:`ITEMS_KEY`.
``aiwatch ingest --redis URL`` (:func:`ingest`) pops them and applies the storage pipeline's step
(:mod:`aiwatch.crawler.store.articles`) to SQLite, so the database keeps exactly one writer.

Redis keys (all under ``aiwatch:``):

- ``aiwatch:<spider>:requests``: the shared frontier of one spider (a scrapy-redis priority queue).
- ``aiwatch:seen``: the seen set (a hash). Field ``<canonical URL>`` holds the time a crawler claimed
  the article, then ``done`` once its outcome is on the items list; a claim never done (its crawler was
  killed) expires after an hour, and a failed fetch is deleted. Fields ``<canonical URL>\\t<origin>``
  keep the feed/sitemap entry fingerprint per listing document, so an article whose entry changes is
  fetched again by a later crawl (as :func:`aiwatch.crawler.store.articles.should_fetch` does on one
  machine). The set persists between crawls; ``DEL aiwatch:seen`` forgets everything.
- ``aiwatch:redirects``: request fingerprints of redirect targets and other non-article requests
  (expires after a day).
- ``aiwatch:items`` / ``aiwatch:items:processing``: items waiting for the writer / being written. An
  item leaves the processing list only after its transaction commits; a writer that dies mid-item puts
  it back at its next start (storing is an upsert by canonical URL, so replaying is harmless).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiwatch.crawler.items import PageItem
from aiwatch.crawler.page.fingerprints import SimHashIndex
from aiwatch.crawler.store.articles import (
    compressed_body,
    load_simhash_index,
    record_seen,
    store_page,
)
from aiwatch.crawler.store.compression import decompress_raw

from aiwatch.db import connect, transaction

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

PREFIX = "aiwatch"
QUEUE_KEY = f"{PREFIX}:%(spider)s:requests"
SEEN_KEY = f"{PREFIX}:seen"
REDIRECTS_KEY = f"{PREFIX}:redirects"
ITEMS_KEY = f"{PREFIX}:items"
PROCESSING_KEY = f"{PREFIX}:items:processing"
# 3: articles have a readable link and a dedupe key (article_url, url_key) and a date_source;
# 2: the body is zstd-compressed (1: zlib). A writer refuses items of another format.
ITEM_FORMAT = 3
# A handed-over body larger than this is refused before it is inflated (crawlers stop at download_maxsize,
# 10 MiB by default): a corrupt or hostile list entry cannot make the writer allocate without bound.
MAX_BODY_BYTES = 64 * 1024 * 1024


class DistributedError(Exception):
    """Redis cannot be used (bad URL, unreachable, wrong data on the items list)."""


# ---- Redis connection --------------------------------------------------------------------------------
def redis_client(url: str) -> Any:
    """A connected :class:`redis.Redis` for ``url``; raises :class:`DistributedError` with one clear line."""
    try:
        import redis
        import scrapy_redis  # noqa: F401  (the crawlers' shared scheduler and seen set)
    except ImportError as exc:
        raise DistributedError(
            f"distributed crawl: {exc.name} is not installed (pip install 'aiwatch[distributed]')"
        ) from None

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        client.ping()
    except ValueError as exc:
        raise DistributedError(f"redis {url}: bad URL ({exc})") from None
    except redis.RedisError as exc:
        raise DistributedError(f"redis {url}: cannot connect ({exc})") from None
    return client


# ---- Scrapy settings for a distributed crawl ---------------------------------------------------------
def scrapy_settings(base: Any, redis_url: str, idle_close: float) -> dict[str, Any]:
    """Settings that turn the ordinary crawl (``base``: its Scrapy settings) into a distributed one.

    The returned dict is meant to be applied over ``base`` at a higher priority: scrapy-redis scheduler
    with a persistent shared queue, the seen-set duplicate filter, items pushed to Redis instead of
    stored, and the idle-close extension.
    """
    pipelines = dict(base.getdict("ITEM_PIPELINES"))
    pipelines["aiwatch.crawler.pipelines.storage.StoragePipeline"] = None
    pipelines["aiwatch.crawler.distributed.components.RedisItemPipeline"] = 400
    middlewares = dict(base.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["aiwatch.crawler.distributed.components.ForgetFailedMiddleware"] = 45
    extensions = dict(base.getdict("EXTENSIONS"))
    extensions["aiwatch.crawler.distributed.components.IdleClose"] = 500
    return {
        "REDIS_URL": redis_url,
        # scrapy_redis.scheduler.Scheduler
        "SCHEDULER": "aiwatch.crawler.distributed.components.RedisScheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_SERIALIZER": "aiwatch.crawler.distributed.codec",
        "SCHEDULER_PERSIST": True,  # a crawler that finishes must not wipe the queue others still use
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # a blocking pop would stall the reactor; IdleClose waits instead
        "DUPEFILTER_CLASS": "aiwatch.crawler.distributed.components.SeenSetDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": SEEN_KEY,
        "ITEM_PIPELINES": pipelines,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "EXTENSIONS": extensions,
        "AIWATCH_REDIS_IDLE_CLOSE": idle_close,
    }


# ---- items on the wire ---------------------------------------------------------------------------------
def encode_item(item: PageItem) -> bytes:
    """The storage-ready item as JSON (raw body compressed as stored, base64)."""
    data = dataclasses.asdict(item)
    data.pop("body_compressed", None)
    data["body"] = base64.b64encode(compressed_body(item)).decode("ascii")
    return json.dumps({"type": "item", "format": ITEM_FORMAT, "item": data}, default=str).encode()


def encode_dropped(item: PageItem, reason: str, detail: str) -> bytes:
    """A rejected page's outcome, for the writer's ``crawl_seen`` ledger."""
    return json.dumps({"type": "dropped", "format": ITEM_FORMAT, "seen_key": item.seen_key,
                       "reason": reason, "origin": item.origin, "fingerprint": item.fingerprint,
                       "detail": detail[:200]}).encode()


def decode_message(raw: bytes) -> dict[str, Any]:
    """Parse one list entry; :class:`DistributedError` when it is not an aiwatch message."""
    try:
        message = json.loads(raw)
        if not isinstance(message, dict) or message.get("type") not in ("item", "dropped"):
            raise ValueError("unknown message type")
        if message.get("format") != ITEM_FORMAT:
            raise ValueError(f"format {message.get('format')!r}, expected {ITEM_FORMAT}")
        if message["type"] == "item":
            data = dict(message["item"])
            data["body"] = decompress_raw(base64.b64decode(data["body"]), max_size=MAX_BODY_BYTES)
            names = {f.name for f in dataclasses.fields(PageItem)}
            message["item"] = PageItem(**{k: v for k, v in data.items() if k in names})
    except (ValueError, KeyError, TypeError) as exc:  # CompressedDataError is a ValueError
        raise DistributedError(f"not an aiwatch item ({exc})") from None
    return message


# ---- the single writer -----------------------------------------------------------------------------------
@dataclass
class IngestStats:
    """What one ``aiwatch ingest`` wrote."""

    items: int = 0  # storage-ready items popped
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # articles newly marked as duplicates
    dropped: int = 0  # rejected pages recorded in crawl_seen
    recovered: int = 0  # items put back from a previous writer that stopped mid-item
    invalid: int = 0  # list entries that were not aiwatch items (logged, discarded)
    elapsed: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)  # dropped reason -> count

    def summary(self) -> str:
        return (f"ingest: {self.items} items, {self.inserted} inserted, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.duplicates} duplicates, {self.dropped} rejected pages "
                f"recorded in {self.elapsed:.1f}s")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def store_message(conn: sqlite3.Connection, message: dict[str, Any], index: SimHashIndex | None,
                  stats: IngestStats) -> None:
    """Apply one message in one transaction: what :class:`aiwatch.crawler.pipelines.storage.StoragePipeline`
    does."""
    if message["type"] == "dropped":
        with transaction(conn) as tx:
            record_seen(tx, message["seen_key"], message["reason"], origin=message.get("origin") or "",
                        fingerprint=message.get("fingerprint"), detail=message.get("detail"))
        stats.dropped += 1
        stats.outcomes[message["reason"]] = stats.outcomes.get(message["reason"], 0) + 1
        return
    item: PageItem = message["item"]
    if not item.url_key or not item.article_url:
        raise DistributedError(f"item {item.url}: no article address")
    with transaction(conn) as tx:
        result = store_page(tx, item, index)
    stats.items += 1
    setattr(stats, result.action, getattr(stats, result.action) + 1)
    stats.duplicates += result.newly_marked


def recover(client: Any) -> int:
    """Put items a previous writer took but did not finish back at the head of the queue."""
    count = 0
    while client.lmove(PROCESSING_KEY, ITEMS_KEY, "RIGHT", "RIGHT") is not None:
        count += 1
    return count


def ingest(
    db_path: str | os.PathLike[str],
    redis_url: str,
    *,
    idle_exit: float | None = None,
    near_duplicate_distance: int = 10,
    on_progress: Callable[[IngestStats], None] | None = None,
    poll: float = 1.0,
) -> IngestStats:
    """Pop items from Redis and store them in the database at ``db_path`` until idle for ``idle_exit`` s.

    With ``idle_exit`` None, runs until interrupted. Each item is stored in its own transaction and only
    then removed from Redis, so killing the writer at any moment loses nothing. Progress is logged and
    ``on_progress`` called every 500 messages and at the end.
    """
    import redis

    client = redis_client(redis_url)
    conn = connect(db_path)
    stats = IngestStats()
    started = time.monotonic()
    try:
        stats.recovered = recover(client)
        if stats.recovered:
            log.info("put back %d items a previous writer left unfinished", stats.recovered)
        index = load_simhash_index(conn, near_duplicate_distance)
        last_item = time.monotonic()
        handled = 0
        while True:
            wait = poll
            if idle_exit is not None:
                wait = max(0.1, min(poll, idle_exit - (time.monotonic() - last_item)))
            try:
                raw = client.blmove(ITEMS_KEY, PROCESSING_KEY, wait, "RIGHT", "LEFT")
            except redis.RedisError as exc:
                raise DistributedError(f"redis {redis_url}: {exc}") from None
            if raw is None:
                if idle_exit is not None and time.monotonic() - last_item >= idle_exit:
                    break
                continue
            last_item = time.monotonic()
            try:
                message = decode_message(raw)
                store_message(conn, message, index, stats)
            except DistributedError as exc:
                stats.invalid += 1
                log.error("redis %s: %s: discarded", ITEMS_KEY, exc)
            client.lrem(PROCESSING_KEY, 1, raw)
            handled += 1
            if handled % 500 == 0:
                stats.elapsed = time.monotonic() - started
                log.info("ingest: %d items stored, %d rejected pages recorded so far", stats.items,
                         stats.dropped)
                if on_progress is not None:
                    on_progress(stats)
    finally:
        stats.elapsed = time.monotonic() - started
        conn.close()
        client.close()
    if on_progress is not None:
        on_progress(stats)
    return stats
