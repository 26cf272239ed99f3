"""Writing crawl results: articles (upsert by canonical URL), raw pages and the ``crawl_seen`` ledger.

Plain functions over a :mod:`sqlite3` connection from :func:`aiwatch.db.connect`; callers wrap one page's
writes in :func:`aiwatch.db.transaction` so a killed crawl never leaves half an article.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from aiwatch.crawler.items import PageItem
from aiwatch.crawler.page.fingerprints import SimHashIndex, simhash_hex, site_of
from aiwatch.crawler.store.compression import RAW_CODEC, compress_raw, decompress_raw

from aiwatch.runs import utcnow

# Outcomes after which a URL is not fetched again while its feed entry is unchanged.
FINAL_OUTCOMES = frozenset({"stored", "duplicate", "off_topic", "not_article", "unchanged"})


def _fingerprints(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def should_fetch(conn: sqlite3.Connection, key: str, origin: str, fingerprint: str | None) -> bool:
    """Whether the article at canonical URL ``key`` needs fetching.

    A URL is fetched when never decided, when its last attempt failed, or when the entry fingerprint that
    ``origin`` (the feed or sitemap that lists it) saw last time differs. Fingerprints are kept per
    origin, so a page listed in both a feed and a sitemap does not flip-flop; the first fingerprint an
    origin sees for an already decided URL is remembered without fetching.
    """
    row = conn.execute("SELECT outcome, fingerprint FROM crawl_seen WHERE url = ?", (key,)).fetchone()
    if row is None or row["outcome"] not in FINAL_OUTCOMES:
        return True
    if fingerprint is None:
        return False
    known = _fingerprints(row["fingerprint"])
    if origin not in known:
        known[origin] = fingerprint
        conn.execute("UPDATE crawl_seen SET fingerprint = ? WHERE url = ?", (json.dumps(known), key))
        return False
    return known[origin] != fingerprint


def record_seen(
    conn: sqlite3.Connection,
    key: str,
    outcome: str,
    *,
    origin: str = "",
    fingerprint: str | None = None,
    article_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Upsert the ledger row for ``key`` with the outcome of this fetch."""
    now = utcnow()
    row = conn.execute("SELECT fingerprint FROM crawl_seen WHERE url = ?", (key,)).fetchone()
    known = _fingerprints(row["fingerprint"] if row else None)
    if fingerprint is not None and origin:
        known[origin] = fingerprint
    conn.execute(
        "INSERT INTO crawl_seen (url, outcome, fingerprint, article_id, first_seen, last_seen, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET outcome = excluded.outcome, "
        "fingerprint = excluded.fingerprint, article_id = excluded.article_id, "
        "last_seen = excluded.last_seen, detail = excluded.detail",
        (key, outcome, json.dumps(known, sort_keys=True) if known else None, article_id, now, now, detail),
    )


def load_simhash_index(conn: sqlite3.Connection, max_distance: int) -> SimHashIndex:
    """Build the near-duplicate index over every stored article (one scan per crawl, not per article)."""
    index = SimHashIndex(max_distance)
    for row in conn.execute("SELECT id, simhash FROM articles WHERE simhash IS NOT NULL"):
        index.add(row["id"], int(row["simhash"], 16))
    return index


@dataclass(frozen=True)
class StoreResult:
    article_id: int
    action: str  # inserted | updated | unchanged
    duplicate_of: int | None
    newly_marked: int = 0  # articles (this one or earlier copies) marked as duplicates by this store


_ARTICLE_COLUMNS = (
    "url", "source", "outlet", "title", "byline", "published", "fetched_at", "language", "text", "topics",
    "relevance", "content_hash", "simhash", "kind", "doc_number", "word_count",
)


def _article_values(item: PageItem, now: str) -> dict[str, object]:
    assert item.canonical_url is not None
    return {
        "url": item.canonical_url,
        "source": site_of(item.canonical_url),
        "outlet": item.outlet or site_of(item.canonical_url),
        "title": item.title,
        "byline": item.byline,
        "published": item.published,
        "fetched_at": now,
        "language": item.language,
        "text": item.text,
        "topics": json.dumps(item.topics),
        "relevance": item.relevance,
        "content_hash": item.content_hash,
        "simhash": simhash_hex(item.simhash) if item.simhash is not None else None,
        "kind": item.kind,
        "doc_number": item.doc_number,
        "word_count": item.word_count,
    }


def _when(published: str | None) -> datetime | None:
    """``published`` as an aware UTC datetime (a bare date is its midnight UTC), None if unknown."""
    if not published:
        return None
    try:
        value = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _cluster_key(row: sqlite3.Row) -> tuple[bool, datetime, int]:
    when = _when(row["published"])
    return (when is None, when or datetime.max.replace(tzinfo=UTC), row["id"])


def link_duplicates(
    conn: sqlite3.Connection, article_id: int, index: SimHashIndex | None
) -> tuple[int | None, int]:
    """Point ``article_id`` and its exact/near copies at the earliest copy.

    Returns ``(duplicate_of of article_id, number of articles newly marked as duplicates)``.

    The earliest copy is the one published first (undated last), then the lowest id; it gets
    ``duplicate_of = NULL`` and every other member of the cluster points straight at it.
    """
    row = conn.execute("SELECT id, content_hash, simhash, duplicate_of FROM articles WHERE id = ?",
                       (article_id,)).fetchone()
    matches = {r["id"] for r in conn.execute(
        "SELECT id FROM articles WHERE content_hash = ? AND id != ?", (row["content_hash"], article_id))}
    if index is not None and row["simhash"]:
        matches |= {i for i in index.near(int(row["simhash"], 16)) if i != article_id}
    if not matches:
        if row["duplicate_of"] is not None:
            conn.execute("UPDATE articles SET duplicate_of = NULL WHERE id = ?", (article_id,))
        return None, 0
    ids = sorted(matches | {article_id})
    marks = ",".join("?" * len(ids))
    roots = {r["duplicate_of"] or r["id"] for r in conn.execute(
        f"SELECT id, duplicate_of FROM articles WHERE id IN ({marks})", ids)}
    rmarks = ",".join("?" * len(roots))
    members = conn.execute(
        f"SELECT id, published, duplicate_of FROM articles WHERE id IN ({marks}) OR id IN ({rmarks}) "
        f"OR duplicate_of IN ({rmarks})", [*ids, *roots, *roots]).fetchall()
    earliest = min(members, key=_cluster_key)["id"]
    marked = 0
    for member in members:
        target = None if member["id"] == earliest else earliest
        if member["duplicate_of"] != target:
            conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", (target, member["id"]))
            marked += member["duplicate_of"] is None
    return (None if article_id == earliest else earliest), marked


def store_article(conn: sqlite3.Connection, item: PageItem, index: SimHashIndex | None = None) -> StoreResult:
    """Insert or update the article for ``item.canonical_url`` and link its duplicates.

    An unchanged article (same content hash, title and date) is left untouched, so re-storing it writes
    nothing. A changed text goes back to the extract stage through the schema (``articles_text_changed``).
    """
    now = utcnow()
    values = _article_values(item, now)
    existing = conn.execute(
        "SELECT id, content_hash, title, published, byline, topics, outlet FROM articles WHERE url = ?",
        (values["url"],)).fetchone()
    if existing is not None:
        article_id = existing["id"]
        same = all(existing[c] == values[c]
                   for c in ("content_hash", "title", "published", "byline", "topics", "outlet"))
        if same:
            dup = conn.execute("SELECT duplicate_of FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
            return StoreResult(article_id, "unchanged", dup)
        assignments = ", ".join(f"{c} = :{c}" for c in _ARTICLE_COLUMNS if c != "url")
        conn.execute(f"UPDATE articles SET {assignments}, updated_at = :now WHERE id = :id",
                     {**values, "now": now, "id": article_id})
        action = "updated"
    else:
        cols = ", ".join(_ARTICLE_COLUMNS)
        marks = ", ".join(f":{c}" for c in _ARTICLE_COLUMNS)
        article_id = int(conn.execute(f"INSERT INTO articles ({cols}) VALUES ({marks})", values).lastrowid)
        action = "inserted"
    if index is not None and item.simhash is not None:
        index.add(article_id, item.simhash)
    duplicate_of, marked = link_duplicates(conn, article_id, index)
    return StoreResult(article_id, action, duplicate_of, marked)


def compressed_body(item: PageItem) -> bytes:
    """``item.body`` compressed for ``raw_pages`` (done by the page-processing worker when there is one)."""
    return item.body_compressed if item.body_compressed is not None else compress_raw(item.body)


def store_raw(conn: sqlite3.Connection, item: PageItem, article_id: int | None) -> None:
    """Keep the raw response (compressed body, headers, status) for offline re-extraction."""
    conn.execute(
        "INSERT INTO raw_pages (url, article_id, fetched_at, status, content_type, encoding, headers, body, "
        "body_size, compression) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
        "article_id = excluded.article_id, fetched_at = excluded.fetched_at, status = excluded.status, "
        "content_type = excluded.content_type, encoding = excluded.encoding, headers = excluded.headers, "
        "body = excluded.body, body_size = excluded.body_size, compression = excluded.compression",
        (item.response_url, article_id, utcnow(), item.status, item.content_type, item.encoding,
         json.dumps(item.headers, sort_keys=True), compressed_body(item), len(item.body), RAW_CODEC),
    )


def raw_body(conn: sqlite3.Connection, url: str) -> bytes | None:
    """The decompressed raw body stored for ``url`` (for re-extraction), whichever codec stored it."""
    row = conn.execute("SELECT body, compression FROM raw_pages WHERE url = ?", (url,)).fetchone()
    return decompress_raw(row[0], row[1]) if row and row[0] is not None else None
