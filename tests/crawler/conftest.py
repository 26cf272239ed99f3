"""Crawler test fixtures: loopback HTTP servers with a hit log, the bundled sample site, a fast config.

``loopback_site(routes, directory)`` serves a dict of routes (path -> :class:`Route` or bytes/str body)
and/or a directory on 127.0.0.1, replacing ``{{BASE_URL}}`` in text bodies, and records every request
path in ``site.hits``. Fixtures: ``sample_site`` (base URL of the bundled sample site), ``sample_server``
(the same as a :class:`LoopbackSite` with its hit log), ``crawl_config`` (defaults without politeness
delays, for fast tests).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from aiwatch.config import Config, load_config

PLACEHOLDER = b"{{BASE_URL}}"
TEXT_TYPES = ("text/", "application/xml", "application/rss", "application/atom", "application/json")


@dataclass
class Route:
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoopbackSite:
    base_url: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    directory: Path | None = None
    hits: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            status: int = 200, **headers: str) -> str:
        self.routes[path] = Route(body, content_type, status, headers)
        return self.url(path)

    def hit_paths(self) -> list[str]:
        with self.lock:
            return [urlsplit(h).path for h in self.hits]

    def clear_hits(self) -> None:
        with self.lock:
            self.hits.clear()

    def lookup(self, raw_path: str) -> Route | None:
        path = urlsplit(raw_path).path
        for key in (raw_path, path):
            if key in self.routes:
                return self.routes[key]
        if self.directory is not None:
            from aiwatch.crawler.sample_site.server import content_type, resolve

            found = resolve(self.directory, raw_path)
            if found is not None:
                return Route(found.read_bytes(), content_type(found))
        return None


def _handler(site: LoopbackSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            with site.lock:
                site.hits.append(self.path)
            route = site.lookup(self.path) or Route(b"<html><title>Not found</title></html>", status=404)
            body = route.body.encode() if isinstance(route.body, str) else route.body
            if route.content_type.startswith(TEXT_TYPES):
                body = body.replace(PLACEHOLDER, site.base_url.encode())
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in route.headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def loopback_site(
    routes: dict[str, Route] | None = None, directory: Path | None = None
) -> Iterator[LoopbackSite]:
    """Serve ``routes`` and/or ``directory`` on 127.0.0.1 (free port) for the duration of the block."""
    site = LoopbackSite(routes=dict(routes or {}), directory=directory)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    httpd.daemon_threads = True
    site.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    """An empty loopback site; tests add routes with ``site.add(path, body)``."""
    with loopback_site() as s:
        yield s


@pytest.fixture
def sample_server() -> Iterator[LoopbackSite]:
    """The bundled sample site on loopback, with the hit log."""
    from aiwatch.crawler.sample_site import SITE_DIR

    with loopback_site(directory=SITE_DIR) as s:
        yield s


@pytest.fixture(scope="module")
def sample_server_module() -> Iterator[LoopbackSite]:
    """The bundled sample site on loopback with the hit log, shared by one test module."""
    from aiwatch.crawler.sample_site import SITE_DIR

    with loopback_site(directory=SITE_DIR) as s:
        yield s


@pytest.fixture
def sample_site() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of the bundled sample site served by its own server."""
    from aiwatch.crawler.sample_site import serve

    with serve() as base_url:
        yield base_url


@pytest.fixture
def crawl_config() -> Config:
    """Default settings without politeness delays (loopback tests only)."""
    return load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                    concurrent_requests_per_domain=8)


# ---- a small news site written for these tests ---------------------------------------------------------
DISTILLATION_PARAGRAPHS = [
    "OpenAI told lawmakers that DeepSeek had used distillation to train its R1 model on outputs of OpenAI "
    "models, a practice the company says breaks its terms of service.",
    "Distillation trains a smaller student model on answers produced by a larger teacher model. Researchers "
    "use the technique openly, but OpenAI and Anthropic argue that distilling a rival's API outputs without "
    "permission is a different matter.",
    "DeepSeek has not answered the distillation accusation directly. The Hangzhou lab released R1 in "
    "January 2025 under an open licence and said it was trained at a fraction of the usual cost.",
    "Anthropic later restricted sales to companies controlled from China, citing the risk that its Claude "
    "models would be distilled by competitors.",
]
EXPORT_PARAGRAPHS = [
    "The Commerce Department's Bureau of Industry and Security tightened export controls on advanced AI "
    "chips again, adding high-bandwidth memory to the list of items that need a licence for China.",
    "Nvidia designed the H20 to stay under earlier export control thresholds. The company said the new "
    "licence requirement for the H20 would cost it billions of dollars in charges.",
    "Officials at BIS said the export controls target chips that could train frontier models, while industry "
    "groups warned that the rules would push buyers in China toward Huawei's Ascend accelerators.",
    "The entity list additions named several Chinese firms accused of diverting Nvidia chips through shell "
    "companies in Singapore and Malaysia.",
]
OFFTOPIC_PARAGRAPHS = [
    "The city council approved a new bicycle lane along the harbour road after a long public consultation "
    "that drew hundreds of comments from residents and shop owners.",
    "Construction is expected to start in the spring and to last about six months, with temporary parking "
    "moved to the old ferry terminal while the work goes on.",
    "Cyclists welcomed the decision, while some shop owners worried that deliveries would become harder "
    "during the busiest weeks of the summer season.",
    "The council also voted to plant two hundred trees along the new lane and to add benches near the market "
    "square, which has been closed to cars on Saturdays since last year.",
]


def article_html(title: str, paragraphs: list[str], *, published: str = "2025-02-03",
                 byline: str = "Ana Ruiz", canonical: str | None = None) -> str:
    """A plain news article page with chrome around it."""
    canon = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{canon}'
        f'<meta property="article:published_time" content="{published}T09:00:00Z">'
        f'<meta name="author" content="{byline}"></head><body>'
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/tech">Tech</a></nav>'
        f'<article><h1>{title}</h1><p class="byline">By {byline}</p>'
        f'<time datetime="{published}">{published}</time>{body}</article>'
        '<footer>Copyright Test News. All rights reserved.</footer></body></html>'
    )


def rss(items: list[tuple[str, str, str]], base: str = "{{BASE_URL}}") -> str:
    """RSS 2.0 with ``(path, title, pubDate)`` items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><guid>{base}{p}</guid><pubDate>{d}</pubDate></item>"
        for p, t, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test News</title>'
            f"<link>{base}/</link><description>test</description>{entries}</channel></rss>")


@pytest.fixture
def news_site(site: LoopbackSite) -> LoopbackSite:
    """Two on-topic articles, one syndicated near-copy, one off-topic page, one short non-article, an RSS feed
    listing all of them (the first also with tracking parameters and an AMP variant) and a robots.txt."""
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    site.add("/news/distill.html", article_html(
        "OpenAI says DeepSeek distilled its models", DISTILLATION_PARAGRAPHS, published="2025-01-29",
        byline="Ana Ruiz"))
    site.add("/news/distill/amp/", article_html(
        "OpenAI says DeepSeek distilled its models", DISTILLATION_PARAGRAPHS, published="2025-01-29",
        canonical="{{BASE_URL}}/news/distill.html"))
    site.add("/news/h20.html", article_html(
        "US tightens export controls on Nvidia H20 chips", EXPORT_PARAGRAPHS, published="2025-04-16",
        byline="Li Wei"))
    site.add("/wire/h20-copy.html", article_html(
        "US tightens export controls on Nvidia H20 chips (wire)",
        EXPORT_PARAGRAPHS[:3] + [EXPORT_PARAGRAPHS[3] + " Reporting by the wire desk."],
        published="2025-04-17", byline="Wire Staff"))
    site.add("/local/bikes.html", article_html(
        "Council approves harbour bike lane", OFFTOPIC_PARAGRAPHS, published="2025-03-01"))
    site.add("/about.html", "<html><head><title>About</title></head><body><p>About us.</p></body></html>")
    site.add("/private/secret.html", article_html("Secret export controls memo", EXPORT_PARAGRAPHS))
    site.add("/feed.xml", rss([
        ("/news/distill.html?utm_source=rss&utm_medium=feed", "OpenAI says DeepSeek distilled its models",
         "Wed, 29 Jan 2025 09:00:00 GMT"),
        ("/news/distill/amp/", "OpenAI says DeepSeek distilled (AMP)", "Wed, 29 Jan 2025 09:00:00 GMT"),
        ("/news/h20.html", "US tightens export controls on H20 chips", "Wed, 16 Apr 2025 09:00:00 GMT"),
        ("/wire/h20-copy.html", "US tightens export controls (wire)", "Thu, 17 Apr 2025 09:00:00 GMT"),
        ("/local/bikes.html", "Council approves harbour bike lane", "Sat, 01 Mar 2025 09:00:00 GMT"),
        ("/about.html", "About", "Sat, 01 Mar 2025 09:00:00 GMT"),
        ("/private/secret.html", "Secret", "Sat, 01 Mar 2025 09:00:00 GMT"),
    ]), "application/rss+xml")
    return site
