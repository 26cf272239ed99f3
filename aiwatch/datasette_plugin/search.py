"""Article search that stays fast on a large archive: the articles table's plain search -> a canned query.

Datasette's table search (``/aiwatch/articles?_search=...``) sorts *every* match by the table's sort column
and counts and facets all of them; for a common word over 100k articles that is 100k row reads, several times
over (seconds). A search with nothing but ``_search`` (the box on the articles page) is therefore
redirected to the ``search_articles`` canned query, which reads only the newest matches from the full-text
index (``ORDER BY rowid DESC LIMIT``) with an excerpt and the total number of matches. Searches combined
with filters, facets, sorting or a format (``.json``, ``.csv``) still get the table page.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

SEARCH_QUERY = "search_articles"
_WORD = re.compile(r"\w+")
NO_MATCH = '""'  # an empty phrase: valid FTS5 that matches nothing


def fts_words(text: Any) -> str:
    """The FTS5 query for a user's search: each word quoted, all required (SQL function ``aiwatch_words``).

    Quotes, operators (AND, OR, NOT, NEAR), column filters, ``*`` and stray punctuation are read as the
    user's words or dropped, so no input is a syntax error; no words at all matches nothing.

    >>> fts_words('DeepSeek "distilled  OR (claude'), fts_words('  "" '), fts_words(None)
    ('"DeepSeek" "distilled" "OR" "claude"', '""', '""')
    """
    words = _WORD.findall(text) if isinstance(text, str) else []
    return " ".join(f'"{w}"' for w in words) if words else NO_MATCH


def search_redirect_target(path: str, query_string: str, database: str) -> str | None:
    """Where a plain articles search should go, or ``None`` to leave the request alone.

    >>> search_redirect_target("/aiwatch/articles", "_search=export+rules", "aiwatch")
    '/aiwatch/search_articles?q=export+rules'
    >>> search_redirect_target("/aiwatch/articles", "_search=x&source=a.example", "aiwatch") is None
    True
    """
    if path.rstrip("/") != f"/{database}/articles":
        return None
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if len(pairs) != 1 or pairs[0][0] != "_search" or not pairs[0][1].strip():
        return None
    return f"/{database}/{SEARCH_QUERY}?{urlencode({'q': pairs[0][1]})}"


def wrap(app: Any, database: str, base_path: str = "/") -> Any:
    """ASGI middleware applying :func:`search_redirect_target` (a 302 to the canned query)."""
    prefix = base_path.rstrip("/")

    async def middleware(scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
            path = scope.get("path", "")
            if prefix and path.startswith(prefix):
                path = path[len(prefix):]
            target = search_redirect_target(path, scope.get("query_string", b"").decode("latin-1"), database)
            if target is not None:
                await send({"type": "http.response.start", "status": 302,
                            "headers": [(b"location", (prefix + target).encode("utf-8")),
                                        (b"content-length", b"0")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await app(scope, receive, send)

    return middleware
