"""Extraction in worker processes: the rows one process makes, in order; a dead worker is a clear error."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import psutil
import pytest
from aiwatch.extract.workers import ExtractWorkerError, process_texts

GOLD = Path(__file__).resolve().parents[1] / "data" / "extraction_gold" / "articles.jsonl"


def gold_texts() -> list[tuple[str, int]]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["text"], i) for i, row in enumerate(rows, 1)]


@pytest.mark.model
@pytest.mark.slow  # forks spaCy workers
def test_workers_give_the_rows_of_one_process_in_input_order(nlp):
    texts = gold_texts()
    alone = list(process_texts(nlp, texts, workers=1, batch_size=4))
    pooled = list(process_texts(nlp, texts, workers=2, batch_size=3))
    assert [r.article_id for r in pooled] == [i for _, i in texts]
    assert pooled == alone
    assert sum(len(r.claims) for r in pooled) > 100 and all(r.words > 0 for r in pooled)


@pytest.mark.model
@pytest.mark.slow
def test_a_worker_that_dies_ends_the_run_with_a_clear_error(nlp):
    texts = gold_texts() * 6
    before = {p.pid for p in psutil.Process().children()}
    results = process_texts(nlp, texts, workers=2, batch_size=2)
    first = next(results)
    assert first.article_id == 1
    workers = [p for p in psutil.Process().children() if p.pid not in before]
    assert len(workers) == 2
    os.kill(workers[0].pid, signal.SIGKILL)
    with pytest.raises(ExtractWorkerError, match="re-run resumes"):
        for _ in results:
            pass
