"""Storage functions over a real SQLite file: upsert, duplicate clusters, the crawl_seen ledger."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from aiwatch.crawler.items import PageItem
from aiwatch.crawler.page.fingerprints import content_hash, simhash
from aiwatch.crawler.pipelines.fingerprint import set_address
from aiwatch.crawler.store.articles import (
    load_simhash_index,
    raw_body,
    record_seen,
    should_fetch,
    store_article,
    store_raw,
)

from aiwatch.db import connect, transaction

TEXT = ("The Bureau of Industry and Security said on Tuesday that exports of the Nvidia H20 to China now "
        "need a licence, and Nvidia said it expects a charge of about five and a half billion dollars. ") * 4


def item(url: str, text: str = TEXT, published: str | None = "2025-04-16", title: str = "H20") -> PageItem:
    page = PageItem(url=url, seen_key=url, response_url=url, status=200, headers={},
                    body=f"<html><body><p>{text}</p></body></html>".encode(), content_type="text/html")
    set_address(page, url)
    page.title, page.published, page.text = title, published, text
    page.topics, page.relevance = ["export-controls"], 5.0
    page.content_hash, page.simhash = content_hash(text), simhash(text)
    return page


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    c = connect(db_path)
    yield c
    c.close()


def test_insert_then_unchanged_then_updated(conn: sqlite3.Connection) -> None:
    index = load_simhash_index(conn, 10)
    first = store_article(conn, item("https://a.test/1"), index)
    assert first.action == "inserted" and first.duplicate_of is None
    again = store_article(conn, item("https://a.test/1"), index)
    assert (again.action, again.article_id) == ("unchanged", first.article_id)
    conn.execute("UPDATE articles SET extractor_version = 'x1' WHERE id = ?", (first.article_id,))
    changed = store_article(conn, item("https://a.test/1", TEXT + " Update: shares fell."), index)
    assert (changed.action, changed.article_id) == ("updated", first.article_id)
    row = conn.execute("SELECT * FROM articles").fetchone()
    assert row["text"].endswith("shares fell.") and row["updated_at"] and row["extractor_version"] is None
    assert json.loads(row["topics"]) == ["export-controls"] and row["source"] == "a.test"
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_copies_point_at_the_earliest_even_when_it_arrives_last(conn: sqlite3.Connection) -> None:
    index = load_simhash_index(conn, 10)
    late = store_article(conn, item("https://b.test/late", published="2025-04-18"), index)
    near = store_article(conn, item("https://c.test/near", TEXT + " By the desk.", "2025-04-17"), index)
    assert near.duplicate_of is None and near.newly_marked == 1  # published before the first copy
    assert conn.execute("SELECT duplicate_of FROM articles WHERE id = ?", (late.article_id,)).fetchone()[0] \
        == near.article_id
    early = store_article(conn, item("https://a.test/orig", published="2025-04-16"), index)
    assert early.duplicate_of is None and early.newly_marked == 1  # "late" was a duplicate already
    marks = dict(conn.execute("SELECT url, duplicate_of FROM articles").fetchall())
    assert marks == {"https://b.test/late": early.article_id, "https://c.test/near": early.article_id,
                     "https://a.test/orig": None}
    other = store_article(conn, item("https://d.test/other", "A different story about a bicycle lane. " * 30),
                          index)
    assert other.duplicate_of is None


def test_index_is_rebuilt_from_the_database(conn: sqlite3.Connection) -> None:
    store_article(conn, item("https://a.test/1"), load_simhash_index(conn, 10))
    index = load_simhash_index(conn, 10)
    later = store_article(conn, item("https://b.test/2", published="2025-05-01"), index)
    assert later.duplicate_of is not None


def test_ledger_and_fingerprints_per_origin(conn: sqlite3.Connection) -> None:
    key = "https://a.test/1"
    assert should_fetch(conn, key, "feed-a", "f1")
    record_seen(conn, key, "error", origin="feed-a", fingerprint="f1")
    assert should_fetch(conn, key, "feed-a", "f1")  # failures are retried
    record_seen(conn, key, "off_topic", origin="feed-a", fingerprint="f1")
    assert not should_fetch(conn, key, "feed-a", "f1")
    assert should_fetch(conn, key, "feed-a", "f2")  # the entry changed
    assert not should_fetch(conn, key, "sitemap-b", "s1")  # first sighting elsewhere: remembered, no fetch
    assert not should_fetch(conn, key, "sitemap-b", "s1")
    assert should_fetch(conn, key, "sitemap-b", "s2")
    assert not should_fetch(conn, key, "urls", None)
    stored = json.loads(conn.execute("SELECT fingerprint FROM crawl_seen").fetchone()[0])
    assert stored == {"feed-a": "f1", "sitemap-b": "s1"}


def test_raw_page_round_trip(conn: sqlite3.Connection) -> None:
    page = item("https://a.test/1")
    with transaction(conn):
        result = store_article(conn, page)
        store_raw(conn, page, result.article_id)
    assert raw_body(conn, "https://a.test/1") == page.body
    size, stored = conn.execute("SELECT body_size, length(body) FROM raw_pages").fetchone()
    assert size == len(page.body) > stored


def test_variants_of_one_address_are_one_article_under_the_link_that_opened(conn: sqlite3.Connection) -> None:
    """The key dedupes ``/story`` and ``/story/``; the row keeps a link a reader can open (the fetched one),
    and a changed article takes the link it was last fetched at."""
    index = load_simhash_index(conn, 10)
    first = store_article(conn, item("https://a.test/2024/12/02/story/?utm_source=rss"), index)
    again = store_article(conn, item("https://a.test/2024/12/02/story"), index)
    assert (again.action, again.article_id) == ("unchanged", first.article_id)
    row = conn.execute("SELECT url, url_key FROM articles").fetchone()
    assert tuple(row) == ("https://a.test/2024/12/02/story/", "https://a.test/2024/12/02/story")
    store_article(conn, item("https://a.test/2024/12/02/story/index.html", TEXT + " Updated."), index)
    assert conn.execute("SELECT url FROM articles").fetchone()[0] == "https://a.test/2024/12/02/story/index.html"
    with pytest.raises(sqlite3.IntegrityError):  # one row per key, whoever writes
        conn.execute("INSERT INTO articles (url, url_key) VALUES ('https://a.test/other', ?)", (row[1],))


@pytest.mark.parametrize("bad", ["not a date", "2025-13-45T99:99:99Z", "  ", "2999-01-01"])
def test_an_invalid_date_is_stored_as_missing(conn: sqlite3.Connection, bad: str) -> None:
    """Issue 18, point 6: a date that is no date (from a sitemap hint, markup or text) is never stored."""
    page = item("https://a.test/bad-date", published=bad)
    page.date_source = "sitemap"
    store_article(conn, page, load_simhash_index(conn, 10))
    row = conn.execute("SELECT published, date_source FROM articles").fetchone()
    assert tuple(row) == (None, "none")


def test_a_copy_stored_first_gives_way_to_the_article_s_own_address(conn: sqlite3.Connection) -> None:
    """An AMP copy whose canonical article is fetched later in the crawl is stored under the article's key
    and its own (working) address; the article, when it arrives, gives the row its own address, and a later
    copy never takes it back."""
    index = load_simhash_index(conn, 10)
    copy = item("https://a.test/amp/x/story.html")
    copy.url_key = "https://a.test/news/story"  # the key of its rel=canonical (crawler/pipelines/link.py)
    first = store_article(conn, copy, index)
    assert conn.execute("SELECT url FROM articles").fetchone()[0] == "https://a.test/amp/x/story.html"
    article = store_article(conn, item("https://a.test/news/story/"), index)
    assert (article.action, article.article_id) == ("unchanged", first.article_id)
    assert conn.execute("SELECT url FROM articles").fetchone()[0] == "https://a.test/news/story/"
    changed = item("https://a.test/amp/x/story.html", TEXT + " Updated.")
    changed.url_key = "https://a.test/news/story"
    assert store_article(conn, changed, index).action == "updated"
    assert conn.execute("SELECT url FROM articles").fetchone()[0] == "https://a.test/news/story/"
