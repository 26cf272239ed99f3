"""``aiwatch update`` over hostile and failing input, and its limits: time, memory, SIGTERM.

The hostile site is served from 127.0.0.1 by this module (three good articles written for this test among
broken pages); the crawler-level cases are covered one by one in ``tests/crawler/test_hostile.py``: here the
point is the whole run (exit status, what is stored and extracted, what ``runs.stats`` counts).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.slow

Handler = Callable[[BaseHTTPRequestHandler], None]

ARTICLES = {
    "/news/anthropic-distillation.html": (
        "Anthropic says three labs distilled Claude through fraudulent accounts", "2026-02-23T09:00:00Z",
        "Anthropic said on Monday that DeepSeek, Moonshot and MiniMax ran large distillation campaigns "
        "against its Claude models, using thousands of fraudulent accounts to collect millions of answers "
        "that could train rival systems. The company said the traffic was routed through proxy services to "
        "hide where it came from and that it had closed the accounts it found. Anthropic argued that "
        "distillation of this kind undercuts American export controls on advanced chips, because a lab "
        "that cannot buy enough accelerators can still copy capabilities from a model served over an API. "
        "None of the three companies answered requests for comment by Monday evening."),
    "/news/bis-hbm-rule.html": (
        "Commerce adds high-bandwidth memory to China chip export controls", "2024-12-02T14:00:00Z",
        "The Commerce Department's Bureau of Industry and Security issued new export controls on Monday "
        "that restrict sales of high-bandwidth memory to China and add 140 companies to the Entity List. "
        "The rule covers the stacked memory chips that sit beside AI accelerators such as Nvidia's H100, "
        "and it extends earlier limits on chipmaking tools from American, Dutch and Japanese suppliers. "
        "Officials said the measures aim to slow China's progress toward advanced semiconductors used for "
        "artificial intelligence and military systems. China's commerce ministry said it firmly opposed "
        "the rule and would take necessary measures to protect the rights of Chinese firms."),
    "/news/h20-licence.html": (
        "Nvidia told it needs a licence to ship H20 chips to China", "2025-04-15T21:30:00Z",
        "Nvidia said the US government has told it that exports of its H20 accelerator to China now "
        "require a licence, a requirement the company expects to remain in place indefinitely. The H20 was "
        "designed to fit under earlier export controls on AI chips, and Chinese cloud companies had ordered "
        "it in large volumes after the release of DeepSeek's R1 model. Nvidia said it would take a charge "
        "of about 5.5 billion dollars for inventory and purchase commitments tied to the chip. AMD said "
        "separately that its MI308 accelerator faces the same licence requirement for sales to China."),
}


def article_html(title: str, published: str, text: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='article:published_time' content='{published}'></head><body><article>"
            f"<h1>{title}</h1><p>{text}</p></article></body></html>")


def respond(body: bytes | str, status: int = 200, content_type: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None, length: int | None = None) -> Handler:
    data = body.encode() if isinstance(body, str) else body

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(data) if length is None else length))
        h.end_headers()
        with suppress(OSError):
            h.wfile.write(data)
    return handle


def reset(h: BaseHTTPRequestHandler) -> None:
    """Close the connection without a response."""
    h.close_connection = True
    with suppress(OSError):
        h.connection.shutdown(socket.SHUT_RDWR)


class Site:
    """A loopback HTTP server over a dict of routes, counting hits by path."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        site = self

        class Handle(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                site.hits[path] += 1
                site.routes.get(path, respond("not found", 404))(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def total(self) -> int:
        return sum(self.hits.values())


@contextmanager
def serving(routes: dict[str, Handler]) -> Iterator[Site]:
    site = Site(routes)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


def rss(base: str, paths: list[str]) -> str:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link>"
                    f"<pubDate>Mon, 23 Feb 2026 10:00:00 GMT</pubDate></item>" for p in paths)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"


METADATA = "http://169.254.169.254/latest/meta-data/"
BOMB = gzip.compress(b"\0" * (32 << 20), 9)  # 32 MiB expanded, over the 10 MiB download limit


@pytest.fixture
def internal() -> Iterator[Site]:
    """A listener standing for an internal service: it must never be hit."""
    with serving({}) as site:
        yield site


@pytest.fixture
def hostile(internal: Site) -> Iterator[Site]:
    routes: dict[str, Handler] = {p: respond(article_html(*a)) for p, a in ARTICLES.items()}
    routes.update({
        "/robots.txt": respond("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/err/500.html": respond("server error", 500),
        "/err/bomb.html": respond(BOMB, headers={"Content-Encoding": "gzip"}),
        "/err/empty.html": respond(b""),
        "/err/unclosed.html": respond("<html><head><title>Unclosed<body><div><p>AI chips <b>export"),
        "/err/latin1.html": respond("caf\xe9 ".encode("latin-1") * 50),  # declared UTF-8
        "/err/reset.html": reset,
        "/err/truncated.html": respond(article_html("Truncated", "2026-01-01T00:00:00Z", "DeepSeek " * 50),
                                       length=100_000),
        "/err/to-metadata.html": respond("", 302, headers={"Location": METADATA}),
        "/err/to-file.html": respond("", 302, headers={"Location": "file:///etc/passwd"}),
        "/private/secret.html": respond(article_html("Secret", "2026-01-02T00:00:00Z", "export rules " * 60)),
        "/broken-feed.xml": respond("<?xml version='1.0'?><rss><channel><item><title>oops</chan",
                                    content_type="application/rss+xml"),
        "/html-feed.xml": respond("<html><body>not a feed</body></html>", content_type="application/rss+xml"),
    })
    with serving(routes) as site:
        routes["/err/to-internal.html"] = respond(
            "", 301, headers={"Location": f"{internal.base}/admin"})
        paths = [*ARTICLES, *(p for p in routes if p.startswith(("/err/", "/private/")))]
        routes["/feed.xml"] = respond(rss(site.base, paths + paths[:2]), content_type="application/rss+xml")
        yield site


def test_update_over_a_hostile_site_stores_the_good_articles_and_counts_the_rest(ops, hostile, internal,
                                                                                  tmp_path):
    db = tmp_path / "hostile.db"
    feeds = ["/feed.xml", "/broken-feed.xml", "/html-feed.xml"]
    started = time.monotonic()
    code, output = ops.run(db, *(a for f in feeds for a in ("--feed", hostile.base + f)))
    seconds = time.monotonic() - started
    assert code == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert internal.total == 0, internal.hits
    assert hostile.hits["/private/secret.html"] == 0
    assert ops.integrity_problems(db) == []
    with sqlite3.connect(db) as conn:
        stored = {r[0] for r in conn.execute("SELECT url FROM articles")}
        unextracted = conn.execute(
            "SELECT count(*) FROM articles WHERE extractor_version IS NULL").fetchone()[0]
        raw = conn.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
        claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    conn.close()
    assert stored == {hostile.base + p for p in ARTICLES}, stored
    assert unextracted == 0 and raw == len(ARTICLES) and claims > 0
    run = ops.last_run(db)
    assert run["status"] == "partial", run
    crawl = run["stats"]["crawl"]
    assert sorted(crawl["sources_failed"]) == sorted(hostile.base + f for f in feeds[1:]), crawl
    assert crawl["ignored"] >= 3, crawl  # metadata, file:// and internal redirects refused
    assert crawl["error_count"] >= 3, crawl  # 500, reset, truncated, bomb ...
    assert crawl["peak_rss_mb"] < 300, crawl
    problems = ["/err/500.html", "/err/bomb.html", "/err/reset.html", "/err/truncated.html",
                "/err/to-metadata.html", "/err/to-file.html", "/err/to-internal.html", "/broken-feed.xml",
                "/html-feed.xml"]
    logged = {p: [line for line in output.splitlines()
                  if p in line and (" WARNING " in line or " ERROR " in line)] for p in problems}
    assert all(logged.values()), {p: lines for p, lines in logged.items() if not lines}
    summary = [line for line in output.splitlines() if line.startswith("crawl:")]
    assert summary and "2 of 3 sources failed" in summary[0], summary
    print(f"\nhostile update: exit 0 in {seconds:.1f}s, {len(stored)} stored, crawl peak RSS "
          f"{crawl['peak_rss_mb']} MB, errors {crawl['errors']}, ignored {crawl['ignored']}")


def test_update_where_every_source_fails_exits_1(ops, hostile, tmp_path):
    db = tmp_path / "failing.db"
    feeds = (f"{hostile.base}/broken-feed.xml", f"{hostile.base}/gone.xml")
    code, output = ops.run(db, "--feed", feeds[0], "--feed", feeds[1])
    assert code == 1, output
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1] == "Error: update failed: every source failed"
    run = ops.last_run(db)
    assert run["status"] == "failed" and run["error"] == "every source failed", run
    assert set(run["stats"]) >= {"crawl", "extract", "graph"}  # later stages still ran over what exists


def test_time_limit_exits_124_keeps_work_and_the_next_run_resumes(ops, reference, tmp_path):
    db = tmp_path / "slow.db"
    # The crawl may use nearly all of the limit (crawl_share), so the limit strikes while it runs.
    slow = ops.clean_env(AIWATCH_DOWNLOAD_DELAY="1", AIWATCH_CONCURRENT_REQUESTS_PER_DOMAIN="1",
                         AIWATCH_CRAWL_SHARE="0.95")
    upd = ops.start(db, "--max-minutes", "0.2", "--feed", ops.feed, env=slow)
    code = upd.wait()
    seconds = time.monotonic() - upd.started
    assert code == 124, upd.output[-3000:]
    assert seconds < 12 + 8, seconds  # 12 s limit plus start-up and shutdown
    last = upd.output.strip().splitlines()[-1]
    assert last == "Error: update stopped: time limit of 0.2 minutes reached; the next run resumes", last
    run = ops.last_run(db)
    assert run["status"] == "timeout" and run["stats"]["stage"] == "crawl", run
    assert ops.integrity_problems(db) == []
    with sqlite3.connect(db) as conn:
        kept = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    assert 0 < kept < len(reference.content["articles"]), kept
    code, output = ops.run(db)
    assert code == 0, output[-3000:]
    assert ops.diff_content(reference.content, ops.content(db)) == ""
    print(f"\ntime limit: exit 124 after {seconds:.1f}s with {kept} articles kept; the next run completed")


def test_sigterm_stops_the_run_cleanly_with_143(ops, tmp_path):
    db = tmp_path / "term.db"
    upd = ops.start(db)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        run = ops.last_run(db)
        if run and run["stats"].get("stage") == "extract" or upd.proc.poll() is not None:
            break
        time.sleep(0.02)
    os.kill(upd.proc.pid, signal.SIGTERM)
    code = upd.wait()
    assert code == 143, upd.output[-3000:]
    assert "Traceback" not in upd.output
    run = ops.last_run(db)
    assert run["status"] == "interrupted" and run["error"] == "terminated by SIGTERM", run
    assert run["finished_at"]
    assert ops.integrity_problems(db) == []


def test_crawl_memory_ceiling_stops_the_crawl(ops, tmp_path):
    """A ceiling below the crawl process's start-up size closes the spider at once: nothing read, exit 1."""
    db = tmp_path / "memory.db"
    code, output = ops.run(db, env=ops.clean_env(AIWATCH_CRAWL_MEMORY_MB="20"))
    assert "Traceback" not in output
    run = ops.last_run(db)
    crawl = run["stats"]["crawl"]
    assert crawl["errors"].get("closed_memusage_exceeded") == 1, json.dumps(crawl)
    assert crawl["spiders"] == {"feeds": "memusage_exceeded"}, crawl
    assert crawl["stored"] == 0, crawl
    assert code == 1 and run["status"] == "failed", (code, run["status"])
    message = ("every source failed (crawl stopped early: feeds: memory limit crawl_memory_mb = 20 MB "
               "exceeded)")
    assert run["error"] == message
    assert output.strip().splitlines()[-1] == f"Error: update failed: {message}"
    assert ops.integrity_problems(db) == []
