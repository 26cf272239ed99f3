"""Page processing in worker processes: the rows the crawl process would store; a crash costs one page."""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
import zlib
from pathlib import Path

import hostile_servers
import pytest

from aiwatch.config import load_config
from crawler.items import PageItem, Rejected
from crawler.pipelines.prepare import PreparePipeline, prepare_item
from crawler.run import run_crawl
from crawler.sample_site import SITE_DIR

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


def stored(db: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute(f"SELECT a.url, {', '.join('a.' + c for c in ARTICLE_COLUMNS)}, d.url, r.body "
                        "FROM articles a LEFT JOIN articles d ON d.id = a.duplicate_of "
                        "LEFT JOIN raw_pages r ON r.article_id = a.id").fetchall()
    conn.close()
    return {row[0]: (*row[1:-1], zlib.decompress(row[-1]) if row[-1] else None) for row in rows}


def test_workers_store_exactly_what_the_crawl_process_stores(tmp_path, sample_server_module):
    base = sample_server_module.base_url
    config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                       concurrent_requests_per_domain=8)
    results = {}
    for workers in (0, 2):
        db = tmp_path / f"workers{workers}.db"
        stats = run_crawl(db, config.replace(crawl_workers=workers), feeds=[f"{base}/feed.xml"],
                          sitemaps=[f"{base}/sitemap_index.xml"], record_run=False)
        assert stats.errors == {}, stats.errors
        results[workers] = (stored(db), (stats.off_topic, stats.not_article, stats.duplicates))
    inline, pooled = results[0], results[2]
    assert len(inline[0]) >= 30
    assert pooled[0] == inline[0]
    assert pooled[1] == inline[1]  # the same rejections by reason: Rejected crosses processes intact
    assert inline[1][0] > 0 and inline[1][1] > 0


def test_rejected_pickles_with_its_reason():
    again = pickle.loads(pickle.dumps(Rejected("off_topic", "relevance 0.20 < 1.0")))
    assert (again.reason, again.detail, str(again)) == ("off_topic", "relevance 0.20 < 1.0",
                                                        "off_topic: relevance 0.20 < 1.0")


class DyingPipeline(PreparePipeline):
    task = staticmethod(hostile_servers.prepare_or_die)


@pytest.mark.slow
def test_a_page_that_kills_its_worker_costs_only_that_page():
    paths = sample_articles(6)
    killer = sample_item(paths[0])
    killer.body += hostile_servers.WORKER_KILLER
    items = [sample_item(p) for p in paths[1:]]
    pipeline = DyingPipeline(80, 1.0, workers=2)
    pipeline.open_spider()

    async def process_all() -> list:
        return await asyncio.gather(*(pipeline.process_item(i) for i in [*items[:2], killer, *items[2:]]),
                                    return_exceptions=True)

    try:
        results = asyncio.run(process_all())
        assert pipeline.generation == 1  # the broken pool was replaced once
        after = asyncio.run(pipeline.process_item(sample_item(paths[1])))  # and the new one works
    finally:
        pipeline.close_spider()
    lost = results.pop(2)
    assert isinstance(lost, Rejected) and lost.reason == "extract_error"
    expected = [prepare_item(sample_item(p), 80, 1.0) for p in paths[1:]]
    assert [(r.text, r.topics, r.simhash) for r in results] == [
        (e.text, e.topics, e.simhash) for e in expected]
    assert after.text == expected[0].text and zlib.decompress(after.body_zlib) == after.body
