"""Per-article steps, one job per module: extract -> topics -> dedupe (fingerprints) -> storage.

The first three are pure functions of the fetched page, run as one call by ``prepare.PreparePipeline`` (in
worker processes); ``storage.StoragePipeline`` writes in the crawl process. A step rejects a page with
:class:`aiwatch.crawler.items.Rejected` (a ``DropItem`` carrying a reason that is counted in stats and
remembered in ``crawl_seen``).
"""

from __future__ import annotations

from typing import Any

from scrapy import logformatter


class QuietLogFormatter(logformatter.LogFormatter):
    """Rejected pages are an ordinary outcome: log one INFO line with the URL and reason, not the item."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> Any:
        url = getattr(item, "response_url", None) or getattr(response, "url", "?")
        return {"level": 20, "msg": "page %(url)s: not stored (%(reason)s)",
                "args": {"url": url, "reason": exception}}
