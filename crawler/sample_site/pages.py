"""Page sources: parse the plain-text article files in ``content/`` into ``Page`` records.

A source file is a block of ``key: value`` header lines, a ``---`` line, then the body: paragraphs
separated by blank lines, ``## `` for a subheading and ``> `` for a pull quote. An optional
``=== comments`` section holds reader comments, one per line as ``Name | text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

FEEDS = ("feed.xml", "atom.xml", "sitemap.xml", "news-sitemap.xml")
_FEED_ALIASES = {"feed": "feed.xml", "rss": "feed.xml", "atom": "atom.xml", "sitemap": "sitemap.xml",
                 "news": "news-sitemap.xml"}
KINDS = ("article", "offtopic", "duplicate", "amp", "nonarticle", "disallowed")


@dataclass
class Page:
    """One page of the sample site as written in its source file (the build fills in derived pages)."""

    path: str
    kind: str
    outlet: str
    title: str
    published: datetime | None
    byline: str | None
    topics: list[str]
    feeds: list[str]
    summary: str
    blocks: list[tuple[str, str]]
    comments: list[tuple[str, str]] = field(default_factory=list)
    duplicate_of: str | None = None
    derive: str | None = None
    editor_note: str | None = None
    tracking: bool = False
    updated: datetime | None = None
    section: str | None = None
    dateline: str | None = None
    source: str = ""

    @property
    def date(self) -> str | None:
        """Publication date as ``YYYY-MM-DD``."""
        return self.published.date().isoformat() if self.published else None

    def words(self) -> int:
        """Word count of the body text (subheadings and quotes included, comments excluded)."""
        return sum(len(text.split()) for _, text in self.blocks)


def _parse_time(value: str) -> datetime | None:
    value = value.strip()
    if not value or value == "null":
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def parse_source(text: str, source: str = "") -> Page:
    """Parse one source file; raises ValueError naming the file and the problem."""
    try:
        head, body = text.split("\n---\n", 1)
    except ValueError:
        raise ValueError(f"{source}: no '---' line between header and body") from None
    meta: dict[str, str] = {}
    for line in head.splitlines():
        if line.strip():
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"{source}: header line without ':': {line!r}")
            meta[key.strip()] = value.strip()
    body, _, comment_text = body.partition("\n=== comments\n")
    blocks: list[tuple[str, str]] = []
    for para in re.split(r"\n\s*\n", body.strip()):
        para = " ".join(para.split())
        if not para:
            continue
        if para.startswith("## "):
            blocks.append(("h2", para[3:]))
        elif para.startswith("> "):
            blocks.append(("quote", para[2:]))
        else:
            blocks.append(("p", para))
    comments = []
    for line in comment_text.splitlines():
        if line.strip():
            name, _, said = line.partition("|")
            comments.append((name.strip(), said.strip()))
    kind = meta.get("kind", "article")
    if kind not in KINDS:
        raise ValueError(f"{source}: unknown kind {kind!r}")
    feeds = [_FEED_ALIASES[f.strip()] for f in meta.get("in", "").split(",") if f.strip()]
    return Page(
        path=meta["path"],
        kind=kind,
        outlet=meta["outlet"],
        title=meta.get("title", ""),
        published=_parse_time(meta.get("published", "")),
        byline=meta.get("byline") or None,
        topics=[t.strip() for t in meta.get("topics", "").split(",") if t.strip()],
        feeds=feeds,
        summary=meta.get("summary", ""),
        blocks=blocks,
        comments=comments,
        duplicate_of=meta.get("duplicate_of") or None,
        derive=meta.get("derive") or None,
        editor_note=meta.get("editor_note") or None,
        tracking=meta.get("tracking", "no") == "yes",
        updated=_parse_time(meta.get("updated", "")),
        section=meta.get("section") or None,
        dateline=meta.get("dateline") or None,
        source=source,
    )


def load_sources(directory: Path) -> list[Page]:
    """Every page source in ``directory`` (``*.txt``), sorted by file name."""
    return [parse_source(p.read_text(encoding="utf-8"), p.name) for p in sorted(directory.glob("*.txt"))]
