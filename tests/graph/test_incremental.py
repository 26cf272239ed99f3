"""Incremental graph updates give exactly the tables a full rebuild gives, after any change to the inputs.

Every test changes articles, mentions or claims through plain SQL (as the crawler and extractor do), runs
an update, and compares ``graph_nodes``/``graph_edges`` with a full rebuild of a copy of the same database.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import aiwatch.graph.pipeline
import pytest
from aiwatch.graph.pipeline import update_graph

from aiwatch.db import MIGRATIONS, connect

K, SEED = 500, 42
ENTITY_IDS = ["anthropic", "openai", "deepseek", "deepseek-r1", "nvidia", "nvidia-h20", "huawei", "us-bis",
              "china", "microsoft"]
KINDS = ["accusation", "denial", "statement", "announcement", "policy_action"]


def _update(conn: sqlite3.Connection, **kwargs) -> aiwatch.graph.pipeline.GraphStats:
    return update_graph(conn, betweenness_k=K, seed=SEED, **kwargs)


def _tables(conn: sqlite3.Connection) -> tuple[list[tuple], list[tuple]]:
    nodes = [tuple(r) for r in conn.execute("SELECT * FROM graph_nodes ORDER BY entity_id")]
    edges = [tuple(r) for r in conn.execute("SELECT * FROM graph_edges ORDER BY source_id, target_id, kind")]
    return nodes, edges


def _edge_ids(conn: sqlite3.Connection) -> dict[tuple, int]:
    rows = conn.execute("SELECT id, source_id, target_id, kind FROM graph_edges")
    return {tuple(r[1:]): r[0] for r in rows}


def _full_rebuild_of_copy(conn: sqlite3.Connection, tmp_path: Path) -> tuple[list[tuple], list[tuple]]:
    copy_path = tmp_path / f"copy-{random.random()}.db"
    copy = sqlite3.connect(copy_path)
    conn.backup(copy)
    copy.close()
    copy = connect(copy_path)
    _update(copy, full=True)
    tables = _tables(copy)
    copy.close()
    copy_path.unlink()
    return tables


def _assert_matches_full_rebuild(conn: sqlite3.Connection, tmp_path: Path) -> None:
    assert conn.execute("SELECT count(*) FROM graph_pending").fetchone()[0] == 0
    nodes, edges = _tables(conn)
    full_nodes, full_edges = _full_rebuild_of_copy(conn, tmp_path)
    assert edges == full_edges
    assert nodes == full_nodes


@pytest.fixture
def built(graph_db):
    path, ids = graph_db
    conn = connect(path)
    assert _update(conn).mode == "full"  # the first build of a database sums every article
    yield conn, ids
    conn.close()


def test_unchanged_inputs_touch_nothing(built):
    conn, _ = built
    before = conn.total_changes
    stats = _update(conn)
    assert (stats.mode, stats.changed, stats.articles) == ("unchanged", False, 0)
    assert conn.total_changes == before
    assert (stats.nodes, stats.edges) == (9, 18)
    assert stats.edges_by_kind == {"co_mention": 13, "accusation": 2, "denial": 1, "policy_action": 2}


def test_new_article_moves_only_its_relationships(built, tmp_path):
    conn, ids = built
    edge_ids = _edge_ids(conn)
    cur = conn.execute("INSERT INTO articles (url, title, published, fetched_at, text) VALUES "
                       "('https://x.example/new', 'New', '2026-06-01', '2026-06-02', "
                       "'Huawei said BIS was wrong. OpenAI accused DeepSeek again.')")
    new = cur.lastrowid
    conn.executemany("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
                     " sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(new, "huawei", "Huawei", 0, 6, "Huawei said BIS was wrong.", 0),
                      (new, "us-bis", "BIS", 12, 15, "Huawei said BIS was wrong.", 0),
                      (new, "openai", "OpenAI", 27, 33, "OpenAI accused DeepSeek again.", 27),
                      (new, "deepseek", "DeepSeek", 43, 51, "OpenAI accused DeepSeek again.", 27)])
    claim = conn.execute("INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, sentence,"
                         " start_char, end_char) VALUES (?, 'huawei', 'say', 'denial', 'us-bis',"
                         " 'Huawei said BIS was wrong.', 0, 26)", (new,)).lastrowid
    stats = _update(conn)
    assert (stats.mode, stats.articles, stats.changed) == ("incremental", 1, True)
    _assert_matches_full_rebuild(conn, tmp_path)
    denial = conn.execute("SELECT weight, first_seen, evidence FROM graph_edges WHERE source_id = 'huawei'"
                          " AND kind = 'denial'").fetchone()
    assert tuple(denial) == (1, "2026-06-01", f"[{claim}]")
    co = conn.execute("SELECT weight, last_seen, evidence FROM graph_edges WHERE source_id = 'deepseek'"
                      " AND target_id = 'openai' AND kind = 'co_mention'").fetchone()
    assert tuple(co) == (3, "2026-06-01", f"[{ids['a1']}, {ids['a6']}, {new}]")
    # Relationships that existed keep their ids.
    after = _edge_ids(conn)
    assert all(after[key] == edge_id for key, edge_id in edge_ids.items())


@pytest.mark.parametrize("change", [
    "UPDATE articles SET duplicate_of = {a1} WHERE id = {a6}",            # a6 becomes a copy
    "UPDATE articles SET duplicate_of = NULL WHERE id = {a2}",            # the copy counts again
    "UPDATE articles SET published = '2024-12-31' WHERE id = {a3}",      # earlier first_seen
    "UPDATE articles SET published = '2025-06-01' WHERE id = {a1}",      # first_seen shrinks
    "UPDATE articles SET published = NULL WHERE id = {a4}",              # falls back to fetched_at
    "DELETE FROM articles WHERE id = {a5}",                              # huawei's only article
    "DELETE FROM mentions WHERE article_id = {a4}",                      # re-extraction, step one
    "DELETE FROM claims WHERE id = {c6}",                                 # an edge loses evidence
    "UPDATE claims SET negated = 1 WHERE id = {c1}",                      # now "did not accuse"
    "UPDATE claims SET negated = 0 WHERE id = {c4neg}",                  # the negation was wrong
    "UPDATE claims SET target_id = 'nvidia' WHERE id = {c3b}",           # a statement gains a target
    "UPDATE claims SET kind = 'statement' WHERE id = {c4}",
    "UPDATE mentions SET entity_id = 'microsoft' WHERE entity_id = 'openai' AND article_id = {a6}",
    "UPDATE mentions SET sentence_start = 0 WHERE article_id = {a1}",    # two sentences become one
    "UPDATE articles SET title = 'Retitled' WHERE id = {a3}",            # not a graph input: no work
])
def test_each_kind_of_change_matches_a_full_rebuild(built, tmp_path, change):
    conn, ids = built
    conn.execute(change.format(**ids))
    stats = _update(conn)
    assert stats.mode == ("unchanged" if "title" in change else "incremental")
    _assert_matches_full_rebuild(conn, tmp_path)


def test_pruned_discovered_entity_needs_no_rebuild(built, tmp_path, caplog):
    conn, ids = built
    conn.execute("INSERT INTO entities (id, name, type, curated) VALUES ('acme-ai', 'Acme AI', 'ai_lab', 0)")
    conn.execute("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
                 " sentence_start) SELECT article_id, 'acme-ai', 'Acme', 0, 4, sentence, sentence_start"
                 " FROM mentions WHERE article_id = ? AND entity_id = 'deepseek'", (ids["a6"],))
    _update(conn)
    assert conn.execute("SELECT count(*) FROM graph_edges WHERE source_id = 'acme-ai'").fetchone()[0] == 2
    # Re-extraction drops the name, and extract prunes the entity, whose graph rows go by cascade.
    conn.execute("DELETE FROM mentions WHERE entity_id = 'acme-ai'")
    conn.execute("DELETE FROM entities WHERE id = 'acme-ai'")
    stats = _update(conn)
    assert stats.mode == "incremental" and "rebuilding" not in caplog.text
    _assert_matches_full_rebuild(conn, tmp_path)


def _random_article(conn: sqlite3.Connection, rng: random.Random) -> int:
    day = rng.choice([None, *(f"2025-{m:02d}-{d:02d}" for m in (1, 4, 7, 10) for d in (3, 17))])
    cur = conn.execute("INSERT INTO articles (url, title, published, fetched_at, text)"
                       " VALUES (?, 't', ?, ?, 'x')",
                       (f"https://r.example/{rng.random()}", day, f"2026-0{rng.randint(1, 9)}-01"))
    article = int(cur.lastrowid)
    _random_rows(conn, rng, article)
    return article


def _random_rows(conn: sqlite3.Connection, rng: random.Random, article: int) -> None:
    for sentence in range(rng.randint(0, 4)):
        for entity in rng.sample(ENTITY_IDS, rng.randint(1, 4)):
            start = None if rng.random() < 0.1 else sentence * 100
            conn.execute("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
                         " sentence_start) VALUES (?, ?, 'x', 0, 1, ?, ?)",
                         (article, entity, f"sentence {sentence}", start))
    for _ in range(rng.randint(0, 3)):
        speaker, target = (rng.choice([None, *ENTITY_IDS]) for _ in range(2))
        conn.execute("INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, sentence,"
                     " start_char, end_char, negated) VALUES (?, ?, 'say', ?, ?, 's', 0, 1, ?)",
                     (article, speaker, rng.choice(KINDS), target, int(rng.random() < 0.2)))


def _random_change(conn: sqlite3.Connection, rng: random.Random) -> None:
    articles = [r[0] for r in conn.execute("SELECT id FROM articles")]
    article = rng.choice(articles)
    action = rng.randrange(8)
    if action == 0:
        _random_article(conn, rng)
    elif action == 1:  # re-extraction
        conn.execute("DELETE FROM mentions WHERE article_id = ?", (article,))
        conn.execute("DELETE FROM claims WHERE article_id = ?", (article,))
        _random_rows(conn, rng, article)
    elif action == 2:
        other = rng.choice(articles)
        conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?",
                     (None if other == article else other, article))
    elif action == 3:
        conn.execute("UPDATE articles SET published = ? WHERE id = ?",
                     (rng.choice([None, "2024-01-01", "2027-01-01", "2025-07-03"]), article))
    elif action == 4:
        conn.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?", (article,))
        conn.execute("DELETE FROM articles WHERE id = ?", (article,))
    elif action == 5:
        conn.execute("UPDATE claims SET negated = 1 - negated WHERE id IN (SELECT id FROM claims WHERE"
                     " article_id = ? LIMIT 1)", (article,))
    elif action == 6:
        conn.execute("UPDATE mentions SET entity_id = ? WHERE id IN (SELECT id FROM mentions WHERE"
                     " article_id = ? LIMIT 1)", (rng.choice(ENTITY_IDS), article))
    else:
        conn.execute("UPDATE claims SET target_id = ? WHERE id IN (SELECT id FROM claims WHERE"
                     " article_id = ? LIMIT 1)", (rng.choice([None, *ENTITY_IDS]), article))


@pytest.mark.parametrize("seed", range(6))
def test_random_histories_match_full_rebuilds(graph_db, tmp_path, seed):
    path, _ = graph_db
    conn = connect(path)
    rng = random.Random(seed)
    for _ in range(12):
        _random_article(conn, rng)
    _update(conn)
    for _ in range(15):
        for _ in range(rng.randint(1, 3)):
            _random_change(conn, rng)
        assert _update(conn).mode in ("incremental", "unchanged")
        _assert_matches_full_rebuild(conn, tmp_path)


def test_update_reads_only_the_changed_articles(built):
    conn, ids = built
    conn.execute("UPDATE articles SET published = '2025-02-01' WHERE id = ?", (ids["a6"],))
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        stats = _update(conn)
    finally:
        conn.set_trace_callback(None)
    assert (stats.mode, stats.articles) == ("incremental", 1)
    plans = []
    for sql in statements:
        reads_inputs = any(table in sql for table in ("mentions", "claims", "graph_contributions"))
        if reads_inputs and sql.lstrip().upper().startswith("SELECT"):
            plans += [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert plans
    whole_table_scans = [p for p in plans if p.startswith("SCAN") and "graph_edges" not in p
                         and "graph_nodes" not in p and "entities" not in p]
    assert whole_table_scans == []


def test_failed_update_keeps_the_previous_graph_and_the_pending_articles(built, tmp_path, monkeypatch):
    conn, ids = built
    before = _tables(conn)
    conn.execute("UPDATE claims SET negated = 1 WHERE id = ?", (ids["c1"],))

    def broken(*args, **kwargs):
        raise RuntimeError("metrics failed")

    monkeypatch.setattr(aiwatch.graph.pipeline, "compute_metrics", broken)
    with pytest.raises(RuntimeError):
        _update(conn)
    assert _tables(conn) == before
    assert [r[0] for r in conn.execute("SELECT article_id FROM graph_pending")] == [ids["a1"]]
    monkeypatch.undo()
    assert _update(conn).mode == "incremental"
    _assert_matches_full_rebuild(conn, tmp_path)


def test_tampered_graph_is_rebuilt_from_all_articles(built, tmp_path, caplog):
    conn, ids = built
    conn.execute("DELETE FROM graph_edges WHERE kind = 'policy_action' AND target_id = 'huawei'")
    conn.execute("DELETE FROM articles WHERE id = ?", (ids["a5"],))
    stats = _update(conn)
    assert stats.mode == "full"
    assert "rebuilding it from all articles" in caplog.text
    _assert_matches_full_rebuild(conn, tmp_path)


def test_changes_to_most_of_the_archive_are_summed_afresh(built, tmp_path, monkeypatch):
    conn, _ = built
    monkeypatch.setattr(aiwatch.graph.pipeline, "_REBUILD_ABOVE", 1)
    conn.execute("UPDATE articles SET published = published WHERE id = 1")  # 1 of 6: moved
    assert _update(conn).mode == "incremental"
    conn.execute("UPDATE articles SET published = published WHERE id <= 2")  # 2 of 6: summed afresh
    assert _update(conn).mode == "full"
    _assert_matches_full_rebuild(conn, tmp_path)


def test_new_metric_settings_recompute_metrics_without_changed_articles(built):
    conn, _ = built
    stats = update_graph(conn, betweenness_k=2, seed=7)
    assert stats.mode == "incremental" and stats.articles == 0
    assert update_graph(conn, betweenness_k=2, seed=7).mode == "unchanged"


def test_database_from_before_incremental_graphs_is_rebuilt_once(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO entities (id, name, type) VALUES ('nvidia', 'Nvidia', 'company'),"
                " ('china', 'China', 'country')")
    raw.execute("INSERT INTO articles (id, url, published, text)"
                " VALUES (1, 'https://o.example/1', '2025-01-01', 'x')")
    raw.execute("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence_start)"
                " VALUES (1, 'nvidia', 'Nvidia', 0, 6, 0), (1, 'china', 'China', 10, 15, 0)")
    raw.commit()
    raw.close()
    conn = connect(path)  # migrates: the mentions above were written before the triggers existed
    assert conn.execute("SELECT count(*) FROM graph_pending").fetchone()[0] == 0
    stats = _update(conn)
    assert (stats.mode, stats.nodes, stats.edges) == ("full", 2, 1)
    assert _update(conn).mode == "unchanged"
