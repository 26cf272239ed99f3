"""Crawl sources: the bundled default list (``crawler/sources.toml``) or a user's file of the same format.

```toml
[[source]]
name = "Example AI feed"       # optional; defaults to the URL
kind = "feed"                  # feed | sitemap | url | gdelt | federal_register
url = "https://example.com/feed.xml"
queries = ["..."]              # gdelt only (default: the gdelt_queries setting)
timespan = "1w"                # gdelt only
```
Errors raise :class:`SourcesError` naming the file and the entry's line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.toml")
# Source kind -> spider name.
KIND_SPIDERS = {
    "feed": "feeds",
    "sitemap": "sitemap",
    "url": "urls",
    "gdelt": "gdelt",
    "federal_register": "federal_register",
}
SPIDER_NAMES = tuple(KIND_SPIDERS.values())
_KEYS = {"name", "kind", "url", "queries", "timespan", "note"}


class SourcesError(Exception):
    """A sources file or a source URL is invalid."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    url: str
    queries: tuple[str, ...] = field(default=())
    timespan: str | None = None

    @property
    def spider(self) -> str:
        return KIND_SPIDERS[self.kind]

    def as_spider_arg(self) -> dict[str, Any]:
        arg: dict[str, Any] = {"name": self.name, "url": self.url}
        if self.queries:
            arg["queries"] = list(self.queries)
        if self.timespan:
            arg["timespan"] = self.timespan
        return arg


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be crawled (``"not an http(s) URL"``), or None when it is fine."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "URL has no host"
    return None


def _header_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*source\s*\]\]", line)]


def parse_sources(text: str, origin: str = "<sources>") -> list[Source]:
    """Parse and validate sources TOML; ``origin`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"sources {origin}: invalid TOML: {exc}") from None
    entries = data.get("source", [])
    extra = set(data) - {"source"}
    if extra:
        key = sorted(extra)[0]
        raise SourcesError(f"sources {origin}: unknown top-level key {key!r} (expected [[source]])")
    if not isinstance(entries, list):
        raise SourcesError(f"sources {origin}: 'source' must be an array of tables ([[source]])")
    lines = _header_lines(text)
    sources = []
    for number, entry in enumerate(entries):
        where = f"sources {origin}: entry {number + 1}"
        if number < len(lines):
            where += f" (line {lines[number]})"
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: not a table")
        unknown = set(entry) - _KEYS
        if unknown:
            raise SourcesError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        kind = entry.get("kind")
        if kind not in KIND_SPIDERS:
            raise SourcesError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KIND_SPIDERS)})")
        url = entry.get("url")
        if not isinstance(url, str) or not url.strip():
            raise SourcesError(f"{where}: missing url")
        problem = check_url(url)
        if problem:
            raise SourcesError(f"{where}: url {url!r}: {problem}")
        queries = entry.get("queries", [])
        if not isinstance(queries, list) or not all(isinstance(q, str) and q.strip() for q in queries):
            raise SourcesError(f"{where}: queries must be a list of non-empty strings")
        name = entry.get("name", url)
        if not isinstance(name, str) or not name.strip():
            raise SourcesError(f"{where}: name must be a non-empty string")
        timespan = entry.get("timespan")
        if timespan is not None and not isinstance(timespan, str):
            raise SourcesError(f"{where}: timespan must be a string such as '1w'")
        sources.append(Source(name.strip(), kind, url.strip(), tuple(queries), timespan))
    return sources


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read a sources file (default: the bundled list)."""
    target = Path(path) if path else DEFAULT_SOURCES_FILE
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"sources {target}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SourcesError(f"sources {target}: not UTF-8 text") from None
    return parse_sources(text, str(target))
