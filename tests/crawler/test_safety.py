"""SSRF and scheme guard (aiwatch.crawler.middlewares.safety): pure policy checks, then real Scrapy crawls
over loopback servers.

"Public-looking" hosts (``news.example``) are served from 127.0.0.1 through the test-only
``AIWATCH_TEST_PUBLIC_HOSTS`` hook; the "internal" listener is a second loopback server that must see 0 hits.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import hostile_servers as hs  # tests/crawler is on pytest's pythonpath
import pytest
from aiwatch.crawler.middlewares.safety import (
    AddressGuard,
    BlockedURL,
    address_problem,
    origin_of,
    parse_ip_literal,
    trusted_origins,
)

PUBLIC = "news.example"


# ---------------------------------------------------------------- policy, no network

@pytest.mark.parametrize(("spelling", "address"), [
    ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"), ("127.1", "127.0.0.1"), ("[::1]", "::1"),
    ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("10.0.0.1", "10.0.0.1"),
])
def test_ip_literal_spellings(spelling: str, address: str) -> None:
    assert str(parse_ip_literal(spelling)) == address


@pytest.mark.parametrize("host", ["news.example", "example.com", "1.2.3.4.example", "deadbeef"])
def test_names_are_not_ip_literals(host: str) -> None:
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link_local"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "non_global"), ("::1", "loopback"), ("fe80::1", "link_local"),
    ("fc00::1", "private"), ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link_local"),
    ("2002:7f00:1::", "loopback"), ("64:ff9b::a00:1", "private"), ("::", "unspecified"),
    ("8.8.8.8", None), ("2606:4700:4700::1111", None),
])
def test_address_classification(address: str, reason: str | None) -> None:
    assert address_problem(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "scheme"), ("ftp://ftp.example.com/x", "scheme"), ("data:text/plain,hi", "scheme"),
    ("gopher://127.0.0.1:70/_x", "scheme"), ("javascript:alert(1)", "scheme"),
    ("http://127.0.0.1:9000/internal", "loopback"), ("http://2130706433/", "loopback"),
    ("http://0x7f.1:8080/", "loopback"), ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link_local"), ("https://10.0.0.1/", "private"),
    ("http://localhost:8080/", "loopback"), ("http://does-not-exist.invalid/", "unresolvable"),
    ("http://news.example@127.0.0.1:9000/", "loopback"),
    ("http://0/", "unspecified"), ("http://[fe80::1%25eth0]/", "link_local"),
])
def test_guard_blocks(url: str, reason: str) -> None:
    guard = AddressGuard(trusted=["http://127.0.0.1:8001/feed.xml"], test_hosts={PUBLIC: "127.0.0.1"})
    with pytest.raises(BlockedURL) as caught:
        guard.check_blocking(url)
    assert caught.value.reason == reason
    assert "\n" not in str(caught.value)


def test_trailing_dot_names_are_still_checked() -> None:
    with pytest.raises(BlockedURL) as caught:  # resolves to loopback, or not at all without a resolver
        AddressGuard().check_blocking("http://localhost.:8080/")
    assert caught.value.reason in {"loopback", "unresolvable"}


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8001/article/1", "HTTP://127.0.0.1:8001/x?y=1", "http://news.example:8123/a",
    "https://8.8.8.8/", "http://[2606:4700:4700::1111]/",
])
def test_guard_allows_trusted_origins_and_public_hosts(url: str) -> None:
    guard = AddressGuard(trusted=["http://127.0.0.1:8001/feed.xml"], test_hosts={PUBLIC: "127.0.0.1"})
    guard.check_blocking(url)


def test_trust_is_per_origin_port_and_scheme() -> None:
    guard = AddressGuard(trusted=["http://127.0.0.1:8001/feed.xml"])
    for url in ("http://127.0.0.1:9000/internal", "https://127.0.0.1:8001/", "http://localhost:8001/"):
        with pytest.raises(BlockedURL):
            guard.check_blocking(url)


def test_origins() -> None:
    assert origin_of("https://Example.org/a") == "https://example.org:443"
    assert origin_of("http://[::1]:81/") == "http://[::1]:81"
    assert origin_of("not a url") is None
    urls = ["http://127.0.0.1:8001/feed.xml", "http://127.0.0.1:8001/a", "http://h.example/"]
    assert trusted_origins(urls) == ["http://127.0.0.1:8001", "http://h.example:80"]


# ---------------------------------------------------------------- real crawls

@pytest.fixture
def internal():
    """The listener nothing may reach: every path answers, every hit is counted."""
    secret = hs.page("<html><body><p>internal secret</p></body></html>")
    routes = {p: secret for p in ("/", "/robots.txt", "/secret", "/article", "/admin")}
    with hs.HostileServer(routes) as server:
        server.routes = _AnyPath(secret)
        yield server


class _AnyPath(dict):
    def __init__(self, handler):
        super().__init__()
        self.handler = handler

    def get(self, key, default=None):
        return self.handler


def _blocked_total(result) -> int:
    return sum(int(v) for k, v in result.stats.items() if k.startswith("aiwatch/blocked/"))


@pytest.mark.slow
def test_redirects_and_links_from_public_host_never_reach_internal(tmp_path: Path, internal) -> None:
    ip = internal.port
    routes = {
        "/r301": hs.redirect(f"http://127.0.0.1:{ip}/secret-301", 301),
        "/r302": hs.redirect(f"http://localhost:{ip}/secret-302", 302),
        "/r307": hs.redirect("http://10.0.0.1/secret", 307),
        "/r308": hs.redirect("http://169.254.169.254/latest/meta-data/", 308),
        "/rfile": hs.redirect("file:///etc/passwd", 302),
        "/rdec": hs.redirect(f"http://2130706433:{ip}/secret-dec", 302),
        "/rhex": hs.redirect(f"http://0x7f.1:{ip}/secret-hex", 302),
        "/rv6": hs.redirect(f"http://[::ffff:127.0.0.1]:{ip}/secret-v6", 302),
        "/chain": hs.redirect("/chain2", 302),
        "/chain2": hs.redirect(f"http://127.0.0.1:{ip}/admin-chain", 307),
        "/meta": hs.page(f'<html><head><meta http-equiv="refresh" content="0; url=http://127.0.0.1:{ip}/admin">'
                         "</head><body>moved</body></html>"),
        "/links": hs.page(f'<html><body><a href="http://127.0.0.1:{ip}/article">a</a>'
                          f'<a href="gopher://127.0.0.1:{ip}/_x">b</a><a href="/ok">ok</a></body></html>'),
        "/feed.xml": hs.page(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"<item><title>i</title><link>http://127.0.0.1:{ip}/article-feed</link></item>"
            "<item><title>j</title><link>/ok</link></item></channel></rss>",
            content_type="application/rss+xml"),
        "/ok": hs.page("<html><body><p>public article</p></body></html>"),
    }
    with hs.HostileServer(routes) as public:
        starts = [public.url(p, host=PUBLIC) for p in routes if p not in ("/ok", "/chain2")]
        result = hs.run_probe_crawl(tmp_path, starts, public_hosts={PUBLIC: "127.0.0.1"})
    assert result.returncode == 0, result.log[-3000:]
    assert internal.total_hits == 0, dict(internal.hits)
    assert public.hits["/ok"] == 1  # the public link was followed (once: duplicates are filtered)
    for reason, least in (("loopback", 9), ("private", 1), ("link_local", 1), ("scheme", 2)):
        assert result.stat(f"aiwatch/blocked/{reason}") >= least, (reason, result.stats)
    warnings = result.log_lines("[aiwatch.crawler.middlewares.safety] WARNING: blocked ")
    assert len(warnings) == _blocked_total(result)
    assert any("redirected from http://news.example" in w and "169.254.169.254" in w for w in warnings)
    assert any("blocked redirect to file:///etc/passwd" in w for w in warnings)
    assert "Traceback" not in result.log


@pytest.mark.slow
def test_trusted_loopback_origin_is_crawled_but_not_other_ports(tmp_path: Path, internal) -> None:
    routes = {
        "/feed.xml": hs.page(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>i</title><link>/a1</link></item>"
            f"<item><title>j</title><link>http://127.0.0.1:{internal.port}/article</link></item>"
            "</channel></rss>", content_type="application/rss+xml"),
        "/a1": hs.page("<html><body><p>trusted article</p></body></html>"),
        "/hop": hs.redirect(f"http://127.0.0.1:{internal.port}/admin"),
    }
    with hs.HostileServer(routes) as site:
        starts = [site.url("/feed.xml"), site.url("/hop")]
        result = hs.run_probe_crawl(tmp_path, starts, trusted=[site.url("/")])
    assert site.hits["/feed.xml"] == 1 and site.hits["/a1"] == 1
    assert internal.total_hits == 0
    assert result.stat("aiwatch/blocked/loopback") == 2
    assert site.url("/a1") in result.page_urls()


@pytest.mark.slow
def test_non_http_start_urls_are_refused(tmp_path: Path) -> None:
    urls = ["file:///etc/passwd", "ftp://127.0.0.1:21/pub", "data:text/html,<p>x</p>", "s3://bucket/key"]
    result = hs.run_probe_crawl(tmp_path, urls, trusted=urls)
    assert result.pages == []
    assert result.stat("aiwatch/blocked/scheme") == len(urls)
    assert len(result.log_lines("[aiwatch.crawler.middlewares.safety] WARNING: blocked ")) == len(urls)


# ------------------------------------------------- end to end through aiwatch.crawler.runtime.run.run_crawl

ARTICLE_TEXT = " ".join([
    "Anthropic said that DeepSeek and two other labs had used thousands of fraudulent accounts to distill",
    "the abilities of its Claude models, generating millions of exchanges to train their own systems.",
    "The company said distillation of this kind breaks its terms of service and weakens export controls",
    "on advanced chips, because rivals can copy capabilities without the compute. DeepSeek did not answer",
    "requests for comment about the distillation accusation on Tuesday.",
])
MORE_TEXT = " ".join([
    "OpenAI had made a similar claim earlier, telling a House committee that DeepSeek employees wrote code",
    "to extract model outputs through third-party routers. Researchers noted that distilling a rival's",
    "answers is hard to prove, since training data is rarely published and outputs can be bought legally",
    "from resellers in many countries.",
])


@pytest.mark.slow
def test_run_crawl_never_reaches_internal_addresses_from_trusted_feed(db_path: Path, internal, capfd) -> None:
    import json
    import sqlite3

    pytest.importorskip("aiwatch.crawler.runtime.run")
    from aiwatch.cli.crawl import recorded_crawl
    from aiwatch.config import load_config

    ip = internal.port
    page = (f"<html><head><title>Distillation accusation</title></head><body><article><h1>Distillation "
            f"accusation</h1><p>{ARTICLE_TEXT}</p><p>{MORE_TEXT}</p></article></body></html>")
    routes = {
        "/good": hs.page(page),
        "/to-other-port": hs.redirect(f"http://127.0.0.1:{ip}/secret", 301),
        "/to-private": hs.redirect("http://10.0.0.1/secret", 307),
        "/to-metadata": hs.redirect("http://169.254.169.254/latest/meta-data/", 308),
        "/to-file": hs.redirect("file:///etc/passwd", 302),
    }
    with hs.HostileServer(routes) as site:
        links = [site.url(p) for p in routes]
        links += [f"http://127.0.0.1:{ip}/article", f"http://2130706433:{ip}/x"]
        date = "<pubDate>Tue, 24 Feb 2026 10:00:00 GMT</pubDate>"
        items = "".join(f"<item><title>e{n}</title><link>{u}</link>{date}</item>"
                        for n, u in enumerate(links))
        site.routes["/feed.xml"] = hs.page(
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
            content_type="application/rss+xml")
        config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False)
        recorded_crawl(db_path, config, feeds=[site.url("/feed.xml")])
    assert internal.total_hits == 0, dict(internal.hits)
    with sqlite3.connect(db_path) as conn:
        stats = json.loads(conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
        stored = [r[0] for r in conn.execute("SELECT url FROM articles")]
    assert stored == [site.url("/good")], json.dumps(stats)
    assert stats["ignored"] == 6, stats
    err = capfd.readouterr().err.splitlines()
    blocked = [line for line in err if "aiwatch.crawler.middlewares.safety" in line and "blocked" in line]
    assert len(blocked) == 6, blocked


@pytest.mark.slow
def test_run_crawl_robots_txt_holds_five_queued_urls(db_path: Path) -> None:
    run = pytest.importorskip("aiwatch.crawler.runtime.run")
    from aiwatch.config import load_config

    paths = ["/a", "/b", "/private/report", "/c", "/d"]
    robots = hs.page("User-agent: *\nDisallow: /private\n", content_type="text/plain")
    routes = {"/robots.txt": hs.slow(1.5, robots)}
    routes.update({p: hs.page(f"<html><body><p>{p}</p></body></html>") for p in paths})
    with hs.HostileServer(routes) as site:
        config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                          concurrent_requests_per_domain=8)
        run.run_crawl(db_path, config, urls=[site.url(p) for p in paths])
    assert site.hits["/private/report"] == 0
    assert all(site.hits[p] == 1 for p in paths if p != "/private/report")


@pytest.mark.slow
def test_trust_follows_the_redirect_chain(tmp_path: Path, internal) -> None:
    """An untrusted public host redirecting to a trusted loopback origin is refused; the origin itself,
    given directly, is still crawled (issue 18, point 8)."""
    trusted_internal = f"http://127.0.0.1:{internal.port}/"
    routes = {
        "/r302": hs.redirect(f"http://127.0.0.1:{internal.port}/secret", 302),
        "/r307": hs.redirect(f"http://127.0.0.1:{internal.port}/admin", 307),
        "/meta": hs.page('<html><head><meta http-equiv="refresh" '
                         f'content="0; url={trusted_internal}from-meta"></head><body>moved</body></html>'),
    }
    with hs.HostileServer(routes) as public:
        starts = [public.url(p, host=PUBLIC) for p in routes] + [trusted_internal + "article"]
        result = hs.run_probe_crawl(tmp_path, starts, trusted=[trusted_internal],
                                    public_hosts={PUBLIC: "127.0.0.1"}, follow=False)
    assert result.returncode == 0, result.log[-3000:]
    assert internal.hits.get("/article") == 1  # trusted when given directly
    assert set(internal.hits) <= {"/article", "/robots.txt"}, dict(internal.hits)
    assert result.stat("aiwatch/blocked/loopback") == 3, result.stats
    warnings = result.log_lines("[aiwatch.crawler.middlewares.safety] WARNING: blocked ")
    assert sum(f"redirected from http://{PUBLIC}" in w for w in warnings) == 3, warnings
