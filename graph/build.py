"""Build the dispute knowledge graph from the extraction tables.

Nodes are entities with at least one mention or claim in a non-duplicate article. Edges are:

* claim edges ``speaker -> target`` keyed by the claim kind (``accusation``, ``denial``, ...): ``weight`` is
  the number of distinct articles stating it, ``evidence`` the sorted claim ids. Negated claims, claims
  missing a speaker or a target (a speaker known only as written, ``speaker_id`` NULL, is missing), and
  self-claims (speaker == target) make no edge.
* co-mention edges between entities named in the same sentence, stored once with ``source < target`` and
  key ``co_mention``: ``weight`` is the number of distinct sentences, ``articles`` the number of distinct
  articles, ``evidence`` the sorted article ids.

Syndicated copies (``articles.duplicate_of IS NOT NULL``) are left out everywhere, so republishing a story
never inflates a weight or an article count. Dates are the article's ``published`` value (falling back to
``fetched_at`` when the publication date is unknown); ``first_seen``/``last_seen`` are the earliest and
latest of them.

The graph is the sum of what each article contributes (:mod:`aiwatch.graph.contributions`, summed by
:mod:`aiwatch.graph.totals`): :func:`load_graph` sums every article's rows in one ordered pass over mentions,
so its cost is linear in claims + mentions (pairs within one sentence are quadratic only in the entities of
that
sentence); :mod:`aiwatch.graph.pipeline` keeps the stored graph up to date from the articles that changed.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import networkx as nx
from aiwatch.graph.contributions import CO_MENTION, read_contributions
from aiwatch.graph.totals import Key, Total, fold, split

__all__ = ["CO_MENTION", "graph_from_totals", "load_graph", "snapshot"]

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


def load_graph(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    """Read entities, claims and mentions from ``conn`` into a ``MultiDiGraph`` (see the module docstring).

    Node attributes: ``name``, ``type``, ``curated``, ``article_count``, ``first_seen``, ``last_seen``.
    Edge keys are the edge kind; edge attributes: ``kind``, ``weight``, ``first_seen``, ``last_seen``,
    ``evidence`` (list of ints) and, for co-mentions, ``articles``.

    All queries read one snapshot (a read transaction), so an extract run writing meanwhile cannot leave
    an edge pointing at a node the build did not see.
    """
    with snapshot(conn):
        return _load(conn)


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """A read transaction, unless the caller already holds one."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def _load(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    nodes, edges = split(fold(read_contributions(conn)))
    G = graph_from_totals(conn, nodes, edges)
    log.debug("graph loaded: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G


def graph_from_totals(conn: sqlite3.Connection, nodes: Mapping[str, Total], edges: Mapping[Key, Total], *,
                      evidence: bool = True) -> nx.MultiDiGraph:
    """The ``MultiDiGraph`` of node and edge totals, with names, types and curation from ``entities``.

    Nodes and edges are added in sorted order, so the same totals always give the same graph (and the
    same floating-point metrics), however they were summed. Without ``evidence`` edges carry no
    ``evidence``/``articles`` attributes (enough for metrics).
    """
    info = {row[0]: row[1:] for row in conn.execute("SELECT id, name, type, curated FROM entities")}
    G = nx.MultiDiGraph()
    for entity_id in sorted(nodes):
        total = nodes[entity_id]
        name, etype, curated = info[entity_id]
        G.add_node(entity_id, name=name, type=etype, curated=bool(curated), article_count=total.weight,
                   first_seen=total.first_seen, last_seen=total.last_seen)
    for kind, source, target in sorted(edges, key=lambda key: (key[1], key[2], key[0])):
        total = edges[kind, source, target]
        attrs = {"kind": kind, "weight": total.weight, "first_seen": total.first_seen,
                 "last_seen": total.last_seen}
        if evidence:
            attrs["evidence"] = total.evidence
            if kind == CO_MENTION:
                attrs["articles"] = len(total.evidence)
        G.add_edge(source, target, key=kind, **attrs)
    return G
