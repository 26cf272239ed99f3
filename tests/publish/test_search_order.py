"""Article and claim search through the real app give exactly the rows of the plain definition (every match
sorted, copies left out, counted once), on an archive large enough for the quick path of ``search_articles``
(the newest articles first) and with dates that do not follow the ids, ties, undated articles and copies."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aiwatch.db import connect, transaction

ARTICLES = 2600  # more than the 2,000 newest articles search_articles looks at first
START = datetime(2024, 1, 1, tzinfo=UTC)

# The definitions: every match, sorted; what the canned queries must return, row for row.
ARTICLES_DEFINITION = """
SELECT a.published AS date, a.title, coalesce(a.outlet, a.source) AS outlet, a.source,
  snippet(articles_fts, 1, char(2), char(3), ' … ', 24) AS excerpt, a.url, a.id AS article_id,
  (SELECT count(*) FROM articles_fts f JOIN articles d ON d.id = f.rowid
   WHERE f.articles_fts MATCH aiwatch_words(:q) AND d.duplicate_of IS NULL) AS matches
FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH aiwatch_words(:q) AND a.duplicate_of IS NULL
ORDER BY CASE WHEN trim(:sort) = 'relevance' THEN articles_fts.rank END, a.published DESC, a.id DESC LIMIT 100
"""
CLAIMS_DEFINITION = """
SELECT a.published AS date, c.kind, coalesce(sp.name, c.speaker_text) AS speaker,
  c.speaker_kind, coalesce(vi.name, c.via_text) AS via, coalesce(tg.name, c.target_text) AS target,
  c.content, highlight(claims_fts, 1, char(2), char(3)) AS sentence,
  a.title AS article, a.url AS article_url, c.id AS claim_id, c.speaker_id, c.via_id, c.target_id
FROM claims_fts JOIN claims c ON c.id = claims_fts.rowid JOIN articles a ON a.id = c.article_id
LEFT JOIN entities sp ON sp.id = c.speaker_id LEFT JOIN entities vi ON vi.id = c.via_id
LEFT JOIN entities tg ON tg.id = c.target_id
WHERE claims_fts MATCH aiwatch_words(:q) AND a.duplicate_of IS NULL
ORDER BY CASE WHEN trim(:sort) = 'relevance' THEN claims_fts.rank END, a.published DESC, c.id DESC LIMIT 200
"""


def build(path: Path) -> None:
    """Articles whose dates are shuffled against their ids (some tied, some missing), 5% copies, and words
    of chosen frequencies: 'alpha' in most articles, 'beta' in few, 'gamma' only in the oldest, 'delta' in
    exactly 100 and 'epsilon' in 99 of the 2,000 newest originals (the edge of the quick path)."""
    rng = random.Random(14)
    order = list(range(ARTICLES))
    rng.shuffle(order)
    published: list[str | None] = []
    for i in range(ARTICLES):
        moment = START + timedelta(hours=order[i])
        if i % 9 == 4:
            moment = START + timedelta(hours=order[i - 1])  # the same time as another article
        published.append(None if i % 97 == 13 else moment.isoformat())
    copy_of = {i: rng.randrange(i) for i in range(1, ARTICLES) if rng.random() < 0.05}
    newest = sorted((i for i in range(ARTICLES) if i not in copy_of),
                    key=lambda i: (published[i] is not None, published[i] or "", i), reverse=True)[:2000]
    rank = {i: n for n, i in enumerate(newest)}
    texts = []
    for i in range(ARTICLES):
        words = ["The", "export", "story", "number", str(i)]
        words += ["alpha"] * (rng.random() < 0.8) * rng.randint(1, 3)
        words += ["beta"] * (rng.random() < 0.02)
        words += ["gamma"] * (published[i] is not None and published[i] < "2024-01-13")  # first 300 hours
        words += ["delta"] * (i in rank and rank[i] % 20 == 7)
        words += ["epsilon"] * (i in rank and rank[i] % 20 == 3 and rank[i] < 1980)
        rng.shuffle(words)
        texts.append(" ".join(words) + ".")
    for i, original in copy_of.items():
        texts[i] = texts[original]
    conn = connect(path)
    with transaction(conn):
        conn.executemany(
            "INSERT INTO articles (id, url, source, outlet, title, published, text, duplicate_of) "
            "VALUES (?, ?, 'a.example', 'Outlet A', ?, ?, ?, ?)",
            [(i + 1, f"https://a.example/{i}", f"Story {i}" + (" alpha" if i % 5 == 0 else ""), published[i],
              texts[i], copy_of[i] + 1 if i in copy_of else None) for i in range(ARTICLES)])
        conn.executemany(
            "INSERT INTO claims (article_id, speaker_text, verb, kind, content, sentence, start_char,"
            " end_char) VALUES (?, 'officials', 'say', 'statement', ?, ?, 0, 10)",
            [(i + 1, texts[i][:40], texts[i]) for i in range(ARTICLES) if i % 3 == 0])
    conn.close()


@pytest.fixture(scope="module")
def searched(tmp_path_factory, app_and_reference):
    """(app JSON rows, definition rows) for a query, over the module's archive."""
    path = tmp_path_factory.mktemp("search") / "search.db"
    build(path)
    ds, reference = app_and_reference(path)

    def run(name: str, definition: str, q: str, sort: str = "") -> tuple[list, list]:
        response = asyncio.run(ds.client.get(f"/aiwatch/{name}.json",
                                             params={"q": q, "sort": sort, "_shape": "arrays"}))
        assert response.status_code == 200, response.text
        expected = [list(row) for row in reference.execute(definition, {"q": q, "sort": sort})]
        return response.json()["rows"], expected

    window = ("SELECT count(*) FROM (SELECT id FROM articles WHERE duplicate_of IS NULL"
              " ORDER BY published DESC, id DESC LIMIT 2000) r WHERE r.id IN"
              " (SELECT rowid FROM articles_fts WHERE articles_fts MATCH aiwatch_words(?))")
    run.newest = lambda q: reference.execute(window, (q,)).fetchone()[0]
    yield run
    reference.close()


@pytest.mark.parametrize("sort", ["", "relevance"])
@pytest.mark.parametrize("q", ["alpha", "beta", "gamma", "delta", "epsilon", "alpha story", "export",
                               "nothing", "", 'alpha "( OR'])
def test_search_articles_gives_the_rows_of_its_definition(searched, q, sort):
    rows, expected = searched("search_articles", ARTICLES_DEFINITION, q, sort)
    assert rows == expected
    if q == "alpha":
        assert searched.newest(q) > 1000 and len(rows) == 100 and rows[0][-1] > 1000
    if q in ("delta", "epsilon"):  # among the newest 2,000: just enough / one short for the quick path
        assert searched.newest(q) == {"delta": 100, "epsilon": 99}[q] == rows[0][-1]
    if q == "gamma":  # many matches, none of them recent
        assert searched.newest(q) == 0 and rows[0][-1] > 250


@pytest.mark.parametrize("sort", ["", "relevance"])
@pytest.mark.parametrize("q", ["alpha", "beta", "gamma", "export story", "nothing"])
def test_search_claims_gives_the_rows_of_its_definition(searched, q, sort):
    rows, expected = searched("search_claims", CLAIMS_DEFINITION, q, sort)
    assert rows == expected
