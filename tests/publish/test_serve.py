"""``aiwatch serve`` and :mod:`aiwatch.serve`: safe settings, limits, no-SQL mode, a live database."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

import datasette
import psutil
import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.config import load_config
from aiwatch.serve import DATABASE_NAME, build_datasette, build_metadata, datasette_settings

ATTACK = "select length(printf('%.*c',900000000,'x'))"


def test_datasette_is_a_patched_release():
    # Earlier releases have an unauthenticated SQL-injection advisory (GHSA-w3hf-fcg5-p4cc).
    assert tuple(int(p) for p in datasette.__version__.split(".")[:3]) >= (0, 65, 5)


def test_settings_come_from_config():
    config = load_config(
        environ={"AIWATCH_SERVE_SQL_TIME_LIMIT_MS": "250", "AIWATCH_SERVE_MAX_RETURNED_ROWS": "50"}
    )
    settings = datasette_settings(config)
    assert settings["sql_time_limit_ms"] == 250 and settings["max_returned_rows"] == 50
    assert settings["suggest_facets"] is False and settings["allow_download"] is False
    meta = build_metadata(config.replace(serve_allow_sql=False, serve_max_string_bytes=123456))
    assert meta["allow_sql"] is False
    assert meta["plugins"]["aiwatch"]["max_string_bytes"] == 123456
    assert "allow_sql" not in build_metadata(config)


def test_string_length_cap_fails_fast_with_clear_error(datasette_instance):
    start = time.monotonic()
    response = asyncio.run(datasette_instance.client.get("/aiwatch.json", params={"sql": ATTACK}))
    elapsed = time.monotonic() - start
    assert response.status_code == 400
    assert "string or blob too big" in response.json()["error"]
    assert elapsed < 2.0
    for sql in ("select length(zeroblob(900000000))", "select length(format('%900000000d', 1))"):
        response = asyncio.run(datasette_instance.client.get("/aiwatch.json", params={"sql": sql}))
        assert response.status_code == 400 and "too big" in response.json()["error"], sql
    # Ordinary printf still works.
    response = asyncio.run(
        datasette_instance.client.get(
            "/aiwatch.json", params={"sql": "select printf('%05d-%s', 42, 'x') as v", "_shape": "array"}
        )
    )
    assert response.json() == [{"v": "00042-x"}]


def test_no_sql_mode_keeps_canned_queries(fixture_db):
    ds = build_datasette(fixture_db[0], load_config(environ={}).replace(serve_allow_sql=False))

    def get(path, **params):
        return asyncio.run(ds.client.get(path, params=params))

    assert get("/aiwatch.json", sql="select 1").status_code == 403
    assert get("/aiwatch/who_accused_whom.json").status_code == 200
    assert get("/aiwatch/claims.json", _search="gallium").status_code == 200
    assert get("/aiwatch/feed_accusations.atom").status_code == 200
    assert get("/-/aiwatch/overview").status_code == 200


def test_database_is_mounted_as_aiwatch_whatever_its_file_name(fixture_db, tmp_path):
    other = tmp_path / "some-other-name.db"
    shutil.copy(fixture_db[0], other)
    ds = build_datasette(other, load_config(environ={}))
    assert list(ds.databases) == ["_internal", DATABASE_NAME] or DATABASE_NAME in ds.databases
    assert "_memory" not in ds.databases
    assert ds.databases[DATABASE_NAME].is_mutable
    assert asyncio.run(ds.client.get("/aiwatch/claims.json")).status_code == 200


def test_serve_refuses_a_missing_database(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "nope.db"), "serve", "--port", "0"])
    assert result.exit_code != 0
    assert "nope.db: no such file" in result.output
    assert "Traceback" not in result.output


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def served(fixture_db, tmp_path, serve_process):
    """A real ``aiwatch serve`` subprocess over a copy of the fixture database; yields (url, process, db)."""
    db = tmp_path / "live.db"
    shutil.copy(fixture_db[0], db)
    with serve_process(db) as (url, proc, _):
        yield url, proc, db


@pytest.mark.slow
def test_served_process_stays_small_under_the_length_attack(served):
    url, proc, _ = served
    process = psutil.Process(proc.pid)
    baseline_mb = process.memory_info().rss / 1e6
    status, body = _fetch(url + "aiwatch.json?" + urllib.parse.urlencode({"sql": ATTACK}))
    assert status == 400 and b"string or blob too big" in body
    rss_mb = process.memory_info().rss / 1e6
    assert rss_mb < 150, rss_mb
    print(f"serve RSS before attack {baseline_mb:.0f} MB, after {rss_mb:.0f} MB")


@pytest.mark.slow
def test_served_database_is_live(served):
    """Rows committed by another process (cron) show up without restarting the server."""
    url, _, db = served
    before = json.loads(_fetch(url + "aiwatch/articles.json?_shape=array&_size=max")[1])
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO articles (url, source, title, published, text, topics) VALUES "
        "('https://new.example.com/a', 'new.example.com', 'Fresh export news', '2026-11-27', "
        "'Fresh text about export controls.', '[\"export-controls\"]')"
    )
    conn.commit()
    conn.close()
    after = json.loads(_fetch(url + "aiwatch/articles.json?_shape=array&_size=max")[1])
    assert len(after) == len(before) + 1
    status, body = _fetch(url + "aiwatch/articles.json?_search=fresh&_shape=array")
    assert status == 200 and json.loads(body)[0]["title"] == "Fresh export news"


@pytest.mark.slow
def test_no_sql_flag_end_to_end(fixture_db, tmp_path, serve_process):
    db = tmp_path / "nosql.db"
    shutil.copy(fixture_db[0], db)
    with serve_process(db, "--no-sql") as (url, _, line):
        assert "arbitrary SQL off" in line, line
        assert _fetch(url + "aiwatch.json?sql=select+1")[0] == 403
        assert _fetch(url + "aiwatch/who_accused_whom.json")[0] == 200
