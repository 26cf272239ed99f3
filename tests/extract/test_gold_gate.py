"""Quality gate on the team's gold articles (test split; the dev split is for tuning and only reported).

Floors: canonical-entity F1 >= 0.90, claims precision >= 0.90 and recall >= 0.75 (speaker, kind, target;
negated claims excluded). ``python benchmarks/extract_quality.py`` prints the same figures next to the
plain model's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiwatch.extract.evaluate import evaluate, load_gold

GOLD_PATH = Path(__file__).resolve().parents[1] / "data" / "extraction_gold" / "articles.jsonl"

ENTITY_F1_FLOOR = 0.90
CLAIM_PRECISION_FLOOR = 0.90
CLAIM_RECALL_FLOOR = 0.75


@pytest.fixture(scope="module")
def kb_ids() -> set[str]:
    from aiwatch.extract.kb import load_kb

    return {e.id for e in load_kb()}


def test_gold_file_has_both_splits() -> None:
    gold = load_gold(GOLD_PATH)
    assert {g.split for g in gold} == {"dev", "test"}
    assert all(g.entities for g in gold)


@pytest.mark.model
def test_gate_on_test_split(nlp, kb_ids) -> None:
    gold = load_gold(GOLD_PATH, ["test"])
    report = evaluate(nlp, gold, kb_ids)
    detail = "\n".join(report.errors)
    print(f"\ntest split, {len(gold)} articles: entities {report.entities}; claims {report.claims}")
    assert report.entities.f1 >= ENTITY_F1_FLOOR, detail
    assert report.claims.precision >= CLAIM_PRECISION_FLOOR, detail
    assert report.claims.recall >= CLAIM_RECALL_FLOOR, detail


def test_gold_claim_ids_exist(kb_ids) -> None:
    """Gold speakers/targets are KB ids or slugs of discovered names (never free text)."""
    import re

    for article in load_gold(GOLD_PATH):
        for speaker, _kind, target in article.claims:
            for value in (speaker, target):
                assert value is None or value in kb_ids or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value)
