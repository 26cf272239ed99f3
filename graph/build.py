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
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

CO_MENTION = "co_mention"

# The date of an article on the graph: its publication date, else when it was fetched.
_ARTICLE_DATE = "coalesce(a.published, a.fetched_at)"

_NODES_SQL = f"""
WITH entity_articles AS (
    SELECT entity_id, article_id FROM mentions
    UNION
    SELECT speaker_id, article_id FROM claims WHERE speaker_id IS NOT NULL
    UNION
    SELECT target_id, article_id FROM claims WHERE target_id IS NOT NULL
)
SELECT e.id, e.name, e.type, e.curated, count(*) AS article_count,
       min({_ARTICLE_DATE}) AS first_seen, max({_ARTICLE_DATE}) AS last_seen
FROM entity_articles ea
JOIN articles a ON a.id = ea.article_id AND a.duplicate_of IS NULL
JOIN entities e ON e.id = ea.entity_id
GROUP BY e.id
ORDER BY e.id
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
# read only when its start offset is unknown.
_MENTIONS_SQL = f"""
SELECT m.article_id, m.sentence_start, CASE WHEN m.sentence_start IS NULL THEN m.sentence END,
       m.entity_id, {_ARTICLE_DATE} AS date
FROM mentions m
JOIN articles a ON a.id = m.article_id AND a.duplicate_of IS NULL
ORDER BY m.article_id
"""


@dataclass
class _Pair:
    """Running totals of one co-mentioned pair."""

    sentences: int = 0
    articles: list[int] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None

    def add(self, article_id: int, date: str | None) -> None:
        self.sentences += 1
        if not self.articles or self.articles[-1] != article_id:
            self.articles.append(article_id)
        if date is not None:
            if self.first_seen is None or date < self.first_seen:
                self.first_seen = date
            if self.last_seen is None or date > self.last_seen:
                self.last_seen = date


def co_mention_pairs(rows: Iterable[tuple[int, int | None, str | None, str, str | None]]) -> dict:
    """Aggregate co-mentions from mention rows ordered by article.

    Each row is ``(article_id, sentence_start, sentence, entity_id, date)``; a sentence is identified by its
    start offset, or by its text when the offset is unknown (rows with neither are skipped). Returns
    ``{(a, b): _Pair}`` with ``a < b``.

    >>> rows = [(1, 0, "s", "nvidia", "2025-01-02"), (1, 0, "s", "deepseek", "2025-01-02"),
    ...         (1, 9, "t", "nvidia", "2025-01-02"), (1, 9, "t", "deepseek", "2025-01-02"),
    ...         (2, 0, "u", "deepseek", "2025-02-01"), (2, 0, "u", "nvidia", "2025-02-01")]
    >>> pair = co_mention_pairs(rows)[("deepseek", "nvidia")]
    >>> pair.sentences, pair.articles, pair.first_seen, pair.last_seen
    (3, [1, 2], '2025-01-02', '2025-02-01')
    """
    pairs: dict[tuple[str, str], _Pair] = {}
    current: int | None = None
    sentences: dict[object, set[str]] = {}
    date: str | None = None

    def flush() -> None:
        for entities in sentences.values():
            if len(entities) < 2:
                continue
            for a, b in combinations(sorted(entities), 2):
                pair = pairs.get((a, b))
                if pair is None:
                    pair = pairs[(a, b)] = _Pair()
                pair.add(current, date)  # type: ignore[arg-type]

    for article_id, sentence_start, sentence, entity_id, row_date in rows:
        if article_id != current:
            flush()
            current, date, sentences = article_id, row_date, {}
        key = sentence_start if sentence_start is not None else sentence
        if key is None:
            continue
        sentences.setdefault(key, set()).add(entity_id)
    flush()
    return pairs


def load_graph(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    """Read entities, claims and mentions from ``conn`` into a ``MultiDiGraph`` (see the module docstring).

    Node attributes: ``name``, ``type``, ``curated``, ``article_count``, ``first_seen``, ``last_seen``.
    Edge keys are the edge kind; edge attributes: ``kind``, ``weight``, ``first_seen``, ``last_seen``,
    ``evidence`` (list of ints) and, for co-mentions, ``articles``.
    """
    G = nx.MultiDiGraph()
    for entity_id, name, etype, curated, article_count, first_seen, last_seen in conn.execute(_NODES_SQL):
        G.add_node(entity_id, name=name, type=etype, curated=bool(curated), article_count=article_count,
                   first_seen=first_seen, last_seen=last_seen)

    claim_edges = 0
    for speaker, target, kind, weight, first_seen, last_seen, claim_ids in conn.execute(_CLAIM_EDGES_SQL):
        evidence = sorted(int(i) for i in claim_ids.split(","))
        G.add_edge(speaker, target, key=kind, kind=kind, weight=weight, first_seen=first_seen,
                   last_seen=last_seen, evidence=evidence)
        claim_edges += 1

    pairs = co_mention_pairs(conn.execute(_MENTIONS_SQL))
    for (a, b), pair in sorted(pairs.items()):
        G.add_edge(a, b, key=CO_MENTION, kind=CO_MENTION, weight=pair.sentences, articles=len(pair.articles),
                   first_seen=pair.first_seen, last_seen=pair.last_seen, evidence=sorted(pair.articles))
    log.debug("graph loaded: %d nodes, %d claim edges, %d co-mention edges",
              G.number_of_nodes(), claim_edges, len(pairs))
    return G
