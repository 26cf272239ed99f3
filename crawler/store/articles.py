"""Writing crawl results: articles (upsert by the dedupe key ``url_key``), raw pages and the ``crawl_seen``
ledger (keyed by :func:`aiwatch.urls.url_key` forms of addresses too).

Plain functions over a :mod:`sqlite3` connection from :func:`aiwatch.db.connect`; callers wrap one page's
writes in :func:`aiwatch.db.transaction` so a killed crawl never leaves half an article.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from aiwatch.crawler.items import PageItem
from aiwatch.crawler.page.dates import valid_date
from aiwatch.crawler.page.fingerprints import SimHashIndex, simhash_hex
from aiwatch.crawler.store.compression import RAW_CODEC, compress_raw, decompress_raw

from aiwatch.db import DATE_SOURCES
from aiwatch.runs import utcnow
from aiwatch.urls import site_of, url_key

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
    """Whether the article with address key ``key`` (:func:`aiwatch.urls.url_key`) needs fetching.

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
    "url", "url_key", "source", "outlet", "title", "byline", "published", "date_source", "fetched_at",
    "language", "text", "topics", "relevance", "content_hash", "simhash", "kind", "doc_number", "word_count",
)


def stored_date(published: str | None, source: str | None) -> tuple[str | None, str]:
    """(published, date_source) as stored: an invalid date is stored as missing (source ``none``).

    >>> stored_date("2025-13-45T99:99:99Z", "sitemap"), stored_date("2025-04-16", "markup")
    ((None, 'none'), ('2025-04-16', 'markup'))
    """
    published = valid_date(published)
    if published is None:
        return None, "none"
    return published, (source if source in DATE_SOURCES and source != "none" else "markup")


def _article_values(item: PageItem, now: str) -> dict[str, object]:
    assert item.article_url is not None and item.url_key is not None
    published, date_source = stored_date(item.published, item.date_source)
    return {
        "url": item.article_url,
        "url_key": item.url_key,
        "source": site_of(item.article_url),
        "outlet": item.outlet or site_of(item.article_url),
        "title": item.title,
        "byline": item.byline,
        "published": published,
        "date_source": date_source,
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


_COMPARED = ("content_hash", "title", "published", "date_source", "byline", "topics", "outlet")


def _existing(conn: sqlite3.Connection, key: str, url: str) -> sqlite3.Row | None:
    """The stored row of this article: by its key, else by its readable link (a row stored under a key
    computed otherwise, e.g. by an older aiwatch)."""
    columns = f"id, url, url_key, {', '.join(_COMPARED)}"
    row = conn.execute(f"SELECT {columns} FROM articles WHERE url_key = ?", (key,)).fetchone()
    return row or conn.execute(f"SELECT {columns} FROM articles WHERE url = ?", (url,)).fetchone()


def _free(conn: sqlite3.Connection, column: str, value: object, article_id: int) -> bool:
    return conn.execute(f"SELECT 1 FROM articles WHERE {column} = ? AND id != ?",
                        (value, article_id)).fetchone() is None


def _prefer_own_address(conn: sqlite3.Connection, existing: sqlite3.Row, values: dict[str, object]) -> None:
    """A row stored under a copy's address (an AMP page whose canonical article was not fetched yet) takes
    the article's own address when the article itself arrives: the link whose key is the row's key."""
    url, key = str(values["url"]), str(values["url_key"])
    if (existing["url"] != url and existing["url_key"] == key and url_key(existing["url"]) != key
            and url_key(url) == key and _free(conn, "url", url, existing["id"])):
        conn.execute("UPDATE articles SET url = ? WHERE id = ?", (url, existing["id"]))


def store_article(conn: sqlite3.Connection, item: PageItem, index: SimHashIndex | None = None) -> StoreResult:
    """Insert or update the article with key ``item.url_key`` and link its duplicates.

    An unchanged article (same content hash, title, date and date source) is left untouched, so re-storing
    it writes nothing, whichever variant of its address was fetched. A changed one also takes the newly
    fetched readable link (unless another row holds it). A changed text goes back to the extract stage
    through the schema (``articles_text_changed``).
    """
    now = utcnow()
    values = _article_values(item, now)
    existing = _existing(conn, str(values["url_key"]), str(values["url"]))
    if existing is not None:
        article_id = existing["id"]
        _prefer_own_address(conn, existing, values)
        if all(existing[c] == values[c] for c in _COMPARED):
            dup = conn.execute("SELECT duplicate_of FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
            return StoreResult(article_id, "unchanged", dup)
        # A copy's address never replaces the article's own one (see _prefer_own_address).
        own = (url_key(str(values["url"])) == values["url_key"]
               or url_key(existing["url"]) != existing["url_key"])
        columns = [c for c in _ARTICLE_COLUMNS if c not in ("url", "url_key")
                   or (own and _free(conn, c, values[c], article_id))]
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
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


def store_page(conn: sqlite3.Connection, item: PageItem, index: SimHashIndex | None = None) -> StoreResult:
    """One prepared page, inside the caller's transaction: the article, its raw page and the ``crawl_seen``
    rows of the link it was listed under and of its key (what the crawl and ``aiwatch ingest`` both do)."""
    result = store_article(conn, item, index)
    store_raw(conn, item, result.article_id)
    record_seen(conn, item.seen_key, "stored", origin=item.origin, fingerprint=item.fingerprint,
                article_id=result.article_id, detail=result.action)
    if item.url_key and item.url_key != item.seen_key:  # the fingerprint describes the link, not this key
        record_seen(conn, item.url_key, "stored", article_id=result.article_id, detail=result.action)
    return result


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
