"""Pure parsers for feeds, sitemaps and API responses (bytes -> entries)."""

from __future__ import annotations

import gzip
import json

import pytest
from aiwatch.crawler.spiders.formats import (
    FormatError,
    is_before,
    parse_federal_register,
    parse_feed,
    parse_gdelt,
    parse_since,
    parse_sitemap,
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title><link>http://a.test/</link><description>d</description>
<item><title>One</title><link>http://a.test/1</link><guid>g-1</guid>
<pubDate>Mon, 03 Feb 2025 10:00:00 GMT</pubDate></item>
<item><title>No link</title><guid isPermaLink="false">g-2</guid></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:feed</id><updated>2025-01-02T00:00:00Z</updated>
<entry><id>urn:e1</id><title>Two</title><link rel="alternate" href="http://a.test/2"/>
<updated>2025-01-02T00:00:00Z</updated></entry></feed>"""


def test_rss_entries_with_dates_and_fingerprints() -> None:
    entries = parse_feed(RSS)
    assert [e.url for e in entries] == ["http://a.test/1"]
    assert entries[0].title == "One"
    assert entries[0].published == "2025-02-03T10:00:00+00:00"
    changed = parse_feed(RSS.replace(b"10:00:00", b"11:00:00"))
    assert changed[0].fingerprint != entries[0].fingerprint
    assert parse_feed(RSS)[0].fingerprint == entries[0].fingerprint


def test_atom_entries() -> None:
    (entry,) = parse_feed(ATOM)
    assert entry.url == "http://a.test/2"
    assert entry.published == "2025-01-02T00:00:00+00:00"


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty body"),
    (b"   \n", "empty body"),
    (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "HTML page"),
    (b"<?xml version='1.0'?>\n<rss version='2.0'>\n<channel><item><title>x</chan", "not XML (line 3)"),
    (b"just some text", "not XML (line 1)"),
    (b"<?xml version='1.0'?><catalog><book/></catalog>", "no RSS or Atom root element"),
])
def test_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_feed(body)
    assert str(info.value) == reason


def test_large_feed_parses() -> None:
    items = "".join(f"<item><title>n{i}</title><link>http://a.test/{i}</link></item>" for i in range(10_000))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    entries = parse_feed(body.encode())
    assert len(entries) == 10_000
    assert len({e.fingerprint for e in entries}) == 10_000


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://a.test/sitemap.xml</loc><lastmod>2025-03-01</lastmod></sitemap>
<sitemap><loc>http://a.test/news-sitemap.xml</loc></sitemap>
</sitemapindex>"""
NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://a.test/n1</loc><news:news><news:publication><news:name>A</news:name>
<news:language>en</news:language></news:publication>
<news:publication_date>2025-04-16T08:00:00Z</news:publication_date>
<news:title>Headline</news:title></news:news></url>
<url><loc>http://a.test/n2</loc><lastmod>2024-01-01</lastmod></url>
</urlset>"""


def test_sitemap_index_and_news_sitemap() -> None:
    index = parse_sitemap(SITEMAP_INDEX)
    assert index.kind == "index"
    assert [e.url for e in index.entries] == ["http://a.test/sitemap.xml", "http://a.test/news-sitemap.xml"]
    assert index.entries[0].modified == "2025-03-01"
    news = parse_sitemap(NEWS_SITEMAP)
    assert news.kind == "urlset"
    first, second = news.entries
    assert (first.url, first.published) == ("http://a.test/n1", "2025-04-16T08:00:00Z")
    assert first.title == "Headline"
    assert (second.published, second.modified) == (None, "2024-01-01")
    assert parse_sitemap(gzip.compress(NEWS_SITEMAP)).entries == news.entries


@pytest.mark.parametrize("bad", ["not a date", "2025-13-45T99:99:99Z", "1970-01-01"])
def test_a_news_sitemap_date_that_is_no_date_is_no_date(bad: str) -> None:
    """Issue 18, point 6: an unparseable ``<news:publication_date>`` never reaches the database."""
    news = parse_sitemap(NEWS_SITEMAP.replace(b"2025-04-16T08:00:00Z", bad.encode()))
    assert news.entries[0].published is None and news.entries[0].url == "http://a.test/n1"


@pytest.mark.parametrize("body", [b"", b"<html><body>x</body></html>", b"<urlset><url>", b"<rss/>"])
def test_bad_sitemaps(body: bytes) -> None:
    with pytest.raises(FormatError):
        parse_sitemap(body)


def test_sitemap_ignores_entities() -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>http://a.test/&x;</loc></url></urlset>")
    try:
        entries = parse_sitemap(body).entries
    except FormatError:
        return
    assert all("root:" not in e.url for e in entries)


def test_gdelt() -> None:
    body = json.dumps({"articles": [
        {"url": "https://news.test/a", "title": "A", "seendate": "20250129T143000Z", "language": "English"},
        {"title": "no url"},
    ]}).encode()
    (entry,) = parse_gdelt(body)
    assert entry.url == "https://news.test/a"
    assert entry.published == "2025-01-29T14:30:00+00:00"
    assert entry.hint("language") == "English"
    assert parse_gdelt(b"{}") == []
    with pytest.raises(FormatError, match="not JSON"):
        parse_gdelt(b"Your search contained a phrase that was too short.")


def test_federal_register() -> None:
    body = json.dumps({"count": 2, "next_page_url": "https://fr.test/api?page=2", "results": [
        {"document_number": "2025-00636", "publication_date": "2025-01-15", "title": "AI Diffusion",
         "abstract": "BIS revises the EAR.", "html_url": "https://fr.test/d/2025-00636",
         "body_html_url": "https://fr.test/d/2025-00636/body.html", "type": "Rule"},
        {"document_number": "x"},
    ]}).encode()
    page = parse_federal_register(body)
    (entry,) = page.entries
    assert entry.url == "https://fr.test/d/2025-00636"
    assert entry.hint("fetch_url") == "https://fr.test/d/2025-00636/body.html"
    assert entry.hint("doc_number") == "2025-00636"
    assert entry.published == "2025-01-15"
    assert page.next_page_url == "https://fr.test/api?page=2"


def test_since() -> None:
    since = parse_since("2025-03-01")
    assert is_before("2025-02-28T23:59:00+00:00", since)
    assert not is_before("2025-03-01", since)
    assert not is_before(None, since)
    assert not is_before("garbage", since)
    with pytest.raises(ValueError):
        parse_since("yesterday")
