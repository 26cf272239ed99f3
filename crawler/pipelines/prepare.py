"""Pipeline steps 1-3 as one call: extract -> topics -> fingerprint, beside the crawler in worker processes.

The three steps, and compressing the raw body for storage, are pure CPU work on the fetched page
(trafilatura, the topic scanners, SimHash, zstd: ~6 ms a page). Run on the reactor thread they serialise with
the downloads, so the crawl went at a sixth of bare Scrapy's rate; :class:`PreparePipeline` hands them to a
pool of ``crawl_workers`` processes and awaits the result while the reactor keeps fetching and storing.
``crawl_workers = 0`` runs them in the crawl process.

The crawl process forks its workers before the reactor starts a thread (:func:`prestart_pool`), as a
:class:`aiwatch.crawler.runtime.pipe_pool.PipePool` driven by the event loop; pools started later (``scrapy
crawl``, a
replacement) are ``ProcessPoolExecutor`` pools of fresh interpreters (``spawn``: forking a process that runs
threads is unsafe). Workers die with the crawl process, so a killed crawl leaves no orphans.

A page that kills its worker (a native crash, the OOM killer) breaks the pool: the pool is replaced, and
that page and the others in flight are each tried once more in a process of their own; the page that kills
that process too is rejected as ``extract_error`` (not remembered in ``crawl_seen``, so the next crawl tries
it again), the others are stored.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.pipelines.article import extract_item
from aiwatch.crawler.pipelines.fingerprint import fingerprint_item
from aiwatch.crawler.pipelines.topics import score_item
from aiwatch.crawler.runtime.pipe_pool import PipePool
from aiwatch.crawler.store.articles import compressed_body
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from aiwatch.lifetime import die_with_parent

logger = logging.getLogger(__name__)


def prepare_item(item: PageItem, min_words: int, min_relevance: float) -> PageItem:
    """Text and metadata, topics, fingerprints and compressed body of one fetched page, or ``Rejected``."""
    item = fingerprint_item(score_item(extract_item(item, min_words), min_relevance))
    item.body_compressed = compressed_body(item)
    return item


def _run_in_worker(task: Callable[[PageItem, int, float], PageItem], item: PageItem, min_words: int,
                   min_relevance: float) -> PageItem:
    """``task`` on one page, sent back without the raw body (the crawl process still holds it)."""
    prepared = task(item, min_words, min_relevance)
    prepared.body = b""
    return prepared


WARM_UP_PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warm-up page</title>
<link rel="canonical" href="http://warm-up.invalid/story"></head><body><article><h1>Warm-up page</h1>
<p class="byline">By A. Writer</p><p>Posted on 3 March 2025</p>
<p>The Commerce Department tightened export controls on advanced AI chips such as the Nvidia H20, and
Anthropic said a rival lab had used distillation on the outputs of its Claude models. This paragraph exists
only so that every step of page processing runs once before the first fetched page arrives.</p>
<p>Chip makers said the licence rules would cut sales; lawmakers asked for tighter rules on memory.</p>
</article></body></html>"""


def warm_up() -> None:
    """Process a built-in page once, load the TLD list and htmldate's month names (dateparser's locales).

    A worker's first page otherwise pays ~0.13 s of lazy set-up (compiled expressions, caches, ~0.09 s of
    locales) in the middle of the crawl, when both cores are busy. Every worker warms up as it starts
    (:func:`prestart_pool`, :func:`_start_worker`). Never raises.
    """
    item = PageItem(url="http://warm-up.invalid/story", seen_key="http://warm-up.invalid/story",
                    response_url="http://warm-up.invalid/story", status=200, headers={}, body=WARM_UP_PAGE,
                    content_type="text/html; charset=utf-8")
    try:
        prepare_item(item, 0, 0.0)
        from htmldate import extractors
        from tld import get_tld

        get_tld("http://warm-up.invalid/", fail_silently=True)  # loads the suffix list trafilatura reads

        month_words = getattr(extractors, "month_words", None)  # an lru_cache'd helper of htmldate 1.9+
        if callable(month_words):
            month_words()
    except Exception:  # a warm-up must never break the pool: the first real page then pays the set-up
        logger.debug("worker warm-up failed", exc_info=True)


def _start_worker(parent_pid: int) -> None:
    """Run once per spawned worker: die with the crawl process, then :func:`warm_up` (which also loads the
    topic lexicons)."""
    die_with_parent(parent_pid)
    warm_up()


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh interpreters (``spawn``: this process may run threads by now) that die
    with this one and warm up as they start."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(os.getpid(),))


_prestarted: PipePool | None = None


def prestart_pool(workers: int) -> None:
    """Fork ``workers`` workers now, before the reactor starts any thread; the crawl's pipelines use them.

    ``aiwatch.crawler.runtime.run`` calls this first thing: forked workers share the modules this process has
    imported, so
    they start at once, where a spawned worker spends a second importing trafilatura and lxml. Each runs
    :func:`warm_up` as it starts, in parallel with the other and with this process starting Scrapy (a
    warm-up here, before the fork, would hold up the crawl's first request by ~0.2 s). They are a
    :class:`PipePool`, fed by the crawl's asyncio event loop without threads.
    """
    global _prestarted
    if workers <= 0 or _prestarted is not None:
        return
    _prestarted = PipePool(workers, initializer=warm_up)


def shutdown_prestarted() -> None:
    """Stop the workers :func:`prestart_pool` started (at the end of the crawl process)."""
    global _prestarted
    if _prestarted is not None:
        _prestarted.shutdown(wait=True, cancel_futures=True)
        _prestarted = None


async def awaited(future: Future | asyncio.Future) -> Any:
    """Await a worker's ``future`` from a coroutine on the crawl's event loop (or Twisted reactor)."""
    if isinstance(future, asyncio.Future):  # a PipePool's: already on this loop
        return await future
    if is_asyncio_available():
        return await asyncio.wrap_future(future)
    from twisted.internet import reactor

    deferred: Deferred = Deferred()

    def relay(done: Future) -> None:  # called in the pool's thread: hand over to the reactor
        error = done.exception()
        if error is None:
            reactor.callFromThread(deferred.callback, done.result())  # type: ignore[attr-defined]
        else:
            reactor.callFromThread(deferred.errback, error)  # type: ignore[attr-defined]

    future.add_done_callback(relay)
    return await maybe_deferred_to_future(deferred)


class PreparePipeline:
    """Runs :func:`prepare_item` with ``AIWATCH_MIN_ARTICLE_WORDS`` and ``AIWATCH_TOPIC_MIN_RELEVANCE``."""

    task: Callable[[PageItem, int, float], PageItem] = staticmethod(prepare_item)

    def __init__(self, min_words: int, min_relevance: float, workers: int) -> None:
        self.min_words = min_words
        self.min_relevance = min_relevance
        self.workers = max(0, workers)
        self.pool: ProcessPoolExecutor | PipePool | None = None
        self.owns_pool = False  # False for the crawl process's prestarted pool, which outlives one spider
        self.generation = 0  # bumped whenever a broken pool is replaced

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PreparePipeline:
        settings = crawler.settings
        return cls(settings.getint("AIWATCH_MIN_ARTICLE_WORDS", 80),
                   settings.getfloat("AIWATCH_TOPIC_MIN_RELEVANCE", 1.0),
                   settings.getint("AIWATCH_CRAWL_WORKERS", 0))

    def open_spider(self) -> None:
        if not self.workers:
            return
        shared = _prestarted if _prestarted is not None and is_asyncio_available() else None  # needs asyncio
        self.owns_pool = shared is None
        self.pool = shared or start_pool(self.workers)
        if self.owns_pool:
            for _ in range(self.workers):  # start every worker now, while the spider fetches its feeds
                self.pool.submit(int)

    def close_spider(self) -> None:
        if self.pool is not None and self.owns_pool:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None

    async def process_item(self, item: PageItem) -> PageItem:
        if self.pool is None:
            return self.task(item, self.min_words, self.min_relevance)
        generation = self.generation
        try:
            return await self._prepared_in(self.pool, item)
        except BrokenProcessPool:
            self._replace_broken_pool(generation)
        # Every page in flight when a worker died lands here; each is tried again in a process of its own,
        # so only the page that kills its worker again is lost.
        with start_pool(1) as alone:
            try:
                return await self._prepared_in(alone, item)
            except BrokenProcessPool:
                raise Rejected("extract_error", "the page crashed its worker process") from None

    async def _prepared_in(self, pool: ProcessPoolExecutor | PipePool, item: PageItem) -> PageItem:
        """:meth:`task` on ``item`` in one of ``pool``'s workers, the raw body put back on the result."""
        future = pool.submit(_run_in_worker, self.task, item, self.min_words, self.min_relevance)
        prepared = await awaited(future)
        prepared.body = item.body
        return prepared

    def _replace_broken_pool(self, generation: int) -> None:
        """Start a new pool unless another page already replaced the one that broke."""
        if generation != self.generation or self.pool is None:
            return
        global _prestarted
        logger.warning("a page-processing worker died; starting a new pool of %d", self.workers)
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self.pool is _prestarted:
            _prestarted = None
        self.pool, self.owns_pool = start_pool(self.workers), True
        self.generation += 1
