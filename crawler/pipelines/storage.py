"""Pipeline step 5: per page, atomically: article upsert, raw page, ``crawl_seen`` ledger.

Pages arriving together share one transaction (:class:`aiwatch.crawler.store.group_commit.GroupCommit`:
each page a savepoint, a commit every 50 pages or 0.25 s, or at once when no other item is being processed:
the last page of a crawl does not wait for the timer); a page counts as stored when its batch has
committed. The batch's new articles enter the full-text index together, as its last write before the commit
(:func:`aiwatch.db.defer_search_index`), so they become searchable when they become visible.

Also listens to ``item_dropped`` so that off-topic and non-article outcomes are remembered in
``crawl_seen`` (and not fetched again by the next incremental crawl) and counted by reason in stats.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.fingerprints import SimHashIndex
from aiwatch.crawler.store.articles import (
    StoreResult,
    load_simhash_index,
    record_seen,
    store_page,
)
from aiwatch.crawler.store.group_commit import GroupCommit
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future

from aiwatch.db import connect, defer_search_index, flush_search_index

logger = logging.getLogger(__name__)
# Rejections remembered in crawl_seen (not fetched again while their feed entry is unchanged); errors
# such as extract_error or storage_error are retried by the next crawl.
REMEMBERED = frozenset({"off_topic", "not_article"})


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("AIWATCH_DB_PATH")
        self.distance = crawler.settings.getint("AIWATCH_NEAR_DUPLICATE_DISTANCE")
        self.conn: sqlite3.Connection | None = None
        self.index: SimHashIndex | None = None
        self.batch: GroupCommit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        from twisted.internet import reactor

        self.conn = connect(self.db_path)
        self.index = load_simhash_index(self.conn, self.distance)
        self.batch = GroupCommit(self.conn, reactor.callLater,  # type: ignore[attr-defined]
                                 on_begin=defer_search_index, before_commit=flush_search_index)

    def close_spider(self) -> None:
        if self.conn is not None:
            self.batch.commit()
            self.conn.close()
            self.conn = None

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"aiwatch/{key}", count)

    async def process_item(self, item: PageItem) -> PageItem:
        assert self.conn is not None and item.url_key is not None
        try:
            result, committed = self.batch.run(lambda conn: self._store(conn, item))
            if self._only_waiting_items_in_flight():
                self.batch.commit()
            await maybe_deferred_to_future(committed)
        except sqlite3.Error as exc:  # e.g. locked past the busy timeout: nothing of this page was kept
            self._reload_index_after_rollback()
            raise Rejected("storage_error", f"database: {exc}") from None
        self._inc(f"stored/{result.action}")
        if result.newly_marked:
            self._inc("duplicates", result.newly_marked)
        item.hints["article_id"] = result.article_id
        return item

    def _only_waiting_items_in_flight(self) -> bool:
        """True when every item the pipelines hold is one waiting for this batch to commit: no other page
        is being processed, so nothing joins the batch before its timer but the wait."""
        slot = getattr(getattr(self.crawler.engine, "scraper", None), "slot", None)
        in_flight = getattr(slot, "itemproc_size", None)  # Scrapy's count of items in the pipelines
        return isinstance(in_flight, int) and in_flight <= self.batch.waiting

    def _store(self, conn: sqlite3.Connection, item: PageItem) -> StoreResult:
        return store_page(conn, item, self.index)

    def _reload_index_after_rollback(self) -> None:
        """The in-memory near-duplicate index may list rows a rollback removed: rebuild it from the table."""
        if self.conn is not None and not self.conn.in_transaction:
            self.index = load_simhash_index(self.conn, self.distance)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        reason = getattr(exception, "reason", "dropped")
        self._inc(f"dropped/{reason}")
        if self.conn is None or not isinstance(item, PageItem) or reason not in REMEMBERED:
            return
        try:
            detail = str(exception)[:200]
            self.batch.run(lambda conn: record_seen(conn, item.seen_key, reason, origin=item.origin,
                                                    fingerprint=item.fingerprint, detail=detail), wait=False)
        except sqlite3.Error as exc:
            logger.warning("page %s: outcome %s not recorded (database: %s)", item.response_url, reason, exc)
