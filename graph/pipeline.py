"""The graph stage as one call: bring the stored graph up to date, compute metrics, optionally export.

``aiwatch graph`` and ``aiwatch update`` both call :func:`update_graph`; it owns no CLI or ``runs``
bookkeeping. The stored graph is the sum of what each article contributes
(:mod:`aiwatch.graph.contributions`).
Triggers list every article whose mentions, claims, date or duplicate status changed in ``graph_pending``;
an update takes those articles' old rows out of the stored sums and puts their new rows in, so its cost
follows the changed articles, not the archive. Metrics are recomputed over the whole graph each time: their
cost follows the number of entities and relationships, which grows far slower than the archive.

A full rebuild (``full=True``, the first build of a database, or stored state this version does not know)
sums every article afresh. Both paths give the same tables (tests/graph/test_incremental.py).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from aiwatch.graph.build import graph_from_totals
from aiwatch.graph.contributions import (
    ENTITY,
    Contribution,
    bulk_load,
    date_range,
    delete_contributions,
    insert_contributions,
    pending_count,
    read_contributions,
    stored_contributions,
)
from aiwatch.graph.events.pipeline import EventSettings, update_events
from aiwatch.graph.export import export_graph
from aiwatch.graph.metrics import compute_metrics
from aiwatch.graph.store import replace_graph, stored_metrics, stored_totals, write_edges, write_nodes
from aiwatch.graph.totals import Key, Total, apply_changes, fold, split, touched_keys

from aiwatch.db import get_meta, set_meta, transaction

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

# Bumped when graph_contributions rows change meaning: a database built by another version is rebuilt.
STATE_VERSION = "1"
_STATE_KEY = "graph_state"
_INSERT_BATCH = 20_000
_REBUILD_ABOVE = 2_000  # changed articles from which a quarter of the archive is rebuilt rather than moved


class StaleState(Exception):
    """The stored sums do not hold a row the contributions table says they hold."""


@dataclass
class GraphStats:
    """What one build produced, for the summary line and the ``runs`` row."""

    nodes: int = 0
    edges: int = 0
    edges_by_kind: dict[str, int] = field(default_factory=dict)
    communities: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    export: str | None = None
    changed: bool = True
    mode: str = "full"
    articles: int = 0
    events: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": self.edges, "edges_by_kind": dict(self.edges_by_kind),
                "communities": self.communities, "seconds": round(self.seconds, 3),
                "timings": {k: round(v, 3) for k, v in self.timings.items()}, "export": self.export,
                "changed": self.changed, "mode": self.mode, "articles": self.articles,
                "events": self.events}

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.edges_by_kind.items())) or "none"
        line = (f"graph: {self.nodes} nodes, {self.edges} edges ({kinds}), {self.communities} communities "
                f"in {self.seconds:.1f}s")
        line += f" ({self.mode}, {self.articles} articles)"
        line += "" if self.changed else " (tables unchanged)"
        if self.events:
            ev = self.events
            line += (f"; events: {ev['events']} ({ev['accusation_events']} accusations), {ev['stories']} "
                     f"stories, {ev['events_changed']} events updated")
        return line + (f"; exported {self.export}" if self.export else "")


def update_graph(conn: sqlite3.Connection, *, betweenness_k: int, seed: int,
                 export: str | os.PathLike[str] | None = None, full: bool = False,
                 events: EventSettings | None = None) -> GraphStats:
    """Bring ``graph_nodes``/``graph_edges`` up to date with the extraction tables; export if asked; then
    claim events, stories and threads (:func:`aiwatch.graph.events.pipeline.update_events`, its own
    transaction, with ``events`` settings or the declared defaults).

    Everything runs in one write transaction: readers see the previous graph until it commits, and a run
    killed midway leaves the previous graph and the list of changed articles as they were.
    """
    stats = GraphStats()
    start = time.perf_counter()
    wanted = json.dumps({"version": STATE_VERSION, "betweenness_k": betweenness_k, "seed": seed})
    with transaction(conn):
        state = get_meta(conn, _STATE_KEY)
        pending = pending_count(conn)
        if full or state is None or json.loads(state).get("version") != STATE_VERSION or _most(conn, pending):
            G = _rebuild(conn, stats)
        elif state == wanted and pending == 0:
            G = None
            stats.mode, stats.changed = "unchanged", False
        else:
            try:
                G = _apply_pending(conn, stats, pending)
            except StaleState as exc:
                log.warning("graph: %s; rebuilding it from all articles", exc)
                G = _rebuild(conn, stats)
        if G is not None:
            mark = time.perf_counter()
            metrics = compute_metrics(G, betweenness_k=betweenness_k, seed=seed)
            stats.timings["metrics"] = time.perf_counter() - mark
            mark = time.perf_counter()
            if stats.mode == "full":
                stats.changed = bool(replace_graph(conn, G, metrics)["changed"])
            else:
                stats.changed = write_nodes(conn, G, metrics) or stats.changed
            stats.timings["write"] = time.perf_counter() - mark
            set_meta(conn, _STATE_KEY, wanted)
        _count(conn, stats)
        if export is not None:
            mark = time.perf_counter()
            stats.export = str(export_graph(graph_as_stored(conn), Path(export), stored_metrics(conn)))
            stats.timings["export"] = time.perf_counter() - mark
    stats.events = update_events(conn, events, full=full).as_dict()
    stats.seconds = time.perf_counter() - start
    log.debug(stats.summary())
    return stats


def graph_as_stored(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    """The stored build as a ``MultiDiGraph`` with every attribute :func:`aiwatch.graph.build.load_graph`
    sets."""
    nodes, edges, _ = stored_totals(conn)
    return graph_from_totals(conn, nodes, edges)


def _rebuild(conn: sqlite3.Connection, stats: GraphStats) -> nx.MultiDiGraph:
    """Sum every article afresh, storing each article's rows on the way."""
    mark = time.perf_counter()
    stats.mode = "full"
    delete_contributions(conn, pending_only=False)
    articles = _Counted(_stored_while_read(conn, read_contributions(conn)))
    with bulk_load(conn):
        nodes, edges = split(fold(articles))
    conn.execute("DELETE FROM graph_pending")
    stats.articles = articles.count
    G = graph_from_totals(conn, nodes, edges)
    stats.timings["load"] = time.perf_counter() - mark
    return G


def _apply_pending(conn: sqlite3.Connection, stats: GraphStats, pending: int) -> nx.MultiDiGraph:
    """Move the stored sums by the ``pending`` changed articles' old and new rows; the graph for metrics."""
    mark = time.perf_counter()
    stats.mode = "incremental"
    stats.articles = pending
    old = stored_contributions(conn)
    new = [row for rows in read_contributions(conn, pending_only=True) for row in rows]
    keys = touched_keys(old, new)
    nodes, edges, ids = stored_totals(conn, evidence_for=keys)
    touched = _totals_of(keys, nodes, edges)
    missing = {row.key for row in old} - touched.keys()
    if missing:
        # Deleting an entity (extract prunes discovered names no article supports any more) deletes its
        # graph rows by cascade before its articles' old rows are taken out here: those are already gone.
        gone = _deleted_entities(conn, missing)
        old = [row for row in old if row.key not in missing or gone.isdisjoint(row.key[1:])]
        unexplained = sorted(k for k in missing if gone.isdisjoint(k[1:]))
        if unexplained:
            raise StaleState(f"stored graph lacks {len(unexplained)} relationships it should hold, "
                             f"e.g. {unexplained[0]}")
    shrunk = apply_changes(touched, old, new)
    delete_contributions(conn, pending_only=True)
    insert_contributions(conn, new)
    conn.execute("DELETE FROM graph_pending")
    for key in shrunk & touched.keys():
        touched[key].first_seen, touched[key].last_seen = date_range(conn, key)
    for key in keys:
        store, name = (nodes, key[1]) if key[0] == ENTITY else (edges, key)
        if key in touched:
            store[name] = touched[key]
        else:
            store.pop(name, None)
    stats.changed = write_edges(conn, edges, ids, keys) > 0
    G = graph_from_totals(conn, nodes, edges, evidence=False)
    stats.timings["load"] = time.perf_counter() - mark
    return G


def _most(conn: sqlite3.Connection, pending: int) -> bool:
    """Whether so many articles changed (a re-extraction of the archive) that summing afresh is cheaper."""
    if pending < _REBUILD_ABOVE:
        return False
    return pending * 4 > conn.execute("SELECT max(id) FROM articles").fetchone()[0]


def _deleted_entities(conn: sqlite3.Connection, keys: Iterable[Key]) -> set[str]:
    """The entity ids named in ``keys`` that are no longer in ``entities``."""
    named = {entity for key in keys for entity in key[1:] if entity}
    present = {row[0] for row in conn.execute(
        f"SELECT id FROM entities WHERE id IN ({', '.join('?' * len(named))})", sorted(named))}
    return named - present


def _totals_of(keys: Iterable[Key], nodes: dict[str, Total], edges: dict[Key, Total]) -> dict[Key, Total]:
    """The stored totals of ``keys`` (those that exist), as one dict keyed like contributions."""
    out: dict[Key, Total] = {}
    for key in keys:
        total = nodes.get(key[1]) if key[0] == ENTITY else edges.get(key)
        if total is not None:
            out[key] = Total(total.weight, total.first_seen, total.last_seen, list(total.evidence))
    return out


class _Counted:
    """An iterable that counts the items it yields."""

    def __init__(self, items: Iterable[list[Contribution]]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[list[Contribution]]:
        for item in self.items:
            self.count += 1
            yield item


def _stored_while_read(conn: sqlite3.Connection,
                       articles: Iterable[list[Contribution]]) -> Iterator[list[Contribution]]:
    """Pass ``articles`` on, inserting their rows into ``graph_contributions`` in batches."""
    batch: list[Contribution] = []
    for rows in articles:
        batch.extend(rows)
        if len(batch) >= _INSERT_BATCH:
            insert_contributions(conn, batch)
            batch = []
        yield rows
    insert_contributions(conn, batch)


def _count(conn: sqlite3.Connection, stats: GraphStats) -> None:
    """Node, edge and community counts of the stored build."""
    stats.nodes = conn.execute("SELECT count(*) FROM graph_nodes").fetchone()[0]
    stats.edges_by_kind = dict(conn.execute("SELECT kind, count(*) FROM graph_edges GROUP BY kind"))
    stats.edges = sum(stats.edges_by_kind.values())
    stats.communities = conn.execute(
        "SELECT count(DISTINCT community) FROM graph_nodes WHERE community IS NOT NULL").fetchone()[0]

