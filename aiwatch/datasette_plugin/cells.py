"""How the cells of canned queries and views read: names linking to entity pages, article titles linking to
the article, one date format, search matches highlighted, feed entries as HTML.

Pure functions of a cell's value and its row, called by the plugin's ``render_cell`` hook; each returns
:class:`markupsafe.Markup` (everything from the database escaped) or ``None`` to leave the cell alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

# A name column and the id column (in the same row) of the entity it names.
NAME_IDS = {
    "accuser": "accuser_id", "accused": "accused_id", "speaker": "speaker_id", "target": "target_id",
    "via": "via_id", "actor": "actor_id", "responder": "responder_id", "aimed_at": "aimed_at_id",
    "entity": "entity_id", "source": "source_id", "from_entity": "from_id", "to_entity": "to_id",
    "other": "other_id",
}
# A title column and the column holding the address it names.
TITLE_URLS = {"article": "article_url", "article_title": "article_url", "title": "url"}
TITLE_URL_FALLBACK = {"article_title": "source_url"}
DATE_COLUMNS = frozenset({"date", "published", "fetched_at", "first_seen", "last_seen", "started_at",
                          "finished_at", "updated_at", "event_date"})
# Search matches are marked with these control characters by FTS5's highlight()/snippet() in the search
# queries; they become <mark> here (in JSON and CSV they stay as U+0002/U+0003).
MATCH_START, MATCH_END = "\x02", "\x03"
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})"
                  r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_UTC_ZONES = frozenset({"Z", "+00:00", "+0000"})


def display_date(value: Any) -> str | None:
    """One date format everywhere: the ISO day, and the time (UTC, to the minute) only when it is known.

    >>> display_date("2025-02-03T09:00:00+00:00"), display_date("2025-02-03T11:30:00+02:00")
    ('2025-02-03 09:00', '2025-02-03 09:30')
    >>> display_date("2025-02-03"), display_date("soon")
    ('2025-02-03', None)
    """
    if not isinstance(value, str):
        return None
    return _display_date(value)


@lru_cache(maxsize=8192)
def _display_date(value: str) -> str | None:
    match = _ISO.match(value.strip())
    if not match:
        return None
    day, hour, minute, _, zone = match.groups()
    if hour is None:
        return day
    if zone and zone not in _UTC_ZONES:  # (a UTC time is shown as it is written)
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            return f"{day} {hour}:{minute}"
        return moment.strftime("%Y-%m-%d %H:%M")
    return f"{day} {hour}:{minute}"


def date_cell(value: Any) -> Markup | None:
    shown = display_date(value)
    if shown is None or shown == value:
        return None
    written = escape(value)
    return Markup(f'<time datetime="{written}" title="{written}">{escape(shown)}</time>')


def link(href: str, text: Any, attributes: str = "") -> Markup:
    """``<a href="href"attributes>text</a>`` with ``href`` and ``text`` escaped (``attributes`` is trusted
    markup); the same as ``Markup('<a href="{}"...>{}</a>').format(...)``, without its formatter (one per
    linked cell of a 500-row page)."""
    return Markup(f'<a href="{escape(href)}"{attributes}>{escape(text)}</a>')


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) URL (safe as a link target), else ``None``."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def row_value(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def marked(value: str) -> Markup:
    """``value`` escaped, with the FTS5 match markers turned into ``<mark>`` elements.

    >>> str(marked("a \\x02<b>\\x03 c"))
    'a <mark>&lt;b&gt;</mark> c'
    """
    text = str(escape(value))
    if text.count(MATCH_START) != text.count(MATCH_END):
        text = text.replace(MATCH_START, "").replace(MATCH_END, "")
    return Markup(text.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))


def cut_words(text: Any, limit: Any) -> Any:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis when cut (SQL
    function ``aiwatch_cut``, for feed entry titles).

    >>> cut_words("OpenAI accused DeepSeek of distilling its models", 30)
    'OpenAI accused DeepSeek of…'
    >>> cut_words("short", 30), cut_words("Supercalifragilistic", 6), cut_words(None, 5)
    ('short', 'Super…', None)
    """
    if not isinstance(text, str):
        return text
    limit = max(int(limit), 2)
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:  # the cut falls inside a word: end at the last whole one
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:-–—") + "…"


FEED_TAGS = frozenset({"p", "b", "i", "em", "strong", "blockquote", "a", "br", "small", "code"})


def feed_html(value: str) -> Markup:
    """A feed entry's HTML as a feed reader shows it: rendered, after cleaning to an allow-list (paragraphs,
    emphasis, quotes and http(s) links; scripts, handlers, images and other tags removed).

    >>> str(feed_html('<p><b>X</b> <img src=x onerror=alert(1)><a href="javascript:y()">z</a></p>'))
    '<p><b>X</b> <a>z</a></p>'
    """
    import bleach

    return Markup(bleach.clean(value, tags=FEED_TAGS, attributes={"a": ["href"]},
                               protocols=["http", "https"], strip=True))


def query_cell(row: Any, value: Any, column: str, entity_href: Callable[[str], str]) -> Markup | None:
    """Canned queries and views: names link to entity pages, titles to their article, dates in one format,
    search matches marked, feed entries rendered."""
    if isinstance(value, str) and column == "atom_content_html":
        return feed_html(value)
    if isinstance(value, str) and MATCH_START in value:
        return marked(value)
    if column == "date" and value is None:  # an article with no publication date (date_source none)
        return Markup('<em class="aiwatch-undated">undated</em>')
    if column in DATE_COLUMNS:
        return date_cell(value)
    if not isinstance(value, str) or not value:
        return None
    if column in NAME_IDS:
        entity_id = row_value(row, NAME_IDS[column])
        if isinstance(entity_id, str) and entity_id:
            return link(entity_href(entity_id), value, ' title="Entity page"')
        return None
    if column in TITLE_URLS:
        url = safe_url(row_value(row, TITLE_URLS[column]))
        if url is None and column in TITLE_URL_FALLBACK:
            url = safe_url(row_value(row, TITLE_URL_FALLBACK[column]))
        if url:
            return link(url, value, ' rel="noopener nofollow"')
    return None
