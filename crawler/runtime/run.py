"""Run a crawl: plan the spiders from the source options, then run them in a child process.

Twisted's reactor cannot be restarted inside one Python process, and ``aiwatch update`` and the tests crawl
more than once per process, so :func:`run_crawl` runs the spiders (one after another, so each sees what the
previous stored) in a child ``python -m aiwatch.crawler.runtime.run JOB RESULT`` process. The child writes
its stats as JSON; its log lines are relayed to this process's stderr. The child dies with its parent
(``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiwatch.crawler.runtime.stats import CrawlStats
from aiwatch.crawler.sources import SPIDER_NAMES, Source, SourcesError, check_url, load_sources
from aiwatch.crawler.spiders.base import origin_of
from aiwatch.crawler.spiders.formats import parse_since

from aiwatch.config import Config
from aiwatch.db import connect
from aiwatch.lifetime import die_with_parent
from aiwatch.memory import peak_rss_mb

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

# Spiders that have a built-in endpoint and can run without a configured source.
SELF_SOURCED = {"gdelt": "https://api.gdeltproject.org/api/v2/doc/doc",
                "federal_register": "https://www.federalregister.gov/api/v1/documents.json"}


class CrawlError(Exception):
    """The crawl could not be started or its process failed."""


def command_line_sources(feeds: Iterable[str], sitemaps: Iterable[str], urls: Iterable[str]) -> list[Source]:
    """Sources from ``--feed``/``--sitemap``/``--url`` values; a bad URL raises :class:`SourcesError`."""
    found = []
    for option, kind, values in (("--feed", "feed", feeds), ("--sitemap", "sitemap", sitemaps),
                                 ("--url", "url", urls)):
        for value in values:
            problem = check_url(value)
            if problem:
                raise SourcesError(f"{option} {value}: {problem}")
            found.append(Source(value.strip(), kind, value.strip()))
    return found


def plan(sources: Sequence[Source], spiders: Sequence[str] | None) -> list[tuple[str, list[dict[str, Any]]]]:
    """Spider runs in order ``(spider name, [source args])``; ``spiders`` restricts which run."""
    if spiders:
        unknown = [s for s in spiders if s not in SPIDER_NAMES]
        if unknown:
            raise SourcesError(f"unknown spider {unknown[0]!r} (choose from {', '.join(SPIDER_NAMES)})")
    jobs = []
    for name in SPIDER_NAMES:
        if spiders and name not in spiders:
            continue
        args = [s.as_spider_arg() for s in sources if s.spider == name]
        if args or (spiders and name in SELF_SOURCED):
            jobs.append((name, args))
    return jobs


def resolve_sources(
    config: Config, *, feeds: Iterable[str] = (), sitemaps: Iterable[str] = (), urls: Iterable[str] = (),
    sources_file: str | os.PathLike[str] | None = None,
) -> list[Source]:
    """Sources given on the command line and/or in ``sources_file``; the default list when there are none."""
    sources = command_line_sources(feeds, sitemaps, urls)
    if sources_file:
        sources += load_sources(sources_file)
    if not sources and not sources_file:
        sources = load_sources(config.sources_file or None)
    return sources


@dataclass(frozen=True)
class CrawlPlan:
    """A checked crawl, ready to run: spider jobs in order, trusted origins and the options."""

    jobs: list[tuple[str, list[dict[str, Any]]]]
    trusted: list[str]
    source_names: list[str]
    since: str | None = None
    redis_url: str | None = None


def prepare_crawl(
    config: Config,
    *,
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    urls: Iterable[str] = (),
    sources_file: str | os.PathLike[str] | None = None,
    since: str | None = None,
    spiders: Sequence[str] | None = None,
    redis_url: str | None = None,
) -> CrawlPlan:
    """Check the source options and plan the crawl, touching no database.

    Raises :class:`SourcesError` for bad sources or options, :class:`CrawlError` when ``redis_url`` cannot
    be reached.
    """
    if since is not None:
        try:
            since = parse_since(since).isoformat()
        except ValueError as exc:
            raise SourcesError(f"--since: {exc}") from None
    sources = resolve_sources(config, feeds=feeds, sitemaps=sitemaps, urls=urls, sources_file=sources_file)
    jobs = plan(sources, spiders)
    if redis_url:
        from aiwatch.crawler.distributed.frontier import DistributedError, redis_client

        try:
            redis_client(redis_url).close()
        except DistributedError as exc:
            raise CrawlError(str(exc)) from None
    if not jobs:
        raise SourcesError(f"nothing to crawl: no sources for spider {', '.join(spiders or ())}")
    trusted = sorted({origin_of(s.url) for s in sources}
                     | {origin_of(SELF_SOURCED[name]) for name, _ in jobs if name in SELF_SOURCED})
    names = [s.name for s in sources if not spiders or s.spider in spiders]
    return CrawlPlan(jobs, trusted, names, since, redis_url)


class CrawlTimeout(CrawlError):
    """The crawl process outlived its time share and its grace period and was killed."""


# A crawl given ``stop_after`` seconds closes its spiders early enough for the downloads in flight to end
# (see :func:`stop_times`); a crawl process still running this many seconds after ``stop_after`` is killed.
STOP_GRACE_SECONDS = 5.0


def stop_times(stop_after: float, download_timeout: float) -> tuple[float, float]:
    """(close the spiders after, kill the crawl process after), in seconds, for a crawl time share.

    Closing waits for the downloads in flight, which may take ``download_timeout``, so the spiders close
    that much plus 5 s before the share ends; a share shorter than three such margins keeps its whole
    length for the crawl (downloads still in flight when it ends are cut off by the kill).

    >>> stop_times(1980, 30), stop_times(36, 30)
    ((1945.0, 1985.0), (36.0, 41.0))
    """
    margin = download_timeout + 5.0
    close_after = stop_after - margin if stop_after >= 3 * margin else stop_after
    return max(1.0, float(close_after)), stop_after + STOP_GRACE_SECONDS


def run_prepared(
    db_path: str | os.PathLike[str], config: Config, crawl: CrawlPlan, *, timeout: float | None = None,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    stop_after: float | None = None,
) -> CrawlStats:
    """Run a planned crawl into the database at ``db_path`` and return the stats (see :func:`run_crawl`).

    ``on_progress(counts)`` is called about twice a second while the crawl runs, with the counts so far
    (see :func:`progress_counts`).
    """
    connect(db_path).close()  # an unusable database fails here, with its own message
    started = time.monotonic()
    close_after = None
    if stop_after is not None:
        close_after, kill_after = stop_times(stop_after, float(config.download_timeout))
        timeout = kill_after if timeout is None else min(timeout, kill_after)
    stats = _run_child(
        {"db_path": str(Path(db_path).resolve()), "config": dict(config.values), "since": crawl.since,
         "jobs": crawl.jobs, "trusted": crawl.trusted, "log_level": logging.getLogger().getEffectiveLevel(),
         "redis_url": crawl.redis_url, "parent_pid": os.getpid(), "progress": on_progress is not None,
         "stop_after": close_after},
        timeout, on_progress,
    )
    sources: dict[str, dict[str, int]] = {name: {} for name in crawl.source_names}
    for name, counters in stats.sources.items():
        sources.setdefault(name, {}).update(counters)
    stats.sources = sources
    stats.elapsed = time.monotonic() - started
    return stats


def run_crawl(
    db_path: str | os.PathLike[str],
    config: Config,
    *,
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    urls: Iterable[str] = (),
    sources_file: str | os.PathLike[str] | None = None,
    since: str | None = None,
    spiders: Sequence[str] | None = None,
    timeout: float | None = None,
    redis_url: str | None = None,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    stop_after: float | None = None,
) -> CrawlStats:
    """Crawl the given sources (or the defaults) into the database at ``db_path`` and return the stats.

    ``stop_after`` (seconds) is the crawl's time share: the spiders close gracefully early enough for the
    downloads in flight to end within it (Scrapy's ``CLOSESPIDER_TIMEOUT``, finish reason
    ``closespider_timeout``; see :func:`stop_times`), spiders not yet started are skipped, and a crawl
    process still running :data:`STOP_GRACE_SECONDS` after the share is killed (:class:`CrawlTimeout`; what
    was committed stays).

    Raises :class:`SourcesError` for bad sources or options, :class:`aiwatch.db.DatabaseOpenError` for an
    unusable database, and :class:`CrawlError` when the crawl process itself fails. Failing sources and
    pages do not raise: they are counted in the returned stats (see :attr:`CrawlStats.status`).
    With ``redis_url``, the crawl joins a distributed crawl (:mod:`aiwatch.crawler.distributed.frontier`):
    items go to Redis for ``aiwatch ingest`` instead of into the database. Nothing is written to ``runs``:
    the command running the crawl records it.
    """
    crawl = prepare_crawl(config, feeds=feeds, sitemaps=sitemaps, urls=urls, sources_file=sources_file,
                          since=since, spiders=spiders, redis_url=redis_url)
    return run_prepared(
        db_path, config, crawl, timeout=timeout, on_progress=on_progress, stop_after=stop_after
    )


PROGRESS_MARK = "aiwatch-progress "


def progress_counts(stats: CrawlStats) -> dict[str, int]:
    """What a progress display shows: pages fetched, articles stored, pages rejected (off-topic or no
    article), syndicated copies among the stored, errors.

    >>> progress_counts(CrawlStats(fetched=9, inserted=4, stored=4, off_topic=2, not_article=1))
    {'fetched': 9, 'stored': 4, 'rejected': 3, 'duplicates': 0, 'errors': 0}
    """
    return {"fetched": stats.fetched, "stored": stats.stored, "rejected": stats.off_topic + stats.not_article,
            "duplicates": stats.duplicates, "errors": stats.error_count}


def _pump(stream: Any) -> None:
    for line in stream:
        sys.stderr.write(line)
    stream.close()


def _pump_progress(stream: Any, on_progress: Callable[[dict[str, int]], None]) -> None:
    """Hand the child's progress lines (``aiwatch-progress {json}`` on its stdout) to ``on_progress``."""
    for line in stream:
        if line.startswith(PROGRESS_MARK):
            try:
                counts = json.loads(line[len(PROGRESS_MARK):])
            except ValueError:
                continue
            on_progress(counts)
    stream.close()


def _run_child(job: dict[str, Any], timeout: float | None,
               on_progress: Callable[[dict[str, int]], None] | None = None) -> CrawlStats:
    with tempfile.TemporaryDirectory(prefix="aiwatch-crawl-") as tmp:
        job_file = Path(tmp, "job.json")
        result_file = Path(tmp, "result.json")
        job_file.write_text(json.dumps(job))
        env = dict(os.environ)
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "aiwatch.crawler.runtime.run", str(job_file), str(result_file)],
            stderr=subprocess.PIPE, stdout=subprocess.PIPE if on_progress else subprocess.DEVNULL, text=True,
            errors="replace", env=env,
        )
        pump = threading.Thread(target=_pump, args=(proc.stderr,), daemon=True)
        pump.start()
        if on_progress is not None:
            threading.Thread(target=_pump_progress, args=(proc.stdout, on_progress), daemon=True).start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise CrawlTimeout(f"crawl process killed after {timeout:.0f}s") from None
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            pump.join(timeout=5)
        if not result_file.exists():
            raise CrawlError(f"crawl process failed (exit status {code}); see the log above")
        return CrawlStats.from_dict(json.loads(result_file.read_text()))


# ---- child process ---------------------------------------------------------------------------------
# Scrapy's "Crawled N pages (at M pages/min)" lines count only its own items (0 here: pages are stored by
# the pipelines) and come once a minute; the progress bar replaces them, so they show only with -v.
NOISY_LOGGERS = ("scrapy", "py.warnings", "trafilatura", "htmldate", "asyncio", "twisted", "filelock")


def _configure_child_logging(level: int) -> None:
    """Log to stderr (relayed by the parent) in the CLI's format; libraries only at WARNING unless DEBUG.

    A handler filter rather than logger levels, because Scrapy resets its loggers' levels on start.
    """
    noisy = logging.DEBUG if level <= logging.DEBUG else logging.WARNING

    def keep(record: logging.LogRecord) -> bool:
        return not record.name.startswith(NOISY_LOGGERS) or record.levelno >= noisy

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(keep)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


# Young-generation threshold of the crawl process and its forked workers (Python's default: 700). A crawl
# allocates Deferreds, requests and lxml proxies by the million, and a collection every 700 allocations
# costs the crawl process a measurable share of its CPU (benchmarks/e2e.py); 10,000 (imports frozen) less.
GC_THRESHOLD = (10_000, 20, 20)


def _quiet_collector() -> None:
    """Freeze what the imports allocated (never garbage; no longer scanned by every full collection, nor
    written to by the collector in the forked workers' shared pages) and collect less often."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def child_main(job_file: str, result_file: str) -> int:
    """Entry point of the crawl process: run the planned spiders in sequence, write the stats."""
    die_with_parent()
    job = json.loads(Path(job_file).read_text())
    if job.get("parent_pid") and os.getppid() != job["parent_pid"]:
        return 1  # the parent died before the death signal was armed (during start-up): never crawl orphaned
    _configure_child_logging(int(job.get("log_level") or logging.INFO))

    from aiwatch.crawler.settings import config_settings
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    config = Config(job["config"])
    settings = Settings()
    settings.setmodule("aiwatch.crawler.settings", priority="project")
    settings.setdict(config_settings(config), priority="project")
    settings.set("AIWATCH_DB_PATH", job["db_path"], priority="cmdline")
    settings.set("AIWATCH_TRUSTED_ORIGINS", job["trusted"], priority="cmdline")
    settings.set("AIWATCH_SINCE", job.get("since") or "", priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # our handler above logs
    if job.get("redis_url"):  # distributed crawl: shared frontier and seen set, items to the writer
        from aiwatch.crawler.distributed.frontier import scrapy_settings

        distributed = scrapy_settings(settings, job["redis_url"], config.redis_idle_close)
        settings.setdict(distributed, priority="cmdline")
    from aiwatch.crawler.pipelines.prepare import warm_up
    from aiwatch.crawler.runtime.pipe_pool import PipePool
    from aiwatch.crawler.runtime.processors import provide_workers

    workers = settings.getint("AIWATCH_CRAWL_WORKERS")
    if workers <= 0:
        warm_up()  # pages are processed in this process: set up before the first arrives
    _quiet_collector()
    # Forked before CrawlerProcess (no thread may run at a fork); each warms up while Scrapy starts.
    pool = PipePool(workers, initializer=warm_up) if workers > 0 else None
    process = CrawlerProcess(settings)
    _configure_child_logging(int(job.get("log_level") or logging.INFO))  # again: Scrapy resets levels
    stats = CrawlStats()
    current: dict[str, Any] = {}  # the spider running now: its name and crawler (for progress)

    def report() -> None:  # progress for the parent: the finished spiders' counts plus the running one's
        live = CrawlStats.from_dict(stats.to_dict())
        crawler = current.get("crawler")
        if crawler is not None and crawler.stats is not None:
            live.add_scrapy(current["name"], crawler.stats.get_stats())
        sys.stdout.write(PROGRESS_MARK + json.dumps(progress_counts(live)) + "\n")
        sys.stdout.flush()

    from twisted.internet import defer  # not the reactor: the first crawler installs the asyncio one

    stop_at = time.monotonic() + float(job["stop_after"]) if job.get("stop_after") else None

    @defer.inlineCallbacks
    def sequence():  # type: ignore[no-untyped-def]
        try:
            for name, sources in job["jobs"]:
                left = stop_at - time.monotonic() if stop_at is not None else None
                if left is not None and left < 1.0:
                    logging.getLogger("aiwatch.crawler.runtime.run").warning(
                        "spider %s not started: the crawl's share of the time limit is used up", name)
                    stats.spiders[name] = "closespider_timeout"
                    continue
                crawler = process.create_crawler(name)
                current.update(name=name, crawler=crawler)
                if left is not None:  # Scrapy's CloseSpider extension closes it gracefully when time is up
                    crawler.settings.set("CLOSESPIDER_TIMEOUT", left, priority="cmdline")
                if pool is not None:
                    provide_workers(crawler, pool)
                try:
                    running = process.crawl(crawler, sources=sources)
                    if job.get("progress") and "reporter" not in current:
                        from twisted.internet import task  # only now: crawl() installed the reactor

                        current["reporter"] = task.LoopingCall(report)
                        current["reporter"].start(0.5, now=False)
                    yield running
                except Exception as exc:  # a spider that cannot start must not stop the others
                    logging.getLogger("aiwatch.crawler.runtime.run").error("spider %s: %s", name, exc)
                    stats.errors[f"spider_{name}"] = stats.errors.get(f"spider_{name}", 0) + 1
                current.pop("crawler", None)
                if crawler.stats is not None:
                    stats.add_scrapy(name, crawler.stats.get_stats())
        finally:
            from twisted.internet import reactor

            reactor.callLater(0, reactor.stop)  # type: ignore[attr-defined]

    sequence()
    process.start(stop_after_crawl=False)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    stats.peak_rss_mb = peak_rss_mb()
    tmp = Path(result_file).with_suffix(".tmp")
    tmp.write_text(json.dumps(stats.to_dict()))
    tmp.replace(result_file)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1], sys.argv[2]))
