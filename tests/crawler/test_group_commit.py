"""Group commit on a real SQLite file: shared transactions, per-unit atomicity, waiters fired on commit."""

from __future__ import annotations

import sqlite3

import pytest
from aiwatch.crawler.store.group_commit import GroupCommit


@pytest.fixture
def conns(tmp_path):
    path = tmp_path / "g.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA foreign_keys = ON")
    writer.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    writer.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, v TEXT NOT NULL, parent INTEGER "
                   "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
    reader = sqlite3.connect(path, isolation_level=None)
    yield writer, reader
    writer.close()
    reader.close()


class Timers:
    """Records what the batcher asks to run later; the test decides when "later" comes."""

    def __init__(self) -> None:
        self.pending: list = []

    def __call__(self, delay: float, fn):
        self.pending.append((delay, fn))
        return None

    def fire(self) -> None:
        pending, self.pending = self.pending, []
        for _, fn in pending:
            fn()


def outcome(deferred) -> list:
    seen: list = []
    deferred.addCallbacks(lambda _: seen.append("committed"), lambda f: seen.append(f.value))
    return seen


def insert(value, parent=None):
    return lambda conn: conn.execute("INSERT INTO rows (v, parent) VALUES (?, ?)", (value, parent)).lastrowid


def count(conn) -> int:
    return conn.execute("SELECT count(*) FROM rows").fetchone()[0]


def test_units_share_a_transaction_until_the_timer_commits(conns):
    writer, reader = conns
    timers = Timers()
    batch = GroupCommit(writer, timers, max_units=50, max_delay=0.25)
    results = [batch.run(insert(f"r{i}")) for i in range(3)]
    seen = [outcome(waiter) for _, waiter in results]
    assert [r for r, _ in results] == [1, 2, 3]
    assert count(reader) == 0 and seen == [[], [], []]  # nothing visible, nobody told "stored"
    assert [d for d, _ in timers.pending] == [0.25]  # one timer for the batch
    timers.fire()
    assert count(reader) == 3 and seen == [["committed"]] * 3
    assert not writer.in_transaction


def test_a_full_batch_commits_at_once(conns):
    writer, reader = conns
    batch = GroupCommit(writer, Timers(), max_units=2)
    first = outcome(batch.run(insert("a"))[1])
    second = outcome(batch.run(insert("b"))[1])
    assert first == second == ["committed"] and count(reader) == 2
    third = outcome(batch.run(insert("c"))[1])
    assert third == [] and count(reader) == 2
    batch.commit()
    assert third == ["committed"] and count(reader) == 3


def test_a_failing_unit_rolls_back_alone(conns):
    writer, reader = conns
    batch = GroupCommit(writer, Timers())

    def half_then_fail(conn):
        conn.execute("INSERT INTO rows (v) VALUES ('half')")
        conn.execute("INSERT INTO rows (v) VALUES (NULL)")  # NOT NULL

    kept = outcome(batch.run(insert("kept"))[1])
    with pytest.raises(sqlite3.IntegrityError):
        batch.run(half_then_fail)
    also = outcome(batch.run(insert("also kept"))[1])
    batch.commit()
    assert kept == also == ["committed"]
    assert [v for (v,) in reader.execute("SELECT v FROM rows ORDER BY id")] == ["kept", "also kept"]


def test_a_failed_commit_fails_every_waiter_and_keeps_nothing(conns):
    writer, reader = conns
    batch = GroupCommit(writer, Timers())
    good = outcome(batch.run(insert("fine"))[1])
    bad = outcome(batch.run(insert("orphan", parent=99))[1])  # deferred foreign key: fails at COMMIT
    dropped = batch.run(insert("no waiter"), wait=False)[1]
    assert dropped is None
    batch.commit()
    assert isinstance(good[0], sqlite3.IntegrityError) and isinstance(bad[0], sqlite3.IntegrityError)
    assert count(reader) == 0 and not writer.in_transaction
    after = outcome(batch.run(insert("next batch"))[1])  # the batcher goes on
    batch.commit()
    assert after == ["committed"] and count(reader) == 1


def test_commit_with_nothing_pending_is_harmless(conns):
    writer, _ = conns
    batch = GroupCommit(writer, Timers())
    batch.commit()
    assert not writer.in_transaction


def test_batch_hooks_run_once_per_batch_and_a_failing_last_write_rolls_the_batch_back(conns):
    writer, reader = conns
    calls: list[str] = []

    def last_write(conn):
        calls.append("before_commit")
        if "fail" in calls:
            conn.execute("INSERT INTO rows (v) VALUES (NULL)")  # NOT NULL
        conn.execute("INSERT INTO rows (v) VALUES ('closing')")

    batch = GroupCommit(writer, Timers(), on_begin=lambda conn: calls.append("begin"),
                        before_commit=last_write)
    first = [outcome(batch.run(insert(v))[1]) for v in ("a", "b")]
    assert calls == ["begin"]
    batch.commit()
    assert calls == ["begin", "before_commit"] and first == [["committed"]] * 2
    assert [v for (v,) in reader.execute("SELECT v FROM rows ORDER BY id")] == ["a", "b", "closing"]
    calls.append("fail")
    lost = outcome(batch.run(insert("c"))[1])
    batch.commit()
    assert isinstance(lost[0], sqlite3.IntegrityError) and count(reader) == 3 and not writer.in_transaction
