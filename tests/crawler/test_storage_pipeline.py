"""The storage step's batching on a real database: a page commits at once when nothing else is in flight."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from aiwatch.crawler.pipelines.prepare import prepare_item
from aiwatch.crawler.pipelines.storage import StoragePipeline
from aiwatch.crawler.store.articles import load_simhash_index
from aiwatch.crawler.store.group_commit import GroupCommit
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from aiwatch.db import connect, defer_search_index, flush_search_index

from .test_group_commit import Timers
from .test_prepare import sample_articles, sample_item


def pipeline_on(db, in_flight: SimpleNamespace) -> tuple[StoragePipeline, Timers]:
    """A storage pipeline as ``open_spider`` sets it up, with a test clock and Scrapy's item count stubbed."""
    settings = Settings()
    settings.setmodule("aiwatch.crawler.settings")  # the declared defaults, as every crawl has them
    settings.set("AIWATCH_DB_PATH", str(db))
    engine = SimpleNamespace(scraper=SimpleNamespace(slot=in_flight))
    crawler = SimpleNamespace(settings=settings, engine=engine)
    crawler.stats = MemoryStatsCollector(crawler)
    pipeline = StoragePipeline(crawler)
    pipeline.conn = connect(db)
    pipeline.index = load_simhash_index(pipeline.conn, pipeline.distance)
    timers = Timers()
    pipeline.batch = GroupCommit(pipeline.conn, timers, on_begin=defer_search_index,
                                 before_commit=flush_search_index)
    return pipeline, timers


async def stored_when_the_timer_fires(pipeline: StoragePipeline, timers: Timers, page) -> None:
    """``page`` goes through the storage step and waits for its batch; the timer commits it."""
    waiting = asyncio.ensure_future(pipeline.process_item(page))
    await asyncio.sleep(0)
    assert not waiting.done()
    timers.fire()
    await waiting


def test_the_last_page_in_flight_commits_its_batch_without_waiting_for_the_timer(tmp_path):
    first, second, third = (prepare_item(sample_item(p), 80, 1.0) for p in sample_articles(3))
    slot = SimpleNamespace(itemproc_size=3)  # three pages in the pipelines
    pipeline, timers = pipeline_on(tmp_path / "a.db", slot)

    async def scenario() -> None:
        waiting = asyncio.ensure_future(pipeline.process_item(first))
        await asyncio.sleep(0)
        assert not waiting.done() and len(timers.pending) == 1  # the others may still join the batch
        slot.itemproc_size = 2  # the third was dropped meanwhile: the second is the last one in flight
        last = asyncio.ensure_future(pipeline.process_item(second))
        for _ in range(3):  # both tasks resume: their batch has committed
            await asyncio.sleep(0)
        assert last.done() and waiting.done() and waiting.result().hints["article_id"] == 1
        slot.itemproc_size = 2  # a page arrives while another is being processed: the timer commits it
        await stored_when_the_timer_fires(pipeline, timers, third)

    asyncio.run(scenario())
    conn = pipeline.conn
    for article_id, title in conn.execute("SELECT id, title FROM articles"):  # every page is searchable
        phrase = '"' + " ".join(title.replace('"', " ").split()[:3]) + '"'
        assert article_id in [r[0] for r in conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (phrase,))]
    stats = pipeline.crawler.stats.get_stats()
    assert stats["aiwatch/stored/inserted"] == 3
    pipeline.conn.close()


def test_without_scrapys_item_count_the_timer_still_commits(tmp_path):
    page = prepare_item(sample_item(sample_articles(1)[0]), 80, 1.0)
    pipeline, timers = pipeline_on(tmp_path / "a.db", SimpleNamespace())

    asyncio.run(stored_when_the_timer_fires(pipeline, timers, page))
    assert pipeline.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    pipeline.conn.close()
