"""Article-body extraction F1 on the shared real-page benchmark, against trafilatura's defaults.

Usage: ``python benchmarks/extraction_f1.py [--eval-dir DIR]``
(DIR defaults to ``<repo>/../shared/eval/extraction``).
Prints precision, recall and F1 for ``aiwatch.crawler.page.article.extract_page`` and, in the same run, for
``trafilatura.extract`` with default options (the baseline), the F1 ratio and milliseconds per page.
The metric is the one the benchmark's README defines (see :func:`score_document` and :func:`aggregate`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL_DIR = REPO_ROOT.parent / "shared" / "eval" / "extraction"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word ``n``-gram shingles of ``\\w+`` tokens; under ``n`` tokens: one short shingle."""
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def score_document(predicted: str, truth: str) -> tuple[float | None, float | None]:
    """Per-document (precision, recall) from shingle overlap; TP/FP/FN are normalised by their sum.

    A value is None when undefined (0/0 with a non-zero other count); FP = FN = 0 gives (1.0, 1.0).
    """
    pred, gold = shingles(predicted), shingles(truth)
    tp = sum((pred & gold).values())
    fp = sum((pred - gold).values())
    fn = sum((gold - pred).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    total = tp + fp + fn
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


@dataclass(frozen=True)
class Score:
    """Mean precision and recall over documents, and their harmonic mean."""

    precision: float
    recall: float
    f1: float
    documents: int


def aggregate(pairs: Iterable[tuple[str, str]]) -> Score:
    """Score (predicted, truth) pairs: mean of defined per-document P and R, then F1 = 2PR/(P+R)."""
    precisions: list[float] = []
    recalls: list[float] = []
    count = 0
    for predicted, truth in pairs:
        count += 1
        p, r = score_document(predicted, truth)
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f1, count)


def load_benchmark(eval_dir: Path) -> list[tuple[str, bytes, str]]:
    """(id, raw html bytes, truth text) for every page in ``eval_dir`` with a ground-truth entry."""
    truth = json.loads((eval_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for doc_id in sorted(truth):
        path = eval_dir / "html" / f"{doc_id}.html.gz"
        if path.exists():
            pages.append((doc_id, gzip.decompress(path.read_bytes()), truth[doc_id]["articleBody"]))
    return pages


def run_extractor(
    extract: Callable[[bytes], str], pages: list[tuple[str, bytes, str]]
) -> tuple[Score, float]:
    """Score one extractor (bytes -> text) over ``pages``; returns the score and milliseconds per page."""
    outputs = []
    start = time.perf_counter()
    for _, html, truth in pages:
        outputs.append((extract(html) or "", truth))
    elapsed = time.perf_counter() - start
    return aggregate(outputs), 1000 * elapsed / max(len(pages), 1)


def project_extract(html: bytes) -> str:
    """The project's extractor, text only."""
    from aiwatch.crawler.page.article import extract_page

    page = extract_page(html)
    return page.text if page else ""


def baseline_extract(html: bytes) -> str:
    """trafilatura with default options (the same-run baseline)."""
    import trafilatura

    return trafilatura.extract(html.decode("utf-8", errors="replace")) or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="benchmark folder")
    parser.add_argument("--no-baseline", action="store_true", help="score only the project's extractor")
    args = parser.parse_args(argv)
    if not (args.eval_dir / "ground-truth.json").exists():
        print(f"{args.eval_dir}: no ground-truth.json; benchmark skipped")
        return 0
    sys.path.insert(0, str(REPO_ROOT))
    pages = load_benchmark(args.eval_dir)
    ours, ours_ms = run_extractor(project_extract, pages)
    print(f"extract_page   P={ours.precision:.4f} R={ours.recall:.4f} F1={ours.f1:.4f} "
          f"{ours_ms:.1f} ms/page ({ours.documents} pages)")
    if not args.no_baseline:
        base, base_ms = run_extractor(baseline_extract, pages)
        print(f"trafilatura    P={base.precision:.4f} R={base.recall:.4f} F1={base.f1:.4f} "
              f"{base_ms:.1f} ms/page")
        ratio = ours.f1 / base.f1 if base.f1 else float("nan")
        time_ratio = ours_ms / max(base_ms, 1e-9)
        print(f"F1 ratio extract_page/trafilatura = {ratio:.4f}; time ratio = {time_ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
