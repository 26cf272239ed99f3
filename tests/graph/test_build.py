"""load_graph on the hand-built fixture: nodes, edge kinds, weights, duplicates and negation."""

from __future__ import annotations

from aiwatch.graph.build import CO_MENTION, load_graph

from aiwatch.db import connect


def test_nodes_are_entities_seen_outside_duplicates(graph_db):
    path, _ = graph_db
    G = load_graph(connect(path))
    assert set(G) == {"anthropic", "openai", "deepseek", "deepseek-r1", "nvidia", "nvidia-h20", "huawei",
                      "us-bis", "china"}
    # microsoft appears only in the syndicated copy; us-commerce is never mentioned.
    assert "microsoft" not in G and "us-commerce" not in G
    deepseek = G.nodes["deepseek"]
    assert deepseek["name"] == "DeepSeek" and deepseek["type"] == "ai_lab"
    assert deepseek["article_count"] == 3  # a1, a4, a6; not the copy a2
    assert deepseek["first_seen"] == "2025-01-29"
    assert deepseek["last_seen"].startswith("2026-02-12")
    assert G.nodes["nvidia"]["article_count"] == 2


def test_claim_edges_weights_evidence_and_dates(graph_db):
    path, ids = graph_db
    G = load_graph(connect(path))
    claim_edges = {(u, v, k) for u, v, k in G.edges(keys=True) if k != CO_MENTION}
    assert claim_edges == {
        ("openai", "deepseek", "accusation"),
        ("anthropic", "deepseek", "accusation"),
        ("deepseek", "anthropic", "denial"),
        ("us-bis", "nvidia", "policy_action"),
        ("us-bis", "huawei", "policy_action"),
    }
    edge = G.edges["openai", "deepseek", "accusation"]
    # Two original articles; the syndicated copy's claim c2 adds nothing.
    assert edge["weight"] == 2
    assert edge["evidence"] == sorted([ids["c1"], ids["c6"]])
    assert (edge["first_seen"], edge["last_seen"]) == ("2025-01-29", "2025-03-01")
    assert G.edges["us-bis", "nvidia", "policy_action"]["evidence"] == [ids["c3"]]


def test_negated_and_targetless_claims_make_no_edge(graph_db):
    path, _ = graph_db
    G = load_graph(connect(path))
    assert not G.has_edge("anthropic", "openai", "accusation")  # "did not accuse"
    assert all(k == CO_MENTION for _, _, k in G.out_edges("nvidia", keys=True))  # statement without target


def test_co_mentions_stored_once_with_sentence_and_article_counts(graph_db):
    path, ids = graph_db
    G = load_graph(connect(path))
    co = {(u, v): d for u, v, k, d in G.edges(keys=True, data=True) if k == CO_MENTION}
    assert all(u < v for u, v in co)
    # Two sentences of one article name both Anthropic and DeepSeek.
    assert co[("anthropic", "deepseek")]["weight"] == 2
    assert co[("anthropic", "deepseek")]["articles"] == 1
    assert co[("anthropic", "deepseek")]["evidence"] == [ids["a4"]]
    # One sentence in each of two articles; the copy a2 would have made it 3.
    assert co[("deepseek", "openai")]["weight"] == 2
    assert co[("deepseek", "openai")]["evidence"] == [ids["a1"], ids["a6"]]
    # The negated sentence still names both entities together.
    assert ("anthropic", "openai") in co
    # Four entities in one sentence: all six pairs.
    four = ["china", "nvidia", "nvidia-h20", "us-bis"]
    assert all((a, b) in co for i, a in enumerate(four) for b in four[i + 1:])
    assert not any("microsoft" in pair for pair in co)
    assert len(co) == 13


def test_syndicated_copy_changes_nothing(graph_db):
    path, ids = graph_db
    conn = connect(path)
    before = load_graph(conn)
    conn.execute("UPDATE articles SET duplicate_of = NULL WHERE id = ?", (ids["a2"],))
    inflated = load_graph(conn)
    assert inflated.edges["openai", "deepseek", "accusation"]["weight"] == 3
    conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", (ids["a1"], ids["a2"]))
    after = load_graph(conn)
    assert sorted(before.edges(keys=True, data=True)) == sorted(after.edges(keys=True, data=True))
    assert dict(before.nodes(data=True)) == dict(after.nodes(data=True))


def test_self_claims_and_undated_articles(db_path):
    conn = connect(db_path)
    conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, ?)",
                     [("nvidia", "Nvidia", "company"), ("china", "China", "country")])
    conn.execute("INSERT INTO articles (id, url, published, fetched_at) VALUES "
                 "(1, 'https://x.example/1', NULL, '2025-06-01T10:00:00+00:00')")
    conn.execute("INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, sentence, start_char,"
                 " end_char) VALUES (1, 'nvidia', 'say', 'statement', 'nvidia',"
                 " 'Nvidia said it would comply.', 0, 28)")
    conn.execute("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence) VALUES "
                 "(1, 'china', 'China', 40, 45, 'Sales to China fell.')")
    G = load_graph(conn)
    assert G.number_of_edges() == 0
    assert G.nodes["nvidia"]["first_seen"] == "2025-06-01T10:00:00+00:00"
    assert G.nodes["china"]["article_count"] == 1


def test_empty_database_gives_empty_graph(db_path):
    G = load_graph(connect(db_path))
    assert G.number_of_nodes() == 0 and G.number_of_edges() == 0


def test_claims_without_a_resolved_speaker_make_no_edge(db_path):
    """Claim model v2 keeps claims whose speaker is no entity ("a ministry spokesperson", "officials"): known
    by ``speaker_text`` only, they name their target but link nobody to it; the channel they came through
    (``via_id``) is no party to the claim either."""
    from aiwatch.graph.pipeline import update_graph

    conn = connect(db_path)
    conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, ?)",
                     [("nvidia", "Nvidia", "company"), ("reuters", "Reuters", "organization"),
                      ("china-mofcom", "Ministry of Commerce of China", "government")])
    conn.execute("INSERT INTO articles (id, url, published) VALUES (1, 'https://x.example/1', '2025-08-01')")
    insert = ("INSERT INTO claims (article_id, speaker_id, speaker_text, speaker_kind, via_id, via_text,"
              " verb, kind, target_id, target_text, sentence, start_char, end_char)"
              " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 60)")
    conn.executemany(insert, [
        (None, "A ministry spokesperson", "role", "reuters", "Reuters", "accuse", "accusation", "nvidia",
         "Nvidia", "A ministry spokesperson told Reuters that Nvidia had broken the rules."),
        (None, "Officials", "group", None, None, "say", "statement", None, "Chinese AI labs",
         "Officials said Chinese AI labs were not affected."),
        ("china-mofcom", "the ministry", "entity", "reuters", "Reuters", "say", "statement", "nvidia",
         "Nvidia", "The ministry told Reuters that Nvidia must explain."),
    ])
    G = load_graph(conn)
    assert set(G) == {"nvidia", "china-mofcom"}  # the accused is named; the channel is not a party
    assert list(G.edges(keys=True)) == [("china-mofcom", "nvidia", "statement")]
    update_graph(conn, betweenness_k=500, seed=42)
    stored = [tuple(r) for r in conn.execute("SELECT source_id, target_id, kind FROM graph_edges")]
    assert stored == [("china-mofcom", "nvidia", "statement")]
    assert {r[0] for r in conn.execute("SELECT entity_id FROM graph_nodes")} == {"nvidia", "china-mofcom"}
