"""The common date expressions read without dateparser's parser, with the results dateparser gives them.

:mod:`aiwatch.graph.events.dates` asks dateparser twice per dated sentence: ``search_dates`` to find the
expressions, then ``get_date_data`` to resolve the nearest one against the article's day. Most of that time
goes into parsing the chunks the search cuts the sentence into, and nearly every chunk that matters in news
text has one of a few forms ("on Tuesday", "Last Friday", "January 23", "of June 2024", "last week", "2026").
Both steps are done here for those forms only:

* :func:`quick_search` takes as a date's chunk the run of words around it up to plain words that appear
  nowhere in dateparser's English data (so cannot join a chunk); :func:`search`, when that is not enough,
  lets dateparser's English locale cut the sentence into chunks (``translate_search``, the call its search
  makes). A chunk of a known form is one date whose text is the chunk without its edge punctuation, as
  dateparser reports it; chunks without a date word are skipped (the settings fix the base, so dateparser
  parses each chunk on its own).
* :func:`resolve` resolves an expression of a known form against a day with the rules dateparser applies
  with the settings of ``dates`` (past preferred; a month or a year keeps the day of the month of the base).

Anything else (an unknown chunk form, an expression written twice in the sentence, a day that may not exist)
returns :data:`UNKNOWN` and the caller asks dateparser as before, so no result changes:
``tests/graph/test_date_forms.py`` compares both paths on thousands of expressions and sentences.
"""

from __future__ import annotations

import functools
import re
from calendar import monthrange
from datetime import date, datetime, timedelta

UNKNOWN = object()  # "not a form read here": ask dateparser

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items()) if name != "may"})
MONTHS["sept"] = 9
WEEKDAYS = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL = "|".join(_MONTH_NAMES)
_W = "|".join(WEEKDAYS)
_Y = r"(?:19|20)\d\d"
_LEAD = r"(?:(?:on|in|of|the)\s+)?"

# Expressions (as dates.py resolves them, any case): a weekday, a day of a month, a month, a year, a
# relative week/month/year/day.
_WEEKDAY = re.compile(rf"{_LEAD}(?:last\s+)?(?P<w>{_W})", re.I)
_MONTH_DAY = re.compile(rf"{_LEAD}(?P<m>{_M})\s+(?P<d>\d{{1,2}})(?:,?\s+(?P<y>{_Y}))?", re.I)
_DAY_MONTH = re.compile(rf"{_LEAD}(?P<d>\d{{1,2}})\s+(?P<m>{_M})(?:\s+(?P<y>{_Y}))?", re.I)
_MONTH_YEAR = re.compile(rf"{_LEAD}(?P<m>{_M})(?:,?\s+(?P<y>{_Y}))?", re.I)
_YEAR = re.compile(rf"{_LEAD}(?P<y>{_Y})", re.I)
_ISO = re.compile(rf"(?P<y>{_Y})-(?P<m>\d\d)-(?P<d>\d\d)")
_RELATIVE = re.compile(r"(?P<n>last|this)\s+(?P<unit>week|month|year)|(?P<word>yesterday|today)", re.I)
_AGO = re.compile(r"(?P<n>a|an|one|two|three|\d{1,2})\s+(?P<unit>day|week|month|year)s?\s+ago", re.I)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}


def _clipped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, monthrange(year, month)[1]))


def _months_back(base: date, months: int) -> date:
    index = base.year * 12 + base.month - 1 - months
    return _clipped(index // 12, index % 12 + 1, base.day)


@functools.lru_cache(maxsize=8192)
def resolve(expression: str, base: date):
    """``expression`` (one dateparser found, article-weekday words already removed) against ``base``, as
    ``dates._resolve`` does with dateparser: ``(day, precision)``, None when it is after ``base``, or
    :data:`UNKNOWN`."""
    text = " ".join(expression.split())
    if m := _WEEKDAY.fullmatch(text):
        # The latest such weekday on or before the base (dateparser, counting from the next day).
        day = base - timedelta(days=(base.weekday() - WEEKDAYS[m["w"].lower()]) % 7)
        return day, "day"
    found = _MONTH_DAY.fullmatch(text) or _DAY_MONTH.fullmatch(text)
    if found:
        month, day_of_month = MONTHS[found["m"].lower()], int(found["d"])
        if found["y"]:
            return _dated(int(found["y"]), month, day_of_month, base)
        if not 1 <= day_of_month <= monthrange(2001, month)[1]:
            return UNKNOWN  # February 29 and impossible days: dateparser's own reading
        year = base.year if (month, day_of_month) <= (base.month, base.day) else base.year - 1
        return date(year, month, day_of_month), "day"
    if m := _MONTH_YEAR.fullmatch(text):
        month = MONTHS[m["m"].lower()]
        if m["y"]:
            year = int(m["y"])
            return (_clipped(year, month, base.day), "month") if (year, month) <= (base.year, base.month) \
                else None
        year = base.year if month <= base.month else base.year - 1
        return _clipped(year, month, base.day), "month"
    if m := _YEAR.fullmatch(text):
        year = int(m["y"])
        return (_clipped(year, base.month, base.day), "year") if year <= base.year else None
    if m := _ISO.fullmatch(text):
        return _dated(int(m["y"]), int(m["m"]), int(m["d"]), base)
    if m := _RELATIVE.fullmatch(text):
        if m["word"]:
            return (base - timedelta(days=1) if m["word"].lower() == "yesterday" else base), "day"
        return _back(base, 1 if m["n"].lower() == "last" else 0, m["unit"].lower())
    if m := _AGO.fullmatch(text):
        number = _NUMBERS.get(m["n"].lower()) or int(m["n"])
        return _back(base, number, m["unit"].lower())
    return UNKNOWN


def _dated(year: int, month: int, day_of_month: int, base: date):
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        return UNKNOWN
    return (day, "day") if day <= base else None


def _back(base: date, count: int, unit: str) -> tuple[date, str]:
    if unit == "day":
        return base - timedelta(days=count), "day"
    if unit == "week":
        return base - timedelta(weeks=count), "week"
    if unit == "month":
        return _months_back(base, count), "month"
    return _months_back(base, 12 * count), "year"


# -- search ------------------------------------------------------------------------------------------------

# Chunks (as dateparser's English locale translates them) that parse as one date: "tuesday,", "last friday",
# "january 23,", "23 january 2025", "june 2024,", "november", "2026,", "1 week ago" (last week), "0 day ago".
_CHUNK = re.compile(
    rf"(?:(?:last )?(?:{_W})|(?:{_FULL}) \d{{1,2}}(?:, {_Y})?|\d{{1,2}} (?:{_FULL})"
    rf"(?: {_Y})?|(?:{_FULL})(?: {_Y})?|{_Y}|[01] (?:day|week|month|year) ago),?")
_DAY_NUMBER = re.compile(r"\b\d{1,2}\b")
_PLAIN = re.compile(r"[A-Za-z0-9]+(?:,? [A-Za-z0-9]+)*")
_STRIPPED = " .,:：-'\""  # what dateparser strips around a found date (its _clean_substring)


@functools.lru_cache(maxsize=1)
def _english():
    """dateparser's English locale, its skipped words and the settings ``dates`` searches with."""
    from dateparser.conf import settings
    from dateparser.languages.loader import LocaleDataLoader

    locale = LocaleDataLoader().get_locale("en")
    wanted = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False,
              "RELATIVE_BASE": datetime(2000, 1, 1, 12)}  # the base plays no part in cutting chunks
    skip = {word.lower() for word in locale.info.get("skip", [])}
    return locale, skip, settings.replace(mod_settings=wanted, **wanted)


def search(text: str, candidate: re.Pattern) -> list[tuple[str, int]] | object:
    """The expressions matching ``candidate`` that dateparser's ``search_dates`` finds in ``text``, with
    their offsets, when every chunk that may hold one has a known form; else :data:`UNKNOWN`."""
    locale, skip, settings = _english()
    translated, original = locale.translate_search(text, settings=settings)
    out = []
    for chunk, words in zip(translated, original, strict=True):
        if not candidate.search(words):
            continue  # nothing found in it can be a candidate, and chunks are parsed apart
        expression = words.strip(_STRIPPED)
        if not _CHUNK.fullmatch(chunk) or not _possible_day(chunk) or not _PLAIN.fullmatch(expression) \
                or expression.rsplit(" ", 1)[-1].lower() in skip or text.count(expression) != 1:
            return UNKNOWN
        if candidate.search(expression):
            out.append((expression, text.find(expression)))
    return out


def _possible_day(chunk: str) -> bool:
    """Whether a chunk's day of the month exists in every year ("january 45" is 1945 to dateparser)."""
    number = _DAY_NUMBER.search(chunk)
    if number is None or chunk.rstrip(",").endswith("ago"):
        return True
    month = next(MONTHS[word] for word in chunk.rstrip(",").split() if word in MONTHS)
    return 1 <= int(number[0]) <= monthrange(2001, month)[1]


# -- chunks found without dateparser's translation ----------------------------------------------------------

# dateparser changes the number of words of a sentence where one of these is written ("from now" -> "in"),
# which moves its words against the text's: such sentences are cut by dateparser itself.
_RESHAPING = re.compile(r"\d\s*mons?\b|\b(?:noon|midnight|tonight|now|than|morning|afternoon|evening|"
                        r"night|hours|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b|\d(?:st|nd|rd|th)\b",
                        re.I)
_WORD = re.compile(r"\S+")
_NAME = re.compile(r"[A-Za-z]+(?:[-.'][A-Za-z]+)*")  # "said", "Lip-Bu", "C.C": no digit, no edge mark
# A run of words between two that cannot belong to a date, in one of the forms read here (leading word
# optional, trailing comma kept as dateparser keeps it in the chunk).
_RUN = re.compile(
    rf"(?P<lead>(?:on|in|of|the) )?(?P<date>(?:last )?(?:{_W})|(?:{_FULL}) \d{{1,2}}(?:, {_Y})?|"
    rf"\d{{1,2}} (?:{_FULL})(?: {_Y})?|(?:{_FULL})(?: {_Y})?|{_Y})"
    r"|(?P<relative>(?:last|this) (?:week|month|year)|yesterday|today)", re.I)


def _as_chunk(relative: str) -> str:
    """A relative expression as dateparser translates it ("last week" -> "1 week ago")."""
    words = relative.lower().split()
    if len(words) == 1:
        return "1 day ago" if words[0] == "yesterday" else "0 day ago"
    return f"{'1' if words[0] == 'last' else '0'} {words[1]} ago"


@functools.lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    """Every word of dateparser's English data (its dictionary, skipped words, simplifications): a word
    outside it, with no digit, ends a chunk whatever its neighbours."""
    locale, _skip, _settings = _english()
    words: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            words.update(re.findall(r"[a-z]+", value.lower()))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(locale.info)
    return frozenset(words)


def _outside(word: str, date_words: frozenset[str]) -> bool:
    """Whether a word of the text ends any chunk of dateparser's search (a plain word it does not know)."""
    from dateparser.timezone_parser import word_is_tz

    core = word.rstrip(",.;:")
    parts = re.split(r"[-.']", core.lower())
    return bool(_NAME.fullmatch(core)) and not any(part in date_words for part in parts) \
        and not word_is_tz(core) and not word_is_tz(word)


def quick_search(text: str, candidate: re.Pattern) -> list[tuple[str, int]] | object:
    """:func:`search` without dateparser's translation of the whole sentence: each candidate's chunk is the
    run of words around it up to words dateparser cannot read as part of a date; :data:`UNKNOWN` unless
    every such run has a known form (and the sentence nothing dateparser reshapes)."""
    if not text.isascii() or _RESHAPING.search(text):
        return UNKNOWN
    date_words = _date_words()
    words = [(m.start(), m.end(), m[0]) for m in _WORD.finditer(text)]
    known: dict[int, bool] = {}

    def outside(i: int) -> bool:  # only the words next to a date are looked at
        if i not in known:
            known[i] = _outside(words[i][2], date_words)
        return known[i]

    out, done = [], -1
    for match in candidate.finditer(text):
        first = next(i for i, (_, end, _) in enumerate(words) if end > match.start())
        if first <= done:
            continue  # in a run already read
        while first > 0 and not outside(first - 1):
            first -= 1
        last = first
        while last + 1 < len(words) and not outside(last + 1):
            last += 1
        done = last
        run = text[words[first][0]:words[last][1]]
        expression = run.strip(_STRIPPED)
        found = _RUN.fullmatch(run[:-1] if run.endswith(",") else run)
        if found is None or "  " in run or not _PLAIN.fullmatch(expression) \
                or (found["relative"] and run.endswith(",")):  # "last week," is no date to dateparser
            return UNKNOWN
        chunk = (found["date"] or _as_chunk(found["relative"])).lower()
        if not _CHUNK.fullmatch(chunk) or not _possible_day(chunk) \
                or expression.rsplit(" ", 1)[-1].lower() in _english()[1] or text.count(expression) != 1:
            return UNKNOWN
        if candidate.search(expression):
            out.append((expression, text.find(expression)))
    return out
