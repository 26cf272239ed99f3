"""``aiwatch graph``, ``graph path`` and ``graph neighbors`` through click's CliRunner."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.db import connect


@pytest.fixture
def run(graph_db):
    path, _ = graph_db

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(path), *args])

    return invoke


def test_graph_rebuild_summary_and_run_row(graph_db, run, tmp_path):
    path, _ = graph_db
    export = tmp_path / "out.gexf"
    result = run("graph", "--export", str(export))
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(
        "graph: 9 nodes, 18 edges (accusation 2, co_mention 13, denial 1, policy_action 2), ")
    assert "communities in" in line and str(export) in line
    assert nx.read_gexf(export).number_of_nodes() == 9
    conn = connect(path)
    row = conn.execute("SELECT command, status, stats, finished_at FROM runs ORDER BY id DESC").fetchone()
    assert (row["command"], row["status"]) == ("graph", "ok") and row["finished_at"]
    stats = json.loads(row["stats"])
    assert stats["nodes"] == 9 and stats["edges_by_kind"]["co_mention"] == 13
    assert conn.execute("SELECT count(*) FROM graph_edges").fetchone()[0] == 18


def test_graph_bad_export_suffix_is_one_line_error(run):
    result = run("graph", "--export", "graph.csv")
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: export graph.csv: unknown format '.csv'; use one of .graphml, .gexf, .json"]


def test_path_shows_chain_with_evidence(run):
    assert run("graph").exit_code == 0
    result = run("graph", "path", "Anthropic", "BIS")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Path 1 (3 hops): Anthropic -> DeepSeek -> Nvidia -> Bureau of Industry and Security")
    assert "  Anthropic --accusation--> DeepSeek  (1 article)" in lines
    assert any("Anthropic accused DeepSeek of running large-scale distillation" in x for x in lines)
    assert any("https://news.example/2026/02/anthropic-distillation" in x for x in lines)
    # The BIS hop is the policy action, read against the edge's direction.
    assert "  Nvidia <--policy_action-- Bureau of Industry and Security  (1 article)" in lines
    assert any("https://policy.example/h20-licence" in x for x in lines)
    assert result.output.count("Path ") == 3


def test_path_limit_and_co_mention_evidence(run):
    run("graph")
    result = run("graph", "path", "deepseek-r1", "nvidia", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert result.output.count("Path ") == 1
    assert "DeepSeek-R1 --co_mention-- Nvidia  (1 sentence)" in result.output
    assert "R1 reasoning model was trained on Nvidia hardware" in result.output


def test_path_works_before_any_build(run):
    result = run("graph", "path", "OpenAI", "DeepSeek")
    assert result.exit_code == 0, result.output
    assert "OpenAI --accusation--> DeepSeek  (2 articles)" in result.output


@pytest.mark.parametrize("args, message", [
    (("graph", "path", "Moonshot AI", "DeepSeek"),
     "Error: entity 'Moonshot AI': no entity with that id, name or alias"),
    (("graph", "path", "Commerce", "DeepSeek"),
     "Error: entity 'Commerce': ambiguous, could be us-bis (Bureau of Industry and Security), "
     "us-commerce (US Department of Commerce); use an id"),
    (("graph", "neighbors", "nobody"), "Error: entity 'nobody': no entity with that id, name or alias"),
    (("graph", "neighbors", "us-commerce"),
     "Error: entity 'us-commerce': has no relationships in the graph (run `aiwatch graph`?)"),
])
def test_unknown_or_ambiguous_entity_is_one_line_error(run, args, message):
    run("graph")
    result = run(*args)
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [message]


def test_neighbors_lists_relationships_with_evidence(run):
    run("graph")
    result = run("graph", "neighbors", "bis")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Bureau of Industry and Security: 6 relationships"
    assert "Bureau of Industry and Security --policy_action--> Huawei  (1 article)" in result.output
    assert "https://policy.example/ascend-guidance" in result.output

    only = run("graph", "neighbors", "Nvidia", "--kind", "policy_action")
    assert only.exit_code == 0, only.output
    assert only.output.splitlines()[0] == "Nvidia: 1 relationship"
    assert "Nvidia <--policy_action-- Bureau of Industry and Security" in only.output
    assert "co_mention" not in only.output


def test_unconnected_entities(graph_db, run):
    path, _ = graph_db
    conn = connect(path)
    conn.execute("INSERT INTO articles (id, url, published) VALUES "
                 "(99, 'https://x.example/ms', '2025-07-01')")
    conn.execute("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
                 " sentence_start) VALUES (99, 'microsoft', 'Microsoft', 0, 9,"
                 " 'Microsoft reported earnings.', 0)")
    conn.close()
    run("graph")
    result = run("graph", "path", "Microsoft", "DeepSeek")
    assert result.exit_code == 0
    assert result.output.strip() == "No connection between Microsoft and DeepSeek."


def test_bad_export_directory_fails_before_rebuild(graph_db, run, tmp_path):
    path, _ = graph_db
    target = tmp_path / "missing" / "g.gexf"
    result = run("graph", "--export", str(target))
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        f"Error: export {target}: directory {target.parent} does not exist"]
    assert connect(path).execute("SELECT count(*) FROM graph_edges").fetchone()[0] == 0


def test_path_on_stored_graph_matches_fresh_build(run):
    fresh = run("graph", "path", "Anthropic", "Huawei")
    assert run("graph").exit_code == 0
    stored = run("graph", "path", "Anthropic", "Huawei")
    assert fresh.exit_code == stored.exit_code == 0
    assert fresh.output == stored.output
    line = "2025-05-13  BIS warns on Huawei Ascend chips  https://policy.example/ascend-guidance"
    assert line in stored.output


def test_second_rebuild_reports_unchanged(run):
    first = run("graph")
    second = run("graph")
    assert first.exit_code == second.exit_code == 0
    assert "unchanged" not in first.output
    assert "communities in" in second.output and "(tables unchanged)" in second.output


def test_neighbors_of_kind_with_none(run):
    run("graph")
    result = run("graph", "neighbors", "Huawei", "--kind", "accusation")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Huawei has no accusation relationships."
    bad = run("graph", "neighbors", "Huawei", "--kind", "rumour")
    assert bad.exit_code != 0
