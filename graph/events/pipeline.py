"""Claim events, stories and threads as one incremental update (run by the graph stage after the graph).

Triggers list in ``events_pending`` every article whose claims, date, duplicate status, outlet or text
changed.
An update then:

1. regroups, in every *group* (kind and speaker) those articles had or have claims in, the claims of the
   changed articles with the stored events they can join or were in: the events whose span (the days the act
   can have happened, ``events.span_start`` to ``span_end``) meets the dates of the changed claims' sentences
   and that share a target with them (:mod:`.grouping`). Those events are regrouped whole, however old their
   first report; the other events of the group are left as they are, so the cost follows the changed claims
   and the news of their days, not the speaker's history. Dates resolved before are reused for the claims of
   unchanged articles, and event ids stay stable: new events are matched to the stored ones by the sentences
   they share;
2. signs the changed articles (MinHash) and links them to the articles of the same days that are copies or
   rewrites of them (:mod:`.stories`), renaming the stories those links touch;
3. recomputes the reports of the touched events: first report, reports, independent outlets, retellings;
4. recomputes the threads (:mod:`.threads`) of the accusations those events are, or could answer.

A full rebuild (``full=True``, the first update, or state from another version) reads the claims once,
group by group, and writes in batches. Grouping takes units oldest first, and a unit can only join an event
whose span meets its own, so an update whose new articles are the newest gives the same events as a rebuild
(but in a pool of more than ``grouping.MAX_CANDIDATES`` events meeting one sentence's dates, where a rebuild
compares the newest only); an article arriving out of order may, until the next rebuild, leave an event
split.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from aiwatch.graph.events import stories as st
from aiwatch.graph.events.dates import article_day, interval
from aiwatch.graph.events.grouping import Event, event_date, event_span, group_events, unit_span, units_of
from aiwatch.graph.events.linking import update_threads
from aiwatch.graph.events.store import (
    EVENT_CLAIMS_SQL,
    all_groups,
    article_rows,
    cached_dates,
    chunks,
    claim_rows,
    claim_values,
    event_rows,
    events_meeting,
    marks,
    member_events,
    old_events,
)

from aiwatch.config import default
from aiwatch.db import get_meta, set_meta, transaction, tuple_cursor
from aiwatch.runs import utcnow
from aiwatch.views import iso_date_sql

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

STATE_VERSION = "2"  # 2: events store their span; MinHash over hashed shingles
_STATE_KEY = "events_state"


@dataclass(frozen=True)
class EventSettings:
    """Windows and thresholds (settings ``events_*`` and ``story_*``; values only from their declaration,
    through :meth:`from_config`)."""

    undated_window: int
    response_window: int
    evidence_window: int
    action_window: int
    story_window: int
    copy_similarity: float
    rewrite_similarity: float

    @classmethod
    def from_config(cls, config: Any = None) -> EventSettings:
        """From a :class:`aiwatch.config.Config` (or the declared defaults when None)."""
        def get(name: str) -> Any:
            return getattr(config, name) if config is not None else default(name)

        return cls(get("events_undated_window_days"), get("events_response_window_days"),
                   get("events_evidence_window_days"), get("events_action_window_days"),
                   get("story_window_days"), get("story_copy_similarity"), get("story_rewrite_similarity"))


@dataclass
class EventStats:
    mode: str = "unchanged"
    articles: int = 0
    groups: int = 0
    claims: int = 0  # claims regrouped
    events_changed: int = 0
    events: int = 0
    accusation_events: int = 0
    threads_changed: int = 0
    stories: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "articles": self.articles, "groups": self.groups, "claims": self.claims,
                "events_changed": self.events_changed, "events": self.events,
                "accusation_events": self.accusation_events, "threads_changed": self.threads_changed,
                "stories": self.stories, "seconds": round(self.seconds, 3),
                "timings": {k: round(v, 3) for k, v in self.timings.items()}}

    def summary(self) -> str:
        return (f"events: {self.events} ({self.accusation_events} accusations), {self.stories} stories; "
                f"{self.events_changed} events and {self.threads_changed} threads updated from "
                f"{self.articles} articles ({self.mode}) in {self.seconds:.1f}s")


def update_events(conn: sqlite3.Connection, settings: EventSettings | None = None, *,
                  full: bool = False) -> EventStats:
    """Bring events, stories and threads up to date with the claims, in one write transaction."""
    settings = settings or EventSettings.from_config()
    stats = EventStats()
    start = time.perf_counter()
    wanted = json.dumps({"version": STATE_VERSION, **settings.__dict__}, sort_keys=True)
    with transaction(conn):
        state = get_meta(conn, _STATE_KEY)
        if full or state != wanted:
            stats.mode = "full"
            for table in ("thread_links", "event_threads", "event_parties", "event_reports", "event_claims",
                          "events", "story_links"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("UPDATE article_stories SET story_id = article_id")
            pending = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
        else:
            pending = [r[0] for r in conn.execute(
                "SELECT article_id FROM events_pending ORDER BY article_id")]
            stats.mode = "incremental" if pending else "unchanged"
        stats.articles = len(pending)
        if pending:
            _run(conn, pending, settings, stats, full=stats.mode == "full")
        if pending:
            conn.execute("DELETE FROM events_pending")
        if state != wanted:
            set_meta(conn, _STATE_KEY, wanted)
        stats.events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        stats.accusation_events = conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'accusation'").fetchone()[0]
        stats.stories = conn.execute("SELECT count(DISTINCT story_id) FROM article_stories").fetchone()[0]
    stats.seconds = time.perf_counter() - start
    log.debug(stats.summary())
    return stats


def _timed(stats: EventStats, name: str, mark: float) -> float:
    now = time.perf_counter()
    stats.timings[name] = stats.timings.get(name, 0.0) + now - mark
    return now


def _run(conn: sqlite3.Connection, pending: list[int], settings: EventSettings, stats: EventStats, *,
         full: bool) -> None:
    mark = time.perf_counter()
    if full:
        touched, reports_only, removed_threads = _group_all(conn, settings, stats), set(), set()
    else:
        touched, reports_only, removed_threads = _regroup(conn, pending, settings, stats)
    mark = _timed(stats, "group", mark)
    restoried = _update_stories(conn, pending, settings, full=full)
    mark = _timed(stats, "stories", mark)
    if not full:
        for part in chunks(sorted(restoried)):  # a story change moves reports, not threads
            reports_only |= {r[0] for r in conn.execute(
                f"SELECT DISTINCT event_id FROM event_claims WHERE article_id IN ({marks(part)})", part)}
        live = _existing(conn, touched | reports_only)
        touched &= live
        reports_only = (reports_only - touched) & live
    _write_reports(conn, sorted(touched | reports_only), settings)
    stats.events_changed = len(touched)
    mark = _timed(stats, "reports", mark)
    stats.threads_changed = update_threads(conn, touched, removed_threads, settings, full=full)
    _timed(stats, "threads", mark)


def _existing(conn: sqlite3.Connection, event_ids: set[int]) -> set[int]:
    found: set[int] = set()
    for part in chunks(sorted(event_ids)):
        found |= {r[0] for r in conn.execute(f"SELECT id FROM events WHERE id IN ({marks(part)})", part)}
    return found


# -- 1. grouping --------------------------------------------------------------------------------------------


_MEMO_LIMIT = 200_000  # dates remembered by sentence in one update (a rebuild forgets them past this)
_TEXTS_LIMIT = 2_000  # article texts a rebuild keeps between groups (a speaker's claims span many articles)


def _group_all(conn: sqlite3.Connection, settings: EventSettings, stats: EventStats) -> set[int]:
    """Group every claim (a full rebuild: the events tables are empty); the ids of the events written."""
    writer = _Writer(conn, settings)
    memo: dict[tuple, Any] = {}
    texts: dict[int, str | None] = {}  # article texts read for sentence offsets, shared by the groups
    order: list[tuple[tuple, int]] = []
    for _group, rows in all_groups(conn):
        stats.groups += 1
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        if len(texts) > _TEXTS_LIMIT:
            texts.clear()
        claims = claim_rows(conn, rows, {}, texts, memo)
        stats.claims += len(claims)
        for i, event in enumerate(group_events(claims, undated_window=settings.undated_window)):
            order.append(((event.kind, event.speaker_key, i), writer.add(event)))
    writer.flush()
    return _renumber(conn, order)


def _renumber(conn: sqlite3.Connection, order: list[tuple[tuple, int]]) -> set[int]:
    """Number the events a rebuild wrote (streaming the claims) by group (kind, speaker key), then as their
    group made them, as rebuilds always have: the thread rules break ties of dates by event id, so another
    order would change links. Their ids."""
    order.sort()
    mapping = [(old, new) for new, (_, old) in enumerate(order, start=1) if old != new]
    if mapping:
        conn.execute("PRAGMA defer_foreign_keys = ON")  # checked at commit, once the children moved too
        conn.execute("CREATE TEMP TABLE event_renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
        conn.executemany("INSERT INTO temp.event_renumber (old, new) VALUES (?, ?)", mapping)
        new_id = "(SELECT new FROM temp.event_renumber WHERE old = {0})"
        moved = "{0} IN (SELECT old FROM temp.event_renumber)"
        conn.execute(f"UPDATE events SET id = -{new_id.format('events.id')} WHERE {moved.format('id')}")
        conn.execute("UPDATE events SET id = -id WHERE id < 0")
        for table in ("event_claims", "event_parties"):  # through negative ids: no clash on the way
            conn.execute(f"UPDATE {table} SET event_id = -{new_id.format(f'{table}.event_id')} "
                         f"WHERE {moved.format('event_id')}")
            conn.execute(f"UPDATE {table} SET event_id = -event_id WHERE event_id < 0")
        conn.execute("DROP TABLE temp.event_renumber")
    return set(range(1, len(order) + 1))


def _regroup(conn: sqlite3.Connection, pending_ids: list[int], settings: EventSettings,
             stats: EventStats) -> tuple[set[int], set[int], set[int]]:
    """Regroup the changed articles' claims with the stored events they were in or can join (see the module
    docstring); return the ids of new or changed events, of events whose reports alone may have changed
    (same claims and fields, a changed article), and the threads that lost a member."""
    pending = set(pending_ids)
    fresh = article_rows(conn, pending_ids)
    members = member_events(conn, pending_ids)
    groups = sorted(set(fresh) | set(members))
    stats.groups = len(groups)
    writer = _Writer(conn, settings)
    texts: dict[int, str | None] = {}
    memo: dict[tuple, Any] = {}
    touched: set[int] = set()
    reports: set[int] = set()
    keep: set[int] = set()
    regrouped: set[int] = set()
    for group in groups:
        new_claims = claim_rows(conn, fresh.get(group, []), {}, texts, memo)
        window = set(members.get(group, ()))
        window |= _meeting(conn, group, new_claims, settings.undated_window)
        claims = list(new_claims)
        extra = set(window) | _undated_reach(conn, group, new_claims, window, settings.undated_window,
                                             new=True)
        while extra:  # the events an undated report can join, and theirs in turn
            window |= extra
            rows = event_rows(conn, sorted(extra), pending)
            more = claim_rows(conn, rows, cached_dates(conn, [r[0] for r in rows], pending), texts, memo)
            claims += more
            extra = _undated_reach(conn, group, more, window, settings.undated_window)
        regrouped |= window
        claims = sorted(claims, key=lambda c: (c.article_id, c.position, c.claim_id))
        stats.claims += len(claims)
        events = group_events(claims, undated_window=settings.undated_window)
        stored = old_events(conn, window)
        matched = _match(events, {eid: units for eid, (units, _) in stored.items()})
        fields = _stored_fields(conn, [eid for _, eid in matched if eid is not None])
        for event, event_id in matched:
            if event_id is not None and stored[event_id][1] == event.claim_ids() \
                    and fields.get(event_id) == _fields(event, settings):
                keep.add(event_id)  # the same claims, dates and fields: nothing to rewrite
                if {u.article_id for u in event.units} & pending:
                    reports.add(event_id)  # an article's date, outlet or duplicate status may have moved
                continue
            event_id = writer.add(event, event_id)
            keep.add(event_id)
            touched.add(event_id)
    writer.flush()
    gone = sorted(regrouped - keep)
    lost_threads: set[int] = set()
    for part in chunks(gone):
        lost_threads |= {r[0] for r in conn.execute(
            f"SELECT thread_id FROM thread_links WHERE event_id IN ({marks(part)})", part)}
        conn.execute(f"DELETE FROM events WHERE id IN ({marks(part)})", part)
    # Claims of changed articles that no longer report anything (deleted, negated now).
    for part in chunks(sorted(pending)):
        conn.execute(f"DELETE FROM event_claims WHERE article_id IN ({marks(part)}) AND claim_id NOT IN "
                     f"(SELECT id FROM claims WHERE article_id IN ({marks(part)}) AND negated = 0)",
                     part + part)
    return touched, reports - touched, lost_threads - set(gone)


def _meeting(conn: sqlite3.Connection, group: tuple[str, str], claims: list, undated_window: int) -> set[int]:
    """Stored events of ``group`` that units of ``claims`` can join: their spans meet, and they share a
    target or one of them names none (as :func:`grouping.compatible` requires)."""
    found: set[int] = set()
    for unit in units_of(claims):
        span = unit_span(unit, undated_window)
        if span is None:
            continue  # joins only the events of its own article: they hold its claims already
        named = unit.named
        found |= {event_id for event_id, targets in events_meeting(conn, group, span[0].isoformat(),
                                                                   span[1].isoformat())
                  if not named or not targets or targets & named}
    return found


def _undated_reach(conn: sqlite3.Connection, group: tuple[str, str], claims: list, window: set[int],
                   undated_window: int, *, new: bool = False) -> set[int]:
    """Stored events of ``group`` outside ``window`` that grouping reads for the undated units of ``claims``
    (no article date, no date in the sentence): such a unit joins the one dated act of its group sharing a
    target, wherever it is (``grouping._only_dated``), so up to two such acts come along (two: it joins
    neither). With ``new`` (the changed articles' claims), also the events holding undated units that share a
    target with a new dated unit: they may now have two acts to choose from."""
    units = units_of(claims)
    undated = [u for u in units if u.named and unit_span(u, undated_window) is None]
    dated = {t for u in units if u.named and unit_span(u, undated_window) is not None for t in u.named} \
        if new else set()
    found: set[int] = set()
    if undated:
        acts = [(r[0], set(json.loads(r[1])), r[2]) for r in conn.execute(
            "SELECT id, target_ids, topic FROM events WHERE kind = ? AND speaker_key = ? "
            "AND span_start IS NOT NULL ORDER BY id", group)]
        for unit in undated:
            fits = [e for e, targets, topic in acts if targets & unit.named
                    and not (topic and unit.topic and topic != unit.topic)]
            found |= set(fits[:2])
    if dated:
        found |= {r[0] for r in conn.execute(
            "SELECT DISTINCT e.id, e.target_ids FROM articles a JOIN event_claims ec ON ec.article_id = a.id "
            "JOIN events e ON e.id = ec.event_id WHERE a.published IS NULL AND e.kind = ? AND "
            "e.speaker_key = ?", group) if set(json.loads(r[1])) & dated}
    return found - window


_FIELDS = ("kind, speaker_key, speaker_id, speaker_text, target_ids, target_texts, topic, event_date, "
           "date_precision, date_source, date_expression, claims, span_start, span_end")


def _fields(event: Event, settings: EventSettings) -> tuple:
    """The ``events`` columns ``event`` sets (in ``_FIELDS`` order) and its claims' dates."""
    first = event.units[0].claims[0]
    ids = sorted(t for t in event.targets if not t.startswith("text:"))
    texts = sorted(event.labels.get(t, t[5:]) for t in event.targets if t.startswith("text:"))
    when = event_date(event)
    span = event_span(event, settings.undated_window)
    values = (event.kind, event.speaker_key, first.speaker_id, first.speaker_text, json.dumps(ids),
              json.dumps(texts), event.topic, when.value if when else None, when.precision if when else None,
              when.source if when else None, when.expression if when else None,
              sum(len(u.claims) for u in event.units),
              span[0].isoformat() if span else None, span[1].isoformat() if span else None)
    dates = tuple(sorted((c.claim_id, c.date.value if c.date else None, c.date.precision if c.date else None,
                          c.date.source if c.date else None) for u in event.units for c in u.claims))
    return values, dates


def _stored_fields(conn: sqlite3.Connection, event_ids: list[int]) -> dict[int, tuple]:
    out: dict[int, tuple] = {}
    dates: dict[int, list] = defaultdict(list)
    for part in chunks(event_ids):
        for row in conn.execute(f"SELECT claim_id, event_id, date_value, date_precision, date_source "
                                f"FROM event_claims WHERE event_id IN ({marks(part)})", part):
            dates[row[1]].append((row[0], row[2], row[3], row[4]))
        for row in conn.execute(f"SELECT id, {_FIELDS} FROM events WHERE id IN ({marks(part)})", part):
            out[row[0]] = (tuple(row[1:]), tuple(sorted(dates[row[0]])))
    return out


def _match(events: list[Event], old: dict[int, set[str]]) -> list[tuple[Event, int | None]]:
    """Pair each new event with the stored event sharing most of its sentences (each stored id used once)."""
    owner = {key: eid for eid, keys in old.items() for key in keys}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for i, e in enumerate(events):
        for key in {u.key for u in e.units}:
            if key in owner:
                counts[(i, owner[key])] += 1
    pairs = sorted(((n, i, eid) for (i, eid), n in counts.items()), reverse=True)
    chosen: dict[int, int] = {}
    used: set[int] = set()
    for overlap, i, eid in pairs:
        if overlap == 0:
            break
        if i not in chosen and eid not in used:
            chosen[i] = eid
            used.add(eid)
    return [(e, chosen.get(i)) for i, e in enumerate(events)]


class _Writer:
    """Writes events, their claims and their parties in batches; new events get ids from here."""

    _BATCH = 20_000  # claims buffered before a flush

    def __init__(self, conn: sqlite3.Connection, settings: EventSettings) -> None:
        self.conn = conn
        self.settings = settings
        self.next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
        self.written: set[int] = set()
        self._inserts: list[tuple] = []
        self._updates: list[tuple] = []
        self._claims: list[tuple] = []
        self._parties: list[tuple] = []

    def add(self, event: Event, event_id: int | None = None) -> int:
        """Store ``event`` (under ``event_id`` when it keeps one); its id."""
        values = _fields(event, self.settings)[0]
        if event_id is None:
            event_id = self.next_id
            self.next_id += 1
            self._inserts.append((event_id, *values))
        else:
            self._updates.append((*values, event_id))
        for unit in event.units:
            self._claims += claim_values(event_id, unit.claims)
        first = event.units[0].claims[0]
        day = values[7] or ""
        if first.speaker_id:
            self._parties.append((first.speaker_id, "speaker", event.kind, day, event_id, first.speaker_id))
        self._parties += [(t, "target", event.kind, day, event_id, t) for t in json.loads(values[4])]
        self.written.add(event_id)
        if len(self._claims) >= self._BATCH:
            self.flush()
        return event_id

    def flush(self) -> None:
        conn = self.conn
        updated = [u[-1] for u in self._updates]
        for part in chunks(updated):
            conn.execute(f"DELETE FROM event_claims WHERE event_id IN ({marks(part)})", part)
            conn.execute(f"DELETE FROM event_parties WHERE event_id IN ({marks(part)})", part)
        columns = [c.strip() for c in _FIELDS.split(",")]
        conn.executemany(f"INSERT INTO events (id, {_FIELDS}) VALUES (?, {marks(columns)})", self._inserts)
        conn.executemany(f"UPDATE events SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                         self._updates)
        conn.executemany(EVENT_CLAIMS_SQL, self._claims)
        conn.executemany("INSERT OR IGNORE INTO event_parties (entity_id, role, kind, event_date, event_id) "
                         "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM entities WHERE id = ?)",
                         self._parties)
        self._inserts, self._updates, self._claims, self._parties = [], [], [], []


# -- 2. stories ---------------------------------------------------------------------------------------------


def _lean(blob: bytes):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=st.SEED, hashvalues=np.frombuffer(blob, dtype=np.uint32), scheme="affine32")


def _update_stories(conn: sqlite3.Connection, pending: list[int], settings: EventSettings, *,
                    full: bool) -> set[int]:
    """Sign the changed articles, relink them, rename the stories touched; return the articles whose
    story changed."""
    cur = tuple_cursor(conn)
    before: dict[int, int] = {}
    days: dict[int, date] = {}
    for part in chunks(pending):
        before.update(cur.execute(
            f"SELECT article_id, story_id FROM article_stories WHERE article_id IN ({marks(part)})", part))
        rows = []
        for article_id, published, text in cur.execute(
                f"SELECT id, coalesce(published, fetched_at), text FROM articles WHERE id IN ({marks(part)})",
                part).fetchall():
            day = article_day(published)
            blob = st.signature(text or "")
            rows.append((article_id, before.get(article_id, article_id), day.isoformat() if day else None,
                         blob))
            if day is not None and blob is not None:
                days[article_id] = day
        conn.executemany("INSERT INTO article_stories (article_id, story_id, day, minhash) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET day = excluded.day, "
                         "minhash = excluded.minhash", rows)
        if not full:
            conn.execute(f"DELETE FROM story_links WHERE a IN ({marks(part)}) OR b IN ({marks(part)})",
                         part + part)
    # Old story-mates may be split off when a changed article leaves their story.
    affected = set(pending)
    for part in chunks(sorted({s for s in before.values()})):
        affected |= {r[0] for r in cur.execute(
            f"SELECT article_id FROM article_stories WHERE story_id IN ({marks(part)})", part)}
    by_day = sorted(days.items(), key=lambda item: item[1])
    at = 0
    for _lo, hi in _day_blocks(sorted(set(days.values())), settings.story_window):
        block = {}
        while at < len(by_day) and by_day[at][1] <= hi:
            block[by_day[at][0]] = by_day[at][1]
            at += 1
        links = _story_links(conn, block, settings)
        conn.executemany("INSERT OR REPLACE INTO story_links (a, b, similarity, reason) VALUES (?, ?, ?, ?)",
                         [(a, b, round(s, 4), r) for (a, b), (s, r) in links.items()])
        affected |= {x for pair in links for x in pair}
    return _rename_stories(conn, affected)


_BLOCK_DAYS = 30  # a rebuild links the articles of this many days at a time


def _day_blocks(days: list[date], window: int) -> list[tuple[date, date]]:
    """Sorted ``days`` cut into runs of at most ``_BLOCK_DAYS`` days; a gap longer than two windows cuts too
    (the articles between would be read for nothing).

    >>> [(a.isoformat(), b.isoformat()) for a, b in _day_blocks([date(2026, 1, 1), date(2026, 1, 2),
    ...                                                          date(2026, 3, 1)], 3)]
    [('2026-01-01', '2026-01-02'), ('2026-03-01', '2026-03-01')]
    """
    blocks: list[tuple[date, date]] = []
    for day in days:
        first, last = blocks[-1] if blocks else (day, day)
        if blocks and (day - first).days < _BLOCK_DAYS and (day - last).days <= 2 * window + 1:
            blocks[-1] = (blocks[-1][0], day)
        else:
            blocks.append((day, day))
    return blocks


def _story_links(conn: sqlite3.Connection, changed: dict[int, date],
                 settings: EventSettings) -> dict[tuple[int, int], tuple[float, str]]:
    """Copy and rewrite links of the ``changed`` articles (by day, all within one block) with the signed
    articles of their days."""
    from datasketch import MinHashLSH

    window = timedelta(days=settings.story_window)
    lo, hi = min(changed.values()) - window, max(changed.values()) + window
    wanted = {d + timedelta(days=k) for d in changed.values()
              for k in range(-settings.story_window, settings.story_window + 1)}
    signed = {}
    for a, day, blob in tuple_cursor(conn).execute(
            "SELECT article_id, day, minhash FROM article_stories WHERE day BETWEEN ? AND ? "
            "AND minhash IS NOT NULL", (lo.isoformat(), hi.isoformat())):
        if date.fromisoformat(day) in wanted:
            signed[a] = (date.fromisoformat(day), blob)
    # The signatures as one matrix (row i: article ids[i]), so a candidate's similarity and day are read at
    # once; LSH (keyed by row) finds the candidates.
    ids = list(signed)
    row = {a: i for i, a in enumerate(ids)}
    sketches = [_lean(signed[a][1]) for a in ids]
    lsh = MinHashLSH(threshold=settings.copy_similarity, num_perm=st.NUM_PERM)
    for i, sketch in enumerate(sketches):
        lsh.insert(i, sketch)
    matrix = np.stack([s.hashvalues for s in sketches]) if sketches else None
    ordinals = np.array([signed[a][0].toordinal() for a in ids], dtype=np.int64)
    events_of = _fresh_events_of(conn, {a: day for a, (day, _) in signed.items()}, settings.story_window)
    reporting: dict[int, set[int]] = defaultdict(set)
    for article_id, found in events_of.items():
        for event_id in found:
            reporting[event_id].add(article_id)
    links: dict[tuple[int, int], tuple[float, str]] = {}
    texts: dict[int, Any] = {}
    for a, day in changed.items():
        if a not in row:
            continue
        # Copies: LSH over the MinHash signatures of the same days (the estimate is MinHash's: the share of
        # equal values).
        i = row[a]
        found = np.fromiter(lsh.query(sketches[i]), dtype=np.int64)
        found = found[(found != i) & (np.abs(ordinals[found] - ordinals[i]) <= settings.story_window)]
        estimates = (matrix[found] == matrix[i]).mean(axis=1)
        for j in found[estimates >= settings.copy_similarity].tolist():
            b = ids[j]
            links[(min(a, b), max(a, b))] = (float((matrix[j] == matrix[i]).mean()), "copy")
        # Rewrites: articles of the same days first reporting an event in common, compared exactly (the
        # MinHash estimate is too coarse at these low similarities).
        for b in {b for e in events_of.get(a, ()) for b in reporting[e]} - {a}:
            pair = (min(a, b), max(a, b))
            if pair in links or abs((signed[b][0] - day).days) > settings.story_window:
                continue
            similarity = _jaccard(conn, texts, a, b)
            reason = st.link_reason(similarity, 1, copy_similarity=settings.copy_similarity,
                                    rewrite_similarity=settings.rewrite_similarity)
            if reason:
                links[pair] = (similarity, reason)
    return links


def _fresh_events_of(conn: sqlite3.Connection, days: dict[int, date], window: int) -> dict[int, set[int]]:
    """The events each article reports while they are news: dated within ``window`` days before it (an
    article retelling an older act shares no story with another retelling of it)."""
    out: dict[int, set[int]] = defaultdict(set)
    for part in chunks(sorted(days)):
        for article_id, event_id, value, precision in conn.execute(
                "SELECT DISTINCT ec.article_id, ec.event_id, e.event_date, e.date_precision "
                "FROM event_claims ec JOIN events e ON e.id = ec.event_id "
                f"WHERE ec.article_id IN ({marks(part)})", part):
            if value is None:
                continue
            lo, hi = interval(value, precision)
            if lo - timedelta(days=window) <= days[article_id] <= hi + timedelta(days=window):
                out[article_id].add(event_id)
    return out


def _jaccard(conn: sqlite3.Connection, texts: dict[int, Any], a: int, b: int) -> float:
    """Exact Jaccard similarity of two articles' word 3-shingles (``texts``: their hashes, by article)."""
    for article_id in (a, b):
        if article_id not in texts:
            row = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
            texts[article_id] = st.shingle_hashes(row[0] or "" if row else "")
    return st.jaccard(texts[a], texts[b])


def _rename_stories(conn: sqlite3.Connection, seeds: set[int]) -> set[int]:
    """Recompute the components holding ``seeds``; name each by its smallest article id. Changed articles."""
    members: set[int] = set()
    frontier = set(seeds)
    edges: set[tuple[int, int]] = set()
    while frontier:
        members |= frontier
        found: set[int] = set()
        for part in chunks(sorted(frontier)):
            for a, b in conn.execute(f"SELECT a, b FROM story_links WHERE a IN ({marks(part)}) "
                                     f"OR b IN ({marks(part)})", part + part):
                edges.add((a, b))
                found |= {a, b}
        frontier = found - members
    present: dict[int, int] = {}
    for part in chunks(sorted(members)):
        present.update(conn.execute(
            f"SELECT article_id, story_id FROM article_stories WHERE article_id IN ({marks(part)})", part))
    named = st.components(present, [(a, b) for a, b in edges if a in present and b in present])
    changed = {a for a, story_id in named.items() if present[a] != story_id}
    conn.executemany("UPDATE article_stories SET story_id = ? WHERE article_id = ?",
                     [(named[a], a) for a in sorted(changed)])
    return changed


# -- 3. reports ---------------------------------------------------------------------------------------------


def _write_reports(conn: sqlite3.Connection, event_ids: list[int], settings: EventSettings) -> None:
    """First report, reports, publisher families and retellings of the events (read and written in
    batches); an event left with no report is deleted."""
    now = utcnow()
    for part in chunks(event_ids):
        reports: dict[int, list[tuple]] = defaultdict(list)
        for row in conn.execute(
                f"""SELECT ec.event_id, ec.article_id, count(*), coalesce(a.published, a.fetched_at),
                          a.fetched_at, a.duplicate_of, lower(coalesce(a.outlet, a.source, '')),
                          coalesce(a.outlet, a.source), s.story_id, {iso_date_sql("a.published")}
                   FROM event_claims ec JOIN articles a ON a.id = ec.article_id
                   LEFT JOIN article_stories s ON s.article_id = a.id
                   WHERE ec.event_id IN ({marks(part)}) GROUP BY ec.event_id, ec.article_id""", part):
            reports[row[0]].append(row[1:])
        articles = sorted({r[0] for rows in reports.values() for r in rows})
        copies: dict[int, set[int]] = defaultdict(set)
        for sub in chunks(articles):
            for a, b in conn.execute(
                    f"SELECT a, b FROM story_links WHERE reason = 'copy' AND a IN ({marks(sub)})", sub):
                copies[a].add(b)
        first_claims: dict[tuple[int, int], tuple] = {}
        for event_id, article_id, claim_id, start in conn.execute(
                "SELECT ec.event_id, ec.article_id, c.id, c.start_char FROM event_claims ec "
                f"JOIN claims c ON c.id = ec.claim_id WHERE ec.event_id IN ({marks(part)})", part):
            key = (start is not None, start or 0, claim_id)  # as ORDER BY start_char, id: NULL first
            if first_claims.get((event_id, article_id), (key,))[0] >= key:
                first_claims[(event_id, article_id)] = (key, claim_id)
        old = {r[0]: r[1:] for r in conn.execute(
            f"SELECT id, reports, first_article_id, updated_at FROM events WHERE id IN ({marks(part)})",
            part)}
        out: list[tuple] = []
        updates: list[tuple] = []
        for event_id in part:
            rows = reports.get(event_id)
            if not rows:
                continue
            mine, values = _reports_of(event_id, rows, copies, settings)
            out += mine
            first_claim = first_claims.get((event_id, values[0]))
            before = old.get(event_id)
            changed = before is None or before[0] != values[4] or before[1] != values[0] or before[2] is None
            updates.append((values[0], first_claim[1] if first_claim else None, *values[1:], changed, now,
                            event_id))
        empty = [e for e in part if e not in reports]
        if empty:
            conn.execute(f"DELETE FROM events WHERE id IN ({marks(empty)})", empty)
        conn.execute(f"DELETE FROM event_reports WHERE event_id IN ({marks(part)})", part)
        conn.executemany("INSERT INTO event_reports (event_id, article_id, role, family, claims) "
                         "VALUES (?, ?, ?, ?, ?)", out)
        conn.executemany(
            """UPDATE events SET first_article_id = ?, first_claim_id = ?, first_outlet = ?,
               first_published = ?, first_seen = ?, reports = ?, independent_outlets = ?, retellings = ?,
               last_report = ?, updated_at = CASE WHEN ? THEN ? ELSE updated_at END WHERE id = ?""", updates)


def _reports_of(event_id: int, rows: list[tuple], copies: dict[int, set[int]],
                settings: EventSettings) -> tuple[list[tuple], tuple]:
    """The ``event_reports`` rows of one event and its report columns (first article, first outlet, first
    published, first seen, reports, independent outlets, retellings, last report)."""
    rows = sorted(rows, key=lambda r: (r[2] or "9999", r[4] is not None, r[3] or "", r[0]))
    ids = [r[0] for r in rows]
    members = set(ids)
    pairs = {(a, b) for a in ids for b in copies.get(a, ()) if b in members}
    family_links = set(pairs)
    by_outlet: dict[str, int] = {}
    for r in rows:
        if r[5] in by_outlet:
            family_links.add((by_outlet[r[5]], r[0]))
        by_outlet.setdefault(r[5], r[0])
        if r[4] is not None and r[4] in members:
            family_links.add((r[4], r[0]))
    family = st.components(ids, family_links)
    # Copies of the same original count once even when the original is not among the reports.
    roots = {r[0]: r[4] or r[0] for r in rows}
    root_family: dict[int, int] = {}
    for r in rows:
        root_family.setdefault(roots[r[0]], family[r[0]])
    family = {a: root_family[roots[a]] if roots[a] != a else family[a] for a in ids}
    family = st.components(ids, [(a, f) for a, f in family.items() if f in family])
    first = rows[0]
    first_day = article_day(first[2])
    copied_of = {b for a, b in pairs} | {a for a, b in pairs}
    out = []
    for r in rows:
        day = article_day(r[2])
        if r is first:
            role = "first"
        elif r[4] is not None or (r[0] in copied_of and family[r[0]] == family[first[0]]):
            role = "copy"
        elif (r[7] is not None and r[7] == first[7]) or (
                day and first_day and (day - first_day).days <= settings.story_window):
            role = "report"
        else:
            role = "retelling"
        out.append((event_id, r[0], role, family[r[0]], r[1]))
    # first_published is the publication date only: an undated first report shows as such
    return out, (first[0], first[6], first[8], first[3], len(rows), len(set(family.values())),
                 sum(1 for o in out if o[2] == "retelling"), max(r[2] or "" for r in rows))
