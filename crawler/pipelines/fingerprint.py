"""Pipeline step 3: canonical URL, exact content hash and SimHash of the text.

Matching against stored articles happens at storage time
(:func:`aiwatch.crawler.store.articles.link_duplicates`), inside
the same transaction as the insert, so two copies stored in one crawl still find each other.
"""

from __future__ import annotations

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.fingerprints import canonical_url, content_hash, preferred_url, simhash, text_words


def fingerprint_item(item: PageItem) -> PageItem:
    """Fill ``canonical_url`` (from the ``rel=canonical`` link the extract step read), ``content_hash`` and
    ``simhash`` (from the words the extract step counted)."""
    if not item.text:
        raise Rejected("not_article", "no text to fingerprint")
    if item.kind == "policy_document":
        item.canonical_url = canonical_url(item.url)
    else:
        item.canonical_url = preferred_url(item.response_url, item.canonical_link)
    normalised = " ".join(item.words if item.words is not None else text_words(item.text))
    item.words = None  # not needed further (and not sent back from a page worker)
    item.content_hash = content_hash(normalised, normalised=True)
    item.simhash = simhash(normalised, normalised=True)
    return item
