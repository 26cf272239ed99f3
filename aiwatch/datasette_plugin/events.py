"""Read-only queries behind the event lists and the thread page (events, reports and thread links).

Plain functions over a :class:`sqlite3.Connection`, returning plain dicts, like :mod:`.data`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from aiwatch.datasette_plugin.data import _rows

EVENT_COLUMNS = """
    e.id AS event_id, e.kind, e.event_date, e.date_precision, e.date_source, e.date_expression,
    e.speaker_id, coalesce(s.name, e.speaker_text) AS speaker, e.target_ids, e.target_texts, e.topic,
    c.sentence, e.first_article_id, a.title AS first_title, a.url AS first_url, e.first_outlet,
    e.first_published, e.first_seen, e.reports, e.independent_outlets, e.retellings, e.updated_at,
    t.status
"""
EVENT_JOINS = """
    LEFT JOIN entities s ON s.id = e.speaker_id LEFT JOIN claims c ON c.id = e.first_claim_id
    LEFT JOIN articles a ON a.id = e.first_article_id LEFT JOIN event_threads t ON t.thread_id = e.id
"""


def _with_targets(conn: sqlite3.Connection, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``targets``: [{"id", "name"}] (entities, then targets as written with no id)."""
    ids = sorted({t for e in events for t in json.loads(e["target_ids"] or "[]")})
    names = {r["id"]: r["name"] for r in _rows(
        conn, f"SELECT id, name FROM entities WHERE id IN ({','.join('?' * len(ids))})", ids)} if ids else {}
    for e in events:
        e["targets"] = [{"id": t, "name": names.get(t, t)} for t in json.loads(e["target_ids"] or "[]")]
        e["targets"] += [{"id": None, "name": t} for t in json.loads(e["target_texts"] or "[]")]
    return events


def latest_events(conn: sqlite3.Connection, kind: str = "accusation", *,
                  limit: int = 15) -> list[dict[str, Any]]:
    """The newest events of ``kind`` by event date (one row per act)."""
    return _with_targets(conn, _rows(conn, f"""
        SELECT {EVENT_COLUMNS} FROM events e {EVENT_JOINS}
        WHERE e.kind = ? ORDER BY e.event_date DESC, e.id DESC LIMIT ?""", (kind, limit)))


def event_count(conn: sqlite3.Connection, kind: str = "accusation") -> int:
    return conn.execute("SELECT count(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]


def reports(conn: sqlite3.Connection, event_id: int) -> list[dict[str, Any]]:
    """Every article reporting ``event_id`` (first report first), each with its supporting sentences."""
    articles = _rows(conn, """
        SELECT r.article_id, r.role, r.family, r.claims, coalesce(a.outlet, a.source) AS outlet,
               substr(coalesce(a.published, a.fetched_at), 1, 10) AS date, a.title, a.url
        FROM event_reports r JOIN articles a ON a.id = r.article_id WHERE r.event_id = ?
        ORDER BY r.role != 'first', coalesce(a.published, a.fetched_at), a.id""", (event_id,))
    sentences: dict[int, list[dict[str, Any]]] = {}
    for row in _rows(conn, """
            SELECT DISTINCT ec.article_id, c.sentence, min(c.id) AS claim_id FROM event_claims ec
            JOIN claims c ON c.id = ec.claim_id WHERE ec.event_id = ?
            GROUP BY ec.article_id, c.sentence ORDER BY min(c.start_char)""", (event_id,)):
        sentences.setdefault(row["article_id"], []).append(row)
    for article in articles:
        article["sentences"] = sentences.get(article["article_id"], [])
    return articles


def thread_page(conn: sqlite3.Connection, thread_id: int) -> dict[str, Any] | None:
    """The accusation, what followed it (oldest first) and every report of each, or None."""
    found = _with_targets(conn, _rows(conn, f"SELECT {EVENT_COLUMNS} FROM events e {EVENT_JOINS} "
                                            "WHERE e.id = ? AND e.kind = 'accusation'", (thread_id,)))
    if not found:
        return None
    thread = _rows(conn, "SELECT * FROM event_threads WHERE thread_id = ?", (thread_id,))
    links = _rows(conn, f"""
        SELECT l.relation, l.reason, l.days, {EVENT_COLUMNS}
        FROM thread_links l JOIN events e ON e.id = l.event_id
        {EVENT_JOINS} WHERE l.thread_id = ? ORDER BY e.event_date, l.days, e.id""", (thread_id,))
    _with_targets(conn, links)
    for link in links:
        link["reports_list"] = reports(conn, link["event_id"])
    return {"event": found[0], "thread": thread[0] if thread else None,
            "reports_list": reports(conn, thread_id), "links": links}


def entity_threads(conn: sqlite3.Connection, entity_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """The threads ``entity_id`` is in, as accuser or accused, newest accusation first."""
    return _with_targets(conn, _rows(conn, f"""
        SELECT p.role AS entity_role, {EVENT_COLUMNS} FROM event_parties p JOIN events e ON e.id = p.event_id
        {EVENT_JOINS} WHERE p.entity_id = ? AND e.kind = 'accusation'
        ORDER BY e.event_date DESC, e.id DESC LIMIT ?""", (entity_id, limit)))
