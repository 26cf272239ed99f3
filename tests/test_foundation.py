"""The shared ground: schema, migrations, config and CLI error handling."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.config import SETTINGS, ConfigError, load_config
from aiwatch.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SPEAKER_KINDS,
    SchemaError,
    _split_sql,
    connect,
    migrate,
    register_functions,
)

CONTRACT = {
    "articles": {"id", "url", "source", "title", "byline", "published", "fetched_at", "language", "text",
                 "topics", "relevance", "content_hash", "duplicate_of"},
    "entities": {"id", "name", "type", "wikidata", "description"},
    "entity_aliases": {"alias", "entity_id"},
    "mentions": {"id", "article_id", "entity_id", "text", "start_char", "end_char", "sentence"},
    "claims": {"id", "article_id", "speaker_id", "verb", "kind", "target_id", "content", "sentence",
               "is_quote", "start_char", "end_char", "confidence"},
    "graph_nodes": {"entity_id", "degree", "pagerank", "betweenness", "community", "article_count"},
    "graph_edges": {"source_id", "target_id", "kind", "weight", "first_seen", "last_seen", "evidence"},
    "runs": {"id", "command", "started_at", "finished_at", "status", "stats", "error"},
}


def test_schema_has_contract_columns(db_path):
    conn = connect(db_path)
    for table, columns in CONTRACT.items():
        present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
        assert columns <= present, (table, columns - present)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrate_is_idempotent_and_fts_follows_articles(db_path):
    conn = connect(db_path)
    assert migrate(conn) == SCHEMA_VERSION
    conn.execute("INSERT INTO articles (url, title, text) VALUES ('https://a.test/1', 'Chip', 'Nvidia H20')")
    search = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'nvidia'"
    assert conn.execute(search).fetchone()[0] == 1
    conn.execute("DELETE FROM articles")
    assert conn.execute(search).fetchone()[0] == 0


def test_a_changed_text_is_sent_back_to_the_extract_stage(db_path):
    conn = connect(db_path)
    conn.execute("INSERT INTO articles (url, title, text, content_hash, extractor_version) "
                 "VALUES ('https://a.test/1', 'Chip', 'Nvidia H20', 'h1', 'v1')")
    version = "SELECT extractor_version FROM articles"
    conn.execute("UPDATE articles SET title = 'Chips'")
    assert conn.execute(version).fetchone()[0] == "v1"  # a new title keeps the extraction
    conn.execute("UPDATE articles SET text = 'Nvidia H20 and H200'")
    assert conn.execute(version).fetchone()[0] is None  # by SQL, with no hash change
    conn.execute("UPDATE articles SET extractor_version = 'v1'")
    conn.execute("UPDATE articles SET content_hash = 'h2'")
    assert conn.execute(version).fetchone()[0] is None


def test_newer_schema_is_refused(db_path):
    connect(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(SchemaError, match="newer than this aiwatch supports"):
        connect(db_path)


def _database_at(path, version: int) -> sqlite3.Connection:
    """A database as aiwatch left it at schema ``version`` (its first ``version`` migrations, no views)."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA foreign_keys = ON")
    register_functions(raw)  # the SQL functions migrations may call
    for script in MIGRATIONS[:version]:
        for statement in _split_sql(script):
            raw.execute(statement)
    raw.execute(f"PRAGMA user_version = {version}")
    return raw


def test_migration_6_claim_model_v2_backfills_old_claims(db_path):
    raw = _database_at(db_path, 5)
    raw.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, ?)",
                    [("openai", "OpenAI", "ai_lab"), ("deepseek", "DeepSeek", "ai_lab"),
                     ("jensen-huang", "Jensen Huang", "person")])
    raw.execute("INSERT INTO articles (id, url, text, extractor_version) VALUES (1, 'https://a.test/1', "
                "'OpenAI accused DeepSeek of distillation. Huang said sales would fall.', 'extract-1+kb.x')")
    claims = [  # (speaker, verb, kind, target, content, sentence)
        ("openai", "accuse", "accusation", "deepseek", "distillation",
         "OpenAI accused DeepSeek of distillation."),
        ("jensen-huang", "say", "statement", None, "sales would fall", "Huang said sales would fall."),
        (None, "ban", "policy_action", "deepseek", "the app", "The app was banned."),
    ]
    raw.executemany("INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, content, sentence, "
                    "start_char, end_char) VALUES (1, ?, ?, ?, ?, ?, ?, 0, 10)", claims)
    raw.execute("DELETE FROM graph_pending")
    raw.close()

    conn = connect(db_path)
    assert SCHEMA_VERSION >= 6 and migrate(conn) == SCHEMA_VERSION
    rows = {r["verb"]: dict(r) for r in conn.execute("SELECT * FROM claims")}
    assert (rows["accuse"]["speaker_text"], rows["accuse"]["speaker_kind"], rows["accuse"]["target_text"]) \
        == ("OpenAI", "entity", "DeepSeek")
    assert (rows["say"]["speaker_text"], rows["say"]["speaker_kind"], rows["say"]["target_text"]) \
        == ("Jensen Huang", "person", None)
    assert (rows["ban"]["speaker_text"], rows["ban"]["speaker_kind"]) == (None, "anonymous")
    for row in rows.values():  # unknown until the extract stage re-reads the article
        assert [row[c] for c in ("speaker_start", "speaker_end", "via_id", "via_text", "cue_start", "cue_end",
                                 "content_start", "content_end")] == [None] * 8
    # The views (recreated on connect) read the new columns.
    actor = "SELECT actor, actor_kind, target FROM policy_actions"
    assert [tuple(r) for r in conn.execute(actor)] == [(None, "anonymous", "DeepSeek")]
    accuser = "SELECT accuser, accuser_text, accuser_kind, via, accused_text FROM accusations"
    assert [tuple(r) for r in conn.execute(accuser)] == [("OpenAI", "OpenAI", "entity", None, "DeepSeek")]
    # The backfill touched no graph input, so the graph is not rebuilt for it ...
    assert conn.execute("SELECT count(*) FROM graph_pending").fetchone()[0] == 0
    # ... and the full-text index still follows the claims.
    search = "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?"
    assert conn.execute(search, ("distillation",)).fetchone()[0] == 1
    conn.execute("UPDATE claims SET content = 'copying' WHERE verb = 'accuse'")
    assert conn.execute(search, ("copying",)).fetchone()[0] == 1
    conn.execute("DELETE FROM claims WHERE verb = 'accuse'")
    assert conn.execute(search, ("copying",)).fetchone()[0] == 0
    # The new columns are constrained and linked like the old ones.
    insert = ("INSERT INTO claims (article_id, verb, kind, sentence, start_char, end_char, speaker_kind,"
              " via_id) VALUES (1, 'say', 'statement', 'Officials said so.', 0, 18, ?, ?)")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(insert, ("spokesman", None))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute(insert, ("group", "no-such-outlet"))
    for kind in SPEAKER_KINDS:
        conn.execute(insert, (kind, "openai"))
    links = {(r["from"], r["table"]) for r in conn.execute("PRAGMA foreign_key_list(claims)")}
    assert ("via_id", "entities") in links


def test_migration_6_indexes_serve_kind_and_channel_filters(db_path):
    conn = connect(db_path)
    for sql in ("SELECT count(*) FROM claims WHERE speaker_kind = 'role' AND kind = 'statement'",
                "SELECT id FROM claims WHERE via_id = 'reuters'"):
        plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "USING" in plan and "INDEX" in plan, (sql, plan)


def test_config_file_and_env(tmp_path):
    cfg = tmp_path / "aiwatch.toml"
    cfg.write_text("download_timeout = 12\n")
    config = load_config(cfg, environ={"AIWATCH_MAX_PAGES": "7"})
    assert config.download_timeout == 12 and config.max_pages == 7
    with pytest.raises(ConfigError, match="max_pages: expected int, got 'many'"):
        load_config(cfg, environ={"AIWATCH_MAX_PAGES": "many"})
    cfg.write_text("download_timeout = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(cfg, environ={})
    cfg.write_text("no_such_setting = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'no_such_setting'"):
        load_config(cfg, environ={})


def test_every_setting_has_help():
    assert all(s.help.strip() for s in SETTINGS)
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_cli_bad_config_is_one_line(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("max_pages = 'x'\n")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "--help"])
    # --help is eager and needs no config; a real command reads it.
    assert result.exit_code == 0


def test_migration_to_readable_links_keys_and_date_sources(db_path):
    """Issue 16: ``url`` (the key until then) moves to ``url_key``; ``url`` becomes the address fetched
    with status 200 (the one matching the key first), ``date_source`` is filled as far as it is known and a
    stored date that is no date becomes NULL."""
    number = next(i for i, m in enumerate(MIGRATIONS) if "url_key" in str(m))  # the lead renumbers
    raw = _database_at(db_path, number)
    articles = [  # id, url (the old key), published, kind
        (1, "https://a.test/2024/12/02/story", "2024-12-02", "article"),
        (2, "https://a.test/news/x", "2025-01-29T10:00:00+00:00", "article"),
        (3, "https://a.test/no-raw-page", "2025-02-01", "article"),
        (4, "https://a.test/gone", "not a date", "article"),
        (5, "https://www.federalregister.gov/d/2025-00636", "2025-01-15", "policy_document"),
        (6, "https://a.test/undated-rule", None, "policy_document"),
        (7, "https://a.test/impossible", "2025-13-45T99:99:99Z", "article"),
    ]
    raw.executemany("INSERT INTO articles (id, url, published, kind) VALUES (?, ?, ?, ?)", articles)
    pages = [  # fetched URL, article, status, fetched_at
        ("https://a.test/2024/12/02/story/?utm_source=rss&utm_medium=feed", 1, 200, "2025-01-01"),
        ("https://a.test/amp/news/x", 2, 200, "2025-02-02"),
        ("https://a.test/news/x/", 2, 200, "2025-02-01"),
        ("https://a.test/gone/", 4, 404, "2025-02-01"),
    ]
    raw.executemany("INSERT INTO raw_pages (url, article_id, status, fetched_at) VALUES (?, ?, ?, ?)", pages)
    raw.close()

    conn = connect(db_path)
    rows = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    assert {i: r["url_key"] for i, r in rows.items()} == {a[0]: a[1] for a in articles}
    assert [rows[i]["url"] for i in range(1, 5)] == [
        "https://a.test/2024/12/02/story/", "https://a.test/news/x/", "https://a.test/no-raw-page",
        "https://a.test/gone"]
    assert [(rows[i]["published"], rows[i]["date_source"]) for i in range(1, 8)] == [
        ("2024-12-02", None), ("2025-01-29T10:00:00+00:00", None), ("2025-02-01", None), (None, "none"),
        ("2025-01-15", "feed"), (None, "none"), (None, "none")]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO articles (url, url_key) VALUES ('https://a.test/x', 'https://a.test/news/x')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE articles SET date_source = 'guess' WHERE id = 1")
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT id FROM articles WHERE url_key = ?",
                                               ("k",)))
    assert "idx_articles_url_key" in plan
