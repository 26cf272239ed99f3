"""Scrapy settings: polite, fail-safe values taken from the aiwatch configuration."""

from __future__ import annotations

from aiwatch.crawler.settings import config_settings
from aiwatch.crawler.sources import SPIDER_NAMES
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from aiwatch.config import load_config


def project_settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("aiwatch.crawler.settings", priority="project")
    config = load_config(path="", environ={}, overrides=overrides)
    settings.setdict(config_settings(config), priority="project")
    return settings


def test_polite_and_fail_safe_defaults() -> None:
    s = project_settings()
    assert "+http" in s.get("USER_AGENT")  # a contact URL
    assert s.getbool("ROBOTSTXT_OBEY") and s.getbool("AUTOTHROTTLE_ENABLED")
    assert 1 <= s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4
    assert 0 < s.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert 0 < s.getint("DOWNLOAD_WARNSIZE") < s.getint("DOWNLOAD_MAXSIZE")
    assert 0 < s.getint("DOWNLOAD_TIMEOUT") <= 60
    assert s.getint("RETRY_TIMES") <= 2 and s.getint("REDIRECT_MAX_TIMES") <= 10
    assert s.getbool("MEMUSAGE_ENABLED") and s.getint("MEMUSAGE_LIMIT_MB") > 0
    assert s.getbool("COMPRESSION_ENABLED") and not s.getbool("TELNETCONSOLE_ENABLED")
    assert not s.getbool("REMOTE_CONTROL_ENABLED")
    middlewares = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None
    assert middlewares["aiwatch.crawler.middlewares.robots.QueuedRobotsTxtMiddleware"] == 100
    assert middlewares["aiwatch.crawler.middlewares.safety.AddressGuardMiddleware"] < 50
    assert list(s.getdict("ITEM_PIPELINES")) == [
        "aiwatch.crawler.pipelines.prepare.PreparePipeline",
        "aiwatch.crawler.pipelines.storage.StoragePipeline",
    ]


def test_configuration_reaches_scrapy() -> None:
    s = project_settings(close_on_errors=50, crawl_memory_mb=0, user_agent="x/1 (+https://x.test)")
    assert s.getint("CLOSESPIDER_ERRORCOUNT") == 50
    assert not s.getbool("MEMUSAGE_ENABLED")
    assert s.get("USER_AGENT") == "x/1 (+https://x.test)"


def test_every_spider_is_registered() -> None:
    loader = SpiderLoader.from_settings(project_settings())
    assert sorted(loader.list()) == sorted(SPIDER_NAMES)
