"""Hostile and broken input served from 127.0.0.1: the crawl continues, each problem is logged and counted.

Each test runs a real Scrapy crawl in a child process (``hostile_servers.run_probe_crawl``) with the project's
safety middlewares against a ``HostileServer``, then checks what reached the spider, the stats and the log.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from pathlib import Path

import brotli
import hostile_servers as hs  # tests/crawler is on pytest's pythonpath
import pytest

MB = 1 << 20
ARTICLE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>{body}</p><p>The Commerce Department's Bureau of Industry and Security said the rule covers "
    "advanced accelerators and high-bandwidth memory shipped to China, and that licences would be "
    "reviewed case by case. Nvidia said it would comply with the rule while seeking clarity.</p>"
    "</article></body></html>"
)


def article(title: str, body: str = "A short report on export controls.") -> str:
    return ARTICLE.format(title=title, body=body)


# ---------------------------------------------------------------- errors

@pytest.mark.slow
def test_http_errors_timeouts_resets_and_truncation_are_logged_and_counted(tmp_path: Path) -> None:
    routes = {
        "/404": hs.page("gone", status=404),
        "/500": hs.page("boom", status=500),
        "/slow": hs.slow(4, hs.page(article("late"))),
        "/reset": hs.reset(),
        "/truncated": hs.truncated(5000, b"<html><body><p>only the first part of"),
        "/ok1": hs.page(article("first fine page")),
        "/ok2": hs.page(article("second fine page")),
    }
    with hs.HostileServer(routes) as site:
        urls = [site.url(p) for p in routes]
        result = hs.run_probe_crawl(tmp_path, urls, trusted=[site.url("/")], settings={"DOWNLOAD_TIMEOUT": 1},
                                    follow=False)
    assert result.returncode == 0
    assert result.page_urls() == {site.url("/ok1"), site.url("/ok2")}
    errors = {f["url"].rsplit("/", 1)[1]: f["error"] for f in result.failures}
    assert set(errors) == {"404", "500", "slow", "reset", "truncated"}, errors
    assert "HttpError" in errors["404"] and "HttpError" in errors["500"]
    assert "Timeout" in errors["slow"] or "timed out" in errors["slow"]
    assert "ResponseFailed" in errors["truncated"] or "DataLoss" in errors["truncated"]
    assert result.stat("downloader/exception_count") >= 3
    assert result.stat("downloader/response_status_count/404") == 2  # /404 and the absent robots.txt
    assert result.stat("downloader/response_status_count/500") == 1
    assert len(result.log_lines("[probe] WARNING: probe failed")) == 5
    assert "Traceback" not in result.log


@pytest.mark.slow
def test_redirect_loops_end_with_a_clear_message(tmp_path: Path) -> None:
    def endless(h) -> None:
        n = int(h.path.rsplit("=", 1)[1])
        hs.redirect(f"/loop?n={n + 1}")(h)

    routes = {"/loop": endless, "/ping": hs.redirect("/pong"), "/pong": hs.redirect("/ping"),
              "/ok": hs.page(article("still crawled"))}
    with hs.HostileServer(routes) as site:
        urls = [site.url("/loop?n=0"), site.url("/ping"), site.url("/ok")]
        result = hs.run_probe_crawl(tmp_path, urls, trusted=[site.url("/")], follow=False,
                                    settings={"REDIRECT_MAX_TIMES": 5})
    assert site.hits["/loop"] == 6  # the first request and five redirects, then it stops
    assert site.hits["/ping"] <= 2 and site.hits["/pong"] <= 2
    assert site.url("/ok") in result.page_urls()
    loop_errors = [f["error"] for f in result.failures if "/loop" in f["url"]]
    assert loop_errors == ["IgnoreRequest: max redirections reached"]


# ---------------------------------------------------------------- size limits

@pytest.mark.slow
def test_fifty_megabyte_pages_are_dropped_with_memory_bounded(tmp_path: Path) -> None:
    routes = {
        "/big-length": hs.stream(50 * MB, with_length=True),
        "/big-stream": hs.stream(50 * MB, with_length=False),
        "/ok": hs.page(article("normal size")),
    }
    with hs.HostileServer(routes) as site:
        urls = [site.url(p) for p in routes]
        result = hs.run_probe_crawl(tmp_path, urls, trusted=[site.url("/")], follow=False,
                                    settings={"DOWNLOAD_MAXSIZE": 5 * MB, "DOWNLOAD_WARNSIZE": 2 * MB})
    assert result.page_urls() == {site.url("/ok")}
    dropped = [line for line in result.log_lines("[scrapy.core.downloader.handlers.http11] WARNING:")
               if "larger than download max size" in line]
    assert len(dropped) == 2, result.log[-3000:]
    assert result.stat("aiwatch/dropped/too_large") == 2
    assert {f["url"] for f in result.failures} == {site.url("/big-length"), site.url("/big-stream")}
    assert result.peak_rss_mb < 300


@functools.cache
def _bombs() -> dict[str, bytes]:
    """1 GiB of zeros in each content coding, built chunk by chunk (never 1 GiB in memory)."""
    chunk = bytes(MB)
    member = gzip.compress(chunk, 9)
    deflater = zlib.compressobj(1)
    deflate = b"".join(deflater.compress(chunk) for _ in range(1024)) + deflater.flush()
    brotli_c = brotli.Compressor(quality=5)
    br = b"".join(brotli_c.process(chunk) for _ in range(1024)) + brotli_c.finish()
    bombs = {"gzip": member * 1024, "deflate": deflate, "br": br}
    try:
        from backports import zstd
    except ImportError:  # Python 3.14 has it in the standard library
        from compression import zstd  # type: ignore[no-redef]
    zstd_c = zstd.ZstdCompressor()
    bombs["zstd"] = b"".join(zstd_c.compress(chunk) for _ in range(1024)) + zstd_c.flush()
    return bombs


@pytest.mark.slow
def test_compression_bombs_are_dropped_with_a_warning_and_memory_bounded(tmp_path: Path) -> None:
    bombs = _bombs()
    assert all(len(b) < 10 * MB for b in bombs.values())  # small on the wire: only the expansion is the issue
    routes = {f"/bomb-{name}": hs.page(body, headers={"Content-Encoding": name})
              for name, body in bombs.items()}
    fine = article("compressed but fine", "Gzip on the wire is normal.").encode()
    routes["/fine-gzip"] = hs.page(gzip.compress(fine), headers={"Content-Encoding": "gzip"})
    routes["/fine-br"] = hs.page(brotli.compress(fine), headers={"Content-Encoding": "br"})
    with hs.HostileServer(routes) as site:
        urls = [site.url(p) for p in routes]
        result = hs.run_probe_crawl(tmp_path, urls, trusted=[site.url("/")], follow=False,
                                    settings={"DOWNLOAD_MAXSIZE": 10 * MB})
    assert result.page_urls() == {site.url("/fine-gzip"), site.url("/fine-br")}
    assert all("Gzip on the wire is normal." in p["text"] for p in result.pages)
    warnings = [line for line in result.log_lines("[scrapy.downloadermiddlewares.httpcompression] WARNING:")
                if "during decompression" in line]
    assert len(warnings) == len(bombs), result.log[-3000:]
    assert {f["url"] for f in result.failures} == {site.url(f"/bomb-{n}") for n in bombs}
    assert result.stat("aiwatch/dropped/decompression") == len(bombs)
    assert result.peak_rss_mb < 300, result.peak_rss_mb


# ---------------------------------------------------------------- broken markup and encodings

@pytest.mark.slow
def test_wrong_or_missing_charsets_and_malformed_html_reach_extraction(tmp_path: Path) -> None:
    body = "Le ministère a confirmé la décision sur les puces destinées à la Chine."
    pages = {
        # header says UTF-8, bytes are Latin-1
        "/lies-utf8": hs.page(article("Décision", body).encode("latin-1"),
                              content_type="text/html; charset=utf-8"),
        # header says Latin-1, bytes are UTF-8
        "/lies-latin1": hs.page(article("Décision", body).encode("utf-8"),
                                content_type="text/html; charset=iso-8859-1"),
        # no charset anywhere, UTF-8 bytes
        "/no-charset": hs.page(article("Décision", body).encode("utf-8"), content_type="text/html"),
        # charset only in a meta tag, cp1252 smart quotes
        "/meta-cp1252": hs.page(
            ('<html><head><meta charset="windows-1252"><title>Quote</title></head><body><article>'
             "<p>\u201cWe will comply,\u201d the company said about the export rule.</p>"
             + "<p>More reporting on licences.</p>" * 5 + "</article></body></html>").encode("cp1252"),
            content_type="text/html"),
        # an unknown charset name
        "/bogus-charset": hs.page(article("Bogus", body).encode("utf-8"),
                                  content_type="text/html; charset=klingon"),
        "/unclosed": hs.page("<html><body><div><div><p>Unclosed tags about export controls <b>bold <i>italic"
                             "<table><tr><td>cell<p>" + body + "<<<>>> &bogus; </scr" + "ipt><p>"),
        "/empty": hs.page(b"", content_type="text/html; charset=utf-8"),
        "/binary": hs.page(bytes(range(256)) * 40, content_type="text/html"),
        "/no-type": hs.page(article("untyped").encode(), content_type=""),
    }
    with hs.HostileServer(pages) as site:
        urls = [site.url(p) for p in pages]
        result = hs.run_probe_crawl(tmp_path, urls, trusted=[site.url("/")], follow=False)
    assert result.returncode == 0
    assert result.page_urls() == set(urls), result.failures
    assert result.stat("spider_exceptions") == 0
    assert "Traceback" not in result.log
    by_path = {p["url"].rsplit("/", 1)[1]: p for p in result.pages}
    assert "ministère" in by_path["no-charset"]["text"]
    assert "\u201cWe will comply,\u201d" in by_path["meta-cp1252"]["text"]
    assert "export controls" in by_path["unclosed"]["text"]
    assert by_path["empty"]["text"] == ""


# ---------------------------------------------------------------- feeds

def _rss(links: list[str]) -> str:
    items = "".join(f"<item><title>Entry {i}</title><link>{link}</link><guid>{link}#{i}</guid></item>"
                    for i, link in enumerate(links))
    head = "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>big</title>"
    return f"{head}{items}</channel></rss>"


@pytest.mark.slow
def test_feed_with_ten_thousand_entries_and_duplicates_fetches_each_article_once(tmp_path: Path) -> None:
    distinct = 60
    routes = {f"/a/{k}": hs.page(article(f"article {k}")) for k in range(distinct)}
    with hs.HostileServer(routes) as site:
        links = [site.url(f"/a/{i % distinct}") for i in range(10_000)]
        site.routes["/feed.xml"] = hs.page(_rss(links), content_type="application/rss+xml")
        result = hs.run_probe_crawl(tmp_path, [site.url("/feed.xml")], trusted=[site.url("/")])
    feed = next(p for p in result.pages if p["url"].endswith("/feed.xml"))
    assert feed["entries"] == 10_000
    assert all(site.hits[f"/a/{k}"] == 1 for k in range(distinct))
    assert len(result.pages) == distinct + 1
    assert result.stat("dupefilter/filtered") == 10_000 - distinct


# ------------------------------------------------- end to end through aiwatch.crawler.runtime.run.run_crawl

EXPORT_TEXT = " ".join([
    "The Commerce Department's Bureau of Industry and Security tightened export controls on advanced AI",
    "chips, adding high-bandwidth memory to the items that need a licence before shipment to China.",
    "Nvidia said the licence requirement for its H20 accelerator would lead to billions of dollars in",
    "charges and that it would comply with the export rules. Industry groups warned that the controls",
    "would push Chinese buyers toward Huawei's Ascend chips, while officials said the rules target",
    "hardware able to train frontier models.",
])


def news_page(title: str) -> str:
    return (f"<html><head><title>{title}</title><meta property='article:published_time' "
            f"content='2025-04-16T09:00:00Z'></head><body><article><h1>{title}</h1><p>{EXPORT_TEXT}</p>"
            f"<p>{EXPORT_TEXT.replace('Nvidia', 'The chip designer')}</p></article></body></html>")


def feed_of(site, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>{p}</title><link>{p if p.startswith('http') else site.url(p)}</link>"
        "<pubDate>Wed, 16 Apr 2025 09:00:00 GMT</pubDate></item>" for p in paths)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>hostile</title>{items}</channel></rss>"


def fast_config(**changes):
    from aiwatch.config import load_config

    base = {"download_delay": 0, "autothrottle": False, "concurrent_requests_per_domain": 8}
    return load_config(path="", environ={}).replace(**{**base, **changes})


def stored_urls(db_path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT url FROM articles ORDER BY url")]


def last_run_stats(db_path: Path) -> dict:
    import json
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return json.loads(conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])


@pytest.mark.slow
def test_run_crawl_stores_nothing_from_bombs_huge_or_broken_pages(db_path: Path, capfd) -> None:
    pytest.importorskip("aiwatch.crawler.runtime.run")
    from aiwatch.cli.crawl import recorded_crawl

    bombs = _bombs()
    routes = {f"/bomb-{name}": hs.page(body, headers={"Content-Encoding": name})
              for name, body in bombs.items()}
    routes.update({
        "/huge": hs.stream(50 * MB, with_length=False),
        "/truncated": hs.truncated(20_000, news_page("Half a story").encode()[:2000]),
        "/reset": hs.reset(),
        "/500": hs.page("boom", status=500),
        "/good": hs.page(news_page("US adds HBM to China export controls")),
    })
    with hs.HostileServer(routes) as site:
        site.routes["/feed.xml"] = hs.page(feed_of(site, list(routes)), content_type="application/rss+xml")
        stats = recorded_crawl(db_path, fast_config(download_timeout=5), feeds=[site.url("/feed.xml")])
    assert stored_urls(db_path) == [site.url("/good")]
    recorded = last_run_stats(db_path)
    assert recorded["stored"] == 1 and stats.stored == 1
    assert recorded["errors"].get("dropped_decompression") == len(bombs), recorded
    assert recorded["errors"].get("dropped_too_large") == 1, recorded
    assert recorded["error_count"] >= len(bombs) + 3  # the bombs, the huge page, truncated, reset, 500
    err = capfd.readouterr().err
    assert len([line for line in err.splitlines() if "during decompression" in line]) >= len(bombs)
    assert "Traceback" not in err


@pytest.mark.slow
def test_run_crawl_handles_a_ten_thousand_entry_feed_with_duplicates(db_path: Path) -> None:
    pytest.importorskip("aiwatch.crawler.runtime.run")
    from aiwatch.cli.crawl import recorded_crawl

    distinct = 20
    routes = {f"/a/{k}": hs.page(news_page(f"Export controls update number {k}")) for k in range(distinct)}
    with hs.HostileServer(routes) as site:
        paths = [f"/a/{i % distinct}" for i in range(10_000)]
        site.routes["/feed.xml"] = hs.page(feed_of(site, paths), content_type="application/rss+xml")
        stats = recorded_crawl(db_path, fast_config(), feeds=[site.url("/feed.xml")])
    assert all(site.hits[f"/a/{k}"] == 1 for k in range(distinct))  # duplicate entries fetched once
    source = last_run_stats(db_path)["sources"][site.url("/feed.xml")]
    assert source["ok"] == 1 and source["entries"] == 10_000, source
    assert stats.articles_fetched == distinct


@pytest.mark.slow
def test_run_crawl_feeds_with_xxe_and_entity_expansion_leak_nothing(db_path: Path) -> None:
    import sqlite3

    run = pytest.importorskip("aiwatch.crawler.runtime.run")
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    with hs.HostileServer({"/good": hs.page(news_page("Export rule for HBM"))}) as site:
        item = f"<item><title>&x;</title><link>{site.url('/good')}</link>" \
               "<pubDate>Wed, 16 Apr 2025 09:00:00 GMT</pubDate></item>"
        site.routes["/xxe.xml"] = hs.page(
            "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
            f"<rss version='2.0'><channel><title>&x;</title>{item}</channel></rss>",
            content_type="application/rss+xml")
        site.routes["/laughs.xml"] = hs.page(
            f"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY l0 'lol'>{laughs}]>"
            "<rss version='2.0'><channel><title>&l9;</title></channel></rss>",
            content_type="application/rss+xml")
        run.run_crawl(db_path, fast_config(), feeds=[site.url("/xxe.xml"), site.url("/laughs.xml")])
    with sqlite3.connect(db_path) as conn:
        dump = "\n".join(conn.iterdump())
        assert [r[0] for r in conn.execute("SELECT url FROM articles")] == [site.url("/good")]
    assert "root:x:0:0" not in dump and "lollollol" not in dump
