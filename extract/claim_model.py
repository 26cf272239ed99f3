"""The claim and how one is built: the :class:`Claim` record (claim dict v2), the per-document
:class:`ClaimContext` every detector reads, the confidence factors (:data:`SPEAKER_CONFIDENCE` x
:data:`KIND_CONFIDENCE`), :func:`build_claim` (offsets, content text, topic, confidence and ``how`` of one
claim) and :func:`distinct_claims` (one row per act).

Shared by the detectors (:mod:`aiwatch.extract.verb_claims`, :mod:`aiwatch.extract.acts`,
:mod:`aiwatch.extract.according`, :mod:`aiwatch.extract.labels`, :mod:`aiwatch.extract.nominal_claims`) and
by :mod:`aiwatch.extract.claims`, which runs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aiwatch.extract.content import GROUP, topic_counts, topic_from
from aiwatch.extract.cues import (
    REPORTING,
    directed_party,
    inquires,
    is_heading,
    own_participle,
    trigger_family,
)
from aiwatch.extract.references import EntityMap, Lexicons, Mention
from aiwatch.extract.speakers import Speaker, entity_tokens, speaker_of
from spacy.tokens import Doc, Span, Token

from aiwatch.config import default

# ``how`` marker of an act reported inside someone's speech ("it said it had opened an investigation").
IN_SPEECH = "in_speech"
# Claims scoring below this are dropped (setting ``claim_min_confidence``).
MIN_CONFIDENCE: float = default("claim_min_confidence")

SPEAKER_CONFIDENCE: dict[str, float] = {
    "entity": 1.0,  # the subject token is part of a named entity
    "according": 0.95,  # "according to X"
    "speaker_alias": 0.9,  # a KB name used only of speakers ("Beijing said", "the Chinese side")
    "modifier": 0.85,  # an entity attached to the subject noun ("a spokesperson for X")
    "pronoun": 0.8,  # pronoun or nominal resolved in the same or the previous sentence
    "pronoun_far": 0.65,  # resolved two sentences back
    "unresolved": 0.78,  # a speaker known by its text only ("officials", "the report", "he" unresolved)
    "carried": 0.7,  # the actor of the same act just before ("BIS added 80 entities. ... 12 are added for")
    "issuer": 0.7,  # the last policy actor, for a rule that acts ("these updates will restrict ...")
}
# How the kind was decided -> confidence factor.
KIND_CONFIDENCE: dict[str, float] = {
    "verb": 0.95,  # the trigger verb's lexicon says it (accuse, deny, ban, announce)
    "statement": 0.9,  # speech verb with neutral content
    "content": 0.8,  # speech verb whose content names the wrongdoer syntactically, or a denial cue
    "content_weak": 0.65,  # wrongdoing cue without a syntactic doer; the only organisation in the content
    "negated": 0.9,
}


@dataclass
class Claim:
    """One attributed claim (claim dict v2); offsets are character offsets into the document text."""

    speaker_id: str | None
    speaker_text: str
    speaker_start: int | None
    speaker_end: int | None
    speaker_kind: str
    via_id: str | None
    via_text: str | None
    verb: str
    cue_start: int
    cue_end: int
    kind: str
    target_id: str | None
    target_text: str | None
    content: str
    content_start: int | None
    content_end: int | None
    is_quote: bool
    negated: bool
    start_char: int
    end_char: int
    sentence: str
    sentence_start: int
    confidence: float
    topic: str | None
    how: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        out["how"] = list(self.how)
        return out


@dataclass
class ClaimContext:
    """What every detector reads about one document: its entities, lexicons, quote regions, sentences and
    lines, and per-token results (cue family, speaker, sentence topic counts) computed once."""

    doc: Doc
    emap: EntityMap
    lex: Lexicons
    regions: list[tuple[int, int]]
    sent_starts: list[int]
    sents: list[Span]
    parents: Mapping[str, str] = field(default_factory=dict)
    _facts: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    _families: dict[int, str | None] = field(default_factory=dict)
    _speakers: dict[tuple[int, bool], Speaker | None] = field(default_factory=dict)
    line_of: list[int] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)
    sent_index: dict[int, int] = field(default_factory=dict)
    answerer: Speaker | None = None  # who speaks the "A:" turns of a question-and-answer transcript
    answer_lines: dict[int, Token] = field(default_factory=dict)  # line index -> colon of its "A:" label
    acts: list[tuple[int, str, Speaker]] = field(default_factory=list)  # (token index, lemma, actor)

    def recent_actor(self, sent: Span, lemma: str | None, reach: int = 400) -> Speaker | None:
        """The named actor of the same policy act (same verb; any when ``lemma`` is None) at most ``reach``
        tokens before, if any."""
        for i, act_lemma, actor in reversed(self.acts):
            same = lemma is None or act_lemma == lemma
            if same and sent.start - reach <= i <= sent.start and actor.entity_id is not None:
                return replace(actor, how="carried")
        return None

    def own_side(self, speaker: Speaker) -> set[str]:
        """The speaker and its parent organisation: never the party it accuses ("Huang" and Nvidia)."""
        if speaker.entity_id is None:
            return set()
        return {speaker.entity_id} | (
            {self.parents[speaker.entity_id]} if speaker.entity_id in self.parents else set()
        )

    def sentence_facts(self, sent: Span) -> tuple[str, int, int]:
        """A sentence's stripped text and topic counts (its tokens and entity mentions), computed once."""
        facts = self._facts.get(sent.start)
        if facts is None:
            by_token = self.emap.by_token
            mentions = [by_token[i] for i in range(sent.start, sent.end) if i in by_token]
            facts = (sent.text.strip(), *topic_counts(sent, mentions, self.lex))
            self._facts[sent.start] = facts
        return facts

    def family(self, token: Token) -> str | None:
        """:func:`trigger_family` of a token, computed once per document."""
        if token.i not in self._families:
            self._families[token.i] = trigger_family(token, self.lex)
        return self._families[token.i]

    def speaker(self, token: Token | None, speaking: bool = False) -> Speaker | None:
        """:func:`speaker_of` a token, computed once per document (a fresh copy each call)."""
        if token is None:
            return None
        key = (token.i, speaking)
        if key not in self._speakers:
            self._speakers[key] = speaker_of(token, self.emap, self.sent_starts, self.lex, speaking)
        found = self._speakers[key]
        return replace(found) if found is not None else None

    def next_sentence(self, sent: Span) -> Span | None:
        k = self.sent_index.get(sent.start, -1)
        return self.sents[k + 1] if 0 <= k < len(self.sents) - 1 else None


CORE_MODIFIERS = frozenset({"det", "amod", "compound", "nummod", "poss", "nmod", "quantmod"})


def core_phrase(token: Token) -> tuple[int, int]:
    """Token range of a noun with its modifiers and a place ("three Chinese AI labs", "groups in the PRC",
    "accounts linked to DeepSeek"), without what it is accused of ("labs of stealing ...")."""
    keep = [token.i]
    for child in token.children:
        # a list bullet misread as a modifier ("• Nine entities") is no part of the phrase
        before = child.dep_ in CORE_MODIFIERS and child.i < token.i and any(c.isalnum() for c in child.text)
        place = child.dep_ == "prep" and child.lower_ in ("in", "from")
        linked = child.dep_ == "acl" and child.lemma_.lower() in ("base", "link", "tie", "connect")
        if before or place or linked:
            keep.extend(t.i for t in child.subtree)
    return min(keep), max(keep) + 1


def _target_text(doc: Doc, mention: Mention, emap: EntityMap) -> str:
    token = doc[mention.token_i]
    if mention.type == GROUP or not mention.entity_id:
        start, end = core_phrase(token)
    else:
        start, end = entity_tokens(token, emap)
    return doc[start:end].text


def _span(tokens: list[Token]) -> tuple[int, int] | None:
    if not tokens:
        return None
    first, last = min(tokens, key=lambda t: t.i), max(tokens, key=lambda t: t.i)
    return first.idx, last.idx + len(last)


def _joined(tokens: list[Token]) -> str:
    """Text of sorted tokens, runs of consecutive tokens joined by a space (both halves of a split quote)."""
    doc = tokens[0].doc
    runs: list[list[Token]] = [[tokens[0]]]
    for tok in tokens[1:]:
        if tok.i == runs[-1][-1].i + 1:
            runs[-1].append(tok)
        else:
            runs.append([tok])
    return " ".join(doc[r[0].i : r[-1].i + 1].text.strip() for r in runs).strip()


def build_claim(
    ctx: ClaimContext,
    sent: Span,
    cue: list[Token],
    speaker: Speaker,
    kind: str,
    kind_how: str,
    target: Mention | None,
    content_tokens: list[Token],
    is_quote: bool,
    verb_text: str,
) -> Claim:
    """One claim: its character spans, content text, topic, confidence (speaker factor x kind factor) and
    ``how``; the channel is left empty and the claim not negated."""
    doc = ctx.doc
    anchor = cue[0]
    edges = [max(anchor.left_edge.i, sent.start), min(anchor.right_edge.i, sent.end - 1)]
    edges += [t.i for t in (content_tokens[:1] + content_tokens[-1:] + cue)]
    if sent.start <= speaker.token_i < sent.end:
        edges.append(speaker.token_i)
    start, end = min(edges), max(edges) + 1
    span = doc[start:end]
    content = sorted(content_tokens, key=lambda t: t.i)
    content_span = _span(content)
    content_text = _joined(content) if content else span.text.strip()
    cue_start, cue_end = _span(cue) or (anchor.idx, anchor.idx + len(anchor))
    sent_text, sent_d, sent_e = ctx.sentence_facts(sent)
    content_d, content_e = topic_counts(content_tokens, (), ctx.lex)
    has_target = target is not None
    return Claim(
        speaker_id=speaker.entity_id,
        speaker_text=speaker.text,
        speaker_start=speaker.start,
        speaker_end=speaker.end,
        speaker_kind=speaker.kind,
        via_id=None,
        via_text=None,
        verb=verb_text,
        cue_start=cue_start,
        cue_end=cue_end,
        kind=kind,
        target_id=(target.entity_id or None) if has_target else None,
        target_text=_target_text(doc, target, ctx.emap) if has_target else None,
        content=content_text,
        content_start=content_span[0] if content_span else None,
        content_end=content_span[1] if content_span else None,
        is_quote=is_quote,
        negated=False,
        start_char=span.start_char,
        end_char=span.end_char,
        sentence=sent_text,
        sentence_start=sent.start_char,
        confidence=round(SPEAKER_CONFIDENCE[speaker.how] * KIND_CONFIDENCE[kind_how], 3),
        topic=topic_from(sent_d + content_d, sent_e + content_e),
        how=[speaker.how, kind_how, cue_source(sent, cue, verb_text, ctx.lex)],
    )


def cue_source(sent: Span, cue: list[Token], verb_text: str, lex: Lexicons) -> str:
    """Which detector found the cue: a verb family, "according", "noun", "label", "heading", "participle"
    or "directive" (an authority telling a party to act)."""
    if verb_text in ("according to", "per"):
        return "according"
    if not cue[0].is_alpha:
        return "label"
    if is_heading(sent):
        return "heading"
    if cue[0].pos_ == "NOUN":
        return "noun"
    if own_participle(cue[0], lex) and trigger_family(cue[0].head, lex) in REPORTING:
        return "participle"  # "..., he said, adding that ...": a claim of its own after another cue
    if cue[0].lemma_.lower() in lex["directive_verbs"] and directed_party(cue[0]) is not None:
        return "directive"
    if inquires(cue[0], lex):
        return "inquiry"  # "is investigating whether ...": outside the v1 guidelines
    return trigger_family(cue[0], lex) or "verb"


def mark_negated(claim: Claim) -> Claim:
    """Mark a claim negated: it stays a ``statement`` without a target."""
    claim.negated = True
    claim.target_id = claim.target_text = None
    return claim


def distinct_claims(claims: list[Claim]) -> list[Claim]:
    """One claim per sentence, speaker, kind, target, polarity and act: two findings of one cue, or two cues
    that report the same words ("rejected claims by Anthropic that ...", found by the verb and by the claim
    noun), give one row, the most confident, in the place of the first. Distinct cues with their own content
    ("said that A, adding that B") stay apart."""
    kept: list[Claim] = []
    slots: dict[tuple, list[int]] = {}
    for claim in claims:
        key = (
            claim.sentence_start,
            claim.speaker_id or claim.speaker_text.lower(),
            claim.kind,
            claim.target_id or (claim.target_text or "").lower(),
            claim.negated,
        )
        same = next((k for k in slots.get(key, []) if _overlap(kept[k], claim)), None)
        if same is None:
            slots.setdefault(key, []).append(len(kept))
            kept.append(claim)
        elif claim.confidence > kept[same].confidence:
            kept[same] = claim
    return kept


def _overlap(a: Claim, b: Claim) -> bool:
    """The same act twice: one content span found from one cue or from two."""
    same = (a.content_start, a.content_end) == (b.content_start, b.content_end)
    return a.content_start is not None and same
