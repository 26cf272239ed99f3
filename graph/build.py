"""Build the dispute knowledge graph from the extraction tables.

Nodes are entities with at least one mention or claim in a non-duplicate article. Edges are:

* claim edges ``speaker -> target`` keyed by the claim kind (``accusation``, ``denial``, ...): ``weight`` is
  the number of distinct articles stating it, ``evidence`` the sorted claim ids. Negated claims, claims
  missing a speaker or a target, and self-claims (speaker == target) make no edge.
* co-mention edges between entities named in the same sentence, stored once with ``source < target`` and
  key ``co_mention``: ``weight`` is the number of distinct sentences, ``articles`` the number of distinct
  articles, ``evidence`` the sorted article ids.

Syndicated copies (``articles.duplicate_of IS NOT NULL``) are left out everywhere, so republishing a story
never inflates a weight or an article count. Dates are the article's ``published`` value (falling back to
``fetched_at`` when the publication date is unknown); ``first_seen``/``last_seen`` are the earliest and
latest of them.

The build reads each table once with grouped SQL and one ordered pass over mentions, so its cost is linear
in claims + mentions (pairs within one sentence are quadratic only in the entities of that sentence).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

CO_MENTION = "co_mention"

# The date of an article on the graph: its publication date, else when it was fetched.
_ARTICLE_DATE = "coalesce(a.published, a.fetched_at)"

# Speakers and targets per article, for node article counts (negated claims count: the entity is named).
_CLAIM_ENTITIES_SQL = f"""
SELECT c.article_id, {_ARTICLE_DATE} AS date, c.speaker_id, c.target_id
FROM articles a CROSS JOIN claims c ON c.article_id = a.id
WHERE a.duplicate_of IS NULL AND (c.speaker_id IS NOT NULL OR c.target_id IS NOT NULL)
"""

_CLAIM_EDGES_SQL = f"""
SELECT c.speaker_id, c.target_id, c.kind, count(DISTINCT c.article_id) AS weight,
       min({_ARTICLE_DATE}) AS first_seen, max({_ARTICLE_DATE}) AS last_seen,
       group_concat(c.id) AS claim_ids
FROM claims c
JOIN articles a ON a.id = c.article_id AND a.duplicate_of IS NULL
WHERE c.negated = 0 AND c.speaker_id IS NOT NULL AND c.target_id IS NOT NULL
  AND c.speaker_id != c.target_id
GROUP BY c.speaker_id, c.target_id, c.kind
ORDER BY c.speaker_id, c.target_id, c.kind
"""

# Ordered by article so one article's sentences are grouped in memory at a time; the sentence text is
# read only when its start offset is unknown. CROSS JOIN keeps articles outermost, so rows come in id order
# without a sort.
_MENTIONS_SQL = f"""
SELECT m.article_id, m.sentence_start, CASE WHEN m.sentence_start IS NULL THEN m.sentence END,
       m.entity_id, {_ARTICLE_DATE} AS date
FROM articles a CROSS JOIN mentions m ON m.article_id = a.id
WHERE a.duplicate_of IS NULL
ORDER BY a.id
"""


@dataclass
class _Pair:
    """Running totals of one co-mentioned pair."""

    sentences: int = 0
    articles: list[int] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None


def co_mention_pairs(rows: Iterable[tuple[int, int | None, str | None, str, str | None]],
                     seen: dict[str, list] | None = None,
                     claim_entities: Mapping[int, tuple[str | None, set[str]]] | None = None) -> dict:
    """Aggregate co-mentions from mention rows ordered by article.

    Each row is ``(article_id, sentence_start, sentence, entity_id, date)``; a sentence is identified by its
    start offset, or by its text when the offset is unknown (such rows without either still count for
    ``seen`` but pair with nothing). Returns ``{(a, b): _Pair}`` with ``a < b``. Pairs are counted per
    article first, so the totals are updated once per pair and article rather than once per sentence.

    If ``seen`` is given, it is filled with ``entity -> [article_count, first_seen, last_seen]`` over the
    mentioned entities plus ``claim_entities`` (``article_id -> (date, entity ids)``: speakers and targets).

    >>> rows = [(1, 0, "s", "nvidia", "2025-01-02"), (1, 0, "s", "deepseek", "2025-01-02"),
    ...         (1, 9, "t", "nvidia", "2025-01-02"), (1, 9, "t", "deepseek", "2025-01-02"),
    ...         (2, 0, "u", "deepseek", "2025-02-01"), (2, 0, "u", "nvidia", "2025-02-01")]
    >>> seen = {}
    >>> pair = co_mention_pairs(rows, seen, {3: ("2025-03-05", {"us-bis", "nvidia"})})[("deepseek", "nvidia")]
    >>> pair.sentences, pair.articles, pair.first_seen, pair.last_seen
    (3, [1, 2], '2025-01-02', '2025-02-01')
    >>> seen["nvidia"], seen["us-bis"]
    ([3, '2025-01-02', '2025-03-05'], [1, '2025-03-05', '2025-03-05'])
    """
    pairs: dict[tuple[str, str], _Pair] = {}
    pending = dict(claim_entities or {})
    current: int | None = None
    date: str | None = None
    sentences: dict[object, set[str]] = {}
    named: set[str] = set()

    def flush() -> None:
        if current is None:
            return
        in_article: dict[tuple[str, str], int] = {}
        for entities in sentences.values():
            size = len(entities)
            if size < 2:
                continue
            if size == 2:  # the common case, without sorting
                a, b = entities
                pair = (a, b) if a < b else (b, a)
                in_article[pair] = in_article.get(pair, 0) + 1
                continue
            for pair in combinations(sorted(entities), 2):
                in_article[pair] = in_article.get(pair, 0) + 1
        for pair, count in in_article.items():
            totals = pairs.get(pair)
            if totals is None:
                pairs[pair] = _Pair(count, [current], date, date)
                continue
            totals.sentences += count
            totals.articles.append(current)
            totals.first_seen, totals.last_seen = _widen(totals.first_seen, totals.last_seen, date)
        if seen is not None:
            extra = pending.pop(current, None)
            _see(seen, named | extra[1] if extra else named, date)

    for article_id, sentence_start, sentence, entity_id, row_date in rows:
        if article_id != current:
            flush()
            current, date, sentences, named = article_id, row_date, {}, set()
        named.add(entity_id)
        key = sentence_start if sentence_start is not None else sentence
        if key is None:
            continue
        members = sentences.get(key)
        if members is None:
            sentences[key] = {entity_id}
        else:
            members.add(entity_id)
    flush()
    if seen is not None:
        for extra_date, entities in pending.values():
            _see(seen, entities, extra_date)
    return pairs


def _widen(first: str | None, last: str | None, date: str | None) -> tuple[str | None, str | None]:
    if date is None:
        return first, last
    return (date if first is None or date < first else first, date if last is None or date > last else last)


def _see(seen: dict[str, list], entities: Iterable[str], date: str | None) -> None:
    for entity in entities:
        stats = seen.get(entity)
        if stats is None:
            seen[entity] = [1, date, date]
            continue
        stats[0] += 1
        if date is not None:
            if stats[1] is None or date < stats[1]:
                stats[1] = date
            if stats[2] is None or date > stats[2]:
                stats[2] = date


def load_graph(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    """Read entities, claims and mentions from ``conn`` into a ``MultiDiGraph`` (see the module docstring).

    Node attributes: ``name``, ``type``, ``curated``, ``article_count``, ``first_seen``, ``last_seen``.
    Edge keys are the edge kind; edge attributes: ``kind``, ``weight``, ``first_seen``, ``last_seen``,
    ``evidence`` (list of ints) and, for co-mentions, ``articles``.

    All queries read one snapshot (a read transaction), so an extract run writing meanwhile cannot leave
    an edge pointing at a node the build did not see.
    """
    with snapshot(conn):
        return _load(conn)


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """A read transaction, unless the caller already holds one."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def _load(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    claim_entities: dict[int, tuple[str | None, set[str]]] = {}
    for article_id, date, speaker, target in conn.execute(_CLAIM_ENTITIES_SQL):
        entities = claim_entities.setdefault(article_id, (date, set()))[1]
        entities.update(e for e in (speaker, target) if e is not None)
    seen: dict[str, list] = {}
    pairs = co_mention_pairs(conn.execute(_MENTIONS_SQL), seen, claim_entities)

    G = nx.MultiDiGraph()
    info = {row[0]: row[1:] for row in conn.execute("SELECT id, name, type, curated FROM entities")}
    for entity_id in sorted(seen):
        article_count, first_seen, last_seen = seen[entity_id]
        name, etype, curated = info[entity_id]
        G.add_node(entity_id, name=name, type=etype, curated=bool(curated), article_count=article_count,
                   first_seen=first_seen, last_seen=last_seen)

    claim_edges = 0
    for speaker, target, kind, weight, first_seen, last_seen, claim_ids in conn.execute(_CLAIM_EDGES_SQL):
        evidence = sorted(int(i) for i in claim_ids.split(","))
        G.add_edge(speaker, target, key=kind, kind=kind, weight=weight, first_seen=first_seen,
                   last_seen=last_seen, evidence=evidence)
        claim_edges += 1

    # Rows come in article id order, so each pair's article list is already sorted.
    G.add_edges_from(
        (a, b, CO_MENTION, {"kind": CO_MENTION, "weight": pair.sentences, "articles": len(pair.articles),
                            "first_seen": pair.first_seen, "last_seen": pair.last_seen,
                            "evidence": pair.articles})
        for (a, b), pair in sorted(pairs.items()))
    log.debug("graph loaded: %d nodes, %d claim edges, %d co-mention edges",
              G.number_of_nodes(), claim_edges, len(pairs))
    return G
