"""Scrapy settings for aiwatch: polite, fail-safe fixed values, and the tunable ones from ``aiwatch.config``.

Nothing here reads a configuration file. The tunable values below are the defaults declared once in
:data:`aiwatch.config.SETTINGS`; ``aiwatch crawl`` puts its resolved configuration over them with
:func:`config_settings` (``crawler/runtime/run.py``). ``scrapy crawl NAME`` (``scrapy.cfg`` points here)
runs on these defaults (``-s NAME=VALUE`` overrides any) and writes to ``$AIWATCH_DB`` or ``aiwatch.db``.
Components read every ``AIWATCH_*`` value without a fallback of their own: the value is declared here.
"""

from __future__ import annotations

import os
from typing import Any

from aiwatch.crawler.middlewares.limits import LIMIT_MIDDLEWARES
from scrapy.settings import default_settings as scrapy_defaults

from aiwatch.config import SETTINGS, Config, default

BOT_NAME = "aiwatch"
SPIDER_MODULES = ["aiwatch.crawler.spiders"]
NEWSPIDER_MODULE = "aiwatch.crawler.spiders"

# Set by the run, not configuration: where the pipelines write, which origins (scheme://host:port) may
# resolve to private addresses, the --since date.
AIWATCH_DB_PATH = os.environ.get("AIWATCH_DB", "aiwatch.db")
AIWATCH_TRUSTED_ORIGINS: list[str] = []
AIWATCH_SINCE = ""  # ISO date; entries published earlier are skipped
AIWATCH_TEST_PUBLIC_HOSTS: dict[str, str] = {}  # test-only hook of crawler/middlewares/safety.py: none

# Steps 1-3 (extract, topics, fingerprint) run as one call in worker processes; the rel=canonical check
# (step 4) and storage stay in the crawl process.
ITEM_PIPELINES = {
    "aiwatch.crawler.pipelines.prepare.PreparePipeline": 100,
    "aiwatch.crawler.pipelines.link.CanonicalLinkPipeline": 300,
    "aiwatch.crawler.pipelines.storage.StoragePipeline": 400,
}

SAFETY_MIDDLEWARE = "aiwatch.crawler.middlewares.safety.AddressGuardMiddleware"
ROBOTS_MIDDLEWARE = "aiwatch.crawler.middlewares.robots.QueuedRobotsTxtMiddleware"
BACKOFF_MIDDLEWARE = "aiwatch.crawler.middlewares.backoff.BackoffMiddleware"
REDIRECT_LOOP_MIDDLEWARE = "aiwatch.crawler.middlewares.backoff.RedirectLoopMiddleware"


def downloader_middlewares() -> dict[str, int | None]:
    """The address guard first of all, the crawl backoff, the queued robots.txt middleware in place of
    Scrapy's, and the redirect-loop check ahead of Scrapy's redirect middleware."""
    middlewares: dict[str, int | None] = {
        SAFETY_MIDDLEWARE: 40,
        BACKOFF_MIDDLEWARE: 560,  # sees each failed attempt before RetryMiddleware (550) retries it
        REDIRECT_LOOP_MIDDLEWARE: 650,  # sees a redirect before Scrapy's RedirectMiddleware (600) follows it
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        ROBOTS_MIDDLEWARE: 100,
    }
    middlewares.update(LIMIT_MIDDLEWARES)  # size/decompression drops counted in stats
    middlewares.update(dict.fromkeys(UNUSED_DOWNLOADER_MIDDLEWARES))
    return middlewares


# Stock middlewares with nothing to do here, each one more call per request or response: no spider sets
# allowed_domains or HTTP credentials; no request needs a depth (the sitemap spider counts index depth
# itself); our spiders build fresh meta dicts, so there is no meta copying to detect. (The Referer
# middleware stays: the redirect middlewares rely on it.)
UNUSED_DOWNLOADER_MIDDLEWARES = ("scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
                                 "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware")
SPIDER_MIDDLEWARES: dict[str, int | None] = dict.fromkeys((
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
))


DOWNLOADER_MIDDLEWARES = downloader_middlewares()
# Second wall behind the address guard: no handlers at all for schemes the crawler never fetches.
DOWNLOAD_HANDLERS: dict[str, str | None] = {"file": None, "ftp": None, "s3": None, "data": None}

# Fail-safe fixed settings.
COOKIES_ENABLED = False
# Items (or requests) a callback's output is processed with at once. A page callback yields one item, and
# Scrapy starts this many asyncio tasks per callback output whatever its size: at the default (100) that
# was ~100,000 tasks per 1,000 pages.
CONCURRENT_ITEMS = 4
# Scrapy's memory extension reads ru_maxrss, inherited across fork+exec; ours measures the crawl process only.
# Extensions never enabled here are left out of the base list: Scrapy imports every listed extension, even
# one set to None, before it declines to run (the remote-control one imports aiohttp at every start).
UNUSED_EXTENSIONS = ("scrapy.extensions.memusage.MemoryUsage", "scrapy.extensions.telnet.TelnetConsole",
                     "scrapy.extensions.memdebug.MemoryDebugger",
                     "scrapy.extensions.remote_control.RemoteControl")
EXTENSIONS_BASE = {k: v for k, v in scrapy_defaults.EXTENSIONS_BASE.items() if k not in UNUSED_EXTENSIONS}
EXTENSIONS = {"aiwatch.crawler.runtime.memusage.ProcessMemoryUsage": 0}
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no control server listening next to a public `aiwatch serve`
COMPRESSION_ENABLED = True  # gzip, deflate, brotli (brotli package) and zstd when installed
RETRY_TIMES = 1
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 10
DNS_TIMEOUT = 15
DOWNLOAD_FAIL_ON_DATALOSS = True  # truncated responses are errors, never half-stored
HTTPCACHE_ENABLED = False
# The discovery APIs ask for spaced requests (GDELT: one every five seconds).
DOWNLOAD_SLOTS = {
    "api.gdeltproject.org": {"concurrency": 1, "delay": 5.5},
    "www.federalregister.gov": {"concurrency": 1, "delay": 1.0},
}
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "aiwatch.crawler.pipelines.QuietLogFormatter"
LOG_LEVEL = "INFO"


def config_settings(config: Config) -> dict[str, Any]:
    """The Scrapy settings that come from aiwatch configuration."""
    return {
        "USER_AGENT": config.user_agent,
        "ROBOTSTXT_OBEY": config.robotstxt_obey,
        "ROBOTSTXT_USER_AGENT": config.user_agent,
        "AUTOTHROTTLE_ENABLED": config.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(config.download_delay, 1.0),
        "DOWNLOAD_DELAY": config.download_delay,
        "CONCURRENT_REQUESTS": config.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrent_requests_per_domain,
        "DOWNLOAD_TIMEOUT": config.download_timeout,
        "DOWNLOAD_MAXSIZE": config.download_maxsize,
        "DOWNLOAD_WARNSIZE": config.download_warnsize,
        "CLOSESPIDER_ERRORCOUNT": config.close_on_errors,
        "CLOSESPIDER_PAGECOUNT": config.max_pages,
        "MEMUSAGE_ENABLED": config.crawl_memory_mb > 0,
        "MEMUSAGE_LIMIT_MB": config.crawl_memory_mb,
        "MEMUSAGE_CHECK_INTERVAL_SECONDS": 5.0,  # Scrapy's default (60 s) lets a crawl overshoot for a minute
        "AIWATCH_MIN_ARTICLE_WORDS": config.min_article_words,
        "AIWATCH_TOPIC_MIN_RELEVANCE": config.topic_min_relevance,
        "AIWATCH_MIN_BRIEF_WORDS": config.min_brief_words,
        "AIWATCH_BRIEF_MIN_RELEVANCE": config.brief_min_relevance,
        "AIWATCH_NEAR_DUPLICATE_DISTANCE": config.near_duplicate_distance,
        "AIWATCH_CRAWL_WORKERS": config.crawl_workers,
        "AIWATCH_GDELT_QUERIES": list(config.gdelt_queries),
        "AIWATCH_GDELT_TIMESPAN": config.gdelt_timespan,
        "AIWATCH_REDIS_IDLE_CLOSE": config.redis_idle_close,
        "AIWATCH_SOURCE_BACKOFF_MINUTES": config.source_backoff_minutes,
    }


# The declared defaults, until a run puts its configuration over them.
globals().update(config_settings(Config({s.name: default(s.name) for s in SETTINGS})))
