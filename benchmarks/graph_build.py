"""Graph build time against database size: synthetic 1k, 10k and 100k-article databases.

Each database holds rows as the extract stage would write them: ~15 mentions in ~7 sentences and ~1.5 claims
per article over a few thousand entities whose popularity is heavy-tailed (Zipf), 5% syndicated copies,
10% negated claims. The build timed is the whole graph stage (load + metrics + write-back), and the script
prints seconds per 10k rows (mentions + claims) at each size and the 100k/10k build-time ratio; close to
linear means a ratio near 10 (the target is at most ~12). It then times an incremental update after the 50
newest articles changed (their dates are rewritten, so each one's rows are taken out and put back in): that
cost should follow the 50 articles and the graph's size, not the archive's. The build and the update include
the claim events, stories and threads (``update_events``), whose times are printed apart with the number of
claims the update regrouped (those of the events whose dates the changed claims meet, not the speakers' whole
histories).

Generated databases are cached in a temp directory (``--cache-dir``), so re-runs skip generation.

    python benchmarks/graph_build.py                 # 1k, 10k, 100k
    python benchmarks/graph_build.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from aiwatch.graph.pipeline import update_graph  # noqa: E402

from aiwatch.config import load_config  # noqa: E402
from aiwatch.db import connect, transaction  # noqa: E402

GENERATOR_VERSION = 3
TYPES = ["ai_lab", "company", "government", "person", "ai_model", "chip", "policy", "country", "organization"]
KINDS = ["accusation", "denial", "statement", "policy_action", "announcement"]
KIND_WEIGHTS = [0.2, 0.1, 0.4, 0.15, 0.15]
WORDS = ["export", "controls", "chips", "distillation", "model", "outputs", "licence", "rule", "accelerator",
         "training", "data", "lab", "memory", "bandwidth", "regulators", "officials", "said", "statement"]


def entity_count(articles: int) -> int:
    """Entities grow slowly with the corpus: ~1.2k at 1k articles, ~4k at 100k."""
    return int(1200 + 1380 * max(0.0, math.log10(articles / 1000)))


def generate(path: Path, articles: int, seed: int = 7) -> None:
    """Write a synthetic aiwatch database with ``articles`` articles' worth of rows to ``path``."""
    rng = random.Random(seed)
    n_entities = entity_count(articles)
    entities = [(f"e{i:05d}", f"Entity {i}", TYPES[i % len(TYPES)]) for i in range(n_entities)]
    ids = [e[0] for e in entities]
    cum = list(accumulate(1.0 / (rank + 1) ** 1.1 for rank in range(n_entities)))
    start = date(2024, 1, 1)
    conn = connect(path)
    with transaction(conn):
        conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, ?)", entities)
        article_rows, mention_rows, claim_rows = [], [], []
        for a in range(1, articles + 1):
            published = (start + timedelta(days=rng.randrange(730))).isoformat()
            duplicate_of = rng.randrange(1, a) if a > 10 and rng.random() < 0.05 else None
            article_rows.append((a, f"https://news{a % 50}.example/{a}", f"Article {a}", published,
                                 duplicate_of))
            offset = 0
            for _ in range(7):
                k = rng.choice((1, 1, 2, 2, 2, 3, 4))
                chosen = set(rng.choices(ids, cum_weights=cum, k=k))
                sentence = " ".join(rng.choices(WORDS, k=16))
                for entity in chosen:
                    mention_rows.append((a, entity, "Entity", offset, offset + 6, sentence, offset))
                offset += len(sentence) + 1
            for _ in range(_poisson(rng, 1.5)):
                speaker, target = rng.choices(ids, cum_weights=cum, k=2)
                claim_rows.append((a, speaker, "say", rng.choices(KINDS, KIND_WEIGHTS)[0],
                                   target if rng.random() > 0.1 else None, "content", "A sentence.",
                                   0, 11, 0.8, int(rng.random() < 0.1)))
        conn.executemany("INSERT INTO articles (id, url, title, published, duplicate_of)"
                         " VALUES (?, ?, ?, ?, ?)", article_rows)
        conn.executemany("INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
                         " sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?)", mention_rows)
        conn.executemany("INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, content,"
                         " sentence, start_char, end_char, confidence, negated)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", claim_rows)
    conn.execute("ANALYZE")
    conn.close()


def _poisson(rng: random.Random, lam: float) -> int:
    threshold, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def cached_db(cache_dir: Path, articles: int) -> Path:
    """Path of the synthetic database for ``articles``, generating it on first use."""
    path = cache_dir / f"graph_bench_v{GENERATOR_VERSION}_{articles}.db"
    return synth.generated_once(path, lambda tmp: generate(tmp, articles),
                                lambda message: print(message, file=sys.stderr))


CHANGED = 50  # articles changed before the timed incremental update


def measure(path: Path, betweenness_k: int, seed: int) -> dict:
    """One full graph build on ``path``, then an update after 50 articles changed; sizes and timings."""
    conn = connect(path)
    rows = conn.execute("SELECT (SELECT count(*) FROM mentions) + (SELECT count(*) FROM claims)"
                        ).fetchone()[0]
    with transaction(conn):  # start from no stored build, so the write-back is timed in full
        conn.execute("DELETE FROM graph_edges")
        conn.execute("DELETE FROM graph_nodes")
    stats = update_graph(conn, betweenness_k=betweenness_k, seed=seed, full=True)
    with transaction(conn):
        conn.execute("UPDATE articles SET published = published WHERE id IN (SELECT id FROM articles"
                     f" WHERE duplicate_of IS NULL ORDER BY id DESC LIMIT {CHANGED})")
    update = update_graph(conn, betweenness_k=betweenness_k, seed=seed)
    if (update.mode, update.articles) != ("incremental", CHANGED):
        raise RuntimeError(f"expected an incremental update of {CHANGED} articles, got {update.summary()}")
    conn.close()
    return {"rows": rows, "seconds": stats.seconds, "nodes": stats.nodes, "edges": stats.edges,
            "timings": stats.timings, "update_seconds": update.seconds,
            "events_seconds": stats.events.get("seconds", 0.0), "events_update_seconds":
            update.events.get("seconds", 0.0), "events_update_claims": update.events.get("claims", 0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="Comma-separated article counts.")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "aiwatch-bench")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    config = load_config()
    results = {}
    print(f"{'articles':>9} {'rows':>10} {'nodes':>6} {'edges':>8} {'build s':>8} {'s/10k rows':>10}  "
          f"load/metrics/write s  update of {CHANGED} s  events: build s, update s (claims regrouped)")
    for size in sizes:
        result = measure(cached_db(args.cache_dir, size), config.graph_betweenness_k, config.graph_seed)
        results[size] = result
        t = result["timings"]
        print(f"{size:>9} {result['rows']:>10} {result['nodes']:>6} {result['edges']:>8} "
              f"{result['seconds']:>8.2f} {result['seconds'] / result['rows'] * 10_000:>10.3f}  "
              f"{t['load']:.2f}/{t['metrics']:.2f}/{t['write']:.2f}  {result['update_seconds']:>16.2f}  "
              f"{result['events_seconds']:>15.2f}, {result['events_update_seconds']:.2f} "
              f"({result['events_update_claims']})", flush=True)
    if 10_000 in results and 100_000 in results:
        ratio = results[100_000]["seconds"] / results[10_000]["seconds"]
        verdict = "ok" if ratio <= 12 else "ABOVE TARGET"
        print(f"100k/10k build-time ratio: {ratio:.1f} (target <= 12: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
