"""robots.txt that holds every request for a site until that site's robots.txt is known.

Why not Scrapy's ``RobotsTxtMiddleware`` (2.14-2.19): while robots.txt for a netloc is downloading it stores
one shared ``Deferred`` and every further request for that netloc awaits it. Awaiting a Deferred from a
coroutine (``maybe_deferred_to_future`` -> ``Deferred.asFuture``, or ``await d`` under inlineCallbacks) adds
a callback that returns ``None``, so only the first waiter receives the parser; the second and later waiters
get ``None``, which the middleware reads as "no robots.txt", and their requests go out unchecked, disallowed
paths included.

``QueuedRobotsTxtMiddleware`` gives each waiting request its own Deferred, fired with the parser (or ``None``
when robots.txt failed to download, in which case everything is allowed, as in Scrapy) once the fetch ends.
Enable it in place of the stock one::

    DOWNLOADER_MIDDLEWARES = {
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "aiwatch.crawler.middlewares.robots.QueuedRobotsTxtMiddleware": 100,
    }

Refused requests raise ``IgnoreRequest``, log one INFO line and count ``robotstxt/forbidden``; a robots.txt
that cannot be fetched logs one WARNING line (no traceback) and counts ``robotstxt/exception_count/<type>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


class QueuedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """``RobotsTxtMiddleware`` whose requests all wait for their site's robots.txt (see module doc)."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self._waiting: dict[str, list[Deferred[RobotParser | None]]] = {}

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        if urlparse_cached(request).scheme not in ("http", "https"):
            return
        parser = await self.robot_parser(request)
        if parser is None:
            return
        useragent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        if not parser.allowed(request.url, useragent):
            logger.info("robots.txt forbids %s", request.url)
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"robots.txt forbids {request.url}")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The parsed robots.txt for the request's netloc, fetching it once; None if it could not be had."""
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc in self._parsers:
            known = self._parsers[netloc]
            return None if isinstance(known, Deferred) else known
        if netloc in self._waiting:
            mine: Deferred[RobotParser | None] = Deferred()
            self._waiting[netloc].append(mine)
            return await maybe_deferred_to_future(mine)
        self._waiting[netloc] = []
        parser: RobotParser | None = None
        try:
            parser = await self._fetch(f"{url.scheme}://{netloc}/robots.txt", request)
        finally:  # even when cancelled, release the waiters (as allowed) rather than hang them forever
            self._parsers[netloc] = parser
            for waiter in self._waiting.pop(netloc):
                waiter.callback(parser)
        return parser

    async def _fetch(self, robots_url: str, request: Request) -> RobotParser | None:
        robots_request = Request(
            robots_url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        try:
            response: Response = await self.crawler.engine.download_async(robots_request)
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            parser = build_from_crawler(self._parserimpl, self.crawler, response.body)
            await self.crawler.signals.send_catch_log_async(
                signal=signals.robots_parsed, robotparser=parser, request=request
            )
        except IgnoreRequest as exc:
            logger.warning("robots.txt %s: not fetched (%s); allowing the site", robots_url, exc)
            parser = None
        except Exception as exc:  # any download failure means "no robots.txt", as in Scrapy
            logger.warning("robots.txt %s: %s: %s; allowing the site", robots_url, type(exc).__name__, exc)
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            parser = None
        finally:
            self._stats.inc_value("robotstxt/request_count")
        return parser
