"""When a reported act happened, read from its sentence relative to the article's date (``dateparser``).

"Anthropic said on Monday", "In January 2025, OpenAI said", "last week", "earlier this month": dateparser
finds and resolves the expression with the article's publication date as its base, preferring the past. The
result keeps its precision (``day``, ``week``, ``month``, ``year``) and its source: ``text`` when the sentence
dates the act, ``article`` when it does not (then the article's date is an upper bound, not the date).

For what someone *says* (accusations, denials, statements) only the part of the sentence outside the claim's
content is read ("OpenAI said on Tuesday that DeepSeek, which released R1 in January, ..." is dated Tuesday,
not January; callers pass no content span for acts such as policy actions, whose content dates them), and of
several expressions the one nearest
the reporting verb wins. A cheap test skips sentences with no month, weekday, year or relative-time word, so
most sentences never reach dateparser; the common forms ("on Tuesday", "January 23", "last week") are found
and resolved by :mod:`aiwatch.graph.events.date_forms` with dateparser's results, the rest by dateparser.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiwatch.graph.events import date_forms

PRECISIONS = ("day", "week", "month", "year")
_MONTHS = ("january|february|march|april|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# Words that can start a date expression dateparser resolves; "may" only with a day or year next to it.
_CANDIDATE = re.compile(
    rf"\b(?:{_MONTHS}|{_WEEKDAYS}|may\s+\d|\d{{1,2}}\s+may|in\s+may|(?:19|20)\d\d|yesterday|today|"
    r"(?:last|this|past|previous)\s+(?:week|month|year)|ago)\b", re.I)
_WEEKDAY = re.compile(rf"\b(?:{_WEEKDAYS})\b", re.I)
# "in a Wednesday press release": dateparser reads the article as a number ("a" = 1) and returns a month.
_ARTICLE_WEEKDAY = re.compile(rf"\b(?:(?:in|on)\s+)?an?\s+(?=(?:{_WEEKDAYS})\b)", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ABBREVIATION_DOT = re.compile(rf"\b({_MONTHS})\.", re.I)
_PERIODS = {"day": "day", "time": "day", "week": "week", "month": "month", "year": "year"}


@dataclass(frozen=True)
class EventDate:
    """A resolved date: ``value`` is an ISO prefix by precision (``2026-02-23``, ``2026-02``, ``2026``;
    a week is its Monday) and ``source`` is ``text`` or ``article``."""

    value: str
    precision: str
    source: str
    expression: str | None = None

    @property
    def interval(self) -> tuple[date, date]:
        """First and last day the date covers."""
        return interval(self.value, self.precision)


def interval(value: str, precision: str) -> tuple[date, date]:
    """First and last day of a stored date.

    >>> interval("2026-02", "month")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    >>> interval("2026-02-16", "week")
    (datetime.date(2026, 2, 16), datetime.date(2026, 2, 22))
    """
    if precision == "year":
        year = int(value[:4])
        return date(year, 1, 1), date(year, 12, 31)
    if precision == "month":
        first = date(int(value[:4]), int(value[5:7]), 1)
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, following - timedelta(days=1)
    day = date.fromisoformat(value[:10])
    return (day, day + timedelta(days=6)) if precision == "week" else (day, day)


def as_stored(day: date, precision: str) -> str:
    """``day`` written at ``precision``.

    >>> as_stored(date(2026, 2, 23), "month"), as_stored(date(2026, 2, 25), "week")
    ('2026-02', '2026-02-23')
    """
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if precision == "week":
        day = day - timedelta(days=day.weekday())
    return day.isoformat()


def article_day(published: str | None) -> date | None:
    """The calendar day of an ISO 8601 ``published`` value, or None."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"PREFER_DATES_FROM": "past",
                                                     "RETURN_AS_TIMEZONE_AWARE": False})


FAST_FORMS = True  # read the common forms without dateparser (date_forms); False: dateparser throughout


def _resolve(expression: str, base: date) -> tuple[date, str] | None:
    """``expression`` resolved against ``base`` (day and precision), or None."""
    if FAST_FORMS:
        found = date_forms.resolve(_ARTICLE_WEEKDAY.sub("", expression), base)
        if found is not date_forms.UNKNOWN:
            return found
    return _resolve_dateparser(expression, base)


@functools.lru_cache(maxsize=8192)  # pure in its arguments; "on Monday" recurs across a day's articles
def _resolve_dateparser(expression: str, base: date) -> tuple[date, str] | None:
    """``expression`` resolved against ``base`` by dateparser."""
    from dateparser.search import search_dates  # noqa: F401  (same package; keeps import lazy)

    # "said on Monday" in a Monday article is that Monday, not the one before: weekdays count from the next
    # day.
    start = base + timedelta(days=1) if _WEEKDAY.search(expression) else base
    parser = _parser()
    parser._settings.RELATIVE_BASE = datetime(start.year, start.month, start.day, 12)  # noqa: SLF001
    data = parser.get_date_data(_ARTICLE_WEEKDAY.sub("", expression))
    if data is None or data.date_obj is None:
        return None
    precision = _PERIODS.get(data.period or "day", "day")
    day = data.date_obj.date()
    if day > base:
        return None
    return day, precision


def _search(text: str, base: date) -> list[tuple[str, int]]:
    """Date expressions in ``text`` with their offsets (dateparser's search), candidates only."""
    if FAST_FORMS:
        for search in (date_forms.quick_search, date_forms.search):
            found = search(text, _CANDIDATE)
            if found is not date_forms.UNKNOWN:
                return found
    return _search_dateparser(text, base)


def _search_dateparser(text: str, base: date) -> list[tuple[str, int]]:
    """:func:`_search` by dateparser's ``search_dates``."""
    from dateparser.search import search_dates

    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False,
                "RELATIVE_BASE": datetime(base.year, base.month, base.day, 12)}
    found = search_dates(text, languages=["en"], settings=settings) or []
    out, cursor = [], 0
    for expression, _when in found:
        at = text.find(expression, cursor)
        if at < 0:
            at = text.find(expression)
        if at >= 0:
            cursor = at + len(expression)
        if _CANDIDATE.search(expression):
            out.append((expression, at))
    return out


def mentions_date(sentence: str | None) -> bool:
    """Whether ``sentence`` may hold a date expression (the cheap test before dateparser: without one,
    :func:`resolve_date` gives the article's day whatever the offsets).

    >>> mentions_date("Anthropic said on Monday that labs ran campaigns."), mentions_date("It said so.")
    (True, False)
    """
    return _prepared(sentence or "")[1]


@functools.lru_cache(maxsize=4096)  # a claim's sentence is tested, then read: once for both
def _prepared(sentence: str) -> tuple[str, bool]:
    """``sentence`` with abbreviation dots spaced out, and whether it may hold a date expression."""
    text = _ABBREVIATION_DOT.sub(r"\1 ", sentence)
    return text, bool(_CANDIDATE.search(text))


def resolve_date(sentence: str, published: str | None, *, cue: int | None = None,
                 content: tuple[int, int] | None = None) -> EventDate | None:
    """When the act a claim reports happened: from ``sentence`` (offsets ``cue`` of the reporting verb and
    ``content`` span, both relative to the sentence, when known), else the article's day; None if neither.
    An undated article (``published`` None) takes only a date that names its year: "on Monday" needs the
    article's date, "in October 2023" does not.

    >>> resolve_date("Anthropic said on Monday that labs ran campaigns.", "2026-02-23T21:00:00Z")
    EventDate(value='2026-02-23', precision='day', source='text', expression='on Monday')
    >>> resolve_date("In January 2025, OpenAI said DeepSeek distilled its models.", "2026-03-02")
    EventDate(value='2025-01', precision='month', source='text', expression='In January 2025')
    >>> resolve_date("OpenAI said DeepSeek distilled its models.", "2026-03-02")
    EventDate(value='2026-03-02', precision='day', source='article', expression=None)
    >>> resolve_date("The BIS issued the rules in October 2023.", None)
    EventDate(value='2023-10', precision='month', source='text', expression='in October 2023')
    >>> resolve_date("The BIS said on Monday it issued rules.", None) is None
    True
    """
    base = article_day(published)
    absolute_only = base is None  # an undated article: only a date that names its year ("in October 2023")
    if base is None:
        base = date.today()
    fallback = None if absolute_only else EventDate(base.isoformat(), "day", "article")
    text, candidate = _prepared(sentence or "")
    if not candidate or (absolute_only and not _YEAR.search(text)):
        return fallback
    if content and 0 <= content[0] < content[1] <= len(text):
        # Blank out what the speaker claims so its dates are not taken for the claim's own date.
        text = text[:content[0]] + " " * (content[1] - content[0]) + text[content[1]:]
        if not _CANDIDATE.search(text):
            return fallback
    found = _search(text, base)
    anchor = cue if cue is not None else 0
    for expression, _at in sorted(found, key=lambda f: abs(f[1] - anchor) if f[1] >= 0 else 1 << 30):
        if absolute_only and not _YEAR.search(expression):
            continue
        resolved = _resolve(expression, base)
        if resolved is not None:
            day, precision = resolved
            return EventDate(as_stored(day, precision), precision, "text", expression)
    return fallback
