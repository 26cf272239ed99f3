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

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from aiwatch.db import SPEAKER_KINDS
from aiwatch.lifetime import forked_children_die_with_parent

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


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


# The ``claims`` columns of one row tuple, in order (:func:`aiwatch.extract.runner.save_rows` inserts them).
CLAIM_COLUMNS: tuple[str, ...] = (
    "article_id",
    "speaker_id",
    "speaker_text",
    "speaker_start",
    "speaker_end",
    "speaker_kind",
    "via_id",
    "via_text",
    "verb",
    "cue_start",
    "cue_end",
    "kind",
    "target_id",
    "target_text",
    "content",
    "content_start",
    "content_end",
    "sentence",
    "is_quote",
    "start_char",
    "end_char",
    "confidence",
    "topic",
    "negated",
)

# Where each entity is named in a document: entity id -> [(start_char, end_char, text)] in text order.
Mentions = Mapping[str, list[tuple[int, int, str]]]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _offset(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _named_in(mentions: Mentions, entity_id: str | None, start: int, end: int) -> tuple[int, int, str] | None:
    """The first mention of ``entity_id`` inside ``[start, end)``, or ``None``."""
    for found in mentions.get(entity_id or "", ()):
        if start <= found[0] and found[1] <= end:
            return found
    return None


def claim_row(
    claim: Mapping[str, Any], article_id: int, text: str = "", mentions: Mentions | None = None
) -> tuple:
    """The ``claims`` row (in :data:`CLAIM_COLUMNS` order) of one ``doc._.claims`` dict.

    Claim model v2 dicts carry the speaker as written with its offsets and kind, the channel
    (``via_id``/``via_text``), the cue span, the target as written and the content span. A dict without
    them (v1: ``speaker_id``, ``verb``, ``kind``, ``target_id``, ``content``, offsets of the claim) gets what
    the document itself tells: the speaker's and the target's first mention inside the claim's span as text
    and offsets, the content's offsets where it occurs in that span, the cue's where it is "according to".
    What is still unknown stays ``None``; the insert fills ``speaker_text``/``target_text``/``via_text``
    from the entity names and ``speaker_kind`` from the speaker's entity type (see
    :data:`aiwatch.extract.runner.INSERT_CLAIM_SQL`). An unknown ``speaker_kind`` counts as unknown.

    >>> text = "OpenAI accused DeepSeek of distilling."
    >>> row = claim_row({"speaker_id": "openai", "verb": "accuse", "kind": "accusation",
    ...     "target_id": "deepseek", "content": "distilling", "sentence": text, "is_quote": False,
    ...     "start_char": 0, "end_char": 37, "confidence": 0.9, "topic": None, "negated": False}, 7, text,
    ...     {"openai": [(0, 6, "OpenAI")], "deepseek": [(15, 23, "DeepSeek")]})
    >>> dict(zip(CLAIM_COLUMNS, row))["speaker_text"], row[2:6], row[13:17]
    ('OpenAI', ('OpenAI', 0, 6, None), ('DeepSeek', 'distilling', 27, 37))
    """
    mentions = mentions or {}
    start, end = claim["start_char"], claim["end_char"]
    speaker_id = claim.get("speaker_id") or None
    target_id = claim.get("target_id") or None
    speaker_text = _text(claim.get("speaker_text"))
    speaker_start, speaker_end = _offset(claim.get("speaker_start")), _offset(claim.get("speaker_end"))
    if speaker_text is None and (found := _named_in(mentions, speaker_id, start, end)):
        speaker_start, speaker_end, speaker_text = found
    speaker_kind = claim.get("speaker_kind")
    if speaker_kind not in SPEAKER_KINDS:
        if speaker_kind is not None:
            log.warning("article %d: unknown speaker_kind %r stored from the speaker entity", article_id,
                        speaker_kind)
        speaker_kind = None
    target_text = _text(claim.get("target_text"))
    if target_text is None and (found := _named_in(mentions, target_id, start, end)):
        target_text = found[2]
    content = claim.get("content")
    content_start, content_end = _offset(claim.get("content_start")), _offset(claim.get("content_end"))
    if content_start is None and content and (at := text.find(content, start, end)) >= 0:
        content_start, content_end = at, at + len(content)
    verb = claim["verb"]
    cue_start, cue_end = _offset(claim.get("cue_start")), _offset(claim.get("cue_end"))
    if cue_start is None and verb == "according to":
        at = text.lower().find(verb, start, end)
        cue_start, cue_end = (at, at + len(verb)) if at >= 0 else (None, None)
    return (
        article_id,
        speaker_id,
        speaker_text,
        speaker_start,
        speaker_end,
        speaker_kind,
        claim.get("via_id") or None,
        _text(claim.get("via_text")),
        verb,
        cue_start,
        cue_end,
        claim["kind"],
        target_id,
        target_text,
        content,
        content_start,
        content_end,
        claim["sentence"],
        int(claim["is_quote"]),
        start,
        end,
        claim["confidence"],
        claim.get("topic"),
        int(claim["negated"]),
    )


def doc_rows(doc: Doc, article_id: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows for ``entities`` (discovered), ``mentions`` and ``claims`` of one processed article."""
    entities = [(eid, name, etype) for eid, (name, etype) in (doc._.discovered or {}).items()]
    mentions = []
    named: dict[str, list[tuple[int, int, str]]] = {}
    for ent in doc.ents:
        if ent.kb_id_:
            sent = ent.sent
            mentions.append(
                (article_id, ent.kb_id_, ent.text, ent.start_char, ent.end_char, sent.text, sent.start_char)
            )
            named.setdefault(ent.kb_id_, []).append((ent.start_char, ent.end_char, ent.text))
    claims = [claim_row(c, article_id, doc.text, named) for c in doc._.claims or []]
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
