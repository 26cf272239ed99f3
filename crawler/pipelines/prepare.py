"""Pipeline steps 1-3 as one call: extract -> topics -> fingerprint, then the raw body compressed for storage.

The work is pure CPU on the fetched page (trafilatura, the topic scanners, SimHash, zstd). Run on the reactor
thread it serialises with the downloads, so :class:`PreparePipeline` hands each page to the crawler's
:class:`~aiwatch.crawler.runtime.processors.PageProcessor`: ``crawl_workers`` worker processes beside the
reactor, or the crawl process itself with ``crawl_workers = 0``. A page that crashes its worker process twice
is rejected as ``extract_error`` (not remembered in ``crawl_seen``, so the next crawl tries it again).
"""

from __future__ import annotations

import logging
from functools import partial

from aiwatch.crawler.items import PageItem
from aiwatch.crawler.pipelines.article import extract_item
from aiwatch.crawler.pipelines.fingerprint import fingerprint_item
from aiwatch.crawler.pipelines.topics import score_item
from aiwatch.crawler.runtime.processors import PageProcessor, PageTask, processor_for
from aiwatch.crawler.store.articles import compressed_body
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def prepare_item(item: PageItem, min_words: int, min_relevance: float, min_brief_words: int | None = None,
                 brief_min_relevance: float | None = None) -> PageItem:
    """Text and metadata, topics, fingerprints and compressed body of one fetched page, or ``Rejected``.

    ``min_brief_words``/``brief_min_relevance``: short briefs (see
    :func:`~aiwatch.crawler.pipelines.article.extract_item`); None keeps none.
    """
    item = extract_item(item, min_words, min_brief_words)
    item = fingerprint_item(score_item(item, min_relevance, brief_min_relevance))
    item.body_compressed = compressed_body(item)
    return item


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

    A worker's first page otherwise pays for lazy set-up (compiled expressions, caches, most of all the
    locales) in the middle of the crawl, when every core is busy. Every page worker runs this as it starts,
    and so does the crawl process before its first page when it processes pages itself. Never raises.
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


def prepare_task(min_words: int, min_relevance: float, min_brief_words: int | None = None,
                 brief_min_relevance: float | None = None) -> PageTask:
    """:func:`prepare_item` with the crawl's thresholds, as a task a worker process can unpickle."""
    return partial(prepare_item, min_words=min_words, min_relevance=min_relevance,
                   min_brief_words=min_brief_words, brief_min_relevance=brief_min_relevance)


class PreparePipeline:
    """Runs :func:`prepare_item` (``AIWATCH_MIN_ARTICLE_WORDS``, ``AIWATCH_TOPIC_MIN_RELEVANCE``,
    ``AIWATCH_MIN_BRIEF_WORDS``, ``AIWATCH_BRIEF_MIN_RELEVANCE``) through the crawler's page processor
    (:func:`~aiwatch.crawler.runtime.processors.processor_for`)."""

    def __init__(self, processor: PageProcessor) -> None:
        self.processor = processor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PreparePipeline:
        settings = crawler.settings
        task = prepare_task(settings.getint("AIWATCH_MIN_ARTICLE_WORDS"),
                            settings.getfloat("AIWATCH_TOPIC_MIN_RELEVANCE"),
                            settings.getint("AIWATCH_MIN_BRIEF_WORDS"),
                            settings.getfloat("AIWATCH_BRIEF_MIN_RELEVANCE"))
        return cls(processor_for(crawler, task, initializer=warm_up))

    async def process_item(self, item: PageItem) -> PageItem:
        return await self.processor.process(item)

    def close_spider(self) -> None:
        self.processor.close()
