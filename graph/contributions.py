"""What one article contributes to the graph, read from the extraction tables.

An article that is not a syndicated copy contributes, each with the article's date (its ``published``
value, else ``fetched_at``):

* ``entity`` rows: one per entity it names (a mention, or a claim's speaker or target, negated or not);
* ``co_mention`` rows: one per pair of entities named in the same sentence (``source_id < target_id``),
  ``weight`` the number of such sentences;
* one row per claim edge ``speaker -> target`` of a kind (negated claims, claims missing a speaker or a
  target, and self-claims make none), ``weight`` 1 and ``evidence`` the article's claim ids for it. A
  speaker that does not resolve to an entity ("a ministry spokesperson": ``speaker_id`` NULL, only
  ``speaker_text``) is a missing speaker: its claim names its target but links nobody to it. The channel a
  claim came through (``via_id``: "told Reuters") is no party to it and adds nothing.

The graph is the sum of these rows over all articles (:mod:`aiwatch.graph.totals`). They are kept in
``graph_contributions`` so that, when an article changes, its old rows can be taken back out of the
sums without rereading every other article.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import combinations, groupby
from typing import NamedTuple

from aiwatch.db import tuple_cursor

ENTITY = "entity"
CO_MENTION = "co_mention"

# The date of an article on the graph: its publication date, else when it was fetched.
_ARTICLE_DATE = "coalesce(a.published, a.fetched_at)"
# Only the articles whose graph rows may have changed (filled by triggers on articles, mentions, claims).
_PENDING_IDS = "SELECT article_id FROM graph_pending"
_PENDING_ONLY = f"AND a.id IN ({_PENDING_IDS})"

# A sentence is identified by its start offset, or by its text when the offset is unknown. CROSS JOIN keeps
# articles outermost, so rows come in article id order without a sort.
_MENTIONS_SQL = f"""
SELECT m.article_id, {_ARTICLE_DATE}, coalesce(m.sentence_start, m.sentence), m.entity_id
FROM articles a CROSS JOIN mentions m ON m.article_id = a.id
WHERE a.duplicate_of IS NULL {{only}}
ORDER BY a.id
"""
_CLAIMS_SQL = f"""
SELECT c.article_id, {_ARTICLE_DATE}, c.id, c.speaker_id, c.target_id, c.kind, c.negated
FROM articles a CROSS JOIN claims c ON c.article_id = a.id
WHERE a.duplicate_of IS NULL AND (c.speaker_id IS NOT NULL OR c.target_id IS NOT NULL) {{only}}
"""


_KEY_INDEX = "idx_graph_contributions_key"  # (kind, source_id, target_id, date), for date_range


class Contribution(NamedTuple):
    """One ``graph_contributions`` row."""

    article_id: int
    kind: str
    source_id: str
    target_id: str  # '' for an entity row
    weight: int
    date: str | None
    evidence: str | None  # claim edges: the article's claim ids, comma-separated

    @property
    def key(self) -> tuple[str, str, str]:
        """What the row adds to: ``(kind, source_id, target_id)``."""
        return self.kind, self.source_id, self.target_id


Claim = tuple[int, str | None, str | None, str, int]  # (claim id, speaker, target, kind, negated)


def sentence_pairs(sentences: Iterable[set[str]]) -> dict[tuple[str, str], int]:
    """``{(a, b): number of sentences naming both}`` with ``a < b``.

    >>> sentence_pairs([{"nvidia", "deepseek"}, {"deepseek", "nvidia", "us-bis"}, {"china"}])
    {('deepseek', 'nvidia'): 2, ('deepseek', 'us-bis'): 1, ('nvidia', 'us-bis'): 1}
    """
    pairs: dict[tuple[str, str], int] = {}
    for entities in sentences:
        size = len(entities)
        if size < 2:
            continue
        if size == 2:  # the common case, without sorting
            a, b = entities
            pair = (a, b) if a < b else (b, a)
            pairs[pair] = pairs.get(pair, 0) + 1
            continue
        for pair in combinations(sorted(entities), 2):
            pairs[pair] = pairs.get(pair, 0) + 1
    return dict(sorted(pairs.items()))


def article_contributions(article_id: int, date: str | None,
                          mentions: Iterable[tuple[int | str | None, str]],
                          claims: Iterable[Claim] = ()) -> list[Contribution]:
    """The rows one article contributes; ``mentions`` are ``(sentence key, entity id)`` pairs.

    >>> rows = article_contributions(7, "2025-01-29", [(0, "openai"), (0, "deepseek"), (None, "nvidia")],
    ...                              [(41, "openai", "deepseek", "accusation", 0),
    ...                               (42, "deepseek", "openai", "denial", 1)])
    >>> for row in rows:
    ...     print(row.kind, row.source_id, row.target_id or "-", row.weight, row.evidence)
    entity deepseek - 1 None
    entity nvidia - 1 None
    entity openai - 1 None
    co_mention deepseek openai 1 None
    accusation openai deepseek 1 41
    """
    named: set[str] = set()
    sentences: dict[int | str, set[str]] = {}
    for key, entity_id in mentions:
        named.add(entity_id)
        if key is not None:
            members = sentences.get(key)
            if members is None:
                sentences[key] = {entity_id}
            else:
                members.add(entity_id)
    edges: dict[tuple[str, str, str], list[int]] = {}
    for claim_id, speaker, target, kind, negated in claims:
        named.update(e for e in (speaker, target) if e is not None)
        if negated or speaker is None or target is None or speaker == target:
            continue
        edges.setdefault((speaker, target, kind), []).append(claim_id)
    rows = [Contribution(article_id, ENTITY, entity_id, "", 1, date, None) for entity_id in sorted(named)]
    rows += [Contribution(article_id, CO_MENTION, a, b, count, date, None)
             for (a, b), count in sentence_pairs(sentences.values()).items()]
    rows += [Contribution(article_id, kind, speaker, target, 1, date, ",".join(map(str, sorted(ids))))
             for (speaker, target, kind), ids in sorted(edges.items())]
    return rows


def read_contributions(conn: sqlite3.Connection, *,
                       pending_only: bool = False) -> Iterator[list[Contribution]]:
    """Each article's rows, computed from ``articles``, ``mentions`` and ``claims``, one article at a time.

    ``pending_only`` restricts it to the articles listed in ``graph_pending``; articles that are gone or
    are now syndicated copies yield nothing. Claims are read into memory (they are ~10x fewer than
    mentions); mentions are streamed in article order.
    """
    only = _PENDING_ONLY if pending_only else ""
    claims: dict[int, tuple[str | None, list[Claim]]] = {}
    for article_id, date, claim_id, speaker, target, kind, negated in tuple_cursor(conn).execute(
            _CLAIMS_SQL.format(only=only)):
        claims.setdefault(article_id, (date, []))[1].append((claim_id, speaker, target, kind, negated))
    rows = tuple_cursor(conn).execute(_MENTIONS_SQL.format(only=only))
    for article_id, group in groupby(rows, key=lambda row: row[0]):
        rows_of_article = list(group)
        date = rows_of_article[0][1]
        mentions = [(row[2], row[3]) for row in rows_of_article]
        article_claims = claims.pop(article_id, (date, []))[1]
        yield article_contributions(article_id, date, mentions, article_claims)
    for article_id, (date, article_claims) in sorted(claims.items()):  # articles with claims only
        yield article_contributions(article_id, date, (), article_claims)


def stored_contributions(conn: sqlite3.Connection) -> list[Contribution]:
    """The rows the last graph build holds for the articles in ``graph_pending``."""
    return [Contribution(*row) for row in tuple_cursor(conn).execute(
        "SELECT article_id, kind, source_id, target_id, weight, date, evidence FROM graph_contributions"
        f" WHERE article_id IN ({_PENDING_IDS}) ORDER BY article_id")]


def pending_count(conn: sqlite3.Connection) -> int:
    """How many articles changed since the last graph build."""
    return conn.execute("SELECT count(*) FROM graph_pending").fetchone()[0]


def delete_contributions(conn: sqlite3.Connection, *, pending_only: bool) -> None:
    """Delete the stored rows of the articles in ``graph_pending`` (or all stored rows)."""
    only = f" WHERE article_id IN ({_PENDING_IDS})" if pending_only else ""
    conn.execute(f"DELETE FROM graph_contributions{only}")


def insert_contributions(conn: sqlite3.Connection, rows: Iterable[Contribution]) -> None:
    """Store ``rows`` in ``graph_contributions``."""
    conn.executemany("INSERT INTO graph_contributions (article_id, kind, source_id, target_id, weight, date,"
                     " evidence) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


@contextmanager
def bulk_load(conn: sqlite3.Connection) -> Iterator[None]:
    """Insert many rows without maintaining the key index row by row; it is rebuilt (sorted) at the end."""
    (create,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                             (_KEY_INDEX,)).fetchone()
    conn.execute(f"DROP INDEX {_KEY_INDEX}")
    yield
    conn.execute(create)


def date_range(conn: sqlite3.Connection, key: tuple[str, str, str]) -> tuple[str | None, str | None]:
    """Earliest and latest date of the stored rows adding to ``key`` (two index seeks)."""
    where = "WHERE kind = ? AND source_id = ? AND target_id = ?"
    first = conn.execute(f"SELECT min(date) FROM graph_contributions {where}", key).fetchone()[0]
    last = conn.execute(f"SELECT max(date) FROM graph_contributions {where}", key).fetchone()[0]
    return first, last

