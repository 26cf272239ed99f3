"""Reading the claims events are made of, and writing events, reports, parties, threads and stories.

Plain functions over a :mod:`sqlite3` connection; :mod:`aiwatch.graph.events.pipeline` calls them inside
one transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator

from aiwatch.graph.events.dates import EventDate, mentions_date, resolve_date
from aiwatch.graph.events.grouping import ClaimRow, unit_key

from aiwatch.db import tuple_cursor
from aiwatch.views import iso_date_sql

_CHUNK = 500
ACTS = ("policy_action", "announcement")  # kinds whose content is the act, not what someone says of one

# Claims that can report an act: not negated. Copies (duplicate_of set) count as reports of their own. The
# article's date is its publication date only: an undated article never dates an act by when it was fetched.
CLAIM_SQL = """
SELECT c.id, c.article_id, c.kind, c.speaker_id, c.speaker_text, c.speaker_kind, c.target_id, c.target_text,
       c.topic, c.sentence, c.start_char, c.cue_start, c.content_start, c.content_end,
       {PUBLISHED}
FROM claims c JOIN articles a ON a.id = c.article_id
WHERE c.negated = 0 AND {where}
""".replace("{PUBLISHED}", iso_date_sql("a.published"))



def chunks(values: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def marks(values: list) -> str:
    return ",".join("?" * len(values))


def _norm(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


def speaker_key(article_id: int, speaker_id: str | None, speaker_text: str | None) -> str:
    """The group a claim's speaker falls in: its entity id; an unresolved speaker only within its article.

    >>> speaker_key(7, "openai", "the company"), speaker_key(7, None, "A ministry spokesperson")
    ('openai', 'article:7:a ministry spokesperson')
    """
    if speaker_id:
        return speaker_id
    return f"article:{article_id}:{_norm(speaker_text)}"


def target_key(target_id: str | None, target_text: str | None) -> str | None:
    if target_id:
        return target_id
    text = _norm(target_text)
    return f"text:{text}" if text else None


def group_of(row: tuple) -> tuple[str, str]:
    """(kind, speaker key) of a ``CLAIM_SQL`` row."""
    return row[2], speaker_key(row[1], row[3], row[4])


def _sentence_offsets(text: str | None, row: tuple) -> tuple[int | None, tuple[int, int] | None]:
    """The cue offset and content span relative to the claim's sentence, when the article text places it."""
    sentence, start, cue, c0, c1 = row[9], row[10], row[11], row[12], row[13]
    if not text or start is None:
        return None, None
    begin = text.find(sentence, max(0, start - len(sentence)))
    if begin < 0 or begin > start:
        return None, None
    cue_at = cue - begin if cue is not None else None
    content = (c0 - begin, c1 - begin) if c0 is not None and c1 is not None else None
    return cue_at, content


def claim_rows(conn: sqlite3.Connection, rows: list[tuple], cached: dict[int, EventDate],
               texts: dict[int, str | None], memo: dict[tuple, EventDate | None] | None = None
               ) -> list[ClaimRow]:
    """``CLAIM_SQL`` rows as :class:`ClaimRow`, dated from ``cached`` or resolved now (with ``texts``,
    article texts by id, read on demand, and ``memo``, dates resolved before in this update by sentence,
    day and offsets: dateparser is slow, and a sentence with several targets is one date)."""
    out = []
    memo = {} if memo is None else memo
    for row in rows:
        claim_id, article_id = row[0], row[1]
        date = cached.get(claim_id)
        if date is None:
            if not mentions_date(row[9]):
                date = resolve_date(row[9], row[14])  # no date expression: the article's day, no text read
            else:
                if article_id not in texts:
                    found = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
                    texts[article_id] = found[0] if found else None
                cue, content = _sentence_offsets(texts[article_id], row)
                if row[2] in ACTS:
                    content = None  # "restricted sales in October 2022": an act's content dates the act
                key = (row[9], (row[14] or "")[:10], cue, content)
                if key not in memo:
                    memo[key] = resolve_date(row[9], row[14], cue=cue, content=content)
                date = memo[key]
        out.append(ClaimRow(claim_id, article_id, row[2], speaker_key(article_id, row[3], row[4]), row[3],
                            row[4], target_key(row[6], row[7]), row[8], row[9], row[14], date,
                            None if row[6] else " ".join((row[7] or "").split()) or None,
                            row[10] or 0))
    return out


def all_groups(conn: sqlite3.Connection) -> Iterator[tuple[tuple[str, str], list[tuple]]]:
    """Every group (kind, speaker key) with its claim rows in article and text order, one group at a time
    (a full rebuild reads the claims once; a speaker that is no entity is a group within its article)."""
    block: list[tuple] = []
    block_key = None
    for row in tuple_cursor(conn).execute(CLAIM_SQL.format(where="1") +
                                          " ORDER BY c.kind, c.speaker_id, c.article_id, c.start_char, c.id"):
        key = (row[2], row[3]) if row[3] is not None else (row[2], None, row[1])
        if key != block_key and block:
            yield from _by_group(block).items()
            block = []
        block_key = key
        block.append(row)
    if block:
        yield from _by_group(block).items()


def _by_group(rows: Iterable[tuple]) -> dict[tuple[str, str], list[tuple]]:
    out: dict[tuple[str, str], list[tuple]] = {}
    for row in rows:
        out.setdefault(group_of(row), []).append(row)
    return out


def article_rows(conn: sqlite3.Connection, articles: list[int]) -> dict[tuple[str, str], list[tuple]]:
    """The claim rows of ``articles`` by group."""
    cur = tuple_cursor(conn)
    rows: list[tuple] = []
    for part in chunks(articles):
        rows += cur.execute(CLAIM_SQL.format(where=f"c.article_id IN ({marks(part)})"), part).fetchall()
    return _by_group(rows)


def event_rows(conn: sqlite3.Connection, event_ids: list[int], skip: set[int]) -> list[tuple]:
    """The claim rows of the stored events ``event_ids``, but for those of the articles in ``skip``."""
    cur = tuple_cursor(conn)
    out: list[tuple] = []
    for part in chunks(event_ids):
        where = f"c.id IN (SELECT claim_id FROM event_claims WHERE event_id IN ({marks(part)}))"
        out += [r for r in cur.execute(CLAIM_SQL.format(where=where), part) if r[1] not in skip]
    return out


def member_events(conn: sqlite3.Connection, articles: list[int]) -> dict[tuple[str, str], set[int]]:
    """The stored events with claims of ``articles``, by group."""
    out: dict[tuple[str, str], set[int]] = {}
    for part in chunks(articles):
        for event_id, kind, key in conn.execute(
                "SELECT DISTINCT e.id, e.kind, e.speaker_key FROM event_claims ec JOIN events e "
                f"ON e.id = ec.event_id WHERE ec.article_id IN ({marks(part)})", part):
            out.setdefault((kind, key), set()).add(event_id)
    return out


def events_meeting(conn: sqlite3.Connection, group: tuple[str, str], lo: str,
                   hi: str) -> list[tuple[int, set[str]]]:
    """The stored events of ``group`` whose span (``span_start`` to ``span_end``) meets the days ``lo`` to
    ``hi`` (ISO), with their target entity ids."""
    return [(r[0], set(json.loads(r[1]))) for r in conn.execute(
        "SELECT id, target_ids FROM events WHERE kind = ? AND speaker_key = ? AND span_end >= ? "
        "AND span_start <= ?", (*group, lo, hi))]


def cached_dates(conn: sqlite3.Connection, claim_ids: list[int],
                 stale_articles: set[int]) -> dict[int, EventDate]:
    """Dates resolved before for ``claim_ids`` (articles whose date may have changed excluded)."""
    out: dict[int, EventDate] = {}
    for part in chunks(claim_ids):
        for claim_id, article_id, value, precision, source, expression in conn.execute(
                "SELECT claim_id, article_id, date_value, date_precision, date_source, date_expression "
                f"FROM event_claims WHERE claim_id IN ({marks(part)})", part):
            if article_id not in stale_articles and value is not None:
                out[claim_id] = EventDate(value, precision, source, expression)
    return out


def old_events(conn: sqlite3.Connection, event_ids: Iterable[int]) -> dict[int, tuple[set[str], set[int]]]:
    """Stored events with the sentence (unit) keys and the ids of their claims (to keep ids stable and leave
    unchanged events alone)."""
    out: dict[int, tuple[set[str], set[int]]] = {}
    for part in chunks(sorted(event_ids)):
        out.update((event_id, (set(), set())) for event_id in part)
        for event_id, unit, claim_id in conn.execute(
                f"SELECT event_id, unit_key, claim_id FROM event_claims WHERE event_id IN ({marks(part)})",
                part):
            out[event_id][0].add(unit)
            out[event_id][1].add(claim_id)
    return out


def claim_values(event_id: int, claims: list[ClaimRow]) -> list[tuple]:
    """``event_claims`` rows of ``claims`` in ``event_id`` (in ``EVENT_CLAIMS_SQL`` order)."""
    return [(c.claim_id, event_id, c.article_id, unit_key(c.article_id, c.sentence),
             c.date.value if c.date else None, c.date.precision if c.date else None,
             c.date.source if c.date else None, c.date.expression if c.date else None) for c in claims]


EVENT_CLAIMS_SQL = ("INSERT OR REPLACE INTO event_claims (claim_id, event_id, article_id, unit_key, "
                    "date_value, date_precision, date_source, date_expression) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def json_list(values: Iterable[str]) -> str:
    return json.dumps(sorted(values))
