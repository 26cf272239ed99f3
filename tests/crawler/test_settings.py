"""Scrapy settings: polite, fail-safe values taken from the aiwatch configuration, read once, by the run."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import aiwatch.crawler.settings as crawler_settings
import pytest
from aiwatch.crawler.pipelines.storage import StoragePipeline
from aiwatch.crawler.runtime.run import run_crawl
from aiwatch.crawler.settings import config_settings
from aiwatch.crawler.sources import SPIDER_NAMES
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from aiwatch.config import SETTINGS_BY_NAME, default, load_config


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
        "aiwatch.crawler.pipelines.link.CanonicalLinkPipeline",
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


# ---- settings read once: from the run's configuration, never from a file at import -------------------------
def test_importing_the_settings_reads_no_configuration(tmp_path, monkeypatch) -> None:
    """A broken ./aiwatch.toml or an AIWATCH_* variable does not reach the settings module: its tunable values
    are the declared defaults until a run puts its configuration over them."""
    import aiwatch.crawler.settings as module

    (tmp_path / "aiwatch.toml").write_text("this is [not toml\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AIWATCH_MIN_ARTICLE_WORDS", "5")
    try:
        importlib.reload(module)
        words = module.AIWATCH_MIN_ARTICLE_WORDS
        assert words == default("min_article_words")
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.slow  # a crawl in a child process
def test_a_crawl_uses_its_config_file_not_a_broken_one_in_the_working_directory(
        tmp_path, monkeypatch, sample_server_module) -> None:
    """``aiwatch --config good.toml crawl`` from a directory whose aiwatch.toml is broken: the crawl process
    builds its Scrapy settings from good.toml (here: no page is long enough to be an article)."""
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    (here / "aiwatch.toml").write_text("this is [not toml\n")
    good = elsewhere / "good.toml"
    good.write_text("[aiwatch]\ndownload_delay = 0\nautothrottle = false\n"
                    "concurrent_requests_per_domain = 8\nmin_article_words = 100000\n"
                    "min_brief_words = 100000\n")
    monkeypatch.chdir(here)
    config = load_config(path=good, environ={})
    stats = run_crawl(tmp_path / "a.db", config, feeds=[f"{sample_server_module.base_url}/feed.xml"])
    assert stats.errors == {}, stats.errors
    assert stats.articles_fetched > 0 and stats.stored == 0
    assert stats.not_article == stats.articles_fetched


def component_setting_reads() -> list[tuple[str, str, bool]]:
    """``(setting, where, has_fallback)`` for every ``AIWATCH_*`` value a crawler module reads from Scrapy
    settings (``settings.get*("AIWATCH_X", ...)`` or ``settings["AIWATCH_X"]``; names held in module
    constants resolved)."""
    root = Path(crawler_settings.__file__).parent
    reads = []

    def name_of(arg: ast.expr, constants: dict[str, str]) -> str | None:
        value = arg.value if isinstance(arg, ast.Constant) else constants.get(getattr(arg, "id", ""))
        return value if isinstance(value, str) and value.startswith("AIWATCH_") else None

    for path in sorted(root.rglob("*.py")):
        if path.name == "settings.py" and path.parent == root:
            continue  # the declarations themselves
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for t in node.targets if isinstance(t, ast.Name)}

        for node in ast.walk(tree):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr.startswith("get") and node.args
                    and (name := name_of(node.args[0], constants))
                    and "environ" not in ast.unparse(node.func.value)):
                reads.append((name, where, len(node.args) > 1 or bool(node.keywords)))
            elif isinstance(node, ast.Subscript) and (name := name_of(node.slice, constants)):
                reads.append((name, where, False))
    return reads


def test_every_aiwatch_setting_a_component_reads_has_its_default_from_the_declarations() -> None:
    reads = component_setting_reads()
    read = {name for name, _, _ in reads}
    assert {"AIWATCH_MIN_ARTICLE_WORDS", "AIWATCH_TOPIC_MIN_RELEVANCE", "AIWATCH_CRAWL_WORKERS",
            "AIWATCH_NEAR_DUPLICATE_DISTANCE", "AIWATCH_DB_PATH", "AIWATCH_REDIS_IDLE_CLOSE"} <= read
    assert [where for _, where, fallback in reads if fallback] == []  # no default of its own that could drift
    defaults = Settings()
    defaults.setmodule("aiwatch.crawler.settings")
    for name in sorted(read):
        assert name in defaults, f"{name} is read but not declared in aiwatch.crawler.settings"
        setting = name.removeprefix("AIWATCH_").lower()
        if setting in SETTINGS_BY_NAME:  # configuration: its default is the one aiwatch.config declares
            assert defaults[name] == default(setting), name
        else:  # set by the run (database path, trusted origins, --since), not configuration
            assert name in {"AIWATCH_DB_PATH", "AIWATCH_TRUSTED_ORIGINS", "AIWATCH_SINCE",
                            "AIWATCH_TEST_PUBLIC_HOSTS"}, name


def test_the_storage_step_uses_the_declared_near_duplicate_distance(tmp_path) -> None:
    defaults = Settings()
    defaults.setmodule("aiwatch.crawler.settings")
    pipeline = StoragePipeline(SimpleNamespace(settings=defaults))
    assert pipeline.distance == default("near_duplicate_distance") == 10
