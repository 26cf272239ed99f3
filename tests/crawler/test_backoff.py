"""Failing URLs and hosts are remembered across crawls with a growing wait, and redirect loops are logged
(issue 18, point 7)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hostile_servers as hs  # tests/crawler is on pytest's pythonpath
import pytest

from aiwatch.db import connect

TEXT = ("The Commerce Department said on Tuesday that new export controls on AI chips would cover "
        "Nvidia's H20 and similar accelerators sold to China, and officials said the rule answered reports "
        "that Chinese labs had trained models on chips bought through resellers. ") * 4


def test_waits_double_with_each_failing_crawl_and_a_success_clears_them(db_path: Path) -> None:
    from aiwatch.crawler.store import backoff

    conn = connect(db_path)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    fail = [backoff.Failure("url", "http://slow.example/a", "TimeoutError"),
            backoff.Failure("host", "dead.example:80", "ConnectionRefusedError")]
    assert backoff.record(conn, fail, [], 60, now=now) == 2
    waiting = backoff.active(conn, now=now + timedelta(minutes=59))
    assert waiting[("url", "http://slow.example/a")] == (1, "2026-03-01T13:00:00+00:00")
    assert backoff.active(conn, now=now + timedelta(minutes=61)) == {}
    backoff.record(conn, fail, [], 60, now=now + timedelta(hours=2))
    assert backoff.active(conn, now=now + timedelta(hours=3, minutes=59))[("host", "dead.example:80")][0] == 2
    backoff.record(conn, [], [("url", "http://slow.example/a")], 60, now=now + timedelta(hours=5))
    assert ("url", "http://slow.example/a") not in backoff.active(conn, now=now + timedelta(hours=5))
    assert backoff.record(conn, fail, [], 0, now=now) == 0  # 0 minutes: nothing is remembered


@pytest.mark.slow
def test_next_crawl_skips_links_that_timed_out_and_redirect_loops_are_logged(db_path: Path, capfd) -> None:
    from aiwatch.crawler.runtime.run import run_crawl

    from aiwatch.config import load_config

    good = hs.page(f"<html><head><title>Chip rule</title></head><body><article><h1>Chip rule</h1>"
                   f"<p>{TEXT}</p></article></body></html>")
    routes = {"/good": good, "/slow1": hs.slow(6, good), "/slow2": hs.slow(6, good),
              "/loop-a": hs.redirect("/loop-b"), "/loop-b": hs.redirect("/loop-a"),
              "/self": hs.redirect("/self")}
    with hs.HostileServer(routes) as site:
        items = "".join(f"<item><title>{p}</title><link>{site.url(p)}</link>"
                        "<pubDate>Tue, 24 Feb 2026 10:00:00 GMT</pubDate></item>"
                        for p in ("/good", "/slow1", "/slow2", "/loop-a", "/self"))
        site.routes["/feed.xml"] = hs.page(
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
            content_type="application/rss+xml")
        config = load_config(path="", environ={}).replace(download_delay=0, autothrottle=False,
                                                          download_timeout=1)
        first = run_crawl(db_path, config, feeds=[site.url("/feed.xml")])
        hits_after_first = dict(site.hits)
        err = capfd.readouterr().err
        # A second crawl with the feed changed (a new entry) so that the failing links are offered again.
        site.routes["/feed.xml"] = hs.page(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"<item><title>new</title><link>{site.url('/good')}?v=2</link></item>{items}</channel></rss>",
            content_type="application/rss+xml")
        second = run_crawl(db_path, config, feeds=[site.url("/feed.xml")])
        err2 = capfd.readouterr().err
        hits = dict(site.hits)
    assert first.stored == 1, first.to_dict()
    loops = [line for line in err.splitlines() if "redirect loop" in line]
    assert len(loops) == 2, err[-3000:]
    assert any(site.url("/loop-a") in line and site.url("/loop-b") in line for line in loops)
    conn = sqlite3.connect(db_path)
    rows = {(r[0], r[1]): r[2] for r in conn.execute("SELECT kind, target, failures FROM crawl_backoff")}
    assert rows.get(("url", site.url("/slow1"))) == 1 and rows.get(("url", site.url("/slow2"))) == 1, rows
    assert not any(kind == "host" for kind, _ in rows), rows  # the host answered other requests
    # The second crawl did not wait for the slow links again.
    assert hits["/slow1"] == hits_after_first["/slow1"] and hits["/slow2"] == hits_after_first["/slow2"], hits
    assert "skipping URLs of 127.0.0.1" in err2, err2[-3000:]
    assert json.dumps(second.to_dict())  # stats still serialise
