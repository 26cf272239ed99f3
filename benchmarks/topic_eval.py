"""Topic-filter precision/recall on the labelled pages (dev, held-out test, all) and on the sample site.

Usage: ``python benchmarks/topic_eval.py [--pages FILE] [--lexicons FILE] [-v]``.
A page counts as on-topic when it has any topic; per-topic figures are printed as well. When
``crawler/sample_site/manifest.json`` exists, its article, duplicate, AMP and off-topic pages are read from
``crawler/sample_site/site/``, extracted with ``extract_page`` and scored against the manifest's topics.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiwatch.scoring import PrecisionRecall

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = REPO_ROOT / "tests" / "data" / "topics" / "labelled_pages.jsonl"
SAMPLE_SITE = REPO_ROOT / "crawler" / "sample_site"
SAMPLE_KINDS = ("article", "duplicate", "amp", "offtopic")
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from aiwatch.crawler.page.topics import Lexicons, TopicScore, load_lexicons, score_topics  # noqa: E402


@dataclass(frozen=True)
class Page:
    """One labelled page: expected topics (empty for off-topic)."""

    id: str
    split: str
    title: str
    text: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Metrics(PrecisionRecall):
    """Binary precision/recall/F1 with the counts behind them."""

    tp: int
    fp: int
    fn: int
    tn: int

    def line(self, label: str) -> str:
        return (f"{label:<24} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
                f"(tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})")


def load_pages(path: Path = DEFAULT_PAGES) -> list[Page]:
    """Read the labelled JSONL set."""
    pages = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            topics = tuple(row["topics"])
            pages.append(Page(row["id"], row.get("split", "dev"), row["title"], row["text"], topics))
        except (ValueError, KeyError) as exc:
            raise SystemExit(f"{path}:{n}: bad labelled page ({exc})") from None
    return pages


def metrics(gold: Iterable[bool], predicted: Iterable[bool]) -> Metrics:
    """Confusion counts for paired binary labels."""
    tp = fp = fn = tn = 0
    for g, p in zip(gold, predicted, strict=True):
        tp += g and p
        fp += p and not g
        fn += g and not p
        tn += not g and not p
    return Metrics(tp, fp, fn, tn)


def score_pages(pages: Sequence[Page], lexicons: Lexicons | None = None) -> list[TopicScore]:
    """Score every page."""
    return [score_topics(p.title, p.text, lexicons) for p in pages]


def on_topic_metrics(pages: Sequence[Page], scores: Sequence[TopicScore]) -> Metrics:
    """On-topic means any topic, both for the label and for the prediction."""
    return metrics((bool(p.topics) for p in pages), (bool(s.topics) for s in scores))


def topic_metrics(pages: Sequence[Page], scores: Sequence[TopicScore], topic: str) -> Metrics:
    """Assignment of one topic."""
    return metrics((topic in p.topics for p in pages), (topic in s.topics for s in scores))


def sample_site_pages(root: Path = SAMPLE_SITE) -> list[Page]:
    """The sample site's article-like pages with the manifest's topics, text from ``extract_page``."""
    from aiwatch.crawler.page.article import extract_page

    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest:
        if entry.get("kind") not in SAMPLE_KINDS:
            continue
        rel = entry["path"].lstrip("/")
        path = root / "site" / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        if not path.exists():
            continue
        extracted = extract_page(path.read_bytes(), url="http://127.0.0.1/" + rel)
        title = (extracted.title if extracted else None) or entry.get("title") or ""
        pages.append(Page(entry["path"], "sample", title, extracted.text if extracted else "",
                          tuple(entry.get("topics") or ())))
    return pages


def report(label: str, pages: Sequence[Page], scores: Sequence[TopicScore], topics: Sequence[str],
           verbose: bool = False) -> Metrics:
    """Print on-topic and per-topic figures for one group of pages; return the on-topic metrics."""
    overall = on_topic_metrics(pages, scores)
    print(overall.line(f"{label} (n={len(pages)})"))
    for topic in topics:
        print("  " + topic_metrics(pages, scores, topic).line(topic))
    if verbose:
        for page, score in zip(pages, scores, strict=True):
            if set(page.topics) != set(score.topics):
                print(f"    miss {page.id}: expected {list(page.topics)} got {score.topics} "
                      f"scores={score.scores} evidence={score.evidence}")
    return overall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="labelled JSONL file")
    parser.add_argument("--lexicons", type=Path, default=None, help="topics TOML (default: bundled)")
    parser.add_argument("--sample-site", type=Path, default=SAMPLE_SITE, help="sample site folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrongly labelled page")
    args = parser.parse_args(argv)
    lexicons = load_lexicons(args.lexicons)
    topics = list(lexicons.topics)
    pages = load_pages(args.pages)
    start = time.perf_counter()
    scores = score_pages(pages, lexicons)
    ms = 1000 * (time.perf_counter() - start) / max(len(pages), 1)
    for split in ("dev", "test"):
        chosen = [(p, s) for p, s in zip(pages, scores, strict=True) if p.split == split]
        report(split, [p for p, _ in chosen], [s for _, s in chosen], topics, args.verbose)
    report("all", pages, scores, topics, args.verbose)
    print(f"{ms:.2f} ms/page")
    if (args.sample_site / "manifest.json").exists():
        site = sample_site_pages(args.sample_site)
        report("sample site", site, score_pages(site, lexicons), topics, args.verbose)
    else:
        print(f"{args.sample_site}: no manifest.json; sample site skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
