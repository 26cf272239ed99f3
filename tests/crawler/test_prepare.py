"""Page processing in worker processes: the rows the crawl process would store; a crash costs one page."""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import hostile_servers
import pytest
from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.pipelines.prepare import WARM_UP_PAGE, PreparePipeline, prepare_item, warm_up
from aiwatch.crawler.runtime.pipe_pool import PipePool
from aiwatch.crawler.runtime.processors import InlineProcessor, PoolProcessor, provide_workers
from aiwatch.crawler.runtime.run import run_crawl
from aiwatch.crawler.sample_site import SITE_DIR
from aiwatch.crawler.store.compression import decompress_raw
from scrapy.settings import Settings

from aiwatch.config import load_config

ARTICLE_COLUMNS = ("title", "byline", "published", "language", "text", "topics", "relevance", "content_hash",
                   "simhash", "kind", "word_count")


def sample_item(path: str, body: bytes | None = None) -> PageItem:
    url = f"http://127.0.0.1:8000{path}"
    html = (SITE_DIR / path.lstrip("/")).read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:8000")
    return PageItem(url=url, seen_key=url, response_url=url, status=200, headers={},
                    body=html if body is None else body, content_type="text/html; charset=utf-8")


def sample_articles(count: int) -> list[str]:
    import json

    manifest = json.loads((SITE_DIR.parent / "manifest.json").read_text())
    return [e["path"] for e in manifest if e["kind"] == "article"][:count]


def stored(db: Path) -> dict[str, object]:
    """What a crawl stored, in terms that do not depend on the order pages arrived in.

    Pages naming the same canonical URL (a syndicated copy, an AMP page) update one article row, so its
    text is the last arrival's; duplicate clusters point at their earliest copy, ties broken by row id.
    Both follow arrival order, which concurrency makes vary between any two crawls.
    """
    conn = sqlite3.connect(db)
    raw = {url: decompress_raw(body, codec) for url, body, codec in conn.execute(
        "SELECT url, body, compression FROM raw_pages")}
    single = {aid for (aid,) in conn.execute(
        "SELECT article_id FROM raw_pages GROUP BY article_id HAVING count(*) = 1")}
    rows = {}
    for aid, url, *values in conn.execute(f"SELECT id, url, {', '.join(ARTICLE_COLUMNS)} FROM articles"):
        rows[url] = tuple(values) if aid in single else "several pages"
    clusters: dict[int, set[str]] = {}
    for url, root in conn.execute("SELECT url, coalesce(duplicate_of, id) FROM articles"):
        clusters.setdefault(root, set()).add(url)
    conn.close()
    return {"raw": raw, "articles": rows, "clusters": {frozenset(c) for c in clusters.values()}}


def test_workers_store_exactly_what_the_crawl_process_stores(tmp_path, sample_server_module):
    base = sample_server_module.base_url
    config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                       concurrent_requests_per_domain=8)
    results = {}
    for workers in (0, 2):
        db = tmp_path / f"workers{workers}.db"
        # One discovery document: a page listed by two (feed and sitemap, or two sitemaps) takes its date
        # hint from whichever was parsed first, which varies between any two crawls.
        stats = run_crawl(db, config.replace(crawl_workers=workers), feeds=[f"{base}/feed.xml"])
        assert stats.errors == {}, stats.errors
        results[workers] = (stored(db), (stats.off_topic, stats.not_article, stats.duplicates))
    inline, pooled = results[0], results[2]
    assert len(inline[0]["articles"]) >= 25
    assert pooled[0]["raw"] == inline[0]["raw"]
    assert pooled[0]["articles"] == inline[0]["articles"]
    assert pooled[0]["clusters"] == inline[0]["clusters"]
    assert pooled[1] == inline[1]  # the same rejections by reason: Rejected crosses processes intact
    assert inline[1][0] > 0  # off-topic pages were rejected in the workers and counted here


def test_rejected_pickles_with_its_reason():
    again = pickle.loads(pickle.dumps(Rejected("off_topic", "relevance 0.20 < 1.0")))
    assert (again.reason, again.detail, str(again)) == ("off_topic", "relevance 0.20 < 1.0",
                                                        "off_topic: relevance 0.20 < 1.0")


def dying_pipeline(*, fork: bool) -> tuple[PreparePipeline, PipePool]:
    """The page pipeline on a pool of two workers (``fork``: forked, else spawned) whose task ends its worker
    process at once on a page carrying ``hostile_servers.WORKER_KILLER``."""
    pool = PipePool(2, fork=fork)
    task = partial(hostile_servers.prepare_or_die, min_words=80, min_relevance=1.0)
    return PreparePipeline(PoolProcessor(pool, task, owned=True)), pool


def process_with_a_killer(pipeline: PreparePipeline, paths: list[str]) -> tuple[list, PageItem]:
    """Pages of ``paths`` through ``pipeline``, the first made a worker killer and sent third; then one more
    page after the killer was dealt with."""
    killer = sample_item(paths[0])
    killer.body += hostile_servers.WORKER_KILLER
    items = [sample_item(p) for p in paths[1:]]

    async def run() -> tuple[list, PageItem]:
        results = await asyncio.gather(*(pipeline.process_item(i) for i in [*items[:2], killer, *items[2:]]),
                                       return_exceptions=True)
        return results, await pipeline.process_item(sample_item(paths[1]))

    return asyncio.run(run())


@pytest.mark.slow
def test_a_page_that_kills_its_worker_costs_only_that_page():
    """On spawned workers, as a crawler without provided workers (``scrapy crawl``) starts them."""
    paths = sample_articles(6)
    pipeline, pool = dying_pipeline(fork=False)
    try:
        results, after = process_with_a_killer(pipeline, paths)
        assert pool.replaced == 2  # the killer's worker and the one it was tried again in; the new ones work
    finally:
        pipeline.close_spider()
    lost = results.pop(2)
    assert isinstance(lost, Rejected) and lost.reason == "extract_error"
    expected = [prepare_item(sample_item(p), 80, 1.0) for p in paths[1:]]
    assert [(r.text, r.topics, r.simhash) for r in results] == [
        (e.text, e.topics, e.simhash) for e in expected]
    assert after.text == expected[0].text and decompress_raw(after.body_compressed) == after.body


@pytest.mark.slow  # spawns a worker
def test_the_pipeline_takes_provided_workers_else_starts_its_own_else_runs_inline():
    """``from_crawler``: the workers the crawl process provided (left running at close), a pool of its own
    from ``AIWATCH_CRAWL_WORKERS`` (``scrapy crawl``; shut down at close), or the crawl process itself."""

    def crawler(workers: int, pool: PipePool | None = None) -> SimpleNamespace:
        settings = Settings()
        settings.setmodule("aiwatch.crawler.settings")
        settings.set("AIWATCH_CRAWL_WORKERS", workers)
        found = SimpleNamespace(settings=settings)
        if pool is not None:
            provide_workers(found, pool)
        return found

    provided = PipePool(1)

    async def run() -> None:
        inline = PreparePipeline.from_crawler(crawler(0))
        assert isinstance(inline.processor, InlineProcessor)
        shared = PreparePipeline.from_crawler(crawler(2, provided))
        assert isinstance(shared.processor, PoolProcessor) and shared.processor.pool is provided
        own = PreparePipeline.from_crawler(crawler(1))
        assert isinstance(own.processor, PoolProcessor) and own.processor.pool is not provided
        page = sample_item(sample_articles(1)[0])
        results = [await p.process_item(sample_item(sample_articles(1)[0])) for p in (inline, shared, own)]
        first = results[0]
        assert {(r.text, r.simhash, r.body) for r in results} == {(first.text, first.simhash, page.body)}
        for pipeline in (inline, shared, own):
            pipeline.close_spider()
        assert await provided.submit(int, "7") == 7  # still running: the crawl process closes it
        with pytest.raises(RuntimeError, match="shutdown"):
            own.processor.pool.submit(int, "7")

    try:
        asyncio.run(run())
    finally:
        provided.shutdown()


def test_the_warm_up_page_runs_every_page_step_and_loads_the_month_names():
    """The worker warm-up must reach every step (a rejected page would stop at the first)."""
    item = PageItem(url="http://warm-up.invalid/story", seen_key="http://warm-up.invalid/story",
                    response_url="http://warm-up.invalid/story", status=200, headers={}, body=WARM_UP_PAGE,
                    content_type="text/html; charset=utf-8")
    prepared = prepare_item(item, 0, 0.0)
    assert prepared.published == "2025-03-03" and prepared.topics and prepared.simhash is not None
    assert prepared.body_compressed is not None and decompress_raw(prepared.body_compressed) == WARM_UP_PAGE
    warm_up()
    from htmldate import extractors

    if hasattr(extractors, "month_words"):
        assert extractors.month_words.cache_info().currsize == 1
