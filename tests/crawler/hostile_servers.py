"""Loopback HTTP servers that misbehave on purpose, and a child-process Scrapy crawl to point at them.

Used by ``test_safety.py``, ``test_robots.py`` and ``test_hostile.py`` (imported by file path, no conftest).

* :class:`HostileServer` serves a dict of routes (path -> handler) on 127.0.0.1 from a thread and counts
  every hit by path, so tests can assert "0 hits on the internal listener".
* :func:`run_probe_crawl` runs a real Scrapy crawl in a fresh Python process (Twisted's reactor cannot be
  restarted inside pytest) with the project's safety middlewares and a minimal spider, and returns what the
  crawl saw: parsed pages, failures, Scrapy stats, peak RSS and the log text.

Run as a script (``python hostile_servers.py CONFIG.json OUT.json``) it is that child process.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
Handler = Callable[[BaseHTTPRequestHandler], None]


# ---------------------------------------------------------------- route handlers (run in server threads)

def _quietly(write: Callable[[], None]) -> None:
    with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
        write()


def page(body: bytes | str, status: int = 200, content_type: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> Handler:
    """A complete response with Content-Length."""
    data = body.encode("utf-8") if isinstance(body, str) else body

    def handle(h: BaseHTTPRequestHandler) -> None:
        def write() -> None:
            h.send_response(status)
            if content_type:
                h.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        _quietly(write)
    return handle


def redirect(location: str, status: int = 302) -> Handler:
    """A redirect to ``location`` (may be any scheme)."""
    return page(b"", status=status, content_type="text/html", headers={"Location": location})


def slow(seconds: float, then: Handler) -> Handler:
    """Wait, then answer like ``then``."""
    def handle(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(h)
    return handle


def reset() -> Handler:
    """Read the request, then close the TCP connection with RST (SO_LINGER 0) and send nothing."""
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()
    return handle


def truncated(declared: int, sent: bytes) -> Handler:
    """Announce ``declared`` bytes in Content-Length, send fewer, close."""
    def handle(h: BaseHTTPRequestHandler) -> None:
        def write() -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(declared))
            h.end_headers()
            h.wfile.write(sent)
            h.wfile.flush()
        _quietly(write)
        h.close_connection = True
    return handle


def stream(total: int, with_length: bool, chunk: int = 64 * 1024) -> Handler:
    """Stream ``total`` bytes of HTML filler, with or without Content-Length (else close-delimited)."""
    block = (b"<p>" + b"filler " * (chunk // 7) + b"</p>\n")[:chunk]

    def handle(h: BaseHTTPRequestHandler) -> None:
        def write() -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            if with_length:
                h.send_header("Content-Length", str(total))
            h.end_headers()
            h.wfile.write(b"<html><body>")
            left = total - 12
            while left > 0:
                h.wfile.write(block[:left])
                left -= len(block)
        _quietly(write)
        h.close_connection = True
    return handle


# ---------------------------------------------------------------- server

# ---------------------------------------------------------------- a page-processing task that dies

WORKER_KILLER = b"<!-- kill the page-processing worker -->"


def prepare_or_die(item: Any, min_words: int, min_relevance: float) -> Any:
    """``prepare_item``, except that a page carrying :data:`WORKER_KILLER` ends its worker process at once
    (as a native crash or the OOM killer would). Importable by the pool's workers through ``pythonpath``."""
    from aiwatch.crawler.pipelines.prepare import prepare_item

    if WORKER_KILLER in item.body:
        os._exit(70)
    return prepare_item(item, min_words, min_relevance)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        path = self.path
        self.server.owner.record(path)
        route = self.server.owner.route_for(path)
        if route is None:
            page("not here", status=404, content_type="text/plain")(self)
        else:
            route(self)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server API)
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer


@dataclass
class HostileServer:
    """A threaded HTTP server on 127.0.0.1; routes match the path with query first, then the bare path."""

    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def record(self, path: str) -> None:
        with self._lock:
            self._requests += 1
            self.hits[path] += 1
            bare = urlsplit(path).path
            if bare != path:
                self.hits[bare] += 1

    def route_for(self, path: str) -> Handler | None:
        return self.routes.get(path) or self.routes.get(urlsplit(path).path)

    @property
    def total_hits(self) -> int:
        """Requests received, whatever their path."""
        with self._lock:
            return self._requests


# ---------------------------------------------------------------- the crawl, from the parent's side

@dataclass
class CrawlResult:
    pages: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    stats: dict[str, Any]
    peak_rss_mb: float
    log: str
    returncode: int

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    def page_urls(self) -> set[str]:
        return {p["url"] for p in self.pages}

    def log_lines(self, needle: str) -> list[str]:
        return [line for line in self.log.splitlines() if needle in line]


def run_probe_crawl(tmp_path: Path, urls: list[str], *, trusted: list[str] = (),  # type: ignore[assignment]
                    public_hosts: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
                    stock_robots: bool = False, follow: bool = True, timeout: float = 120) -> CrawlResult:
    """Crawl ``urls`` in a child process with the project's safety middlewares; see module doc."""
    config = {
        "urls": list(urls),
        "trusted": list(trusted),
        "public_hosts": public_hosts or {},
        "settings": settings or {},
        "stock_robots": stock_robots,
        "follow": follow,
    }
    config_path = tmp_path / f"probe-{time.monotonic_ns()}.json"
    out_path = config_path.with_suffix(".out.json")
    config_path.write_text(json.dumps(config))
    proc = subprocess.run(
        [sys.executable, __file__, str(config_path), str(out_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    if not out_path.exists():
        raise AssertionError(f"probe crawl wrote no result (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(out_path.read_text())
    return CrawlResult(out["pages"], out["failures"], out["stats"], out["peak_rss_mb"], proc.stderr,
                       proc.returncode)


# ---------------------------------------------------------------- the crawl, in the child process

def _child(config_path: str, out_path: str) -> None:  # pragma: no cover (runs in a subprocess)
    import feedparser
    import scrapy
    from aiwatch.crawler.middlewares.limits import LIMIT_MIDDLEWARES
    from aiwatch.crawler.middlewares.safety import SAFE_DOWNLOAD_HANDLERS
    from aiwatch.crawler.page.article import extract_page
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from aiwatch.memory import peak_rss_mb

    config = json.loads(Path(config_path).read_text())
    pages: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []

    class ProbeSpider(scrapy.Spider):
        name = "probe"

        async def start(self):  # type: ignore[override]
            for url in config["urls"]:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed)

        def parse(self, response: Any) -> Any:
            record: dict[str, Any] = {"url": response.url, "status": response.status,
                                      "bytes": len(response.body)}
            ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
            links: list[str] = []
            if "xml" in ctype or response.url.endswith(".xml"):
                feed = feedparser.parse(response.body)
                record["entries"] = len(feed.entries)
                links = [e.get("link") for e in feed.entries if e.get("link")]
            elif hasattr(response, "text"):
                record["encoding"] = response.encoding
                extracted = extract_page(response.body, url=response.url)
                record["text"] = extracted.text if extracted else ""
                record["title"] = extracted.title if extracted else None
                links = response.css("a::attr(href)").getall()
            pages.append(record)
            if config["follow"]:
                for link in links:
                    yield response.follow(link, callback=self.parse, errback=self.failed)

        def failed(self, failure: Any) -> None:
            request = getattr(failure, "request", None)
            url = request.url if request is not None else "?"
            message = f"{failure.type.__name__}: {failure.getErrorMessage()}"
            self.logger.warning("probe failed %s: %s", url, message)
            failures.append({"url": url, "error": message})

    mws: dict[str, Any] = {"aiwatch.crawler.middlewares.safety.AddressGuardMiddleware": 50,
    **LIMIT_MIDDLEWARES}
    if not config["stock_robots"]:
        mws["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] = None
        mws["aiwatch.crawler.middlewares.robots.QueuedRobotsTxtMiddleware"] = 100
    settings: dict[str, Any] = {
        "LOG_LEVEL": "INFO",
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "DOWNLOAD_TIMEOUT": 5,
        "RETRY_TIMES": 0,
        "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 4 * 1024 * 1024,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "DOWNLOADER_MIDDLEWARES": mws,
        "DOWNLOAD_HANDLERS": dict(SAFE_DOWNLOAD_HANDLERS),
        "TWISTED_DNS_RESOLVER": "aiwatch.crawler.middlewares.safety.StaticHostsResolver",
        "AIWATCH_TEST_PUBLIC_HOSTS": config["public_hosts"],
        "AIWATCH_TRUSTED_ORIGINS": config["trusted"],
    }
    settings.update(config["settings"])
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ProbeSpider)
    collected: dict[str, Any] = {}

    def on_closed(spider: Any, reason: str) -> None:
        collected.update(crawler.stats.get_stats())
        collected["finish_reason"] = reason

    crawler.signals.connect(on_closed, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
    peak = peak_rss_mb()  # not ru_maxrss: Linux carries the parent's (the test runner's) peak into it
    Path(out_path).write_text(json.dumps(
        {"pages": pages, "failures": failures, "stats": collected, "peak_rss_mb": peak}, default=str))


if __name__ == "__main__":  # pragma: no cover
    _child(sys.argv[1], sys.argv[2])
