"""Group commit: many small writes share one SQLite transaction, committed every N writes or T seconds.

A crawl stores a page in ~10 statements; committing each page on its own writes the touched pages of the
articles table, its indexes and the FTS index to the WAL once per page. Sharing a transaction between the
pages that arrive within a quarter of a second writes them once per batch (storage ~25% cheaper) while
each page stays atomic: it runs in a ``SAVEPOINT`` and a failing page rolls back alone. A page counts as
stored only once its batch commits (the Deferred :meth:`GroupCommit.run` returns fires then); a process
killed before that loses only the uncommitted pages, which the ledger does not list either, so the next
crawl fetches them again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from twisted.internet.defer import Deferred

Schedule = Callable[[float, Callable[[], None]], Any]
T = TypeVar("T")


class GroupCommit:
    """Batches units of work on ``conn`` (autocommit mode) into shared transactions.

    ``schedule(delay, fn)`` calls ``fn`` after ``delay`` seconds (the reactor's ``callLater``); it is used
    to commit a batch that does not fill up. ``on_begin(conn)`` runs right after a batch's ``BEGIN`` and
    ``before_commit(conn)`` as the batch's last write (its error rolls the batch back): the storage step
    defers full-text indexing to the batch's end with them.
    """

    def __init__(self, conn: sqlite3.Connection, schedule: Schedule, max_units: int = 50,
                 max_delay: float = 0.25, *, on_begin: Callable[[sqlite3.Connection], Any] | None = None,
                 before_commit: Callable[[sqlite3.Connection], Any] | None = None) -> None:
        self.conn = conn
        self.schedule = schedule
        self.max_units = max_units
        self.max_delay = max_delay
        self.on_begin = on_begin
        self.before_commit = before_commit
        self.units = 0  # units in the open transaction
        self._waiters: list[Deferred] = []
        self._timer: Any = None  # what ``schedule`` returned (a DelayedCall), cancelled by an early commit
        self._timer_armed = False

    def run(self, work: Callable[[sqlite3.Connection], T], *, wait: bool = True) -> tuple[T, Deferred | None]:
        """Run ``work(conn)`` as one atomic unit inside the shared transaction (begun on demand).

        Returns its result and, with ``wait``, a Deferred fired with None when the unit's batch commits or
        failed with the ``sqlite3.Error`` that rolled the batch back. An exception from ``work`` rolls back
        this unit alone and propagates.
        """
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            if self.on_begin is not None:
                try:
                    self.on_begin(self.conn)
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
        self.conn.execute("SAVEPOINT unit")
        try:
            result = work(self.conn)
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO unit")
                self.conn.execute("RELEASE unit")
            else:  # SQLite rolled the whole transaction back (disk full, I/O error): the batch is lost
                self.commit()
            raise
        self.conn.execute("RELEASE unit")
        waiter: Deferred | None = None
        if wait:
            waiter = Deferred()
            self._waiters.append(waiter)
        self.units += 1
        if self.units >= self.max_units:
            self.commit()
        elif not self._timer_armed:
            self._timer_armed = True
            self._timer = self.schedule(self.max_delay, self._on_timer)
        return result, waiter

    @property
    def waiting(self) -> int:
        """Units of the open batch whose caller waits for its commit."""
        return len(self._waiters)

    def _on_timer(self) -> None:
        self._timer, self._timer_armed = None, False
        self.commit()

    def commit(self) -> None:
        """Commit the open batch now (no-op when none) and fire its waiters."""
        if self._timer_armed and getattr(self._timer, "active", lambda: False)():
            self._timer.cancel()
        self._timer, self._timer_armed = None, False
        waiters, self._waiters, self.units = self._waiters, [], 0
        error: sqlite3.Error | None = None
        if not self.conn.in_transaction:
            if waiters:  # units ran, yet no transaction is open: SQLite rolled it back
                error = sqlite3.OperationalError("the transaction was rolled back by SQLite")
        else:
            try:
                if self.before_commit is not None:
                    self.before_commit(self.conn)
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                error = exc
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
        for waiter in waiters:
            if error is None:
                waiter.callback(None)
            else:
                waiter.errback(error)
