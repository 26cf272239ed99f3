"""Cron always makes progress with one slow source present (issue 18, point 7).

The crawl gets its share of ``--max-minutes`` (setting ``crawl_share``), so extraction and the graph run on
what it stored even when one source's links hang; the links that timed out are skipped by the next run
(``crawl_backoff``) instead of costing it the same waits.
"""

from __future__ import annotations

import sqlite3
import time

import hostile_servers as hs  # tests/crawler is on pytest's pythonpath
import pytest

pytestmark = pytest.mark.slow

ARTICLES = {
    "/h20-licence": (
        "Nvidia told it needs a licence to ship H20 chips to China",
        "Nvidia said the US Commerce Department told it that exports of its H20 accelerator to China now "
        "need a licence. The chip had been designed to fit under earlier export controls, and Chinese cloud "
        "groups had ordered it in bulk. Nvidia said it expects a charge of several billion dollars for "
        "inventory. "
        "AMD said its MI308 accelerator faces the same export licence rule for sales to China, and analysts "
        "said the controls would push Chinese buyers toward Huawei's Ascend chips."),
    "/distillation-claim": (
        "OpenAI says DeepSeek distilled its models",
        "OpenAI said it had found evidence that DeepSeek used distillation to train its R1 model on outputs "
        "from OpenAI's systems, in breach of its terms of service. The company said accounts linked to the "
        "Chinese lab pulled large volumes of answers through the API. DeepSeek did not respond to requests "
        "for comment. Officials in Washington said the case showed how model distillation can route around "
        "export controls on the advanced chips needed to train frontier models."),
    "/hbm-rule": (
        "Commerce adds high-bandwidth memory to chip export controls",
        "The Bureau of Industry and Security issued export controls on Monday that restrict sales of "
        "high-bandwidth memory to China and add dozens of companies to the Entity List. The rule covers the "
        "stacked memory that sits beside AI accelerators such as Nvidia's H100. China's commerce ministry "
        "said it firmly opposed the export controls and would protect the rights of Chinese firms, and "
        "officials said the measure aims to slow advanced chip work for artificial intelligence."),
    "/anthropic-accounts": (
        "Anthropic closes accounts it links to distillation campaigns",
        "Anthropic said it closed thousands of fraudulent accounts that it linked to distillation campaigns "
        "against its Claude models run by Chinese AI labs. The company accused DeepSeek and Moonshot of "
        "collecting millions of answers to train rival systems. Anthropic argued that distillation of this "
        "kind undercuts American export controls on AI chips, because a lab that cannot buy accelerators "
        "can still copy capabilities from a model served over an API."),
}
SLOW_LINKS = 10


def article(title: str, text: str) -> hs.Handler:
    return hs.page(f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
                   "<meta property='article:published_time' content='2026-02-24T10:00:00Z'></head><body>"
                   f"<article><h1>{title}</h1><p>{text}</p></article></body></html>")


def feed(urls: list[str]) -> hs.Handler:
    items = "".join(f"<item><title>{u}</title><link>{u}</link>"
                    "<pubDate>Tue, 24 Feb 2026 10:00:00 GMT</pubDate></item>" for u in urls)
    body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"
    return hs.page(body, content_type="application/rss+xml")


def test_a_slow_source_cannot_starve_extraction_and_is_skipped_next_time(ops, tmp_path):
    good_routes = {path: article(*a) for path, a in ARTICLES.items()}
    slow_routes = {f"/slow/{n}": hs.slow(60, article("Slow", "never arrives in time"))
                   for n in range(SLOW_LINKS)}
    with hs.HostileServer(good_routes) as good, hs.HostileServer(slow_routes) as slow:
        good.routes["/feed.xml"] = feed([good.url(p) for p in ARTICLES])
        slow.routes["/feed.xml"] = feed([slow.url(f"/slow/{n}") for n in range(SLOW_LINKS)])
        # a slow link costs a timeout and a retry, 12 s, past the crawl's share of 0.5 minutes (9 s) even
        # when all ten are fetched at once: the share, not the timeouts, ends the crawl
        env = ops.clean_env(AIWATCH_DOWNLOAD_TIMEOUT="6", AIWATCH_CRAWL_SHARE="0.3",
                            AIWATCH_EXTRACT_WORKERS="1")
        db = tmp_path / "hourly.db"
        args = ("--max-minutes", "0.5", "--feed", good.url("/feed.xml"), "--feed", slow.url("/feed.xml"))
        first = ops.start(db, *args, env=env)
        code = first.wait()
        seconds = time.monotonic() - first.started
        run = ops.last_run(db)
        assert code == 0, first.output[-3000:]
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert stored >= 1 and run["stats"]["extract"]["articles"] == stored, run
        assert run["stats"]["graph"], run
        assert "crawl_share" in first.output  # the crawl says why it stopped early
        slow_paths = [f"/slow/{n}" for n in range(SLOW_LINKS)]
        tried = {p: slow.hits[p] for p in slow_paths if slow.hits[p]}
        second = ops.start(db, *args, env=env)
        code2 = second.wait()
        seconds2 = time.monotonic() - second.started
        repeated = {p: slow.hits[p] - n for p, n in tried.items() if slow.hits[p] > n}
        slow_hits2 = sum(slow.hits[p] for p in slow_paths) - sum(tried.values())
    assert code2 == 0, second.output[-3000:]
    # Links that timed out last time are skipped until their wait ends.
    assert tried and repeated == {}, repeated
    assert "skipping URLs of 127.0.0.1" in second.output
    with sqlite3.connect(db) as conn:
        waiting = conn.execute("SELECT count(*) FROM crawl_backoff WHERE kind = 'url'").fetchone()[0]
    assert waiting >= 1
    print(f"\nslow source: run 1 exit 0 after {seconds:.0f}s with {stored} articles extracted; "
          f"run 2 after {seconds2:.0f}s, {slow_hits2} slow requests")
