"""Per-connection resource limits for a public Datasette.

``SQLITE_LIMIT_LENGTH`` caps every string or blob a query can build (``zeroblob``, ``replace``,
``group_concat`` ... then fail with SQLite's own "string or blob too big"). SQLite's ``printf``/``format``
is the exception: asked for ``printf('%.*c', 900000000, 'x')`` it spins for seconds, beyond the reach of
Datasette's time limit, and returns NULL. :func:`apply_limits` therefore wraps those two functions: a call
whose widths and precisions add up to more than the cap fails at once with "string or blob too big"; any other
call is answered by SQLite's own ``printf`` on a private in-memory connection with the same limits.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

# %[flags][width][.precision][length]type, as SQLite's printf understands it.
SPEC = re.compile(r"%([-+ #0!,]*)(\*|\d+)?(?:\.(\*|\d+))?(l{0,2})([a-zA-Z%])")
# Conversions where precision limits (rather than pads) the output.
PRECISION_TRUNCATES = set("sqQwz")


def requested_size(fmt: Any, args: tuple[Any, ...]) -> int:
    """Upper bound of the characters ``printf(fmt, *args)`` may pad or repeat, from widths and precisions.

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
            return abs(int(value))
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
    def printf(*args: Any) -> Any:
        if not args:
            return None
        if requested_size(args[0], args[1:]) > max_bytes:
            # Returning an over-long value makes SQLite itself fail with "string or blob too big".
            return "x" * (max_bytes + 1)
        marks = ", ".join("?" for _ in args)
        return inner.execute(f"SELECT printf({marks})", args).fetchone()[0]

    return printf


def apply_limits(conn: sqlite3.Connection, max_bytes: int, max_sql_length: int = 1_000_000) -> None:
    """Cap string/blob and SQL length on ``conn`` and guard its ``printf``/``format`` functions."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, max_sql_length)
    inner = sqlite3.connect(":memory:", check_same_thread=False)
    inner.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_bytes)
    guarded = _guarded_printf(inner, max_bytes)
    for name in ("printf", "format"):
        conn.create_function(name, -1, guarded, deterministic=True)
