"""Distributed crawl for real: redis-server, two ``aiwatch crawl --redis`` processes, one ``aiwatch ingest``.

The bundled sample site is served on loopback with a hit log; the result is compared with a single-process
``run_crawl`` of the same site (same stored URLs and duplicate links) and with the site's manifest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiwatch.crawler.runtime.run import run_crawl
from aiwatch.crawler.sample_site import SITE_DIR

MANIFEST = json.loads((SITE_DIR.parent / "manifest.json").read_text())
DISCOVERY = {"/robots.txt", "/feed.xml", "/atom.xml", "/sitemap_index.xml", "/sitemap.xml",
             "/news-sitemap.xml"}
REDIS_SERVER = shutil.which("redis-server")
CLI = [sys.executable, "-c", "from aiwatch.cli import main; main()"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS_SERVER is None,
                       reason="redis-server not installed (Debian package redis-server)"),
]


def stored_path(path: str) -> str:
    """Where the crawler stores a page: under the canonical URL it declares, if any (else its own)."""
    html = (SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="\{\{BASE_URL\}\}([^"]+)"', html)
    return match.group(1) if match else path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (free port, no persistence), stopped after the module."""
    import redis

    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        pytest.fail("redis-server did not start")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cli_env(tmp: Path) -> dict[str, str]:
    """The environment of the CLI subprocesses (run in ``tmp``, no aiwatch.toml there): short idle close,
    and a 50 ms delay between one crawler's requests (not a politeness delay: without it, the crawler that
    starts first can fetch the site's ~90 articles before the other has read a feed, and the test would not
    see the two share the queue)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(AIWATCH_DOWNLOAD_DELAY="0.05", AIWATCH_AUTOTHROTTLE="false",
               AIWATCH_CONCURRENT_REQUESTS_PER_DOMAIN="8", AIWATCH_REDIS_IDLE_CLOSE="2")
    return env


def cli(tmp: Path, db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, "--db", str(db), *args], cwd=tmp, env=cli_env(tmp), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err[-3000:]}"
    return out


def rows(db: Path, base: str) -> dict[str, tuple[str | None, int]]:
    """Stored articles by site path: (site path of the earliest copy or None, raw page count)."""
    conn = sqlite3.connect(db)
    try:
        urls = {i: u[len(base):] for i, u in conn.execute("SELECT id, url FROM articles")}
        found = {}
        for article_id, url, dup in conn.execute("SELECT id, url, duplicate_of FROM articles"):
            raw = conn.execute("SELECT count(*) FROM raw_pages WHERE article_id = ?",
                               (article_id,)).fetchone()[0]
            found[url[len(base):]] = (urls.get(dup) if dup else None, raw)
        return found
    finally:
        conn.close()


def article_hits(paths: list[str]) -> Counter[str]:
    return Counter(p for p in paths if p not in DISCOVERY)


@pytest.fixture(scope="module")
def distributed(tmp_path_factory: pytest.TempPathFactory, sample_server_module, redis_url: str):
    """A single-process crawl, then two distributed crawlers plus one writer, then a second distributed
    crawl of the unchanged site (which must fetch no article again)."""
    import redis

    tmp = tmp_path_factory.mktemp("distributed")
    site = sample_server_module
    base = site.base_url
    sources = ["--feed", f"{base}/feed.xml", "--feed", f"{base}/atom.xml",
               "--sitemap", f"{base}/sitemap_index.xml"]

    from aiwatch.config import load_config

    config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                       concurrent_requests_per_domain=8)
    single_db = tmp / "single.db"
    site.clear_hits()
    run_crawl(single_db, config, feeds=[f"{base}/feed.xml", f"{base}/atom.xml"],
              sitemaps=[f"{base}/sitemap_index.xml"])
    single_hits = site.hit_paths()

    site.clear_hits()
    started = time.monotonic()
    crawlers = [cli(tmp, tmp / f"crawler{i}.db", "crawl", "--redis", redis_url, *sources) for i in (1, 2)]
    time.sleep(1)
    writer = cli(tmp, tmp / "store.db", "ingest", "--redis", redis_url, "--idle-exit", "5")
    crawl_out = [finish(p) for p in crawlers]
    ingest_out = [finish(writer)]
    client = redis.Redis.from_url(redis_url)
    if client.llen("aiwatch:items"):  # the writer gave up during a long pause between items: run it again
        rerun = cli(tmp, tmp / "store.db", "ingest", "--redis", redis_url, "--idle-exit", "1")
        ingest_out.append(finish(rerun))
    elapsed = time.monotonic() - started
    dist_hits = site.hit_paths()
    leftover = client.llen("aiwatch:items") + client.llen("aiwatch:items:processing")

    site.clear_hits()
    again = finish(cli(tmp, tmp / "crawler1.db", "crawl", "--redis", redis_url, *sources))
    again_hits = site.hit_paths()
    print(f"distributed crawl + ingest {elapsed:.1f}s; crawlers: {crawl_out}; writer: {ingest_out}")
    return {"base": base, "single": rows(single_db, base), "store": rows(tmp / "store.db", base),
            "single_hits": single_hits, "dist_hits": dist_hits, "again_hits": again_hits,
            "crawl_out": crawl_out, "again_out": again, "leftover": leftover, "tmp": tmp}


def test_every_article_stored_once_as_in_a_single_process_crawl(distributed) -> None:
    store, single = distributed["store"], distributed["single"]
    expected = {stored_path(e["path"]) for e in MANIFEST if e["kind"] in ("article", "duplicate")}
    assert len(expected) >= 40
    assert expected <= set(store), f"missing: {sorted(expected - set(store))}"
    assert set(store) == set(single)
    assert store == single  # same duplicate links and raw pages per article (canonical-link copies add one)
    assert distributed["leftover"] == 0


def test_duplicates_point_at_the_earliest_copy(distributed) -> None:
    store = distributed["store"]
    for entry in MANIFEST:
        if entry["kind"] == "duplicate" and stored_path(entry["path"]) == entry["path"]:
            assert store[entry["path"]][0] == entry["duplicate_of"], entry["path"]


def test_no_article_page_fetched_twice(distributed) -> None:
    hits = article_hits(distributed["dist_hits"])
    twice = {p: n for p, n in hits.items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"
    assert set(hits) == set(article_hits(distributed["single_hits"]))
    both = [out for out in distributed["crawl_out"] if "queued" in out and " 0 articles queued" not in out]
    assert len(both) == 2, f"both crawlers should have fetched articles: {distributed['crawl_out']}"


def test_second_distributed_crawl_fetches_no_article_again(distributed) -> None:
    assert not article_hits(distributed["again_hits"])
    assert "links not fetched again" in distributed["again_out"]


def test_writer_drops_garbage_and_recovers_unfinished_items(redis_url: str, tmp_path: Path) -> None:
    import redis
    from aiwatch.crawler.distributed.frontier import ITEM_FORMAT, ITEMS_KEY, PROCESSING_KEY, ingest

    client = redis.Redis.from_url(redis_url)
    client.delete(ITEMS_KEY, PROCESSING_KEY)
    dropped = json.dumps({"type": "dropped", "format": ITEM_FORMAT, "seen_key": "http://example.org/a",
                          "reason": "off_topic", "origin": "http://example.org/feed.xml", "fingerprint": "f1",
                          "detail": "relevance 0.00 < 1.0"})
    client.lpush(PROCESSING_KEY, dropped)  # taken by a writer that was killed before committing
    client.lpush(ITEMS_KEY, b"\x80not json")
    stats = ingest(tmp_path / "w.db", redis_url, idle_exit=0.5)
    assert (stats.recovered, stats.dropped, stats.invalid, stats.items) == (1, 1, 1, 0)
    assert client.llen(ITEMS_KEY) == 0 and client.llen(PROCESSING_KEY) == 0
    conn = sqlite3.connect(tmp_path / "w.db")
    assert conn.execute("SELECT outcome FROM crawl_seen WHERE url = 'http://example.org/a'").fetchone() == (
        "off_topic",)


def test_unreachable_redis_is_a_one_line_error(tmp_path: Path) -> None:
    port = free_port()
    for args in (["crawl", "--redis", f"redis://127.0.0.1:{port}/0", "--url", "http://127.0.0.1:9/a.html"],
                 ["ingest", "--redis", f"redis://127.0.0.1:{port}/0", "--idle-exit", "1"]):
        proc = cli(tmp_path, tmp_path / "x.db", *args)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode != 0
        assert f"Error: redis redis://127.0.0.1:{port}/0: cannot connect" in err
        assert "Traceback" not in err


SEEN_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    + "".join(f"<item><title>{title}</title><link>{{{{BASE_URL}}}}{path}</link>"
              "<pubDate>Wed, 16 Apr 2025 09:00:00 GMT</pubDate></item>"
              for path, title in (("/news/h20.html", "H20 rules"), ("/news/gone.html", "Gone"),
                                  ("/local/bikes.html", "Bike lane"), ("/news/distill.html", "Distillation")))
    + "</channel></rss>"
)


def test_seen_set_marks_outcomes_forgets_failures_and_reclaims_stale_claims(
    news_site, redis_url: str, tmp_path: Path
) -> None:
    import redis
    from aiwatch.crawler.distributed.frontier import SEEN_KEY

    client = redis.Redis.from_url(redis_url)
    base = news_site.base_url
    now = int(client.time()[0])
    client.hset(SEEN_KEY, f"{base}/local/bikes.html", now - 7200)  # claimed by a crawler killed 2 h ago
    client.hset(SEEN_KEY, f"{base}/news/distill.html", now - 60)  # being fetched by another crawler
    feed = news_site.add("/feed-seen.xml", SEEN_FEED, "application/rss+xml")
    out = finish(cli(tmp_path, tmp_path / "c.db", "crawl", "--redis", redis_url, "--feed", feed))
    assert "1 articles queued" in out
    hits = news_site.hit_paths()
    assert client.hget(SEEN_KEY, f"{base}/news/h20.html") == b"done"
    assert not client.hexists(SEEN_KEY, f"{base}/news/gone.html")  # 404: tried again next time
    assert hits.count("/news/gone.html") == 1
    assert client.hget(SEEN_KEY, f"{base}/local/bikes.html") == b"done"  # stale claim re-taken; off-topic
    assert hits.count("/local/bikes.html") == 1
    assert "/news/distill.html" not in hits
