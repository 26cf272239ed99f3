"""Read-only queries behind the entity and overview pages.

Each function takes a plain :class:`sqlite3.Connection` (Datasette runs them through
``Database.execute_fn``) and returns plain dicts, so tests can call them on any aiwatch database.
Claims whose sentence negates the verb and articles marked as duplicates are left out.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from aiwatch.views import iso_date_sql

# The publication date when it is a usable ISO 8601 value, else NULL: crawled data may hold anything there.
PUBLISHED = iso_date_sql("a.published")
# Articles read for their date and copy flag only, from the covering index (named: without ANALYZE statistics
# SQLite reads each article row instead, to its end, for duplicate_of).
DATED = "articles a INDEXED BY idx_articles_dated"

# ``speaker``/``target``/``via`` are entity names, NULL when the claim names no known entity there; the
# ``*_text`` columns say how the article put it ("a ministry spokesperson", "Chinese AI labs", "Reuters").
CLAIM_COLUMNS = f"""
    c.id AS claim_id, {PUBLISHED} AS date, c.kind, c.verb, c.content, c.sentence, c.is_quote,
    c.confidence, c.speaker_id, sp.name AS speaker, c.speaker_text, c.speaker_kind,
    c.via_id, vi.name AS via, c.via_text, c.target_id, tg.name AS target, c.target_text,
    a.id AS article_id, a.title AS article_title, a.url AS article_url, a.source AS article_source,
    coalesce(a.outlet, a.source) AS article_outlet
"""
CLAIM_JOINS = """
    LEFT JOIN entities sp ON sp.id = c.speaker_id LEFT JOIN entities vi ON vi.id = c.via_id
    LEFT JOIN entities tg ON tg.id = c.target_id
"""


def _latest_claims(
    conn: sqlite3.Connection, where: str, params: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    """Claims matching ``where`` (over ``c``), newest article first, negated and duplicate ones left out.

    The newest ``limit`` claim ids are picked first from small indexes (article dates come from the covering
    ``idx_articles_dated``, named: a database never analysed would read each article row to its end for
    ``duplicate_of``), and only those rows are joined to the full claim and article rows.
    """
    return _rows(
        conn,
        f"""
        WITH picked AS (
            SELECT c.id AS claim_id, a.published AS published
            FROM claims c JOIN {DATED} ON a.id = c.article_id
            WHERE {where} AND c.negated = 0 AND a.duplicate_of IS NULL
            ORDER BY a.published DESC, c.id DESC LIMIT :limit)
        SELECT {CLAIM_COLUMNS} FROM picked p JOIN claims c ON c.id = p.claim_id
        JOIN articles a ON a.id = c.article_id {CLAIM_JOINS}
        ORDER BY p.published DESC, c.id DESC""",
        {**params, "limit": limit},
    )


def _rows(conn: sqlite3.Connection, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in cur.execute(sql, params).fetchall()]
    finally:
        cur.close()


# Claims per list on the entity page: the newest, with the list's total and a link to all of them (200 a
# list made a popular entity's page ~1,000 rows and ~900 KB of HTML, 150-400 ms to render).
ENTITY_PAGE_LIST = 50


def entity_page(
    conn: sqlite3.Connection, entity_id: str, *, limit: int = ENTITY_PAGE_LIST, neighbours: int = 25
) -> dict[str, Any] | None:
    """Everything the entity page shows, or ``None`` if there is no such entity."""
    found = _rows(
        conn, "SELECT id, name, type, wikidata, description FROM entities WHERE id = ?", (entity_id,)
    )
    if not found:
        return None
    entity = found[0]
    aliases = [
        r["alias"]
        for r in _rows(
            conn,
            "SELECT alias FROM entity_aliases WHERE entity_id = ? ORDER BY alias COLLATE NOCASE",
            (entity_id,),
        )
    ]
    node = _rows(
        conn,
        "SELECT degree, pagerank, betweenness, community, article_count, first_seen, last_seen "
        "FROM graph_nodes WHERE entity_id = ?",
        (entity_id,),
    )
    # Accusations first on the page: the entity's own and those against it, whatever their age.
    accusation = "c.kind = 'accusation'"
    accused_by = _latest_claims(conn, f"c.speaker_id = :id AND {accusation}", {"id": entity_id}, limit)
    accused_of = _latest_claims(conn, f"c.target_id = :id AND {accusation}", {"id": entity_id}, limit)
    # The long lists hold the other kinds (statements, denials, actions...), so no claim is listed twice.
    made = _latest_claims(conn, f"c.speaker_id = :id AND NOT {accusation}", {"id": entity_id}, limit)
    received = _latest_claims(conn, f"c.target_id = :id AND NOT {accusation}", {"id": entity_id}, limit)
    # An outlet (or a document) that claims came through: "according to the WSJ", "told Reuters".
    relayed = _latest_claims(conn, "c.via_id = :id", {"id": entity_id}, limit)
    article_ids = """
        SELECT article_id FROM mentions WHERE entity_id = :id
        UNION SELECT article_id FROM claims WHERE speaker_id = :id OR target_id = :id
        UNION SELECT article_id FROM claims WHERE via_id = :id
    """
    # One pass over the entity's articles gives both the months and the total (undated ones included).
    months = _rows(
        conn,
        f"""
        SELECT substr({PUBLISHED}, 1, 7) AS month, count(*) AS n FROM {DATED}
        WHERE a.id IN ({article_ids}) AND a.duplicate_of IS NULL
        GROUP BY month ORDER BY month""",
        {"id": entity_id},
    )
    per_month = [r for r in months if r["month"] is not None]
    article_count = sum(r["n"] for r in months)
    # The newest 50 are picked from the covering idx_articles_dated; only those rows are read in full.
    articles = _rows(
        conn,
        f"""
        WITH picked AS (
            SELECT a.id, a.published FROM {DATED}
            WHERE a.id IN ({article_ids}) AND a.duplicate_of IS NULL
            ORDER BY a.published DESC, a.id DESC LIMIT 50)
        SELECT a.id, {PUBLISHED} AS date, a.title, a.url, a.source, coalesce(a.outlet, a.source) AS outlet
        FROM picked p JOIN articles a ON a.id = p.id ORDER BY p.published DESC, p.id DESC""",
        {"id": entity_id},
    )
    counts = _rows(
        conn,
        f"""
        SELECT (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.speaker_id = :id AND c.negated = 0 AND a.duplicate_of IS NULL) AS made,
               (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.target_id = :id AND c.negated = 0 AND a.duplicate_of IS NULL) AS received,
               (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.via_id = :id AND c.negated = 0 AND a.duplicate_of IS NULL) AS relayed,
               (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.speaker_id = :id AND c.kind = 'accusation' AND c.negated = 0
                  AND a.duplicate_of IS NULL) AS accusations_made,
               (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.target_id = :id AND c.kind = 'accusation' AND c.negated = 0
                  AND a.duplicate_of IS NULL) AS accusations_received""",
        {"id": entity_id},
    )[0]
    hood = neighbourhood(conn, entity_id, limit=neighbours)
    return {
        "entity": entity,
        "aliases": aliases,
        "node": node[0] if node else None,
        "accusations_made": accused_by,
        "accusations_received": accused_of,
        "claims_made": made,
        "claims_received": received,
        "claims_relayed": relayed,
        "per_month": per_month,
        "articles": articles,
        "article_count": article_count,
        "claims_made_count": counts["made"],
        "claims_received_count": counts["received"],
        "claims_relayed_count": counts["relayed"],
        "accusations_made_count": counts["accusations_made"],
        "accusations_received_count": counts["accusations_received"],
        **hood,
    }


def entity_by_name(conn: sqlite3.Connection, name: str) -> str | None:
    """The id of the one entity called ``name`` (its id, name or an alias, any case), else None (none or
    several)."""
    ids = {r["id"] for r in _rows(
        conn,
        "SELECT id FROM entities WHERE id = :n COLLATE NOCASE OR name = :n COLLATE NOCASE "
        "UNION SELECT entity_id AS id FROM entity_aliases WHERE alias = :n COLLATE NOCASE",
        {"n": name.strip()},
    )}
    return ids.pop() if len(ids) == 1 else None


def neighbourhood(conn: sqlite3.Connection, entity_id: str, *, limit: int = 25) -> dict[str, Any]:
    """The ``limit`` strongest neighbours of ``entity_id`` in ``graph_edges`` and the edges among them."""
    top = _rows(
        conn,
        """
        SELECT CASE WHEN source_id = :id THEN target_id ELSE source_id END AS other, sum(weight) AS w
        FROM graph_edges WHERE (source_id = :id OR target_id = :id) AND source_id != target_id
        GROUP BY other ORDER BY w DESC, other LIMIT :limit""",
        {"id": entity_id, "limit": limit},
    )
    ids = [entity_id] + [r["other"] for r in top]
    marks = ",".join("?" for _ in ids)
    nodes = {
        r["id"]: r for r in _rows(conn, f"SELECT id, name, type FROM entities WHERE id IN ({marks})", ids)
    }
    edges = _edges_among(conn, ids)
    return {
        "neighbour_nodes": nodes,
        "neighbour_edges": edges,
        "neighbours": [
            {"id": r["other"], "weight": r["w"], "name": nodes.get(r["other"], {}).get("name")} for r in top
        ],
    }


def _edges_among(conn: sqlite3.Connection, ids: list[str]) -> list[tuple[str, str, str, float]]:
    """Graph edges whose two ends are both in ``ids``, as (source, target, kind, weight)."""
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    rows = _rows(
        conn,
        f"""
        SELECT source_id, target_id, kind, weight FROM graph_edges
        WHERE source_id IN ({marks}) AND target_id IN ({marks})
        ORDER BY source_id, target_id, kind""",
        ids + ids,
    )
    return [(r["source_id"], r["target_id"], r["kind"], r["weight"]) for r in rows]


def overview_page(conn: sqlite3.Connection, *, top: int = 15, latest: int = 15) -> dict[str, Any]:
    """Central entities, latest accusations and policy actions, and article counts per month and topic."""
    central = _rows(
        conn,
        """
        SELECT e.id, e.name, e.type, g.pagerank, g.degree, g.article_count FROM graph_nodes g
        JOIN entities e ON e.id = g.entity_id WHERE g.pagerank IS NOT NULL
        ORDER BY g.pagerank DESC, e.id LIMIT ?""",
        (top,),
    )
    accusations = _latest_claims(conn, "c.kind = 'accusation'", {}, latest)
    actions = _latest_claims(conn, "c.kind = 'policy_action'", {}, latest)
    # Articles are grouped by (month, topics array) first, a scan of the covering idx_articles_topics, and
    # each distinct array is expanded once (its topics deduplicated).
    per_month = _rows(
        conn,
        f"""
        WITH grouped AS (
            SELECT substr({PUBLISHED}, 1, 7) AS month, a.topics AS raw,
                   CASE WHEN json_valid(a.topics) THEN a.topics ELSE '[]' END AS topics, count(*) AS n
            FROM articles a INDEXED BY idx_articles_topics  -- covers topics, published, duplicate_of
            WHERE a.duplicate_of IS NULL AND a.published IS NOT NULL
            GROUP BY month, a.topics HAVING month IS NOT NULL)
        SELECT month, topic, sum(n) AS n FROM (
            SELECT DISTINCT g.month, g.raw, t.value AS topic, g.n FROM grouped g, json_each(g.topics) t
            UNION ALL
            SELECT month, raw, 'no topic', n FROM grouped WHERE json_array_length(topics) = 0)
        GROUP BY month, topic ORDER BY month, topic""",
    )
    # The newest date-like text, read from the top of the published index (numbers sort below text, blobs
    # above it), then checked.
    latest = "(SELECT max(published) AS published FROM articles WHERE published >= '1' AND published < '3')"
    totals = _rows(
        conn,
        f"""
        SELECT (SELECT count(*) FROM articles WHERE duplicate_of IS NULL) AS articles,
               (SELECT count(*) FROM entities) AS entities,
               (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.kind = 'accusation' AND c.negated = 0 AND a.duplicate_of IS NULL) AS accusations,
               (SELECT count(*) FROM claims c JOIN {DATED} ON a.id = c.article_id
                WHERE c.kind = 'policy_action' AND c.negated = 0
                 AND a.duplicate_of IS NULL) AS policy_actions,
               (SELECT count(*) FROM articles WHERE duplicate_of IS NULL AND published IS NULL) AS undated,
               (SELECT {iso_date_sql("published")} FROM {latest}) AS latest""",
    )[0]
    edges = _edges_among(conn, [r["id"] for r in central])
    return {
        "central": central,
        "accusations": accusations,
        "policy_actions": actions,
        "per_month": per_month,
        "totals": totals,
        "central_edges": edges,
    }
