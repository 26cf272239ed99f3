"""The shared ground: schema, migrations, config and CLI error handling."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.config import SETTINGS, ConfigError, load_config
from aiwatch.db import SCHEMA_VERSION, SchemaError, connect, migrate

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
