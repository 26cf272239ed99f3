"""Undated articles and readable links on the pages, views and feeds people read (issue 16)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from aiwatch.config import load_config
from aiwatch.db import connect

DATED = ("https://news.test/2025/02/03/dated-story/", "https://news.test/2025/02/03/dated-story")
UNDATED = ("https://news.test/wire/undated-brief/", "https://news.test/wire/undated-brief")
SENTENCE = "Anthropic accused DeepSeek of distilling Claude."


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("undated") / "undated.db"
    conn = connect(path)
    conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, 'ai_lab')",
                     [("anthropic", "Anthropic"), ("deepseek", "DeepSeek")])
    for number, (url, key), published, source in ((1, DATED, "2025-02-03", "markup"),
                                                  (2, UNDATED, None, "none")):
        conn.execute("INSERT INTO articles (id, url, url_key, source, title, published, date_source, "
                     "fetched_at, text, topics) VALUES (?, ?, ?, 'news.test', ?, ?, ?, "
                     "'2026-11-27T10:00:00+00:00', ?, '[\"distillation\"]')",
                     (number, url, key, f"Story {number}", published, source, SENTENCE))
        conn.execute("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence) "
                     "VALUES (?, 'anthropic', 'Anthropic', 0, 9, ?)", (number, SENTENCE))
        conn.execute("INSERT INTO claims (article_id, speaker_id, speaker_text, verb, kind, target_id, "
                     "target_text, content, sentence, start_char, end_char, confidence) VALUES (?, "
                     "'anthropic', 'Anthropic', 'accuse', 'accusation', 'deepseek', 'DeepSeek', "
                     "'of distilling Claude', ?, 0, 49, 0.9)", (number, SENTENCE))
    from aiwatch.graph.pipeline import update_graph

    update_graph(conn, betweenness_k=500, seed=42)  # the claim events the feeds list
    conn.close()
    return path


@pytest.fixture(scope="module")
def get(db: Path):
    from aiwatch.serve import build_datasette

    datasette = build_datasette(db, load_config(environ={}))
    return lambda path: asyncio.run(datasette.client.get(path))


def test_views_show_an_undated_article_as_undated_never_at_its_fetch_time(db: Path) -> None:
    conn = sqlite3.connect(db)
    for view, link in (("accusations", "article_url"), ("entity_timeline", "article_url"),
                       ("policy_actions", "source_url")):
        columns = [c[1] for c in conn.execute(f"PRAGMA table_info({view})")]
        assert {"date", "date_source", link} <= set(columns), view
    rows = conn.execute("SELECT article_id, date, date_source, article_url FROM accusations "
                        "ORDER BY article_id").fetchall()
    assert rows == [(1, "2025-02-03", "markup", DATED[0]), (2, None, "none", UNDATED[0])]
    conn.close()


def test_pages_link_to_the_readable_url_and_show_undated_articles_apart(get) -> None:
    overview = get("/-/aiwatch/overview")
    assert overview.status_code == 200
    assert "1 undated article" in overview.text and "published__isnull=1" in overview.text
    entity = get("/-/aiwatch/entity/anthropic")
    assert entity.status_code == 200
    assert f'href="{UNDATED[0]}"' in entity.text and f'href="{UNDATED[1]}"' not in entity.text
    assert "undated" in entity.text and "2026-11-27" not in entity.text
    # one entry per act, linking to its first report's readable address: the undated report retells the
    # only dated act of its accuser against that party, so it is a report of it, never dated by its fetch time
    feed = get("/aiwatch/feed_accusations.atom")
    assert feed.status_code == 200 and DATED[0] in feed.text and UNDATED[0] not in feed.text
    assert "(2025-02-03)" in feed.text and "Reported by 2 article(s)" in feed.text
    assert f"{DATED[1]}<" not in feed.text
    table = get("/aiwatch/articles.json?_shape=array&published__isnull=1")
    assert [row["url"] for row in table.json()] == [UNDATED[0]]


def test_view_pages_say_undated_in_the_date_column(get) -> None:
    page = get("/aiwatch/accusations")
    assert page.status_code == 200
    assert page.text.count('class="aiwatch-undated">undated<') == 1  # one undated accusation of two
