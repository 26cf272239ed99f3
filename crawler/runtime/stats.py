"""Crawl statistics: folded from Scrapy's per-spider stats into one record with a one-line summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

PREFIX = "aiwatch/"


@dataclass
class CrawlStats:
    """What one ``aiwatch crawl`` did. ``sources`` maps a source name to its counters (ok, failed,
    entries, fetched, article_errors); ``errors`` maps an error kind (``http_404``, ``not_a_feed``,
    ``timeout``...) to a count."""

    fetched: int = 0  # HTTP responses received, feeds and robots.txt included
    articles_fetched: int = 0  # article pages that reached the pipelines
    stored: int = 0  # articles inserted or updated
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    off_topic: int = 0
    not_article: int = 0
    duplicates: int = 0  # stored with duplicate_of set
    skipped_seen: int = 0  # not fetched: already decided and unchanged
    skipped_since: int = 0
    ignored: int = 0  # refused by robots.txt, the address guard or the scheme check
    errors: dict[str, int] = field(default_factory=dict)
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    spiders: dict[str, str] = field(default_factory=dict)  # spider -> finish reason
    elapsed: float = 0.0
    peak_rss_mb: float = 0.0  # the crawl process's own peak resident memory

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def sources_ok(self) -> list[str]:
        return sorted(n for n, c in self.sources.items() if c.get("ok", 0) > 0)

    @property
    def sources_failed(self) -> list[str]:
        return sorted(n for n, c in self.sources.items() if c.get("failed", 0) > 0 and not c.get("ok", 0))

    @property
    def all_failed(self) -> bool:
        """True when there were sources and not one of them could be read."""
        return bool(self.sources) and not self.sources_ok

    @property
    def status(self) -> str:
        """``ok``, ``partial`` (some sources or pages failed) or ``failed`` (every source failed)."""
        if self.all_failed:
            return "failed"
        return "partial" if self.sources_failed or self.error_count else "ok"

    def summary(self) -> str:
        """One line a newcomer can read, e.g. ``crawl: 60 pages fetched, 44 articles stored (3 of them
        syndicated copies), 7 rejected (7 off-topic, 0 not articles), 0 errors in 9.2s; 48 links not fetched
        again (already stored, or listed by more than one feed or sitemap)``.

        Pages fetched include feeds, sitemaps and robots.txt. On a first run the links not fetched again are
        the articles that the RSS feed, the Atom feed and the sitemap all list: each is fetched once.
        """
        copies = f" ({self.duplicates} of them syndicated copies)" if self.duplicates else ""
        rejected = self.off_topic + self.not_article
        line = (f"crawl: {self.fetched} pages fetched, {self.stored} articles stored{copies}, {rejected} "
                f"rejected ({self.off_topic} off-topic, {self.not_article} not articles), {self.error_count} "
                f"errors in {self.elapsed:.1f}s")
        if self.skipped_seen:
            line += (f"; {self.skipped_seen} links not fetched again (already stored, or listed by more than "
                     "one feed or sitemap)")
        if self.sources_failed:
            line += f"; {len(self.sources_failed)} of {len(self.sources)} sources failed"
        return line

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["error_count"] = self.error_count
        data["sources_failed"] = self.sources_failed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlStats:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})

    def add_scrapy(self, spider: str, stats: dict[str, Any]) -> None:
        """Fold one finished spider's Scrapy stats into this record."""
        self.fetched += int(stats.get("downloader/response_count", 0))
        reason = str(stats.get("finish_reason", "unknown"))
        self.spiders[spider] = reason
        errors = Counter(self.errors)
        if reason not in ("finished", "unknown"):
            errors[f"closed_{reason}"] += 1
        for key, value in stats.items():
            if not key.startswith(PREFIX) or not isinstance(value, int | float):
                continue
            parts = key[len(PREFIX):].split("/")
            value = int(value)
            head = parts[0]
            if head == "stored" and len(parts) == 2:
                if parts[1] == "inserted":
                    self.inserted += value
                elif parts[1] == "updated":
                    self.updated += value
                elif parts[1] == "unchanged":
                    self.unchanged += value
            elif head == "dropped" and len(parts) == 2:
                if parts[1] == "off_topic":
                    self.off_topic += value
                elif parts[1] == "not_article":
                    self.not_article += value
                else:
                    errors[f"dropped_{parts[1]}"] += value
            elif head == "duplicates":
                self.duplicates += value
            elif head == "skipped_seen":
                self.skipped_seen += value
            elif head == "skipped_since":
                self.skipped_since += value
            elif head == "ignored":
                self.ignored += value
            elif head == "errors" and len(parts) == 2:
                errors[parts[1]] += value
            elif head == "source" and len(parts) >= 3:
                name, counter = "/".join(parts[1:-1]), parts[-1]
                bucket = self.sources.setdefault(name, {})
                bucket[counter] = bucket.get(counter, 0) + value
        self.errors = dict(sorted(errors.items()))
        self.stored = self.inserted + self.updated
        self.articles_fetched = sum(c.get("fetched", 0) for c in self.sources.values())
