"""Sum article contributions into node and edge totals, and move those totals when articles change.

A total per ``(kind, source_id, target_id)`` key: ``weight`` (the sum of the rows' weights: articles for an
entity or a claim edge, sentences for a co-mention), the first and last date, and the evidence (the article
ids of a co-mention, the claim ids of a claim edge; none for an entity). Adding the rows of every article
(:func:`fold`) and moving stored totals by the rows that changed (:func:`apply_changes`) give the same
totals; only the dates of a key that lost a row cannot be moved and must be re-read from the stored rows.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aiwatch.graph.contributions import CO_MENTION, ENTITY, Contribution

Key = tuple[str, str, str]


@dataclass(slots=True)
class Total:
    """The sum of the contributions to one node or edge."""

    weight: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    evidence: list[int] = field(default_factory=list)

    def widen(self, date: str | None) -> None:
        """Stretch the date range to cover ``date``."""
        if date is None:
            return
        if self.first_seen is None or date < self.first_seen:
            self.first_seen = date
        if self.last_seen is None or date > self.last_seen:
            self.last_seen = date


def evidence_of(row: Contribution) -> list[int]:
    """The ids a row adds to its total's evidence.

    >>> evidence_of(Contribution(7, "accusation", "openai", "deepseek", 1, None, "41,43"))
    [41, 43]
    """
    if row.kind == ENTITY:
        return []
    if row.kind == CO_MENTION:
        return [row.article_id]
    return [int(i) for i in row.evidence.split(",")] if row.evidence else []


def fold(articles: Iterable[Iterable[Contribution]]) -> dict[Key, Total]:
    """Totals of all ``articles``' rows, evidence sorted.

    >>> rows = [[Contribution(2, "co_mention", "a", "b", 2, "2025-02-01", None)],
    ...         [Contribution(1, "co_mention", "a", "b", 1, "2025-01-05", None)]]
    >>> fold(rows)[("co_mention", "a", "b")]
    Total(weight=3, first_seen='2025-01-05', last_seen='2025-02-01', evidence=[1, 2])
    """
    totals: dict[Key, Total] = {}
    for rows in articles:
        for row in rows:
            total = totals.get(row.key)
            if total is None:
                total = totals[row.key] = Total()
            total.weight += row.weight
            total.widen(row.date)
            if row.kind != ENTITY:
                total.evidence.extend(evidence_of(row))
    for total in totals.values():
        total.evidence.sort()
    return totals


def apply_changes(totals: dict[Key, Total], removed: Iterable[Contribution],
                  added: Iterable[Contribution]) -> set[Key]:
    """Move ``totals`` (stored totals of every key the rows touch) by the changed articles' rows.

    Totals left with no weight are deleted. Returns the keys that lost a row: their dates may have
    shrunk and must be re-read (see :func:`aiwatch.graph.contributions.date_range`).

    >>> totals = {("entity", "a", ""): Total(2, "2025-01-01", "2025-03-01")}
    >>> old = [Contribution(5, "entity", "a", "", 1, "2025-03-01", None)]
    >>> new = [Contribution(5, "entity", "a", "", 1, "2025-02-01", None)]
    >>> apply_changes(totals, old, new), totals[("entity", "a", "")].weight
    ({('entity', 'a', '')}, 2)
    """
    shrunk: set[Key] = set()
    for row in removed:
        total = totals[row.key]
        total.weight -= row.weight
        for item in evidence_of(row):
            index = bisect_left(total.evidence, item)
            if index < len(total.evidence) and total.evidence[index] == item:
                del total.evidence[index]
        shrunk.add(row.key)
    for row in added:
        total = totals.get(row.key)
        if total is None:
            total = totals[row.key] = Total()
        total.weight += row.weight
        for item in evidence_of(row):
            if not total.evidence or item > total.evidence[-1]:
                total.evidence.append(item)  # new articles have the highest ids
            else:
                insort(total.evidence, item)
        if row.key not in shrunk:
            total.widen(row.date)
    for key in [k for k, total in totals.items() if total.weight <= 0]:
        del totals[key]
    return shrunk


def touched_keys(*rows: Iterable[Contribution]) -> set[Key]:
    """Every key the given rows add to."""
    return {row.key for group in rows for row in group}


def split(totals: Mapping[Key, Total]) -> tuple[dict[str, Total], dict[Key, Total]]:
    """``(nodes by entity id, edges by key)``."""
    nodes = {key[1]: total for key, total in totals.items() if key[0] == ENTITY}
    edges = {key: total for key, total in totals.items() if key[0] != ENTITY}
    return nodes, edges
