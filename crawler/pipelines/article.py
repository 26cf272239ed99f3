"""Pipeline step 1: article text and metadata from the raw body (drops non-article pages)."""

from __future__ import annotations

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.article import ExtractedPage, extract_page
from aiwatch.crawler.page.dates import valid_date
from aiwatch.crawler.page.fingerprints import text_words
from aiwatch.crawler.page.outlet import outlet_name
from aiwatch.crawler.page.structure import PageStructure

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


def _choose_date(item: PageItem, page: ExtractedPage | None, hint: str | None) -> tuple[str | None, str]:
    """(published, date_source): markup, then the feed/sitemap/API entry, then the page text, else none.

    API metadata (a Federal Register date) wins for policy documents. A feed or sitemap date with a time of
    day replaces a markup date of the same day (:func:`more_precise`) and is then its source.
    """
    hint_source = item.hints.get("published_from") or "feed"
    page_date = page.published if page else None
    page_source = (page.date_source if page else None) or "markup"
    if item.kind == "policy_document" and hint:
        return hint, hint_source
    chosen = more_precise(page_date, hint)
    if not chosen:
        return None, "none"
    return chosen, (page_source if chosen == page_date else hint_source)


def extract_item(item: PageItem, min_words: int, min_brief_words: int | None = None) -> PageItem:
    """Fill text and metadata of ``item`` or raise ``Rejected('not_article')``.

    Whether a page is one article is decided by its structure as much as its length
    (:mod:`aiwatch.crawler.page.structure`):

    * a list page (section front, tag, author page: most of its text is headline links) is not one;
    * a page of ``min_words`` words or more is one;
    * a shorter page of at least ``min_brief_words`` words (default: ``min_words``, no briefs) is a *brief*
      when its markup declares an article and it has a headline; the topic step then asks it for a clearly
      higher relevance (``brief``);
    * a page with no valid date anywhere (markup, feed or sitemap entry, text) is kept only when its markup
      declares an article, with ``published`` None and ``date_source`` ``none``.

    Dates: the page's markup, then the feed, sitemap or API entry (``hints['published']``, from the
    document named by ``hints['published_from']``), then the page text; every one is validated
    (:func:`aiwatch.crawler.page.dates.valid_date`). API metadata (Federal Register title, date, abstract)
    wins for policy documents, which are exempt from the length and structure rules and fall back to their
    abstract when the page has no extractable text.
    """
    ctype = (item.content_type or "text/html").split(";")[0].strip().lower()
    if ctype not in TEXTUAL_TYPES:
        raise Rejected("not_article", f"content type {ctype}")
    if not item.body.strip():
        raise Rejected("not_article", "empty body")
    policy = item.kind == "policy_document"
    hints = item.hints
    hint = valid_date(hints.get("published"))
    if ctype == "text/plain":
        text = item.body.decode(item.encoding or "utf-8", "replace").strip()
        page = None
    else:
        try:
            page = extract_page(item.body, item.response_url, date_hint=hint)
        except Exception as exc:  # a broken page must cost one line in the log, not the crawl
            raise Rejected("extract_error", f"{type(exc).__name__}: {exc}"[:200]) from None
        text = page.text.strip() if page else ""
    if policy and not text:
        text = (hints.get("abstract") or "").strip()
    if not text:
        raise Rejected("not_article", "no article text")
    words = text_words(text)  # counted here, hashed by the fingerprint step
    count = len(words)
    structure = page.structure if page is not None else PageStructure()
    title = (page.title if page else None) or hints.get("title")
    if not policy:
        if structure.listing:
            raise Rejected("not_article", f"list page ({structure.listing_share:.0%} of its words are links)")
        shortest = min_words if min_brief_words is None else min(min_words, min_brief_words)
        if count < shortest:
            raise Rejected("not_article", f"{count} words")
        if count < min_words:
            if not (structure.article_markup and title):
                raise Rejected("not_article", f"{count} words and no article markup")
            item.brief = True
    published, date_source = _choose_date(item, page, hint)
    if not policy and published is None and not structure.article_markup:
        raise Rejected("not_article", "no publication date and no article markup")
    item.text = text
    item.words = words
    item.word_count = count
    item.title = (hints.get("title") or (page.title if page else None)) if policy else title
    item.published = published
    item.date_source = date_source
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
