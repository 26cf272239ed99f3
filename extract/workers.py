"""Run the pipeline over many texts, in worker processes that send back table rows, not spaCy documents.

spaCy's own ``nlp.pipe(n_process=N)`` ships every processed ``Doc`` back to the parent (``Doc.to_bytes``,
tensor included) and the parent rebuilds it before our code reads a few dozen rows out of it, so much of
the serialisation lands in the one process that also writes to SQLite. Here each worker turns its
documents into :class:`ArticleRows` itself, and the parent only writes.

Workers are forked from the parent after it has built the pipeline, so they share the loaded model (as
spaCy's workers do); at most ``2 x workers`` batches are in flight, so memory stays flat on any backlog, and
results come back in input order. A worker that dies (the OOM killer) ends the run with
:class:`ExtractWorkerError`; the articles already saved stay saved and a re-run resumes.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc

from aiwatch.lifetime import forked_children_die_with_parent


class ExtractWorkerError(RuntimeError):
    """A worker process died mid-run (usually the out-of-memory killer)."""


@dataclass(frozen=True)
class ArticleRows:
    """What one article contributes: discovered ``entities``, ``mentions`` and ``claims`` rows, word count."""

    article_id: int
    entities: list[tuple]
    mentions: list[tuple]
    claims: list[tuple]
    words: int


def doc_rows(doc: Doc, article_id: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows for ``entities`` (discovered), ``mentions`` and ``claims`` of one processed article."""
    entities = [(eid, name, etype) for eid, (name, etype) in (doc._.discovered or {}).items()]
    mentions = []
    for ent in doc.ents:
        if ent.kb_id_:
            sent = ent.sent
            mentions.append(
                (article_id, ent.kb_id_, ent.text, ent.start_char, ent.end_char, sent.text, sent.start_char)
            )
    claims = [
        (
            article_id,
            c["speaker_id"],
            c["verb"],
            c["kind"],
            c["target_id"],
            c["content"],
            c["sentence"],
            int(c["is_quote"]),
            c["start_char"],
            c["end_char"],
            c["confidence"],
            c["topic"],
            int(c["negated"]),
        )
        for c in doc._.claims or []
    ]
    return entities, mentions, claims


def article_rows(doc: Doc, article_id: int) -> ArticleRows:
    """The rows of one processed document and its word count (tokens that are not punctuation or space)."""
    entities, mentions, claims = doc_rows(doc, article_id)
    words = sum(1 for t in doc if not (t.is_punct or t.is_space))
    return ArticleRows(article_id, entities, mentions, claims, words)


_nlp: Language | None = None  # the parent's pipeline, inherited by forked workers


def _process(batch: list[tuple[str, int]], batch_size: int) -> list[ArticleRows]:
    assert _nlp is not None, "workers are forked after the pipeline is set"
    return [article_rows(doc, aid) for doc, aid in _nlp.pipe(batch, as_tuples=True, batch_size=batch_size)]


def _batches(items: Iterable[tuple[str, int]], size: int) -> Iterator[list[tuple[str, int]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def process_texts(
    nlp: Language, items: Iterable[tuple[str, int]], *, workers: int = 1, batch_size: int = 8
) -> Iterator[ArticleRows]:
    """Rows for every ``(text, article_id)`` of ``items``, in order; ``workers`` > 1: in worker processes."""
    if workers <= 1:
        for doc, article_id in nlp.pipe(items, as_tuples=True, batch_size=batch_size):
            yield article_rows(doc, article_id)
        return
    global _nlp
    _nlp = nlp
    forked_children_die_with_parent()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    pending: deque[Future] = deque()
    try:
        for batch in _batches(items, batch_size):
            pending.append(pool.submit(_process, batch, batch_size))
            while len(pending) >= 2 * workers:
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)
        _nlp = None


def _result(future: Future) -> list[ArticleRows]:
    try:
        return future.result()
    except BrokenProcessPool:
        raise ExtractWorkerError(
            "an extraction worker process died (out of memory? try a smaller extract_batch_size or fewer "
            "extract_workers); the articles saved so far are kept and a re-run resumes"
        ) from None
