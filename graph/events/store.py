"""Reading the claims events are made of, and writing events, reports, parties, threads and stories.

Plain functions over a :mod:`sqlite3` connection; :mod:`aiwatch.graph.events.pipeline` calls them inside
one transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator

from aiwatch.graph.events.dates import EventDate, resolve_date
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


_ORDER = " ORDER BY c.article_id, c.start_char, c.id"


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
               texts: dict[int, str]) -> list[ClaimRow]:
    """``CLAIM_SQL`` rows as :class:`ClaimRow`, dated from ``cached`` or resolved now (with ``texts``,
    article texts by id, read on demand)."""
    out = []
    for row in rows:
        claim_id, article_id = row[0], row[1]
        date = cached.get(claim_id)
        if date is None:
            text = texts.get(article_id)
            if text is None and article_id not in texts:
                found = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
                text = texts[article_id] = found[0] if found else None
            cue, content = _sentence_offsets(text, row)
            if row[2] in ACTS:
                content = None  # "restricted sales in October 2022": an act's content dates the act itself
            date = resolve_date(row[9], row[14], cue=cue, content=content)
        out.append(ClaimRow(claim_id, article_id, row[2], speaker_key(article_id, row[3], row[4]), row[3],
                            row[4], target_key(row[6], row[7]), row[8], row[9], row[14], date,
                            None if row[6] else " ".join((row[7] or "").split()) or None,
                            row[10] or 0))
    return out


def group_claims(conn: sqlite3.Connection, groups: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list]:
    """Every claim row of each group (kind, speaker key)."""
    out: dict[tuple[str, str], list] = {}
    cur = tuple_cursor(conn)
    for kind, key in groups:
        if key.startswith("article:"):
            article_id = int(key.split(":", 2)[1])
            where = "c.article_id = ? AND c.kind = ? AND c.speaker_id IS NULL"
            rows = cur.execute(CLAIM_SQL.format(where=where) + _ORDER,
                               (article_id, kind)).fetchall()
            rows = [r for r in rows if speaker_key(r[1], r[3], r[4]) == key]
        else:
            rows = cur.execute(CLAIM_SQL.format(where="c.speaker_id = ? AND c.kind = ?") + _ORDER,
                               (key, kind)).fetchall()
        out[(kind, key)] = rows
    return out


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


def old_events(conn: sqlite3.Connection,
               groups: Iterable[tuple[str, str]]
               ) -> dict[tuple[str, str], dict[int, tuple[set[str], set[int]]]]:
    """The stored events of each group with the sentence (unit) keys and the claim ids of their claims (to
    keep ids stable and leave unchanged events alone)."""
    out: dict[tuple[str, str], dict[int, tuple[set[str], set[int]]]] = {}
    for kind, key in groups:
        mine = out[(kind, key)] = {}
        for event_id, unit, claim_id in conn.execute(
                "SELECT e.id, ec.unit_key, ec.claim_id FROM events e "
                "LEFT JOIN event_claims ec ON ec.event_id = e.id WHERE e.kind = ? AND e.speaker_key = ?",
                (kind, key)):
            units, claims = mine.setdefault(event_id, (set(), set()))
            if unit:
                units.add(unit)
                claims.add(claim_id)
    return out


def touched_groups(conn: sqlite3.Connection, articles: list[int]) -> set[tuple[str, str]]:
    """Groups whose claims were in, or are in, the ``articles``."""
    groups: set[tuple[str, str]] = set()
    cur = tuple_cursor(conn)
    for part in chunks(articles):
        groups |= {(k, s) for k, s in cur.execute(
            "SELECT DISTINCT e.kind, e.speaker_key FROM event_claims ec JOIN events e ON e.id = ec.event_id "
            f"WHERE ec.article_id IN ({marks(part)})", part)}
        for row in cur.execute(CLAIM_SQL.format(where=f"c.article_id IN ({marks(part)})"), part):
            groups.add(group_of(row))
    return groups


def write_claims(conn: sqlite3.Connection, event_id: int, claims: list[ClaimRow]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO event_claims (claim_id, event_id, article_id, unit_key, date_value, "
        "date_precision, date_source, date_expression) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.claim_id, event_id, c.article_id, unit_key(c.article_id, c.sentence),
          c.date.value if c.date else None, c.date.precision if c.date else None,
          c.date.source if c.date else None, c.date.expression if c.date else None) for c in claims])


def json_list(values: Iterable[str]) -> str:
    return json.dumps(sorted(values))
