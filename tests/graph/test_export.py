"""GraphML, GEXF and node-link JSON exports open with networkx and round-trip attributes."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from aiwatch.graph.build import load_graph
from aiwatch.graph.export import ExportError, export_graph, read_export
from aiwatch.graph.metrics import compute_metrics

from aiwatch.db import connect


@pytest.fixture
def built(graph_db):
    path, ids = graph_db
    G = load_graph(connect(path))
    return G, compute_metrics(G, betweenness_k=500, seed=42), ids


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_export_round_trips_attributes(built, tmp_path, suffix):
    G, metrics, ids = built
    target = export_graph(G, tmp_path / f"aiwatch{suffix}", metrics)
    R = read_export(target)
    assert set(R) == set(G)
    assert R.number_of_edges() == G.number_of_edges()

    node = R.nodes["deepseek"]
    assert node["label"] == "DeepSeek" and node["type"] == "ai_lab"
    assert int(node["community"]) == metrics["deepseek"]["community"]
    assert float(node["pagerank"]) == pytest.approx(metrics["deepseek"]["pagerank"])
    assert int(node["article_count"]) == 3
    assert node["first_seen"] == "2025-01-29"

    edges = {(u, v, d["kind"]): d for u, v, d in R.edges(data=True)}
    acc = edges[("openai", "deepseek", "accusation")]
    assert float(acc["weight"]) == 2
    assert json.loads(acc["evidence"]) == sorted([ids["c1"], ids["c6"]])
    assert (acc["first_seen"], acc["last_seen"]) == ("2025-01-29", "2025-03-01")
    co = edges[("deepseek", "openai", "co_mention")]
    assert int(co["articles"]) == 2
    assert json.loads(co["evidence"]) == [ids["a1"], ids["a6"]]


def test_graphml_and_gexf_open_with_plain_readers(built, tmp_path):
    G, metrics, _ = built
    graphml = export_graph(G, tmp_path / "g.graphml", metrics)
    gexf = export_graph(G, tmp_path / "g.gexf", metrics)
    assert nx.read_graphml(graphml).number_of_nodes() == G.number_of_nodes()
    loaded = nx.read_gexf(gexf)
    assert loaded.nodes["us-bis"]["label"] == "Bureau of Industry and Security"


def test_export_does_not_mutate_graph(built, tmp_path):
    G, metrics, _ = built
    before = sorted(G.edges(keys=True, data=True))
    export_graph(G, tmp_path / "g.json", metrics)
    assert sorted(G.edges(keys=True, data=True)) == before
    assert isinstance(G.edges["openai", "deepseek", "accusation"]["evidence"], list)


def test_unknown_suffix_and_missing_directory_are_one_line_errors(built, tmp_path):
    G, metrics, _ = built
    with pytest.raises(ExportError, match=r"unknown format '\.csv'") as err:
        export_graph(G, tmp_path / "g.csv", metrics)
    assert "\n" not in str(err.value)
    with pytest.raises(ExportError, match="does not exist"):
        export_graph(G, tmp_path / "missing" / "g.gexf", metrics)


def test_export_replaces_existing_file_whole(built, tmp_path):
    G, metrics, _ = built
    out = tmp_path / "out"
    out.mkdir()
    target = out / "g.json"
    target.write_text("old contents")
    export_graph(G, target, metrics)
    assert json.loads(target.read_text())["nodes"]
    assert [p.name for p in out.iterdir()] == ["g.json"]  # no partial file left behind
