"""Score the pipeline against the team's gold articles (``tests/data/extraction_gold/articles.jsonl``).

* Entities: per article, the set of canonical ids among the mentions, compared with the gold set
  (micro precision/recall/F1 over (article, id) pairs). Only KB ids count for our pipeline; for the plain
  model (no KB) the ids are slugs of the NER text, which match a KB id only when the slug happens to equal it.
* Claims: per article, multisets of (speaker, kind, target); negated claims are excluded from the
  predictions (the gold never annotates them). Micro precision/recall/F1 over all articles.

The gold follows the v1 guidelines (``GUIDELINES.md``), which leave out five things a v2 claim dict holds:
claims whose speaker resolves to no entity ("officials said", "the report says", "people familiar with the
matter"), claims by plural pronouns ("they"), accusations whose accused is not named (no target id:
"Chinese AI labs", or no target at all), cues the guidelines do not list (beliefs and findings such as
"expects" or "the study found", nominal acts such as "the department's ban", "NAME:" lines, headings,
inquiries such as "is investigating whether"), and agentless acts whose actor is carried from an earlier
act of the same verb ("12 entities are added").
Those predictions are outside what the gold can judge: they are not counted as false positives but tallied
apart, by reason, in :attr:`Report.unscored` (and listed in ``errors`` as ``unscored``), so a change that
makes many of them stays visible. Everything else (a resolved speaker, a cue the guidelines list, any kind)
is scored against the gold exactly as before.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiwatch.extract.claims import IN_SPEECH
from spacy.language import Language

from aiwatch.scoring import PrecisionRecall

ClaimKey = tuple[str | None, str, str | None]


@dataclass(frozen=True)
class GoldArticle:
    id: str
    split: str
    text: str
    entities: frozenset[str]
    claims: tuple[ClaimKey, ...]


@dataclass
class Score(PrecisionRecall):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: Counter, gold: Counter) -> None:
        matched = sum((predicted & gold).values())
        self.tp += matched
        self.fp += sum(predicted.values()) - matched
        self.fn += sum(gold.values()) - matched

    def __str__(self) -> str:
        counts = f"tp={self.tp} fp={self.fp} fn={self.fn}"
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} ({counts})"


@dataclass
class Report:
    """Scores plus the per-article differences, for tuning on dev."""

    entities: Score = field(default_factory=Score)
    claims: Score = field(default_factory=Score)
    errors: list[str] = field(default_factory=list)
    # predictions outside the gold's scope, by reason (see the module docstring)
    unscored: Counter = field(default_factory=Counter)


def load_gold(path: Path, splits: Iterable[str] = ("dev", "test")) -> list[GoldArticle]:
    """Gold articles of the given splits."""
    wanted = set(splits)
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("split") not in wanted:
            continue
        claims = tuple((c.get("speaker"), c["kind"], c.get("target")) for c in row.get("claims", []))
        out.append(
            GoldArticle(row["id"], row["split"], row["text"], frozenset(row.get("entities", [])), claims)
        )
    return out


PLURAL_PRONOUNS = frozenset({"they", "them"})
# Cue sources of the v2 detector that the v1 guidelines do not annotate: attributions of belief or finding
# ("believes", "expects", "the study found"), nominal acts ("the department's ban"), labelled lines
# ("NAME: ...") and heading lines ("Headlines/titles are not annotated").
V2_ONLY_SOURCES = frozenset({"cognition", "evidence", "noun", "label", "heading", "participle", "inquiry"})


def out_of_scope(claim: dict) -> str | None:
    """Why the v1 gold cannot judge a predicted claim ("speaker unresolved", "plural pronoun", "accused
    unnamed"), or None when it can."""
    if claim.get("speaker_id") is None:
        return "speaker unresolved"
    if (claim.get("speaker_text") or "").lower() in PLURAL_PRONOUNS:
        return "plural pronoun"
    if claim["kind"] == "accusation" and claim.get("target_id") is None:
        return "accused unnamed"
    if (claim.get("how") or [None])[0] == "carried":
        return "actor carried from an earlier act"  # the v1 gold names only actors in the sentence
    how = claim.get("how") or []
    if len(how) > 2 and how[2] in V2_ONLY_SOURCES:
        return "cue outside the v1 guidelines"
    if IN_SPEECH in how:
        return "act reported in speech"  # the v1 guidelines make it one statement
    return None


def predicted(
    nlp: Language, texts: Sequence[str], kb_ids: set[str] | None
) -> list[tuple[set[str], list[ClaimKey], list[dict]]]:
    """(entity ids, claim keys, claim dicts) per text; ``kb_ids`` None keeps every id (plain model)."""
    out = []
    for doc in nlp.pipe(texts):
        ids = {e.kb_id_ for e in doc.ents if e.kb_id_ and (kb_ids is None or e.kb_id_ in kb_ids)}
        claims = [c for c in doc._.claims or [] if not c["negated"]]
        scored = [c for c in claims if out_of_scope(c) is None]
        out.append((ids, [(c["speaker_id"], c["kind"], c["target_id"]) for c in scored], claims))
    return out


def evaluate(nlp: Language, gold: Sequence[GoldArticle], kb_ids: set[str] | None) -> Report:
    """Score ``nlp`` on ``gold``; ``report.errors`` lists every mismatch, one line each."""
    report = Report()
    for article, (ids, claim_keys, claims) in zip(
        gold, predicted(nlp, [g.text for g in gold], kb_ids), strict=True
    ):
        report.entities.add(Counter(ids), Counter(article.entities))
        pred, want = Counter(claim_keys), Counter(article.claims)
        report.claims.add(pred, want)
        for claim in claims:
            if (why := out_of_scope(claim)) is not None:
                report.unscored[why] += 1
                report.errors.append(
                    f"{article.id} unscored ({why}) {claim['speaker_text']!r} {claim['kind']} "
                    f"{claim.get('target_text')!r}: {claim['sentence'][:120]!r}"
                )
        for key in sorted((pred - want).elements(), key=str):
            sentence = next(
                (c["sentence"] for c in claims if (c["speaker_id"], c["kind"], c["target_id"]) == key), ""
            )
            report.errors.append(f"{article.id} FP claim {key}: {sentence[:160]!r}")
        for key in sorted((want - pred).elements(), key=str):
            report.errors.append(f"{article.id} FN claim {key}")
        for eid in sorted(ids - article.entities):
            report.errors.append(f"{article.id} FP entity {eid}")
        for eid in sorted(article.entities - ids):
            report.errors.append(f"{article.id} FN entity {eid}")
    return report
