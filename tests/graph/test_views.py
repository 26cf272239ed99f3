"""The journalist views: expected rows, exclusions, documentation and index use."""

from __future__ import annotations

import json
import re

import pytest
from aiwatch.graph.pipeline import update_graph

from aiwatch.db import connect
from aiwatch.views import VIEW_DOCS, VIEWS


@pytest.fixture
def conn(graph_db):
    path, _ = graph_db
    c = connect(path)
    update_graph(c, betweenness_k=500, seed=42)
    return c


@pytest.fixture
def ids(graph_db):
    return graph_db[1]


def test_accusations(conn, ids):
    rows = [dict(r) for r in conn.execute("SELECT * FROM accusations ORDER BY date")]
    assert [(r["accuser"], r["accused"], r["date"][:10]) for r in rows] == [
        ("OpenAI", "DeepSeek", "2025-01-29"),
        ("OpenAI", "DeepSeek", "2025-03-01"),
        ("Anthropic", "DeepSeek", "2026-02-12"),
    ]
    # Neither the syndicated copy's claim nor the negated "did not accuse" appears.
    claim_ids = {r["claim_id"] for r in rows}
    assert ids["c2"] not in claim_ids and ids["c4neg"] not in claim_ids
    first = rows[0]
    assert first["article_url"] == "https://news.example/2025/01/openai-deepseek"
    assert first["sentence"].startswith("OpenAI said it had found evidence")
    assert first["accuser_id"] == "openai" and first["accused_id"] == "deepseek" and first["is_quote"] == 0


def test_policy_actions(conn):
    rows = [dict(r) for r in conn.execute("SELECT * FROM policy_actions ORDER BY date")]
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [
        ("Bureau of Industry and Security", "require", "Nvidia"),
        ("Bureau of Industry and Security", "warn", "Huawei"),
    ]
    assert rows[0]["source_url"] == "https://policy.example/h20-licence"
    assert rows[0]["article_title"].startswith("US requires licence")


def test_entity_timeline(conn, ids):
    rows = [dict(r) for r in conn.execute(
        "SELECT * FROM entity_timeline WHERE entity_id = 'deepseek' ORDER BY date")]
    assert [r["article_id"] for r in rows] == [ids["a1"], ids["a6"], ids["a4"]]
    by_article = {r["article_id"]: r for r in rows}
    a4 = by_article[ids["a4"]]
    assert (a4["claims_made"], a4["claims_received"], a4["mentions"]) == (1, 1, 2)
    assert by_article[ids["a1"]]["mentions"] == 2
    # An entity that only speaks without being tagged as a mention still gets its row.
    conn.execute("DELETE FROM mentions WHERE entity_id = 'huawei'")
    huawei = [dict(r) for r in conn.execute("SELECT * FROM entity_timeline WHERE entity_id = 'huawei'")]
    assert [(r["article_id"], r["claims_received"], r["mentions"]) for r in huawei] == [(ids["a5"], 1, 0)]
    assert conn.execute("SELECT count(*) FROM entity_timeline WHERE article_id = ?",
                        (ids["a2"],)).fetchone()[0] == 0


def test_co_mentions(conn, ids):
    rows = {(r["source_id"], r["target_id"]): dict(r) for r in conn.execute("SELECT * FROM co_mentions")}
    assert len(rows) == 13
    pair = rows[("deepseek", "openai")]
    assert (pair["source"], pair["target"], pair["weight"], pair["articles"]) == ("DeepSeek", "OpenAI", 2, 2)
    assert json.loads(pair["evidence"]) == [ids["a1"], ids["a6"]]
    assert rows[("anthropic", "deepseek")]["articles"] == 1


def test_speakers_that_are_no_entity_show_as_written_with_kind_and_channel(conn, ids):
    insert = ("INSERT INTO claims (article_id, speaker_id, speaker_text, speaker_kind, via_id, via_text,"
              " verb, kind, target_id, target_text, content, sentence, start_char, end_char, negated)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'c', 's', 0, 1, 0)")
    conn.executemany(insert, [
        (ids["a6"], None, "US officials", "group", None, "the Wall Street Journal", "accuse", "accusation",
         None, "Chinese AI labs"),
        (ids["a3"], None, "Chinese regulators", "group", "microsoft", "Microsoft", "ban", "policy_action",
         "nvidia", "Nvidia"),
        (ids["a3"], "us-bis", "the agency", "entity", None, None, "ban", "policy_action", "huawei", "Huawei"),
    ])
    officials = dict(conn.execute("SELECT * FROM accusations WHERE accuser_kind = 'group'").fetchone())
    assert (officials["accuser_id"], officials["accuser"], officials["accuser_text"]) == (
        None, "US officials", "US officials")
    assert (officials["via_id"], officials["via"]) == (None, "the Wall Street Journal")
    assert (officials["accused_id"], officials["accused"], officials["accused_text"]) == (
        None, "Chinese AI labs", "Chinese AI labs")
    actions = {r["actor_text"]: dict(r) for r in conn.execute("SELECT * FROM policy_actions")}
    regulators = actions["Chinese regulators"]
    assert (regulators["actor_id"], regulators["actor"], regulators["actor_kind"]) == (
        None, "Chinese regulators", "group")
    assert (regulators["via_id"], regulators["via"], regulators["target"]) == (
        "microsoft", "Microsoft", "Nvidia")
    # A resolved speaker shows its name; the text keeps how the article put it.
    agency = actions["the agency"]
    assert (agency["actor_id"], agency["actor"], agency["actor_kind"]) == (
        "us-bis", "Bureau of Industry and Security", "entity")


def test_every_view_and_column_is_documented(conn):
    assert set(VIEW_DOCS) == set(VIEWS)
    for name, doc in VIEW_DOCS.items():
        columns = [d[0] for d in conn.execute(f"SELECT * FROM [{name}] LIMIT 0").description]
        assert list(doc["columns"]) == columns, name
        assert doc["description"] and all(doc["columns"].values())


@pytest.mark.parametrize("query", [
    "SELECT * FROM accusations WHERE accuser_id = 'openai'",
    "SELECT * FROM policy_actions WHERE actor_id = 'us-bis'",
    "SELECT * FROM entity_timeline WHERE entity_id = 'deepseek'",
    "SELECT * FROM co_mentions WHERE source_id = 'deepseek'",
    "SELECT * FROM accusations WHERE accuser_kind = 'group'",
    "SELECT * FROM policy_actions WHERE actor_kind = 'role'",
    "SELECT * FROM accusations WHERE via_id = 'reuters'",
])
def test_filtered_views_use_indexes(conn, query):
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + query))
    # A full scan of a big table (under its name or its alias in the view) means no index was used.
    assert not re.search(r"SCAN (mentions|claims|graph_edges|m|c|g)\b", plan), plan
