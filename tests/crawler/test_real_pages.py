"""Real pages, real crawls: links that open, variants that dedupe, short briefs and undated pages kept.

The pages are the shared benchmark's real news pages (``../shared/eval/extraction``), read at test time and
never copied into the repository, served on 127.0.0.1 the way real sites serve them: only under a
trailing-slash path (the slash-less form is a 404), behind redirects, and as AMP-like copies whose
``rel=canonical`` names the article (their own canonical tags, which name the original sites, are replaced
at serve time). Every stored article's ``url`` must answer 200 with the article, and one article fetched
under several addresses must be one row.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiwatch.crawler.runtime.run import run_crawl

from aiwatch.config import Config
from aiwatch.urls import url_key

from .conftest import EXPORT_PARAGRAPHS, Route, loopback_site

pytestmark = pytest.mark.slow  # crawls in a child process

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "extraction"
needs_benchmark = pytest.mark.skipif(not (EVAL_DIR / "ground-truth.json").exists(),
                                     reason=f"no shared benchmark at {EVAL_DIR}")
_CANONICAL = re.compile(rb"<link[^>]*rel=[\"']?canonical[\"']?[^>]*>", re.I)
SHORT_BRIEF = "042bb7b5"  # a 69-word real news brief (NewsArticle markup)


def real_page(prefix: str) -> bytes:
    """The shared benchmark page whose id starts with ``prefix``, without its canonical tag."""
    (path,) = (EVAL_DIR / "html").glob(f"{prefix}*.html.gz")
    return _CANONICAL.sub(b"", gzip.decompress(path.read_bytes()))


def with_canonical(page: bytes, href: str) -> bytes:
    return re.sub(rb"<head([^>]*)>", lambda m: m.group(0) + f'<link rel="canonical" href="{href}">'.encode(),
                  page, count=1, flags=re.I)


def real_ids(count: int) -> list[str]:
    """The first ``count`` benchmark pages by id, and the short brief."""
    truth = json.loads((EVAL_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    ids = [i[:8] for i in sorted(truth) if not i.startswith(SHORT_BRIEF)][:count]
    return [*ids, SHORT_BRIEF]


def rss(items: list[str]) -> str:
    entries = "".join(f"<item><title>Story {n}</title><link>{url}</link><guid>{url}</guid></item>"
                      for n, url in enumerate(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def articles(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM articles ORDER BY id").fetchall()
    finally:
        conn.close()


@needs_benchmark
def test_real_pages_are_stored_under_links_that_open_and_their_variants_dedupe(
        crawl_config: Config, db_path: Path) -> None:
    ids = real_ids(5)
    pages = {i: real_page(i) for i in ids}
    with loopback_site() as site:
        listed: list[str] = []
        expected: dict[str, str] = {}  # page id -> the path its row must link to
        slash, redirected, amp, broken, plain, brief = ids
        # Only the trailing-slash form answers; the feed lists it.
        site.add(f"/2024/12/02/{slash}/", pages[slash])
        listed.append(site.url(f"/2024/12/02/{slash}/?utm_source=rss"))
        expected[slash] = f"/2024/12/02/{slash}/"
        # A redirect from the slash-less form to the slash form.
        site.add(f"/r/{redirected}/", pages[redirected])
        site.routes[f"/r/{redirected}"] = Route(b"", status=301, headers={"Location": f"/r/{redirected}/"})
        listed.append(site.url(f"/r/{redirected}"))
        expected[redirected] = f"/r/{redirected}/"
        # An AMP-like copy naming the article as canonical; both are listed: one row, the article's link.
        site.add(f"/story/{amp}/", pages[amp])
        site.add(f"/amp/story/{amp}", with_canonical(pages[amp], site.url(f"/story/{amp}/")))
        listed += [site.url(f"/amp/story/{amp}?utm_campaign=x"), site.url(f"/story/{amp}/#top")]
        expected[amp] = f"/story/{amp}/"
        # A canonical without its slash, which does not answer: the fetched address is kept.
        site.add(f"/b/{broken}/", with_canonical(pages[broken], f"/b/{broken}"))
        listed.append(site.url(f"/b/{broken}/"))
        expected[broken] = f"/b/{broken}/"
        # A canonical naming the site's front page (a template bug): ignored.
        site.add(f"/p/{plain}.html", with_canonical(pages[plain], site.url("/")))
        site.add("/", "<html><body><h1>Front page</h1></body></html>")
        listed.append(site.url(f"/p/{plain}.html"))
        expected[plain] = f"/p/{plain}.html"
        # A real 69-word news brief behind an AMP-like copy.
        site.add(f"/news/{brief}/index.html", pages[brief])
        site.add(f"/news/{brief}/amp/", with_canonical(pages[brief], f"/news/{brief}/index.html"))
        listed.append(site.url(f"/news/{brief}/amp/"))
        expected[brief] = f"/news/{brief}/index.html"
        site.add("/feed.xml", rss(listed), "application/rss+xml")

        # The real pages are not about the tracked disputes: the topic filter is opened for this test.
        config = crawl_config.replace(topic_min_relevance=0.0, brief_min_relevance=0.0)
        stats = run_crawl(db_path, config, feeds=[site.url("/feed.xml")])
        assert stats.errors == {}, stats.errors

        rows = articles(db_path)
        by_link = {r["url"]: r for r in rows}
        assert sorted(by_link) == sorted(site.url(p) for p in expected.values())
        assert len({r["url_key"] for r in rows}) == len(rows) == len(ids)
        for row in rows:
            status, body = fetch(row["url"])
            assert status == 200, row["url"]
            assert row["title"] and row["title"].split()[0].encode() in body, row["url"]
            assert row["url_key"] == url_key(row["url"])
        brief_row = by_link[site.url(f"/news/{brief}/index.html")]
        assert brief_row["word_count"] < 80
        # The slash-less form the key looks like is a 404 on this site, as on many real ones.
        assert fetch(site.url(f"/2024/12/02/{slash}"))[0] == 404

        # A second crawl finds every variant already decided, whatever address it was listed under.
        site.clear_hits()
        again = run_crawl(db_path, config, feeds=[site.url("/feed.xml")])
        assert (again.inserted, again.updated) == (0, 0)
        assert [p for p in site.hit_paths() if p not in ("/feed.xml", "/robots.txt")] == []


BRIEF = (
    "President Donald Trump said on Monday that Nvidia may sell its H200 AI chips to approved customers in "
    "China, with the US government taking a 25% cut of the sales. The Commerce Department is writing the "
    "licence terms, he said, loosening export controls that had barred the chip. Nvidia shares rose after "
    "the announcement."
)


def brief_page(title: str, text: str, *, og_type: str = "article", published: str | None = None) -> str:
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="{og_type}">{date}</head><body>'
            '<nav><a href="/">Home</a> <a href="/tech">Tech</a></nav>'
            f"<main><h1>{title}</h1><p>{text}</p></main><footer>Copyright Wire Test</footer></body></html>")


MARGINAL = (  # on topic, but only just (relevance between topic_min_relevance and brief_min_relevance)
    "Nvidia shares rose two percent on Monday in quiet trading. Analysts said the export controls on chips "
    "sold to China made its outlook hard to read, and investors waited for the company results later this "
    "month and for news about its new products and the wider market."
)


def undated_article(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}</article></body></html>')


def test_short_briefs_and_undated_articles_are_kept_list_pages_are_not(
        crawl_config: Config, db_path: Path) -> None:
    links = "".join(f'<li><a href="/s/{n}.html">Nvidia export controls story number {n} on H20 chips in '
                    f"China</a></li>" for n in range(12))
    tag_page = (f"<html><head><title>Tag: export controls</title></head><body><h1>Tag: export controls</h1>"
                f"<ul>{links}</ul></body></html>")
    with loopback_site() as site:
        brief_title = "Trump says Nvidia may sell H200 chips to China with a 25% cut"
        listed = [
            site.add("/wire/brief.html", brief_page(brief_title, BRIEF, published="2025-12-08T21:10:00Z")),
            site.add("/wire/undated.html", undated_article("BIS adds HBM to controls", EXPORT_PARAGRAPHS)),
            site.add("/tags/export-controls.html", tag_page),
            site.add("/wire/marginal.html",
                     brief_page("Nvidia shares rise", MARGINAL, published="2025-12-08")),
        ]
        site.add("/feed.xml", rss(listed), "application/rss+xml")
        stats = run_crawl(db_path, crawl_config, feeds=[site.url("/feed.xml")])
        assert stats.errors == {}, stats.errors
        rows = {r["url"]: r for r in articles(db_path)}
        assert sorted(rows) == [site.url("/wire/brief.html"), site.url("/wire/undated.html")]
        brief = rows[site.url("/wire/brief.html")]
        assert brief["word_count"] < 80 and brief["relevance"] >= crawl_config.brief_min_relevance
        assert (brief["published"], brief["date_source"]) == ("2025-12-08", "markup")
        undated = rows[site.url("/wire/undated.html")]
        assert (undated["published"], undated["date_source"]) == (None, "none")
        conn = sqlite3.connect(db_path)
        outcomes = dict(conn.execute("SELECT url, outcome FROM crawl_seen").fetchall())
        conn.close()
        assert outcomes[site.url("/tags/export-controls.html")] == "not_article"
        assert outcomes[site.url("/wire/marginal.html")] == "off_topic"  # a brief must be clearly on topic


def sitemap(entries: list[tuple[str, str]]) -> str:
    urls = "".join(f"<url><loc>{loc}</loc><news:news><news:publication_date>{date}</news:publication_date>"
                   "</news:news></url>" for loc, date in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


def test_dates_are_validated_and_their_source_recorded(crawl_config: Config, db_path: Path) -> None:
    """Markup, then sitemap, then text; a sitemap date that is no date is stored as none, never as is."""
    with loopback_site() as site:
        plain = undated_article("BIS adds HBM to controls", EXPORT_PARAGRAPHS)
        dated = plain.replace("<head>", '<head><meta property="article:published_time" content="2024-12-02">')
        entries = [
            (site.add("/a/sitemap-dated.html", plain), "2024-12-03T08:00:00Z"),
            (site.add("/a/garbage.html", plain.replace("HBM", "memory")), "not a date"),
            (site.add("/a/impossible.html", plain.replace("HBM", "HBM3")), "2025-13-45T99:99:99Z"),
            (site.add("/a/markup-dated.html", dated.replace("HBM", "HBM2")), "2025-13-45T99:99:99Z"),
        ]
        site.add("/news-sitemap.xml", sitemap(entries), "application/xml")
        stats = run_crawl(db_path, crawl_config, sitemaps=[site.url("/news-sitemap.xml")])
        assert stats.errors == {}, stats.errors
        found = {r["url"].rsplit("/", 1)[1]: (r["published"], r["date_source"]) for r in articles(db_path)}
        assert found == {
            "sitemap-dated.html": ("2024-12-03T08:00:00Z", "sitemap"),
            "garbage.html": (None, "none"),
            "impossible.html": (None, "none"),
            "markup-dated.html": ("2024-12-02", "markup"),
        }
