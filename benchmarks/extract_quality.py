"""Extraction quality on the gold set: our pipeline vs the plain model without the KB, on dev and test.

Usage: ``python benchmarks/extract_quality.py [--errors] [--split dev|test]``. Prints entity F1 and claim
precision/recall/F1 for both pipelines on each split (``--errors`` lists every mismatch of ours).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aiwatch.extract.evaluate import evaluate, load_gold
from aiwatch.extract.kb import load_kb
from aiwatch.extract.pipeline import add_aiwatch_components, load_model

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "extraction_gold" / "articles.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list our mismatches")
    parser.add_argument("--split", action="append", choices=["dev", "test"], help="splits (default both)")
    args = parser.parse_args()
    entities = load_kb()
    kb_ids = {e.id for e in entities}
    ours = add_aiwatch_components(load_model(), entities)
    plain = add_aiwatch_components(load_model(), entities, use_kb=False)
    for split in args.split or ["dev", "test"]:
        gold = load_gold(GOLD, [split])
        if not gold:
            print(f"{split}: no gold articles")
            continue
        mine = evaluate(ours, gold, kb_ids)
        base = evaluate(plain, gold, None)
        print(f"{split} ({len(gold)} articles, {sum(len(g.claims) for g in gold)} gold claims)")
        print(f"  ours   entities {mine.entities}\n         claims   {mine.claims}")
        unscored = ", ".join(f"{why} {n}" for why, n in sorted(mine.unscored.items())) or "none"
        print(f"         outside the gold's scope (not scored): {unscored}")
        print(f"  plain  entities {base.entities}\n         claims   {base.claims}")
        if args.errors:
            print("\n".join("    " + line for line in mine.errors))


if __name__ == "__main__":
    main()
