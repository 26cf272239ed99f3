"""The publisher's name for ``articles.outlet`` (pure; no network).

Order: the page's own publisher metadata (``og:site_name``, JSON-LD ``publisher.name``, which trafilatura
reads into the site name), then the title of the feed that listed the page when the feed lives on the
page's own site (a Google News feed's title names no outlet of the pages it links to), then the domain.
trafilatura falls back to the host name itself, so a site name that is just a host counts as no name.
"""

from __future__ import annotations

import re

from aiwatch.urls import same_site, site_of

_HOSTLIKE = re.compile(r"^[\w.-]+\.[a-z]{2,}(?::\d+)?$|^[\d.]+(?::\d+)?$", re.I)
MAX_OUTLET_CHARS = 200


def _name(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    if not value or _HOSTLIKE.match(value):
        return None
    return value[:MAX_OUTLET_CHARS]


def outlet_name(site_name: str | None, url: str, *, feed_title: str | None = None,
                feed_url: str | None = None) -> str:
    """The outlet of the page at ``url``.

    >>> outlet_name("The Circuit Ledger", "https://circuit.example/a")
    'The Circuit Ledger'
    >>> outlet_name("circuit.example", "https://circuit.example/a", feed_title="Circuit Ledger",
    ...             feed_url="https://www.circuit.example/feed.xml")
    'Circuit Ledger'
    >>> outlet_name(None, "https://wire.example/a", feed_title="AI news", feed_url="https://agg.example/rss")
    'wire.example'
    """
    named = _name(site_name)
    if named:
        return named
    if feed_url and same_site(feed_url, url):
        titled = _name(feed_title)
        if titled:
            return titled
    return site_of(url)
