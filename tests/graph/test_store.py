"""Write-back: atomic replace, no stale rows, stable edge ids, rollback on failure."""

from __future__ import annotations

import json
import sqlite3

import networkx as nx
import pytest
from aiwatch.graph.build import load_graph
from aiwatch.graph.metrics import compute_metrics
from aiwatch.graph.pipeline import update_graph
from aiwatch.graph.store import write_graph

from aiwatch.db import connect


def _rows(conn, table):
    return sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {table}"))


def _edge_ids(conn):
    rows = conn.execute("SELECT id, source_id, target_id, kind FROM graph_edges")
    return {(r[1], r[2], r[3]): r[0] for r in rows}


def test_rebuild_writes_nodes_and_edges(graph_db):
    path, ids = graph_db
    conn = connect(path)
    stats = update_graph(conn, betweenness_k=500, seed=42)
    assert (stats.nodes, stats.edges) == (9, 18)
    assert stats.edges_by_kind == {"co_mention": 13, "accusation": 2, "denial": 1, "policy_action": 2}
    assert conn.execute("SELECT count(*) FROM graph_nodes").fetchone()[0] == 9
    row = conn.execute("SELECT weight, first_seen, last_seen, evidence FROM graph_edges "
                       "WHERE source_id = 'openai' AND target_id = 'deepseek' AND kind = 'accusation'"
                       ).fetchone()
    assert tuple(row[:3]) == (2, "2025-01-29", "2025-03-01")
    assert json.loads(row[3]) == sorted([ids["c1"], ids["c6"]])
    node = conn.execute("SELECT degree, article_count, community FROM graph_nodes "
                        "WHERE entity_id = 'deepseek'").fetchone()
    assert node["degree"] == 4 and node["article_count"] == 3 and node["community"] is not None


def test_second_build_is_identical_and_leaves_no_stale_rows(graph_db):
    path, ids = graph_db
    conn = connect(path)
    update_graph(conn, betweenness_k=500, seed=42)
    first_nodes, first_edges = _rows(conn, "graph_nodes"), _rows(conn, "graph_edges")
    update_graph(conn, betweenness_k=500, seed=42)
    assert _rows(conn, "graph_nodes") == first_nodes
    assert _rows(conn, "graph_edges") == first_edges

    # Huawei's only article goes away: its node and both its edges must go too.
    conn.execute("DELETE FROM articles WHERE id = ?", (ids["a5"],))
    update_graph(conn, betweenness_k=500, seed=42)
    assert conn.execute("SELECT count(*) FROM graph_nodes WHERE entity_id = 'huawei'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM graph_edges WHERE 'huawei' IN (source_id, target_id)"
                        ).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM graph_edges").fetchone()[0] == 16


def test_edge_ids_stable_and_never_reused(graph_db):
    path, ids = graph_db
    conn = connect(path)
    update_graph(conn, betweenness_k=500, seed=42)
    before = _edge_ids(conn)
    conn.execute("DELETE FROM articles WHERE id = ?", (ids["a5"],))
    conn.execute("INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, sentence, start_char,"
                 " end_char) VALUES (?, 'china', 'condemn', 'statement', 'us-bis',"
                 " 'China condemned the rule.', 0, 25)",
                 (ids["a3"],))
    update_graph(conn, betweenness_k=500, seed=42)
    after = _edge_ids(conn)
    for key, edge_id in after.items():
        if key in before:
            assert before[key] == edge_id
    new_id = after[("china", "us-bis", "statement")]
    assert new_id > max(before.values())


def test_failed_write_keeps_previous_build(graph_db):
    path, _ = graph_db
    conn = connect(path)
    update_graph(conn, betweenness_k=500, seed=42)
    nodes, edges = _rows(conn, "graph_nodes"), _rows(conn, "graph_edges")
    G = load_graph(conn)
    metrics = compute_metrics(G, betweenness_k=500, seed=42)
    bad = nx.MultiDiGraph(G)
    bad.add_edge("deepseek", "no-such-entity", key="accusation", kind="accusation", weight=1, evidence=[1])
    with pytest.raises(sqlite3.IntegrityError):
        write_graph(conn, bad, metrics)  # the foreign key fails after the deletes ran
    assert _rows(conn, "graph_nodes") == nodes
    assert _rows(conn, "graph_edges") == edges


def test_reader_sees_old_build_until_commit(graph_db):
    path, ids = graph_db
    conn = connect(path)
    update_graph(conn, betweenness_k=500, seed=42)
    reader = connect(path)
    reader.execute("BEGIN")
    old = reader.execute("SELECT count(*) FROM graph_edges").fetchone()[0]
    conn.execute("DELETE FROM articles WHERE id = ?", (ids["a3"],))
    update_graph(conn, betweenness_k=500, seed=42)
    assert reader.execute("SELECT count(*) FROM graph_edges").fetchone()[0] == old
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM graph_edges").fetchone()[0] < old


def test_unchanged_rebuild_writes_nothing(graph_db):
    path, _ = graph_db
    conn = connect(path)
    G = load_graph(conn)
    metrics = compute_metrics(G, betweenness_k=500, seed=42)
    assert write_graph(conn, G, metrics)["changed"] == 1
    changes = conn.total_changes
    assert write_graph(conn, G, metrics)["changed"] == 0
    assert conn.total_changes == changes
    # Any difference, even one edge's dates, is written.
    G.edges["openai", "deepseek", "accusation"]["last_seen"] = "2025-03-02"
    assert write_graph(conn, G, metrics)["changed"] == 1
    assert conn.execute("SELECT last_seen FROM graph_edges WHERE source_id = 'openai' AND kind = 'accusation'"
                        ).fetchone()[0] == "2025-03-02"
