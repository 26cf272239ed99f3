"""Article text and metadata from one HTML page (pure function over bytes; no network)."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True)
class ExtractedPage:
    """What the crawler stores about a page besides its URL."""

    text: str
    title: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 date
    language: str | None = None
    site_name: str | None = None


def extract_page(html: str | bytes, url: str | None = None) -> ExtractedPage | None:
    """Extract main text (comments excluded) and metadata; None when the page has no article text."""
    doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
    if doc is None or not doc.text:
        return None
    return ExtractedPage(
        text=doc.text,
        title=doc.title,
        byline=doc.author,
        published=doc.date,
        language=doc.language,
        site_name=doc.sitename,
    )
