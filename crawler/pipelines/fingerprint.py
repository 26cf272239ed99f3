"""Pipeline step 3: the article's address (readable link and dedupe key), exact content hash and SimHash.

The address set here is the fetched one (after redirects, tracking parameters removed); the crawl process
may then switch it to the page's ``rel=canonical`` target once that answers
(:mod:`aiwatch.crawler.pipelines.link`). Matching against stored articles happens at storage time
(:func:`aiwatch.crawler.store.articles.link_duplicates`), inside the same transaction as the insert, so two
copies stored in one crawl still find each other.
"""

from __future__ import annotations

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.fingerprints import content_hash, simhash, text_words

from aiwatch.urls import readable_url, url_key


def set_address(item: PageItem, url: str) -> PageItem:
    """Store ``item`` under the readable form of ``url`` and its key."""
    item.article_url = readable_url(url)
    item.url_key = url_key(item.article_url)
    return item


def fingerprint_item(item: PageItem) -> PageItem:
    """Fill ``article_url`` and ``url_key`` (the fetched address; for a policy document, the address its
    API names), ``content_hash`` and ``simhash`` (from the words the extract step counted)."""
    if not item.text:
        raise Rejected("not_article", "no text to fingerprint")
    set_address(item, item.url if item.kind == "policy_document" else item.response_url)
    normalised = " ".join(item.words if item.words is not None else text_words(item.text))
    item.words = None  # not needed further (and not sent back from a page worker)
    item.content_hash = content_hash(normalised, normalised=True)
    item.simhash = simhash(normalised, normalised=True)
    return item
