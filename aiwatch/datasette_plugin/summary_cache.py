"""Cache of whole-table summaries (facet counts, row counts) for the served database, until the file changes.

On a 100k-article database every table page would otherwise recount the table and re-run each facet over
every row (tens of milliseconds each, on every view), although the answers only change when cron writes.
:class:`SummaryCachingDatabase` keeps the results of such summary queries, keyed by SQL and parameters, and
drops them all as soon as the database changes: the key includes the size and modification time of the
database file and of its write-ahead log (every commit appends to the WAL; a checkpoint rewrites the file).
Entries also expire after ``ttl`` seconds, so a change the file stamps cannot show is not kept for long.
Row queries, canned queries and anything else are never cached. :func:`cached_fn` gives the entity and
overview pages (whole-archive summaries too) the same treatment.
"""

from __future__ import annotations

import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from datasette.database import Database

# Datasette's table count and its facet queries (column, date and the grouped array facet).
SUMMARY_SQL = re.compile(
    r"^\s*(select count\(\*\) from \[?\w+\]?\s"
    r"|select \[?\w+\]? as value, count\(\*\) as count from \("
    r"|select date\(\[?\w+\]?\) as value, count\(\*\) as count from \("
    r"|with arrays as \()",
    re.IGNORECASE,
)


def is_summary(sql: str) -> bool:
    """True for the count and facet queries Datasette runs on table pages.

    >>> is_summary("select count(*) from articles where source = :p0")
    True
    >>> is_summary("select id, title from articles limit 51")
    False
    """
    return bool(SUMMARY_SQL.match(sql))


def file_stamp(path: str) -> tuple[int, ...]:
    """Size and modification time (ns) of the database file and its WAL (zeros when absent)."""
    stamp: list[int] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            stamp += [st.st_size, st.st_mtime_ns]
        except OSError:
            stamp += [0, 0]
    return tuple(stamp)


class SummaryCachingDatabase(Database):
    """A Datasette :class:`Database` that caches summary query results until the file changes."""

    def __init__(self, *args: Any, ttl: float = 300.0, max_entries: int = 512, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ttl = ttl
        self.max_entries = max_entries
        self.caching = True
        self._cache: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._stamp: tuple[int, ...] | None = None

    async def execute(self, sql: str, params: Any = None, truncate: bool = False,
                      custom_time_limit: Any = None, page_size: Any = None, log_sql_errors: bool = True):
        # A failing query becomes the client's error response, logged there in one line; Datasette would
        # also print "ERROR: conn=..., sql = ..." with the whole SQL to stderr.
        log_sql_errors = False
        if not (self.caching and self.path and is_summary(sql)):
            return await super().execute(sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
        items = sorted(params.items()) if isinstance(params, dict) else list(params or [])
        key = (sql, repr(items), truncate, page_size)
        hit = self._lookup(key)
        if hit is not None:
            return hit
        now = time.monotonic()
        result = await super().execute(sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
        self._store(key, now, result)
        return result

    def _lookup(self, key: tuple) -> Any:
        stamp = file_stamp(self.path)
        if stamp != self._stamp:
            self._cache.clear()
            self._stamp = stamp
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            self._cache.move_to_end(key)
            return hit[1]
        return None

    def _store(self, key: tuple, when: float, value: Any) -> None:
        self._cache[key] = (when, value)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)


async def cached_fn(db: Database, key: tuple, fn: Callable[[Any], Any]) -> Any:
    """``await db.execute_fn(fn)``, remembered under ``key`` until the file changes (caching databases only).

    ``fn`` must be a pure read whose result depends only on ``key`` and the database contents.
    """
    if not (isinstance(db, SummaryCachingDatabase) and db.caching and db.path):
        return await db.execute_fn(fn)
    full_key = ("fn", *key)
    hit = db._lookup(full_key)
    if hit is not None:
        return hit
    when = time.monotonic()
    value = await db.execute_fn(fn)
    db._store(full_key, when, value)
    return value
