"""Page metadata as trafilatura's ``extract_metadata`` finds it, without the fields aiwatch never stores.

``trafilatura.bare_extraction(with_metadata=True)`` also scans every page for categories, tags and a
licence (~0.3 ms a page, a quarter of its metadata pass): :func:`page_metadata` runs the same steps in the
same order on the same tree for title, author, URL, date and site name only. A test holds it to
``trafilatura.metadata.extract_metadata`` on those fields over the sample site and the extraction benchmark.
"""

from __future__ import annotations

from contextlib import suppress

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    Document,
    examine_meta,
    extract_author,
    extract_domain,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import DEFAULT_CONFIG, set_date_params

EXTENSIVE_DATE_SEARCH = DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH")


def page_metadata(tree: HtmlElement, url: str | None = None) -> Document:
    """Title, author, URL, hostname, date and site name of a parsed page (``extract_metadata``'s rules).

    The author blacklist (empty in ``bare_extraction``'s defaults) is not applied.
    """
    date_params = set_date_params(EXTENSIVE_DATE_SEARCH)  # what bare_extraction passes (max_date: today)
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    with suppress(Exception):  # trafilatura's JSON-LD reader on broken markup: keep what the meta tags gave
        metadata = extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    metadata.filedate = date_params.get("max_date")
    metadata.clean_and_trim()
    return metadata
