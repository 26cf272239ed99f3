"""robots.txt: each queued request waits for its site's robots.txt
(aiwatch.crawler.middlewares.robots.QueuedRobotsTxtMiddleware).

Real Scrapy crawls in a child process against real loopback servers whose robots.txt answers slowly.
"""

from __future__ import annotations

from pathlib import Path

import hostile_servers as hs  # tests/crawler is on pytest's pythonpath
import pytest

QUEUED = ["/a", "/b", "/private/report.html", "/c", "/d"]
ROBOTS = "User-agent: *\nDisallow: /private\n"


def _site(robots_delay: float = 1.5) -> dict:
    routes = {"/robots.txt": hs.slow(robots_delay, hs.page(ROBOTS, content_type="text/plain"))}
    for path in QUEUED:
        routes[path] = hs.page(f"<html><body><h1>{path}</h1><p>Page {path}.</p></body></html>")
    return routes


def _crawl_five(tmp_path: Path, stock: bool):
    with hs.HostileServer(_site()) as server:
        result = hs.run_probe_crawl(tmp_path, [server.url(p) for p in QUEUED], trusted=[server.url("/")],
                                    stock_robots=stock, follow=False)
    return server, result


@pytest.mark.slow
def test_slow_robots_txt_holds_all_five_queued_requests(tmp_path: Path) -> None:
    server, result = _crawl_five(tmp_path, stock=False)
    assert result.returncode == 0, result.log[-2000:]
    assert server.hits["/private/report.html"] == 0
    assert server.hits["/robots.txt"] == 1
    assert all(server.hits[p] == 1 for p in QUEUED if not p.startswith("/private"))
    assert result.stat("robotstxt/forbidden") == 1
    assert len(result.log_lines("[aiwatch.crawler.middlewares.robots] INFO: robots.txt forbids")) == 1


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="Scrapy 2.19's RobotsTxtMiddleware lets waiting requests through "
                   "while robots.txt downloads (only the first waiter gets the parser)")
def test_stock_middleware_leaks_disallowed_request(tmp_path: Path) -> None:
    server, _ = _crawl_five(tmp_path, stock=True)
    assert server.hits["/private/report.html"] == 0


@pytest.mark.slow
def test_robots_txt_failure_allows_the_site_with_one_warning(tmp_path: Path) -> None:
    routes = {"/robots.txt": hs.reset(), "/a": hs.page("<p>a</p>"), "/private/b": hs.page("<p>b</p>")}
    with hs.HostileServer(routes) as server:
        result = hs.run_probe_crawl(tmp_path, [server.url("/a"), server.url("/private/b")],
                                    trusted=[server.url("/")], follow=False)
    assert server.hits["/a"] == 1 and server.hits["/private/b"] == 1
    warnings = result.log_lines("[aiwatch.crawler.middlewares.robots] WARNING: robots.txt http://127.0.0.1")
    assert len(warnings) == 1 and "allowing the site" in warnings[0]
    assert "Traceback" not in result.log
    assert any(k.startswith("robotstxt/exception_count/") for k in result.stats)


@pytest.mark.slow
def test_robots_txt_is_per_site(tmp_path: Path) -> None:
    strict_routes = _site(robots_delay=0.5)
    open_routes = {"/robots.txt": hs.page("User-agent: *\nDisallow:\n", content_type="text/plain"),
                   "/private/report.html": hs.page("<p>open</p>")}
    with hs.HostileServer(strict_routes) as strict, hs.HostileServer(open_routes) as open_site:
        urls = [strict.url("/private/report.html"), strict.url("/a"), open_site.url("/private/report.html")]
        trusted = [strict.url("/"), open_site.url("/")]
        result = hs.run_probe_crawl(tmp_path, urls, trusted=trusted, follow=False)
    assert strict.hits["/private/report.html"] == 0 and strict.hits["/a"] == 1
    assert open_site.hits["/private/report.html"] == 1
    assert result.stat("robotstxt/request_count") == 2
