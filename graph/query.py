"""Questions journalists ask of the graph: how are A and B connected, and who is around A?

:func:`shortest_paths` returns chains of :class:`Hop` (fewest hops first; among equally short chains, the
ones through stronger edges first). :func:`neighbors` lists the relationships of one entity. Given a
database connection, hops carry their strongest evidence: the claim sentence with the highest confidence
(quotes first on ties, then the earliest article, usually the original report), or for a co-mention the
earliest sentence naming both. Syndicated copies are never cited.

Entities are looked up by id, name or alias, case-insensitively; an unknown or ambiguous name raises
:class:`QueryError` with a one-line message.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from itertools import islice

import networkx as nx
from aiwatch.graph.build import CO_MENTION, load_graph, snapshot

# When two entities are linked by several edges, the hop shows the most telling one.
KIND_RANK = {"accusation": 0, "policy_action": 1, "denial": 2, "announcement": 3, "statement": 4,
             CO_MENTION: 9}


class QueryError(Exception):
    """An entity cannot be found, is ambiguous, or has no relationships."""


@dataclass(frozen=True)
class Evidence:
    """One sentence backing a hop, with the article it comes from."""

    sentence: str
    article_id: int
    article_url: str
    article_title: str | None
    date: str | None
    claim_id: int | None = None


@dataclass
class Hop:
    """One step of a chain: ``source`` to ``target`` in reading order; the edge may point the other way."""

    source: str
    target: str
    kind: str
    edge_source: str
    edge_target: str
    weight: float
    evidence_ids: list[int] = field(default_factory=list)
    evidence: Evidence | None = None

    @property
    def forward(self) -> bool:
        """Whether the stored edge points from ``source`` to ``target``."""
        return self.edge_source == self.source


def stored_graph(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    """The graph as last written to ``graph_nodes``/``graph_edges`` (names from ``entities``)."""
    with snapshot(conn):
        return _stored_graph(conn)


def _stored_graph(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for entity_id, name, etype in conn.execute(
        "SELECT n.entity_id, e.name, e.type FROM graph_nodes n JOIN entities e ON e.id = n.entity_id"
    ):
        G.add_node(entity_id, name=name, type=etype)
    for s, t, kind, weight, first, last, evidence in conn.execute(
        "SELECT source_id, target_id, kind, weight, first_seen, last_seen, evidence FROM graph_edges"
    ):
        # Evidence stays JSON text until a hop needs it: a big graph has hundreds of thousands of edges.
        G.add_edge(s, t, key=kind, kind=kind, weight=weight, first_seen=first, last_seen=last,
                   evidence=evidence)
    return G


def graph_of(source: sqlite3.Connection | nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``source`` itself if it is a graph; else the stored build, or a fresh load if none is stored."""
    if isinstance(source, nx.Graph):
        return source
    if source.execute("SELECT 1 FROM graph_edges LIMIT 1").fetchone() is not None:
        return stored_graph(source)
    return load_graph(source)


def resolve_entity(source: sqlite3.Connection | nx.MultiDiGraph, text: str) -> str:
    """The entity id for an id, name or alias (case-insensitive); :class:`QueryError` if unknown/ambiguous.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("us-bis", name="Bureau of Industry and Security")
    >>> resolve_entity(G, "bureau of industry and security")
    'us-bis'
    """
    wanted = text.strip()
    if isinstance(source, nx.Graph):
        by_id = [n for n in source if str(n).lower() == wanted.lower()]
        if by_id:
            return by_id[0]
        found = sorted({n for n, name in source.nodes(data="name") if (name or "").lower() == wanted.lower()})
        names = {n: source.nodes[n].get("name") or n for n in found}
    else:
        row = source.execute("SELECT id FROM entities WHERE id = ? COLLATE NOCASE", (wanted,)).fetchone()
        if row is not None:
            return row[0]
        found = sorted({r[0] for r in source.execute(
            "SELECT id FROM entities WHERE name = ? COLLATE NOCASE "
            "UNION SELECT entity_id FROM entity_aliases WHERE alias = ? COLLATE NOCASE", (wanted, wanted))})
        names = {r[0]: r[1] for r in source.execute(
            "SELECT id, name FROM entities WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(found),))}
    if not found:
        raise QueryError(f"entity {text!r}: no entity with that id, name or alias")
    if len(found) > 1:
        options = ", ".join(f"{n} ({names.get(n, n)})" for n in found)
        raise QueryError(f"entity {text!r}: ambiguous, could be {options}; use an id")
    return found[0]


def _best_edge(G: nx.MultiDiGraph, u: str, v: str, kind: str | None = None) -> Hop | None:
    """The most telling edge between ``u`` and ``v`` in either direction, as a hop from ``u`` to ``v``."""
    candidates = []
    for s, t in ((u, v), (v, u)):
        for key, data in (G.get_edge_data(s, t) or {}).items():
            k = data.get("kind", key)
            if kind is None or k == kind:
                candidates.append((KIND_RANK.get(k, 5), -data.get("weight", 1), s != u, s, t, k, data))
    if not candidates:
        return None
    _, _, _, s, t, k, data = min(candidates, key=lambda c: c[:3])
    return Hop(u, v, k, s, t, data.get("weight", 1), _evidence_ids(data))


def _evidence_ids(data: dict) -> list[int]:
    """Evidence ids of an edge, whether held as a list (fresh build) or JSON text (stored build)."""
    evidence = data.get("evidence", [])
    return json.loads(evidence) if isinstance(evidence, str) else list(evidence)


def _cost_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected hop graph: cost 1 per hop plus a tiny penalty for weak edges (hops always dominate)."""
    H = nx.Graph()
    H.add_nodes_from(G)
    scale = 1.0 / (G.number_of_nodes() + 2)
    for u, v, w in G.edges(data="weight", default=1):
        if u == v:
            continue
        best = max(w, H[u][v]["strength"]) if H.has_edge(u, v) else w
        H.add_edge(u, v, strength=best, cost=1.0 + scale / (1.0 + best))
    return H


def shortest_paths(source: sqlite3.Connection | nx.MultiDiGraph, a: str, b: str, limit: int = 3,
                   conn: sqlite3.Connection | None = None) -> list[list[Hop]]:
    """Up to ``limit`` shortest chains between entities ``a`` and ``b`` (ids, names or aliases).

    ``source`` is a connection (the stored graph is used) or a graph; evidence sentences are attached when
    a connection is available. Returns ``[]`` when the two are not connected.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("anthropic", "deepseek", key="accusation", kind="accusation", weight=2, evidence=[1])
    >>> _ = G.add_edge("deepseek", "nvidia", key="co_mention", kind="co_mention", weight=1, evidence=[7])
    >>> [[(h.source, h.kind, h.target) for h in chain] for chain in shortest_paths(G, "anthropic", "nvidia")]
    [[('anthropic', 'accusation', 'deepseek'), ('deepseek', 'co_mention', 'nvidia')]]
    """
    conn = source if isinstance(source, sqlite3.Connection) else conn
    G = graph_of(source)
    lookup = conn if conn is not None else G
    start, end = resolve_entity(lookup, a), resolve_entity(lookup, b)
    for entity, text in ((start, a), (end, b)):
        if entity not in G:
            raise QueryError(f"entity {text!r}: has no relationships in the graph (run `aiwatch graph`?)")
    if start == end:
        raise QueryError(f"entities {a!r} and {b!r} are the same entity ({start})")
    H = _cost_graph(G)
    try:
        paths = list(islice(nx.shortest_simple_paths(H, start, end, weight="cost"), max(limit, 0)))
    except nx.NetworkXNoPath:
        return []
    chains = [[_best_edge(G, u, v) for u, v in zip(path, path[1:], strict=False)] for path in paths]
    result = [[hop for hop in chain if hop is not None] for chain in chains]
    if conn is not None:
        for chain in result:
            attach_evidence(conn, chain)
    return result


def neighbors(G: nx.MultiDiGraph, a: str, kind: str | None = None) -> list[Hop]:
    """Every relationship of entity ``a`` (optionally of one ``kind``), strongest first.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("us-bis", "nvidia", key="policy_action", kind="policy_action", weight=3)
    >>> _ = G.add_edge("deepseek", "nvidia", key="co_mention", kind="co_mention", weight=5)
    >>> [(h.target, h.kind, h.forward) for h in neighbors(G, "nvidia")]
    [('deepseek', 'co_mention', False), ('us-bis', 'policy_action', False)]
    """
    node = resolve_entity(G, a)
    hops = []
    for s, t, key, data in list(G.out_edges(node, keys=True, data=True)) + list(
            G.in_edges(node, keys=True, data=True)):
        k = data.get("kind", key)
        if (kind is not None and k != kind) or s == t:
            continue
        other = t if s == node else s
        hops.append(Hop(node, other, k, s, t, data.get("weight", 1), _evidence_ids(data)))
    hops.sort(key=lambda h: (-h.weight, KIND_RANK.get(h.kind, 5), h.target))
    return hops


_CLAIM_EVIDENCE_SQL = """
SELECT c.sentence, a.id, a.url, a.title, coalesce(a.published, a.fetched_at) AS date, c.id
FROM claims c JOIN articles a ON a.id = c.article_id
WHERE c.id IN (SELECT value FROM json_each(?))
ORDER BY coalesce(c.confidence, 0) DESC, c.is_quote DESC, date IS NULL, date, c.id
LIMIT 1
"""

_CO_MENTION_EVIDENCE_SQL = """
SELECT m1.sentence, a.id, a.url, a.title, coalesce(a.published, a.fetched_at) AS date
FROM mentions m1
JOIN mentions m2 ON m2.article_id = m1.article_id AND m2.entity_id = ?
     AND (m2.sentence_start = m1.sentence_start OR (m1.sentence_start IS NULL AND m2.sentence = m1.sentence))
JOIN articles a ON a.id = m1.article_id AND a.duplicate_of IS NULL
WHERE m1.entity_id = ? AND m1.sentence IS NOT NULL
ORDER BY date IS NULL, date, a.id
LIMIT 1
"""


def attach_evidence(conn: sqlite3.Connection, hops: list[Hop]) -> list[Hop]:
    """Fill each hop's ``evidence`` with its strongest sentence from ``conn``; returns ``hops``."""
    for hop in hops:
        if hop.kind == CO_MENTION:
            row = conn.execute(_CO_MENTION_EVIDENCE_SQL, (hop.edge_target, hop.edge_source)).fetchone()
            if row is not None:
                hop.evidence = Evidence(row[0], row[1], row[2], row[3], row[4])
        elif hop.evidence_ids:
            row = conn.execute(_CLAIM_EVIDENCE_SQL, (json.dumps(hop.evidence_ids),)).fetchone()
            if row is not None:
                hop.evidence = Evidence(row[0], row[1], row[2], row[3], row[4], row[5])
    return hops
