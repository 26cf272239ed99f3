"""Full-text indexing deferred to the end of a storage batch, on a real aiwatch database."""

from __future__ import annotations

import sqlite3

import pytest
from aiwatch.crawler.store.group_commit import GroupCommit

from aiwatch.db import FTS_DEFERRED_KEY, connect, defer_search_index, flush_search_index

from .test_group_commit import Timers, outcome

SEARCH = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid"


def switched_on(conn: sqlite3.Connection) -> bool:
    """Whether the deferral switch is visible to ``conn``."""
    query = "SELECT count(*) FROM aiwatch_meta WHERE key = ?"
    return conn.execute(query, (FTS_DEFERRED_KEY,)).fetchone()[0] > 0


def hits(conn: sqlite3.Connection, query: str) -> list[int]:
    return [row[0] for row in conn.execute(SEARCH, (query,))]


def integrity_check(conn: sqlite3.Connection) -> None:
    """FTS5 compares its index with the articles table; raises ``sqlite3.DatabaseError`` on a mismatch."""
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def add(url: str, text: str, title: str = "Export controls"):
    return lambda conn: conn.execute("INSERT INTO articles (url, title, text) VALUES (?, ?, ?)",
                                     (url, title, text)).lastrowid


@pytest.fixture
def conns(tmp_path):
    path = tmp_path / "a.db"
    writer, reader = connect(path), connect(path)
    yield writer, reader
    writer.close()
    reader.close()


def test_a_batch_becomes_searchable_when_it_commits(conns):
    writer, reader = conns
    writer.execute("INSERT INTO articles (url, title, text) VALUES ('u0', 'Old', 'Nvidia H20 licences')")
    batch = GroupCommit(writer, Timers(), on_begin=defer_search_index, before_commit=flush_search_index)
    new = [batch.run(add(f"u{i}", f"Nvidia Blackwell shipments, part {i}")) for i in (1, 2)]
    assert hits(writer, "blackwell") == []  # deferred: the writer's own view is not indexed yet either
    assert writer.execute("SELECT count(*) FROM articles_fts_pending").fetchone()[0] == 2
    assert hits(reader, "nvidia") == [1]
    assert switched_on(writer) and not switched_on(reader)  # the switch never leaves the writer's transaction
    seen = [outcome(waiter) for _, waiter in new]
    batch.commit()
    assert seen == [["committed"]] * 2
    assert hits(reader, "blackwell") == [2, 3] and hits(reader, "nvidia") == [1, 2, 3]
    assert reader.execute("SELECT count(*) FROM articles_fts_pending").fetchone()[0] == 0
    assert not switched_on(writer) and not switched_on(reader)
    integrity_check(reader)
    writer.execute("INSERT INTO articles (url, title, text) VALUES ('u9', 'Late', 'HBM')")  # indexed at once
    assert hits(reader, "hbm") == [4]


def test_rows_changed_or_deleted_while_waiting_are_indexed_as_they_end_up(conns):
    writer, reader = conns
    writer.execute("INSERT INTO articles (url, title, text) VALUES ('old', 'Old', 'Huawei Ascend chips')")
    batch = GroupCommit(writer, Timers(), on_begin=defer_search_index, before_commit=flush_search_index)
    batch.run(add("a", "DeepSeek distillation claims"))
    batch.run(add("b", "Anthropic accused three labs"))
    batch.run(lambda conn: conn.execute("UPDATE articles SET text = 'DeepSeek denied it' WHERE url = 'a'"))
    batch.run(lambda conn: conn.execute("DELETE FROM articles WHERE url = 'b'"))
    batch.run(lambda conn: conn.execute("UPDATE articles SET title = 'Huawei update' WHERE url = 'old'"))
    batch.commit()
    assert hits(reader, "denied") == [2] and hits(reader, "distillation") == []
    assert hits(reader, "anthropic") == [] and hits(reader, "update") == [1]
    integrity_check(reader)


def test_a_rolled_back_unit_or_batch_leaves_index_and_list_clean(conns):
    writer, reader = conns
    batch = GroupCommit(writer, Timers(), on_begin=defer_search_index, before_commit=flush_search_index)

    def insert_then_fail(conn):
        add("x", "Nvidia smuggling case")(conn)
        conn.execute("INSERT INTO articles (url) VALUES (NULL)")  # NOT NULL

    with pytest.raises(sqlite3.IntegrityError):
        batch.run(insert_then_fail)
    batch.run(add("y", "Nvidia H200 exports"))
    batch.commit()
    assert hits(reader, "nvidia") == [row[0] for row in reader.execute("SELECT id FROM articles")]
    assert [r[0] for r in reader.execute("SELECT url FROM articles")] == ["y"]
    batch.run(add("z", "Micron HBM"))
    writer.execute("ROLLBACK")  # the process dies mid-batch: SQLite rolls everything back
    assert reader.execute("SELECT count(*) FROM articles_fts_pending").fetchone()[0] == 0
    integrity_check(reader)


def test_an_interrupted_deferral_is_finished_when_the_database_is_next_opened(tmp_path, caplog):
    """Only a writer committing without the flush could leave this; nothing may stay unsearchable."""
    path = tmp_path / "a.db"
    conn = connect(path)
    conn.execute("BEGIN")
    defer_search_index(conn)
    conn.execute("INSERT INTO articles (url, title, text) VALUES ('a', 'T', 'Cambricon accelerators')")
    conn.execute("COMMIT")  # the bug this guards against
    conn.close()
    with caplog.at_level("WARNING", logger="aiwatch.db"):
        conn = connect(path)
    assert hits(conn, "cambricon") == [1] and "left behind" in caplog.text
    assert not switched_on(conn)
    conn.execute("INSERT INTO articles (url, title, text) VALUES ('b', 'T', 'Cambricon revenue')")
    assert hits(conn, "cambricon") == [1, 2]
    integrity_check(conn)


def test_a_schema_2_database_keeps_its_index_through_the_migration(tmp_path):
    from aiwatch import db

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for script in db.MIGRATIONS[:2]:
        for statement in db._split_sql(script):
            raw.execute(statement)
    raw.execute("PRAGMA user_version = 2")
    raw.execute("INSERT INTO articles (url, title, text) VALUES ('a', 'T', 'Entity list additions')")
    raw.close()
    conn = connect(path)
    assert hits(conn, "entity") == [1]
    conn.execute("UPDATE articles SET text = 'Foundry rule' WHERE id = 1")
    assert hits(conn, "entity") == [] and hits(conn, "foundry") == [1]
    integrity_check(conn)


COPIES = "SELECT rowid FROM article_copies_fts WHERE article_copies_fts MATCH ? ORDER BY rowid"
COPIES_EXPECTED = ("SELECT a.id FROM articles_fts f JOIN articles a ON a.id = f.rowid "
                   "WHERE f.articles_fts MATCH ? AND a.duplicate_of IS NOT NULL ORDER BY a.id")


def copies_agree(conn: sqlite3.Connection, *words: str) -> None:
    """The copies index holds exactly the indexed articles whose ``duplicate_of`` is set, with their text."""
    for word in words:
        assert ([r[0] for r in conn.execute(COPIES, (word,))]
                == [r[0] for r in conn.execute(COPIES_EXPECTED, (word,))]), word
    conn.execute("INSERT INTO article_copies_fts(article_copies_fts) VALUES ('integrity-check')")
    integrity_check(conn)


def test_the_copies_index_follows_duplicate_of_text_and_deletes(conns):
    writer, reader = conns
    writer.execute("INSERT INTO articles (url, title, text) VALUES ('o', 'T', 'Huawei Ascend exports')")
    writer.execute("INSERT INTO articles (url, title, text, duplicate_of) "
                   "VALUES ('c1', 'T', 'Huawei Ascend', 1)")
    writer.execute("INSERT INTO articles (url, title, text) VALUES ('c2', 'T', 'Ascend exports')")
    assert hits_of(reader, COPIES, "ascend") == [2]
    writer.execute("UPDATE articles SET duplicate_of = 1 WHERE url = 'c2'")  # found to be a copy later
    writer.execute("UPDATE articles SET text = 'Kirin chips' WHERE url = 'c1'")
    assert hits_of(reader, COPIES, "ascend") == [3] and hits_of(reader, COPIES, "kirin") == [2]
    writer.execute("UPDATE articles SET duplicate_of = NULL, title = 'Kirin' WHERE url = 'c1'")  # no copy
    writer.execute("UPDATE articles SET duplicate_of = 2 WHERE url = 'c2'")  # another original, still a copy
    assert hits_of(reader, COPIES, "kirin") == [] and hits_of(reader, COPIES, "exports") == [3]
    writer.execute("DELETE FROM articles WHERE url = 'c2'")
    assert hits_of(reader, COPIES, "exports") == []
    copies_agree(reader, "huawei", "ascend", "exports", "kirin", "t")


def test_copies_stored_in_a_deferred_batch_are_indexed_as_they_end_up(conns):
    writer, reader = conns
    writer.execute("INSERT INTO articles (url, title, text) VALUES ('o', 'T', 'Cambricon revenue')")
    batch = GroupCommit(writer, Timers(), on_begin=defer_search_index, before_commit=flush_search_index)
    batch.run(lambda conn: conn.execute(
        "INSERT INTO articles (url, title, text, duplicate_of) VALUES ('a', 'T', 'Cambricon revenue', 1)"))
    batch.run(add("b", "Cambricon revenue again"))
    batch.run(add("c", "Cambricon chips"))
    batch.run(lambda conn: conn.execute("UPDATE articles SET duplicate_of = 1 WHERE url = 'b'"))
    batch.run(lambda conn: conn.execute("UPDATE articles SET text = 'Moore Threads' WHERE url = 'a'"))
    batch.run(lambda conn: conn.execute("DELETE FROM articles WHERE url = 'c'"))
    assert hits_of(writer, COPIES, "moore") == []  # waiting, like the main index
    batch.commit()
    assert hits_of(reader, COPIES, "moore") == [2] and hits_of(reader, COPIES, "cambricon") == [3]
    copies_agree(reader, "cambricon", "revenue", "moore", "chips", "again")


def test_the_migration_indexes_the_copies_already_stored(tmp_path):
    from aiwatch import db

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    db.register_functions(raw)
    before = next(i for i, m in enumerate(db.MIGRATIONS) if "article_copies_fts" in m)  # the lead renumbers
    for script in db.MIGRATIONS[:before]:
        for statement in db._split_sql(script):
            raw.execute(statement)
    raw.execute(f"PRAGMA user_version = {before}")
    raw.execute("INSERT INTO articles (url, title, text) VALUES ('a', 'T', 'Entity list additions')")
    raw.execute("INSERT INTO articles (url, title, text, duplicate_of) VALUES ('b', 'T', 'Entity list', 1)")
    raw.close()
    conn = connect(path)
    assert hits_of(conn, COPIES, "entity") == [2]
    copies_agree(conn, "entity", "list", "additions")


def hits_of(conn: sqlite3.Connection, query: str, word: str) -> list[int]:
    return [row[0] for row in conn.execute(query, (word,))]
