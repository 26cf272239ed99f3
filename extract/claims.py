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

Confidence is a product of documented factors (:data:`SPEAKER_CONFIDENCE` x :data:`KIND_CONFIDENCE`);
claims under ``min_confidence`` are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aiwatch.extract.content import (
    ACCUSED_TYPES,
    GROUP,
    classify_content,
    doers,
    is_wrongdoing_cue,
    topic_counts,
    topic_from,
    wrongdoer_in,
)
from aiwatch.extract.cues import (
    FINAL_MARKS,
    REPORTING,
    calls_for,
    content_tokens,
    heading_blocks,
    interrupts,
    is_heading,
    is_hypothetical,
    is_reported,
    is_title_case,
    own_participle,
    reporting_head,
    trigger_family,
)
from aiwatch.extract.headlines import title_cue
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
    subject_of,
)
from aiwatch.extract.speakers import Speaker, entity_tokens, is_outlet, phrase_tokens, speaker_of
from spacy.attrs import IS_SPACE, LEMMA, LOWER, POS
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
# Speaker kinds that can only report (say, find, show), never act (ban, accuse by verb, announce).
REPORTING_ONLY_KINDS = frozenset({"document", "outlet", "anonymous"})
# Unnamed actors a policy action can have: "the regulator summoned", "authorities banned".
GOVERNMENT_HEADS = frozenset(
    {
        "regulator", "regulators", "watchdog", "authorities", "authority", "agency", "ministry", "department",
        "administration", "government", "bureau", "commission", "committee", "prosecutors", "prosecutor",
        "court", "judge", "customs", "police", "officials", "lawmakers", "congress", "senate", "house",
        "cabinet", "council", "office", "embassy", "legislature", "parliament", "regime",
    }
)


# How far below a policy verb's object the entity acted upon may sit, and clauses it may not sit in.
POLICY_TARGET_DEPTH = 4
POLICY_CLAUSE_DEPS = CLAUSE_DEPS | {"appos", "parataxis"}


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
class _Context:
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
        before = child.dep_ in CORE_MODIFIERS and child.i < token.i
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


def _claim(
    ctx: _Context,
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
    """Which detector found the cue: a verb family, "according", "noun", "label" or "heading"."""
    if verb_text == "according to":
        return "according"
    if not cue[0].is_alpha:
        return "label"
    if is_heading(sent):
        return "heading"
    if cue[0].pos_ == "NOUN":
        return "noun"
    return trigger_family(cue[0], lex) or "verb"


def _negated(claim: Claim) -> Claim:
    """Mark a claim negated: it stays a ``statement`` without a target."""
    claim.negated = True
    claim.target_id = claim.target_text = None
    return claim


def _via(verb: Token, lex: Lexicons, emap: EntityMap) -> tuple[str | None, str] | None:
    """The outlet a speaker spoke through: "told Reuters", "said in an interview with the FT"."""
    candidates = list(children_with(verb, ("dative", "dobj")))
    for prep in children_with(verb, ("prep",)):
        for pobj in children_with(prep, ("pobj",)):
            if prep.lower_ == "to":
                candidates.append(pobj)  # "said to Bloomberg"
            for inner in children_with(pobj, ("prep",)):
                if inner.lower_ in ("with", "to", "on", "by"):
                    candidates.extend(children_with(inner, ("pobj",)))  # "in an interview with the FT"
    for cand in candidates:
        start, end = phrase_tokens(cand)
        text = verb.doc[start:end].text
        if is_outlet(text, lex):
            mention = emap.at(cand)
            return (mention.entity_id if mention else None), text
    return None


def inverted_speaker(verb: Token, ctx: _Context) -> Token | None:
    """The speaker after a subjectless speech verb that the parser hung on a title ("..., said Under
    Secretary of Commerce Alan Estevez"): the first person named in the verb's right subtree."""
    for tok in verb.rights:
        if tok.dep_ not in ("prep", "npadvmod", "attr", "dobj", "appos"):
            continue
        for inner in tok.subtree:
            mention = ctx.emap.at(inner)
            if mention is not None and mention.type == "person":
                return verb.doc[mention.token_i]
    return None


CLIMB_DEPS = frozenset({"pobj", "prep", "compound", "poss", "nmod", "amod", "case"})


def stranded_subject(verb: Token) -> Token | None:
    """The noun phrase right before a subjectless speech verb that the parser attached elsewhere ("..., a
    spokesperson for China's Ministry of Commerce (MOFCOM) said ..." with the spokesperson read as an
    apposition of an earlier noun): the head of that phrase, climbed from its last word."""
    doc = verb.doc
    i = verb.i - 1
    while i >= verb.sent.start and (doc[i].is_punct or doc[i].pos_ == "ADV"):
        i -= 1
    if i < verb.sent.start or doc[i].pos_ not in ("NOUN", "PROPN"):
        return None
    tok = doc[i]
    while tok.head.i < verb.i and tok.head.i != tok.i:
        parenthetical = tok.dep_ == "appos" and tok.pos_ == "PROPN"
        if tok.dep_ not in CLIMB_DEPS and not parenthetical:
            break
        tok = tok.head
    if tok.pos_ not in ("NOUN", "PROPN") or tok.head.i == verb.i:
        return None
    return tok


def _subject_ok(verb: Token, ctx: _Context) -> tuple[Speaker | None, Token | None, bool]:
    subj, passive = subject_of(verb)
    if subj is None and not passive and verb.lemma_.lower() in ctx.lex["speaking_verbs"]:
        subj = inverted_speaker(verb, ctx) or stranded_subject(verb)
    speaking = verb.lemma_.lower() in ctx.lex["speaking_verbs"] and not passive and subj is not None
    speaker = ctx.speaker(subj, speaking)
    return speaker, subj, passive


def claims_for_verb(verb: Token, sent: Span, ctx: _Context) -> list[Claim]:
    """Claims cued by one verb (empty when it has no usable speaker or kind)."""
    lex = ctx.lex
    family = ctx.family(verb)
    by_saying = verb.dep_ == "pcomp" and verb.head.lower_ == "by"  # "responded by saying ..."
    participle = own_participle(verb, lex)
    if (
        family is None
        or verb.pos_ != "VERB"
        or (verb.dep_ in ("amod", "acl", "compound", "pcomp") and not by_saying)
    ):
        return []
    reported = is_reported(verb, lex) and not by_saying
    if reported and family in REPORTING and relay_of(verb, ctx) is not None:
        reported = False  # relayed by an outlet: the inner speaker's own claim
    in_speech = reported and family == "policy" and verb.dep_ in ("ccomp", "conj", "relcl")
    if in_speech:
        # "Nvidia said the US government informed it that the H20 would require a licence": the act is
        # reported, but it is the government's act (a future one only per :func:`_self_announced`)
        reported = False
    if in_regions(verb.i, ctx.regions) or reported or heading_blocks(sent, verb):
        return []
    if verb.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children):
        return []  # a bare participle modifies ("a version, called R1-0528"); it reports nothing
    # "Nvidia denied any wrongdoing, saying ..." is one claim; after an act ("suspended downloads, saying
    # ...") or a non-cue verb ("attacked Clinton, saying ...") the participle reports on its own
    merged = ctx.family(verb.head) in REPORTING | {"accusation", "denial"}
    if verb.tag_ == "VBG" and verb.dep_ == "advcl" and not participle and merged:
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
    speaker, subj, passive = _subject_ok(verb, ctx)
    if speaker is None or subj is None:
        return []
    if speaker.kind == "document" and speaker.entity_id is None:
        _author_from_outer_cue(speaker, verb, ctx)
    if family in REPORTING and relayed_speech(verb, ctx) is not None:
        return []  # "Bloomberg reported that OpenAI said ...": the outlet is the channel of OpenAI's claim
    members = _members(subj, ctx.emap, lex) if speaker.entity_id is None else []
    if members:
        # "several agencies, such as NASA and the Navy, have banned ...": each named member acts
        claims = [c for m in members for c in _claims_by(verb, sent, ctx, family, m, passive)]
    else:
        claims = _claims_by(verb, sent, ctx, family, speaker, passive)
    # "Oracle and the Semiconductor Industry Association objected": one claim per conjoined speaker
    for conj in subj.conjuncts:
        other = ctx.speaker(conj)
        if other is not None and other.entity_id and other.entity_id != speaker.entity_id:
            claims.extend(_claims_by(verb, sent, ctx, family, other, passive))
    if in_speech:
        for claim in claims:
            claim.how.append(IN_SPEECH)
    via = _via(verb, lex, ctx.emap)
    relay = relay_of(verb, ctx) if family in REPORTING else None
    if relay is not None:
        via = (relay.entity_id, relay.text)
    if via is not None:
        for claim in claims:
            claim.via_id, claim.via_text = via
    return claims


def _author_from_outer_cue(speaker: Speaker, verb: Token, ctx: _Context) -> None:
    """ "SAMR announced that a preliminary investigation found ...": the document is the announcer's."""
    child = verb
    for ancestor in verb.ancestors:
        if child.dep_ not in ("ccomp", "conj") or ancestor.i > verb.i:
            return
        if ctx.family(ancestor) in REPORTING | {"announcement"}:
            outer = ctx.speaker(subject_of(ancestor)[0])
            if outer is not None and outer.entity_id is not None and outer.kind != "outlet":
                speaker.entity_id, speaker.type, speaker.how = outer.entity_id, outer.type, "modifier"
            return
        child = ancestor


def _relay_speaker(verb: Token, ctx: _Context) -> Speaker | None:
    """The speaker of a reporting verb when it is an outlet relaying others ("Bloomberg reported")."""
    subj, _ = subject_of(verb)
    speaker = ctx.speaker(subj)
    if speaker is None:
        return None
    if speaker.kind == "outlet":
        return speaker
    # "PANews reported that ...": an organisation outside the KB whose verb is "report" acts as an outlet
    if verb.lemma_.lower() == "report" and speaker.type == "organization" and speaker.how == "entity":
        return speaker
    return None


def relay_of(verb: Token, ctx: _Context) -> Speaker | None:
    """The outlet whose report carries this speech verb ("Bloomberg reported that OpenAI said"), if any."""
    child = verb
    for ancestor in verb.ancestors:
        if child.dep_ not in ("ccomp", "conj"):
            return None
        if ctx.family(ancestor) in REPORTING:
            return _relay_speaker(ancestor, ctx)
        child = ancestor
    return None


def relayed_speech(verb: Token, ctx: _Context) -> Token | None:
    """A speech verb with its own speaker inside an outlet's report ("Bloomberg reported that OpenAI
    said ..."): the outlet then makes no claim of its own."""
    if _relay_speaker(verb, ctx) is None:
        return None
    for clause in children_with(verb, ("ccomp",)):
        for node in (clause, *[c for c in clause.children if c.dep_ == "conj"]):
            if ctx.family(node) in REPORTING and subject_of(node)[0] is not None:
                inner = ctx.speaker(subject_of(node)[0])
                if inner is not None and inner.kind != "outlet":
                    return node
    return None


def _members(subj: Token, emap: EntityMap, lex: Lexicons) -> list[Speaker]:
    """Named members of a group subject: "agencies such as NASA and the Navy", "firms including X"."""
    out = []
    for prep in subj.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("as", "like", "including"):
            continue
        for pobj in children_with(prep, ("pobj",)):
            for tok in (pobj, *pobj.conjuncts):
                member = speaker_of(tok, emap, [], lex) if emap.at(tok) is not None else None
                if member is not None and member.entity_id:
                    out.append(member)
    return out


def naming_accusation(
    verb: Token, emap: EntityMap, lex: Lexicons, exclude: set[str], sent_starts: list[int]
) -> list[Mention] | None:
    """ "called DeepSeek a weapon built to spy", "described the conduct as free-riding": naming something a
    wrongdoing accuses what is named (its entity or group, else nobody named); None when the name is no
    wrongdoing."""
    objects = children_with(verb, ("dobj",))
    predicate = [
        t
        for c in verb.children
        if c.dep_ in ("oprd", "xcomp", "acomp") or (c.dep_ == "prep" and c.lower_ == "as")
        for t in c.subtree
    ]
    named_as = ("oprd", "attr", "appos", "acl")
    predicate += [t for o in objects for c in o.children if c.dep_ in named_as for t in c.subtree]
    if not any(is_wrongdoing_cue(t, lex) for t in predicate):
        return None
    return [m for o in objects for m in doers(o, emap, exclude, sent_starts, lex)]


def _has_clause(verb: Token, family: str, is_quote: bool, lex: Lexicons) -> bool:
    """A reporting cue needs something reported: a clause, a quotation or (for some verbs) an object."""
    lemma = verb.lemma_.lower()
    if is_quote or children_with(verb, ("ccomp", "parataxis")) or interrupts(verb):
        return True
    if lemma == "tell" and len(children_with(verb, ("dobj", "dative"))) >= 2:
        return True  # "told reporters the measures targeted ...": a clause misparsed as a second object
    if calls_for(verb):
        return True
    if lemma in ("tell", "urge", "warn", "advise", "instruct") and children_with(verb, ("xcomp",)):
        return True  # "told his advisers to find a way", "urged Congress to act"
    if family == "cognition":
        return lemma in lex["wish_verbs"] and any(
            c.dep_ == "xcomp" or (c.dep_ == "dobj" and children_with(c, ("xcomp",)))
            for c in verb.children
        ) or bool(children_with(verb, ("xcomp",)) and lemma in lex["wish_verbs"])
    if family == "evidence":
        return bool(children_with(verb, ("dobj",))) and lemma in ("find", "show", "reveal")
    object_deps = ("dobj", "oprd", "prep") if lemma == "warn" and verb.dep_ != "relcl" else ("dobj", "oprd")
    return lemma in lex["object_speech"] and bool(children_with(verb, object_deps))


def _claims_by(
    verb: Token, sent: Span, ctx: _Context, family: str, speaker: Speaker, passive: bool
) -> list[Claim]:
    """The claims of one speaker for one cue verb."""
    lex = ctx.lex
    lemma = verb.lemma_.lower()
    exclude = ctx.own_side(speaker)
    negated = is_negated(verb)
    cue = [verb] + [c for c in verb.children if c.dep_ == "prt"]
    if family in REPORTING:
        content, is_quote = content_tokens(verb, sent, ctx.regions, ctx.next_sentence(sent))
        if not _has_clause(verb, family, is_quote, lex):
            return []  # "Google added its voice", "Lin was responding to a question"
        if negated:
            claim = _claim(ctx, sent, cue, speaker, "statement", "negated", None, content, is_quote, lemma)
            return [_negated(claim)]
        kind, targets, kind_how = classify_content(content, ctx.emap, lex, exclude, ctx.sent_starts)
        if lemma in lex["censure"] and kind == "statement":
            # "condemned new US restrictions": censuring a named party's act accuses that party
            censured = [
                m
                for o in children_with(verb, ("dobj",))
                if (m := head_entity(o, ctx.emap, exclude, ACCUSED_TYPES))
            ]
            if censured:
                kind, targets, kind_how = "accusation", censured[:1], "content"
        if lemma in lex["naming_verbs"] and kind in ("statement", "unnamed"):
            named = naming_accusation(verb, ctx.emap, lex, exclude, ctx.sent_starts)
            if named is not None:
                kind, targets, kind_how = "accusation", named, "content"
        if kind == "unnamed":
            kind, targets, kind_how = "accusation", [], "content_weak"  # wrongdoing, doer not named
        if speaker.kind == "outlet" and kind == "accusation":
            kind, targets, kind_how = "statement", [], "statement"  # an outlet reports; it does not accuse
        return [
            _claim(ctx, sent, cue, speaker, kind, kind_how, t, content, is_quote, lemma)
            for t in (targets or [None])
        ]
    content = [t for t in verb.subtree if t.i >= verb.i and sent.start <= t.i < sent.end]
    if negated:
        claim = _claim(ctx, sent, cue, speaker, "statement", "negated", None, content, False, lemma)
        return [_negated(claim)]
    if speaker.kind in REPORTING_ONLY_KINDS:
        return []  # a report does not ban, an outlet does not accuse by verb
    if family in ("policy", "announcement"):
        if verb.tag_ == "VBG" and verb.dep_ in ("advcl", "xcomp"):
            return []  # "imposed curbs, effectively blocking sales": a consequence, not a second act
        no_aux = not any(c.dep_ in ("aux", "auxpass") for c in verb.children)
        habitual = any(
            c.dep_ == "advmod" and c.lower_ in ("always", "long", "often", "usually") for c in verb.children
        )
        hypothetical = is_hypothetical(verb, lex) and not _self_announced(verb, speaker, ctx)
        if hypothetical or (verb.tag_ == "VBN" and no_aux) or habitual:
            return []
    objects = children_with(verb, ("dobj", "dative"))
    if passive:
        objects = children_with(verb, ("nsubjpass",))
    if family == "accusation":
        return _accusation(verb, sent, ctx, speaker, objects, content, exclude, cue)
    if family == "denial":
        return _denial(verb, sent, ctx, speaker, objects, content, exclude, cue)
    if family == "policy":
        return _policy(verb, sent, ctx, speaker, objects, content, exclude, cue)
    return _announcement(verb, sent, ctx, speaker, objects, content, exclude, cue)


def _self_announced(verb: Token, speaker: Speaker, ctx: _Context) -> bool:
    """A future act reported by its own actor or told by it to the party concerned ("Commerce said it would
    require licences", "the government informed Nvidia that the H20 would require a licence"): announced
    policy, not speculation. Only "will"/"would", never "may" or "could", and never under a plan verb."""
    if verb.dep_ in ("xcomp",) or verb.head.lemma_.lower() in ctx.lex["hypothetical_heads"]:
        return False
    modals = {c.lower_ for c in verb.children if c.dep_ == "aux" and c.tag_ == "MD"}
    if not modals or not modals <= {"will", "would", "'ll", "wo"}:
        return False
    head = reporting_head(verb, ctx.lex)
    if head is None or speaker.entity_id is None:
        return False
    outer, _ = subject_of(head)
    teller = ctx.speaker(outer, True) if outer is not None else None
    return teller is not None and teller.entity_id in ctx.own_side(speaker) | {speaker.entity_id}


def _accusation(
    verb: Token,
    sent: Span,
    ctx: _Context,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
) -> list[Claim]:
    lex = ctx.lex
    lemma = verb.lemma_.lower()
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
    if not targets and lemma in ("accuse", "charge", "blame"):
        targets = accused_before_charge(verb, ctx.emap, exclude)
    if not targets and speaker.entity_id is None:
        return []  # neither side named: nothing a reader could check
    return [
        _claim(ctx, sent, cue, speaker, "accusation", "verb", t, content, False, lemma)
        for t in (targets or [None])
    ]


def accused_before_charge(verb: Token, emap: EntityMap, exclude: set[str]) -> list[Mention]:
    """A misparsed object ("accused Chinese startup DeepSeek of ..."): the named parties between the verb
    and its "of"/"with"/"for", read on the surface."""
    out: list[Mention] = []
    for tok in verb.doc[verb.i + 1 : min(verb.i + 12, verb.sent.end)]:
        if tok.lower_ in ("of", "with", "for", "over") or tok.is_punct and tok.text not in (",", "—", "–"):
            return out if tok.lower_ in ("of", "with", "for", "over") else []
        mention = emap.at(tok)
        usable = mention is not None and mention.type in ACCUSED_TYPES and mention.entity_id not in exclude
        if usable and all(m.entity_id != mention.entity_id for m in out):
            out.append(mention)
    return []


def _denial(
    verb: Token,
    sent: Span,
    ctx: _Context,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
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
    return [_claim(ctx, sent, cue, speaker, "denial", "verb", target, content, False, verb.lemma_.lower())]


def _policy_actor(speaker: Speaker, ctx: _Context) -> bool:
    """A policy action needs a governmental actor: a government entity, a country or person, or an unnamed
    agency ("the regulator", "authorities", "Chinese regulators")."""
    if speaker.entity_id is not None:
        return speaker.type in POLICY_SPEAKER_TYPES
    head = ctx.doc[speaker.token_i]
    return head.lower_ in GOVERNMENT_HEADS or head.lemma_.lower() in GOVERNMENT_HEADS


def _policy(
    verb: Token,
    sent: Span,
    ctx: _Context,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
) -> list[Claim]:
    if not _policy_actor(speaker, ctx):
        return []
    preps = [
        p
        for p in verb.children
        if p.dep_ in ("prep", "dative") and p.lower_ in ("to", "on", "against", "from", "into")
    ]
    if not objects and not preps:
        return []  # an action needs something acted upon ("China and Russia effectively barred")
    lemma = verb.lemma_.lower()
    listing = lemma == "add" or any(o.lower_ in ("list",) for p in preps for o in children_with(p, ("pobj",)))
    target = None
    # "restricted exports of the H20 to China" reaches the H20 (two arcs); an entity buried deeper ("a licence
    # requirement for the export of products to a D5 country (including Hong Kong)") is not the one acted on
    deep = POLICY_CLAUSE_DEPS
    for obj in objects:
        target = target or head_entity(obj, ctx.emap, exclude, None, deep, POLICY_TARGET_DEPTH)
        if target is not None and target.type == "policy" and listing:
            target = None  # "added X to the Entity List": X is acted upon, not the list
        if target is None and listing and obj.pos_ == "NOUN" and obj.lemma_.lower() not in ("entity",):
            target = _group_object(obj)
    for prep in preps:
        if listing and prep.lower_ == "to":
            continue  # the list itself
        target = target or head_entity(prep, ctx.emap, exclude, None, deep, POLICY_TARGET_DEPTH)
    claim = _claim(ctx, sent, cue, speaker, "policy_action", "verb", target, content, False, lemma)
    return [claim]


def _group_object(obj: Token) -> Mention | None:
    """"added 80 entities to the Entity List": the listed parties as a group named by its text."""
    if obj.tag_ in ("NNS", "NNPS") and any(c.dep_ in ("nummod", "amod") for c in obj.children):
        return Mention("", GROUP, obj.i, obj.lower_)
    return None


def _announcement(
    verb: Token,
    sent: Span,
    ctx: _Context,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
) -> list[Claim]:
    lex = ctx.lex
    if speaker.entity_id is not None and speaker.type not in ANNOUNCER_TYPES:
        return []
    if speaker.entity_id is None and speaker.kind not in ("entity", "group", "role"):
        return []
    lemma = verb.lemma_.lower()
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
    return [_claim(ctx, sent, cue, speaker, "announcement", "verb", target, content, False, lemma)]


def claims_according_to(sent: Span, ctx: _Context, inner: list[Claim]) -> list[Claim]:
    """Claims of the form "According to X, ..." (X is the speaker; the rest of the sentence the content).
    When the rest holds a claim of its own ("According to the WSJ, Anthropic claimed ..."), X is that
    claim's channel instead and makes no claim."""
    out = []
    doc = ctx.doc
    for tok in sent:
        if tok.lower_ != "according" or tok.i + 1 >= sent.end or doc[tok.i + 1].lower_ != "to":
            continue
        if in_regions(tok.i, ctx.regions) or is_heading(sent):
            continue
        pobj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
        if pobj is None:
            # a misparsed source ("according to show insiders"): the last noun before the punctuation
            after = []
            for t in doc[tok.i + 2 : min(tok.i + 8, sent.end)]:
                if t.is_punct:
                    break
                after.append(t)
            pobj = next((t for t in reversed(after) if t.pos_ in ("NOUN", "PROPN")), None)
        speaker = ctx.speaker(pobj, speaking=True)
        if speaker is None:
            continue
        phrase = {t.i for t in tok.subtree}
        relayed = [
            c for c in inner if not c.negated and c.cue_start not in {doc[i].idx for i in phrase}
            and c.speaker_start is not None and not (speaker.start <= c.speaker_start < speaker.end)
        ]
        if relayed:
            for claim in relayed:
                claim.via_id, claim.via_text = speaker.entity_id, speaker.text
            continue
        content = [
            t for t in sent if t.i not in phrase and not (t.is_punct and t.i in (sent.start, sent.end - 1))
        ]
        kind, targets, kind_how = classify_content(
            content, ctx.emap, ctx.lex, ctx.own_side(speaker), ctx.sent_starts
        )
        if kind == "unnamed":
            kind, targets, kind_how = "accusation", [], "content_weak"
        if speaker.kind == "outlet" and kind == "accusation":
            kind, targets, kind_how = "statement", [], "statement"
        if speaker.how == "entity":
            speaker.how = "according"
        cue = [tok, doc[tok.i + 1]]
        out.extend(
            _claim(ctx, sent, cue, speaker, kind, kind_how, t, content, False, "according to")
            for t in (targets or [None])
        )
    return out


LABEL_STOP = frozenset(
    {
        "update", "updates", "photo", "photos", "image", "read", "watch", "related", "source", "sources",
        "note", "correction", "video", "also", "see", "listen", "more", "caption", "credit", "file", "editor",
        "q", "a", "question", "answer", "tags", "topics", "share", "by", "warning", "disclaimer", "summary",
        "background", "context", "analysis", "opinion", "exclusive", "breaking", "live", "explainer", "why",
        "what", "how", "when", "who", "where",
    }
)
DASHES = frozenset({"―", "—", "–", "--"})


def line_bounds(doc: Doc, is_space: list[int]) -> tuple[list[int], list[tuple[int, int]]]:
    """The line of each token and each line's token range [start, end): a space token holding a line
    break ends a line (spaCy keeps line breaks in space tokens)."""
    line_of: list[int] = []
    bounds: list[tuple[int, int]] = []
    start = 0
    for i, space in enumerate(is_space):
        line_of.append(len(bounds))
        if space and "\n" in doc[i].text:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(is_space):
        bounds.append((start, len(is_space)))
    return line_of, bounds


def _is_name_label(tokens: Span, ctx: _Context) -> bool:
    words = [t for t in tokens if not t.is_space]
    if not 1 <= len(words) <= 4 or any(t.lower_ in LABEL_STOP for t in words):
        return False
    return all(
        ctx.emap.at(t) is not None or t.pos_ == "PROPN" or (t.is_upper and t.is_alpha and len(t) > 1)
        or t.lower_ in ("'s", "’s", ".")
        for t in words
    )


def claims_by_label(sent: Span, ctx: _Context) -> list[Claim]:
    """Transcript and headline labels: "PENCE: Well, look ..." or "Pence: X won't be at the debate" (the
    name before a colon opening a line speaks the rest of the line), and a paragraph signed with a dash
    ("... ― Jane Doe")."""
    doc = ctx.doc
    begin, end = ctx.lines[ctx.line_of[sent.start]]
    if begin == sent.start:
        first = sent.start + 1 if doc[sent.start].is_quote else sent.start
        colon = next((t for t in doc[first : min(first + 6, sent.end)] if t.text == ":"), None)
        if colon is not None and colon.i > first and _is_name_label(doc[first : colon.i], ctx):
            content = [t for t in doc[colon.i + 1 : end] if not t.is_space]
            return _label_claim(sent, ctx, [colon], doc[first : colon.i].root, content)
    if end > sent.end + 1 or not any(t.text in DASHES for t in doc[max(begin, end - 7) : end]):
        return []  # a signature closes its line: the claim is made once, on the line's last sentence
    line = [t for t in doc[begin:end] if not t.is_space]
    dash = next((t for t in reversed(line[-6:]) if t.text in DASHES), None)
    if dash is None or dash.i == line[0].i or not _is_name_label(doc[dash.i + 1 : line[-1].i + 1], ctx):
        return []
    content = [t for t in doc[line[0].i : dash.i] if not t.is_space]
    head = doc[dash.i + 1 : line[-1].i + 1].root
    return _label_claim(sent, ctx, [dash], head, content)


ANSWER_LABELS = frozenset({"a", "answer"})
TURN_LABELS = ANSWER_LABELS | {"q", "question"}
ANSWERING_VERBS = frozenset({"answer", "respond", "take", "field", "reply"})


def _turn_label(line: tuple[int, int], doc: Doc) -> tuple[str, Token] | None:
    """The label word and colon of a line opening a transcript turn ("A: ...", "Question: ...")."""
    words = [t for t in doc[line[0] : min(line[1], line[0] + 4)] if not t.is_space]
    if len(words) >= 2 and words[0].lower_ in TURN_LABELS and words[1].text == ":":
        return words[0].lower_, words[1]
    return None


def answer_turns(ctx: _Context) -> tuple[Speaker | None, dict[int, Token]]:
    """The answerer of a question-and-answer transcript and its lines (line index -> the colon of the turn's
    "A:" label). The answerer is named where the text says who took the questions ("The spokesperson of the
    Ministry of Commerce answered reporters' questions ...") before the first answer; a turn runs from its
    "A:" line over the following paragraphs up to the next question or heading line. Nothing when the text
    is no such transcript or never says who answers."""
    doc = ctx.doc
    labels = [_turn_label(line, doc) for line in ctx.lines]
    first = next((k for k, label in enumerate(labels) if label and label[0] in ANSWER_LABELS), None)
    if first is None:
        return None, {}
    answerer = None
    for tok in doc[: ctx.lines[first][0]]:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in ANSWERING_VERBS:
            continue
        objects = [
            o for c in tok.children for o in ([c] if c.dep_ == "dobj" else children_with(c, ("pobj",)))
        ]
        subject, passive = subject_of(tok)
        if any(o.lemma_.lower() == "question" for o in objects) and subject is not None and not passive:
            answerer = ctx.speaker(subject, True)
            break
    if answerer is None:
        return None, {}
    lines: dict[int, Token] = {}
    colon: Token | None = None
    for k in range(first, len(ctx.lines)):
        label = labels[k]
        start, end = ctx.lines[k]
        words = [t for t in doc[start:end] if not t.is_space]
        if label is not None:
            colon = label[1] if label[0] in ANSWER_LABELS else None
        elif words and words[-1].text not in FINAL_MARKS:
            colon = None  # a heading or a page footer ends the turn
        if colon is not None and words:
            lines[k] = colon
    return answerer, lines


def claims_of_answer(sent: Span, ctx: _Context) -> list[Claim]:
    """Each sentence of an "A:" turn is the answerer's claim, classified on its own words."""
    colon = ctx.answer_lines.get(ctx.line_of[sent.start])
    if ctx.answerer is None or colon is None or sent.end <= colon.i:
        return []
    content = [t for t in ctx.doc[max(sent.start, colon.i + 1) : sent.end] if not t.is_space]
    return _label_claim(sent, ctx, [colon], None, content, ctx.answerer)


def _label_claim(
    sent: Span,
    ctx: _Context,
    cue: list[Token],
    head: Token | None,
    content: list[Token],
    speaker: Speaker | None = None,
) -> list[Claim]:
    words = [t for t in content if not t.is_punct]
    if len(words) < 3:
        return []
    if speaker is None and head is not None:
        speaker = speaker_of(head, ctx.emap, ctx.sent_starts, ctx.lex, speaking=True)
    if speaker is None:
        return []
    own = ctx.own_side(speaker)
    kind, targets, kind_how = classify_content(content, ctx.emap, ctx.lex, own, ctx.sent_starts)
    if kind == "unnamed":
        kind, targets, kind_how = "accusation", [], "content_weak"  # wrongdoing, doer not named
    quoted = any(in_regions(t.i, ctx.regions) for t in content[:2])
    return [
        _claim(ctx, sent, cue, speaker, kind, kind_how, t, content, quoted, cue[0].text)
        for t in (targets or [None])
    ]


def claims_of_claim_nouns(sent: Span, ctx: _Context, candidates: list[Token]) -> list[Claim]:
    """Nominal reports with their owner and a "that" clause: "Trump's claim that there were thousands of
    shootings", "OpenAI's allegation that DeepSeek copied its models", "a warning from the ministry that
    ..."."""
    out: list[Claim] = []
    for noun in candidates:
        if in_regions(noun.i, ctx.regions) or heading_blocks(sent, noun):
            continue
        clause = next(
            (
                c
                for c in noun.children
                if c.dep_ in ("acl", "ccomp", "appos")
                and c.pos_ in ("VERB", "AUX")
                and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
            ),
            None,
        )
        if clause is None:
            continue
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if owner is None:
            owner = next(
                (
                    o
                    for p in noun.children
                    if p.dep_ == "prep" and p.lower_ in ("by", "from")
                    for o in children_with(p, ("pobj",))
                ),
                None,
            )
        speaker = ctx.speaker(owner, speaking=True)
        if speaker is None:
            continue
        content = [t for t in clause.subtree if t.dep_ != "mark" or t.head.i != clause.i]
        own = ctx.own_side(speaker)
        kind, targets, kind_how = classify_content(content, ctx.emap, ctx.lex, own, ctx.sent_starts)
        if kind == "unnamed":
            kind, targets, kind_how = "accusation", [], "content_weak"
        if speaker.kind == "outlet" and kind == "accusation":
            continue
        quoted = any(in_regions(t.i, ctx.regions) for t in content)
        lemma = noun.lemma_.lower()
        out.extend(
            _claim(ctx, sent, [noun], speaker, kind, kind_how, t, content, quoted, lemma)
            for t in (targets or [None])
        )
    return out


HYPOTHETICAL_MODIFIERS = frozenset(
    {"proposed", "possible", "potential", "planned", "threatened", "future", "mooted", "draft", "looming"}
)


def claims_of_policy_nouns(sent: Span, ctx: _Context, candidates: list[Token] | None = None) -> list[Claim]:
    """Nominal policy actions with a named actor: "the Commerce Department's ban on H20 sales", "White House
    curbs on memory chips", "restrictions imposed by the bureau". The actor must be a government body or
    official named in the phrase; a country ("US sanctions") is not an agency, and a proposal is no act."""
    out: list[Claim] = []
    doc, lex = ctx.doc, ctx.lex
    for noun in sent if candidates is None else candidates:
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in lex["policy_nouns"]:
            continue
        if in_regions(noun.i, ctx.regions) or heading_blocks(sent, noun):
            continue
        if noun.head.pos_ == "VERB" and ctx.family(noun.head) == "policy":
            continue  # "imposed restrictions on ...": the verb's claim already
        if any(c.lower_ in HYPOTHETICAL_MODIFIERS for c in noun.children):
            continue
        actor = None
        for child in noun.children:
            if child.dep_ in ("poss", "compound") and ctx.emap.at(child) is not None:
                actor = actor or ctx.emap.at(child)
            if child.dep_ == "acl" and child.tag_ == "VBN":
                for agent in children_with(child, ("agent",)):
                    for pobj in children_with(agent, ("pobj",)):
                        actor = actor or ctx.emap.at(pobj)
        if actor is None or actor.type not in ("government", "person"):
            continue
        start, end = entity_tokens(doc[actor.token_i], ctx.emap)
        kind = "person" if actor.type == "person" else "entity"
        end_char = doc[end - 1].idx + len(doc[end - 1])
        text, begin = doc[start:end].text, doc[start].idx
        speaker = Speaker(actor.entity_id, actor.type, text, begin, end_char, kind, "modifier", actor.token_i)
        exclude = ctx.own_side(speaker)
        target = None
        for prep in children_with(noun, ("prep",)):
            if prep.lower_ in ("on", "against", "to", "targeting"):
                target = target or head_entity(prep, ctx.emap, exclude, None, POLICY_CLAUSE_DEPS, 3)
        for child in children_with(noun, ("compound",)):
            found = ctx.emap.at(child)
            if target is None and found is not None and found.entity_id != actor.entity_id:
                target = found if found.type in ("chip", "ai_model", "company", "ai_lab") else None
        content = [t for t in noun.subtree if not t.is_space]
        lemma = noun.lemma_.lower()
        out.append(_claim(ctx, sent, [noun], speaker, "policy_action", "verb", target, content, False, lemma))
    return out


def claims_in_title(sent: Span, ctx: _Context) -> list[Claim]:
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
    return [_claim(ctx, sent, cue, speaker, kind, "verb", t, content, False, found.lemma) for t in targets]


def _non_anchors(ctx: _Context) -> set[int]:
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
    ctx = _Context(
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
    according = strings.add("according")
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
        if lower[i] == according:
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
