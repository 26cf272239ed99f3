"""The stages of ``aiwatch update`` (crawl, extract, graph) as :class:`aiwatch.update.Stage` callables.

This is the one place besides the single-stage commands that knows every stage, so it lives in the CLI
layer; it has no click in it. :func:`update_database` is the whole update as a plain function, used by
``aiwatch update``, ``aiwatch demo`` and the benchmarks. Stages are imported when they run (fast CLI start).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from aiwatch.config import Config
from aiwatch.update import Progress, Stage, StageError, StageResult, UpdateResult, run_update

log = logging.getLogger(__name__)


@dataclass
class Sources:
    """Crawl source options, as given to ``aiwatch crawl``."""

    feeds: Sequence[str] = ()
    sitemaps: Sequence[str] = ()
    urls: Sequence[str] = ()
    sources_file: str | None = None
    since: str | None = None
    spiders: Sequence[str] | None = None


def crawl_stop_reasons(spiders: dict[str, str], config: Any) -> str:
    """Why spiders closed before finishing, in words ('' when all finished).

    >>> crawl_stop_reasons({"feeds": "memusage_exceeded", "urls": "finished"}, {"crawl_memory_mb": 20})
    'feeds: memory limit crawl_memory_mb = 20 MB exceeded'
    """
    limit = config["crawl_memory_mb"] if isinstance(config, dict) else config.crawl_memory_mb
    words = {"memusage_exceeded": f"memory limit crawl_memory_mb = {limit} MB exceeded",
             "closespider_pagecount": "max_pages reached",
             "closespider_errorcount": "close_on_errors reached",
             "closespider_timeout": "its share of the time limit (crawl_share) used up"}
    return "; ".join(f"{name}: {words.get(reason, reason)}" for name, reason in sorted(spiders.items())
                     if reason not in ("finished", "unknown"))


def crawl_seconds(config: Config, max_minutes: float | None) -> float | None:
    """The crawl's share of the run's time limit, in seconds (None: no limit).

    >>> crawl_seconds(Config({"crawl_share": 0.6}), 55)
    1980.0
    """
    return None if not max_minutes else round(max_minutes * 60 * float(config.crawl_share), 3)


def crawl_stage(db_path: Path, config: Config, sources: Sources, show_progress: bool,
                max_minutes: float | None, conn: sqlite3.Connection, progress: Progress) -> StageResult:
    """Crawl ``sources`` within the crawl's share of the time limit (``crawl_share``), so extraction and the
    graph always run on what it stored; every source failing fails the run (the later stages still run)."""
    from aiwatch.cli.progress import crawl_bar
    from aiwatch.crawler.runtime.run import CrawlError, CrawlTimeout, progress_counts, run_crawl
    from aiwatch.crawler.sources import SourcesError

    try:
        with crawl_bar(show_progress) as on_progress:
            crawl = run_crawl(db_path, config, feeds=sources.feeds, sitemaps=sources.sitemaps,
                              urls=sources.urls, sources_file=sources.sources_file, since=sources.since,
                              spiders=sources.spiders, on_progress=on_progress,
                              stop_after=crawl_seconds(config, max_minutes))
            if on_progress is not None:
                on_progress(progress_counts(crawl))
    except CrawlTimeout as exc:
        line = f"crawl: {exc} at the end of its share of the time limit (crawl_share); what it stored is kept"
        log.warning(line)
        return StageResult({"killed": str(exc)}, line, "partial")
    except (SourcesError, CrawlError) as exc:
        raise StageError(str(exc)) from None
    stopped = crawl_stop_reasons(crawl.spiders, config)
    if stopped:
        log.warning("crawl stopped early: %s", stopped)
    error = None
    if crawl.all_failed:
        error = "every source failed" + (f" (crawl stopped early: {stopped})" if stopped else "")
    return StageResult(crawl.to_dict(), crawl.summary(), crawl.status, error)


def extract_stage(config: Config, show_progress: bool, conn: sqlite3.Connection,
                  progress: Progress) -> StageResult:
    """Extract entities and claims from new or changed articles."""
    from aiwatch.extract.runner import run_extract

    extracted = run_extract(
        conn, model=config.spacy_model, workers=config.extract_workers, batch_size=config.extract_batch_size,
        min_confidence=config.claim_min_confidence, progress=show_progress,
        on_progress=lambda stats: progress(stats.as_dict()),
    )
    return StageResult(extracted.as_dict(), extracted.summary())


def graph_stage(config: Config, conn: sqlite3.Connection, progress: Progress) -> StageResult:
    """Apply the changed articles to the graph tables."""
    from aiwatch.graph.events.pipeline import EventSettings
    from aiwatch.graph.pipeline import update_graph

    built = update_graph(conn, betweenness_k=config.graph_betweenness_k, seed=config.graph_seed,
                         events=EventSettings.from_config(config))
    return StageResult(built.as_dict(), built.summary())


def update_stages(db_path: Path, config: Config, sources: Sources, *, progress: bool = False,
                  max_minutes: float | None = None) -> list[Stage]:
    """Crawl, extract and graph, in that order; ``progress`` shows the crawl's and extraction's bars; the
    crawl gets its share of ``max_minutes``."""
    return [Stage("crawl", partial(crawl_stage, db_path, config, sources, progress, max_minutes)),
            Stage("extract", partial(extract_stage, config, progress)),
            Stage("graph", partial(graph_stage, config))]


def update_database(db_path: Path, config: Config, sources: Sources, *, max_minutes: float | None = None,
                    progress: bool = False, announce: Callable[[str], None] | None = None) -> UpdateResult:
    """The whole ``aiwatch update`` over ``db_path``: see :func:`aiwatch.update.run_update`.

    ``announce(summary)`` is called as each stage ends (the CLI prints it then, not all at the end).
    """
    lock_path = Path(config.lock_file) if config.lock_file else None
    stages = update_stages(db_path, config, sources, progress=progress, max_minutes=max_minutes)
    return run_update(db_path, stages, lock_path=lock_path, max_minutes=max_minutes, announce=announce)
