"""The graph over the real extract stage (spaCy model): first on the fixture articles, then on the bundled
sample site crawled over loopback. Both check invariants that must hold whatever the extractor finds, plus
a few facts the articles state plainly."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.db import connect

pytestmark = pytest.mark.model


def _aiwatch(db: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the installed console script as cron would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    return subprocess.run(["aiwatch", "--db", str(db), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=db.parent)


def _check_invariants(conn) -> None:
    """Edges and counts never draw on syndicated copies or negated claims; nodes' counts match the rows."""
    duplicates = {r[0] for r in conn.execute("SELECT id FROM articles WHERE duplicate_of IS NOT NULL")}
    claim_article = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, article_id, negated FROM claims")}
    for kind, evidence in conn.execute("SELECT kind, evidence FROM graph_edges"):
        ids = json.loads(evidence)
        assert ids, kind
        if kind == "co_mention":
            assert not duplicates & set(ids)
        else:
            assert all(claim_article[i][0] not in duplicates and claim_article[i][1] == 0 for i in ids)
    expected = dict(conn.execute("""
        SELECT entity_id, count(DISTINCT article_id) FROM (
            SELECT entity_id, article_id FROM mentions
            UNION ALL SELECT speaker_id, article_id FROM claims WHERE speaker_id IS NOT NULL
            UNION ALL SELECT target_id, article_id FROM claims WHERE target_id IS NOT NULL)
        WHERE article_id NOT IN (SELECT id FROM articles WHERE duplicate_of IS NOT NULL)
        GROUP BY entity_id"""))
    assert dict(conn.execute("SELECT entity_id, article_count FROM graph_nodes")) == expected
    accused_in = {r[0] for r in conn.execute("SELECT article_id FROM accusations")}
    assert not accused_in & duplicates


def test_graph_over_real_extraction_of_fixture_articles(graph_db):
    db, ids = graph_db
    conn = connect(db)
    for table in ("mentions", "claims", "entity_aliases", "entities"):
        conn.execute(f"DELETE FROM {table}")
    conn.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "extract"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", str(db), "graph"])
    assert result.exit_code == 0, result.output

    conn = connect(db)
    _check_invariants(conn)
    edge = conn.execute("SELECT weight, evidence FROM graph_edges WHERE source_id = 'openai' "
                        "AND target_id = 'deepseek' AND kind = 'accusation'").fetchone()
    assert edge is not None and edge["weight"] == 2  # a1 and a6; the copy a2 adds nothing
    evidence_articles = {conn.execute("SELECT article_id FROM claims WHERE id = ?", (i,)).fetchone()[0]
                         for i in json.loads(edge["evidence"])}
    assert evidence_articles == {ids["a1"], ids["a6"]}
    # "Anthropic did not accuse OpenAI ..." must never become an accusation.
    assert conn.execute("SELECT count(*) FROM accusations WHERE accuser_id = 'anthropic' "
                        "AND accused_id = 'openai'").fetchone()[0] == 0
    path = runner.invoke(cli, ["--db", str(db), "graph", "path", "OpenAI", "DeepSeek"])
    assert path.exit_code == 0, path.output
    assert "OpenAI --accusation--> DeepSeek  (2 articles)" in path.output


@pytest.mark.slow
def test_graph_over_crawled_sample_site(tmp_path):
    from aiwatch.crawler.sample_site import serve

    db = tmp_path / "site.db"
    with serve() as base:
        crawl = _aiwatch(db, "crawl", "--feed", f"{base}/feed.xml", "--sitemap", f"{base}/sitemap.xml")
        assert crawl.returncode == 0, crawl.stderr[-2000:]
    extract = _aiwatch(db, "extract")
    assert extract.returncode == 0, extract.stderr[-2000:]
    export = tmp_path / "site.graphml"
    built = _aiwatch(db, "graph", "--export", str(export))
    assert built.returncode == 0, built.stderr[-2000:]
    assert built.stdout.startswith("graph: ")

    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0] > 0
    _check_invariants(conn)
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM graph_edges")}
    assert {"co_mention", "accusation"} <= kinds
    accusers = {r[0] for r in conn.execute(
        "SELECT accuser_id FROM accusations WHERE accused_id = 'deepseek'")}
    assert {"openai", "anthropic"} & accusers
    G = nx.read_graphml(export, force_multigraph=True)
    assert G.number_of_nodes() == conn.execute("SELECT count(*) FROM graph_nodes").fetchone()[0]

    path = _aiwatch(db, "graph", "path", "Anthropic", "Nvidia")
    assert path.returncode == 0, path.stderr
    assert path.stdout.startswith("Path 1 (")
    assert base.split("//")[1].split(":")[0] in path.stdout  # evidence links to the crawled articles
