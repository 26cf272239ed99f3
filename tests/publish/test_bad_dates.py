"""Every page tolerates any stored value in a date column (issue 18, point 6: the page half).

Crawled data may hold garbage in ``articles.published`` (a hint date stored raw, a number, a blob, an
impossible day); the overview, entity pages, feeds and the views behind them must still answer 200, show
such an article as undated and keep the good dates.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3

import pytest

from aiwatch.config import load_config
from aiwatch.db import connect
from aiwatch.serve import build_datasette

BAD_VALUES = ("not a date", "2025-13-45T99:99:99Z", 12345, 1.5, b"\x00\xff", "", "   ", "2025-02-30",
              "<script>alert(1)</script>", "0000-00-00", "2025-01-01Tnope", "9999-12-31T23:59:59Z")


@pytest.fixture(scope="module")
def bad_dates(fixture_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("dates") / "bad-dates.db"
    shutil.copy(fixture_db[0], path)
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
    kept = ids[-3:]  # three articles keep their good dates
    for article_id, value in zip(ids[:-3], BAD_VALUES, strict=False):
        conn.execute("UPDATE articles SET published = ?, fetched_at = ? WHERE id = ?",
                     (value, value if isinstance(value, bytes) else "garbage", article_id))
    conn.commit()
    entities = [r[0] for r in conn.execute("SELECT id FROM entities")]
    conn.close()
    connect(path).close()  # what `aiwatch serve` does first (views are recreated)
    return build_datasette(path, load_config(environ={})), entities, kept


def test_every_page_answers_with_garbage_dates(bad_dates):
    ds, entities, _ = bad_dates
    paths = ["/-/aiwatch/overview", "/aiwatch/feed_accusations.atom", "/aiwatch/feed_policy_actions.atom",
             "/aiwatch/who_accused_whom", "/aiwatch/latest_claims", "/aiwatch/policy_actions_by_date",
             "/aiwatch/dispute_timeline?topic=distillation",
             "/aiwatch/dispute_timeline?topic=export-controls",
             "/aiwatch/articles", "/aiwatch/articles?_facet_date=published", "/aiwatch/claims"]
    for view in ("accusations", "policy_actions", "entity_timeline", "co_mentions"):
        paths += [f"/aiwatch/{view}", f"/aiwatch/{view}.json"]
    dated = ("accusations", "policy_actions", "entity_timeline")
    paths += [f"/aiwatch/{view}?_sort_desc=date" for view in dated]
    paths += [f"/-/aiwatch/entity/{entity}" for entity in entities]
    paths += [f"/aiwatch/entity_profile?entity={entity}" for entity in entities[:5]]

    async def fetch_all() -> dict[str, int]:
        return {p: (await ds.client.get(p)).status_code for p in paths}

    statuses = asyncio.run(fetch_all())
    assert {p: s for p, s in statuses.items() if s != 200} == {}


def test_garbage_dates_show_as_undated_and_good_ones_stay(bad_dates):
    ds, _, _ = bad_dates
    rows = asyncio.run(ds.client.get("/aiwatch/entity_timeline.json?_shape=array&_size=max")).json()
    dates = [r["date"] for r in rows]
    assert all(d is None or (isinstance(d, str) and d[:4].isdigit() and d[4] == "-") for d in dates), dates
    assert any(isinstance(d, str) and d.startswith("2025-") for d in dates)
    page = asyncio.run(ds.client.get("/-/aiwatch/overview")).text
    assert "2025-13" not in page and "not a date" not in page
