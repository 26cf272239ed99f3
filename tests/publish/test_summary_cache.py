"""Table and facet counts are cached for the served database, and dropped as soon as the database changes."""

from __future__ import annotations

import asyncio
import re
import sqlite3

from aiwatch.config import load_config
from aiwatch.datasette_plugin.summary_cache import SummaryCachingDatabase, is_summary
from aiwatch.db import connect
from aiwatch.serve import build_datasette


def _rows_shown(html: str) -> int:
    match = re.search(r"([\d,]+) rows?\b", html)
    assert match, html[:2000]
    return int(match.group(1).replace(",", ""))


def test_summary_queries_are_recognised():
    assert is_summary("select count(*) from articles ")
    assert is_summary("select count(*) from [articles] where source = :p0")
    assert is_summary("\n  select source as value, count(*) as count from (\n select * from articles)")
    assert is_summary("select date(published) as value, count(*) as count from (select 1)")
    assert is_summary("\n        with arrays as (select topics as arr ...")
    assert not is_summary("select id, title from articles order by published desc limit 51")


def test_counts_are_cached_until_the_database_changes(fixture_db, tmp_path):
    path = tmp_path / "copy.db"  # the session fixture stays untouched
    with sqlite3.connect(fixture_db[0]) as source, sqlite3.connect(path) as target:
        source.backup(target)
    ds = build_datasette(path, load_config(environ={}))
    db = ds.databases["aiwatch"]
    assert isinstance(db, SummaryCachingDatabase)

    def page() -> str:
        response = asyncio.run(ds.client.get("/aiwatch/articles"))
        assert response.status_code == 200
        return response.text

    before = _rows_shown(page())
    assert db._cache, "the count and facets of the table page were not cached"
    cached = dict(db._cache)
    assert _rows_shown(page()) == before
    assert all(db._cache[k] is v for k, v in cached.items())  # the same results, not recomputed

    conn = connect(path)
    conn.execute("INSERT INTO articles (url, source, title, published, language, text, topics) VALUES "
                 "('https://new.example/one', 'new.example', 'A new article', '2026-01-02', 'en', 'text', "
                 "'[\"distillation\"]')")
    conn.close()
    html = page()
    assert _rows_shown(html) == before + 1
    assert "new.example" in html  # the source facet was recomputed too
