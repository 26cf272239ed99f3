"""Extraction throughput: our full stage (KB ruler, resolver, claims, SQLite writes) vs raw ``nlp.pipe``.

Both run the same trained model over the same texts in the same process, after a warm-up; model loading is
excluded from both. Raw is the model as shipped (its own ``attribute_ruler``). The corpus is the gold
articles plus the sample site's pages (text extracted with the crawler's extractor, here only: stages never
import each other), replicated to ``--articles`` texts.

Usage: ``python benchmarks/extract_throughput.py [--articles 300] [--batch-size 8] [--rounds 2]``.
Prints words/s for both and the ratio; exits 1 when the ratio is under 0.7. A last line compares, over the
first ``--ruler-texts`` texts, the model's stock ``attribute_ruler`` with the compiled
``aiwatch_attribute_ruler_v1`` that ``load_model`` uses: the component's seconds and the whole ``nlp.pipe``
(rounds alternate between the two, best of each counts).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "extraction_gold" / "articles.jsonl"
FLOOR = 0.7
FACTORY_NAME = "aiwatch_attribute_ruler_v1"


def corpus_texts() -> list[str]:
    """Gold article texts plus the text of every sample-site page that has some."""
    texts = [
        json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    try:
        from aiwatch.crawler.page.article import extract_page
        from aiwatch.crawler.sample_site import SITE_DIR, load_manifest
    except ImportError:
        return texts
    for page in load_manifest():
        path = SITE_DIR / page["path"].lstrip("/")
        if path.suffix == ".html" and path.is_file():
            extracted = extract_page(path.read_bytes(), url=f"http://127.0.0.1{page['path']}")
            if extracted is not None and len(extracted.text.split()) >= 50:
                texts.append(extracted.text)
    return texts


def words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def time_raw(nlp, texts: list[str], batch_size: int) -> float:
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - started


def time_stage(nlp, entities, texts: list[str], batch_size: int) -> float:
    from aiwatch.extract.runner import run_extract

    from aiwatch.db import connect

    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "bench.db")
        conn.executemany(
            "INSERT INTO articles (url, text) VALUES (?, ?)",
            [(f"https://bench.example/{i}", t) for i, t in enumerate(texts)],
        )
        started = time.perf_counter()
        stats = run_extract(conn, nlp=nlp, entities=entities, batch_size=batch_size)
        elapsed = time.perf_counter() - started
        assert stats.articles == len(texts) and stats.errors == 0, stats
        conn.close()
    return elapsed


def time_components(nlp, texts: list[str], batch_size: int) -> dict[str, float]:
    """Seconds per component, running the pipeline one component at a time over ``texts``."""
    began = time.perf_counter()
    docs = [nlp.make_doc(t) for t in texts]
    seconds = {"tokenizer": time.perf_counter() - began}
    for name, proc in nlp.pipeline:
        began = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=batch_size))
        else:
            docs = [proc(doc) for doc in docs]
        seconds[name] = time.perf_counter() - began
    return seconds


def compare_attribute_rulers(compiled, texts: list[str], batch_size: int, rounds: int) -> str:
    """One line: the stock vs the compiled attribute ruler, component seconds and whole ``nlp.pipe``."""
    from aiwatch.extract.pipeline import load_model

    stock = load_model(compiled_attributes=False)
    list(stock.pipe(texts[:8]))
    best = {"stock": [float("inf")] * 2, "compiled": [float("inf")] * 2}
    for i in range(rounds):
        pair = [("stock", stock), ("compiled", compiled)]
        for key, nlp in pair if i % 2 == 0 else pair[::-1]:
            component = time_components(nlp, texts, batch_size)["attribute_ruler"]
            whole = time_raw(nlp, texts, batch_size)
            best[key] = [min(best[key][0], component), min(best[key][1], whole)]
    (stock_c, stock_w), (ours_c, ours_w) = best["stock"], best["compiled"]
    return (
        f"attribute_ruler over {len(texts)} texts: stock {stock_c:.3f}s -> compiled {ours_c:.3f}s; "
        f"nlp.pipe {stock_w:.2f}s -> {ours_w:.2f}s ({(ours_w / stock_w - 1) * 100:+.0f}%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="texts in the replicated corpus")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="alternating timing rounds; the best counts")
    parser.add_argument("--ruler-texts", type=int, default=40, help="texts for the attribute ruler line")
    args = parser.parse_args()

    from aiwatch.extract.kb import load_kb
    from aiwatch.extract.pipeline import add_aiwatch_components, load_model, resolve_model_name

    base = corpus_texts()
    texts = list(islice(cycle(base), args.articles))
    total_words = words(texts)
    entities = load_kb()
    raw = load_model(compiled_attributes=False)  # spaCy's model as shipped
    ours = add_aiwatch_components(load_model(), entities)
    warm = texts[:8]
    list(raw.pipe(warm))
    list(ours.pipe(warm))
    raw_best = stage_best = float("inf")
    for _ in range(args.rounds):
        raw_best = min(raw_best, time_raw(raw, texts, args.batch_size))
        stage_best = min(stage_best, time_stage(ours, entities, texts, args.batch_size))
    raw_wps, stage_wps = total_words / raw_best, total_words / stage_best
    ratio = stage_wps / raw_wps
    print(
        f"model {resolve_model_name()}; corpus {len(base)} distinct texts -> {len(texts)} articles, "
        f"{total_words} words"
    )
    print(f"raw nlp.pipe      {raw_wps:10.0f} words/s ({raw_best:.2f}s)")
    print(
        f"aiwatch extract   {stage_wps:10.0f} words/s ({stage_best:.2f}s, incl. KB upsert and SQLite writes)"
    )
    print(f"ratio {ratio:.2f} (floor {FLOOR})")
    if args.ruler_texts > 0 and FACTORY_NAME in {raw.get_pipe_meta(n).factory for n in raw.pipe_names}:
        print(compare_attribute_rulers(raw, texts[: args.ruler_texts], args.batch_size, max(2, args.rounds)))
    return 0 if ratio >= FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
