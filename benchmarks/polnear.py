"""Attribution spans of the claim extractor on PolNeAR's dev split (political news, brat standoff gold).

Usage: ``python benchmarks/polnear.py --path /work/polnear [--limit N] [--errors] [--json]``.
``--path`` holds PolNeAR's ``data/`` (``metadata.tsv``, ``dev/text/*.txt``, ``dev/attributions/*.ann``),
extracted from the repository ``networkdynamics/PolNeAR``. PolNeAR has no licence: measure only, never copy
its files, text or derived data into the project.

Gold: a split is the ``compartment`` column of ``metadata.tsv``. Each ``.ann`` event ``E`` (trigger
``Attribution`` or ``Attribution-no-source``) links text-bound spans ``Source``, ``Cue``, ``Content`` (and
``Content2``, a second content piece, merged into the content); a span may be discontinuous
(``start end;start end``, character offsets into the UTF-8 ``.txt``). ``Discuss``/``Discard`` spans belong
to no attribution and are ignored. An article annotated by several annotators is scored against its
first annotator in ``metadata.tsv`` order.

Prediction: every non-negated claim becomes (speaker, cue, content) character spans (v2 fields, or the v1
fallback of :func:`claim_spans`); identical triples (one verb, several targets) count once.

Spans are compared as sets of our spaCy tokens (whitespace dropped, punctuation trimmed from both ends).
Per role, distinct predicted spans are paired one-to-one with distinct gold spans, greedily by shared
tokens: **exact** = identical token sets, **overlap** = at least one shared token. Content token P/R/F1 is
micro over the overlap-matched content pairs. Source accuracy: among predicted attributions whose cue
overlaps a gold cue, the share whose speaker span overlaps that attribution's gold source (both empty
counts as right).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiwatch.extract import kb, pipeline
from spacy.tokens import Doc

from aiwatch.scoring import PrecisionRecall

ROLES = ("source", "cue", "content")
Range = tuple[int, int]
Fragments = tuple[Range, ...]
TokenSet = frozenset[int]
_ROLE_DIGITS = re.compile(r"\d+$")


@dataclass(frozen=True)
class GoldAttribution:
    id: str
    source: Fragments
    cue: Fragments
    content: Fragments


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    attributions: tuple[GoldAttribution, ...]
    offset_mismatches: int  # text-bound annotations whose text differs from the .txt at their offsets


@dataclass
class Counts(PrecisionRecall):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, predicted: int, gold: int) -> None:
        self.tp += tp
        self.fp += predicted - tp
        self.fn += gold - tp

    def __str__(self) -> str:
        counts = f"tp={self.tp} fp={self.fp} fn={self.fn}"
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} ({counts})"

    def as_dict(self) -> dict:
        return {
            "p": self.precision,
            "r": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Report:
    documents: int = 0
    gold_attributions: int = 0
    predicted_claims: int = 0
    predicted_attributions: int = 0
    no_speaker_span: int = 0
    no_cue_span: int = 0
    no_content_span: int = 0
    exact: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in ROLES})
    overlap: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in ROLES})
    content_tokens: Counts = field(default_factory=Counts)
    source_right: int = 0
    source_pairs: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {k: v for k, v in vars(self).items() if isinstance(v, int)}
        out["exact"] = {r: c.as_dict() for r, c in self.exact.items()}
        out["overlap"] = {r: c.as_dict() for r, c in self.overlap.items()}
        out["content_token"] = self.content_tokens.as_dict()
        out["source_accuracy"] = self.source_right / self.source_pairs if self.source_pairs else None
        return out


# --- gold ------------------------------------------------------------------------------------------------


def parse_fragments(spec: str) -> Fragments:
    """``"12 20;25 30"`` -> ((12, 20), (25, 30))."""
    return tuple((int(a), int(b)) for a, b in (part.split() for part in spec.split(";")))


def parse_ann(ann: str, text: str) -> tuple[tuple[GoldAttribution, ...], int]:
    """Attributions of one ``.ann`` file and how many text-bound spans disagree with ``text``."""
    spans: dict[str, Fragments] = {}
    mismatches = 0
    events = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            fragments = parse_fragments(fields[1].split(" ", 1)[1])
            spans[fields[0]] = fragments
            covered = " ".join(text[a:b] for a, b in fragments)
            mismatches += len(fields) > 2 and covered.split() != fields[2].split()
        elif line.startswith("E") and len(fields) >= 2:
            events.append((fields[0], fields[1].split()))
    out = []
    for event_id, args in events:
        roles: dict[str, list[Range]] = {r: [] for r in ROLES}
        for arg in args[1:]:  # args[0] is the Attribution / Attribution-no-source trigger
            role, ref = arg.split(":", 1)
            role = _ROLE_DIGITS.sub("", role).lower()
            if role in roles:
                roles[role].extend(spans.get(ref, ()))
        out.append(GoldAttribution(event_id, *(tuple(sorted(roles[r])) for r in ROLES)))
    return tuple(out), mismatches


def load_split(root: Path, split: str = "dev", limit: int | None = None) -> list[Document]:
    """Documents of one split (``compartment`` in ``metadata.tsv``), in metadata order."""
    data = root / "data" if (root / "data" / "metadata.tsv").is_file() else root
    with (data / "metadata.tsv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["compartment"] == split]
    docs = []
    for row in rows[:limit]:
        name = row["filename"]
        # bytes decoded as-is: brat offsets count code points of the file, with no newline translation
        text = (data / split / "text" / f"{name}.txt").read_bytes().decode("utf-8")
        anns = [data / split / "attributions" / f"{name}_{a}.ann" for a in row["annotators"].split("|")]
        ann = next((p for p in anns if p.is_file()), None)
        if ann is None:
            print(f"warning: {name}: no annotation file, skipped", file=sys.stderr)
            continue
        attributions, mismatches = parse_ann(ann.read_bytes().decode("utf-8"), text)
        docs.append(Document(name, text, attributions, mismatches))
    return docs


# --- the v1 -> v2 adapter (delete the fallback once every claim dict is v2) -------------------------------


def claim_spans(claim: dict, doc: Doc) -> tuple[Range | None, Range | None, Range | None]:
    """(speaker, cue, content) character ranges of a claim. v2 dicts carry them; for v1: the speaker is the
    nearest entity with the speaker's id in the sentence (outside the content if possible), the cue the
    sentence token whose lemma is ``verb`` (or "according to"), the content ``content`` found from the
    sentence start (or the nearest occurrence before it) minus a leading cue."""

    def pair(start: str, end: str) -> Range | None:
        return (claim[start], claim[end]) if claim.get(start) is not None else None

    if "cue_start" in claim:
        return (
            pair("speaker_start", "speaker_end"),
            pair("cue_start", "cue_end"),
            pair("content_start", "content_end"),
        )
    text, sentence = doc.text, claim["sentence"]
    s_start = text.find(sentence, claim["sentence_start"])
    s_start = claim["sentence_start"] if s_start < 0 else s_start
    s_end = s_start + len(sentence)
    at = text.find(claim["content"], s_start) if claim["content"] else -1
    at = text.rfind(claim["content"], 0, s_end) if at < 0 and claim["content"] else at
    content = (at, at + len(claim["content"])) if at >= 0 else None

    def inside(i: int, span: Range | None) -> bool:
        return span is not None and span[0] <= i < span[1]

    verb, sent = claim["verb"], doc.char_span(s_start, s_end, alignment_mode="expand") or doc[0:0]
    if verb == "according to":
        cues = [(t.idx, t.nbor().idx + len(t.nbor())) for t in sent[:-1] if t.lower_ == "according"]
    else:
        cues = [(t.idx, t.idx + len(t)) for t in sent if t.lemma_.lower() == verb]
    claim_span = (claim["start_char"], claim["end_char"])
    cue = min(cues, key=lambda c: (not inside(c[0], claim_span), inside(c[0], content), c[0]), default=None)
    if content and cue and content[0] <= cue[0] < content[1] and not text[content[0] : cue[0]].strip():
        rest = len(text[cue[1] : content[1]]) - len(text[cue[1] : content[1]].lstrip())
        content = (cue[1] + rest, content[1]) if cue[1] + rest < content[1] else None
    anchor = cue[0] if cue else claim["start_char"]
    ents = [e for e in doc.ents if e.kb_id_ == claim.get("speaker_id") and s_start <= e.start_char < s_end]
    best = min(ents, key=lambda e: (inside(e.start_char, content), abs(e.start_char - anchor)), default=None)
    return (best.start_char, best.end_char) if best is not None else None, cue, content


# --- spans as token sets ---------------------------------------------------------------------------------


def token_set(doc: Doc, starts: Sequence[int], fragments: Iterable[Range]) -> TokenSet:
    """Our tokens touching the fragments, without whitespace and with punctuation trimmed from both ends
    (kept when the span is punctuation only, as the cue ":")."""
    found = []
    for a, b in fragments:
        i = max(bisect.bisect_right(starts, a) - 1, 0)
        while i < len(doc) and doc[i].idx < b:
            if doc[i].idx + len(doc[i]) > a and not doc[i].is_space:
                found.append(i)
            i += 1
    found = sorted(set(found))
    words = [i for i in found if not doc[i].is_punct]
    if not words:
        return frozenset(found)
    return frozenset(i for i in found if words[0] <= i <= words[-1])


def pair_up(predicted: Iterable[TokenSet], gold: Iterable[TokenSet]) -> list[tuple[TokenSet, TokenSet]]:
    """One-to-one pairs sharing tokens, greedily by most shared tokens."""
    candidates = sorted(
        ((len(p & g), sorted(p), sorted(g), p, g) for p in predicted for g in gold if p & g),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_p: set[TokenSet] = set()
    used_g: set[TokenSet] = set()
    pairs = []
    for _, _, _, p, g in candidates:
        if p not in used_p and g not in used_g:
            used_p.add(p)
            used_g.add(g)
            pairs.append((p, g))
    return pairs


def span_text(doc: Doc, tokens: TokenSet, limit: int = 100) -> str:
    if not tokens:
        return ""
    return doc.text[doc[min(tokens)].idx : doc[max(tokens)].idx + len(doc[max(tokens)])][:limit]


# --- scoring ---------------------------------------------------------------------------------------------


def score_document(document: Document, doc: Doc, report: Report) -> None:
    """Add one document's figures (and, in ``report.errors``, its mismatches) to ``report``."""
    starts = [t.idx for t in doc]
    gold = [tuple(token_set(doc, starts, getattr(a, r)) for r in ROLES) for a in document.attributions]
    claims = [c for c in doc._.claims or [] if not c.get("negated")]
    predicted: dict[tuple[TokenSet, ...], str] = {}
    for claim in claims:
        spans = claim_spans(claim, doc)
        report.no_speaker_span += spans[0] is None
        report.no_cue_span += spans[1] is None
        report.no_content_span += spans[2] is None
        key = tuple(token_set(doc, starts, [s]) if s else frozenset() for s in spans)
        predicted.setdefault(key, claim.get("sentence", ""))
    report.documents += 1
    report.gold_attributions += len(gold)
    report.predicted_claims += len(claims)
    report.predicted_attributions += len(predicted)

    for k, role in enumerate(ROLES):
        p_spans = {p[k] for p in predicted if p[k]}
        g_spans = {g[k] for g in gold if g[k]}
        report.exact[role].add(len(p_spans & g_spans), len(p_spans), len(g_spans))
        pairs = pair_up(p_spans, g_spans)
        report.overlap[role].add(len(pairs), len(p_spans), len(g_spans))
        if role == "content":
            for p, g in pairs:
                report.content_tokens.add(len(p & g), len(p), len(g))
        if role == "cue":
            matched_p = {p for p, _ in pairs}
            matched_g = {g for _, g in pairs}
            for key, sentence in predicted.items():
                if key[1] and key[1] not in matched_p:
                    report.errors.append(
                        f"{document.name} FP cue {span_text(doc, key[1])!r}: {sentence[:160]!r}"
                    )
            for src, cue, content in gold:
                if cue and cue not in matched_g:
                    report.errors.append(
                        f"{document.name} FN cue {span_text(doc, cue)!r} source {span_text(doc, src)!r}: "
                        f"{span_text(doc, content, 120)!r}"
                    )

    for src, cue, _ in predicted:
        best = max(gold, key=lambda g: len(g[1] & cue), default=None) if cue else None
        if best is None or not best[1] & cue:
            continue
        right = bool(src & best[0]) if src and best[0] else not src and not best[0]
        report.source_pairs += 1
        report.source_right += right
        if not right:
            report.errors.append(
                f"{document.name} source {span_text(doc, src)!r} for cue {span_text(doc, cue)!r}, "
                f"gold {span_text(doc, best[0])!r}"
            )


def evaluate(documents: Sequence[Document]) -> tuple[Report, dict[str, float]]:
    """Run the pipeline over the documents and score them; also the timings in seconds."""
    began = time.perf_counter()
    nlp = pipeline.add_aiwatch_components(pipeline.load_model(), kb.load_kb())
    loaded = time.perf_counter()
    report = Report()
    for document, doc in zip(documents, nlp.pipe(d.text for d in documents), strict=True):
        score_document(document, doc, report)
    done = time.perf_counter()
    return report, {"load_s": round(loaded - began, 2), "pipe_and_score_s": round(done - loaded, 2)}


def format_report(report: Report, timings: dict[str, float], words: int) -> str:
    lines = [
        f"PolNeAR dev: {report.documents} documents ({words} words), {report.gold_attributions} gold "
        f"attributions; {report.predicted_claims} predicted claims -> {report.predicted_attributions} "
        f"distinct attributions (no speaker span {report.no_speaker_span}, no cue {report.no_cue_span}, "
        f"no content {report.no_content_span})",
    ]
    for role in ROLES:
        lines.append(f"  {role:<8} exact   {report.exact[role]}")
        lines.append(f"  {role:<8} overlap {report.overlap[role]}")
    lines.append(f"  content token (matched pairs) {report.content_tokens}")
    accuracy = report.source_right / report.source_pairs if report.source_pairs else float("nan")
    pairs = f"{report.source_right} of {report.source_pairs}"
    lines.append(f"  source accuracy on cue-matched pairs {accuracy:.3f} ({pairs})")
    lines.append(
        f"  time: model load {timings['load_s']}s, pipeline + scoring {timings['pipe_and_score_s']}s"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, required=True, help="PolNeAR checkout (holding data/)")
    parser.add_argument("--limit", type=int, help="only the first N dev documents")
    parser.add_argument("--errors", action="store_true", help="list missed and spurious cues, wrong sources")
    parser.add_argument("--json", action="store_true", help="print one JSON line of all figures")
    args = parser.parse_args()
    documents = load_split(args.path, "dev", args.limit)
    mismatches = sum(d.offset_mismatches for d in documents)
    if mismatches:
        print(f"warning: {mismatches} gold spans differ from the text at their offsets", file=sys.stderr)
    report, timings = evaluate(documents)
    words = sum(len(d.text.split()) for d in documents)
    if args.json:
        print(json.dumps({**report.as_dict(), **timings, "words": words}, sort_keys=True))
    else:
        print(format_report(report, timings, words))
    if args.errors:
        print("\n".join(report.errors), file=sys.stderr if args.json else sys.stdout)


if __name__ == "__main__":
    main()
