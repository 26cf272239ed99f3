"""Per-connection resource limits for a public Datasette, enforced by SQLite on every serving connection.

* **Value length.** ``SQLITE_LIMIT_LENGTH`` caps every string or blob a query can build (``zeroblob``,
  ``replace``, ``group_concat`` ... fail with SQLite's own "string or blob too big"); SQL text and LIKE
  patterns get their own caps.
* **printf/format.** SQLite's ``printf`` is the one function that ignores the length cap's cost: asked for
  ``printf('%.*c', 900000000, 'x')`` it spins for seconds inside one virtual-machine step, beyond the reach of
  Datasette's time limit (a progress handler), and returns NULL. Both names are replaced by a function that
  adds up the widths and precisions the format asks for, reading each ``*`` argument the way SQLite's printf
  does (SQLite's own ``CAST(... AS INTEGER)``: ``'1000000000x'`` is 1,000,000,000, not an error), fails at
  once with "string or blob too big" when that exceeds the cap, and otherwise lets SQLite's ``printf``
  format the call on a private in-memory connection with the same limits.
* **Functions.** An authorizer denies functions that must never run on a public instance:
  ``fts3_tokenizer`` (its one-argument form returns a memory address, an ASLR leak; its two-argument form
  installs a tokenizer from a pointer) and ``load_extension``.
* **Response size.** A row factory counts the bytes of text and blob values each cursor returns and fails
  the query with "response too big" past ``max_response_bytes``, so forty rows of 10 MB values never reach
  the JSON encoder (one row more than the cap is the most ever held).
"""

from __future__ import annotations

import re
import sqlite3
import weakref
from collections.abc import Callable
from typing import Any

# %[flags][width][.precision][length]type, as SQLite's printf understands it.
SPEC = re.compile(r"%([-+ #0!,]*)(\*|\d+)?(?:\.(\*|\d+))?(l{0,2})([a-zA-Z%])")
# Conversions where precision limits (rather than pads) the output.
PRECISION_TRUNCATES = set("sqQwz")
DENIED_FUNCTIONS = frozenset({"fts3_tokenizer", "load_extension"})
MAX_LIKE_PATTERN = 10_000


def requested_size(fmt: Any, args: tuple[Any, ...], as_integer: Callable[[Any], int] = int) -> int:
    """Upper bound of the characters ``printf(fmt, *args)`` may pad or repeat, from widths and precisions.

    ``as_integer`` turns a ``*`` argument into the number printf will use (SQLite's conversion on serving
    connections); a value it cannot convert counts as 0.

    >>> requested_size("%.*c", (900000000, "x"))
    900000004
    >>> requested_size("%-10s|%5.2f", ("a", 1.0))
    28
    """
    if not isinstance(fmt, str):
        return 0
    total = len(fmt)
    position = 0

    def star() -> int:
        nonlocal position
        value = args[position] if position < len(args) else 0
        position += 1
        try:
            return abs(int(as_integer(value)))
        except (TypeError, ValueError, OverflowError):
            return 0

    for match in SPEC.finditer(fmt):
        _, width, precision, _, conversion = match.groups()
        if conversion == "%":
            continue
        if width:
            total += star() if width == "*" else int(width)
        if precision:
            amount = star() if precision == "*" else int(precision)
            if conversion not in PRECISION_TRUNCATES:
                total += amount
        position += 1  # the converted argument itself
    return total


def _guarded_printf(inner: sqlite3.Connection, max_bytes: int):
    def sqlite_integer(value: Any) -> int:
        # What SQLite's printf reads from a "*" argument: the leading integer of a text, a real truncated.
        if isinstance(value, int):
            return value
        return inner.execute("SELECT CAST(? AS INTEGER)", (value,)).fetchone()[0] or 0

    def printf(*args: Any) -> Any:
        if not args:
            return None
        if requested_size(args[0], args[1:], sqlite_integer) > max_bytes:
            # Returning an over-long value makes SQLite itself fail with "string or blob too big".
            return "x" * (max_bytes + 1)
        marks = ", ".join("?" for _ in args)
        return inner.execute(f"SELECT printf({marks})", args).fetchone()[0]

    return printf


def authorizer(action: int, arg1: str | None, arg2: str | None, database: str | None,
               source: str | None) -> int:
    """SQLite authorizer: deny :data:`DENIED_FUNCTIONS`, allow everything else (the file is read-only)."""
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class ResponseTooBig(sqlite3.DataError):
    """A query's rows add up to more bytes than a response may carry."""


def budget_row_factory(max_bytes: int, base: Callable[[sqlite3.Cursor, tuple], Any] | None = sqlite3.Row):
    """A row factory that fails a cursor's query once its text and blob values pass ``max_bytes``."""
    used: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def factory(cursor: sqlite3.Cursor, row: tuple) -> Any:
        size = 16 * len(row)
        for value in row:
            if isinstance(value, str | bytes):
                size += len(value)
        total = used.get(cursor, 0) + size
        used[cursor] = total
        if total > max_bytes:
            raise ResponseTooBig(
                f"response too big: the rows come to more than {max_bytes:,} bytes (setting "
                "serve_max_response_bytes); ask for fewer rows or columns, or shorter values")
        return base(cursor, row) if base is not None else row

    return factory


def apply_limits(conn: sqlite3.Connection, max_bytes: int, max_sql_length: int = 1_000_000,
                 max_response_bytes: int | None = None) -> None:
    """Cap value, SQL and LIKE-pattern length on ``conn``, guard ``printf``/``format``, deny dangerous
    functions and, with ``max_response_bytes``, cap the bytes each query may return."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, max_sql_length)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)
    inner = sqlite3.connect(":memory:", check_same_thread=False)
    inner.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_bytes)
    guarded = _guarded_printf(inner, max_bytes)
    for name in ("printf", "format"):
        conn.create_function(name, -1, guarded, deterministic=True)
    conn.set_authorizer(authorizer)
    if max_response_bytes:
        conn.row_factory = budget_row_factory(max_response_bytes, conn.row_factory)
