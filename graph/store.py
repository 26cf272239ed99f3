"""Read and write ``graph_nodes`` and ``graph_edges``: whole builds, and the rows an update changed.

:func:`write_graph` replaces the stored build in one ``BEGIN IMMEDIATE`` transaction, so a reader
(Datasette, a query) sees the old build or the new one, never half of each; :mod:`aiwatch.graph.pipeline`
calls :func:`replace_graph`, :func:`write_edges` and :func:`write_nodes` inside its own transaction. Edge ids
are
kept stable: an edge with the same ``(source_id, target_id, kind)`` as before keeps its id, new edges get
ids above the largest one ever used, so links researchers saved keep pointing at the same relationship.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping
from typing import Any

import networkx as nx
from aiwatch.graph.contributions import ENTITY
from aiwatch.graph.totals import Key, Total

from aiwatch.db import get_meta, set_meta, transaction, tuple_cursor

_HIGH_WATER_KEY = "graph_edges_max_id"
_EDGES_SQL = "SELECT id, source_id, target_id, kind, weight, first_seen, last_seen, evidence FROM graph_edges"
_NODES_SQL = ("SELECT entity_id, degree, pagerank, betweenness, community, article_count, first_seen,"
              " last_seen FROM graph_nodes ORDER BY entity_id")
_INSERT_NODE_SQL = ("INSERT INTO graph_nodes (entity_id, degree, pagerank, betweenness, community,"
                    " article_count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_EDGE_SQL = ("INSERT INTO graph_edges (id, source_id, target_id, kind, weight, first_seen, last_seen,"
                    " evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


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
    with transaction(conn):
        return replace_graph(conn, G, metrics)


def replace_graph(conn: sqlite3.Connection, G: nx.MultiDiGraph,
                  metrics: Mapping[Any, Mapping[str, Any]]) -> dict[str, int]:
    """:func:`write_graph` inside the caller's write transaction."""
    edges = edge_rows(G)
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
    edges_changed = len(with_ids) != len(old_edges) or any(old_edges.get(r[1:4]) != r for r in with_ids)
    if edges_changed:
        conn.execute("DELETE FROM graph_edges")
        conn.executemany(_INSERT_EDGE_SQL, with_ids)
        _set_high_water(conn, next_id - 1)
    nodes_changed = write_nodes(conn, G, metrics)
    return {"nodes": G.number_of_nodes(), "edges": len(edges), "changed": int(edges_changed or nodes_changed)}


def stored_totals(conn: sqlite3.Connection, evidence_for: Collection[Key] | None = None
                  ) -> tuple[dict[str, Total], dict[Key, Total], dict[Key, int]]:
    """The stored build as totals: ``(nodes by entity id, edges by key, edge ids by key)``.

    Edge evidence is parsed only for the keys in ``evidence_for`` (all edges when it is ``None``): an
    update needs the evidence of the edges it changes, not of the whole graph.
    """
    nodes = {entity_id: Total(count or 0, first, last) for entity_id, count, first, last in conn.execute(
        "SELECT entity_id, article_count, first_seen, last_seen FROM graph_nodes")}
    edges: dict[Key, Total] = {}
    ids: dict[Key, int] = {}
    # Plain tuples: a big graph has hundreds of thousands of edges.
    for edge_id, source, target, kind, weight, first, last in tuple_cursor(conn).execute(
            "SELECT id, source_id, target_id, kind, weight, first_seen, last_seen FROM graph_edges"):
        key = (kind, source, target)
        edges[key] = Total(int(weight), first, last)
        ids[key] = edge_id
    wanted = ids if evidence_for is None else [k for k in evidence_for if k in ids]
    for key in wanted:
        (text,) = conn.execute("SELECT evidence FROM graph_edges WHERE id = ?", (ids[key],)).fetchone()
        edges[key].evidence = json.loads(text)
    return nodes, edges, ids


def write_edges(conn: sqlite3.Connection, edges: Mapping[Key, Total], ids: Mapping[Key, int],
                keys: Collection[Key]) -> int:
    """Store the edges among ``keys`` as they are in ``edges`` (update, insert or, if gone, delete).

    ``ids`` are the stored edge ids; new edges get ids above the high-water mark, in key order. Returns
    how many rows changed.
    """
    changed = 0
    next_id = max(_high_water(conn), max(ids.values(), default=0)) + 1
    for key in sorted(keys, key=lambda k: (k[1], k[2], k[0])):
        if key[0] == ENTITY:
            continue
        kind, source, target = key
        total = edges.get(key)
        if total is None:
            if key in ids:
                conn.execute("DELETE FROM graph_edges WHERE id = ?", (ids[key],))
                changed += 1
            continue
        row = (total.weight, total.first_seen, total.last_seen, json.dumps(total.evidence))
        if key not in ids:
            conn.execute(_INSERT_EDGE_SQL, (next_id, source, target, kind, *row))
            next_id += 1
            changed += 1
            continue
        cur = conn.execute(
            "UPDATE graph_edges SET weight = ?, first_seen = ?, last_seen = ?, evidence = ? WHERE id = ?"
            " AND (weight, first_seen, last_seen, evidence) IS NOT (?, ?, ?, ?)", (*row, ids[key], *row))
        changed += cur.rowcount
    _set_high_water(conn, next_id - 1)
    return changed


def write_nodes(conn: sqlite3.Connection, G: nx.MultiDiGraph,
                metrics: Mapping[Any, Mapping[str, Any]]) -> bool:
    """Replace ``graph_nodes`` with ``G``'s nodes and ``metrics``, unless they are already stored."""
    nodes = node_rows(G, metrics)
    if [tuple(r) for r in conn.execute(_NODES_SQL)] == nodes:
        return False
    conn.execute("DELETE FROM graph_nodes")
    conn.executemany(_INSERT_NODE_SQL, nodes)
    return True


def stored_metrics(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """The node metrics of the stored build, as :func:`aiwatch.graph.metrics.compute_metrics` returns them."""
    return {row[0]: {"degree": row[1], "pagerank": row[2], "betweenness": row[3], "community": row[4],
                     "first_seen": row[6], "last_seen": row[7]} for row in conn.execute(_NODES_SQL)}


def _set_high_water(conn: sqlite3.Connection, value: int) -> None:
    set_meta(conn, _HIGH_WATER_KEY, str(value))


def _high_water(conn: sqlite3.Connection) -> int:
    """The largest edge id any build has used (ids of vanished edges are never reused)."""
    value = get_meta(conn, _HIGH_WATER_KEY)
    return int(value) if value else 0
