"""Datasette page latency over a large aiwatch database (default 100k articles, generated as rows).

The database comes from :func:`synth.cached_db` (cached in ``--cache-dir``): ~600 words, ~15 mentions and ~1.5
claims per article, a few thousand entities and the graph tables. Pages are requested through the real
``aiwatch serve`` application (:func:`aiwatch.serve.build_datasette`, Datasette's in-process ASGI client, so
routing, SQL, plugins and template rendering are all timed); each figure is the median of ``--repeat``
requests after one warm-up. The baseline is stock Datasette (no metadata, no aiwatch plugin, default settings)
over the same file. Prints a table, then one JSON line.

    python benchmarks/datasette_scale.py                     # 100k articles
    python benchmarks/datasette_scale.py --articles 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

TARGETS_MS = {"table_page": 50, "fts": 50, "entity_page": 200, "canned_query": 200, "overview": 200}
FTS_TERM = "export"


def canned_urls(entity: str, other: str, claim_id: int) -> dict[str, str]:
    """One request per canned query, with typical parameters (unfiltered lists and a popular entity)."""
    return {
        "who_accused_whom": "/aiwatch/who_accused_whom?accuser=&accused=&about=&since=",
        "entity_profile": f"/aiwatch/entity_profile?entity={entity}",
        "dispute_timeline": "/aiwatch/dispute_timeline?topic=distillation",
        "policy_actions_by_date": "/aiwatch/policy_actions_by_date?from=&to=",
        "latest_claims": "/aiwatch/latest_claims?kind=",
        "who_accused_whom_page_5": "/aiwatch/who_accused_whom?page=5",
        "responses_to_accusation": f"/aiwatch/responses_to_accusation?claim_id={claim_id}",
        "connection_between": f"/aiwatch/connection_between?a={entity}&b={other}",
        "search_claims": f"/aiwatch/search_claims?q={FTS_TERM}",
        "search_articles": f"/aiwatch/search_articles?q={FTS_TERM}",
        "feed_accusations": "/aiwatch/feed_accusations",
        "feed_policy_actions": "/aiwatch/feed_policy_actions",
    }


def rare_name(db_path: Path) -> str:
    """The name of an entity mentioned in few articles (a search with few matches, mostly old ones)."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT e.name FROM graph_nodes g JOIN entities e ON e.id = g.entity_id "
                       "WHERE g.article_count > 0 ORDER BY g.article_count, g.entity_id LIMIT 1").fetchone()
    conn.close()
    return row[0] if row else "Cambricon"


def popular(db_path: Path) -> tuple[str, str, int]:
    """The two most mentioned entities and a recent accusation id (worst cases for the entity pages)."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    top = [r[0] for r in conn.execute(
        "SELECT entity_id FROM graph_nodes ORDER BY article_count DESC LIMIT 2")]
    claim = conn.execute("SELECT max(id) FROM claims WHERE kind = 'accusation'").fetchone()[0] or 1
    conn.close()
    if len(top) < 2:
        top = ["deepseek", "anthropic"]
    return top[0], top[1], claim


async def time_get(ds: Any, url: str, repeat: int) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` GETs of ``url`` after one warm-up; and the status."""
    response = await ds.client.get(url)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = await ds.client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), response.status_code


async def measure_aiwatch(db_path: Path, repeat: int) -> dict[str, tuple[float, int]]:
    from aiwatch.config import load_config
    from aiwatch.serve import build_datasette

    ds = build_datasette(db_path, load_config())
    await ds.invoke_startup()
    entity, other, claim_id = popular(db_path)
    urls = {
        "table_page": "/aiwatch/articles",
        "fts": f"/aiwatch/search_articles?q={FTS_TERM}",  # where the articles search box leads
        "fts_table_filtered": f"/aiwatch/articles?_search={FTS_TERM}&language=en",
        # Article search beyond the timed default: best match first, two words, a rare name.
        "fts_relevance": f"/aiwatch/search_articles?q={FTS_TERM}&sort=relevance",
        "fts_two_words": f"/aiwatch/search_articles?q={FTS_TERM}+rules",
        "fts_rare": "/aiwatch/search_articles?" + urlencode({"q": rare_name(db_path)}),
        "entity_page": f"/-/aiwatch/entity/{entity}",
        "overview": "/-/aiwatch/overview",
        "article_row": "/aiwatch/articles/1",
        "claims_table": "/aiwatch/claims",
        "mentions_table": "/aiwatch/mentions",
    }
    urls.update({f"canned:{k}": v for k, v in canned_urls(entity, other, claim_id).items()})
    timings = {name: await time_get(ds, url, repeat) for name, url in urls.items()}
    # The same pages with the summary cache off: every view recounts, re-facets and re-summarises (what the
    # first view after each write costs).
    ds.databases["aiwatch"].caching = False
    for name in ("table_page", "entity_page", "overview"):
        timings[f"{name}_uncached"] = await time_get(ds, urls[name], repeat)
    ds.databases["aiwatch"].caching = True
    return timings


async def measure_stock(db_path: Path, repeat: int) -> dict[str, tuple[float, int]]:
    """Stock Datasette: the aiwatch plugin unregistered, no metadata, default settings."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    plugin = pm.unregister(name="aiwatch")
    try:
        ds = Datasette(files=[str(db_path)])
        await ds.invoke_startup()
        name = db_path.stem
        return {
            "table_page": await time_get(ds, f"/{name}/articles", repeat),
            "fts": await time_get(ds, f"/{name}/articles?_search={FTS_TERM}", repeat),
        }
    finally:
        if plugin is not None:
            pm.register(plugin, name="aiwatch")


def run(articles: int, cache_dir: Path, repeat: int, stock: bool = True) -> dict[str, Any]:
    """Measure the aiwatch pages (and stock Datasette) over a cached synthetic database."""
    db_path = synth.cached_db(cache_dir, articles, log=lambda m: print(m, file=sys.stderr, flush=True))
    ours = asyncio.run(measure_aiwatch(db_path, repeat))
    baseline = asyncio.run(measure_stock(db_path, repeat)) if stock else {}
    canned = {k.split(":", 1)[1]: v for k, v in ours.items() if k.startswith("canned:")}
    print(f"{'page':<34} {'median ms':>10} {'target':>8} {'stock':>9}  status")
    for name, (ms, status) in ours.items():
        kind = "canned_query" if name.startswith("canned:") else name
        target = TARGETS_MS.get(kind)
        stock_ms = baseline.get(name, (None, None))[0]
        verdict = "" if target is None else ("ok" if ms <= target else "ABOVE TARGET")
        print(f"{name:<34} {ms:>10.1f} {'' if target is None else f'<= {target}':>8} "
              f"{'' if stock_ms is None else f'{stock_ms:.1f}':>9}  {status} {verdict}")
    bad = [k for k, (_, status) in ours.items() if status != 200]
    result = {
        "articles": articles,
        "table_page_ms": round(ours["table_page"][0], 1),
        "table_page_uncached_ms": round(ours["table_page_uncached"][0], 1),
        "entity_page_uncached_ms": round(ours["entity_page_uncached"][0], 1),
        "overview_uncached_ms": round(ours["overview_uncached"][0], 1),
        "fts_ms": round(ours["fts"][0], 1),
        "entity_page_ms": round(ours["entity_page"][0], 1),
        "overview_ms": round(ours["overview"][0], 1),
        "canned_query_ms_max": round(max(ms for ms, _ in canned.values()), 1),
        "canned_query_ms": {k: round(ms, 1) for k, (ms, _) in canned.items()},
        "search_ms": {k: round(ours[k][0], 1) for k in ("fts_relevance", "fts_two_words", "fts_rare")},
        "stock_table_page_ms": round(baseline["table_page"][0], 1) if baseline else None,
        "stock_fts_ms": round(baseline["fts"][0], 1) if baseline else None,
        "non_200": bad,
        "db_path": str(db_path),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7, help="Timed requests per page (median reported).")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "aiwatch-scale")
    parser.add_argument("--no-stock", action="store_true", help="Skip the stock Datasette baseline.")
    args = parser.parse_args(argv)
    result = run(args.articles, args.cache_dir, args.repeat, stock=not args.no_stock)
    print(json.dumps(result))
    return 1 if result["non_200"] else 0


if __name__ == "__main__":
    sys.exit(main())
