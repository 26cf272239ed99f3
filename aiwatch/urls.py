"""Article addresses: the readable link (``articles.url``) and the dedupe key (``articles.url_key``).

Pure functions, in the shared ground because the schema's migration fills ``url`` and ``url_key`` with them
and the crawler computes them for every page.

* :func:`readable_url` is the address a reader opens: the URL as fetched (after redirects) with tracking
  parameters and the fragment removed and *nothing else changed* (a trailing slash, ``index.html``, the
  query order and its encoding all matter to some servers).
* :func:`url_key` is the key under which one article is stored whatever variant of its address was linked:
  it also drops trailing slashes, ``index.html`` and AMP variants and sorts the query. It is for comparing,
  never for linking: on many servers ``/2024/12/02/story`` is a 404 while ``/2024/12/02/story/`` is the page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid", "_ga", "_gl",
    "ref", "ref_src", "cmpid", "ocid", "smid", "sr_share", "spm", "mkt_tok", "oly_enc_id", "oly_anon_id",
    "vero_id", "wt_mc", "__twitter_impression", "s_cid",
})
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "_hs", "mtm_")
# Not tracking, but variants of one article's address: the key drops them, the readable link keeps them.
VARIANT_PARAMS = frozenset({"amp", "outputtype"})
DEFAULT_PORTS = {"http": 80, "https": 443}
INDEX_FILES = ("index.html", "index.htm", "index.php", "default.aspx")


def is_tracking(name: str) -> bool:
    """True for a query parameter that only tracks the reader (``utm_source``, ``fbclid``...)."""
    lower = name.lower()
    return lower in TRACKING_PARAMS or lower.startswith(TRACKING_PREFIXES)


def _dropped_from_key(name: str) -> bool:
    return is_tracking(name) or name.lower() in VARIANT_PARAMS


def _host_port(parts) -> str:
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and DEFAULT_PORTS.get(parts.scheme.lower()) != port:
        host = f"{host}:{port}"
    return host


def strip_tracking(url: str) -> str:
    """``url`` without tracking or variant parameters and fragment (the form the crawler requests).

    >>> strip_tracking("https://a.test/s?utm_source=x&id=3#top")
    'https://a.test/s?id=3'
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _dropped_from_key(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def readable_url(url: str) -> str:
    """The address a reader opens: ``url`` without tracking parameters and fragment, otherwise unchanged.

    Query parameters are removed as written (their encoding and order are kept), as is the fragment; the
    scheme, host, path, trailing slash and every other parameter stay as they are.

    >>> readable_url("https://a.test/2024/12/02/story/?utm_source=x&b=%20&a#top")
    'https://a.test/2024/12/02/story/?b=%20&a'
    >>> readable_url("https://a.test/story/amp/?amp=1")
    'https://a.test/story/amp/?amp=1'
    """
    parts = urlsplit(url.strip())
    kept = [pair for pair in parts.query.split("&")
            if pair and not is_tracking(pair.split("=", 1)[0])]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


def url_key(url: str) -> str:
    """The dedupe key of an article address: equal for every variant of one article's address.

    Lower-cases scheme and host, drops default ports, fragments, tracking parameters, ``index.html`` and
    trailing slashes, and AMP variants (``/amp/`` path segment, ``.amp`` suffix, ``?amp=1``); sorts the query.

    >>> url_key("HTTPS://Example.com:443/news/story/amp/?utm_source=x&b=2&a=1#top")
    'https://example.com/news/story?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    segments = [s for s in path.split("/") if s not in ("amp", "")]
    if segments and segments[-1].lower() in INDEX_FILES:
        segments.pop()
    if segments and segments[-1].endswith(".amp"):
        segments[-1] = segments[-1][: -len(".amp")]
    if segments and segments[-1].endswith(".amp.html"):
        segments[-1] = segments[-1][: -len(".amp.html")] + ".html"
    path = "/" + "/".join(segments)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = sorted((k, v) for k, v in pairs if not _dropped_from_key(k))
    return urlunsplit((scheme, _host_port(parts), path, urlencode(query), ""))


def is_amp(url: str) -> bool:
    """True for an AMP variant of an address (``/amp/`` segment, ``.amp`` suffix, ``amp`` parameter).

    >>> is_amp("https://a.test/amp/story"), is_amp("https://a.test/story.amp.html"), is_amp("https://a.test/s")
    (True, True, False)
    """
    parts = urlsplit(url)
    segments = parts.path.split("/")
    return ("amp" in segments or any(s.endswith((".amp", ".amp.html")) for s in segments)
            or any(k.lower() == "amp" for k, _ in parse_qsl(parts.query, keep_blank_values=True)))


def site_of(url: str) -> str:
    """Site domain of ``url`` for ``articles.source``: host without ``www.`` (port kept for non-defaults)."""
    host = _host_port(urlsplit(url))
    return host[4:] if host.startswith("www.") else host


def same_site(a: str, b: str) -> bool:
    """True when two URLs belong to the same site (same host ignoring ``www.``, same port)."""
    return site_of(a) == site_of(b)


def canonical_candidate(page_url: str, link: str | None) -> str | None:
    """The page's ``rel=canonical`` target as a readable link worth trying instead of ``page_url``, or None.

    None when there is no link, when it points to another site, when it is the page itself, or when it
    points a story at its site's front page (a common template bug that would merge every page of a site).

    >>> canonical_candidate("https://a.test/amp/story/", "https://a.test/story/?utm_source=x")
    'https://a.test/story/'
    >>> canonical_candidate("https://a.test/story/", "https://a.test/")
    """
    if not link or not same_site(link, page_url):
        return None
    candidate, page = readable_url(link), readable_url(page_url)
    if candidate == page:
        return None
    if urlsplit(candidate).path in ("", "/") and urlsplit(page).path not in ("", "/"):
        return None
    return candidate
