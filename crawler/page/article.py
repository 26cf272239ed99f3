"""Article text and metadata from one HTML page (pure function over bytes or text; no network).

Text: trafilatura 2.x with comments excluded and ``favor_precision=True``. When that yields under
``SHORT_WORDS`` words, trafilatura's default (balanced) mode is run as well and its text is kept if it is at
least ``LONGER_FACTOR`` times longer: precision mode sometimes drops all but a caption or teaser of a page
whose body sits in unusual markup (a balanced text under ``MIN_FALLBACK_WORDS`` words, e.g. a lone menu link,
is ignored). The title is not prepended, and a first text line repeating it (an in-article ``<h1>``) is
dropped: the benchmark's ground truth never has it, and ``ExtractedPage.title`` holds it.

Measured on the shared 181-page benchmark (``benchmarks/extraction_f1.py``; word 4-gram shingle F1):

====================================================  ======  ======  ======
variant (all with comments excluded)                   P       R       F1
====================================================  ======  ======  ======
trafilatura defaults (comments *included*)             0.928   0.978   0.953
defaults, comments excluded                            0.942   0.978   0.960
favor_recall                                           0.941   0.979   0.959
include_tables=False                                   0.942   0.972   0.957
deduplicate=True                                       0.942   0.961   0.951
fast (no readability/justext fallback)                 0.946   0.979   0.962
favor_precision                                        0.958   0.971   0.964
favor_precision + fast                                 0.947   0.946   0.946
favor_precision + include_formatting                   0.954   0.968   0.961
favor_precision, balanced mode when short              0.962   0.976   0.969
**+ a first line repeating the title dropped (chosen)** 0.965   0.976   0.971
====================================================  ======  ======  ======

Trafilatura 2.0.0's own published output scores 0.958. The short-text rule is insensitive to its thresholds
(any of 30-200 words and 2-6x gives the same 0.969).
Metadata: title, byline, site name from trafilatura (meta tags, JSON-LD, markup); the publication date from
trafilatura's htmldate pass over the page's markup (meta tags, JSON-LD, ``<time>``, the URL; ``date_source``
``markup``), else, unless the caller has a date from a feed, sitemap or API (``date_hint``), htmldate's
extensive search of the page text (``find_date(original_date=True, extensive_search=True)``: a dateline is
found, but so can be any date the article mentions, and it is the slowest date step; ``date_source``
``text``). Every date passes :func:`aiwatch.crawler.page.dates.valid_date` (an invalid one counts as none).
The page's structure (article markup, or a list of headline links: :mod:`aiwatch.crawler.page.structure`)
is read from the same parse; language
from ``<html lang>``/``content-language``/``og:locale``. Bytes are decoded with a BOM, the declared charset
(argument or ``<meta>``), then a sniff, never raising; garbage input gives None.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import trafilatura
from aiwatch.crawler.page.dates import valid_date
from aiwatch.crawler.page.fingerprints import canonical_link
from aiwatch.crawler.page.structure import PageStructure, read_structure
from htmldate import find_date
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

log = logging.getLogger(__name__)

SHORT_WORDS = 100
LONGER_FACTOR = 3
MIN_FALLBACK_WORDS = 10
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\s(?:xml:)?lang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.I)
_CONTENT_LANGUAGE = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?([A-Za-z]{2,3})\b""",
    re.I,
)
_OG_LOCALE = re.compile(
    r"""<meta[^>]+property\s*=\s*["']og:locale["'][^>]+content\s*=\s*["']([A-Za-z]{2,3})""", re.I
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class ExtractedPage:
    """What the crawler stores about a page besides its URL."""

    text: str
    title: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 date (YYYY-MM-DD) or timestamp
    date_source: str | None = None  # 'markup' or 'text' when ``published`` is set
    language: str | None = None  # ISO 639 code, lower case
    site_name: str | None = None
    canonical_link: str | None = None  # absolute ``<link rel=canonical>`` target
    structure: PageStructure = PageStructure()


def _codec(name: str | bytes | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not name:
        return None
    label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        codec = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    # Browsers read latin-1 labels as windows-1252, a superset that maps 0x80-0x9f to printable characters.
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def declared_charset(data: bytes) -> str | None:
    """Charset declared inside the document (``<meta charset>``, http-equiv or XML declaration)."""
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _codec(match.group(1)) if match else None


def decode_html(data: bytes, encoding: str | None = None) -> str:
    """Decode page bytes: BOM, then ``encoding`` (e.g. from HTTP), then the in-page declaration, then a sniff.

    A declared single-byte charset loses to UTF-8 when the bytes are valid, non-ASCII UTF-8 (a frequent
    mislabelling); the last resort is windows-1252 with replacement characters, so this never raises.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    is_utf8 = True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        is_utf8 = False
    for candidate in (_codec(encoding), declared_charset(data)):
        if not candidate:
            continue
        if is_utf8 and candidate != "utf-8" and not data.isascii() and _single_byte(candidate):
            return data.decode("utf-8")
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    if is_utf8:
        return data.decode("utf-8")
    return _sniff(data)


def _single_byte(codec: str) -> bool:
    return codec.startswith(("cp", "iso8859", "latin", "windows", "koi8", "mac"))


def _sniff(data: bytes) -> str:
    """Best-guess decoding of undeclared, non-UTF-8 bytes."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # the sniffer is a heuristic; any failure falls through to cp1252
        log.debug("charset sniff failed", exc_info=True)
    return data.decode("cp1252", errors="replace")


def _language(html: str, detected: str | None) -> str | None:
    """Document language from trafilatura, else the page's own declarations."""
    if detected:
        return detected.split("-")[0].split("_")[0].lower()
    head = html[:_SNIFF_BYTES * 4]
    for pattern in (_HTML_LANG, _CONTENT_LANGUAGE, _OG_LOCALE):
        match = pattern.search(head)
        if match:
            return match.group(1).lower()
    return None


def _published(html: str, url: str | None, found: str | None,
               search_text: bool) -> tuple[str | None, str | None]:
    """(date, source): trafilatura's markup date (``markup``), else (``search_text``) htmldate's original
    publication date from an extensive search of the text (``text``); invalid dates count as none."""
    markup = valid_date(found) if found and _ISO_DATE.match(found) else None
    if markup:
        return markup, "markup"
    if not search_text:
        return None, None
    try:
        date = find_date(html, url=url, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate on hostile markup
        log.debug("htmldate failed on %s", url, exc_info=True)
        return None, None
    date = valid_date(date)
    return (date, "text") if date else (None, None)


def _site_name(found: str | None, url: str | None) -> str | None:
    if found:
        return found.strip() or None
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _clean(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    return value or None


def _strip_leading_title(text: str, title: str | None) -> str:
    """Drop a first line that repeats the title (an in-article ``<h1>``): the title is stored on its own."""
    first, _, rest = text.partition("\n")
    if title and rest and _words(first) == _words(title):
        return rest.lstrip()
    return text


def _words(value: str) -> list[str]:
    return re.findall(r"\w+", value.casefold())


def _balanced_text(html: str, url: str | None) -> str:
    """Text from trafilatura's default (balanced) mode, comments excluded."""
    return trafilatura.extract(html, url=url, include_comments=False, with_metadata=False) or ""


def extract_page(
    html: str | bytes, url: str | None = None, encoding: str | None = None, *, date_hint: str | None = None
) -> ExtractedPage | None:
    """Extract main text (comments excluded) and metadata; None when the page has no article text.

    ``encoding`` is the charset the server declared (HTTP ``Content-Type``), used for bytes input before the
    in-page declaration. ``date_hint``: the publication date a feed, sitemap or API gave for the page; then
    the page text is not searched for a date (``published`` stays None when the markup has none, and the
    caller uses its hint). Never raises: undecodable, malformed or empty input gives None.
    """
    try:
        text_html = decode_html(html, encoding) if isinstance(html, bytes) else html
        if not text_html or not text_html.strip():
            return None
        tree = load_html(text_html)  # parsed once: the metadata pass reads it, bare_extraction copies it
        if tree is None:
            return None
        link = canonical_link(tree, url) if url else None
        search_text = not date_hint
        # Markup only (leaves the tree as it was): a date from the text is searched for apart, so that its
        # source is known.
        metadata = extract_metadata(tree, default_url=url, extensive=False)
        doc = trafilatura.bare_extraction(
            tree, url=url, include_comments=False, favor_precision=True, with_metadata=False
        )
        text = (doc.text or "") if doc is not None else ""
        if len(text.split()) < SHORT_WORDS:
            balanced = _balanced_text(text_html, url)
            balanced_words = len(balanced.split())
            if balanced_words >= max(LONGER_FACTOR * len(text.split()), MIN_FALLBACK_WORDS):
                text = balanced
        text = text.strip()
        if not text:
            return None
        text = _strip_leading_title(text, metadata.title)
        if not text:
            return None
        published, date_source = _published(text_html, url, metadata.date, search_text)
        return ExtractedPage(
            text=text,
            title=_clean(metadata.title),
            byline=_clean(metadata.author),
            published=published,
            date_source=date_source,
            language=_language(text_html, metadata.language),
            site_name=_site_name(metadata.sitename, url),
            canonical_link=link,
            structure=read_structure(tree, text),
        )
    except Exception:  # garbage in, None out: the crawler logs and counts it as an error-free skip
        log.warning("extraction failed for %s", url or "<no url>", exc_info=True)
        return None
