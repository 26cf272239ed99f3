"""Article or not: the crawler's page decision on real pages and on the sample site's labelled pages.

Usage: ``python benchmarks/page_kind.py [--eval-dir DIR] [--min-words N] [--min-brief-words N] [-v]``.

Runs the crawler's extract step (:func:`aiwatch.crawler.pipelines.article.extract_item`, the step that
rejects pages as ``not_article``) and topic step on

* the shared 181-page benchmark (``../shared/eval/extraction``: every page a real article, read at run time),
  as a ``--url`` crawl sees them (no feed date);
* the bundled sample site's pages, labelled by its manifest: section fronts, tag, author and about pages are
  not articles; articles, copies, AMP pages and off-topic articles are.

Prints the confusion counts of the ``not_article`` decision, its precision (of the pages rejected as not
articles, the share that are not) and recall (of the non-articles, the share rejected), and how many real
short pages (under ``--min-words``) and undated pages now pass the page decision.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL_DIR = REPO_ROOT.parent / "shared" / "eval" / "extraction"
SAMPLE_SITE = REPO_ROOT / "crawler" / "sample_site"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@dataclass(frozen=True)
class Outcome:
    """What the crawler decided about one labelled page."""

    name: str
    is_article: bool  # the label
    decision: str  # stored | not_article | off_topic | extract_error
    detail: str
    words: int
    undated: bool


def decide(url: str, body: bytes, min_words: int, min_brief_words: int, min_relevance: float,
           brief_min_relevance: float) -> tuple[str, str, int, bool]:
    """(decision, detail, words, undated) of the extract and topic steps for one page."""
    from aiwatch.crawler.items import PageItem, Rejected
    from aiwatch.crawler.pipelines.article import extract_item
    from aiwatch.crawler.pipelines.topics import score_item

    item = PageItem(url=url, seen_key=url, response_url=url, status=200, headers={}, body=body,
                    content_type="text/html")
    try:
        try:
            extract_item(item, min_words, min_brief_words)
        except TypeError:  # an aiwatch without short briefs (for before/after figures)
            extract_item(item, min_words)
        try:
            score_item(item, min_relevance, brief_min_relevance)
        except TypeError:
            score_item(item, min_relevance)
    except Rejected as exc:
        return exc.reason, exc.detail, item.word_count, item.published is None
    return "stored", "", item.word_count, item.published is None


def real_pages(eval_dir: Path) -> list[tuple[str, str, bytes, bool]]:
    """(name, url, html, is_article) of the shared benchmark's pages: all real articles."""
    truth = json.loads((eval_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for doc_id in sorted(truth):
        path = eval_dir / "html" / f"{doc_id}.html.gz"
        if path.exists():
            pages.append((doc_id[:12], truth[doc_id]["url"], gzip.decompress(path.read_bytes()), True))
    return pages


def sample_pages(root: Path = SAMPLE_SITE) -> list[tuple[str, str, bytes, bool]]:
    """(name, url, html, is_article) of the sample site's labelled pages (not its robots-disallowed one)."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest:
        if entry.get("kind") == "disallowed":
            continue
        rel = entry["path"].lstrip("/")
        path = root / "site" / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        if path.exists():
            body = path.read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:8765")
            pages.append((entry["path"], "http://127.0.0.1:8765/" + rel, body, entry["kind"] != "nonarticle"))
    return pages


def evaluate(pages: list[tuple[str, str, bytes, bool]], **thresholds: float) -> list[Outcome]:
    outcomes = []
    for name, url, body, is_article in pages:
        decision, detail, words, undated = decide(url, body, **thresholds)  # type: ignore[arg-type]
        outcomes.append(Outcome(name, is_article, decision, detail, words, undated))
    return outcomes


def not_article_figures(outcomes: list[Outcome]) -> tuple[int, int, int, int]:
    """(true rejections, false rejections, missed non-articles, non-articles)."""
    tp = sum(o.decision == "not_article" and not o.is_article for o in outcomes)
    fp = sum(o.decision == "not_article" and o.is_article for o in outcomes)
    fn = sum(o.decision != "not_article" and not o.is_article for o in outcomes)
    return tp, fp, fn, sum(not o.is_article for o in outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="shared benchmark folder")
    parser.add_argument("--min-words", type=int, default=80)
    parser.add_argument("--min-brief-words", type=int, default=40)
    parser.add_argument("--min-relevance", type=float, default=1.0)
    parser.add_argument("--brief-min-relevance", type=float, default=2.0)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every page's decision")
    args = parser.parse_args(argv)
    thresholds = {"min_words": args.min_words, "min_brief_words": args.min_brief_words,
                  "min_relevance": args.min_relevance, "brief_min_relevance": args.brief_min_relevance}
    groups = {"sample site": evaluate(sample_pages(), **thresholds)}
    if (args.eval_dir / "ground-truth.json").exists():
        groups["shared benchmark"] = evaluate(real_pages(args.eval_dir), **thresholds)
    else:
        print(f"{args.eval_dir}: no ground-truth.json; real pages skipped")
    everything: list[Outcome] = []
    for label, outcomes in groups.items():
        everything += outcomes
        counts = Counter(o.decision for o in outcomes)
        print(f"{label} ({len(outcomes)} pages): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if args.verbose:
            for o in outcomes:
                print(f"  {o.name:<60} article={o.is_article!s:<5} {o.decision:<12} {o.words:>5}w "
                      f"{'undated ' if o.undated else ''}{o.detail}")
    tp, fp, fn, negatives = not_article_figures(everything)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / negatives if negatives else 1.0
    print(f"not_article decision over {len(everything)} pages: precision {precision:.3f} "
          f"({tp} of {tp + fp} rejections are non-articles), recall {recall:.3f} ({tp} of {negatives})")
    real = groups.get("shared benchmark", [])
    short = [o for o in real if o.words < args.min_words]
    print(f"real pages under {args.min_words} words: {len(short)}, passing the page decision: "
          f"{sum(o.decision != 'not_article' for o in short)}; real undated pages passing it: "
          f"{sum(o.undated and o.decision != 'not_article' for o in real)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
