"""Node metrics: values on a known graph, stability across runs, inputs left untouched."""

from __future__ import annotations

import copy

import networkx as nx
import pytest
from aiwatch.graph.build import load_graph
from aiwatch.graph.metrics import (
    betweenness,
    communities,
    compute_metrics,
    degree,
    directed_projection,
    pagerank,
)

from aiwatch.db import connect


def _two_clusters() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for u, v in [("anthropic", "openai"), ("anthropic", "deepseek"), ("openai", "deepseek")]:
        G.add_edge(u, v, key="co_mention", kind="co_mention", weight=3)
    for u, v in [("china", "nvidia"), ("china", "us-bis"), ("nvidia", "us-bis"), ("nvidia", "nvidia-h20")]:
        G.add_edge(u, v, key="co_mention", kind="co_mention", weight=3)
    G.add_edge("deepseek", "nvidia", key="co_mention", kind="co_mention", weight=1)
    G.add_edge("us-bis", "nvidia", key="policy_action", kind="policy_action", weight=2)
    return G


def test_degree_counts_distinct_neighbours():
    G = _two_clusters()
    # nvidia: china, us-bis (two edges), nvidia-h20, deepseek.
    assert degree(G)["nvidia"] == 4
    assert degree(G)["nvidia-h20"] == 1


def test_pagerank_weighted_and_directed():
    G = _two_clusters()
    pr = pagerank(G)
    assert pytest.approx(sum(pr.values())) == 1.0
    assert max(pr, key=pr.get) == "nvidia"
    heavier = _two_clusters()
    heavier.edges["us-bis", "nvidia", "policy_action"]["weight"] = 20
    assert pagerank(heavier)["nvidia"] > pr["nvidia"]


def test_betweenness_exact_and_sampled_with_seed():
    G = _two_clusters()
    exact = betweenness(G, k=500, seed=1)
    assert max(exact, key=exact.get) in {"deepseek", "nvidia"}
    assert exact["nvidia-h20"] == 0.0
    sampled_a = betweenness(G, k=3, seed=7)
    sampled_b = betweenness(G, k=3, seed=7)
    assert sampled_a == sampled_b
    assert sampled_a != exact or len(G) <= 3


def test_communities_numbered_by_size_and_stable():
    G = _two_clusters()
    com = communities(G, seed=42)
    assert com["nvidia"] == com["china"] == com["us-bis"] == com["nvidia-h20"] == 0  # the larger cluster
    assert com["anthropic"] == com["openai"] == com["deepseek"] == 1
    # Same graph, edges added in another order: same numbering.
    R = nx.MultiDiGraph()
    R.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert communities(R, seed=42) == com


def test_metrics_stable_across_runs_and_input_untouched(graph_db):
    path, _ = graph_db
    G = load_graph(connect(path))
    snapshot = copy.deepcopy(G)
    first = compute_metrics(G, betweenness_k=500, seed=42)
    second = compute_metrics(load_graph(connect(path)), betweenness_k=500, seed=42)
    assert first == second
    assert nx.utils.graphs_equal(G, snapshot)
    assert set(first["deepseek"]) == {"degree", "pagerank", "betweenness", "community", "first_seen",
                                      "last_seen"}
    # The sampled path (k below the node count) is reproducible too.
    assert compute_metrics(G, betweenness_k=3, seed=42) == compute_metrics(G, betweenness_k=3, seed=42)


def test_empty_graph_metrics():
    assert compute_metrics(nx.MultiDiGraph(), betweenness_k=10, seed=1) == {}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_betweenness_matches_networkx_exact_and_sampled(seed):
    g = nx.gnm_random_graph(80, 200, seed=seed)
    g.add_edge(500, 501)  # a separate component
    g = nx.relabel_nodes(g, {v: f"e{v:03d}" for v in g})
    G = nx.MultiDiGraph(g)
    exact = betweenness(G, k=1000, seed=seed)
    reference = nx.betweenness_centrality(g, normalized=True)
    assert exact == pytest.approx(reference, abs=1e-12)
    sampled = betweenness(G, k=20, seed=seed)
    reference = nx.betweenness_centrality(g, k=20, normalized=True, seed=seed)
    assert sampled == pytest.approx(reference, abs=1e-12)


def test_pagerank_matches_networkx_on_directed_projection(graph_db):
    path, _ = graph_db
    G = load_graph(connect(path))
    G.add_node("isolated-entity")
    reference = nx.pagerank(directed_projection(G), weight="weight")
    assert pagerank(G) == pytest.approx(reference, abs=1e-12)
