"""Pipeline step 1: article text and metadata from the raw body (drops non-article pages)."""

from __future__ import annotations

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.article import extract_page
from aiwatch.crawler.page.fingerprints import text_words
from aiwatch.crawler.page.outlet import outlet_name

TEXTUAL_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def more_precise(page_date: str | None, hint: str | None) -> str | None:
    """The page's own date, unless the feed/sitemap gives the same day with a time of day.

    >>> more_precise("2025-04-16", "2025-04-16T18:20:00+00:00")
    '2025-04-16T18:20:00+00:00'
    >>> more_precise("2025-04-16", "2025-04-18T18:20:00+00:00")
    '2025-04-16'
    """
    if not page_date:
        return hint
    if hint and len(hint) > len(page_date) and hint[:10] == page_date[:10]:
        return hint
    return page_date


def extract_item(item: PageItem, min_words: int) -> PageItem:
    """Fill text and metadata of ``item`` or raise ``Rejected('not_article')``.

    API metadata (Federal Register title, date, abstract) wins over what is read from the page; feed and
    sitemap hints fill gaps, and a feed or sitemap date wins over a date found only by searching the page
    text (a page whose markup carries no date). Policy documents are exempt from the minimum length, and
    fall back to their abstract when the page has no extractable text. A page with no publication date
    anywhere (page markup, feed, sitemap) is not a news article (about pages, section fronts, author
    pages): it could not be placed on a timeline.
    """
    ctype = (item.content_type or "text/html").split(";")[0].strip().lower()
    if ctype not in TEXTUAL_TYPES:
        raise Rejected("not_article", f"content type {ctype}")
    if not item.body.strip():
        raise Rejected("not_article", "empty body")
    policy = item.kind == "policy_document"
    if ctype == "text/plain":
        text = item.body.decode(item.encoding or "utf-8", "replace").strip()
        page = None
    else:
        try:
            page = extract_page(item.body, item.response_url, date_hint=item.hints.get("published"))
        except Exception as exc:  # a broken page must cost one line in the log, not the crawl
            raise Rejected("extract_error", f"{type(exc).__name__}: {exc}"[:200]) from None
        text = page.text.strip() if page else ""
    if policy and not text:
        text = (item.hints.get("abstract") or "").strip()
    if not text:
        raise Rejected("not_article", "no article text")
    words = text_words(text)  # counted here, hashed by the fingerprint step
    count = len(words)
    if not policy and count < min_words:
        raise Rejected("not_article", f"{count} words")
    item.text = text
    item.words = words
    item.word_count = count
    hints = item.hints
    if policy:
        item.title = hints.get("title") or (page.title if page else None)
        item.published = hints.get("published") or (page.published if page else None)
    else:
        item.title = (page.title if page else None) or hints.get("title")
        item.published = more_precise(page.published if page else None, hints.get("published"))
    if not policy and not item.published:
        raise Rejected("not_article", "no publication date")
    if page is not None:
        item.byline = page.byline
        item.language = page.language
        item.site_name = page.site_name
        item.canonical_link = page.canonical_link
    item.outlet = outlet_name(page.site_name if page else None, item.response_url or item.url,
                              feed_title=hints.get("feed_title"), feed_url=item.origin)
    if not item.language and hints.get("language"):
        item.language = hints["language"]
    return item
