"""Attributed claims from a parsed ``Doc``: who said or did what to whom, in which sentence.

Pure functions over a spaCy ``Doc`` whose entities carry canonical ids in ``kb_id_`` (set by the KB ruler
and the entity resolver). The ``aiwatch_claims_v1`` component in :mod:`aiwatch.extract.pipeline` calls
:func:`extract_claims` and stores the result in ``doc._.claims`` as plain dicts. Word lists live in
:mod:`aiwatch.extract.lexicons`; finding who a phrase names (subjects, pronouns, head entities) in
:mod:`aiwatch.extract.references`; judging what a reported clause asserts in :mod:`aiwatch.extract.content`.

How a claim is found, per sentence:

* a *trigger* is a verb whose lemma is in one of the lexicons (speech, accusation, denial, policy,
  announcement), or the phrase "according to X";
* the *speaker* is the verb's ``nsubj`` (inherited through ``conj``/``xcomp``/``relcl``), the ``pobj`` of
  the ``agent`` "by" in a passive, or X in "according to X"; the token must lie in an entity, name one
  through a ``compound``/``poss``/``appos``/"for/of/at" child ("a spokesperson for Anthropic"), or be a
  pronoun or a nominal ("the company", "a ministry spokesperson"), resolved to the most salient compatible
  entity before it (see :func:`aiwatch.extract.references.resolve_reference`: a name containing the noun
  first, then subjects of the same sentence, subjects of the two sentences before, other mentions there,
  nearest
  first);
* one claim per conjoined speaker ("Nvidia and AMD said"); several accused give several accusations
  ("said DeepSeek and MiniMax had copied Claude");
* the *kind* comes from the verb's lexicon; speech verbs (and "according to") look at their content (the
  ``ccomp`` clause or the quotation): a wrongdoing cue ("distilled", "smuggled", "fraudulent accounts",
  "used its outputs to train") makes an accusation against the named wrongdoer, a denial cue ("baseless",
  "we did not copy", "contains no backdoors") a denial, anything else a statement; wrongdoing by nobody
  named ("PRC-based companies are trying to distill") is skipped, as the guidelines skip accusations
  without a named accused; censure verbs ("condemned US restrictions") accuse a party named in the object;
  the speaker and its KB parent organisation are never the accused;
* *negation* (a ``neg`` child, "no"/"neither" subjects, or "declined/refused to") never yields the positive
  kind: the claim is kept as a ``statement`` with ``negated = True`` and no target, so "did not accuse" is
  on record but never counted as an accusation (the gold set does not annotate negated claims, and the
  evaluation leaves them out);
* not triggers: verbs inside quotation marks (the quote belongs to the outer speaker), verbs reported
  inside an earlier speech verb's clause ("X said it would ban Y" is X's statement, not a ban), hypothetical
  actions ("would require", "plans to ban", "policy was to deny"), bare participles ("a version, called
  R1-0528"), infinitives whose doer is another party ("asked Nvidia to explain", "summoned Nvidia to
  explain"), "saying"/"arguing" participles hanging off another trigger of the same speaker, and lines
  without final punctuation (headings, captions).

Confidence is a product of documented factors (:data:`SPEAKER_CONFIDENCE` x :data:`KIND_CONFIDENCE`);
claims under ``min_confidence`` are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from aiwatch.extract.content import ACCUSED_TYPES, classify_content, doers, topic_of, wrongdoer_in
from aiwatch.extract.kbindex import KBIndex
from aiwatch.extract.lexicons import DEFAULT_LEXICONS
from aiwatch.extract.references import (
    CLAUSE_DEPS,
    EntityMap,
    Lexicons,
    Mention,
    children_with,
    head_entity,
    in_regions,
    is_negated,
    quote_regions,
    speaker_for,
    subject_of,
)
from spacy.tokens import Doc, Span, Token

from aiwatch.config import default

# Claims scoring below this are dropped (setting ``claim_min_confidence``).
MIN_CONFIDENCE: float = default("claim_min_confidence")

SPEAKER_CONFIDENCE: dict[str, float] = {
    "entity": 1.0,  # the subject token is part of a named entity
    "according": 0.95,  # "according to X"
    "modifier": 0.85,  # an entity attached to the subject noun ("a spokesperson for X")
    "pronoun": 0.8,  # pronoun or nominal resolved in the same or the previous sentence
    "pronoun_far": 0.65,  # resolved two sentences back
}
# How the kind was decided -> confidence factor.
KIND_CONFIDENCE: dict[str, float] = {
    "verb": 0.95,  # the trigger verb's lexicon says it (accuse, deny, ban, announce)
    "statement": 0.9,  # speech verb with neutral content
    "content": 0.8,  # speech verb whose content names the wrongdoer syntactically, or a denial cue
    "content_weak": 0.65,  # wrongdoing cue without a syntactic doer; the only organisation in the content
    "negated": 0.9,
}


SPEAKER_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country"})
POLICY_SPEAKER_TYPES = frozenset({"government", "country", "person"})
ANNOUNCER_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person"})
ANNOUNCED_TYPES = frozenset({"ai_model", "chip", "policy"})


LICENCE_NOUNS = frozenset({"license", "licence", "permit", "application", "request", "approval", "waiver"})


@dataclass
class Claim:
    """One attributed claim; offsets are character offsets into the document text."""

    speaker_id: str
    verb: str
    kind: str
    target_id: str | None
    content: str
    is_quote: bool
    start_char: int
    end_char: int
    sentence: str
    sentence_start: int
    confidence: float
    topic: str | None
    negated: bool = False
    how: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def trigger_family(verb: Token, lex: Lexicons) -> str | None:
    """Which lexicon family a verb triggers (speech, accusation, denial, policy, announcement), or None."""
    lemma = verb.lemma_.lower()
    if lemma == "add":
        has_to = any(c.dep_ in ("prep", "dative") and c.lower_ == "to" for c in verb.children)
        has_obj = any(c.dep_ in ("dobj", "nsubjpass") for c in verb.children)
        return "policy" if has_to and has_obj else "speech"
    objs = children_with(verb, ("dobj", "nsubjpass", "dative"))
    if lemma == "deny":
        licence = any(o.lemma_.lower() in LICENCE_NOUNS for o in objs)
        return "policy" if licence or children_with(verb, ("dative",)) else "denial"  # "deny China the chips"
    if lemma in lex["opening_verbs"] and any(o.lemma_.lower() in lex["probe_nouns"] for o in objs):
        return "policy"  # "opened an antitrust investigation into Nvidia"
    if lemma in lex["making_verbs"] and any(o.lemma_.lower() in lex["accusation_nouns"] for o in objs):
        return "accusation"  # "made similar accusations against DeepSeek"
    if lemma == "roll" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
        return None
    if lemma == "charge" and not any(c.dep_ == "prep" and c.lower_ in ("with", "of") for c in verb.children):
        return None
    if lemma == "call" and not (
        children_with(verb, ("ccomp", "oprd"))
        or any(
            c.dep_ in ("dobj",) and any(g.dep_ in ("oprd", "acomp", "amod") for g in c.children)
            for c in verb.children
        )
        or any(c.dep_ in ("oprd", "acomp") for c in verb.children)
    ):
        return None
    for family in ("accusation", "denial", "announcement", "policy", "speech"):
        if lemma in lex[family]:
            return family
    return None


@dataclass
class _Context:
    doc: Doc
    emap: EntityMap
    lex: Lexicons
    regions: list[tuple[int, int]]
    sent_starts: list[int]
    parents: Mapping[str, str] = field(default_factory=dict)

    def own_side(self, speaker: Mention) -> set[str]:
        """The speaker and its parent organisation: never the party it accuses ("Huang" and Nvidia)."""
        return {speaker.entity_id} | (
            {self.parents[speaker.entity_id]} if speaker.entity_id in self.parents else set()
        )


def _quote_for(verb: Token, sent: Span, ctx: _Context) -> tuple[int, int] | None:
    """The quotation a speech verb introduces: a region touching the sentence, with the verb outside it."""
    best = None
    for start, end in ctx.regions:
        if start <= verb.i < end:
            return None
        touches = end >= sent.start and start < sent.end
        if touches and (best is None or abs(start - verb.i) < abs(best[0] - verb.i)):
            best = (start, end)
    return best


def _interrupts(verb: Token) -> bool:
    """A speech verb set into the clause it reports ("If controls are enforced, he argued, the US ...")."""
    return verb.dep_ == "parataxis" or (verb.dep_ == "ccomp" and verb.head.i < verb.i)


def _content_tokens(verb: Token, sent: Span, ctx: _Context) -> tuple[list[Token], bool]:
    quote = _quote_for(verb, sent, ctx)
    if quote is not None:
        return list(ctx.doc[quote[0] : quote[1]]), True
    clause = children_with(verb, ("ccomp", "parataxis"))
    if not clause and _interrupts(verb):
        # "If export controls are enforced, he argued, the United States can keep a lead": the clause the
        # speech verb interrupts is its content
        inner = {t.i for t in verb.subtree}
        return [t for t in verb.head.subtree if t.i not in inner and not t.is_punct], False
    if not clause:
        clause = [
            c
            for c in verb.children
            if c.dep_ in ("dobj", "xcomp", "advcl", "oprd", "acomp", "prep") and c.pos_ != "PUNCT"
        ]
    tokens = sorted({t for c in clause for t in c.subtree}, key=lambda t: t.i)
    return tokens, False


def _claim(
    ctx: _Context,
    sent: Span,
    verb: Token,
    speaker: Mention,
    how: str,
    kind: str,
    kind_how: str,
    target: Mention | None,
    content_tokens: list[Token],
    is_quote: bool,
    verb_text: str,
) -> Claim:
    doc = ctx.doc
    tokens = [t for t in verb.subtree if sent.start <= t.i < sent.end] + content_tokens
    tokens.append(doc[speaker.token_i] if sent.start <= speaker.token_i < sent.end else verb)
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    span = doc[start:end]
    content_span = doc[content_tokens[0].i : content_tokens[-1].i + 1] if content_tokens else span
    sent_mentions = [ctx.emap.by_token[i] for i in range(sent.start, sent.end) if i in ctx.emap.by_token]
    return Claim(
        speaker_id=speaker.entity_id,
        verb=verb_text,
        kind=kind,
        target_id=target.entity_id if target else None,
        content=content_span.text.strip(),
        is_quote=is_quote,
        start_char=span.start_char,
        end_char=span.end_char,
        sentence=sent.text.strip(),
        sentence_start=sent.start_char,
        confidence=round(SPEAKER_CONFIDENCE[how] * KIND_CONFIDENCE[kind_how], 3),
        topic=topic_of(list(sent) + content_tokens, sent_mentions, ctx.lex),
        how=[how, kind_how],
    )


def _negated(claim: Claim) -> Claim:
    """Mark a claim negated: it stays a ``statement`` without a target."""
    claim.negated = True
    claim.target_id = None
    return claim


def is_heading(sent: Span) -> bool:
    """A line without final punctuation (sub-heading, caption, dateline) carries no claim."""
    last = next((t for t in reversed(sent) if not t.is_space), None)
    return last is None or last.text not in {".", "!", "?", '"', "”", "'", "’", ")", ":"}


def is_reported(verb: Token, lex: Lexicons) -> bool:
    """True when ``verb`` sits in the clause of an earlier speech verb ("X said it would ban Y")."""
    speech = set(lex["speech"]) | set(lex["accusation"]) | {"accord"}
    child = verb
    for ancestor in verb.ancestors:
        if ancestor.lemma_.lower() in speech and ancestor.i < verb.i and child.dep_ not in ("conj", "cc"):
            return True
        child = ancestor
    return False


def is_hypothetical(verb: Token, lex: Lexicons) -> bool:
    """A modal ("would require") or a governing plan/threat ("plans to ban", "urged Commerce to restrict")."""
    if any(c.dep_ == "aux" and c.lemma_.lower() in lex["modal_aux"] for c in verb.children):
        return True
    return verb.dep_ in ("xcomp", "ccomp") and verb.head.lemma_.lower() in lex["hypothetical_heads"]


def claims_for_verb(verb: Token, sent: Span, ctx: _Context) -> list[Claim]:
    """Claims triggered by one verb (empty when it has no usable speaker or kind)."""
    lex = ctx.lex
    family = trigger_family(verb, lex)
    by_saying = verb.dep_ == "pcomp" and verb.head.lower_ == "by"  # "responded by saying ..."
    if (
        family is None
        or verb.pos_ != "VERB"
        or (verb.dep_ in ("amod", "acl", "compound", "pcomp") and not by_saying)
    ):
        return []
    if in_regions(verb.i, ctx.regions) or (is_reported(verb, lex) and not by_saying) or is_heading(sent):
        return []
    if verb.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children):
        return []  # a bare participle modifies ("a version, called R1-0528"); it reports nothing
    if verb.tag_ == "VBG" and verb.dep_ == "advcl" and trigger_family(verb.head, lex) is not None:
        return []  # "Nvidia denied any wrongdoing, saying ..." is one claim
    if verb.dep_ in ("xcomp", "ccomp") and verb.head.lemma_.lower() == "be":
        return []  # "US policy was to deny China the best chips" describes, it does not act
    base = verb  # "asked the company to list ... and to explain": judge the first conjunct's attachment
    while base.dep_ == "conj" and base.head.pos_ in ("VERB", "AUX"):
        base = base.head
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in (*verb.children, *base.children))
    if infinitive and base.dep_ == "xcomp" and children_with(base.head, ("dobj",)):
        return []  # object control: "asked Nvidia to explain" (Nvidia would explain, not the subject)
    if base.dep_ == "advcl" and infinitive:
        return []  # purpose clause: "summoned Nvidia to explain" (the doer is not the subject)
    subj, passive = subject_of(verb)
    speaker, how = speaker_for(subj, ctx.emap, ctx.sent_starts, lex)
    if speaker is None or speaker.type not in SPEAKER_TYPES or subj is None:
        return []
    claims = _claims_by(verb, sent, ctx, family, speaker, how, passive)
    # "Oracle and the Semiconductor Industry Association objected": one claim per conjoined speaker
    for conj in subj.conjuncts:
        other = ctx.emap.at(conj)
        if other is not None and other.type in SPEAKER_TYPES and other.entity_id != speaker.entity_id:
            claims.extend(_claims_by(verb, sent, ctx, family, other, "entity", passive))
    return claims


def _claims_by(
    verb: Token, sent: Span, ctx: _Context, family: str, speaker: Mention, how: str, passive: bool
) -> list[Claim]:
    """The claims of one speaker for one trigger verb."""
    lex = ctx.lex
    lemma = verb.lemma_.lower()
    exclude = ctx.own_side(speaker)
    negated = is_negated(verb)
    if family == "speech":
        content, is_quote = _content_tokens(verb, sent, ctx)
        has_clause = (
            is_quote
            or bool(children_with(verb, ("ccomp", "parataxis")))
            or _interrupts(verb)
            # "told reporters the measures targeted ...": a clause misparsed as a second object
            or (lemma == "tell" and len(children_with(verb, ("dobj", "dative"))) >= 2)
        )
        object_deps = (
            ("dobj", "oprd", "prep") if lemma == "warn" and verb.dep_ != "relcl" else ("dobj", "oprd")
        )
        if not has_clause and not (lemma in lex["object_speech"] and children_with(verb, object_deps)):
            return []  # "Google added its voice", "Lin was responding to a question"
        if negated:
            return [
                _negated(
                    _claim(
                        ctx, sent, verb, speaker, how, "statement", "negated", None, content, is_quote, lemma
                    )
                )
            ]
        kind, targets, kind_how = classify_content(
            content, ctx.emap, lex, ctx.own_side(speaker), ctx.sent_starts
        )
        if kind == "unnamed":
            return []  # wrongdoing by nobody named: not an accusation we can record, nor a plain statement
        if lemma in lex["censure"] and kind == "statement":
            # "condemned new US restrictions": censuring a named party's act accuses that party
            censured = [
                m
                for o in children_with(verb, ("dobj",))
                if (m := head_entity(o, ctx.emap, {speaker.entity_id}, ACCUSED_TYPES))
            ]
            if censured:
                kind, targets, kind_how = "accusation", censured[:1], "content"
        return [
            _claim(ctx, sent, verb, speaker, how, kind, kind_how, t, content, is_quote, lemma)
            for t in (targets or [None])
        ]
    content = [t for t in verb.subtree if t.i >= verb.i and sent.start <= t.i < sent.end]
    if negated:
        return [
            _negated(
                _claim(ctx, sent, verb, speaker, how, "statement", "negated", None, content, False, lemma)
            )
        ]
    if family in ("policy", "announcement"):
        no_aux = not any(c.dep_ in ("aux", "auxpass") for c in verb.children)
        habitual = any(
            c.dep_ == "advmod" and c.lower_ in ("always", "long", "often", "usually") for c in verb.children
        )
        if is_hypothetical(verb, lex) or (verb.tag_ == "VBN" and no_aux) or habitual:
            return []
    objects = children_with(verb, ("dobj", "dative"))
    if passive:
        objects = children_with(verb, ("nsubjpass",))
    if family == "accusation":
        targets = [m for o in objects for m in doers(o, ctx.emap, exclude, ctx.sent_starts, lex)]
        if not targets and trigger_family(verb, {**lex, "accusation": []}) != "accusation":
            targets = [
                m
                for p in children_with(verb, ("prep",))
                if p.lower_ == "against"
                for o in children_with(p, ("pobj",))
                for m in doers(o, ctx.emap, exclude, ctx.sent_starts, lex)
            ]
        if not targets and lemma == "allege":
            targets = wrongdoer_in(content, ctx.emap, lex, exclude, ctx.sent_starts)[0]
        return [
            _claim(ctx, sent, verb, speaker, how, "accusation", "verb", t, content, False, lemma)
            for t in targets
        ]
    if family == "denial":
        return _denial(verb, sent, ctx, speaker, how, objects, content, exclude)
    if family == "policy":
        if speaker.type not in POLICY_SPEAKER_TYPES:
            return []
        preps = [
            p
            for p in verb.children
            if p.dep_ in ("prep", "dative") and p.lower_ in ("to", "on", "against", "from", "into")
        ]
        if not objects and not preps:
            return []  # an action needs something acted upon ("China and Russia effectively barred")
        target = next((m for o in objects if (m := head_entity(o, ctx.emap, exclude))), None)
        for prep in preps:
            target = target or head_entity(prep, ctx.emap, exclude)
        return [_claim(ctx, sent, verb, speaker, how, "policy_action", "verb", target, content, False, lemma)]
    if speaker.type not in ANNOUNCER_TYPES:
        return []
    # "released a distilled version built on Alibaba's Qwen3" announces no Qwen3: participles excluded too
    announced = CLAUSE_DEPS | {"acl"}
    target = next(
        (m for o in objects if (m := head_entity(o, ctx.emap, exclude, ANNOUNCED_TYPES, announced))), None
    )
    announced_clause = lemma == "announce" and bool(children_with(verb, ("ccomp",)))
    if target is None and not objects and not announced_clause:
        # a misparsed object ("launched Kimi K2, an open-weight model ...") still follows the verb
        target = next(
            (
                ctx.emap.at(t)
                for t in verb.subtree
                if t.i > verb.i and ctx.emap.at(t) is not None and ctx.emap.at(t).type in ANNOUNCED_TYPES
            ),
            None,
        )
    announceable = any({o.lemma_.lower(), o.lower_} & set(lex["announceable"]) for o in objects)
    if target is None and not announceable and not announced_clause:
        return []  # "published a photo": nothing announced; "announced that ..." is an announcement
    return [_claim(ctx, sent, verb, speaker, how, "announcement", "verb", target, content, False, lemma)]


def _denial(
    verb: Token,
    sent: Span,
    ctx: _Context,
    speaker: Mention,
    how: str,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
) -> list[Claim]:
    """Denials: the object must be an accusation ("the claims", "any wrongdoing") or a clause."""
    lex = ctx.lex
    accusation_like = any(
        o.lemma_.lower() in lex["accusation_nouns"] or o.lemma_.lower() == "wrongdoing" for o in objects
    )
    if not (accusation_like or children_with(verb, ("ccomp",)) or verb.lemma_.lower() == "deny"):
        return []
    target = None
    for obj in objects:
        for child in obj.children:
            if child.dep_ == "poss" or (child.dep_ == "prep" and child.lower_ in ("by", "from")):
                target = target or head_entity(child, ctx.emap, exclude, SPEAKER_TYPES)
    return [
        _claim(ctx, sent, verb, speaker, how, "denial", "verb", target, content, False, verb.lemma_.lower())
    ]


def claims_according_to(sent: Span, ctx: _Context) -> list[Claim]:
    """Claims of the form "According to X, ..." (X is the speaker; the rest of the sentence the content)."""
    out = []
    for tok in sent:
        if tok.lower_ != "according" or tok.i + 1 >= sent.end or ctx.doc[tok.i + 1].lower_ != "to":
            continue
        if in_regions(tok.i, ctx.regions):
            continue
        pobj = next((c for c in ctx.doc[tok.i + 1].children if c.dep_ == "pobj"), None)
        speaker, how = speaker_for(pobj, ctx.emap, ctx.sent_starts, ctx.lex)
        if speaker is None or speaker.type not in SPEAKER_TYPES or is_heading(sent):
            continue
        phrase = {t.i for t in tok.subtree}
        content = [
            t for t in sent if t.i not in phrase and not (t.is_punct and t.i in (sent.start, sent.end - 1))
        ]
        kind, targets, kind_how = classify_content(
            content, ctx.emap, ctx.lex, ctx.own_side(speaker), ctx.sent_starts
        )
        if kind == "unnamed":
            continue
        how = "according" if how == "entity" else how
        out.extend(
            _claim(ctx, sent, tok, speaker, how, kind, kind_how, t, content, False, "according to")
            for t in (targets or [None])
        )
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
    sent_starts = [s.start for s in doc.sents]
    ctx = _Context(
        doc, EntityMap(doc, index, discovered), lex, quote_regions(doc), sent_starts, index.parents
    )
    claims: list[Claim] = []
    for sent in doc.sents:
        for tok in sent:
            if tok.pos_ == "VERB":
                claims.extend(claims_for_verb(tok, sent, ctx))
        claims.extend(claims_according_to(sent, ctx))
    return [c for c in claims if c.confidence >= min_confidence]
