"""Claim extraction on re-read real news pages, scored against a hand-made gold manifest.

Usage: ``python benchmarks/real_news.py --manifest benchmarks/real_news/manifest.jsonl [--manifest more.jsonl]
--pages DIR [--errors] [--json]``. ``DIR/<id>.txt`` is the page text of manifest row ``id``; a missing file
is reported and skipped, a sha256 differing from the row's is a warning (the page changed since annotation).

Negated predicted claims are ignored. Figures, overall and per manifest ``topic``:

* high-stakes precision: predicted accusations, denials and policy actions that match *some* gold claim of
  the same article (same kind, matching speaker, matching target). Not one-to-one: an article may report
  one gold claim twice (headline and body) and both predictions count as correct. An empty predicted
  target matches any gold target (missing is not wrong); a non-empty one must match the gold target.
* recall, always one-to-one: each gold claim is counted once and each prediction validates at most one
  gold claim; pairs are assigned greedily, best match first (id > alias > text, same kind, target).
  Accusation recall: gold accusations matched by a predicted accusation with a matching speaker (lenient)
  and also a matching target (strict). Claim recall strict: any kind, same kind, matching speaker and
  target, where a gold claim without target id accepts a predicted empty target or one matching its
  ``target_text``; lenient: a predicted claim of any kind by a matching speaker.
* discovered-entity junk: distinct non-KB entities of an article that match no gold ``names`` entry.

Speaker/target matching: equal ids; or the gold text is an alias of the predicted KB entity (or the
predicted text one of the gold KB entity's); or, unless both ids are different KB entities, normalised
texts that are equal or contain each other as whole words. A gold null speaker of kind ``anonymous``
matches a predicted claim with no speaker id and ``speaker_kind`` anonymous (v2 claims only).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiwatch.extract import kb, normalize, pipeline
from spacy.tokens import Doc

HIGH_STAKES = frozenset({"accusation", "denial", "policy_action"})
NAME_SIMILARITY = 0.85  # difflib ratio of sorted name tokens above which two names are the same
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class GoldClaim:
    speaker: str | None
    speaker_text: str | None
    speaker_kind: str | None
    kind: str
    target: str | None
    target_text: str | None
    gist: str


@dataclass(frozen=True)
class Article:
    id: str
    topic: str
    sha256: str | None
    claims: tuple[GoldClaim, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Predicted:
    """A predicted claim reduced to what the scoring needs (see :func:`view`)."""

    speaker_id: str | None
    speaker_text: str | None
    speaker_kind: str | None
    kind: str
    target_id: str | None
    target_text: str | None
    sentence: str


@dataclass
class Ratio:
    k: int = 0
    n: int = 0

    def add(self, k: int, n: int) -> None:
        self.k += k
        self.n += n

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.k} of {self.n})" if self.n else f"n/a (0 of {self.n})"


@dataclass
class Tally:
    articles: int = 0
    gold_claims: int = 0
    predicted: int = 0
    high_stakes_precision: Ratio = field(default_factory=Ratio)
    accusation_recall_lenient: Ratio = field(default_factory=Ratio)
    accusation_recall_strict: Ratio = field(default_factory=Ratio)
    claim_recall_strict: Ratio = field(default_factory=Ratio)
    claim_recall_lenient: Ratio = field(default_factory=Ratio)
    discovered_junk: Ratio = field(default_factory=Ratio)

    def merge(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if isinstance(value, Ratio):
                getattr(self, name).add(value.k, value.n)
            else:
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return {
            name: ({"value": value.value, "k": value.k, "n": value.n} if isinstance(value, Ratio) else value)
            for name, value in vars(self).items()
        }


# --- loading -------------------------------------------------------------------------------------------


def parse_claim(raw: dict) -> GoldClaim:
    return GoldClaim(
        speaker=raw.get("speaker"),
        speaker_text=raw.get("speaker_text"),
        speaker_kind=raw.get("speaker_kind"),
        kind=raw["kind"],
        target=raw.get("target"),
        target_text=raw.get("target_text"),
        gist=raw.get("gist") or "",
    )


def topic_of(value: str | list[str] | None) -> str:
    """A row's topic as one label ("none" when missing; a list is joined with "+")."""
    if isinstance(value, list):
        return "+".join(sorted(value)) or "none"
    return value or "none"


def load_manifests(paths: Iterable[Path]) -> list[Article]:
    """Manifest rows of all files in order; a repeated id keeps the last row (with a warning)."""
    rows: dict[str, Article] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["id"] in rows:
                warn(f"{path}:{number}: id {row['id']} repeated, the later row wins")
            rows[row["id"]] = Article(
                id=row["id"],
                topic=topic_of(row.get("topic")),
                sha256=row.get("sha256"),
                claims=tuple(parse_claim(c) for c in row.get("claims") or []),
                names=tuple(n["name"] for n in row.get("names") or [] if n.get("name")),
            )
    return list(rows.values())


def read_pages(articles: Sequence[Article], pages: Path) -> list[tuple[Article, str]]:
    """(article, text) for every article whose page exists; missing pages and changed hashes are reported."""
    out = []
    for article in articles:
        path = pages / f"{article.id}.txt"
        if not path.is_file():
            warn(f"{article.id}: no page {path}, skipped")
            continue
        raw = path.read_bytes()
        if article.sha256 and hashlib.sha256(raw).hexdigest() != article.sha256.lower():
            warn(f"{article.id}: sha256 differs from the manifest (page changed since annotation)")
        out.append((article, raw.decode("utf-8")))
    return out


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# --- the v1 -> v2 adapter (delete the fallbacks once every claim dict is v2) ------------------------------


def view(claim: dict, doc: Doc, names: dict[str, str]) -> Predicted:
    """Speaker/target texts of a claim: the v2 fields when present; for v1 the entity's surface text in
    the sentence (nearest to the claim), else its KB or discovered name."""

    def surface(entity_id: str | None) -> str | None:
        if entity_id is None:
            return None
        start = max(doc.text.find(claim["sentence"], claim["sentence_start"]), claim["sentence_start"])
        end = start + len(claim["sentence"])
        spans = [e for e in doc.ents if e.kb_id_ == entity_id and start <= e.start_char < end]
        if not spans:
            return names.get(entity_id)
        return min(spans, key=lambda e: abs(e.start_char - claim["start_char"])).text

    return Predicted(
        speaker_id=claim.get("speaker_id"),
        speaker_text=claim["speaker_text"] if "speaker_text" in claim else surface(claim.get("speaker_id")),
        speaker_kind=claim.get("speaker_kind"),
        kind=claim["kind"],
        target_id=claim.get("target_id"),
        target_text=claim["target_text"] if "target_text" in claim else surface(claim.get("target_id")),
        sentence=claim.get("sentence", ""),
    )


# --- matching --------------------------------------------------------------------------------------------


def norm(text: str | None) -> str:
    """Lowercase words of a name without possessive, leading article or punctuation."""
    if not text:
        return ""
    return _NON_WORD.sub(" ", normalize.normalize_name(text).lower()).strip()


def contains(a: str, b: str, min_chars: int = 4) -> bool:
    """One normalised text holds the other as whole words (the shorter has at least ``min_chars``)."""
    short, long = sorted((a, b), key=len)
    return len(short) >= min_chars and f" {short} " in f" {long} "


def entity_match(
    pred_id: str | None,
    pred_text: str | None,
    gold_id: str | None,
    gold_text: str | None,
    aliases: dict[str, frozenset[str]],
) -> int:
    """Match strength: 3 same id, 2 alias, 1 text, 0 none (see the module docstring)."""
    if pred_id and gold_id and pred_id == gold_id:
        return 3
    p = norm(pred_text) or norm((pred_id or "").replace("-", " "))
    g = norm(gold_text) or norm((gold_id or "").replace("-", " "))
    if (g and g in aliases.get(pred_id or "", ())) or (p and p in aliases.get(gold_id or "", ())):
        return 2
    if pred_id in aliases and gold_id in aliases:
        return 0  # two different KB entities: texts do not overrule the ids
    return 1 if p and g and (p == g or contains(p, g)) else 0


def speaker_match(p: Predicted, g: GoldClaim, aliases: dict[str, frozenset[str]]) -> int:
    if g.speaker is None and g.speaker_kind == "anonymous" and p.speaker_id is None:
        return 1 if p.speaker_kind == "anonymous" else 0
    if p.speaker_id is None and not p.speaker_text:
        return 0
    return entity_match(p.speaker_id, p.speaker_text, g.speaker, g.speaker_text, aliases)


def target_match(p: Predicted, g: GoldClaim, aliases: dict[str, frozenset[str]], empty_ok: bool) -> int:
    """Target strength (0 = no match); a predicted empty target matches when ``empty_ok``."""
    if p.target_id is None and not p.target_text:
        return 1 if empty_ok else 0
    if g.target is None and not g.target_text:
        return 0  # a named target where the gold has none is wrong
    return entity_match(p.target_id, p.target_text, g.target, g.target_text, aliases)


Scorer = Callable[[Predicted, GoldClaim], int]


def one_to_one(preds: Sequence[Predicted], golds: Sequence[GoldClaim], score: Scorer) -> dict[int, int]:
    """Gold index -> predicted index, pairs (score > 0) assigned greedily, best first."""
    pairs = sorted(
        (-s, i, j) for i, p in enumerate(preds) for j, g in enumerate(golds) if (s := score(p, g)) > 0
    )
    used_p: set[int] = set()
    used_g: dict[int, int] = {}
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g[j] = i
    return used_g


def sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def names_match(name: str, gold_names: Iterable[str]) -> bool:
    """A discovered name matches a gold name: equal, contained, or token sets nearly the same."""
    a = norm(name)
    for gold in gold_names:
        b = norm(gold)
        if not a or not b:
            continue
        if a == b or contains(a, b, min_chars=3):
            return True
        if difflib.SequenceMatcher(None, sorted_words(a), sorted_words(b)).ratio() >= NAME_SIMILARITY:
            return True
    return False


# --- scoring ---------------------------------------------------------------------------------------------


def score_article(
    article: Article,
    preds: Sequence[Predicted],
    discovered: Sequence[str],
    aliases: dict[str, frozenset[str]],
    errors: list[str],
) -> Tally:
    """Figures of one article; mismatches are appended to ``errors``."""
    golds = article.claims
    t = Tally(articles=1, gold_claims=len(golds), predicted=len(preds))

    def strict(p: Predicted, g: GoldClaim) -> int:
        if p.kind != g.kind or not (s := speaker_match(p, g, aliases)):
            return 0
        t = target_match(p, g, aliases, empty_ok=g.target is None)
        return s + t if t else 0

    for p in preds:
        if p.kind not in HIGH_STAKES:
            continue
        ok = any(
            g.kind == p.kind and speaker_match(p, g, aliases) and target_match(p, g, aliases, empty_ok=True)
            for g in golds
        )
        t.high_stakes_precision.add(int(ok), 1)
        if not ok:
            errors.append(
                f"{article.id} FP {p.kind} speaker={p.speaker_id or p.speaker_text} "
                f"target={p.target_id or p.target_text}: {p.sentence[:160]!r}"
            )

    acc_p = [p for p in preds if p.kind == "accusation"]
    acc_g = [g for g in golds if g.kind == "accusation"]
    lenient_acc = one_to_one(acc_p, acc_g, lambda p, g: speaker_match(p, g, aliases))
    t.accusation_recall_lenient.add(len(lenient_acc), len(acc_g))
    t.accusation_recall_strict.add(len(one_to_one(acc_p, acc_g, strict)), len(acc_g))

    matched = one_to_one(preds, golds, strict)
    t.claim_recall_strict.add(len(matched), len(golds))

    def by_speaker(p: Predicted, g: GoldClaim) -> int:
        return 2 * s + (p.kind == g.kind) if (s := speaker_match(p, g, aliases)) else 0

    lenient = one_to_one(preds, golds, by_speaker)
    t.claim_recall_lenient.add(len(lenient), len(golds))
    for j, g in enumerate(golds):
        if j not in matched:
            if j in lenient:
                p = preds[lenient[j]]
                how = f"speaker found, paired with {p.kind} target={p.target_id or p.target_text}"
            else:
                how = "speaker missed"
            errors.append(
                f"{article.id} FN {g.kind} speaker={g.speaker or g.speaker_text} "
                f"target={g.target or g.target_text} ({how}): {g.gist}"
            )

    junk = [name for name in discovered if not names_match(name, article.names)]
    t.discovered_junk.add(len(junk), len(discovered))
    errors.extend(f"{article.id} junk entity {name!r}" for name in junk)
    return t


def discovered_names(doc: Doc, kb_ids: set[str]) -> list[str]:
    """Distinct non-KB entities of a document, by id, named as the resolver named them."""
    found = doc._.discovered or {}
    seen: dict[str, str] = {}
    for ent in doc.ents:
        if ent.kb_id_ and ent.kb_id_ not in kb_ids:
            seen.setdefault(ent.kb_id_, found.get(ent.kb_id_, [ent.text])[0])
    return sorted(seen.values())


def run(
    pairs: Sequence[tuple[Article, str]], entities: Sequence[kb.KBEntity]
) -> tuple[Tally, dict[str, Tally], list[str]]:
    """Overall figures, figures per topic and error lines."""
    aliases = {e.id: frozenset(norm(a) for a in e.all_aliases()) for e in entities}
    kb_names = {e.id: e.name for e in entities}
    kb_ids = set(kb_names)
    nlp = pipeline.add_aiwatch_components(pipeline.load_model(), entities)
    total, by_topic, errors = Tally(), defaultdict(Tally), []
    for (article, _), doc in zip(pairs, nlp.pipe(text for _, text in pairs), strict=True):
        names = {**kb_names, **{k: v[0] for k, v in (doc._.discovered or {}).items()}}
        preds = [view(c, doc, names) for c in doc._.claims or [] if not c.get("negated")]
        tally = score_article(article, preds, discovered_names(doc, kb_ids), aliases, errors)
        total.merge(tally)
        by_topic[article.topic].merge(tally)
    return total, dict(sorted(by_topic.items())), errors


def format_tally(title: str, t: Tally) -> str:
    return "\n".join(
        [
            f"{title} ({t.articles} articles, {t.gold_claims} gold claims, {t.predicted} predicted)",
            f"  high-stakes precision      {t.high_stakes_precision}",
            f"  accusation recall lenient  {t.accusation_recall_lenient}",
            f"  accusation recall strict   {t.accusation_recall_strict}",
            f"  claim recall strict        {t.claim_recall_strict}",
            f"  claim recall lenient       {t.claim_recall_lenient}",
            f"  discovered-entity junk     {t.discovered_junk}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, action="append", required=True, help="gold JSONL (repeat)")
    parser.add_argument("--pages", type=Path, required=True, help="folder of <id>.txt page texts")
    parser.add_argument("--errors", action="store_true", help="list false positives, misses and junk")
    parser.add_argument("--json", action="store_true", help="print one JSON line of all figures")
    args = parser.parse_args()
    pairs = read_pages(load_manifests(args.manifest), args.pages)
    total, by_topic, errors = run(pairs, kb.load_kb())
    if args.json:
        figures = {"all": total.as_dict(), "topics": {k: v.as_dict() for k, v in by_topic.items()}}
        print(json.dumps(figures, sort_keys=True))
    else:
        print(format_tally("all", total))
        for topic, tally in by_topic.items():
            print(format_tally(f"topic {topic}", tally))
    if args.errors:
        print("\n".join(errors), file=sys.stderr if args.json else sys.stdout)


if __name__ == "__main__":
    main()
