"""Where a fetched page's CPU work runs: one interface, :class:`PageProcessor`, and its two implementations.

* :class:`InlineProcessor` runs the page task in the crawl process (``crawl_workers = 0``, or a Scrapy
  reactor that is not asyncio's).
* :class:`PoolProcessor` runs it in a :class:`~aiwatch.crawler.runtime.pipe_pool.PipePool` of worker
  processes, so parsing runs beside the reactor; a page that kills its worker twice is rejected as
  ``extract_error``, the others are processed as usual.

:func:`processor_for` chooses one for a crawler. ``aiwatch crawl``'s crawl process forks its pool before
Scrapy starts any thread and hands it to each crawler with :func:`provide_workers`; a crawler without one
(``scrapy crawl NAME``) gets a pool of its own from ``AIWATCH_CRAWL_WORKERS``, closed with the spider.

The Twisted/asyncio boundary, in one place (:func:`pool_usable`): Scrapy runs on a Twisted reactor. With
its asyncio reactor (Scrapy's default, and what the crawl process runs) the reactor drives an asyncio event
loop and Scrapy runs a pipeline's ``async def process_item`` as a task on it, so the coroutine awaits the
pool's asyncio futures directly and the pool reads its pipes with ``loop.add_reader``. Under any other
reactor there is no asyncio loop to read the pipes from: pages are then processed inline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.runtime.pipe_pool import PipePool, WorkerCrashed
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import is_asyncio_available

logger = logging.getLogger(__name__)

# The page's CPU work: the prepared item, or Rejected. Pools pickle it by reference: a module-level function
# or a functools.partial of one.
PageTask = Callable[[PageItem], PageItem]

WORKERS_ATTRIBUTE = "aiwatch_page_workers"  # set on a Crawler by provide_workers


class PageProcessor(Protocol):
    """Runs the page task on fetched pages; the pipeline awaits :meth:`process` for each."""

    async def process(self, item: PageItem) -> PageItem:
        """The prepared ``item`` (raw body kept), or raises :class:`Rejected`."""
        ...

    def close(self) -> None:
        """Release what this processor started (the spider is closing)."""
        ...


class InlineProcessor:
    """The page task in the crawl process, on the reactor thread."""

    def __init__(self, task: PageTask) -> None:
        self.task = task

    async def process(self, item: PageItem) -> PageItem:
        return self.task(item)

    def close(self) -> None:
        pass


def without_body(task: PageTask, item: PageItem) -> PageItem:
    """``task`` on one page in a worker, sent back without the raw body (the crawl process still holds it)."""
    prepared = task(item)
    prepared.body = b""
    return prepared


class PoolProcessor:
    """The page task in a :class:`PipePool`'s workers; ``owned``: :meth:`close` shuts the pool down."""

    def __init__(self, pool: PipePool, task: PageTask, *, owned: bool) -> None:
        self.pool = pool
        self.task = task
        self.owned = owned

    async def process(self, item: PageItem) -> PageItem:
        try:
            prepared = await self.pool.submit(without_body, self.task, item)
        except WorkerCrashed:
            raise Rejected("extract_error", "the page crashed its worker process") from None
        except BrokenProcessPool as exc:
            raise Rejected("extract_error", f"no page workers: {exc}") from None
        prepared.body = item.body
        return prepared

    def close(self) -> None:
        if self.owned:
            self.pool.shutdown(wait=True, cancel_futures=True)


def provide_workers(crawler: Crawler, pool: PipePool) -> None:
    """Hand ``pool`` to ``crawler``'s page pipeline (call before the crawl starts); the caller closes it."""
    setattr(crawler, WORKERS_ATTRIBUTE, pool)


def pool_usable() -> bool:
    """True when a pipeline coroutine may await a :class:`PipePool`'s futures (asyncio's loop runs Scrapy)."""
    return is_asyncio_available()


def processor_for(crawler: Crawler, task: PageTask, initializer: Callable[[], Any] | None = None
                  ) -> PageProcessor:
    """The processor for ``crawler``'s pages: the workers provided to it, a pool of its own
    (``AIWATCH_CRAWL_WORKERS`` spawned workers that run ``initializer`` first), or inline."""
    provided: PipePool | None = getattr(crawler, WORKERS_ATTRIBUTE, None)
    workers = crawler.settings.getint("AIWATCH_CRAWL_WORKERS")
    if provided is None and workers <= 0:
        return InlineProcessor(task)
    if not pool_usable():
        logger.warning("page workers need Scrapy's asyncio reactor; processing pages in the crawl process")
        return InlineProcessor(task)
    if provided is not None:
        return PoolProcessor(provided, task, owned=False)
    return PoolProcessor(PipePool(workers, initializer, fork=False), task, owned=True)
