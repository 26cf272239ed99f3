"""Limits enforced by SQLite on the serving connections (issue 18, points 2, 3 and 5): the printf width read
the way SQLite reads it, a cap on the bytes one query returns, and functions denied by an authorizer."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psutil
import pytest

from aiwatch.datasette_plugin.limits import apply_limits

BIG_ROWS = ("with recursive n(i) as (select 1 union all select i + 1 from n where i < 40) "
            "select i, hex(zeroblob(4990000)) as h from n")


def query(ds, sql: str):
    return asyncio.run(ds.client.get("/aiwatch.json", params={"sql": sql, "_shape": "array"}))


@pytest.mark.parametrize("width", ["'1000000000x'", "' 1000000000'", "x'31303030303030303030'",
                                   "'+1000000000'", "1e9", "-1000000000"])
def test_printf_width_is_read_as_sqlite_reads_it(datasette_instance, width):
    response = query(datasette_instance, f"select length(printf('%.*c', {width}, 'x')) as n")
    assert response.status_code == 400, response.text[:300]
    assert "string or blob too big" in response.json()["error"]


def test_printf_width_bypass_fails_fast_on_a_bare_connection():
    """SQLite's own reading of the width, checked directly on a connection with the limits applied."""
    conn = sqlite3.connect(":memory:")
    apply_limits(conn, 1_000_000)
    start = time.monotonic()
    with pytest.raises(sqlite3.DataError, match="too big"):
        conn.execute("select printf('%.*c', '1000000000x', 'x')").fetchone()
    assert time.monotonic() - start < 1.0
    assert conn.execute("select printf('%5.1f|%-3s|%.*c', 2.5, 'ab', '3x', 'z')").fetchone()[0] == \
        "  2.5|ab |zzz"


def test_fts3_tokenizer_is_denied(datasette_instance):
    for sql in ("select fts3_tokenizer('simple')", "select hex(fts3_tokenizer('porter'))",
                "select load_extension('x')", "select FTS3_TOKENIZER('simple')"):
        response = query(datasette_instance, sql)
        assert response.status_code == 400, (sql, response.text[:300])
        assert "not authorized" in response.json()["error"], sql


def test_response_size_is_capped_with_a_clear_error(datasette_instance):
    response = query(datasette_instance, BIG_ROWS)
    assert response.status_code == 400
    assert "response too big" in response.json()["error"]
    assert "serve_max_response_bytes" in response.json()["error"]
    assert len(response.content) < 100_000
    # Ordinary queries and pages are untouched.
    assert query(datasette_instance, "select i from (select 1 as i)").json() == [{"i": 1}]
    assert asyncio.run(datasette_instance.client.get("/aiwatch/articles.json?_size=max")).status_code == 200


def test_response_cap_follows_the_setting(fixture_db):
    from aiwatch.config import load_config
    from aiwatch.serve import build_datasette

    ds = build_datasette(fixture_db[0], load_config(environ={"AIWATCH_SERVE_MAX_RESPONSE_BYTES": "200000"}))
    small = query(ds, "select hex(zeroblob(50000)) as h")
    assert small.status_code == 200
    big = query(ds, "select hex(zeroblob(50000)) as h from (select 1 union all select 2 union all select 3)")
    assert big.status_code == 400 and "200,000 bytes" in big.json()["error"]


@pytest.mark.slow
def test_served_process_stays_small_under_the_row_size_attack(fixture_db, tmp_path, serve_process):
    db = tmp_path / "rows.db"
    shutil.copy(fixture_db[0], db)
    with serve_process(db) as (url, proc, _):
        process = psutil.Process(proc.pid)
        peak = process.memory_info().rss
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, process.memory_info().rss)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        target = url + "aiwatch.json?" + urllib.parse.urlencode({"sql": BIG_ROWS, "_shape": "array"})
        try:
            with urllib.request.urlopen(target, timeout=120) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        done.set()
        sampler.join()
    assert status == 400 and b"response too big" in body, (status, len(body))
    assert peak / 1e6 < 400, peak / 1e6


def test_serving_connections_share_a_memory_map_of_the_file(datasette_instance):
    """Each of Datasette's connections reads the file through the map, not its own copy of every page."""
    from aiwatch.datasette_plugin import SERVE_MMAP_BYTES

    database = datasette_instance.get_database("aiwatch")
    mapped = asyncio.run(database.execute_fn(lambda conn: conn.execute("PRAGMA mmap_size").fetchone()[0]))
    assert mapped == SERVE_MMAP_BYTES
