"""Claims -> events: one event per real-world act, however many articles, sentences and targets report it.

Pure functions over plain rows. Claims first become *units*: the claims one sentence of one article makes with
one speaker and kind ("Anthropic accused DeepSeek, Moonshot AI and MiniMax" is one unit with three targets).
Units then join events within a *group* (same kind and speaker): a unit joins the event it is compatible with
(overlapping targets, same topic, overlapping dates), the one dated latest when several are, else starts a
new one. Units are taken oldest article first, so the earliest report founds the event.

Dates: a unit whose sentence dates the act ("on Monday", "in January 2025") covers that day, week, month or
year; an undated one covers the ``undated_window`` days up to its article's date (a report follows the act
within days; an undated mention much later is taken for a new act, not a retelling). A unit of an undated
article whose sentence gives no date either can only be placed by its parties: it joins the act its own
article reports, else the one dated event of its group sharing a named target (not one of several).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from aiwatch.graph.events.dates import EventDate, article_day, interval

PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_YEAR = 366
MAX_CANDIDATES = 50  # most recent events of a pool a unit is compared with (the latest compatible one wins)


@dataclass(frozen=True)
class ClaimRow:
    """What the events need of one claim and its article."""

    claim_id: int
    article_id: int
    kind: str
    speaker_key: str
    speaker_id: str | None
    speaker_text: str | None
    target: str | None  # entity id, or "text:<as written>" for a target with no id
    topic: str | None
    sentence: str
    published: str | None
    date: EventDate | None
    target_label: str | None = None  # the target as written, for a target with no entity id
    position: int = 0  # where the claim starts in its article (units of an article are taken in text order)


@dataclass
class Unit:
    """The claims of one sentence with one speaker and kind."""

    key: str
    article_id: int
    published: str | None
    claims: list[ClaimRow]
    targets: set[str]
    topic: str | None
    date: EventDate | None
    position: int = 0

    @property
    def named(self) -> set[str]:
        """Targets that are entities (a target only as written, "the campaigns", names no party)."""
        return {t for t in self.targets if not t.startswith("text:")}

    @property
    def span(self) -> tuple[date, date] | None:
        return self.date.interval if self.date is not None and self.date.source == "text" else None


@dataclass(eq=False)  # compared by identity: events are found in lists and sets by the object
class Event:
    """An act and the units that report it."""

    kind: str
    speaker_key: str
    units: list[Unit] = field(default_factory=list)
    targets: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # target key -> as written
    topic: str | None = None
    anchor: tuple[date, date] | None = None  # narrowest text-dated span so far
    first_day: date | None = None  # earliest report's day
    articles: set[int] = field(default_factory=set)
    order: int = 0  # creation order in its group: the last tie-break, so grouping never depends on hashing

    def add(self, unit: Unit) -> None:
        self.units.append(unit)
        self.articles.add(unit.article_id)
        self.targets |= unit.targets
        for claim in unit.claims:
            if claim.target and claim.target_label:
                self.labels.setdefault(claim.target, claim.target_label)
        self.topic = self.topic or unit.topic
        span = unit.span
        if span is not None and (self.anchor is None or span[1] - span[0] < self.anchor[1] - self.anchor[0]):
            self.anchor = span
        day = article_day(unit.published)
        if day is not None and (self.first_day is None or day < self.first_day):
            self.first_day = day

    def named(self) -> set[str]:
        return {t for t in self.targets if not t.startswith("text:")}

    def claim_ids(self) -> set[int]:
        return {c.claim_id for u in self.units for c in u.claims}


def unit_key(article_id: int, sentence: str) -> str:
    """Stable key of a sentence of an article (claim ids change on re-extraction; this does not)."""
    return f"{article_id}:{hashlib.sha1(sentence.encode()).hexdigest()[:12]}"


def units_of(claims: Iterable[ClaimRow]) -> list[Unit]:
    """Claims grouped by article, sentence, speaker and kind; oldest article first."""
    units: dict[tuple[str, str, str], Unit] = {}
    for claim in claims:
        key = unit_key(claim.article_id, claim.sentence)
        found = units.get((key, claim.speaker_key, claim.kind))
        if found is None:
            found = units[(key, claim.speaker_key, claim.kind)] = Unit(
                key, claim.article_id, claim.published, [], set(), claim.topic, claim.date, claim.position)
        found.claims.append(claim)
        if claim.target:
            found.targets.add(claim.target)
        found.topic = found.topic or claim.topic
        if claim.date is not None and _finer(claim.date, found.date):
            found.date = claim.date
        found.position = min(found.position, claim.position)
    return sorted(units.values(), key=lambda u: (u.published or "9999", u.article_id, u.position, u.key))


def _finer(a: EventDate, b: EventDate | None) -> bool:
    if b is None:
        return True
    if (a.source == "text") != (b.source == "text"):
        return a.source == "text"
    return PRECISION_RANK[a.precision] < PRECISION_RANK[b.precision]


def _unit_span(unit: Unit, undated_window: int) -> tuple[date, date] | None:
    span = unit.span
    if span is not None:
        return span
    day = article_day(unit.published)
    return (day - timedelta(days=undated_window), day) if day is not None else None


def _event_span(event: Event, undated_window: int) -> tuple[date, date] | None:
    if event.anchor is not None:
        return event.anchor
    if event.first_day is None:
        return None
    return event.first_day - timedelta(days=undated_window), event.first_day


def event_span(event: Event, undated_window: int) -> tuple[date, date] | None:
    """The days ``event``'s act can have happened, as :func:`compatible` compares them (None: undated)."""
    return _event_span(event, undated_window)


def unit_span(unit: Unit, undated_window: int) -> tuple[date, date] | None:
    """The days ``unit``'s sentence can report, as :func:`compatible` compares them (None: undated)."""
    return _unit_span(unit, undated_window)


def compatible(event: Event, unit: Unit, undated_window: int) -> bool:
    """Whether ``unit`` can report the act ``event`` is: same topic, overlapping targets and dates.

    Targets overlap when they share one; when either side names no entity (no target, or one only as
    written: "the campaigns"), a unit joins only an act its own article reports, or an accusation.
    """
    if event.topic and unit.topic and event.topic != unit.topic:
        return False
    same_article = unit.article_id in event.articles
    if not event.targets & unit.targets:
        if event.named() and unit.named:
            return False
        if not same_article and event.kind != "accusation":
            return False
    a, b = _event_span(event, undated_window), _unit_span(unit, undated_window)
    if a is None or b is None:
        return same_article
    return a[0] <= b[1] and b[0] <= a[1]


def group_events(claims: Iterable[ClaimRow], *, undated_window: int) -> list[Event]:
    """The events the claims of one group (kind and speaker) report.

    Candidates are the events sharing a target with the unit (any event of the group when the unit or the
    event names none), newest first; an event founded more than a year before the unit's span cannot
    overlap it (its span ends within a year of its first report), so the scan stops there, and after the
    ``MAX_CANDIDATES`` newest of each pool (a prolific speaker's older acts against the same party are not
    searched for a retelling).
    """
    events: list[Event] = []
    by_target: dict[str, list[Event]] = {}
    unnamed: list[Event] = []  # events naming no entity yet
    for unit in units_of(claims):
        first = unit.claims[0]
        span = _unit_span(unit, undated_window)
        horizon = span[0] - timedelta(days=_YEAR) if span else None
        pools = [by_target.get(t, []) for t in sorted(unit.named)] + [unnamed] if unit.named else [events]
        best, best_rank = None, None
        for pool in pools:
            for seen, event in enumerate(reversed(pool)):
                if seen >= MAX_CANDIDATES or (horizon is not None and event.first_day is not None
                                              and event.first_day < horizon):
                    break
                if compatible(event, unit, undated_window):
                    # The act the article already reports first, then the latest.
                    rank = (unit.article_id in event.articles,
                            (_event_span(event, undated_window) or (date.min, date.min))[1], event.order)
                    if best is None or rank > best_rank:
                        best, best_rank = event, rank
        if best is None and span is None:
            best = _only_dated(unit, by_target, undated_window)
        if best is None:
            best = Event(first.kind, first.speaker_key, order=len(events))
            events.append(best)
            unnamed.append(best)
        before = best.named()
        best.add(unit)
        for t in sorted(best.named() - before):
            by_target.setdefault(t, []).append(best)
        if best.named() and not before:
            unnamed = [e for e in unnamed if e is not best] if unnamed and unnamed[-1] is not best \
                else unnamed[:-1]
    return events


def _only_dated(unit: Unit, by_target: dict[str, list[Event]], undated_window: int) -> Event | None:
    """The act an undated report (no article date, no date in its sentence) retells: the one dated event of
    its group that shares a named target with it and fits its topic; None when there are none or several
    (then it cannot tell which act it reports)."""
    found: dict[int, Event] = {}
    for target in sorted(unit.named):
        for event in by_target.get(target, []):
            if _event_span(event, undated_window) is not None and not (
                    event.topic and unit.topic and event.topic != unit.topic):
                found[id(event)] = event
                if len(found) > 1:
                    return None
    return next(iter(found.values()), None)


def event_date(event: Event) -> EventDate | None:
    """When the act happened: the finest date a report's text gives (the first report's on ties); a coarser
    one is narrowed to the first report's day when that day falls inside it; no text date: that day."""
    dated = [u for u in event.units if u.span is not None]
    first_day = event.first_day
    if not dated:
        return EventDate(first_day.isoformat(), "day", "article") if first_day else None
    best = min(dated, key=lambda u: (PRECISION_RANK[u.date.precision], u.published or "9999", u.article_id))
    found = best.date
    assert found is not None
    if found.precision != "day" and first_day is not None:
        lo, hi = interval(found.value, found.precision)
        if lo <= first_day <= hi:
            return EventDate(first_day.isoformat(), "day", "article")
    return found
