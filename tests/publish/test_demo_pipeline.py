"""The published site over the database ``aiwatch demo`` builds with the real stages from the sample site.

Every canned query must return rows on this realistic data, the feeds must parse and the pages must render.
"""

from __future__ import annotations

import asyncio
import sqlite3

import feedparser
import pytest

from aiwatch.config import load_config
from aiwatch.serve import build_datasette, load_metadata

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(demo_run):
    """(datasette, db path) for the database ``aiwatch demo --no-serve`` builds (crawl, extract, graph)."""
    db = demo_run[0]
    conn = sqlite3.connect(db)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("articles", "entities", "mentions", "claims", "graph_nodes", "graph_edges")}
    statuses = [r[0] for r in conn.execute("SELECT status FROM runs WHERE command = 'update'")]
    conn.close()
    assert all(counts.values()), counts
    assert statuses == ["ok"], statuses
    return build_datasette(db, load_config(environ={})), db


def _sample_params(db) -> dict[str, dict[str, str]]:
    """Parameters for each canned query, picked from what the pipeline actually found."""
    conn = sqlite3.connect(db)
    one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
    accused = one(
        "SELECT target_id FROM claims WHERE kind = 'accusation' AND target_id IS NOT NULL "
        "GROUP BY target_id ORDER BY count(*) DESC"
    )[0]
    accuser = one(
        f"SELECT speaker_id FROM claims WHERE kind = 'accusation' AND target_id = '{accused}' "
        "AND speaker_id IS NOT NULL"
    )[0]
    responded = one(  # an accusation with a response the query shows (by the accused, not before it)
        "SELECT acc.id FROM claims acc JOIN articles aa ON aa.id = acc.article_id "
        "JOIN claims r ON r.speaker_id = acc.target_id AND r.id != acc.id "
        "AND r.kind IN ('denial', 'statement', 'announcement') JOIN articles ra ON ra.id = r.article_id "
        "WHERE acc.kind = 'accusation' AND acc.negated = 0 "
        "AND (r.target_id = acc.speaker_id OR r.target_id IS NULL OR r.article_id = acc.article_id) "
        "AND (r.article_id = acc.article_id OR substr(ra.published, 1, 10) >= substr(aa.published, 1, 10)) "
        "ORDER BY r.kind = 'denial' DESC, acc.id"
    )
    edge = one("SELECT source_id, target_id FROM graph_edges ORDER BY weight DESC")
    first, last = one("SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles")
    word = one("SELECT verb FROM claims WHERE kind = 'accusation'")[0]
    conn.close()
    return {
        "who_accused_whom": {"accuser": accuser, "accused": accused, "about": "", "since": first},
        "entity_profile": {"entity": accused},
        "dispute_timeline": {"topic": "distillation"},
        "policy_actions_by_date": {"from": first, "to": last},
        "latest_claims": {"kind": ""},
        "responses_to_accusation": {"claim_id": str(responded[0]) if responded else "0"},
        "connection_between": {"a": edge[0], "b": edge[1]},
        "search_claims": {"q": word},
        "search_articles": {"q": word},
        "feed_accusations": {},
        "feed_policy_actions": {},
    }


def test_every_canned_query_returns_rows_on_pipeline_output(demo):
    ds, db = demo
    params = _sample_params(db)
    queries = load_metadata()["databases"]["aiwatch"]["queries"]
    assert set(params) == set(queries)
    empty = []
    for name, values in params.items():
        response = asyncio.run(ds.client.get(f"/aiwatch/{name}.json", params={**values, "_shape": "objects"}))
        assert response.status_code == 200, (name, response.text[:500])
        if not response.json()["rows"]:
            empty.append(name)
    assert empty == []


def test_feeds_and_pages_on_pipeline_output(demo):
    ds, db = demo
    for feed in ("feed_accusations", "feed_policy_actions"):
        response = asyncio.run(ds.client.get(f"/aiwatch/{feed}.atom"))
        parsed = feedparser.parse(response.content)
        assert response.status_code == 200 and not parsed.bozo and parsed.entries, feed
    conn = sqlite3.connect(db)
    top = conn.execute("SELECT entity_id FROM graph_nodes ORDER BY pagerank DESC LIMIT 3").fetchall()
    conn.close()
    overview = asyncio.run(ds.client.get("/-/aiwatch/overview"))
    assert overview.status_code == 200 and overview.text.count("<svg") >= 3
    for (entity_id,) in top:
        page = asyncio.run(ds.client.get(f"/-/aiwatch/entity/{entity_id}"))
        assert page.status_code == 200 and 'class="aiwatch-network"' in page.text, entity_id
    search = asyncio.run(ds.client.get("/aiwatch/articles.json", params={"_search": "distillation"}))
    assert search.json()["rows"]


def test_atom_titles_are_cut_at_a_word_boundary(demo):
    """Entry titles never end mid-word: a cut title ends with a whole word of the claim and an ellipsis."""
    ds, db = demo
    conn = sqlite3.connect(db)
    # one entry per event, titled by its first report's claim
    texts = {f"tag:aiwatch,2026:event/{i}": " ".join((t or "").split())
             for i, t in conn.execute("SELECT e.id, coalesce(c.content, c.sentence, '') FROM events e "
                                      "LEFT JOIN claims c ON c.id = e.first_claim_id")}
    conn.close()
    cut = 0
    for feed in ("feed_accusations", "feed_policy_actions"):
        parsed = feedparser.parse(asyncio.run(ds.client.get(f"/aiwatch/{feed}.atom")).content)
        for entry in parsed.entries:
            text = texts[entry.id]
            claim_part = entry.title.split(": ", 1)[1] if ": " in entry.title else entry.title
            if claim_part.endswith("…"):
                cut += 1
                stem = claim_part[:-1]
                assert text.startswith(stem) and text[len(stem)] in " ,;:-–—", (entry.title, text)
            else:
                assert claim_part == text, (entry.title, text)
    assert cut >= 1  # the demo has claims longer than a title
