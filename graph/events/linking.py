"""Storing threads: which events to relink after an update, their candidate accusations, links and status.

Links are computed from the later event's side (:mod:`.threads`): an update relinks the changed events, the
events that followed a changed accusation (within the longest window) and those that were linked to one,
then refreshes the status and counts of every thread whose links changed.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, timedelta

from aiwatch.graph.events.dates import interval
from aiwatch.graph.events.store import chunks, marks
from aiwatch.graph.events.threads import (
    REBUTTAL,
    RESPONSE_KINDS,
    Link,
    Summary,
    action_links,
    evidence_links,
    response_links,
    status,
)

from aiwatch.runs import utcnow

CANDIDATES = 50  # newest fitting accusations read per party (the rules want the latest few)


def summaries(conn: sqlite3.Connection, event_ids: set[int], *, names: bool = False,
              cache: dict[int, Summary] | None = None) -> dict[int, Summary]:
    """Thread-rule summaries of events (``names``: with the entities their sentences name and whether they
    rebut, for responses; ``cache``: summaries read before in this update)."""
    out: dict[int, Summary] = {}
    if cache is not None:
        out = {e: cache[e] for e in event_ids if e in cache}
        event_ids = set(event_ids) - out.keys()
    for part in chunks(sorted(event_ids)):
        rows = conn.execute(
            f"""SELECT e.id, e.kind, e.speaker_id, coalesce(s.name, e.speaker_text), e.target_ids, e.topic,
                       e.event_date, e.date_precision
                FROM events e LEFT JOIN entities s ON s.id = e.speaker_id WHERE e.id IN ({marks(part)})""",
            part).fetchall()
        named: dict[int, set[str]] = defaultdict(set)
        rebuts: set[int] = set()
        if names:
            rebuts = {r[0] for r in conn.execute(
                "SELECT ec.event_id, c.sentence FROM event_claims ec JOIN claims c ON c.id = ec.claim_id "
                f"WHERE ec.event_id IN ({marks(part)})", part) if REBUTTAL.search(r[1] or "")}
            for event_id, entity_id in conn.execute(
                    f"""SELECT DISTINCT ec.event_id, m.entity_id FROM event_claims ec
                        JOIN claims c ON c.id = ec.claim_id
                        JOIN mentions m ON m.article_id = c.article_id AND m.sentence = c.sentence
                        WHERE ec.event_id IN ({marks(part)})""", part):
                named[event_id].add(entity_id)
        for eid, kind, speaker, name, targets, topic, value, precision in rows:
            if value is None:
                continue
            lo, hi = interval(value, precision)
            out[eid] = Summary(eid, kind, speaker, name, frozenset(json.loads(targets)), topic, lo, hi,
                               frozenset(named.get(eid, set())), eid in rebuts)
            if cache is not None:
                cache[eid] = out[eid]
    return out


def _accusations_of(conn: sqlite3.Connection, entity: str, role: str, lo: date, hi: date) -> set[int]:
    """The newest accusation events with ``entity`` as ``role`` dated between ``lo`` and ``hi`` (coarse:
    year-precision dates of ``lo``'s year included)."""
    return {r[0] for r in conn.execute(
        "SELECT event_id FROM event_parties WHERE entity_id = ? AND role = ? AND kind = 'accusation' "
        f"AND {_FROM} AND event_date <= ? ORDER BY event_date DESC, event_id DESC LIMIT ?",
        (entity, role, *_from(lo), hi.isoformat(), CANDIDATES))}


# Dated on or after a day: its ISO date sorts after it, or its month or year (coarser dates) contains it.
_FROM = "(event_date >= ? OR event_date IN (?, ?))"


def _from(day: date) -> tuple[str, str, str]:
    return day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]


def _followers_of(conn: sqlite3.Connection, accusation: Summary, window: int) -> set[int]:
    """Events that may follow ``accusation``: involving its parties, dated within ``window`` days after it."""
    parties = set(accusation.targets) | ({accusation.speaker_id} if accusation.speaker_id else set())
    hi = (accusation.end + timedelta(days=window)).isoformat()
    out: set[int] = set()
    for part in chunks(sorted(parties)):
        out |= {r[0] for r in conn.execute(
            f"SELECT event_id FROM event_parties WHERE entity_id IN ({marks(part)}) AND {_FROM} "
            "AND event_date <= ?", [*part, *_from(accusation.start), hi])}
    return out


def links_of(conn: sqlite3.Connection, follower: Summary, settings,
             cache: dict[int, Summary] | None = None) -> list[Link]:
    """The links ``follower`` makes to the accusations before it."""
    if follower.kind == "accusation":
        window = settings.evidence_window
        parties = {(t, "target") for t in follower.targets}
    elif follower.kind in RESPONSE_KINDS:
        window = settings.response_window
        parties = {(follower.speaker_id, "target")} if follower.speaker_id else set()
    elif follower.kind == "policy_action":
        window = settings.action_window
        parties = {(t, role) for t in follower.targets for role in ("target", "speaker")}
        if follower.speaker_id:
            parties.add((follower.speaker_id, "target"))
    else:
        return []
    lo = follower.start - timedelta(days=window)
    ids: set[int] = set()
    for entity, role in parties:
        ids |= _accusations_of(conn, entity, role, lo, follower.end)
    earlier = list(summaries(conn, ids - {follower.event_id}, cache=cache).values())
    if follower.kind == "accusation":
        return evidence_links(follower, earlier, window=window)
    if follower.kind == "policy_action":
        return action_links(follower, earlier, window=window)
    return response_links(follower, earlier, window=window)


def update_threads(conn: sqlite3.Connection, touched: set[int], lost: set[int], settings, *,
                   full: bool) -> int:
    """Relink what the ``touched`` events change; refresh the threads whose links changed; how many."""
    if full:
        followers = {r[0] for r in conn.execute("SELECT id FROM events")}
        accusations = {r[0] for r in conn.execute("SELECT id FROM events WHERE kind = 'accusation'")}
    else:
        info = summaries(conn, touched)
        accusations = {e for e, s in info.items() if s.kind == "accusation"}
        window = max(settings.response_window, settings.evidence_window, settings.action_window)
        followers = set(touched)
        for event_id in accusations:
            followers |= _followers_of(conn, info[event_id], window)
        for part in chunks(sorted(accusations | lost)):
            followers |= {r[0] for r in conn.execute(
                f"SELECT event_id FROM thread_links WHERE thread_id IN ({marks(part)})", part)}
    refresh = set(accusations) | set(lost)
    for part in chunks(sorted(followers)):
        refresh |= {r[0] for r in conn.execute(
            f"SELECT thread_id FROM thread_links WHERE event_id IN ({marks(part)})", part)}
        conn.execute(f"DELETE FROM thread_links WHERE event_id IN ({marks(part)})", part)
    info = summaries(conn, followers, names=True)
    rows = []
    cache: dict[int, Summary] = {}
    for follower in info.values():
        for link in links_of(conn, follower, settings, cache):
            rows.append((link.thread_id, link.event_id, link.relation, link.reason, link.days))
            refresh.add(link.thread_id)
    conn.executemany("INSERT OR REPLACE INTO thread_links (thread_id, event_id, relation, reason, days) "
                     "VALUES (?, ?, ?, ?, ?)", rows)
    return _refresh(conn, refresh)


def _refresh(conn: sqlite3.Connection, threads: set[int]) -> int:
    """Status and counts of ``threads`` (accusation events) from their stored links."""
    now = utcnow()
    changed = 0
    for part in chunks(sorted(threads)):
        heads = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT id, event_date, date_precision FROM events "
            f"WHERE kind = 'accusation' AND id IN ({marks(part)})",
            part)}
        found: dict[int, list] = defaultdict(list)
        for thread_id, relation, value, precision in conn.execute(
                "SELECT l.thread_id, l.relation, e.event_date, e.date_precision FROM thread_links l "
                f"JOIN events e ON e.id = l.event_id WHERE l.thread_id IN ({marks(part)})", part):
            found[thread_id].append((relation, value, precision))
        old = {r[0]: tuple(r[1:]) for r in conn.execute(
            "SELECT thread_id, status, responses, evidence, actions, last_date FROM event_threads "
            f"WHERE thread_id IN ({marks(part)})", part)}
        for thread_id, (value, precision) in heads.items():
            mine = found.get(thread_id, [])
            starts = [interval(v, p)[0] for _, v, p in mine if v]
            starts += [interval(value, precision)[0]] if value else []
            row = (status([Link(thread_id, 0, r, "", 0) for r, _, _ in mine]),
                   sum(r in ("denial", "response") for r, _, _ in mine),
                   sum(r in ("evidence", "corroboration") for r, _, _ in mine),
                   sum(r == "action" for r, _, _ in mine),
                   max(starts).isoformat() if starts else None)
            if old.get(thread_id) != row:
                conn.execute("INSERT OR REPLACE INTO event_threads (thread_id, status, responses, evidence, "
                             "actions, last_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (thread_id, *row, now))
                changed += 1
    return changed
