"""End-to-end crawls of a small site written by these tests, served on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from aiwatch.crawler.runtime.run import run_crawl
from aiwatch.crawler.store.compression import decompress_raw

from aiwatch.cli.crawl import recorded_crawl
from aiwatch.config import Config

# Every test here runs a crawl in a child process (run_crawl): the quick pass leaves them out.
pytestmark = pytest.mark.slow



def rows(db: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_feed_crawl_stores_articles_as_contracted(news_site, crawl_config: Config, db_path: Path) -> None:
    base = news_site.base_url
    stats = recorded_crawl(db_path, crawl_config, feeds=[news_site.url("/feed.xml")])

    articles = {r["url"]: r for r in rows(db_path, "SELECT * FROM articles")}
    expected = {f"{base}/news/distill.html", f"{base}/news/h20.html", f"{base}/wire/h20-copy.html"}
    assert set(articles) == expected
    distill = articles[f"{base}/news/distill.html"]
    assert distill["title"] == "OpenAI says DeepSeek distilled its models"
    assert distill["byline"] == "Ana Ruiz"
    assert distill["published"].startswith("2025-01-29")
    assert distill["source"] == "127.0.0.1:" + base.rsplit(":", 1)[1]
    # No publisher metadata on the page: the outlet is the title of the same-site feed that listed it.
    assert distill["outlet"] == "Test News"
    assert distill["language"] == "en"
    assert "distillation" in json.loads(distill["topics"])
    assert distill["relevance"] >= crawl_config.topic_min_relevance
    assert distill["fetched_at"] and distill["content_hash"] and distill["simhash"]
    assert distill["kind"] == "article" and distill["duplicate_of"] is None
    assert "terms of service" in distill["text"] and "Copyright Test News" not in distill["text"]

    # The syndicated copy points at the earlier original.
    original, copy = articles[f"{base}/news/h20.html"], articles[f"{base}/wire/h20-copy.html"]
    assert copy["duplicate_of"] == original["id"] and original["duplicate_of"] is None
    assert "export-controls" in json.loads(original["topics"])

    # Off-topic, non-article and robots-disallowed pages are not stored; /private/ was never requested.
    assert not any("bikes" in u or "about" in u or "private" in u for u in articles)
    assert not [p for p in news_site.hit_paths() if p.startswith("/private/")]
    assert news_site.hit_paths().count("/news/distill.html") == 1  # tracking-parameter variant collapsed

    # Full-text search works over the stored text.
    hits = rows(db_path, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Hangzhou'")
    assert [h[0] for h in hits] == [distill["id"]]

    # Raw responses are kept compressed.
    raw = rows(db_path, "SELECT * FROM raw_pages WHERE article_id = ?", distill["id"])
    assert raw and raw[0]["status"] == 200
    assert b"terms of service" in decompress_raw(raw[0]["body"], raw[0]["compression"])
    assert raw[0]["body_size"] > len(raw[0]["body"])

    # The ledger remembers every decision, the run is recorded, the stats add up.
    outcomes = {r["url"]: r["outcome"] for r in rows(db_path, "SELECT url, outcome FROM crawl_seen")}
    assert outcomes[f"{base}/local/bikes.html"] == "off_topic"
    assert outcomes[f"{base}/about.html"] == "not_article"
    assert outcomes[f"{base}/wire/h20-copy.html"] == "stored"
    assert (stats.inserted, stats.off_topic, stats.not_article, stats.duplicates) == (3, 1, 1, 1)
    assert stats.error_count == 0 and stats.status == "ok"
    (run,) = rows(db_path, "SELECT * FROM runs")
    assert run["command"] == "crawl" and run["status"] == "ok" and run["finished_at"]
    assert json.loads(run["stats"])["inserted"] == 3
    assert stats.summary().startswith("crawl: ")
    assert ("3 articles stored (1 of them syndicated copies), 2 rejected (1 off-topic, 1 not articles), "
            "0 errors") in stats.summary()


def test_second_crawl_fetches_only_the_feed(news_site, crawl_config: Config, db_path: Path) -> None:
    run_crawl(db_path, crawl_config, feeds=[news_site.url("/feed.xml")])
    before = rows(db_path, "SELECT count(*) FROM articles")[0][0]
    news_site.clear_hits()
    second = run_crawl(db_path, crawl_config, feeds=[news_site.url("/feed.xml")])
    assert rows(db_path, "SELECT count(*) FROM articles")[0][0] == before
    assert second.inserted == 0 and second.stored == 0
    assert sorted(news_site.hit_paths()) == ["/feed.xml", "/robots.txt"]
    assert second.skipped_seen >= 5

    # A changed feed entry (new pubDate) is fetched again; the others are not.
    feed = news_site.routes["/feed.xml"]
    feed.body = feed.body.replace("Wed, 16 Apr 2025 09:00:00 GMT", "Thu, 17 Apr 2025 10:00:00 GMT")
    news_site.clear_hits()
    third = run_crawl(db_path, crawl_config, feeds=[news_site.url("/feed.xml")])
    assert sorted(news_site.hit_paths()) == ["/feed.xml", "/news/h20.html", "/robots.txt"]
    assert third.inserted == 0 and third.updated + third.unchanged == 1
    assert rows(db_path, "SELECT count(*) FROM articles")[0][0] == before


def test_run_crawl_records_no_run(news_site, crawl_config: Config, db_path: Path) -> None:
    """The library crawls; the command that runs it (``aiwatch crawl``, ``aiwatch update``) records it."""
    stats = run_crawl(db_path, crawl_config, feeds=[news_site.url("/feed.xml")])
    assert stats.inserted == 3
    assert rows(db_path, "SELECT count(*) FROM runs")[0][0] == 0


def test_since_skips_older_entries(news_site, crawl_config: Config, db_path: Path) -> None:
    stats = run_crawl(db_path, crawl_config, feeds=[news_site.url("/feed.xml")], since="2025-04-01")
    urls = [r[0] for r in rows(db_path, "SELECT url FROM articles")]
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == ["h20-copy.html", "h20.html"]
    assert "/news/distill.html" not in news_site.hit_paths()
    assert stats.skipped_since == 5


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    ("<!doctype html><html><body><p>Not a feed</p></body></html>", "text/html", "HTML page"),
    ("<?xml version='1.0'?>\n<rss version='2.0'>\n<channel><item><title>broken</chan", "application/xml",
     "not XML (line 3)"),
    ("", "application/rss+xml", "empty body"),
])
def test_bad_feed_is_logged_counted_and_the_crawl_goes_on(
    news_site, crawl_config: Config, db_path: Path, capfd: pytest.CaptureFixture[str],
    body: str, content_type: str, reason: str,
) -> None:
    bad = news_site.add("/bad-feed.xml", body, content_type)
    stats = recorded_crawl(db_path, crawl_config, feeds=[bad, news_site.url("/feed.xml")])
    err = capfd.readouterr().err
    assert f"feed {bad}: not a feed ({reason})" in err
    assert "Traceback" not in err
    assert stats.errors == {"not_a_feed": 1}
    assert stats.sources_failed == [bad] and stats.status == "partial"
    assert stats.inserted == 3
    run = rows(db_path, "SELECT status, stats FROM runs")[0]
    assert run["status"] == "partial" and json.loads(run["stats"])["errors"] == {"not_a_feed": 1}


def test_every_source_failing_is_a_failed_run(site, crawl_config: Config, db_path: Path) -> None:
    site.add("/feed.xml", "<html><body>moved</body></html>", "text/html")
    stats = recorded_crawl(db_path, crawl_config, feeds=[site.url("/feed.xml"), site.url("/missing.xml")])
    assert stats.all_failed and stats.status == "failed"
    assert stats.errors == {"http_404": 1, "not_a_feed": 1}
    assert rows(db_path, "SELECT status FROM runs")[0][0] == "failed"


def test_explicit_urls_and_sitemap(news_site, crawl_config: Config, db_path: Path) -> None:
    news_site.add("/sitemap.xml", (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>{{BASE_URL}}/news/h20.html</loc><lastmod>2025-04-16</lastmod></url>"
        "<url><loc>{{BASE_URL}}/private/secret.html</loc></url></urlset>"), "application/xml")
    stats = run_crawl(db_path, crawl_config, sitemaps=[news_site.url("/sitemap.xml")],
                      urls=[news_site.url("/news/distill.html#comments")])
    urls = sorted(r[0].rsplit("/", 1)[1] for r in rows(db_path, "SELECT url FROM articles"))
    assert urls == ["distill.html", "h20.html"]
    assert stats.status == "ok" and stats.ignored == 1  # /private/ refused by robots.txt
    # No publisher metadata and no feed: the outlet falls back to the domain.
    assert {r[0] for r in rows(db_path, "SELECT outlet = source FROM articles")} == {1}
    assert "/private/secret.html" not in news_site.hit_paths()
    assert set(stats.spiders) == {"sitemap", "urls"}


def test_sitemap_index_and_news_sitemap_respect_since(news_site, crawl_config: Config, db_path: Path) -> None:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    news_site.add("/sitemap_index.xml", (
        f'<?xml version="1.0"?><sitemapindex {ns}>'
        "<sitemap><loc>{{BASE_URL}}/old-sitemap.xml</loc><lastmod>2024-06-01</lastmod></sitemap>"
        "<sitemap><loc>{{BASE_URL}}/news-sitemap.xml</loc><lastmod>2025-04-20</lastmod></sitemap>"
        "</sitemapindex>"), "application/xml")
    news_site.add("/old-sitemap.xml", f'<?xml version="1.0"?><urlset {ns}></urlset>', "application/xml")
    news_site.add("/news-sitemap.xml", (
        f'<?xml version="1.0"?><urlset {ns} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>{{BASE_URL}}/news/h20.html</loc><news:news><news:publication_date>2025-04-16T09:00:00Z"
        "</news:publication_date><news:title>H20</news:title></news:news></url>"
        "<url><loc>{{BASE_URL}}/news/distill.html</loc><news:news><news:publication_date>2025-01-29"
        "</news:publication_date><news:title>Distill</news:title></news:news></url></urlset>"),
        "application/xml")
    index = news_site.url("/sitemap_index.xml")
    stats = run_crawl(db_path, crawl_config, sitemaps=[index], since="2025-03-01")
    hits = news_site.hit_paths()
    assert "/old-sitemap.xml" not in hits and "/news/distill.html" not in hits
    urls = [r[0] for r in rows(db_path, "SELECT url FROM articles")]
    assert urls == [news_site.url("/news/h20.html")]
    assert stats.skipped_since == 2


def test_relative_feed_links_are_resolved(news_site, crawl_config: Config, db_path: Path) -> None:
    news_site.add("/relative.xml", (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>/</link><description>d'
        "</description><item><title>H20</title><link>/news/h20.html</link>"
        "<pubDate>Wed, 16 Apr 2025 09:00:00 GMT</pubDate></item></channel></rss>"), "application/rss+xml")
    stats = run_crawl(db_path, crawl_config, feeds=[news_site.url("/relative.xml")])
    assert stats.inserted == 1 and "/news/h20.html" in news_site.hit_paths()
