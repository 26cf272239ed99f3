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

# The names of an event's targets (entity names, then targets as written with no entity), comma-separated.
_NAMES = """(SELECT group_concat(name, ', ') FROM (
           SELECT t.name FROM json_each(e.target_ids) j JOIN entities t ON t.id = j.value
           UNION ALL SELECT j.value FROM json_each(e.target_texts) j))"""

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
    "accusation_events": """
SELECT e.id AS event_id,
       e.event_date,
       e.date_precision,
       e.date_source,
       e.date_expression,
       e.speaker_id AS accuser_id,
       coalesce(s.name, e.speaker_text) AS accuser,
       e.target_ids AS accused_ids,
       """ + _NAMES + """ AS accused,
       e.topic,
       c.sentence,
       e.first_article_id,
       a.title AS first_title,
       a.url AS first_url,
       e.first_outlet,
       e.first_published,
       e.first_seen,
       e.reports,
       e.independent_outlets,
       e.retellings,
       e.claims,
       t.status AS thread_status,
       e.updated_at
FROM events e
LEFT JOIN entities s ON s.id = e.speaker_id
LEFT JOIN claims c ON c.id = e.first_claim_id
LEFT JOIN articles a ON a.id = e.first_article_id
LEFT JOIN event_threads t ON t.thread_id = e.id
WHERE e.kind = 'accusation'
""",
    "threads": """
SELECT t.thread_id,
       t.thread_id AS event_id,
       t.status,
       e.event_date,
       e.date_precision,
       e.speaker_id AS accuser_id,
       coalesce(s.name, e.speaker_text) AS accuser,
       e.target_ids AS accused_ids,
       """ + _NAMES + """ AS accused,
       e.topic,
       t.responses,
       t.evidence,
       t.actions,
       t.last_date,
       e.reports,
       t.updated_at
FROM event_threads t
JOIN events e ON e.id = t.thread_id
LEFT JOIN entities s ON s.id = e.speaker_id
""",
    "thread_timeline": """
SELECT l.thread_id,
       l.event_id,
       l.relation,
       l.reason,
       l.days,
       e.kind,
       e.event_date,
       e.date_precision,
       e.speaker_id,
       coalesce(s.name, e.speaker_text) AS speaker,
       c.sentence,
       e.first_article_id AS article_id,
       a.title AS article_title,
       a.url AS article_url,
       e.first_outlet AS outlet,
       e.reports
FROM thread_links l
JOIN events e ON e.id = l.event_id
LEFT JOIN entities s ON s.id = e.speaker_id
LEFT JOIN claims c ON c.id = e.first_claim_id
LEFT JOIN articles a ON a.id = e.first_article_id
""",
    "first_reports": """
SELECT e.id AS event_id,
       e.kind,
       e.event_date,
       e.speaker_id,
       coalesce(s.name, e.speaker_text) AS speaker,
       e.first_article_id AS article_id,
       e.first_outlet AS outlet,
       a.title AS article_title,
       a.url AS article_url,
       e.first_published AS published,
       e.first_seen,
       e.reports,
       e.independent_outlets
FROM events e
LEFT JOIN entities s ON s.id = e.speaker_id
LEFT JOIN articles a ON a.id = e.first_article_id
""",
    "event_sentences": f"""
SELECT ec.event_id,
       e.kind,
       ec.claim_id,
       ec.article_id,
       r.role,
       coalesce(a.outlet, a.source) AS outlet,
       {PUBLISHED_DATE} AS date,
       ec.date_value AS claim_date,
       ec.date_precision AS claim_date_precision,
       ec.date_source AS claim_date_source,
       c.sentence,
       a.title AS article_title,
       a.url AS article_url
FROM event_claims ec
JOIN events e ON e.id = ec.event_id
JOIN claims c ON c.id = ec.claim_id
JOIN articles a ON a.id = ec.article_id
LEFT JOIN event_reports r ON r.event_id = ec.event_id AND r.article_id = ec.article_id
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

_EVENT_DATE = ("When the act happened, at its precision: 2026-02-23 (day; a week is its Monday), 2026-02 "
               "(month) or 2026 (year).")
_PRECISION = "Precision of event_date: day, week, month or year."
_DATE_SOURCE = ("Where event_date comes from: text (the sentence dates the act, e.g. \"on Monday\", \"in "
                "January 2025\", read relative to the article's date) or article (no report dates it: the "
                "first report's publication day).")
_ACCUSED_IDS = "JSON array of the entity ids of the accused (one event per act, however many targets)."
_STATUS = ("Thread status: alleged (nothing followed yet), disputed (a denial by the accused), corroborated "
           "(a third party repeated it) or acted_on (a government action naming a party followed).")

VIEW_DOCS.update({
    "accusation_events": {
        "description": "One row per accusation as a real-world act, however many articles retold it and "
                       "however many parties it names: dated when it was made (from the text, not the "
                       "article), with its first report, how many articles reported it and how many "
                       "independent outlets (syndicated copies count once). Supporting sentences: "
                       "event_sentences; what followed: threads.",
        "columns": {
            "event_id": "Stable id of the event (events.id).",
            "event_date": _EVENT_DATE,
            "date_precision": _PRECISION,
            "date_source": _DATE_SOURCE,
            "date_expression": "The words that date it (\"on Monday\"), when the text does.",
            "accuser_id": "Entity id of the accuser, or null when the speaker is no known entity.",
            "accuser": "Name of the accuser, or as written.",
            "accused_ids": _ACCUSED_IDS,
            "accused": "Names of the accused, comma-separated (targets with no entity as written).",
            "topic": "Topic of the claims: distillation or export-controls.",
            "sentence": "The sentence of the first report that states it.",
            "first_article_id": "Id of the first report: the earliest article (then the first fetched).",
            "first_title": "Title of the first report.",
            "first_url": "URL of the first report.",
            "first_outlet": "Outlet of the first report (articles.outlet).",
            "first_published": "Publication date of the first report.",
            "first_seen": "When aiwatch first fetched the first report (UTC).",
            "reports": "Articles reporting it (copies and retellings included).",
            "independent_outlets": "Publisher families reporting it: syndicated and near copies, and "
                                   "articles "
                                   "of one outlet, count once.",
            "retellings": "Reports published more than a few days after the first, outside its story.",
            "claims": "Supporting claims (sentences x targets).",
            "thread_status": _STATUS,
            "updated_at": "When its reports last changed (UTC): feeds update the entry then.",
        },
    },
    "threads": {
        "description": "One thread per accusation event: what followed it (denials, statements naming the "
                       "accuser, further accusations, government actions) and the status a reader sees at "
                       "a glance. Each link, with its reason, is in thread_timeline.",
        "columns": {
            "thread_id": "Thread id: the id of the accusation event it follows.",
            "event_id": "The accusation event (events.id).",
            "status": _STATUS,
            "event_date": _EVENT_DATE,
            "date_precision": _PRECISION,
            "accuser_id": "Entity id of the accuser.",
            "accuser": "Name of the accuser, or as written.",
            "accused_ids": _ACCUSED_IDS,
            "accused": "Names of the accused.",
            "topic": "Topic of the accusation.",
            "responses": "Denials and responses by the accused linked to it.",
            "evidence": "Later accusations of the same party linked to it (by the accuser or third parties).",
            "actions": "Government actions linked to it.",
            "last_date": "Start date of the latest thing that followed (or of the accusation).",
            "reports": "Articles reporting the accusation.",
            "updated_at": "When the thread's links or status last changed (UTC).",
        },
    },
    "thread_timeline": {
        "description": "The links of every thread, accusation -> responses -> actions, each with the reason "
                       "it was made (shared parties, topic, days apart) so a reader can judge it.",
        "columns": {
            "thread_id": "The thread (the accusation event's id).",
            "event_id": "The event that followed (events.id).",
            "relation": "denial, response (a statement naming the accuser), evidence (the accuser again), "
                        "corroboration (a third party) or action (a government action).",
            "reason": "Why the link was made: who, which parties, topic and days after the accusation.",
            "days": "Days from the accusation to the event.",
            "kind": "Claim kind of the event.",
            "event_date": _EVENT_DATE,
            "date_precision": _PRECISION,
            "speaker_id": "Entity id of who spoke or acted.",
            "speaker": "Name of who spoke or acted, or as written.",
            "sentence": "The sentence of the event's first report.",
            "article_id": "Id of the event's first report.",
            "article_title": "Title of that article.",
            "article_url": "URL of that article.",
            "outlet": "Outlet of that article.",
            "reports": "Articles reporting the event.",
        },
    },
    "first_reports": {
        "description": "Who reported each event first: the earliest article, its outlet and when aiwatch "
                       "first saw it.",
        "columns": {
            "event_id": "The event (events.id).",
            "kind": "Claim kind: accusation, denial, statement, policy_action or announcement.",
            "event_date": _EVENT_DATE,
            "speaker_id": "Entity id of the speaker or actor.",
            "speaker": "Name of the speaker, or as written.",
            "article_id": "Id of the first report.",
            "outlet": "Its outlet.",
            "article_title": "Its title.",
            "article_url": "Its URL.",
            "published": "Its publication date.",
            "first_seen": "When aiwatch first fetched it (UTC).",
            "reports": "Articles reporting the event.",
            "independent_outlets": "Publisher families reporting it (copies count once).",
        },
    },
    "event_sentences": {
        "description": "Every claim and sentence supporting each event, with the article, its outlet and "
                       "its role (first report, report, copy, retelling).",
        "columns": {
            "event_id": "The event (events.id).",
            "kind": "Claim kind of the event.",
            "claim_id": "The supporting claim (claims.id).",
            "article_id": "Its article.",
            "role": "The article's role: first, report (same story or days), copy (syndicated or near copy) "
                    "or retelling (a later article recounting it).",
            "outlet": "Outlet of the article.",
            "date": _DATE,
            "claim_date": "The date this sentence gives the act (or the article's day when it gives none).",
            "claim_date_precision": _PRECISION,
            "claim_date_source": "text or article (see accusation_events.date_source).",
            "sentence": "The sentence.",
            "article_title": "Title of the article.",
            "article_url": "URL of the article.",
        },
    },
})
