"""Run the extraction stage over the database: articles in, entities/mentions/claims out.

Incremental and safe to kill: an article counts as done when ``articles.extractor_version`` equals
:func:`current_version` (code version plus KB digest), which is set in the same transaction that
replaces the article's mentions and claims. ``rebuild`` first clears every stamp (one statement), so a
killed rebuild is finished by a plain run. The curated KB is upserted first
(:func:`aiwatch.extract.kb.save_kb`);
discovered entities are inserted with ``curated = 0`` and never overwrite a row that already exists.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

from aiwatch.extract.claims import MIN_CONFIDENCE
from aiwatch.extract.kb import KBEntity, load_kb, save_kb
from aiwatch.extract.pipeline import build_nlp, resolve_model_name
from aiwatch.extract.workers import CLAIM_COLUMNS, ArticleRows, process_texts
from spacy.language import Language
from tqdm import tqdm

from aiwatch.db import transaction

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

# Bump whenever the rows produced for the same text would change (pipeline, lexicons, KB handling). The
# stamp stored per article also carries a digest of the KB (see :func:`current_version`), so editing the
# knowledge base makes the next run reprocess every article.
EXTRACTOR_VERSION = "extract-2"  # 2: claim model v2 rows (speaker as written, channel, spans; schema 6)
# Longest text given to spaCy (a long news feature is ~60,000 characters; spaCy's own limit is 1,000,000).
MAX_TEXT_CHARS = 300_000


def current_version(entities: list[KBEntity]) -> str:
    """The per-article stamp: code version plus a digest of the knowledge base it ran with."""
    blob = json.dumps([[e.id, e.type, sorted(e.all_aliases())] for e in entities], ensure_ascii=False)
    return f"{EXTRACTOR_VERSION}+kb.{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


@dataclass
class ExtractStats:
    """What one run did; ``summary()`` is the one-line report."""

    articles: int = 0
    mentions: int = 0
    claims: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    discovered: int = 0
    pruned: int = 0
    errors: int = 0
    words: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"extract: {self.articles} articles, {self.mentions} mentions, {self.claims} claims "
            f"({self.kinds.get('accusation', 0)} accusations), {self.errors} errors in {self.seconds:.1f}s"
        )

    def as_dict(self) -> dict:
        return asdict(self)


def pending_articles(conn: sqlite3.Connection, version: str, limit: int | None = None) -> list[int]:
    """Ids of articles not yet processed by extractor ``version``, oldest first."""
    # Three index searches (no scan of the article rows, which hold the texts), sorted here.
    sql = (
        "SELECT id FROM articles WHERE extractor_version IS NULL UNION ALL "
        "SELECT id FROM articles WHERE extractor_version < ?1 UNION ALL "
        "SELECT id FROM articles WHERE extractor_version > ?1"
    )
    ids = sorted(row[0] for row in conn.execute(sql, (version,)))
    return ids[:limit] if limit else ids


def iter_texts(conn: sqlite3.Connection, ids: Sequence[int], chunk: int = 200) -> Iterator[tuple[str, int]]:
    """(text, article id) pairs for ``ids``, read in chunks so memory stays flat.

    Texts longer than :data:`MAX_TEXT_CHARS` are cut to that prefix (offsets stay valid) with a warning, so
    one giant page cannot exhaust the parser's memory.
    """
    for offset in range(0, len(ids), chunk):
        part = ids[offset : offset + chunk]
        marks = ",".join("?" * len(part))
        rows = {
            r[0]: r[1] for r in conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", part)
        }
        for article_id in part:
            if article_id in rows:
                text = rows[article_id] or ""
                if len(text) > MAX_TEXT_CHARS:
                    log.warning(
                        "article %d: %d characters, only the first %d are extracted",
                        article_id,
                        len(text),
                        MAX_TEXT_CHARS,
                    )
                    text = text[:MAX_TEXT_CHARS]
                yield text, article_id


def _insert_claim_sql() -> str:
    """One claim row in :data:`CLAIM_COLUMNS` order; what the row leaves NULL and the entities table knows is
    filled in: the speaker's, target's and channel's names as their text, the speaker kind from the
    speaker's entity type (``person``, else ``entity``; no speaker at all: ``anonymous``)."""
    at = {name: f"?{i}" for i, name in enumerate(CLAIM_COLUMNS, 1)}

    def name_of(column: str) -> str:
        return f"(SELECT name FROM entities WHERE id = {at[column]})"

    values = dict(at)
    values["speaker_text"] = f"coalesce({at['speaker_text']}, {name_of('speaker_id')})"
    values["via_text"] = f"coalesce({at['via_text']}, {name_of('via_id')})"
    values["target_text"] = f"coalesce({at['target_text']}, {name_of('target_id')})"
    values["speaker_kind"] = (
        f"coalesce({at['speaker_kind']}, CASE WHEN {at['speaker_id']} IS NULL THEN 'anonymous' "
        f"WHEN (SELECT type FROM entities WHERE id = {at['speaker_id']}) = 'person' THEN 'person' "
        "ELSE 'entity' END)"
    )
    return (
        f"INSERT INTO claims ({', '.join(CLAIM_COLUMNS)}) "
        f"SELECT {', '.join(values[name] for name in CLAIM_COLUMNS)}"
    )


INSERT_CLAIM_SQL = _insert_claim_sql()
_KIND, _NEGATED = CLAIM_COLUMNS.index("kind"), CLAIM_COLUMNS.index("negated")
_ENTITY_COLUMNS = {CLAIM_COLUMNS.index(name): name for name in ("speaker_id", "via_id", "target_id")}


def known_entities_only(conn: sqlite3.Connection, article_id: int, claims: list[tuple]) -> list[tuple]:
    """``claims`` with any speaker, channel or target id that names no row of ``entities`` set to NULL
    (logged): such a claim is stored with what is known (its texts) instead of failing the article's
    foreign keys and losing every row of it."""
    wanted = {row[i] for row in claims for i in _ENTITY_COLUMNS if row[i] is not None}
    if not wanted:
        return claims
    marks = ",".join("?" * len(wanted))
    known = {r[0] for r in conn.execute(f"SELECT id FROM entities WHERE id IN ({marks})", sorted(wanted))}
    if wanted <= known:
        return claims
    fixed = []
    for row in claims:
        values = list(row)
        for i, name in _ENTITY_COLUMNS.items():
            if values[i] is not None and values[i] not in known:
                log.warning("article %d: claim %s %r is no entity; stored as text only", article_id, name,
                            values[i])
                values[i] = None
        fixed.append(tuple(values))
    return fixed


# A discovered entity seen under several spellings ("NEW YORK" in a dateline, "New York" in text) keeps the
# one that sorts first by (all capitals, name, type): the result does not depend on article order, which
# follows crawl arrival order and differs between runs.
DISCOVERED_NAME_SQL = (
    "UPDATE entities SET name = ?1, type = ?2 WHERE id = ?3 AND curated = 0 "
    "AND (?1 = upper(?1), ?1, ?2) < (name = upper(name), name, type)"
)


def save_rows(
    conn: sqlite3.Connection, rows: ArticleRows, version: str = EXTRACTOR_VERSION
) -> tuple[int, int, dict[str, int], int]:
    """Replace one article's mentions and claims and stamp it, in one transaction."""
    article_id, entities, mentions, claims = rows.article_id, rows.entities, rows.mentions, rows.claims
    with transaction(conn):
        added = 0
        for entity in entities:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO entities (id, name, type, curated) VALUES (?, ?, ?, 0)", entity
            ).rowcount
            added += inserted
            if not inserted:  # keep the preferred spelling whatever order articles arrive in
                conn.execute(DISCOVERED_NAME_SQL, (entity[1], entity[2], entity[0]))
            conn.execute(
                "INSERT OR IGNORE INTO entity_aliases (alias, entity_id) VALUES (?, ?)",
                (entity[1], entity[0]),
            )
        conn.execute("DELETE FROM claims WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence, "
            "sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?)",
            mentions,
        )
        conn.executemany(INSERT_CLAIM_SQL, known_entities_only(conn, article_id, claims))
        conn.execute("UPDATE articles SET extractor_version = ? WHERE id = ?", (version, article_id))
    kinds: dict[str, int] = {}
    for row in claims:
        if not row[_NEGATED]:
            kinds[row[_KIND]] = kinds.get(row[_KIND], 0) + 1
    return len(mentions), len(claims), kinds, added


def run_extract(
    conn: sqlite3.Connection,
    *,
    model: str = "",
    rebuild: bool = False,
    workers: int = 1,
    batch_size: int = 8,
    limit: int | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    progress: bool = False,
    nlp: Language | None = None,
    entities: list[KBEntity] | None = None,
    on_progress=None,
) -> ExtractStats:
    """Extract every pending article (all with ``rebuild``); return the stats of the run.

    ``nlp``/``entities`` may be passed in to reuse a loaded pipeline (tests, benchmarks);
    ``on_progress(stats)`` is called every few articles (the CLI records it in the ``runs`` row).
    """
    started = time.perf_counter()
    if nlp is None:
        resolve_model_name(model)  # fail before touching the database when the model is missing
    entities = load_kb() if entities is None else entities
    save_kb(conn, entities)
    if rebuild:
        conn.execute("UPDATE articles SET extractor_version = NULL WHERE extractor_version IS NOT NULL")
    version = current_version(entities)
    ids = pending_articles(conn, version, limit)
    stats = ExtractStats()
    if not ids:
        stats.pruned = prune_discovered(conn)
        stats.seconds = time.perf_counter() - started
        return stats
    nlp = nlp or build_nlp(entities, model=model, min_confidence=min_confidence)
    bar = tqdm(total=len(ids), unit="article", file=sys.stderr, disable=not progress, desc="extract")
    try:
        for rows in process_texts(nlp, iter_texts(conn, ids), workers=workers, batch_size=batch_size):
            try:
                mentions, claims, kinds, added = save_rows(conn, rows, version)
            except sqlite3.Error as exc:
                stats.errors += 1
                log.warning("article %d: not saved: %s", rows.article_id, exc)
                continue
            finally:
                bar.update(1)
            stats.articles += 1
            stats.mentions += mentions
            stats.claims += claims
            stats.discovered += added
            stats.words += rows.words
            for kind, n in kinds.items():
                stats.kinds[kind] = stats.kinds.get(kind, 0) + n
            if on_progress is not None and stats.articles % 50 == 0:
                on_progress(stats)
    finally:
        bar.close()
        stats.seconds = time.perf_counter() - started
    stats.pruned = prune_discovered(conn)
    return stats


def prune_discovered(conn: sqlite3.Connection) -> int:
    """Delete discovered (non-curated) entities no mention or claim (as speaker, target or channel) refers to
    any more; return how many.

    Re-extraction can drop a discovered name (a better KB alias, a new junk rule); its entity row, aliases
    and graph rows (by cascade) go with it, so the tables never show names no article supports.
    """
    with transaction(conn):
        return conn.execute(
            "DELETE FROM entities WHERE curated = 0 "
            "AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = entities.id) "
            "AND NOT EXISTS (SELECT 1 FROM claims c "
            "WHERE c.speaker_id = entities.id OR c.target_id = entities.id) "
            "AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.via_id = entities.id)"
        ).rowcount
