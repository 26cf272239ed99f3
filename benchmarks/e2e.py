"""End-to-end benchmark: crawl -> extract -> graph -> Datasette over a synthetic site, same-run baselines.

    python benchmarks/e2e.py                        # 1,000 articles, incremental run included
    python benchmarks/e2e.py --articles 10000 --skip-incremental
    python benchmarks/e2e.py --incremental-only     # the incremental run alone

A site of N articles (500-1,500 words, the sample site's outlet templates, an RSS feed and a sitemap; see
``synth.py``) is served on 127.0.0.1 and run through the project's own functions, stage by stage as
``aiwatch update`` does (``run_crawl``, ``run_extract`` with ``extract_workers=2``,
``aiwatch.graph.pipeline.update_graph``), then queried through the ``aiwatch serve`` app. Crawl settings for
every crawl here (ours and the baseline): ``download_delay=0``, ``autothrottle=False``,
``concurrent_requests_per_domain=16``. Baselines, same run:

* a bare Scrapy spider (a subprocess, like our crawl) fetching the same pages with no processing; the two
  crawls alternate for ``--crawl-rounds`` rounds (default 2; the first of ours is the one the later stages
  use) and ``crawl_ratio`` compares the best round of each, since a shared 2-core machine's noise moves
  either by 20%;
* raw ``nlp.pipe`` of the same spaCy model as shipped (the components aiwatch loads, with the model's own
  ``attribute_ruler``) with ``n_process=2`` over the same stored texts; both timings include loading the
  model;
* stock Datasette (no metadata, no aiwatch plugin) on the same database's articles table.

``incremental_ratio`` is the time of ``aiwatch update`` (``update_database``) finding 50 new articles over a
copy of the 100k-article database of ``datasette_scale.py`` divided by the same update over an empty database.
Peak memory per stage is the whole process tree (this process and its children), sampled every 100 ms
(PSS every 500 ms), as the sum of RSS (``peak_rss_mb``: pages shared by forked workers counted in each)
and of PSS (``peak_pss_mb``: shared pages counted once); the crawl stage also reports the crawl process
alone.
Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

CRAWL_OVERRIDES = {"download_delay": 0.0, "autothrottle": False, "concurrent_requests_per_domain": 16}
TARGETS = {"articles_per_min": (">=", 500), "extract_ratio": (">=", 0.8), "crawl_ratio": (">=", 0.5),
           "incremental_ratio": ("<=", 2.0), "table_page_ms": ("<=", 50), "fts_ms": ("<=", 50),
           "entity_page_ms": ("<=", 200), "canned_query_ms_max": ("<=", 200)}
NEW_ARTICLES = 50


class RssSampler:
    """Peak memory of this process tree per stage, sampled in a background thread.

    RSS (``/proc/PID/statm``, cheap) every ``interval``; PSS (``smaps_rollup``, which walks the process's
    page tables and stalls it meanwhile: sampling it every 100 ms slowed the crawl by 12%) every
    ``pss_every`` samples.
    """

    def __init__(self, interval: float = 0.1, pss_every: int = 5) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.pss_every = pss_every
        self.count = 0
        self.stage: str | None = None
        self.peaks: dict[str, float] = {}
        self.pss_peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_mb(self, with_pss: bool) -> tuple[float, float | None]:
        """(sum of RSS, sum of PSS or None) over the tree; PSS counts pages shared by workers once."""
        rss = pss = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                if with_pss:
                    info = p.memory_full_info()
                    pss += getattr(info, "pss", info.rss)
                else:
                    info = p.memory_info()
            except Exception:  # a child that just exited
                continue
            rss += info.rss
        return rss / 2**20, (pss / 2**20 if with_pss else None)

    def sample(self, with_pss: bool = True) -> None:
        """Record the tree's current memory against the current stage (if any)."""
        stage = self.stage
        if stage:
            rss, pss = self._tree_mb(with_pss)
            self.peaks[stage] = max(self.peaks.get(stage, 0.0), rss)
            if pss is not None:
                self.pss_peaks[stage] = max(self.pss_peaks.get(stage, 0.0), pss)

    def enter(self, stage: str | None) -> None:
        """Close the current stage with a last sample and start ``stage`` (None: between stages)."""
        self.sample()
        self.stage = stage
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.count += 1
            self.sample(with_pss=self.count % self.pss_every == 0)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench_config(**extra: Any):
    from aiwatch.config import load_config

    return load_config(environ={}, overrides={**CRAWL_OVERRIDES, "extract_workers": 2, **extra})


def run_ours(db: Path, feed: str, sampler: RssSampler) -> dict[str, Any]:
    """Crawl, extract and graph ``feed`` into ``db`` with the project's functions; per-stage figures."""
    from aiwatch.crawler.runtime.run import run_crawl
    from aiwatch.extract.runner import run_extract
    from aiwatch.graph.pipeline import update_graph

    from aiwatch.db import connect

    config = bench_config()
    out: dict[str, Any] = {}
    began = time.perf_counter()
    sampler.enter("crawl")
    crawl = run_crawl(db, config, feeds=[feed])
    out["crawl_s"] = time.perf_counter() - began
    out["crawl_child_rss_mb"] = crawl.peak_rss_mb
    out["crawl_stats"] = {k: v for k, v in crawl.to_dict().items() if not isinstance(v, dict | list)}
    conn = connect(db)
    sampler.enter("extract")
    mark = time.perf_counter()
    extracted = run_extract(conn, model=config.spacy_model, workers=config.extract_workers,
                            batch_size=config.extract_batch_size, min_confidence=config.claim_min_confidence)
    out["extract_s"] = time.perf_counter() - mark
    sampler.enter("graph")
    mark = time.perf_counter()
    built = update_graph(conn, betweenness_k=config.graph_betweenness_k, seed=config.graph_seed)
    out["graph_s"] = time.perf_counter() - mark
    sampler.enter(None)
    out["total_s"] = time.perf_counter() - began
    out["stored"] = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    out["words"] = sum(len((t or "").split()) for (t,) in conn.execute("SELECT text FROM articles"))
    out["extract"] = {"articles": extracted.articles, "mentions": extracted.mentions,
                      "claims": extracted.claims, "errors": extracted.errors}
    out["graph"] = {"nodes": built.nodes, "edges": built.edges}
    conn.close()
    return out


BARE_SPIDER = '''
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess

feed, result, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
fetched = []

class Bare(scrapy.Spider):
    name = "bare"
    start_urls = [feed]

    def parse(self, response):
        for link in response.xpath("//item/link/text()").getall():
            yield scrapy.Request(link.strip(), callback=self.page)

    def page(self, response):
        fetched.append(len(response.body))

process = CrawlerProcess(settings)
process.crawl(Bare)
process.start()
with open(result, "w") as f:
    json.dump({"pages": len(fetched), "bytes": sum(fetched)}, f)
'''


def run_bare_scrapy(feed: str, work: Path) -> dict[str, Any]:
    """A bare Scrapy spider (subprocess) fetching every feed item with the same concurrency, no processing."""
    config = bench_config()
    settings = {"CONCURRENT_REQUESTS": config.concurrent_requests,
                "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrent_requests_per_domain,
                "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": config.robotstxt_obey,
                "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "USER_AGENT": config.user_agent}
    script, result = work / "bare_spider.py", work / "bare.json"
    script.write_text(BARE_SPIDER, encoding="utf-8")
    began = time.perf_counter()
    subprocess.run([sys.executable, str(script), feed, str(result), json.dumps(settings)], check=True)
    elapsed = time.perf_counter() - began
    return {**json.loads(result.read_text()), "seconds": elapsed}


def crawl_rounds(feed: str, work: Path, sampler: RssSampler, rounds: int,
                 first_s: float | None = None) -> dict[str, Any]:
    """Our crawl and the bare spider, alternating, ``rounds`` times each; best time of each side.

    ``first_s``: our first round already ran (the crawl the later stages use); the others crawl into
    scratch databases. Both sides are sampled for memory alike (the sampler costs some CPU).
    """
    from aiwatch.crawler.runtime.run import run_crawl

    ours = [first_s] if first_s is not None else []
    bare: list[dict[str, Any]] = []
    stored, crawl_process_mb = None, 0.0
    for round_no in range(rounds):
        if len(ours) <= round_no:
            scratch = work / f"scratch{round_no}.db"
            sampler.enter("crawl")
            began = time.perf_counter()
            stats = run_crawl(scratch, bench_config(), feeds=[feed])
            ours.append(time.perf_counter() - began)
            stored, crawl_process_mb = stats.stored, max(crawl_process_mb, stats.peak_rss_mb)
            scratch.unlink()
        sampler.enter("bare_scrapy")
        bare.append(run_bare_scrapy(feed, work))
        sampler.enter(None)
    fastest = min(bare, key=lambda b: b["seconds"])
    return {"ours_s": ours, "bare_s": [b["seconds"] for b in bare], "best_ours_s": min(ours),
            "best_bare_s": fastest["seconds"], "bare_pages": fastest["pages"], "stored": stored,
            "crawl_process_peak_rss_mb": crawl_process_mb}


def run_raw_nlp(db: Path, sampler: RssSampler) -> dict[str, Any]:
    """Raw ``nlp.pipe`` (n_process=2) of the model aiwatch loads over the stored texts, model load incl."""
    from aiwatch.extract.pipeline import load_model

    config = bench_config()
    conn = sqlite3.connect(db)
    texts = [t for (t,) in conn.execute("SELECT text FROM articles ORDER BY id") if t]
    conn.close()
    sampler.enter("raw_nlp")
    began = time.perf_counter()
    nlp = load_model(config.spacy_model, compiled_attributes=False)  # spaCy's model as shipped
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=config.extract_batch_size, n_process=2))
    elapsed = time.perf_counter() - began
    sampler.enter(None)
    return {"seconds": elapsed, "words": sum(len(t.split()) for t in texts), "tokens": tokens}


def run_datasette(db: Path, repeat: int) -> dict[str, Any]:
    """Page timings of the aiwatch app and the stock Datasette table page (see datasette_scale.py)."""
    import datasette_scale

    ours = asyncio.run(datasette_scale.measure_aiwatch(db, repeat))
    stock = asyncio.run(datasette_scale.measure_stock(db, repeat))
    canned = {k: v[0] for k, v in ours.items() if k.startswith("canned:")}
    return {"table_page_ms": ours["table_page"][0], "table_page_uncached_ms": ours["table_page_uncached"][0],
            "fts_ms": ours["fts"][0],
            "entity_page_ms": ours["entity_page"][0], "overview_ms": ours["overview"][0],
            "entity_page_uncached_ms": ours["entity_page_uncached"][0],
            "canned_query_ms_max": max(canned.values()),
            "slowest_canned_query": max(canned, key=canned.get).split(":", 1)[1],
            "stock_table_page_ms": stock["table_page"][0],
            "non_200": [k for k, (_, status) in ours.items() if status != 200]}


def timed_update(db: Path, feed: str) -> tuple[float, dict[str, Any]]:
    """One ``aiwatch update`` (the real ``update_database``) of ``feed`` into ``db``; seconds and stats."""
    from aiwatch.cli.pipeline import Sources, update_database

    began = time.perf_counter()
    result = update_database(db, bench_config(), Sources(feeds=[feed]))
    elapsed = time.perf_counter() - began
    if result.status not in ("ok", "partial"):
        raise RuntimeError(f"update over {db.name} {result.status}: {result.error}")
    return elapsed, result.stats


def run_incremental(work: Path, cache_dir: Path, base_articles: int,
                    new_articles: int = NEW_ARTICLES) -> dict[str, Any]:
    """``update`` of 50 new articles over a copy of the large database vs over an empty one."""
    began = time.perf_counter()
    big = synth.cached_db(cache_dir, base_articles, log=lambda m: print(m, file=sys.stderr, flush=True))
    generate_s = time.perf_counter() - began  # near 0 when the database was cached by an earlier run
    site = work / "new_site"
    synth.build_site(site, new_articles, offset=900_000, seed=23)
    copy = work / "big.db"
    shutil.copyfile(big, copy)
    with synth.serve_site(site) as base:
        empty_s, empty_stats = timed_update(work / "empty.db", f"{base}/feed.xml")
        big_s, big_stats = timed_update(copy, f"{base}/feed.xml")
    copy.unlink()

    def stages(stats: dict[str, Any]) -> dict[str, Any]:
        return {"crawl_s": round(stats.get("crawl", {}).get("elapsed", 0.0), 2),
                "extract_s": round(stats.get("extract", {}).get("seconds", 0.0), 2),
                "graph_s": round(stats.get("graph", {}).get("seconds", 0.0), 2),
                "stored": stats.get("crawl", {}).get("stored"),
                "extracted": stats.get("extract", {}).get("articles"),
                "events": {k: v for k, v in stats.get("graph", {}).get("events", {}).items()
                           if k in ("mode", "articles", "groups", "events_changed", "seconds", "timings")}}

    return {"incremental_ratio": big_s / empty_s, "update_empty_s": empty_s, "update_big_s": big_s,
            "base_articles": base_articles, "new_articles": new_articles, "generate_s": generate_s,
            "empty": stages(empty_stats),
            "big": stages(big_stats)}


def incremental_only(work: Path, cache_dir: Path, base_articles: int, new_articles: int) -> int:
    """``--incremental-only``: the incremental run alone; prints a summary line and the JSON line."""
    result = run_incremental(work, cache_dir, base_articles, new_articles)
    ratio = result["incremental_ratio"]
    print(f"update of {new_articles} new articles over {base_articles:,}: {result['update_big_s']:.1f}s, "
          f"over an empty database: {result['update_empty_s']:.1f}s; incremental_ratio {ratio:.2f} "
          f"({verdict('incremental_ratio', ratio)}); graph stage {result['big']['graph_s']}s "
          f"(events {result['big']['events'].get('seconds')}s); database generated in "
          f"{result['generate_s']:.0f}s")
    print(json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()}))
    return 0


def crawl_only(work: Path, articles: int, sampler: RssSampler, rounds: int) -> int:
    """``--crawl-only``: our crawl and the bare spider over the built site; prints the table and JSON line."""
    with synth.serve_site(work / "site") as base:
        crawls = crawl_rounds(f"{base}/feed.xml", work, sampler, rounds)
    ratio = (crawls["stored"] / crawls["best_ours_s"]) / (crawls["bare_pages"] / crawls["best_bare_s"])
    result = {"articles": articles, "stored": crawls["stored"], "crawl_s": round(crawls["best_ours_s"], 2),
              "bare_scrapy_s": round(crawls["best_bare_s"], 2), "crawl_ratio": round(ratio, 3),
              "crawl_process_peak_rss_mb": crawls["crawl_process_peak_rss_mb"],
              "rounds": {"ours": [round(x, 2) for x in crawls["ours_s"]],
                         "bare": [round(x, 2) for x in crawls["bare_s"]]},
              "peak_rss_mb": {k: round(v) for k, v in sampler.peaks.items()},
              "peak_pss_mb": {k: round(v) for k, v in sampler.pss_peaks.items()}}
    print(f"crawl {articles} pages, best of {rounds}: ours {crawls['best_ours_s']:.1f}s, bare Scrapy "
          f"{crawls['best_bare_s']:.1f}s, ratio {ratio:.3f} ({verdict('crawl_ratio', ratio)}); "
          f"crawl tree peak PSS {result['peak_pss_mb'].get('crawl')} MB (<= 500)")
    print(json.dumps(result))
    return 0


def verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, target = TARGETS[name]
    ok = value >= target if op == ">=" else value <= target
    return f"{op} {target}: {'ok' if ok else 'MISSED'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--skip-incremental", action="store_true", help="Skip the 100k incremental update.")
    parser.add_argument("--incremental-base", type=int, default=100_000,
                        help="Articles in the large database of the incremental run.")
    parser.add_argument("--repeat", type=int, default=5, help="Timed requests per Datasette page.")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "aiwatch-scale")
    parser.add_argument("--crawl-only", action="store_true",
                        help="Only the crawl and the bare Scrapy baseline (rate and memory at large N).")
    parser.add_argument("--incremental-only", action="store_true",
                        help="Only the incremental run (update of 50 new articles over the large database).")
    parser.add_argument("--new-articles", type=int, default=NEW_ARTICLES,
                        help="New articles of the incremental run (the figure is defined for 50).")
    parser.add_argument("--crawl-rounds", type=int, default=2,
                        help="Rounds of our crawl and the bare spider, alternating; the best of each counts.")
    parser.add_argument("--min-words", type=int, default=500)
    parser.add_argument("--max-words", type=int, default=1500)
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"articles": args.articles}
    if args.incremental_only:
        with tempfile.TemporaryDirectory(prefix="aiwatch-e2e-") as tmp:
            return incremental_only(Path(tmp), args.cache_dir, args.incremental_base, args.new_articles)
    with tempfile.TemporaryDirectory(prefix="aiwatch-e2e-") as tmp, RssSampler() as sampler:
        work = Path(tmp)
        site = synth.build_site(work / "site", args.articles, min_words=args.min_words,
                                max_words=args.max_words)
        db = work / "e2e.db"
        if args.crawl_only:
            return crawl_only(work, args.articles, sampler, args.crawl_rounds)
        with synth.serve_site(work / "site") as base:
            feed = f"{base}/feed.xml"
            ours = run_ours(db, feed, sampler)
            crawls = crawl_rounds(feed, work, sampler, args.crawl_rounds, first_s=ours["crawl_s"])
        raw = run_raw_nlp(db, sampler)
        pages = run_datasette(db, args.repeat)
        incremental = None if args.skip_incremental else run_incremental(work, args.cache_dir,
                                                                         args.incremental_base)

    stored = ours["stored"]
    crawl_ratio = (stored / crawls["best_ours_s"]) / (crawls["bare_pages"] / crawls["best_bare_s"])
    our_wps = ours["words"] / ours["extract_s"]
    raw_wps = raw["words"] / raw["seconds"]
    results.update({
        "stored": stored,
        "words_per_article": round(site["words"] / args.articles),
        "articles_per_min": round(stored / ours["total_s"] * 60, 1),
        "crawl_ratio": round(crawl_ratio, 3),
        "extract_ratio": round(our_wps / raw_wps, 3),
        "table_page_ms": round(pages["table_page_ms"], 1),
        "table_page_uncached_ms": round(pages["table_page_uncached_ms"], 1),
        "fts_ms": round(pages["fts_ms"], 1),
        "entity_page_ms": round(pages["entity_page_ms"], 1),
        "entity_page_uncached_ms": round(pages["entity_page_uncached_ms"], 1),
        "canned_query_ms_max": round(pages["canned_query_ms_max"], 1),
        "incremental_ratio": round(incremental["incremental_ratio"], 2) if incremental else None,
        "peak_rss_mb": {**{k: round(v) for k, v in sampler.peaks.items()},
                        "crawl_process": ours["crawl_child_rss_mb"]},
        "peak_pss_mb": {k: round(v) for k, v in sampler.pss_peaks.items()},
        "seconds": {"crawl": round(ours["crawl_s"], 2), "extract": round(ours["extract_s"], 2),
                    "graph": round(ours["graph_s"], 2), "total": round(ours["total_s"], 2),
                    "bare_scrapy": round(crawls["best_bare_s"], 2), "raw_nlp_pipe": round(raw["seconds"], 2),
                    "crawl_rounds": [round(x, 2) for x in crawls["ours_s"]],
                    "bare_scrapy_rounds": [round(x, 2) for x in crawls["bare_s"]]},
        "words_per_s": {"ours": round(our_wps), "raw_nlp_pipe": round(raw_wps)},
        "baseline_pages": crawls["bare_pages"],
        "overview_ms": round(pages["overview_ms"], 1),
        "slowest_canned_query": pages["slowest_canned_query"],
        "stock_table_page_ms": round(pages["stock_table_page_ms"], 1),
        "extract": ours["extract"], "graph": ours["graph"],
        "non_200": pages["non_200"],
    })
    if incremental:
        results["incremental"] = {k: (round(v, 2) if isinstance(v, float) else v)
                                  for k, v in incremental.items()}

    print(f"\n{'figure':<22} {'value':>12}  target")
    for name in ("articles", "stored", "words_per_article", "articles_per_min", "crawl_ratio",
                 "extract_ratio",
                 "table_page_ms", "fts_ms", "entity_page_ms", "canned_query_ms_max", "incremental_ratio"):
        value = results[name]
        shown = "skipped" if value is None else value
        print(f"{name:<22} {shown:>12}  {'' if value is None else verdict(name, value)}")
    print(f"{'seconds':<22} {json.dumps(results['seconds'])}")
    print(f"{'peak_rss_mb':<22} {json.dumps(results['peak_rss_mb'])}")
    print(f"{'peak_pss_mb':<22} {json.dumps(results['peak_pss_mb'])}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
