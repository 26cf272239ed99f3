"""Size and decompression limits, counted: what Scrapy 2.19 already enforces, and the stats it does not keep.

What the installed Scrapy does (checked in ``scrapy/core/downloader/handlers/http11.py`` and
``scrapy/downloadermiddlewares/httpcompression.py``):

* ``DOWNLOAD_MAXSIZE`` cancels a download whose Content-Length announces more, or whose received bytes pass
  it while streaming (the buffer is dropped at once), with one WARNING line naming the URL and the sizes.
* ``HttpCompressionMiddleware`` decompresses gzip/x-gzip, deflate (zlib or raw), br and zstd in 64 KiB
  steps and stops as soon as the output passes ``DOWNLOAD_MAXSIZE`` (``IgnoreRequest`` and one WARNING line:
  "... exceeded DOWNLOAD_MAXSIZE (N B) during decompression"). Stacked codings are limited at every step.
  Peak memory per response is therefore about the compressed body plus ``DOWNLOAD_MAXSIZE``, whatever the
  expansion ratio (a 1 GiB bomb with a 10 MB limit never allocates more than a few tens of MB).

Missing are stats keys that say *why* a page was dropped, which ``runs.stats`` reports; this module adds:

* ``aiwatch/dropped/decompression``: responses dropped by the decompression limit
  (:class:`CountingHttpCompressionMiddleware`, a drop-in replacement for Scrapy's middleware);
* ``aiwatch/dropped/too_large``: downloads cancelled by ``DOWNLOAD_MAXSIZE``
  (:class:`SizeLimitStatsMiddleware`).

Enable with ``DOWNLOADER_MIDDLEWARES.update(LIMIT_MIDDLEWARES)``.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response

STOCK_COMPRESSION = "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"
LIMIT_MIDDLEWARES: dict[str, int | None] = {
    STOCK_COMPRESSION: None,
    "aiwatch.crawler.middlewares.limits.CountingHttpCompressionMiddleware": 590,
    "aiwatch.crawler.middlewares.limits.SizeLimitStatsMiddleware": 950,
}


class CountingHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's limited decompression, plus the ``aiwatch/dropped/decompression`` count."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            if self.stats is not None:
                self.stats.inc_value("aiwatch/dropped/decompression")
            raise


class SizeLimitStatsMiddleware:
    """Counts downloads cancelled for size as ``aiwatch/dropped/too_large`` (Scrapy already logs each one).

    Placed next to the downloader (priority 950) so it sees the handler's exception first. A download
    cancelled for another reason (the crawl closing) carries a message without "max size" and is not counted,
    except a streamed cancellation, whose message Scrapy leaves empty; that is only raised for size.
    """

    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> SizeLimitStatsMiddleware:
        return cls(crawler.stats)

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if isinstance(exception, DownloadCancelledError):
            message = str(exception)
            if not message or "max size" in message:
                self.stats.inc_value("aiwatch/dropped/too_large")
        return None
