"""Write a built graph back to ``graph_nodes`` and ``graph_edges``, replacing the previous build atomically.

The delete and the inserts run in one ``BEGIN IMMEDIATE`` transaction, so a reader (Datasette, a query)
sees the old build or the new one, never half of each. Edge ids are kept stable across builds: an edge
with the same ``(source_id, target_id, kind)`` as in the previous build keeps its id, new edges get ids
above the largest one ever used, so links researchers saved keep pointing at the same relationship.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

import networkx as nx

from aiwatch.db import transaction

_HIGH_WATER_KEY = "graph_edges_max_id"
_EDGES_SQL = "SELECT id, source_id, target_id, kind, weight, first_seen, last_seen, evidence FROM graph_edges"
_NODES_SQL = ("SELECT entity_id, degree, pagerank, betweenness, community, article_count, first_seen,"
              " last_seen FROM graph_nodes ORDER BY entity_id")


def node_rows(G: nx.MultiDiGraph, metrics: Mapping[Any, Mapping[str, Any]]) -> list[tuple]:
    """``graph_nodes`` rows, sorted by entity id."""
    rows = []
    for n in sorted(G):
        m = metrics.get(n, {})
        data = G.nodes[n]
        rows.append((n, m.get("degree"), m.get("pagerank"), m.get("betweenness"), m.get("community"),
                     data.get("article_count"), m.get("first_seen", data.get("first_seen")),
                     m.get("last_seen", data.get("last_seen"))))
    return rows


def edge_rows(G: nx.MultiDiGraph) -> list[tuple]:
    """``graph_edges`` rows without ids: ``(source, target, kind, weight, first, last, evidence JSON)``."""
    rows = []
    for u, v, key, data in G.edges(keys=True, data=True):
        rows.append((u, v, data.get("kind", key), data.get("weight", 1), data.get("first_seen"),
                     data.get("last_seen"), json.dumps(list(data.get("evidence", [])))))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


def write_graph(conn: sqlite3.Connection, G: nx.MultiDiGraph,
                metrics: Mapping[Any, Mapping[str, Any]]) -> dict[str, int]:
    """Replace the stored graph with ``G`` and its node ``metrics``.

    Returns counts and ``changed`` (0 when the stored build was already identical and nothing was written,
    so a cron re-run over unchanged data leaves the database untouched).
    """
    nodes = node_rows(G, metrics)
    edges = edge_rows(G)
    with transaction(conn):
        old_edges = {tuple(r[1:4]): tuple(r) for r in conn.execute(_EDGES_SQL)}
        next_id = max(_high_water(conn), max((r[0] for r in old_edges.values()), default=0)) + 1
        with_ids = []
        for row in edges:
            old = old_edges.get(row[:3])
            if old is None:
                edge_id, next_id = next_id, next_id + 1
            else:
                edge_id = old[0]
            with_ids.append((edge_id, *row))
        if len(with_ids) == len(old_edges) and all(old_edges.get(r[1:4]) == r for r in with_ids):
            old_nodes = [tuple(r) for r in conn.execute(_NODES_SQL)]
            if old_nodes == nodes:
                return {"nodes": len(nodes), "edges": len(edges), "changed": 0}
        conn.execute("DELETE FROM graph_edges")
        conn.execute("DELETE FROM graph_nodes")
        conn.executemany(
            "INSERT INTO graph_nodes (entity_id, degree, pagerank, betweenness, community, article_count,"
            " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", nodes)
        conn.executemany(
            "INSERT INTO graph_edges (id, source_id, target_id, kind, weight, first_seen, last_seen,"
            " evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", with_ids)
        conn.execute(
            "INSERT INTO aiwatch_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (_HIGH_WATER_KEY, str(next_id - 1)))
    return {"nodes": len(nodes), "edges": len(edges), "changed": 1}


def _high_water(conn: sqlite3.Connection) -> int:
    """The largest edge id any build has used (ids of vanished edges are never reused)."""
    row = conn.execute("SELECT value FROM aiwatch_meta WHERE key = ?", (_HIGH_WATER_KEY,)).fetchone()
    return int(row[0]) if row else 0
