"""The one home of the aiwatch schema: tables, indexes, full-text search, views and migrations.

Every stage opens the database through :func:`connect`, which applies pending migrations, so no stage ever
issues its own ``CREATE TABLE``. The schema contract lives in ``DESIGN.md``; columns added here beyond the
contract are documented in ``datasette_metadata.json``.

Migrations are an ordered list of SQL scripts (which may call :data:`SQL_FUNCTIONS`); ``PRAGMA user_version``
records how many have been applied.
A database written by a newer aiwatch (higher version than :data:`SCHEMA_VERSION`) is refused with
:class:`SchemaError` rather than silently misread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from aiwatch.urls import is_amp, readable_url, url_key

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

ENTITY_TYPES = (
    "ai_lab",
    "company",
    "government",
    "person",
    "ai_model",
    "chip",
    "policy",
    "country",
    "organization",
    "other",
)
CLAIM_KINDS = ("accusation", "denial", "statement", "policy_action", "announcement")
# Who a claim's speaker is, as written: a named entity, a person, a group ("Chinese officials"), a role ("a
# ministry spokesperson"), a document ("the report"), a news outlet, or nobody named ("sources said").
SPEAKER_KINDS = ("entity", "person", "group", "role", "document", "outlet", "anonymous")
# Where an article's date came from (articles.date_source): its markup, the feed or API entry that listed it,
# the sitemap entry, its text, or nowhere (published is NULL).
DATE_SOURCES = ("markup", "feed", "sitemap", "text", "none")
BUSY_TIMEOUT_MS = 30_000


class SchemaError(Exception):
    """The database cannot be used by this version of aiwatch."""


class DatabaseOpenError(Exception):
    """The database file cannot be opened or created."""


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# Each entry is one migration; never edit an applied one, append a new one.
def _pending_triggers(table: str, article: str, columns: str) -> str:
    """Triggers listing in ``graph_pending`` the article of each row of ``table`` inserted, deleted or changed
    in ``columns`` (the graph's inputs)."""
    return f"""
    CREATE TRIGGER graph_pending_{table}_ai AFTER INSERT ON {table} BEGIN
        INSERT OR IGNORE INTO graph_pending (article_id) VALUES (new.{article});
    END;
    CREATE TRIGGER graph_pending_{table}_ad AFTER DELETE ON {table} BEGIN
        INSERT OR IGNORE INTO graph_pending (article_id) VALUES (old.{article});
    END;
    CREATE TRIGGER graph_pending_{table}_au AFTER UPDATE OF {columns} ON {table} BEGIN
        INSERT OR IGNORE INTO graph_pending (article_id) VALUES (old.{article}), (new.{article});
    END;
    """


def _events_pending_triggers(table: str, article: str, columns: str) -> str:
    """Triggers listing in ``events_pending`` the article of each row of ``table`` inserted, deleted or
    changed in ``columns`` (the inputs of claim events, stories and threads)."""
    return _pending_triggers(table, article, columns).replace("graph_pending", "events_pending")


# Set (never committed) while a writer defers full-text indexing: see :func:`defer_search_index`.
FTS_DEFERRED_KEY = "fts_deferred"
_FTS_DEFERRED = f"EXISTS (SELECT 1 FROM aiwatch_meta WHERE key = '{FTS_DEFERRED_KEY}')"


# SQL functions the migrations may call (registered by migrate()): address forms from aiwatch.urls.
SQL_FUNCTIONS: dict[str, Callable[[str], object]] = {
    "aiwatch_readable_url": readable_url,
    "aiwatch_url_key": url_key,
    "aiwatch_is_amp": is_amp,
}


def register_functions(conn: sqlite3.Connection) -> None:
    """Make :data:`SQL_FUNCTIONS` callable from SQL on ``conn`` (NULL in, NULL out)."""
    for name, function in SQL_FUNCTIONS.items():
        conn.create_function(name, 1, lambda v, f=function: None if v is None else f(str(v)),
                             deterministic=True)


MIGRATIONS: list[str] = [
    # 1: the schema contract plus crawl bookkeeping.
    f"""
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        source TEXT,
        title TEXT,
        byline TEXT,
        published TEXT,
        fetched_at TEXT,
        language TEXT,
        text TEXT,
        topics TEXT NOT NULL DEFAULT '[]',
        relevance REAL,
        content_hash TEXT,
        simhash TEXT,
        duplicate_of INTEGER REFERENCES articles(id),
        kind TEXT NOT NULL DEFAULT 'article',
        doc_number TEXT,
        word_count INTEGER,
        extractor_version TEXT,
        updated_at TEXT
    );
    CREATE INDEX idx_articles_published ON articles(published);
    CREATE INDEX idx_articles_source ON articles(source);
    CREATE INDEX idx_articles_content_hash ON articles(content_hash);
    -- Partial: almost every article has duplicate_of NULL, so an index over the NULLs would only mislead the
    -- planner into using it for `duplicate_of IS NULL`.
    CREATE INDEX idx_articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
    CREATE INDEX idx_articles_extractor_version ON articles(extractor_version);
    -- Small covering indexes so facets, the crawler's near-duplicate index and joins that only need an
    -- article's date never read the (large) article rows: see benchmarks/datasette_scale.py.
    CREATE INDEX idx_articles_language ON articles(language);
    CREATE INDEX idx_articles_topics ON articles(topics, published, duplicate_of);
    CREATE INDEX idx_articles_published_date ON articles(date(published));
    CREATE INDEX idx_articles_simhash ON articles(simhash);
    CREATE INDEX idx_articles_dated ON articles(id, published, duplicate_of);

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;

    -- Raw responses, compressed, so articles can be re-extracted offline.
    CREATE TABLE raw_pages (
        url TEXT PRIMARY KEY,
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        fetched_at TEXT NOT NULL,
        status INTEGER,
        content_type TEXT,
        encoding TEXT,
        headers TEXT,
        body BLOB,
        body_size INTEGER
    );
    CREATE INDEX idx_raw_pages_article ON raw_pages(article_id);

    -- Every URL the crawler has decided about, so cron re-runs fetch only new or changed entries.
    CREATE TABLE crawl_seen (
        url TEXT PRIMARY KEY,
        outcome TEXT NOT NULL,
        fingerprint TEXT,
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        detail TEXT
    );

    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ({_in_list(ENTITY_TYPES)})),
        wikidata TEXT,
        description TEXT,
        curated INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX idx_entities_type ON entities(type);

    CREATE TABLE entity_aliases (
        alias TEXT NOT NULL,
        entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        PRIMARY KEY (alias, entity_id)
    );
    CREATE INDEX idx_entity_aliases_entity ON entity_aliases(entity_id);

    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL REFERENCES entities(id),
        text TEXT NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        sentence TEXT,
        sentence_start INTEGER
    );
    CREATE INDEX idx_mentions_article ON mentions(article_id);
    CREATE INDEX idx_mentions_entity ON mentions(entity_id, article_id);

    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        speaker_id TEXT REFERENCES entities(id),
        verb TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ({_in_list(CLAIM_KINDS)})),
        target_id TEXT REFERENCES entities(id),
        content TEXT,
        sentence TEXT NOT NULL,
        is_quote INTEGER NOT NULL DEFAULT 0 CHECK (is_quote IN (0, 1)),
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        confidence REAL,
        topic TEXT,
        negated INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX idx_claims_article ON claims(article_id);
    CREATE INDEX idx_claims_speaker ON claims(speaker_id, kind, negated, article_id);
    CREATE INDEX idx_claims_target ON claims(target_id, kind, negated, article_id);
    -- Covering for the kind-filtered lists (who accused whom, policy actions, feeds), newest first.
    CREATE INDEX idx_claims_kind ON claims(kind, negated, article_id, speaker_id, target_id);

    CREATE VIRTUAL TABLE claims_fts USING fts5(
        content, sentence, content='claims', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER claims_ai AFTER INSERT ON claims BEGIN
        INSERT INTO claims_fts(rowid, content, sentence) VALUES (new.id, new.content, new.sentence);
    END;
    CREATE TRIGGER claims_ad AFTER DELETE ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, content, sentence)
        VALUES ('delete', old.id, old.content, old.sentence);
    END;
    CREATE TRIGGER claims_au AFTER UPDATE OF content, sentence ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, content, sentence)
        VALUES ('delete', old.id, old.content, old.sentence);
        INSERT INTO claims_fts(rowid, content, sentence) VALUES (new.id, new.content, new.sentence);
    END;

    CREATE TABLE graph_nodes (
        entity_id TEXT PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE,
        degree INTEGER,
        pagerank REAL,
        betweenness REAL,
        community INTEGER,
        article_count INTEGER,
        first_seen TEXT,
        last_seen TEXT
    );

    CREATE TABLE graph_edges (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        target_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        weight REAL NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        evidence TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX idx_graph_edges_source ON graph_edges(source_id, kind);
    CREATE INDEX idx_graph_edges_target ON graph_edges(target_id, kind);

    CREATE TABLE aiwatch_meta (key TEXT PRIMARY KEY, value TEXT);

    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        stats TEXT NOT NULL DEFAULT '{{}}',
        error TEXT
    );
    """,
    # 2: what each article contributes to the graph, and which articles changed since the last graph build,
    # so `aiwatch graph` and `aiwatch update` move the graph by the changed articles only (graph/pipeline.py).
    f"""
    CREATE TABLE graph_contributions (
        article_id INTEGER NOT NULL,  -- no foreign key: a deleted article's rows wait to be taken back out
        kind TEXT NOT NULL,           -- 'entity', 'co_mention' or a claim kind
        source_id TEXT NOT NULL,
        target_id TEXT NOT NULL,      -- '' for 'entity'
        weight INTEGER NOT NULL,
        date TEXT,
        evidence TEXT,                -- claim edges: the article's claim ids, comma-separated
        PRIMARY KEY (article_id, kind, source_id, target_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_graph_contributions_key ON graph_contributions(kind, source_id, target_id, date);

    CREATE TABLE graph_pending (article_id INTEGER PRIMARY KEY);

    {_pending_triggers("mentions", "article_id", "article_id, entity_id, sentence, sentence_start")}
    {_pending_triggers("claims", "article_id", "article_id, speaker_id, target_id, kind, negated")}
    {_pending_triggers("articles", "id", "id, duplicate_of, published, fetched_at")}
    """,
    # 3: a writer may defer full-text indexing of the articles it inserts to the end of its transaction
    # (see defer_search_index): FTS5 writes its pending terms to disk at every savepoint and at every
    # statement that runs a trigger, so indexing each crawled page from the insert trigger cost twice what
    # one INSERT ... SELECT per batch costs.
    f"""
    CREATE TABLE articles_fts_pending (article_id INTEGER PRIMARY KEY);

    DROP TRIGGER articles_ai;
    DROP TRIGGER articles_ad;
    DROP TRIGGER articles_au;
    CREATE TRIGGER articles_ai AFTER INSERT ON articles WHEN NOT {_FTS_DEFERRED} BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_ai_deferred AFTER INSERT ON articles WHEN {_FTS_DEFERRED} BEGIN
        INSERT OR IGNORE INTO articles_fts_pending (article_id) VALUES (new.id);
    END;
    -- A row still waiting to be indexed is not in the index yet: it only leaves the waiting list (and an
    -- update needs nothing, since the flush reads the row as it is then).
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE article_id = old.id);
        DELETE FROM articles_fts_pending WHERE article_id = old.id;
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles
    WHEN NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE article_id = old.id) BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    """,
    # 4: raw bodies are stored zstd-compressed (crawler/store/compression.py); older rows hold zlib.
    """
    ALTER TABLE raw_pages ADD COLUMN compression TEXT NOT NULL DEFAULT 'zlib';
    """,
    # 5: a changed text sends the article back to the extract stage, whoever changed it (the crawler no
    # longer writes the extract stage's column).
    """
    CREATE TRIGGER articles_text_changed AFTER UPDATE OF text, content_hash ON articles
    WHEN old.content_hash IS NOT new.content_hash OR old.text IS NOT new.text BEGIN
        UPDATE articles SET extractor_version = NULL WHERE id = new.id;
    END;
    """,
    # 6: claim model v2. A claim keeps its speaker as written (text, offsets, kind) whether or not it resolves
    # to an entity, the channel it came through ("according to the WSJ", "told Reuters": via_id/via_text),
    # the cue and content spans, and the target as written (a named group such as "Chinese AI labs" has text
    # and no id). Existing rows get what is known without the article: the speaker's and target's entity
    # names as text, the speaker kind from the entity type (no speaker at all: anonymous); the offsets stay
    # NULL until the extract stage, whose version stamp changed with this migration, re-extracts them.
    # The full-text triggers and the graph triggers are unaffected: they read columns that do not change.
    f"""
    ALTER TABLE claims ADD COLUMN speaker_text TEXT;
    ALTER TABLE claims ADD COLUMN speaker_start INTEGER;
    ALTER TABLE claims ADD COLUMN speaker_end INTEGER;
    ALTER TABLE claims ADD COLUMN speaker_kind TEXT NOT NULL DEFAULT 'entity'
        CHECK (speaker_kind IN ({_in_list(SPEAKER_KINDS)}));
    ALTER TABLE claims ADD COLUMN via_id TEXT REFERENCES entities(id);
    ALTER TABLE claims ADD COLUMN via_text TEXT;
    ALTER TABLE claims ADD COLUMN cue_start INTEGER;
    ALTER TABLE claims ADD COLUMN cue_end INTEGER;
    ALTER TABLE claims ADD COLUMN target_text TEXT;
    ALTER TABLE claims ADD COLUMN content_start INTEGER;
    ALTER TABLE claims ADD COLUMN content_end INTEGER;

    UPDATE claims SET
        speaker_text = (SELECT e.name FROM entities e WHERE e.id = claims.speaker_id),
        speaker_kind = CASE
            WHEN speaker_id IS NULL THEN 'anonymous'
            WHEN (SELECT e.type FROM entities e WHERE e.id = claims.speaker_id) = 'person' THEN 'person'
            ELSE 'entity' END,
        target_text = (SELECT e.name FROM entities e WHERE e.id = claims.target_id);

    -- Facets and filters by speaker kind (claims table, latest_claims) read this index only.
    CREATE INDEX idx_claims_speaker_kind ON claims(speaker_kind, kind, negated, article_id);
    -- Partial: most claims come through no channel. Serves the entity page's "reported via" list, the
    -- via_id facet and the foreign-key check when a discovered entity is pruned.
    CREATE INDEX idx_claims_via ON claims(via_id, kind, negated, article_id) WHERE via_id IS NOT NULL;
    """,
    # 7: the readable link and the dedupe key become two columns (issue 16). `url` was the dedupe key; it is
    # copied to the new indexed `url_key` (UNIQUE: one row per article), and `url` becomes the address a
    # reader opens: where raw_pages kept a page fetched with status 200 for the article, its final fetched
    # address without tracking parameters, preferably one whose key is the article's key, then one that is
    # no AMP copy, then the latest (articles without such a page keep their key as link). `date_source` says
    # where `published` came from; for rows stored before it was recorded it is known only when there is no
    # date ('none') and for policy documents (the Federal Register API's date, 'feed'); other old rows keep
    # NULL (unknown) until re-crawled. A stored date that is not one becomes NULL ('none').
    f"""
    ALTER TABLE articles ADD COLUMN url_key TEXT;
    ALTER TABLE articles ADD COLUMN date_source TEXT CHECK (date_source IN ({_in_list(DATE_SOURCES)}));
    UPDATE articles SET url_key = url;
    CREATE UNIQUE INDEX idx_articles_url_key ON articles(url_key);
    UPDATE articles SET published = NULL WHERE published IS NOT NULL AND (date(published) IS NULL
        OR published NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]*');
    UPDATE articles SET date_source = CASE
        WHEN published IS NULL THEN 'none'
        WHEN kind = 'policy_document' THEN 'feed' END;
    -- (SQLite resolves no outer column in a subquery's ORDER BY: the ranks are computed one level down.)
    UPDATE OR IGNORE articles SET url = (
        SELECT link FROM (
            SELECT aiwatch_readable_url(r.url) AS link, r.fetched_at AS fetched_at,
                   aiwatch_url_key(aiwatch_readable_url(r.url)) = articles.url_key AS own,
                   aiwatch_is_amp(r.url) AS amp
            FROM raw_pages r
            WHERE r.article_id = articles.id AND r.status = 200
              AND (r.url LIKE 'http://%' OR r.url LIKE 'https://%'))
        ORDER BY own DESC, amp, fetched_at DESC, link DESC
        LIMIT 1)
    WHERE EXISTS (SELECT 1 FROM raw_pages r WHERE r.article_id = articles.id AND r.status = 200
                  AND (r.url LIKE 'http://%' OR r.url LIKE 'https://%'));
    """,
    # 8: crawl backoff (issue 18). A URL that failed (timeout, refused connection, server error) and a host
    # none of whose requests succeeded in a crawl are skipped by the next crawls until retry_after, which
    # doubles with each failing crawl in a row (crawler/store/backoff.py); a success removes the row.
    """
    CREATE TABLE crawl_backoff (
        kind TEXT NOT NULL CHECK (kind IN ('url', 'host')),
        target TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 1,
        last_error TEXT,
        last_failed_at TEXT NOT NULL,
        retry_after TEXT NOT NULL,
        PRIMARY KEY (kind, target)
    ) WITHOUT ROWID;
    """,
    # 9: outlets, claim events, stories and threads (graph/events/). `articles.outlet` is the publisher's
    # name (og:site_name, JSON-LD publisher, feed title, else the domain: older rows get the domain). An
    # event is one real-world act that any number of claims report (one row per act, not per retelling or
    # target); threads link an accusation event to the responses, evidence and government actions that
    # followed. `events_pending` lists the articles whose claims, date, duplicate status, outlet or text
    # changed since the last events update, so its cost follows the changed articles.
    f"""
    ALTER TABLE articles ADD COLUMN outlet TEXT;
    UPDATE articles SET outlet = source WHERE outlet IS NULL;
    CREATE INDEX idx_articles_outlet ON articles(outlet);

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ({_in_list(CLAIM_KINDS)})),
        speaker_key TEXT NOT NULL,
        speaker_id TEXT REFERENCES entities(id) ON DELETE SET NULL,
        speaker_text TEXT,
        target_ids TEXT NOT NULL DEFAULT '[]',
        target_texts TEXT NOT NULL DEFAULT '[]',
        topic TEXT,
        event_date TEXT,
        date_precision TEXT CHECK (date_precision IN ('day', 'week', 'month', 'year')),
        date_source TEXT CHECK (date_source IN ('text', 'article')),
        date_expression TEXT,
        first_article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        first_claim_id INTEGER,
        first_outlet TEXT,
        first_published TEXT,
        first_seen TEXT,
        reports INTEGER NOT NULL DEFAULT 0,
        independent_outlets INTEGER NOT NULL DEFAULT 0,
        retellings INTEGER NOT NULL DEFAULT 0,
        claims INTEGER NOT NULL DEFAULT 0,
        last_report TEXT,
        updated_at TEXT
    );
    CREATE INDEX idx_events_group ON events(kind, speaker_key);
    CREATE INDEX idx_events_date ON events(kind, event_date, id);

    CREATE TABLE event_claims (
        claim_id INTEGER PRIMARY KEY,  -- no foreign key: old rows of a re-extracted article wait
        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        article_id INTEGER NOT NULL,
        unit_key TEXT NOT NULL,
        date_value TEXT,
        date_precision TEXT,
        date_source TEXT,
        date_expression TEXT
    );
    CREATE INDEX idx_event_claims_event ON event_claims(event_id);
    CREATE INDEX idx_event_claims_article ON event_claims(article_id);

    CREATE TABLE event_reports (
        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('first', 'report', 'copy', 'retelling')),
        family INTEGER NOT NULL,
        claims INTEGER NOT NULL,
        PRIMARY KEY (event_id, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_event_reports_article ON event_reports(article_id);

    -- Each event's speaker and targets with its kind and date, so "the latest accusations of X before a day"
    -- is one index range read, however many events X is party to.
    CREATE TABLE event_parties (
        entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('speaker', 'target')),
        kind TEXT NOT NULL,
        event_date TEXT NOT NULL DEFAULT '',
        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        PRIMARY KEY (entity_id, role, kind, event_date, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_event_parties_event ON event_parties(event_id);

    CREATE TABLE event_threads (
        thread_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('alleged', 'disputed', 'corroborated', 'acted_on')),
        responses INTEGER NOT NULL DEFAULT 0,
        evidence INTEGER NOT NULL DEFAULT 0,
        actions INTEGER NOT NULL DEFAULT 0,
        last_date TEXT,
        updated_at TEXT
    );
    CREATE INDEX idx_event_threads_status ON event_threads(status, thread_id);

    CREATE TABLE thread_links (
        thread_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        relation TEXT NOT NULL CHECK (relation IN ('denial', 'response', 'evidence', 'corroboration',
                                                   'action')),
        reason TEXT NOT NULL,
        days INTEGER,
        PRIMARY KEY (thread_id, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_thread_links_event ON thread_links(event_id);

    CREATE TABLE article_stories (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL,
        day TEXT,
        minhash BLOB
    );
    CREATE INDEX idx_article_stories_story ON article_stories(story_id);
    CREATE INDEX idx_article_stories_day ON article_stories(day);

    CREATE TABLE story_links (
        a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        similarity REAL NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE INDEX idx_story_links_b ON story_links(b);

    CREATE TABLE events_pending (article_id INTEGER PRIMARY KEY);
    {_events_pending_triggers("claims", "article_id",
                              "article_id, speaker_id, speaker_text, target_id, target_text, kind, negated, "
                              "topic, sentence")}
    {_events_pending_triggers("articles", "id", "id, published, fetched_at, duplicate_of, outlet, text")}
    INSERT OR IGNORE INTO events_pending (article_id) SELECT id FROM articles;
    """,
    # 10: the days an event's act can have happened, as grouping compares them (`span_start`, `span_end`),
    # so an update regroups only the stored events whose span meets the changed claims' dates, not the whole
    # history of their speaker. Filled by the next events update (a full rebuild: the events state changes).
    """
    ALTER TABLE events ADD COLUMN span_start TEXT;
    ALTER TABLE events ADD COLUMN span_end TEXT;
    CREATE INDEX idx_events_span ON events(kind, speaker_key, span_end);
    """,
    # 11: article search counts syndicated copies once without reading one article row per match. The
    # copies (`duplicate_of` set) that are in `articles_fts` are indexed a second time in the small
    # contentless `article_copies_fts`, so "matching articles, copies once" is two index counts (the
    # search_articles canned query); newest-first article lists read the partial index of originals.
    # The copies' triggers follow the ones of `articles_fts` (an article waiting in `articles_fts_pending`
    # is in neither index; `flush_search_index` indexes it in both).
    f"""
    CREATE VIRTUAL TABLE article_copies_fts USING fts5(
        title, text, content='', tokenize='porter unicode61'
    );
    INSERT INTO article_copies_fts(rowid, title, text)
    SELECT id, title, text FROM articles WHERE duplicate_of IS NOT NULL
      AND id NOT IN (SELECT article_id FROM articles_fts_pending);
    CREATE TRIGGER article_copies_ai AFTER INSERT ON articles
    WHEN new.duplicate_of IS NOT NULL AND NOT {_FTS_DEFERRED} BEGIN
        INSERT INTO article_copies_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER article_copies_au AFTER UPDATE OF title, text, duplicate_of ON articles
    WHEN (old.duplicate_of IS NOT NULL OR new.duplicate_of IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE article_id = old.id) BEGIN
        INSERT INTO article_copies_fts(article_copies_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text WHERE old.duplicate_of IS NOT NULL;
        INSERT INTO article_copies_fts(rowid, title, text)
        SELECT new.id, new.title, new.text WHERE new.duplicate_of IS NOT NULL;
    END;
    -- One delete trigger for both indexes: the copy must leave its index before the row leaves the list.
    DROP TRIGGER articles_ad;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE article_id = old.id);
        INSERT INTO article_copies_fts(article_copies_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text
        WHERE old.duplicate_of IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE article_id = old.id);
        DELETE FROM articles_fts_pending WHERE article_id = old.id;
    END;
    CREATE INDEX idx_articles_newest ON articles(published) WHERE duplicate_of IS NULL;
    """,
]


SCHEMA_VERSION = len(MIGRATIONS)


def views_digest(views: dict[str, str]) -> str:
    """Fingerprint of the view definitions, stored in the database to detect changes."""
    blob = "\n".join(f"{name}\n{sql}" for name, sql in sorted(views.items()))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def ensure_views(conn: sqlite3.Connection) -> None:
    """(Re)create the views of :mod:`aiwatch.views` when their definitions changed."""
    from aiwatch.views import VIEWS

    digest = views_digest(VIEWS)
    if get_meta(conn, "views_digest") == digest:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        existing = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
        for name in existing:
            conn.execute(f"DROP VIEW IF EXISTS [{name}]")
        for name, sql in VIEWS.items():
            conn.execute(f"CREATE VIEW [{name}] AS {sql}")
        set_meta(conn, "views_digest", digest)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the number of migrations applied to ``conn``'s database."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations in one transaction each; return the resulting version."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema version {current} is newer than this aiwatch supports ({SCHEMA_VERSION}); "
            "upgrade aiwatch"
        )
    if current < SCHEMA_VERSION:
        register_functions(conn)
    for number in range(current, SCHEMA_VERSION):
        script = MIGRATIONS[number]
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-check under the write lock: another process may have migrated meanwhile.
            if schema_version(conn) > number:
                conn.execute("COMMIT")
                continue
            for statement in _split_sql(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.debug("applied schema migration %d", number + 1)
    ensure_views(conn)
    return schema_version(conn)


def _split_sql(script: str) -> Iterator[str]:
    """Split a migration script into complete statements (triggers contain inner semicolons)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement:
                yield statement
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


def configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings: foreign keys, busy timeout, WAL, row access by name."""
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        log.warning("database could not switch to WAL mode (journal_mode=%s)", mode)
    conn.execute("PRAGMA synchronous = NORMAL")


def check_writable(db_path: str | os.PathLike[str]) -> None:
    """Refuse a database a writing command could not (or must not) write, with one line naming it.

    A file without any write permission bit counts as read-only even for root, who could write it anyway:
    the operator marked it so on purpose (a backup, a published copy). Every writing command (``crawl``,
    ``extract``, ``graph``, ``update``, ``ingest``, ``demo``) calls this before opening the file.
    """
    path = Path(db_path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise DatabaseOpenError(f"database {path}: directory {parent} does not exist")
    if path.is_dir():
        raise DatabaseOpenError(f"database {path}: is a directory")
    if path.exists():
        mode = path.stat().st_mode
        if not os.access(path, os.R_OK):
            raise DatabaseOpenError(f"database {path}: file is not readable")
        if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise DatabaseOpenError(f"database {path}: file is read-only")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DatabaseOpenError(f"database {path}: directory {parent} is not writable "
                                "(SQLite needs it for the WAL and lock files)")


def connect(path: str | os.PathLike[str], *, migrate_schema: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the aiwatch database at ``path``, configured and migrated.

    The connection is in autocommit mode (``isolation_level=None``); use :func:`transaction` for
    atomic multi-statement writes.
    """
    target = Path(path)
    if str(path) != ":memory:":
        if target.is_dir():
            raise DatabaseOpenError(f"database path {str(path)!r} is a directory")
        if not target.parent.exists():
            raise DatabaseOpenError(f"database directory {str(target.parent)!r} does not exist")
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
        configure(conn)
        if migrate_schema:
            migrate(conn)
            _finish_deferred_indexing(conn)
    except sqlite3.DatabaseError as exc:
        raise DatabaseOpenError(f"cannot open database {str(path)!r}: {exc}") from exc
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block inside ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolling back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def defer_search_index(conn: sqlite3.Connection) -> None:
    """Until :func:`flush_search_index`, articles inserted in ``conn``'s open transaction are listed in
    ``articles_fts_pending`` instead of being indexed one by one.

    The switch is a row of ``aiwatch_meta`` that the flush deletes before its transaction commits, so no
    other connection ever sees it, and a transaction that rolls back takes it (and the list) with it.
    """
    conn.execute("INSERT OR IGNORE INTO aiwatch_meta (key, value) VALUES (?, '1')", (FTS_DEFERRED_KEY,))


def flush_search_index(conn: sqlite3.Connection) -> int:
    """Index the listed articles in one statement, empty the list and end the deferral (inside the open
    transaction, as its last write before ``COMMIT``); return how many were indexed."""
    indexed = conn.execute(
        "INSERT INTO articles_fts(rowid, title, text) SELECT a.id, a.title, a.text "
        "FROM articles_fts_pending AS p JOIN articles AS a ON a.id = p.article_id").rowcount
    conn.execute(
        "INSERT INTO article_copies_fts(rowid, title, text) SELECT a.id, a.title, a.text "
        "FROM articles_fts_pending AS p JOIN articles AS a ON a.id = p.article_id "
        "WHERE a.duplicate_of IS NOT NULL")
    conn.execute("DELETE FROM articles_fts_pending")
    conn.execute("DELETE FROM aiwatch_meta WHERE key = ?", (FTS_DEFERRED_KEY,))
    return indexed


def _finish_deferred_indexing(conn: sqlite3.Connection) -> None:
    """Index what a deferral left behind; only a writer that committed without :func:`flush_search_index`
    (or a hand-made ``aiwatch_meta`` row) can leave anything, and then nothing stays unsearchable."""
    left = f"SELECT {_FTS_DEFERRED} OR EXISTS (SELECT 1 FROM articles_fts_pending)"
    if conn.execute(left).fetchone()[0]:
        with transaction(conn):
            count = flush_search_index(conn)
        log.warning("indexed %d articles a deferred full-text indexing had left behind", count)


def tuple_cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor on ``conn`` yielding plain tuples, whatever the connection's row factory (faster over many
    rows than ``sqlite3.Row``)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """The ``aiwatch_meta`` value stored under ``key``, or ``None``."""
    row = conn.execute("SELECT value FROM aiwatch_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key`` in ``aiwatch_meta``."""
    conn.execute("INSERT INTO aiwatch_meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def table_counts(conn: sqlite3.Connection, tables: tuple[str, ...] = ("articles", "entities", "mentions",
                 "claims", "graph_nodes", "graph_edges")) -> dict[str, int]:
    """Row counts of the main tables, for summaries and run stats."""
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
