"""Pure parsers for what the discovery spiders download: feeds, sitemaps and API JSON (bytes -> entries).

Each parser raises :class:`FormatError` with a short reason (``"HTML page"``, ``"not XML (line 3)"``) when
the document is not what it should be; spiders log it as ``feed URL: not a feed (reason)`` and go on.
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
from aiwatch.crawler.page.dates import valid_date
from lxml import etree

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for an uncompressed sitemap


class FormatError(ValueError):
    """A downloaded document is not in the expected format."""


@dataclass(frozen=True)
class Entry:
    """One article link found in a feed, sitemap or API response."""

    url: str
    fingerprint: str | None = None
    published: str | None = None  # ISO 8601
    title: str | None = None
    modified: str | None = None  # sitemap lastmod: not a publication date, but good for --since
    extra: tuple[tuple[str, Any], ...] = ()

    def hint(self, key: str, default: Any = None) -> Any:
        return dict(self.extra).get(key, default)


def _fingerprint(*parts: str | None) -> str:
    return hashlib.sha1("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]


def _looks_like_html(head: bytes) -> bool:
    return bool(re.search(rb"<!doctype html|<html[\s>]", head[:2048], re.I))


def _check_body(body: bytes) -> bytes:
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FormatError("empty body")
    if _looks_like_html(stripped):
        raise FormatError("HTML page")
    return stripped


def _iso_from_struct(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def parse_feed(body: bytes) -> list[Entry]:
    """Entries of an RSS 2.0/1.0 or Atom feed; :class:`FormatError` when the body is not a feed.

    A well-formed plain RSS 2.0 or Atom 1.0 feed is read with lxml (:func:`plain_feed_entries`, much faster
    on a long feed); feedparser reads everything else, and gives the same entries for the plain ones.
    """
    stripped = _check_body(body)
    if not stripped.startswith(b"<"):
        raise FormatError("not XML (line 1)")
    plain = plain_feed_entries(stripped)
    return plain if plain is not None else _feedparser_entries(stripped)


def _feedparser_entries(stripped: bytes) -> list[Entry]:
    parsed = feedparser.parse(stripped, sanitize_html=False, resolve_relative_uris=False)
    exc = parsed.get("bozo_exception")
    line = getattr(exc, "getLineNumber", lambda: None)() if exc is not None else None
    if not parsed.get("version"):
        raise FormatError(f"not XML (line {line})" if line else "no RSS or Atom root element")
    entries = []
    for item in parsed.entries:
        link = item.get("link") or next(
            (lk.get("href") for lk in item.get("links", []) if lk.get("href")), None
        )
        if not link:
            continue
        ident = item.get("id") or item.get("guid") or link
        # dict.get: FeedParserDict.get("updated") falls back to "published" with a deprecation warning.
        updated = dict.get(item, "updated") or ""
        published_raw = dict.get(item, "published") or ""
        published = _iso_from_struct(dict.get(item, "published_parsed") or dict.get(item, "updated_parsed"))
        entries.append(Entry(
            url=link.strip(),
            fingerprint=_fingerprint(ident, updated, published_raw, link),
            published=published,
            title=(item.get("title") or None),
        ))
    if line and not entries:
        raise FormatError(f"not XML (line {line})")
    return entries


ATOM_NS = "http://www.w3.org/2005/Atom"
_RSS1_NS = "http://purl.org/rss/1.0/"
_FEED_TITLE_PATHS = ("channel/title", f"{{{ATOM_NS}}}title", f"{{{_RSS1_NS}}}channel/{{{_RSS1_NS}}}title")


def feed_title(body: bytes) -> str | None:
    """The title of an RSS or Atom feed (its outlet's name, usually), or None.

    >>> feed_title(b"<rss><channel><title> Circuit  Ledger </title></channel></rss>")
    'Circuit Ledger'
    """
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
        root = etree.fromstring(_check_body(body), parser=parser)
    except (FormatError, etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    for path in _FEED_TITLE_PATHS:
        node = root.find(path)
        if node is not None:
            text = " ".join("".join(node.itertext()).split())
            return text or None
    return None
# Item children that cannot change what feedparser reports for link, id, dates or title.
_RSS_ITEM_CHILDREN = frozenset({
    "title", "link", "guid", "pubDate", "description", "category", "author", "comments", "enclosure",
    "source", "{http://purl.org/rss/1.0/modules/content/}encoded", "{http://purl.org/dc/elements/1.1/}creator",
})
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_ATOM_ENTRY_CHILDREN = frozenset(f"{{{ATOM_NS}}}{name}" for name in (
    "id", "title", "link", "updated", "published", "summary", "content", "author", "category",
    "contributor", "rights",
))
# Timestamps in the canonical forms both readers parse alike; anything else goes to feedparser.
_RFC822 = re.compile(r"(?:\w{3}, )?\d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d (?:[+-]\d{4}|GMT)")
_W3CDTF = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)")
_PLAIN_TEXT = re.compile(r"[<>]|^\s|\s$")  # markup (decoded from entities) and padding


class _NotPlain(Exception):
    """The feed uses something :func:`plain_feed_entries` leaves to feedparser."""


def _text(node: Any) -> str:
    """An element's text content, refusing what feedparser might rewrite (markup, padding)."""
    if len(node):
        raise _NotPlain
    text = node.text or ""
    if _PLAIN_TEXT.search(text):
        raise _NotPlain
    return text


def _rfc822(raw: str) -> str:
    if not _RFC822.fullmatch(raw):
        raise _NotPlain
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError):  # "31 Feb": feedparser decides what such a date means
        raise _NotPlain from None
    if value.tzinfo is None:  # "-0000": no known offset
        raise _NotPlain
    return value.astimezone(UTC).isoformat()


def _w3cdtf(raw: str) -> str:
    if not _W3CDTF.fullmatch(raw):
        raise _NotPlain
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _NotPlain from None
    return value.astimezone(UTC).isoformat()


def _rss_entry(item: Any) -> Entry | None:
    fields: dict[str, str] = {}
    permalink_guid = False
    for child in item:
        if not isinstance(child.tag, str) or child.tag not in _RSS_ITEM_CHILDREN:
            raise _NotPlain
        if child.tag in ("title", "link", "guid", "pubDate"):
            if child.tag in fields:
                raise _NotPlain
            fields[child.tag] = _text(child)
            permalink_guid |= child.tag == "guid" and child.get("isPermaLink", "true") != "false"
    link = fields.get("link")
    if not link:
        if permalink_guid:
            raise _NotPlain  # feedparser takes a permalink guid as the link
        return None  # no link at all: feedparser's entry is skipped too
    published_raw = fields.get("pubDate", "")
    return Entry(url=link, fingerprint=_fingerprint(fields.get("guid") or link, "", published_raw, link),
                 published=_rfc822(published_raw) if published_raw else None,
                 title=fields.get("title") or None)


def _atom_entry(entry: Any) -> Entry:
    fields: dict[str, str] = {}
    links: list[str] = []
    for child in entry:
        if not isinstance(child.tag, str) or child.tag not in _ATOM_ENTRY_CHILDREN:
            raise _NotPlain
        name = child.tag.rsplit("}", 1)[1]
        if name == "link":
            rel, href = child.get("rel", "alternate"), child.get("href")
            if rel == "alternate":
                if not href or child.get("type", "text/html") != "text/html" or _PLAIN_TEXT.search(href):
                    raise _NotPlain
                links.append(href)
        elif name in ("id", "title", "updated", "published"):
            if name in fields or child.get("type", "text") != "text":
                raise _NotPlain
            fields[name] = _text(child)
    if len(links) != 1:
        raise _NotPlain
    (link,) = links
    updated, published_raw = fields.get("updated", ""), fields.get("published", "")
    stamp = published_raw or updated
    return Entry(url=link, fingerprint=_fingerprint(fields.get("id") or link, updated, published_raw, link),
                 published=_w3cdtf(stamp) if stamp else None, title=fields.get("title") or None)


def plain_feed_entries(body: bytes) -> list[Entry] | None:
    """Entries of a well-formed RSS 2.0 or Atom 1.0 feed in its plainest form, read with lxml, exactly as
    feedparser would report them; None when the document holds anything else (then feedparser reads it).

    Plain means: no ``xml:base``, no entry elements beyond the common ones (extensions such as ``dc:date``
    or ``atom:link`` change feedparser's links, ids and dates), text without markup or padding,
    RFC 822 (RSS) or W3C (Atom) timestamps in their canonical forms, one alternate link per Atom entry.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None
    if root.xpath("//@xml:base"):
        return None
    try:
        if root.tag == "rss" and root.get("version") == "2.0":
            channels = [c for c in root if c.tag == "channel"]
            if len(channels) != 1:
                return None
            return [e for e in map(_rss_entry, channels[0].iterchildren("item")) if e is not None]
        if root.tag == f"{{{ATOM_NS}}}feed":
            return [e for e in map(_atom_entry, root.iterchildren(f"{{{ATOM_NS}}}entry")) if e is not None]
    except _NotPlain:
        return None
    return None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: ``index`` (entries are child sitemaps) or ``urlset`` (entries are pages)."""

    kind: str
    entries: list[Entry]


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> Sitemap:
    """Parse a sitemap, sitemap index or Google News sitemap (gzip accepted)."""
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
                body = fh.read(MAX_SITEMAP_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise FormatError(f"bad gzip ({exc})") from None
        if len(body) > MAX_SITEMAP_BYTES:
            raise FormatError("larger than 50 MB uncompressed")
    stripped = _check_body(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(stripped, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"not XML (line {exc.lineno})") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FormatError(f"root element <{kind}> is not a sitemap")
    child_tag = "url" if kind == "urlset" else "sitemap"
    entries = []
    for node in root:
        if _local(node.tag) != child_tag:
            continue
        fields: dict[str, str] = {}
        for sub in node.iter():
            name = _local(sub.tag)
            if name in ("loc", "lastmod", "publication_date", "title") and sub.text and name not in fields:
                fields[name] = sub.text.strip()
        loc = fields.get("loc")
        if not loc:
            continue
        lastmod = fields.get("lastmod")
        news_date = fields.get("publication_date")
        entries.append(Entry(
            url=loc,
            fingerprint=_fingerprint(lastmod or news_date) if (lastmod or news_date) else None,
            published=valid_date(news_date),  # "not a date" is no date
            title=fields.get("title"),
            modified=lastmod,
        ))
    return Sitemap("urlset" if kind == "urlset" else "index", entries)


def _load_json(body: bytes) -> Any:
    stripped = _check_body(body)
    try:
        return json.loads(stripped)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        snippet = stripped[:60].decode("utf-8", "replace").strip()
        raise FormatError(f"not JSON (line {line}): {snippet!r}") from None


def _gdelt_date(value: str | None) -> str | None:
    """GDELT ``seendate`` (``20250129T143000Z``) as ISO 8601."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


def parse_gdelt(body: bytes) -> list[Entry]:
    """Article entries of a GDELT DOC 2.0 ``mode=ArtList&format=json`` response."""
    data = _load_json(body)
    if not isinstance(data, dict):
        raise FormatError("JSON is not an object")
    articles = data.get("articles", [])
    if not isinstance(articles, list):
        raise FormatError("'articles' is not a list")
    entries = []
    for art in articles:
        if isinstance(art, dict) and isinstance(art.get("url"), str):
            entries.append(Entry(
                url=art["url"].strip(),
                published=_gdelt_date(art.get("seendate")),
                title=art.get("title") or None,
                extra=(("language", art.get("language")), ("domain", art.get("domain"))),
            ))
    return entries


@dataclass(frozen=True)
class FederalRegisterPage:
    entries: list[Entry]
    next_page_url: str | None


def parse_federal_register(body: bytes) -> FederalRegisterPage:
    """Documents of a Federal Register ``documents.json`` search response.

    Each entry's URL is the document's ``html_url`` (stable, stored as the article URL); the page to fetch
    for its text is ``extra['fetch_url']`` (``body_html_url``, else ``raw_text_url``, else ``html_url``).
    """
    data = _load_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise FormatError("not a Federal Register documents response")
    entries = []
    for doc in data.get("results", []):
        if not isinstance(doc, dict) or not doc.get("html_url") or not doc.get("document_number"):
            continue
        fetch_url = doc.get("body_html_url") or doc.get("raw_text_url") or doc["html_url"]
        pub = doc.get("publication_date")
        try:
            published = date.fromisoformat(pub).isoformat() if pub else None
        except ValueError:
            published = None
        entries.append(Entry(
            url=doc["html_url"],
            fingerprint=_fingerprint(doc["document_number"], pub, doc.get("type")),
            published=published,
            title=doc.get("title") or None,
            extra=(
                ("fetch_url", fetch_url),
                ("doc_number", str(doc["document_number"])),
                ("abstract", doc.get("abstract") or ""),
                ("doc_type", doc.get("type") or ""),
            ),
        ))
    next_url = data.get("next_page_url")
    return FederalRegisterPage(entries, next_url if isinstance(next_url, str) and next_url else None)


def parse_since(value: str) -> datetime:
    """A ``--since`` value (``YYYY-MM-DD`` or ISO 8601 datetime) as an aware UTC datetime."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_before(published: str | None, since: datetime | None) -> bool:
    """True when ``published`` is known and earlier than ``since`` (unknown dates are never filtered)."""
    if since is None or not published:
        return False
    try:
        when = parse_since(published)
    except ValueError:
        return False
    return when < since
