"""The not-article gate (benchmarks/page_kind.py): list pages out, real articles and short briefs in."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = REPO_ROOT.parent / "shared" / "eval" / "extraction"
THRESHOLDS = {"min_words": 80, "min_brief_words": 40, "min_relevance": 1.0, "brief_min_relevance": 2.0}
REAL_SHORT = ("042bb7b5", "85439e26", "e372e42c")  # real news briefs of 66-69 words in the shared benchmark


def _bench():
    spec = importlib.util.spec_from_file_location("page_kind", REPO_ROOT / "benchmarks" / "page_kind.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("page_kind", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def test_every_sample_site_list_page_is_rejected_and_no_article_is() -> None:
    outcomes = bench.evaluate(bench.sample_pages(), **THRESHOLDS)
    tp, fp, fn, negatives = bench.not_article_figures(outcomes)
    assert negatives >= 13 and (tp, fp, fn) == (negatives, 0, 0), [
        (o.name, o.decision, o.detail) for o in outcomes if (o.decision == "not_article") == o.is_article]


@pytest.mark.skipif(not (EVAL_DIR / "ground-truth.json").exists(), reason=f"no benchmark data at {EVAL_DIR}")
def test_real_short_briefs_pass_the_page_decision() -> None:
    """Rejected as not articles by the 80-word floor before; now articles, left to the topic filter."""
    pages = [p for p in bench.real_pages(EVAL_DIR) if p[0].startswith(REAL_SHORT)]
    assert len(pages) == 3
    outcomes = bench.evaluate(pages, **{**THRESHOLDS, "min_relevance": 0.0, "brief_min_relevance": 0.0})
    assert [(o.decision, o.words < 80) for o in outcomes] == [("stored", True)] * 3
    off = bench.evaluate(pages, **THRESHOLDS)
    assert {o.decision for o in off} == {"off_topic"}  # not about the tracked disputes
