"""The long canned-query lists come in pages (of 100 rows; latest_claims 50) that, read one after another,
give the whole list in its order, each row once, with Previous/Next links on the page."""

from __future__ import annotations

import asyncio
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aiwatch.db import connect, transaction
from aiwatch.serve import load_metadata

ARTICLES = 230
PAGED = {
    "latest_claims": {"kind": "", "speaker_kind": ""},
    "who_accused_whom": {"accuser": "", "accused": "", "about": "", "since": ""},
    "policy_actions_by_date": {"from": "", "to": ""},
    "dispute_timeline": {"topic": "distillation"},
    "connection_between": {"a": "acme", "b": "bolt"},
}
PAGE_SIZE = {"latest_claims": 50}  # the others: 100


def page_clause(size: int) -> re.Pattern:
    return re.compile(re.escape(
        f"LIMIT {size} OFFSET (max(coalesce(cast(nullif(trim(:page), '') AS INTEGER), 1), 1) - 1) * {size}"))


def build(path: Path) -> None:
    """Two entities in every article (dates shuffled and often tied), each article with an accusation and a
    policy action."""
    rng = random.Random(15)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    conn = connect(path)
    with transaction(conn):
        conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, 'company')",
                         [("acme", "Acme"), ("bolt", "Bolt")])
        for i in range(1, ARTICLES + 1):
            published = (start + timedelta(days=rng.randrange(60))).isoformat()
            text = f"Acme accused Bolt, story {i}. Acme banned exports."
            conn.execute("INSERT INTO articles (id, url, source, title, published, text, topics) "
                         "VALUES (?, ?, 'a.example', ?, ?, ?, '[\"distillation\"]')",
                         (i, f"https://a.example/{i}", f"Story {i}", published, text))
            conn.executemany("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char) "
                             "VALUES (?, ?, ?, ?, ?)",
                             [(i, "acme", "Acme", 0, 4), (i, "bolt", "Bolt", 14, 18)])
            conn.executemany(
                "INSERT INTO claims (article_id, speaker_id, speaker_text, verb, kind, target_id, content,"
                " sentence, start_char, end_char) VALUES (?, 'acme', 'Acme', ?, ?, ?, ?, ?, 0, 10)",
                [(i, "accuse", "accusation", "bolt", f"story {i}", text.split(". ")[0] + "."),
                 (i, "ban", "policy_action", None, "exports", "Acme banned exports.")])
    conn.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_and_reference):
    path = tmp_path_factory.mktemp("paging") / "paging.db"
    build(path)
    ds, reference = app_and_reference(path)
    yield ds, reference
    reference.close()


@pytest.mark.parametrize("name", sorted(PAGED))
def test_pages_of_100_add_up_to_the_whole_list(app, name):
    ds, reference = app
    sql = load_metadata()["databases"]["aiwatch"]["queries"][name]["sql"]
    size = PAGE_SIZE.get(name, 100)
    clause = page_clause(size)
    assert len(clause.findall(sql)) == 1, "the paging clause changed: update this test"
    whole = [list(row) for row in reference.execute(clause.sub("", sql), {**PAGED[name], "page": ""})]
    assert len(whole) > 2 * size
    pages, number = [], 1
    while True:
        response = asyncio.run(ds.client.get(f"/aiwatch/{name}.json",
                                             params={**PAGED[name], "page": str(number), "_shape": "arrays"}))
        rows = response.json()["rows"]
        if not rows:
            break
        assert len(rows) <= size
        pages.append(rows)
        number += 1
    assert [len(rows) for rows in pages] == [len(whole[i:i + size]) for i in range(0, len(whole), size)]
    assert [row for rows in pages for row in rows] == whole
    first = asyncio.run(ds.client.get(f"/aiwatch/{name}", params=PAGED[name])).text
    assert "Page 1" in first and "Next page" in first and "Previous page" not in first
    last = asyncio.run(ds.client.get(f"/aiwatch/{name}",
                                     params={**PAGED[name], "page": str(len(pages))})).text
    assert f"Page {len(pages)}" in last and "Previous page" in last and "Next page" not in last


LATEST_CLAIMS_DEFINITION = """
SELECT a.published AS date, c.kind, coalesce(sp.name, c.speaker_text) AS speaker,
  c.speaker_kind, coalesce(vi.name, c.via_text) AS via, c.verb, coalesce(tg.name, c.target_text) AS target,
  c.content, c.sentence,
  c.is_quote, a.title AS article, a.url AS article_url, c.id AS claim_id, c.speaker_id, c.via_id, c.target_id
FROM claims c JOIN articles a ON a.id = c.article_id
LEFT JOIN entities sp ON sp.id = c.speaker_id LEFT JOIN entities vi ON vi.id = c.via_id
LEFT JOIN entities tg ON tg.id = c.target_id
WHERE a.duplicate_of IS NULL AND (:kind = '' OR c.kind = :kind)
  AND (:speaker_kind = '' OR c.speaker_kind = :speaker_kind)
ORDER BY a.published DESC, c.id DESC
LIMIT 50 OFFSET (max(coalesce(cast(nullif(trim(:page), '') AS INTEGER), 1), 1) - 1) * 50
"""


@pytest.mark.parametrize("params", [{"kind": "", "page": ""}, {"kind": "accusation", "page": "2"},
                                    {"kind": "", "page": "9"}, {"kind": "denial", "page": ""}])
def test_latest_claims_gives_the_rows_of_its_definition(app, params):
    """The newest claims are picked from the newest articles first (dates often tied here)."""
    ds, reference = app
    params = {**params, "speaker_kind": ""}
    response = asyncio.run(ds.client.get("/aiwatch/latest_claims.json",
                                         params={**params, "_shape": "arrays"}))
    expected = [list(row) for row in reference.execute(LATEST_CLAIMS_DEFINITION, params)]
    assert response.json()["rows"] == expected


def test_entity_page_lists_the_newest_50_with_links_to_all(app):
    """An entity with hundreds of claims: each list shows its newest 50, its total and a link to every row."""
    ds, _ = app
    html = asyncio.run(ds.client.get("/-/aiwatch/entity/acme")).text
    assert html.count("<tr>") - html.count("<thead><tr>") <= 3 * 50 + 100  # three claim lists, threads
    assert f"latest 50 of {ARTICLES}: <a href=\"/aiwatch/who_accused_whom?accuser=acme\">all</a>" in html
    assert f"latest 50 of {ARTICLES}; <a href=\"/aiwatch/claims?speaker_id=acme\">" in html
    total, page = 0, 1
    while rows := asyncio.run(ds.client.get("/aiwatch/who_accused_whom.json", params={
            "accuser": "acme", "page": str(page), "_shape": "arrays"})).json()["rows"]:
        total, page = total + len(rows), page + 1
    assert total == ARTICLES
    html = asyncio.run(ds.client.get("/-/aiwatch/entity/bolt")).text
    assert "<a href=\"/aiwatch/who_accused_whom?accused=bolt\">all</a>" in html
