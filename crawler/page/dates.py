"""Publication dates checked before storage: what a feed, sitemap, page markup or page text claims.

Every date the crawler stores passes :func:`valid_date`: an unparseable value ("not a date",
``2025-13-45T99:99:99Z``) or an implausible one (before :data:`EARLIEST`, or more than
:data:`FUTURE_SLACK` ahead of now) is treated as missing, never stored. Where a stored date came from is
one of :data:`aiwatch.db.DATE_SOURCES` (``articles.date_source``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

EARLIEST = date(1990, 1, 1)
FUTURE_SLACK = timedelta(days=2)  # time zones and clocks: a date a day ahead is still today somewhere
_PLAIN_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def valid_date(value: object, *, now: datetime | None = None) -> str | None:
    """``value`` as an ISO 8601 date or timestamp when it is one and plausible, else None.

    A value already in plain ISO 8601 (``2025-04-16``, ``2025-04-16T18:20:00Z``) is returned as written;
    other forms Python reads as ISO 8601 (``20250416``) are rewritten as ``YYYY-MM-DD[THH:MM:SS+HH:MM]``.

    >>> valid_date("2025-04-16T18:20:00Z"), valid_date(" 2025-04-16 ")
    ('2025-04-16T18:20:00Z', '2025-04-16')
    >>> valid_date("20250416")
    '2025-04-16'
    >>> [valid_date(v) for v in ("not a date", "2025-13-45T99:99:99Z", "1970-01-01", "", None, 20250416)]
    [None, None, None, None, None, None]
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    if parsed.date() < EARLIEST or moment > current + FUTURE_SLACK:
        return None
    if _PLAIN_ISO.fullmatch(text):
        return text
    only_date = len(text) <= 10 or not any(ch in text for ch in "T :")
    return parsed.date().isoformat() if only_date else parsed.isoformat()
