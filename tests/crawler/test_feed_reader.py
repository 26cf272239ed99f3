"""The lxml reader for plain feeds gives exactly feedparser's entries, and leaves every other feed to it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from aiwatch.crawler.sample_site import SITE_DIR
from aiwatch.crawler.spiders.formats import _feedparser_entries, parse_feed, plain_feed_entries

REPO_ROOT = Path(__file__).resolve().parents[2]


def rss(items: str, root_attrs: str = "", channel_extra: str = "", decl: str = 'encoding="utf-8"') -> bytes:
    return (f'<?xml version="1.0" {decl}?>\n<rss version="2.0"{root_attrs}><channel><title>Wire</title>'
            f"<link>https://news.test/</link><description>d</description>{channel_extra}{items}"
            "</channel></rss>").encode()


def atom(entries: str, root_attrs: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
            f"{root_attrs}><title>Desk</title><id>urn:desk</id><updated>2025-03-01T00:00:00Z</updated>"
            f"{entries}</feed>").encode()


ITEM = ("<item><title>Commerce widens chip rule</title><link>https://news.test/a/1</link><guid>n-1</guid>"
        "<pubDate>Mon, 03 Feb 2025 10:00:00 GMT</pubDate>"
        "<description>&lt;p&gt;Summary&lt;/p&gt;</description></item>")
ENTRY = ('<entry><id>urn:e:1</id><title>Lab accuses rival of distillation</title>'
         '<link rel="alternate" href="https://news.test/b/1"/><published>2025-02-28T09:30:00Z</published>'
         "<updated>2025-03-01T08:00:00Z</updated></entry>")

PLAIN = {
    "rss basic": rss(ITEM),
    "rss offset date": rss(ITEM.replace("10:00:00 GMT", "10:00:00 +0200")),
    "rss no weekday": rss(ITEM.replace("Mon, 03 Feb", "3 Feb")),
    "rss no guid": rss(ITEM.replace("<guid>n-1</guid>", "")),
    "rss no date": rss(ITEM.replace("<pubDate>Mon, 03 Feb 2025 10:00:00 GMT</pubDate>", "")),
    "rss linkless item skipped": rss(
        ITEM + '<item><title>x</title><guid isPermaLink="false">n-2</guid></item>'),
    "rss extensions": rss(
        ITEM.replace("</item>", "<content:encoded><![CDATA[<p>Body</p>]]></content:encoded>"
                                "<dc:creator>A. Writer</dc:creator><category>chips</category></item>"),
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"',
        '<atom:link href="https://news.test/feed" rel="self" type="application/rss+xml"/>'),
    "rss unicode title": rss(
        ITEM.replace("Commerce widens chip rule", "Huawei’s Ascend: Beijing’s answer — 华为")),
    "rss cdata title": rss(ITEM.replace("Commerce widens chip rule", "<![CDATA[Plain title in CDATA]]>")),
    "rss many items": rss(
        "".join(ITEM.replace("/a/1", f"/a/{i}").replace("n-1", f"n-{i}") for i in range(50))),
    "rss entities": rss(ITEM.replace("Commerce widens", "Commerce &amp; BIS widen &#8217;").replace(
        "/a/1<", "/a/1?utm_source=rss&amp;id=7<")),
    "atom entities": atom(ENTRY.replace("Lab accuses", "Lab &amp; desk accuse").replace(
        'b/1"', 'b/1?utm_source=rss&amp;id=7"')),
    "atom basic": atom(ENTRY),
    "atom updated only": atom(ENTRY.replace("<published>2025-02-28T09:30:00Z</published>", "")),
    "atom link without rel": atom(ENTRY.replace('rel="alternate" ', "")),
    "atom self and alternate": atom(ENTRY.replace("<updated>", '<link rel="self" href="https://news.test/s/1"/>'
                                                               "<updated>")),
    "atom offset": atom(ENTRY.replace("09:30:00Z", "09:30:00+02:00")),
}
NOT_PLAIN = {
    "rss markup in title": rss(ITEM.replace("Commerce widens", "Commerce &lt;b&gt;widens&lt;/b&gt;")),
    "rss padded link": rss(ITEM.replace("<link>https://news.test/a/1", "<link>\n  https://news.test/a/1")),
    "rss named zone": rss(ITEM.replace("10:00:00 GMT", "10:00:00 EST")),
    "rss short time": rss(ITEM.replace("10:00:00 GMT", "10:00 GMT")),
    "rss dc:date": rss(ITEM.replace("</item>", "<dc:date>2025-02-03T10:00:00Z</dc:date></item>"),
                       ' xmlns:dc="http://purl.org/dc/elements/1.1/"'),
    "rss atom:link in item": rss(ITEM.replace("</item>", '<atom:link href="https://x.test/"/></item>'),
                                 ' xmlns:atom="http://www.w3.org/2005/Atom"'),
    "rss xml:base": rss(ITEM, ' xml:base="https://elsewhere.test/"'),
    "rss permalink guid, no link": rss("<item><title>t</title><guid>https://news.test/g/1</guid></item>"),
    "rss two links": rss(ITEM.replace("</item>", "<link>https://news.test/a/2</link></item>")),
    "rss 0.91": rss(ITEM).replace(b'version="2.0"', b'version="0.91"'),
    "rss undeclared entity": rss(ITEM.replace("rule", "rule&nbsp;now")),
    "rss broken": rss(ITEM)[:-20],
    "atom html title": atom(ENTRY.replace("<title>", '<title type="html">')),
    "atom pdf link": atom(ENTRY.replace('href="https://news.test/b/1"',
                                        'href="https://news.test/b/1" type="application/pdf"')),
    "rss impossible date": rss(ITEM.replace("Mon, 03 Feb", "Mon, 31 Feb")),
    "rss unknown offset": rss(ITEM.replace("10:00:00 GMT", "10:00:00 -0000")),
    "atom impossible date": atom(ENTRY.replace("2025-02-28T09:30", "2025-02-30T09:30")),
    "atom fractional seconds": atom(ENTRY.replace("09:30:00Z", "09:30:00.250Z")),
    "atom no alternate": atom(ENTRY.replace('rel="alternate"', 'rel="related"')),
    "atom extension": atom(ENTRY.replace("</entry>", "<media:title>m</media:title></entry>"),
                           ' xmlns:media="http://search.yahoo.com/mrss/"'),
    "rdf": (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.test/"><title>t</title></channel>'
            b'<item rdf:about="https://news.test/r/1"><title>r</title><link>https://news.test/r/1</link></item>'
            b"</rdf:RDF>"),
}


def sample_site_feeds() -> dict[str, bytes]:
    return {name: (SITE_DIR / name).read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:8000")
            for name in ("feed.xml", "atom.xml")}


def check_plain(body: bytes) -> None:
    fast = plain_feed_entries(body)
    assert fast is not None, "expected the lxml reader to take this feed"
    assert fast == _feedparser_entries(body)
    assert parse_feed(body) == fast
    assert fast, "no entries"


@pytest.mark.parametrize("name", [*PLAIN, *sample_site_feeds()])
def test_plain_feeds_are_read_by_lxml_with_feedparsers_entries(name):
    check_plain(PLAIN.get(name) or sample_site_feeds()[name])


def test_the_benchmark_sites_feed_is_plain(tmp_path):
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    synth.build_site(tmp_path, 30)
    check_plain((tmp_path / "feed.xml").read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:8000"))


@pytest.mark.parametrize("name", NOT_PLAIN)
def test_other_feeds_are_left_to_feedparser(name):
    assert plain_feed_entries(NOT_PLAIN[name]) is None


def test_a_feed_in_latin_1_is_decoded_by_its_declaration():
    body = rss(ITEM.replace("Commerce widens", "Régulateur élargit"), decl='encoding="iso-8859-1"')
    body = body.decode("utf-8").encode("iso-8859-1")
    fast = plain_feed_entries(body)
    assert fast is not None and fast[0].title == "Régulateur élargit chip rule"
    assert fast == _feedparser_entries(body)
