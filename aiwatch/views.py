"""SQL views for journalists and researchers, recreated by :func:`aiwatch.db.ensure_views` when changed.

Each entry of :data:`VIEWS` maps a view name to its ``SELECT``; :data:`VIEW_DOCS` describes each view and
every one of its columns (used for ``datasette_metadata.json`` and the README).

All views leave out syndicated copies (``articles.duplicate_of IS NOT NULL``), so a story republished by
ten outlets appears once. ``date`` is the article's publication date, NULL when the article has none
(``date_source`` ``none``) or when the stored value is no ISO 8601 date (garbage text, a number, a blob, an
impossible day; :func:`iso_date_sql`): an undated article is shown as undated, never under the time it was
fetched, and no stored value can break a page.
"""

from __future__ import annotations


def iso_date_sql(column: str) -> str:
    """SQL giving ``column`` when it holds a usable ISO 8601 date or date-time (text, a real calendar day
    between years 1000 and 2999, a valid time part if any), else NULL.

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> [conn.execute(f"SELECT {iso_date_sql('v')} FROM (SELECT ? AS v)", (v,)).fetchone()[0]
    ...  for v in ("2025-02-03T10:00:00Z", "2025-02-30", "not a date", "2025-13-45T99:99:99Z", 12345, b"x")]
    ['2025-02-03T10:00:00Z', None, None, None, None, None]
    """
    return (f"(CASE WHEN typeof({column}) = 'text'"
            f" AND {column} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]*'"
            f" AND date(substr({column}, 1, 10), '+0 days') = substr({column}, 1, 10)"
            f" AND (length({column}) = 10 OR datetime({column}) IS NOT NULL) THEN {column} END)")


PUBLISHED_DATE = iso_date_sql("a.published")

VIEWS: dict[str, str] = {
    "accusations": f"""
SELECT c.id AS claim_id,
       {PUBLISHED_DATE} AS date,
       a.date_source,
       c.speaker_id AS accuser_id,
       coalesce(s.name, c.speaker_text) AS accuser,
       c.speaker_text AS accuser_text,
       c.speaker_kind AS accuser_kind,
       c.via_id,
       coalesce(v.name, c.via_text) AS via,
       c.target_id AS accused_id,
       coalesce(t.name, c.target_text) AS accused,
       c.target_text AS accused_text,
       c.content,
       c.sentence,
       c.is_quote,
       c.article_id,
       a.title AS article_title,
       a.url AS article_url
FROM claims c
JOIN articles a ON a.id = c.article_id
LEFT JOIN entities s ON s.id = c.speaker_id
LEFT JOIN entities v ON v.id = c.via_id
LEFT JOIN entities t ON t.id = c.target_id
WHERE c.kind = 'accusation' AND c.negated = 0 AND a.duplicate_of IS NULL
""",
    "entity_timeline": f"""
SELECT ea.entity_id,
       e.name AS entity,
       {PUBLISHED_DATE} AS date,
       a.date_source,
       ea.article_id,
       a.title AS article_title,
       a.url AS article_url,
       (SELECT count(*) FROM claims c
        WHERE c.speaker_id = ea.entity_id AND c.article_id = ea.article_id) AS claims_made,
       (SELECT count(*) FROM claims c
        WHERE c.target_id = ea.entity_id AND c.article_id = ea.article_id) AS claims_received,
       (SELECT count(*) FROM mentions m
        WHERE m.entity_id = ea.entity_id AND m.article_id = ea.article_id) AS mentions
FROM (
    -- Each (entity, article) pair once: mentions, then speakers and targets not already counted.
    SELECT DISTINCT entity_id, article_id FROM mentions
    UNION ALL
    SELECT DISTINCT c.speaker_id, c.article_id FROM claims c
    WHERE c.speaker_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM mentions m WHERE m.entity_id = c.speaker_id AND m.article_id = c.article_id)
    UNION ALL
    SELECT DISTINCT c.target_id, c.article_id FROM claims c
    WHERE c.target_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM mentions m WHERE m.entity_id = c.target_id AND m.article_id = c.article_id)
      AND NOT EXISTS (
        SELECT 1 FROM claims s WHERE s.speaker_id = c.target_id AND s.article_id = c.article_id)
) AS ea
JOIN entities e ON e.id = ea.entity_id
JOIN articles a ON a.id = ea.article_id
WHERE a.duplicate_of IS NULL
""",
    "co_mentions": """
SELECT g.source_id,
       s.name AS source,
       g.target_id,
       t.name AS target,
       g.weight,
       json_array_length(g.evidence) AS articles,
       g.first_seen,
       g.last_seen,
       g.evidence
FROM graph_edges g
JOIN entities s ON s.id = g.source_id
JOIN entities t ON t.id = g.target_id
WHERE g.kind = 'co_mention'
""",
    "policy_actions": f"""
SELECT c.id AS claim_id,
       {PUBLISHED_DATE} AS date,
       a.date_source,
       c.speaker_id AS actor_id,
       coalesce(s.name, c.speaker_text) AS actor,
       c.speaker_text AS actor_text,
       c.speaker_kind AS actor_kind,
       c.via_id,
       coalesce(v.name, c.via_text) AS via,
       c.target_id AS target_id,
       coalesce(t.name, c.target_text) AS target,
       c.target_text,
       c.verb AS action,
       c.content,
       c.sentence,
       a.title AS article_title,
       a.url AS source_url
FROM claims c
JOIN articles a ON a.id = c.article_id
LEFT JOIN entities s ON s.id = c.speaker_id
LEFT JOIN entities v ON v.id = c.via_id
LEFT JOIN entities t ON t.id = c.target_id
WHERE c.kind = 'policy_action' AND c.negated = 0 AND a.duplicate_of IS NULL
""",
}

_DATE = ("Publication date of the article (ISO 8601); empty when the article shows no date anywhere (then "
         "date_source is none). The time it was fetched is never used as its date.")
_DATE_SOURCE = ("Where the date came from: markup (the page's meta tags, JSON-LD, <time> or URL), feed (the "
                "feed or API entry that listed it), sitemap, text (a date found in the article text), or "
                "none (undated); empty for articles stored before aiwatch recorded it.")
_SPEAKER_TEXT = "The speaker as written in the article (\"Anthropic\", \"he\", \"officials\")."
_SPEAKER_KIND = ("What the speaker is: entity (a known organisation), person, group (\"officials\"), "
                 "role (\"a ministry spokesperson\"), document (\"the report\"), outlet (a news outlet) or "
                 "anonymous (\"sources said\").")
_VIA_ID = ("Entity id of the channel the claim came through (\"according to the WSJ\", \"told Reuters\"), "
           "or null.")
_VIA = "The channel: its name, or as written when it is no known entity; empty when the claim names none."

VIEW_DOCS: dict[str, dict] = {
    "accusations": {
        "description": "Who accused whom, one row per accusation found in an article: negated statements "
                       "(\"did not accuse\") and syndicated copies are left out. Accusers that are no known "
                       "entity (\"US officials\") appear as written, with their kind; the channel shows "
                       "who reported it (\"via Reuters\"). Every row links to the sentence and the article "
                       "it comes from.",
        "columns": {
            "claim_id": "Id of the claim in the claims table.",
            "date": _DATE,
            "date_source": _DATE_SOURCE,
            "accuser_id": "Entity id of the accuser (the speaker of the claim), or null when the speaker is "
                          "no known entity (\"officials\", \"a ministry spokesperson\").",
            "accuser": "Name of the accuser; the accuser as written when it is no known entity.",
            "accuser_text": _SPEAKER_TEXT,
            "accuser_kind": _SPEAKER_KIND,
            "via_id": _VIA_ID,
            "via": _VIA,
            "accused_id": "Entity id of the accused, or null when the sentence names no known entity.",
            "accused": "Name of the accused; the accused as written when it is no known entity (a named "
                       "group such as \"Chinese AI labs\").",
            "accused_text": "The accused as written in the article.",
            "content": "What the accuser says the accused did, as extracted from the sentence.",
            "sentence": "The full sentence the accusation was read from.",
            "is_quote": "1 if the accusation is a direct quotation, else 0.",
            "article_id": "Id of the article in the articles table.",
            "article_title": "Title of the article.",
            "article_url": "Link to the article as published (the address a reader opens).",
        },
    },
    "entity_timeline": {
        "description": "One row per entity and article that mentions it, speaks in it or is a claim's target "
                       "in it: when and how often each entity appears (syndicated copies left out).",
        "columns": {
            "entity_id": "Entity id.",
            "entity": "Entity name.",
            "date": _DATE,
            "date_source": _DATE_SOURCE,
            "article_id": "Id of the article in the articles table.",
            "article_title": "Title of the article.",
            "article_url": "Link to the article as published (the address a reader opens).",
            "claims_made": "Claims in the article with this entity as speaker.",
            "claims_received": "Claims in the article with this entity as target.",
            "mentions": "Times the article names the entity (by any alias).",
        },
    },
    "co_mentions": {
        "description": "Pairs of entities named in the same sentence, from the last graph build; each pair "
                       "appears once (source id sorts before target id).",
        "columns": {
            "source_id": "Entity id of the first entity (alphabetically by id).",
            "source": "Name of the first entity.",
            "target_id": "Entity id of the second entity.",
            "target": "Name of the second entity.",
            "weight": "Number of distinct sentences naming both, across non-duplicate articles.",
            "articles": "Number of distinct non-duplicate articles with such a sentence.",
            "first_seen": "Date of the earliest such article.",
            "last_seen": "Date of the latest such article.",
            "evidence": "JSON array of the ids of those articles.",
        },
    },
    "policy_actions": {
        "description": "Government and company actions (export rules, licences, entity-list additions, "
                       "bans) found in articles: negated statements and syndicated copies left out. Actors "
                       "that are no known entity appear as written, with their kind and channel.",
        "columns": {
            "claim_id": "Id of the claim in the claims table.",
            "date": _DATE,
            "date_source": _DATE_SOURCE,
            "actor_id": "Entity id of the actor, or null when the sentence names no known actor.",
            "actor": "Name of the actor; the actor as written when it is no known entity (\"Chinese "
                     "regulators\").",
            "actor_text": _SPEAKER_TEXT,
            "actor_kind": _SPEAKER_KIND,
            "via_id": _VIA_ID,
            "via": _VIA,
            "target_id": "Entity id of what the action applies to (a company, chip, country), or null.",
            "target": "Name of the target; the target as written when it is no known entity.",
            "target_text": "The target as written in the article.",
            "action": "The action verb (lemma), e.g. restrict, ban, add, license.",
            "content": "What the action is, as extracted from the sentence.",
            "sentence": "The full sentence the action was read from.",
            "article_title": "Title of the article.",
            "source_url": "Link to the article as published (the address a reader opens).",
        },
    },
}
