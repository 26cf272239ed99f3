"""Crawl the bundled sample site over loopback HTTP and check the stored rows against its manifest."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from aiwatch.crawler.sample_site import SITE_DIR
from aiwatch.crawler.store.compression import decompress_raw

from aiwatch.cli.crawl import recorded_crawl
from aiwatch.config import load_config

# Every test here runs a crawl in a child process (run_crawl): the quick pass leaves them out.
pytestmark = pytest.mark.slow


MANIFEST = json.loads((SITE_DIR.parent / "manifest.json").read_text())
DISCOVERY = {"/robots.txt", "/feed.xml", "/atom.xml", "/sitemap_index.xml", "/sitemap.xml",
             "/news-sitemap.xml"}


def declared_canonical(path: str) -> str | None:
    """The site path a page's ``<link rel=canonical>`` names, if any."""
    html = (SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="\{\{BASE_URL\}\}([^"]+)"', html)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, sample_server_module):
    """One full crawl and one incremental re-crawl of the sample site (shared by the tests below)."""
    config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                       concurrent_requests_per_domain=8)
    db = tmp_path_factory.mktemp("sample") / "aiwatch.db"
    site = sample_server_module
    base = site.base_url
    amp = next(e["path"] for e in MANIFEST if e["kind"] == "amp")
    options = {"feeds": [f"{base}/feed.xml", f"{base}/atom.xml"], "sitemaps": [f"{base}/sitemap_index.xml"],
               "urls": [f"{base}{amp}", f"{base}/private/embargoed-briefing.html"]}
    started = time.monotonic()
    first = recorded_crawl(db, config, **options)
    first_time = time.monotonic() - started
    first_hits = site.hit_paths()
    site.clear_hits()
    started = time.monotonic()
    second = recorded_crawl(db, config, **options)
    second_time = time.monotonic() - started
    second_hits = site.hit_paths()
    print(f"sample site: first crawl {first_time:.1f}s ({first.summary()}); "
          f"second crawl {second_time:.1f}s ({second.summary()})")
    return {"db": db, "base": base, "first": first, "second": second, "first_hits": first_hits,
            "second_hits": second_hits}


def articles(db: Path, base: str) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {r["url"][len(base):]: r for r in conn.execute("SELECT * FROM articles")}


def test_articles_match_the_manifest(crawled) -> None:
    stored = articles(crawled["db"], crawled["base"])
    expected = [e for e in MANIFEST if e["kind"] == "article"]
    assert len(expected) >= 30
    exact_topics = 0
    for entry in expected:
        row = stored.get(entry["path"])
        assert row is not None, f"{entry['path']} not stored"
        assert row["title"] == entry["title"], entry["path"]
        assert (row["published"] or "")[:10] == entry["published"], entry["path"]
        assert row["byline"] == entry["byline"], entry["path"]
        topics = set(json.loads(row["topics"]))
        assert topics & set(entry["topics"]), f"{entry['path']}: topics {topics} vs {entry['topics']}"
        exact_topics += topics == set(entry["topics"])
        assert row["duplicate_of"] is None, entry["path"]
        assert row["text"] and row["content_hash"] and row["fetched_at"]
    assert exact_topics >= 0.9 * len(expected)


def test_nothing_else_is_stored(crawled) -> None:
    stored = articles(crawled["db"], crawled["base"])
    for entry in MANIFEST:
        if entry["kind"] in ("offtopic", "nonarticle", "disallowed", "amp"):
            assert entry["path"] not in stored, f"{entry['kind']} page {entry['path']} stored"
    allowed = {e["path"] for e in MANIFEST if e["kind"] in ("article", "duplicate")}
    assert set(stored) <= allowed


def test_duplicates_point_at_the_earliest_copy(crawled) -> None:
    stored = articles(crawled["db"], crawled["base"])
    by_id = {row["id"]: path for path, row in stored.items()}
    duplicates = [e for e in MANIFEST if e["kind"] == "duplicate"]
    assert duplicates
    for entry in duplicates:
        original = stored[entry["duplicate_of"]]
        if declared_canonical(entry["path"]) == entry["duplicate_of"]:
            # A same-site alias declaring the original as canonical is the same article: one row.
            assert entry["path"] not in stored
            continue
        row = stored[entry["path"]]
        assert by_id.get(row["duplicate_of"]) == entry["duplicate_of"], entry["path"]
        assert original["duplicate_of"] is None


def test_politeness_and_raw_pages(crawled) -> None:
    assert not [p for p in crawled["first_hits"] if p.startswith("/private/")]
    first = crawled["first"]
    # The explicit /private/ URL is refused by robots.txt: that source fails, the crawl goes on.
    assert first.ignored >= 1 and first.error_count == 0
    assert first.sources_failed == [f"{crawled['base']}/private/embargoed-briefing.html"]
    assert first.status == "partial"
    conn = sqlite3.connect(crawled["db"])
    n_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    raw = conn.execute("SELECT body, body_size, compression FROM raw_pages WHERE article_id IS NOT NULL"
                       ).fetchall()
    assert len(raw) >= n_articles and {codec for _, _, codec in raw} == {"zstd"}
    assert all(len(decompress_raw(body, codec)) == size > len(body) for body, size, codec in raw)
    runs = conn.execute("SELECT command, status, stats FROM runs ORDER BY id").fetchall()
    assert [(r[0], r[1]) for r in runs] == [("crawl", "partial"), ("crawl", "partial")]
    assert json.loads(runs[0][2])["inserted"] == n_articles


def test_second_crawl_fetches_only_feeds_and_sitemaps(crawled) -> None:
    second = crawled["second"]
    assert second.inserted == 0 and second.updated == 0
    assert set(crawled["second_hits"]) <= DISCOVERY
    assert second.skipped_seen > 0
