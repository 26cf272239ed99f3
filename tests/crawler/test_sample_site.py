"""The bundled sample site: served over real loopback HTTP, checked against its manifest."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
import trafilatura
from aiwatch.crawler.sample_site import MANIFEST_PATH, SITE_DIR, load_manifest, serve
from aiwatch.crawler.sample_site.build import CONTENT_DIR, build
from aiwatch.crawler.sample_site.pages import load_sources
from aiwatch.crawler.sample_site.server import content_type

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
CONTENT_KINDS = ("article", "offtopic", "duplicate", "amp")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The bundled site served on a free loopback port for the whole module."""
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def manifest() -> list[dict]:
    return load_manifest()


def fetch(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    """(status, content type, body) for ``url``; HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def page_html(base_url: str, path: str) -> str:
    status, _, body = fetch(base_url + path)
    assert status == 200, path
    return body.decode("utf-8")


def tree_bytes(root: Path) -> dict[Path, bytes]:
    """Every file under ``root`` by relative path."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def date_forms(iso_date: str) -> list[str]:
    """The textual forms a publication date may take in the markup."""
    y, m, d = (int(x) for x in iso_date.split("-"))
    month = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"][m - 1]
    return [iso_date, f"{month} {d}, {y}", f"{d} {month} {y}", f"{month[:3]}. {d}, {y}"]


def test_manifest_meets_minimums(manifest: list[dict]) -> None:
    kinds = Counter(e["kind"] for e in manifest)
    assert kinds["article"] >= 36
    assert kinds["offtopic"] >= 6
    assert kinds["amp"] >= 1
    assert kinds["disallowed"] >= 1
    by_path = {e["path"]: e for e in manifest}
    dups = [e for e in manifest if e["kind"] == "duplicate"]
    syndicated = [e for e in dups if e["outlet"] != by_path[e["duplicate_of"]]["outlet"]]
    assert len(syndicated) >= 3
    assert any(e["outlet"] == by_path[e["duplicate_of"]]["outlet"] for e in dups), "an exact duplicate"
    nonarticles = {e["path"] for e in manifest if e["kind"] == "nonarticle"}
    assert {"/", "/about.html", "/tags/distillation.html"} <= nonarticles
    articles = [e for e in manifest if e["kind"] == "article"]
    assert len({e["outlet"] for e in articles}) >= 5
    assert {e["published"][:4] for e in articles} >= {"2023", "2024", "2025", "2026"}
    assert all(e["topics"] and set(e["topics"]) <= {"distillation", "export-controls"} for e in articles)
    for topic in ("distillation", "export-controls"):
        assert sum(topic in e["topics"] for e in articles) >= 12
    assert all(e["topics"] == [] for e in manifest if e["kind"] == "offtopic")
    assert all(e["path"].startswith("/private/") for e in manifest if e["kind"] == "disallowed")
    assert len(by_path) == len(manifest), "paths must be unique"
    for e in manifest:
        assert set(e) == {"path", "kind", "outlet", "title", "published", "byline", "topics",
                          "duplicate_of", "in"}
        assert (e["duplicate_of"] is not None) == (e["kind"] in ("duplicate", "amp"))
        if e["duplicate_of"]:
            assert by_path[e["duplicate_of"]]["kind"] == "article"
        if e["kind"] in CONTENT_KINDS:
            assert re.fullmatch(r"20(2[3-6])-\d\d-\d\d", e["published"]), e
            assert e["in"], f"{e['path']} is reachable from no feed or sitemap"


def test_article_lengths_are_in_range() -> None:
    for page in load_sources(CONTENT_DIR):
        if page.kind == "article":
            assert 300 <= page.words() <= 900, (page.source, page.words())


def test_committed_site_matches_a_fresh_build(tmp_path: Path) -> None:
    fresh = build(tmp_path / "site", tmp_path / "manifest.json")
    assert fresh == load_manifest(), "manifest.json is stale: run python -m aiwatch.crawler.sample_site.build"
    built, committed = tree_bytes(tmp_path / "site"), tree_bytes(SITE_DIR)
    assert built.keys() == committed.keys()
    stale = [str(k) for k in built if built[k] != committed[k]]
    assert not stale, f"site/ is stale ({stale[:3]}): run python -m aiwatch.crawler.sample_site.build"


def test_every_page_is_served_with_type_and_no_placeholder(base_url: str, manifest: list[dict]) -> None:
    extra = ["/feed.xml", "/atom.xml", "/sitemap_index.xml", "/sitemap.xml", "/news-sitemap.xml",
             "/robots.txt"]
    for path in [e["path"] for e in manifest] + extra:
        status, ctype, body = fetch(base_url + path)
        assert status == 200, path
        assert b"{{BASE_URL}}" not in body, path
        if path.endswith(".txt"):
            assert ctype.startswith("text/plain"), (path, ctype)
        elif path.endswith(".xml"):
            assert ctype.split(";")[0] in ("application/rss+xml", "application/atom+xml", "application/xml")
        else:
            assert ctype == "text/html; charset=utf-8", (path, ctype)
            assert body.lstrip().lower().startswith(b"<!doctype html>"), path
    assert fetch(base_url + "/feed.xml")[1].startswith("application/rss+xml")
    assert fetch(base_url + "/atom.xml")[1].startswith("application/atom+xml")


def test_server_paths_and_errors(base_url: str) -> None:
    assert fetch(base_url + "/")[2] == fetch(base_url + "/index.html")[2]
    assert fetch(base_url + "/tech")[2] == fetch(base_url + "/tech/index.html")[2]
    assert fetch(base_url + "/no/such/page.html")[0] == 404
    assert fetch(base_url + "/../../../../etc/passwd")[0] == 404
    assert fetch(base_url + "/%2e%2e/%2e%2e/manifest.json")[0] == 404
    status, _, body = fetch(base_url + "/about.html", method="HEAD")
    assert (status, body) == (200, b"")
    home = page_html(base_url, "/")
    assert f'href="{base_url}/feed.xml"' in home
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)


def test_serve_substitutes_placeholder_in_any_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text("<p>{{BASE_URL}}/x</p>", encoding="utf-8")
    (tmp_path / "data.bin").write_bytes(b"{{BASE_URL}}")
    with serve(tmp_path) as url:
        assert fetch(url + "/sub/")[2] == f"<p>{url}/x</p>".encode()
        assert fetch(url + "/data.bin")[2] == b"{{BASE_URL}}"
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/sub/", timeout=2)


def test_internal_links_resolve(base_url: str, manifest: list[dict]) -> None:
    broken = set()
    for entry in manifest:
        for href in re.findall(r'(?:href|src)="([^"]+)"', page_html(base_url, entry["path"])):
            url = urljoin(base_url + entry["path"], html.unescape(href))
            if url.startswith(base_url) and fetch(base_url + urlsplit(url).path)[0] != 200:
                broken.add((entry["path"], href))
    assert not broken


def test_content_types() -> None:
    assert content_type(Path("feed.xml")) == "application/rss+xml; charset=utf-8"
    assert content_type(Path("atom.xml")) == "application/atom+xml; charset=utf-8"
    assert content_type(Path("sitemap.xml")) == "application/xml; charset=utf-8"
    assert content_type(Path("robots.txt")) == "text/plain; charset=utf-8"


def feed_paths(base_url: str, name: str) -> list[str]:
    """Paths (query stripped) of the entries of a feed, after asserting it parses cleanly."""
    parsed = feedparser.parse(fetch(base_url + "/" + name)[2])
    assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.get("title") and entry.get("link") and entry.get("published_parsed"), entry
        assert entry.link.startswith(base_url + "/")
    return [urlsplit(entry.link).path for entry in parsed.entries]


def test_feeds_parse_and_match_manifest(base_url: str, manifest: list[dict]) -> None:
    by_path = {e["path"]: e for e in manifest}
    for name in ("feed.xml", "atom.xml"):
        paths = feed_paths(base_url, name)
        assert all(p in by_path for p in paths), name
        assert set(paths) == {e["path"] for e in manifest if name in e["in"]}, name
    rss = feedparser.parse(fetch(base_url + "/feed.xml")[2])
    tracked = [e for e in rss.entries if e.link.endswith("?utm_source=rss&utm_medium=feed")]
    assert len(tracked) >= 3
    assert all(e.id == e.link.split("?")[0] for e in rss.entries), "guids are the clean URLs"
    assert all(e.get("summary") for e in rss.entries)
    atom = feedparser.parse(fetch(base_url + "/atom.xml")[2])
    assert all(e.get("id") and e.get("updated_parsed") and e.get("published_parsed") for e in atom.entries)


def test_sitemaps_are_wellformed_and_match_manifest(base_url: str, manifest: list[dict]) -> None:
    index = ElementTree.fromstring(fetch(base_url + "/sitemap_index.xml")[2])
    locs = [loc.text for loc in index.iter(SM + "loc")]
    assert locs == [base_url + "/sitemap.xml", base_url + "/news-sitemap.xml"]
    plain = ElementTree.fromstring(fetch(base_url + "/sitemap.xml")[2])
    plain_paths = {urlsplit(u.findtext(SM + "loc")).path for u in plain.iter(SM + "url")}
    assert plain_paths == {e["path"] for e in manifest if "sitemap.xml" in e["in"]}
    dated = [u for u in plain.iter(SM + "url") if "/about" not in u.findtext(SM + "loc")]
    assert all(u.findtext(SM + "lastmod") for u in dated)
    raw_news = fetch(base_url + "/news-sitemap.xml")[2]
    assert b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' in raw_news
    news = ElementTree.fromstring(raw_news)
    by_path = {e["path"]: e for e in manifest}
    seen = set()
    for url in news.iter(SM + "url"):
        path = urlsplit(url.findtext(SM + "loc")).path
        entry = by_path[path]
        assert url.findtext(f"{NEWS}news/{NEWS}publication_date").startswith(entry["published"])
        assert url.findtext(f"{NEWS}news/{NEWS}title") == entry["title"]
        seen.add(path)
    assert seen == {e["path"] for e in manifest if "news-sitemap.xml" in e["in"]}
    only_one = [e for e in manifest if e["kind"] == "article" and len(e["in"]) == 1]
    assert {e["in"][0] for e in only_one} >= {"atom.xml", "sitemap.xml"}


def test_robots_disallows_private(base_url: str, manifest: list[dict]) -> None:
    status, ctype, body = fetch(base_url + "/robots.txt")
    assert status == 200 and ctype.startswith("text/plain")
    text = body.decode()
    assert "User-agent: *" in text and "Disallow: /private/" in text
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    for entry in manifest:
        allowed = robots.can_fetch("aiwatch-test", base_url + entry["path"])
        assert allowed == (entry["kind"] != "disallowed"), entry["path"]


def test_title_date_and_byline_appear_in_markup(base_url: str, manifest: list[dict]) -> None:
    for entry in manifest:
        if entry["kind"] not in CONTENT_KINDS:
            continue
        text = html.unescape(page_html(base_url, entry["path"]))
        assert entry["title"] in text, entry["path"]
        assert any(form in text for form in date_forms(entry["published"])), entry["path"]
        if entry["byline"]:
            assert entry["byline"] in text, entry["path"]


def test_outlets_use_different_byline_and_date_markup(base_url: str, manifest: list[dict]) -> None:
    markup = {
        "span.byline": r'<span class="byline">By ', "meta author": r'<meta name="author"',
        "rel author": r'rel="author"', "json-ld author": r'"author": ',
        "article:published_time": r'property="article:published_time"', "time datetime": r"<time datetime=",
        "json-ld datePublished": r'"datePublished"', "plain dateline": r"\(Meridian Wire\) &ndash;",
    }
    pages = [page_html(base_url, e["path"]) for e in manifest if e["kind"] == "article"]
    for name, pattern in markup.items():
        assert any(re.search(pattern, p) for p in pages), name
    for feature in ('class="cookie-banner"', 'class="comments"', 'class="share"', "<footer", "<nav"):
        assert sum(feature in p for p in pages) >= 5, feature


def test_amp_and_exact_duplicates(base_url: str, manifest: list[dict]) -> None:
    for entry in manifest:
        if entry["kind"] == "amp":
            amp = page_html(base_url, entry["path"])
            assert entry["path"].startswith("/amp/")
            assert f'<link rel="canonical" href="{base_url}{entry["duplicate_of"]}">' in amp
            original = page_html(base_url, entry["duplicate_of"])
            assert f'<link rel="amphtml" href="{base_url}{entry["path"]}">' in original
        elif entry["kind"] == "duplicate" and entry["outlet"] == next(
                e["outlet"] for e in manifest if e["path"] == entry["duplicate_of"]):
            assert fetch(base_url + entry["path"])[2] == fetch(base_url + entry["duplicate_of"])[2]


def test_syndicated_copies_are_lightly_edited(base_url: str, manifest: list[dict]) -> None:
    by_path = {e["path"]: e for e in manifest}
    dups = [e for e in manifest if e["kind"] == "duplicate"]
    copies = [e for e in dups if e["outlet"] != by_path[e["duplicate_of"]]["outlet"]]
    for copy in copies:
        orig = by_path[copy["duplicate_of"]]
        assert copy["title"] != orig["title"] and copy["title"].lower() == orig["title"].lower()
        assert copy["published"] >= orig["published"]
        copy_text = trafilatura.extract(page_html(base_url, copy["path"])) or ""
        orig_text = trafilatura.extract(page_html(base_url, orig["path"])) or ""
        assert "Editor's note" in page_html(base_url, copy["path"])
        last_para = orig_text.strip().splitlines()[-1]
        assert last_para not in copy_text
        shared = set(orig_text.splitlines()[1:-1]) & set(copy_text.splitlines())
        assert len(shared) >= 5, copy["path"]


def test_comments_are_not_extracted_as_article_text(base_url: str, manifest: list[dict]) -> None:
    checked = 0
    for source in load_sources(CONTENT_DIR):
        if not source.comments or source.kind == "disallowed":
            continue
        text = trafilatura.extract(page_html(base_url, source.path), include_comments=False) or ""
        assert source.blocks[1][1][:60] in " ".join(text.split()), source.path
        for _, comment in source.comments:
            assert comment not in text, (source.path, comment)
        checked += 1
    assert checked >= 10


@pytest.mark.slow
def test_module_entry_point_serves_and_prints_url(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "aiwatch.crawler.sample_site", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        assert fetch(url.group(0) + "/robots.txt")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_manifest_file_is_a_json_list() -> None:
    assert MANIFEST_PATH.read_text(encoding="utf-8").lstrip().startswith("[")
