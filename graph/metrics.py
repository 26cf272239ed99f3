"""Graph analytics: degree, weighted PageRank, betweenness, Louvain communities, first/last seen.

Every function takes the graph first and never mutates it. Results are plain ``{node: value}`` dicts so
they can be written to ``graph_nodes`` or attached to an export copy.

Conventions (documented for researchers):

* ``degree`` counts distinct neighbours, whatever the edge kinds and directions.
* ``pagerank`` runs on a weighted directed projection: a claim ``a -> b`` adds its weight to ``a -> b``
  (attention flows to whoever is accused, regulated or named); a co-mention adds its weight both ways.
* ``betweenness`` runs on the unweighted undirected projection (hops, as ``aiwatch graph path`` counts
  them), exact up to ``k`` nodes and estimated from ``k`` sampled sources above that.
* ``communities`` are Louvain communities (igraph's multilevel method, seeded) of the undirected weighted
  projection, numbered 0, 1, ... from the largest; ties are broken by the smallest entity id, so numbers
  are stable across runs.

>>> G = nx.MultiDiGraph()
>>> G.add_edge("anthropic", "deepseek", key="accusation", kind="accusation", weight=2)
'accusation'
>>> G.add_edge("deepseek", "nvidia", key="co_mention", kind="co_mention", weight=1)
'co_mention'
>>> degree(G)
{'anthropic': 1, 'deepseek': 2, 'nvidia': 1}
>>> betweenness(G, k=500, seed=42)["deepseek"]
1.0
"""

from __future__ import annotations

import math
import random
from typing import Any

import igraph
import networkx as nx
import numpy as np
from scipy import sparse

CO_MENTION = "co_mention"


def undirected_projection(G: nx.MultiDiGraph) -> nx.Graph:
    """A simple undirected graph whose edge ``weight`` sums all edges between each pair.

    Nodes and edges are inserted in sorted order, so algorithms that visit them in graph order (Louvain)
    give the same answer however ``G`` was assembled.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("b", "a", key="accusation", weight=2)
    >>> _ = G.add_edge("a", "b", key="denial", weight=1)
    >>> H = undirected_projection(G)
    >>> list(H), H["a"]["b"]["weight"]
    (['a', 'b'], 3)
    """
    weights: dict[tuple[Any, Any], float] = {}
    for u, v, w in G.edges(data="weight", default=1):
        if u == v:
            continue
        pair = (u, v) if u < v else (v, u)
        weights[pair] = weights.get(pair, 0) + w
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    H.add_weighted_edges_from((u, v, w) for (u, v), w in sorted(weights.items()))
    return H


def directed_projection(G: nx.MultiDiGraph) -> nx.DiGraph:
    """A simple weighted digraph: claim edges keep their direction, co-mentions go both ways.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="co_mention", kind="co_mention", weight=2)
    >>> sorted(directed_projection(G).edges(data="weight"))
    [('a', 'b', 2), ('b', 'a', 2)]
    """
    D = nx.DiGraph()
    D.add_nodes_from(G)

    def add(u: Any, v: Any, w: float) -> None:
        if D.has_edge(u, v):
            D[u][v]["weight"] += w
        else:
            D.add_edge(u, v, weight=w)

    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        w = data.get("weight", 1)
        add(u, v, w)
        if data.get("kind") == CO_MENTION:
            add(v, u, w)
    return D


def degree(G: nx.MultiDiGraph, H: nx.Graph | None = None) -> dict[Any, int]:
    """Number of distinct neighbours of each node (``H``: a precomputed undirected projection)."""
    H = undirected_projection(G) if H is None else H
    return {n: H.degree(n) for n in G}


def pagerank(G: nx.MultiDiGraph, alpha: float = 0.85, tol: float = 1.0e-6,
             max_iter: int = 100) -> dict[Any, float]:
    """Weighted PageRank of :func:`directed_projection` (sums to 1; empty graph gives ``{}``).

    The same power iteration as ``nx.pagerank(directed_projection(G), weight="weight")`` (uniform
    teleport, dangling nodes spread uniformly), run on a sparse matrix built straight from ``G``'s edges
    instead of an intermediate ``DiGraph``.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="accusation", kind="accusation", weight=1)
    >>> pr = pagerank(G)
    >>> pr["b"] > pr["a"]
    True
    """
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        w = data.get("weight", 1)
        rows.append(index[u])
        cols.append(index[v])
        weights.append(w)
        if data.get("kind") == CO_MENTION:
            rows.append(index[v])
            cols.append(index[u])
            weights.append(w)
    A = sparse.csr_array((weights, (rows, cols)), shape=(n, n), dtype=float)  # duplicates are summed
    out = np.asarray(A.sum(axis=1)).ravel()
    dangling = out == 0
    inverse = np.divide(1.0, out, out=np.zeros_like(out), where=~dangling)
    Q = sparse.diags_array(inverse) @ A
    x = np.full(n, 1.0 / n)
    uniform = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ Q + x[dangling].sum() * uniform) + (1 - alpha) * uniform
        if np.abs(x - last).sum() < n * tol:
            return {v: float(x[i]) for i, v in enumerate(nodes)}
    raise nx.PowerIterationFailedConvergence(max_iter)


def betweenness(G: nx.MultiDiGraph, k: int, seed: int, H: nx.Graph | None = None) -> dict[Any, float]:
    """Normalised betweenness on the unweighted undirected projection, as ``networkx`` defines it.

    Exact when the graph has at most ``k`` nodes; otherwise estimated from ``k`` source nodes sampled
    with ``seed`` (so two runs on the same graph agree). The same sources and scaling as
    ``nx.betweenness_centrality(H, k=k, seed=seed)``, computed by :func:`_brandes` with sparse matrix
    products instead of a Python loop per source.

    >>> H = nx.path_graph(["a", "b", "c"])
    >>> betweenness(nx.MultiDiGraph(H), k=10, seed=1)
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    H = undirected_projection(G) if H is None else H
    nodes = list(H)
    n = len(nodes)
    if n <= 2:
        return dict.fromkeys(nodes, 0.0)
    sampled = n > k
    sources = random.Random(seed).sample(nodes, k) if sampled else nodes
    raw = _brandes(H, nodes, sources)
    if not sampled:
        scale = 1 / ((n - 1) * (n - 2))
        return {v: float(raw[i]) * scale for i, v in enumerate(nodes)}
    chosen = set(sources)
    source_scale = 1 / ((k - 1) * (n - 2)) if k > 1 else math.nan
    other_scale = 1 / (k * (n - 2))
    return {v: float(raw[i]) * (source_scale if v in chosen else other_scale) for i, v in enumerate(nodes)}


def _brandes(H: nx.Graph, nodes: list[Any], sources: list[Any], batch: int = 64) -> np.ndarray:
    """Brandes' dependency sums over ``sources`` (unweighted), one BFS level per sparse product.

    Column ``j`` of each matrix belongs to one source of the batch: a breadth-first level holds the number
    of shortest paths from that source to each node first reached at that level, and dependencies flow
    back level by level. The cost is O(levels x edges x sources) in compiled code.
    """
    index = {v: i for i, v in enumerate(nodes)}
    A = nx.to_scipy_sparse_array(H, nodelist=nodes, weight=None, format="csr", dtype=float)
    total = np.zeros(len(nodes))
    for start in range(0, len(sources), batch):
        columns = [index[s] for s in sources[start:start + batch]]
        frontier = np.zeros((len(nodes), len(columns)))
        frontier[columns, np.arange(len(columns))] = 1.0
        visited = frontier > 0
        levels = [frontier]
        while True:
            reached = A @ frontier
            reached[visited] = 0.0
            if not reached.any():
                break
            visited |= reached > 0
            levels.append(reached)
            frontier = reached
        delta = np.zeros_like(frontier)
        for depth in range(len(levels) - 1, 1, -1):
            sigma = levels[depth]
            share = np.divide(1.0 + delta, sigma, out=np.zeros_like(sigma), where=sigma > 0)
            upper = levels[depth - 1]
            delta += np.where(upper > 0, upper * (A @ share), 0.0)
        total += delta.sum(axis=1)
    return total


def communities(G: nx.MultiDiGraph, seed: int, H: nx.Graph | None = None) -> dict[Any, int]:
    """Louvain community number per node, 0 for the largest community.

    igraph's multilevel (Louvain) implementation on the weighted undirected projection, its random
    choices drawn from ``random.Random(seed)``; much faster than networkx's on large graphs
(``benchmarks/graph_build.py``).

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="co_mention", weight=5)
    >>> _ = G.add_edge("c", "d", key="co_mention", weight=5)
    >>> _ = G.add_node("e")
    >>> communities(G, seed=42)
    {'a': 0, 'b': 0, 'c': 1, 'd': 1, 'e': 2}
    """
    H = undirected_projection(G) if H is None else H
    nodes = list(H)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in H.edges()]
    weights = [w for _, _, w in H.edges(data="weight")]
    igraph.set_random_number_generator(random.Random(seed))
    try:
        found = igraph.Graph(n=len(nodes), edges=edges).community_multilevel(weights=weights or None)
    finally:
        igraph.set_random_number_generator(random)
    groups = [sorted(nodes[i] for i in members) for members in found]
    ordered = sorted(groups, key=lambda members: (-len(members), members[0]))
    return {node: number for number, members in enumerate(ordered) for node in members}


def seen_range(G: nx.MultiDiGraph) -> dict[Any, tuple[str | None, str | None]]:
    """``(first_seen, last_seen)`` per node: the node's own dates widened by its edges' dates.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", first_seen="2025-02-01", last_seen="2025-02-01")
    >>> _ = G.add_edge("a", "b", key="accusation", first_seen="2025-01-05", last_seen="2025-03-01")
    >>> seen_range(G)["a"]
    ('2025-01-05', '2025-03-01')
    """
    out: dict[Any, tuple[str | None, str | None]] = {}
    for n, data in G.nodes(data=True):
        out[n] = (data.get("first_seen"), data.get("last_seen"))

    def widen(n: Any, first: str | None, last: str | None) -> None:
        lo, hi = out[n]
        if first is not None and (lo is None or first < lo):
            lo = first
        if last is not None and (hi is None or last > hi):
            hi = last
        out[n] = (lo, hi)

    for u, v, data in G.edges(data=True):
        for n in (u, v):
            widen(n, data.get("first_seen"), data.get("last_seen"))
    return out


def compute_metrics(G: nx.MultiDiGraph, *, betweenness_k: int, seed: int) -> dict[Any, dict[str, Any]]:
    """All node metrics in one dict per node: degree, pagerank, betweenness, community, first/last seen."""
    H = undirected_projection(G)
    deg = degree(G, H)
    pr = pagerank(G)
    btw = betweenness(G, betweenness_k, seed, H)
    com = communities(G, seed, H)
    seen = seen_range(G)
    return {
        n: {"degree": deg[n], "pagerank": pr.get(n, 0.0), "betweenness": btw.get(n, 0.0),
            "community": com.get(n), "first_seen": seen[n][0], "last_seen": seen[n][1]}
        for n in G
    }
