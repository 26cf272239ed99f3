"""Attributed claims from a parsed ``Doc``: who said or did what to whom, in which sentence (claim dict v2).

Pure functions over a spaCy ``Doc`` whose entities carry canonical ids in ``kb_id_`` (set by the KB ruler
and the entity resolver). The ``aiwatch_claims_v1`` component in :mod:`aiwatch.extract.pipeline` calls
:func:`extract_claims` and stores the result in ``doc._.claims`` as plain dicts (:meth:`Claim.as_dict`).
Word lists live in :mod:`aiwatch.extract.lexicons`; cues and their content in :mod:`aiwatch.extract.cues`;
who a subject names in :mod:`aiwatch.extract.speakers` and :mod:`aiwatch.extract.references`; what a
reported clause asserts and whom it accuses in :mod:`aiwatch.extract.content`.

Detection is separate from kind labelling. Per sentence:

* a *cue* is a verb whose lemma is in one of the families (speech, cognition, evidence, accusation, denial,
  policy, announcement), any verb with an "in a statement/memo/post" phrase, a participle "adding"/"noting"
  after another cue (a claim of its own), or the phrase "according to X";
* the *speaker* is the cue's ``nsubj`` (inherited through ``conj``/``xcomp``/``relcl``, "who" included), the
  ``pobj`` of the ``agent`` "by" in a passive, or X in "according to X", as written: an entity, a person, a
  pronoun (resolved by gender and number: "he"/"she" to a person, "it" to an organisation, "they" kept as a
  group), a nominal ("the company", "a ministry spokesperson", "the Altman-led company") resolved through
  its modifiers or to the most salient compatible entity before it, or a speaker that resolves to no entity
  (groups "officials", roles, documents "the report", outlets "Bloomberg", anonymous "people familiar with
  the matter"): stored with ``speaker_id`` None, never dropped. Mentions on Title-Case headline lines never
  anchor a pronoun;
* the *channel* (``via``): "X told Reuters", "said in an interview with the FT", "According to the WSJ, X
  claimed": the outlet relays X's claim and is not a claimant itself;
* the *content* is the quotation the cue introduces (direct, split around the cue, or on the line after a
  colon), the whole reported clause when a quote is only part of it, or the ``ccomp`` clause;
* the *kind* comes from the cue's family; speech, cognition and evidence cues (and "according to") look at
  their content: a wrongdoing cue makes an accusation against its doer (a named entity, or a named group such
  as "Chinese AI labs": target text, no id; empty when no doer can be named, never a guess); a denial cue a
  denial; anything else a statement. Targets come only from the accused slot (the object of an accusation
  verb, the doer of the wrongdoing, "against X", an apposed list), never from a recipient, an owner or a
  policy's author; the speaker and its KB parent organisation are never the accused;
* *policy actions* need a governmental actor, named ("the Commerce Department") or not ("the regulator",
  "authorities"); the actor is the agency the text names, not its country ("China's cyberspace regulator"),
  and an administration is not its president;
* *negation* (a ``neg`` child, "no"/"neither" subjects, or "declined/refused to") never yields the positive
  kind: the claim is kept as a ``statement`` with ``negated = True`` and no target;
* not cues: verbs inside quotation marks (the quote belongs to the outer speaker), verbs reported inside an
  earlier speech verb's clause ("X said it would ban Y" is X's statement, not a ban), hypothetical actions
  ("would require", "plans to ban"), bare participles ("a version, called R1-0528"), infinitives whose doer
  is another party ("asked Nvidia to explain"), "saying" hanging off another cue of the same speaker, first
  person speakers, and lines without final punctuation (headings, captions).

The detectors live in modules of their own and this one runs them sentence by sentence
(:func:`extract_claims`): claims cued by a verb in :mod:`aiwatch.extract.verb_claims`, the acts it labels
(accusation, denial, policy action, announcement) in :mod:`aiwatch.extract.acts`; "according to X" in
:mod:`aiwatch.extract.according`; "NAME:" lines, dash-signed paragraphs and question-and-answer transcripts
in :mod:`aiwatch.extract.labels`; nominal reports and acts in :mod:`aiwatch.extract.nominal_claims`;
Title-Case headlines here (:func:`claims_in_title`, read by :mod:`aiwatch.extract.headlines`). The claim,
the per-document context, the confidence factors and the merging of duplicates are in
:mod:`aiwatch.extract.claim_model`.

Confidence is a product of documented factors (:data:`aiwatch.extract.claim_model.SPEAKER_CONFIDENCE` x
:data:`aiwatch.extract.claim_model.KIND_CONFIDENCE`); claims under ``min_confidence`` are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiwatch.extract.according import claims_according_to
from aiwatch.extract.acts import POLICY_SPEAKER_TYPES, SPEAKER_TYPES
from aiwatch.extract.claim_model import (
    IN_SPEECH,
    MIN_CONFIDENCE,
    Claim,
    ClaimContext,
    build_claim,
    distinct_claims,
)
from aiwatch.extract.content import ACCUSED_TYPES
from aiwatch.extract.cues import is_heading, is_title_case
from aiwatch.extract.headlines import title_cue
from aiwatch.extract.kbindex import KBIndex
from aiwatch.extract.labels import answer_turns, claims_by_label, claims_of_answer, line_bounds
from aiwatch.extract.lexicons import DEFAULT_LEXICONS
from aiwatch.extract.nominal_claims import claims_of_claim_nouns, claims_of_policy_nouns
from aiwatch.extract.references import EntityMap, Lexicons, Mention, quote_regions
from aiwatch.extract.speakers import Speaker
from aiwatch.extract.verb_claims import claims_for_verb
from spacy.attrs import IS_SPACE, LEMMA, LOWER, POS
from spacy.tokens import Doc, Span

__all__ = [
    "IN_SPEECH",
    "MIN_CONFIDENCE",
    "Claim",
    "claims_in_title",
    "distinct_claims",
    "extract_claims",
]


def claims_in_title(sent: Span, ctx: ClaimContext) -> list[Claim]:
    """Claims of a Title-Case headline line read on its surface (see :mod:`aiwatch.extract.headlines`)."""
    if not (is_heading(sent) and is_title_case(sent)):
        return []
    found = title_cue(sent, ctx.emap)
    if found is None:
        return []
    doc = ctx.doc
    start, end = found.speaker_span
    mention = found.speaker
    if mention.type not in SPEAKER_TYPES:
        return []
    if found.family == "policy" and mention.type not in POLICY_SPEAKER_TYPES:
        return []
    kind = {"accusation": "accusation", "denial": "denial", "policy": "policy_action"}[found.family]
    targets: list[Mention | None] = list(found.targets)
    if kind == "accusation":
        targets = [t for t in targets if t.type in ACCUSED_TYPES]
        if not targets:
            return []
    elif kind == "denial":
        targets = [None]
    else:
        targets = targets[:1] or [None]
    speaker = Speaker(
        mention.entity_id, mention.type, doc[start:end].text, doc[start].idx,
        doc[end - 1].idx + len(doc[end - 1]), "person" if mention.type == "person" else "entity", "entity",
        mention.token_i,
    )
    cue = [doc[found.cue_i]]
    content = [t for t in doc[found.cue_i : sent.end] if not t.is_space]
    return [
        build_claim(ctx, sent, cue, speaker, kind, "verb", t, content, False, found.lemma) for t in targets
    ]


def _non_anchors(ctx: ClaimContext) -> set[int]:
    """Tokens on Title-Case heading lines: their mentions never anchor a pronoun or nominal."""
    out: set[int] = set()
    for sent in ctx.sents:
        if is_heading(sent) and is_title_case(sent):
            out.update(range(sent.start, sent.end))
    return out


def extract_claims(
    doc: Doc,
    index: KBIndex,
    lexicons: Lexicons | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    discovered: Mapping[str, list[str]] | None = None,
) -> list[Claim]:
    """All claims of ``doc`` with confidence >= ``min_confidence``, in text order."""
    lex = {**DEFAULT_LEXICONS, **(lexicons or {})}
    sents = list(doc.sents)
    sent_starts = [s.start for s in sents]
    ctx = ClaimContext(
        doc, EntityMap(doc, index, discovered), lex, quote_regions(doc), sent_starts, sents, index.parents
    )
    ctx.emap.non_anchors = _non_anchors(ctx)
    # token attributes read once as arrays: only the tokens that can cue are made into Token objects
    pos, lemma, lower, space = (
        doc.to_array([POS, LEMMA, LOWER, IS_SPACE]).T.tolist() if len(doc) else ([], [], [], [])
    )
    ctx.line_of, ctx.lines = line_bounds(doc, space)
    ctx.sent_index = {start: k for k, start in enumerate(sent_starts)}
    strings = doc.vocab.strings
    verb_pos, noun_pos = strings["VERB"], strings["NOUN"]
    policy_nouns = {strings.add(w) for w in lex["policy_nouns"]}
    claim_nouns = {strings.add(w) for w in lex["claim_nouns"]}
    according = {strings.add("according"), strings.add("per")}
    cues: list[list[int]] = [[] for _ in sents]
    nouns: list[list[int]] = [[] for _ in sents]
    reports: list[list[int]] = [[] for _ in sents]
    accordings: list[list[int]] = [[] for _ in sents]
    k = 0
    for i in range(len(pos)):
        while k + 1 < len(sent_starts) and sent_starts[k + 1] <= i:
            k += 1
        if pos[i] == verb_pos:
            cues[k].append(i)
        elif pos[i] == noun_pos and lemma[i] in policy_nouns:
            nouns[k].append(i)
        if pos[i] == noun_pos and (lemma[i] in claim_nouns or lower[i] in claim_nouns):
            reports[k].append(i)
        if lower[i] in according:
            accordings[k].append(i)
    # labelled turns first: what a "NAME:" line or a signed paragraph says is that speaker's, like a quote
    ctx.answerer, ctx.answer_lines = answer_turns(ctx)
    labelled = {sent.start: claims_by_label(sent, ctx) or claims_of_answer(sent, ctx) for sent in sents}
    for found in labelled.values():
        for claim in found:
            span = doc.char_span(claim.content_start, claim.content_end, alignment_mode="expand")
            if span is not None:
                ctx.regions.append((span.start, span.end))
    claims: list[Claim] = []
    for k, sent in enumerate(sents):
        found = list(labelled[sent.start])
        for i in cues[k]:
            found.extend(claims_for_verb(doc[i], sent, ctx))
        if accordings[k]:
            found.extend(claims_according_to(sent, ctx, found))
        found.extend(claims_in_title(sent, ctx))
        if nouns[k]:
            found.extend(claims_of_policy_nouns(sent, ctx, [doc[i] for i in nouns[k]]))
        if reports[k]:
            found.extend(claims_of_claim_nouns(sent, ctx, [doc[i] for i in reports[k]]))
        claims.extend(found)
    return distinct_claims([c for c in claims if c.confidence >= min_confidence])
