"""Attributed claims from a parsed ``Doc``: who said or did what to whom, in which sentence.

Pure functions over a spaCy ``Doc`` whose entities carry canonical ids in ``kb_id_`` (set by the KB ruler
and the entity resolver). The ``aiwatch_claims_v1`` component in :mod:`extract.pipeline` calls
:func:`extract_claims` and stores the result in ``doc._.claims`` as plain dicts.

How a claim is found, per sentence:

* a *trigger* is a verb whose lemma is in one of the lexicons (speech, accusation, denial, policy,
  announcement), or the phrase "according to X";
* the *speaker* is the verb's ``nsubj`` (inherited through ``conj``/``xcomp``/``relcl``), the ``pobj`` of
  the ``agent`` "by" in a passive, or X in "according to X"; the token must lie in an entity, name one
  through a ``compound``/``poss``/``appos``/"for/of/at" child ("a spokesperson for Anthropic"), or be a
  pronoun or "the company"-style noun, resolved to the nearest compatible entity earlier in the same
  sentence or the two before it;
* the *kind* comes from the verb's lexicon; speech verbs (and "according to") look at their content (the
  ``ccomp`` clause or the quotation): a wrongdoing cue ("distilled", "smuggled", "violated") makes an
  accusation against the cue's subject, a denial cue ("baseless", "we did not copy") a denial, anything
  else a statement;
* *negation* (a ``neg`` child, or "declined/refused to") never yields the positive kind: the claim is kept as
  a ``statement`` with ``negated = True`` and no target, so "did not accuse" is on record but never counted
  as an accusation;
* verbs inside quotation marks are not triggers (the quote belongs to the outer speaker).

Confidence is a product of documented factors (see :data:`SPEAKER_CONFIDENCE` and
:data:`KIND_CONFIDENCE`); claims under ``min_confidence`` are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from spacy.tokens import Doc, Span, Token

from extract.kbindex import ORG_TYPES, KBIndex

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
ORG_PRONOUNS = frozenset({"it"})
# How the speaker was found -> confidence factor.
SPEAKER_CONFIDENCE: dict[str, float] = {
    "entity": 1.0,  # the subject token is part of a named entity
    "according": 0.95,  # "according to X"
    "modifier": 0.85,  # an entity attached to the subject noun ("a spokesperson for X")
    "pronoun": 0.8,  # pronoun or "the company" resolved in the same or previous sentence
    "pronoun_far": 0.65,  # resolved two sentences back
}
# How the kind was decided -> confidence factor.
KIND_CONFIDENCE: dict[str, float] = {
    "verb": 0.95,  # the trigger verb's lexicon says it (accuse, deny, ban, announce)
    "statement": 0.9,  # speech verb with neutral content
    "content": 0.8,  # speech verb whose content carries a wrongdoing or denial cue
    "negated": 0.9,
}

DEFAULT_LEXICONS: dict[str, list[str]] = {
    "speech": [
        "say",
        "tell",
        "argue",
        "warn",
        "note",
        "write",
        "add",
        "claim",
        "state",
        "insist",
        "explain",
        "contend",
        "assert",
        "maintain",
        "suggest",
        "testify",
        "acknowledge",
        "confirm",
        "stress",
        "post",
        "respond",
        "reply",
        "caution",
        "predict",
        "emphasize",
        "emphasise",
        "urge",
        "complain",
        "observe",
        "concede",
        "admit",
        "describe",
        "report",
        "counter",
        "signal",
        "recount",
    ],
    "accusation": ["accuse", "allege", "charge", "blame"],
    "denial": ["deny", "reject", "dismiss", "refute", "rebut", "dispute", "rebuff"],
    "policy": [
        "restrict",
        "ban",
        "block",
        "add",
        "impose",
        "require",
        "approve",
        "grant",
        "sanction",
        "rescind",
        "investigate",
        "summon",
        "prohibit",
        "bar",
        "curb",
        "tighten",
        "revoke",
        "blacklist",
        "limit",
        "halt",
        "suspend",
        "fine",
        "probe",
        "expand",
        "extend",
        "license",
        "licence",
        "pause",
        "freeze",
        "tariff",
        "penalize",
        "penalise",
        "designate",
        "place",
        "put",
        "slap",
        "cut",
        "deny",
    ],
    "announcement": [
        "announce",
        "launch",
        "release",
        "unveil",
        "introduce",
        "publish",
        "debut",
        "roll",
        "ship",
        "open-source",
        "unveil",
        "preview",
        "detail",
    ],
    # Content cues: lemmas that assert wrongdoing by their subject, and denial cues.
    "wrongdoing": [
        "distill",
        "distil",
        "copy",
        "steal",
        "violate",
        "evade",
        "smuggle",
        "misuse",
        "abuse",
        "circumvent",
        "plagiarize",
        "plagiarise",
        "scrape",
        "infringe",
        "divert",
        "siphon",
        "breach",
        "exfiltrate",
        "pilfer",
        "launder",
        "skirt",
        "dodge",
        "flout",
        "break",
        "funnel",
        "hack",
        "extract",
        "rip",
        "free-ride",
        "piggyback",
        "harvest",
    ],
    "wrongdoing_nouns": [
        "distillation",
        "theft",
        "violation",
        "smuggling",
        "infringement",
        "evasion",
        "misuse",
        "abuse",
        "breach",
        "copying",
        "plagiarism",
        "diversion",
        "espionage",
    ],
    "denial_cues": [
        "baseless",
        "unfounded",
        "false",
        "groundless",
        "untrue",
        "nonsense",
        "fabricate",
        "fabricated",
        "misleading",
        "smear",
        "ridiculous",
        "absurd",
        "slander",
        "lie",
        "wrong",
        "inaccurate",
        "categorically",
    ],
    "accusation_nouns": [
        "claim",
        "allegation",
        "accusation",
        "charge",
        "report",
        "suggestion",
        "assertion",
        "characterization",
        "characterisation",
        "suspicion",
        "finding",
        "story",
    ],
    "pronoun_org_nouns": [
        "company",
        "firm",
        "lab",
        "startup",
        "start-up",
        "chipmaker",
        "developer",
        "group",
        "laboratory",
        "maker",
    ],
    "pronoun_gov_nouns": [
        "agency",
        "department",
        "ministry",
        "administration",
        "government",
        "regulator",
        "bureau",
        "commission",
        "committee",
        "office",
    ],
    "topic_distillation": [
        "distill",
        "distil",
        "distillation",
        "output",
        "outputs",
        "copy",
        "train",
        "training",
        "model",
        "chatbot",
        "api",
        "terms",
        "scrape",
        "weights",
        "reasoning",
        "benchmark",
        "data",
        "account",
        "accounts",
        "query",
        "queries",
    ],
    "topic_export_controls": [
        "export",
        "exports",
        "chip",
        "chips",
        "license",
        "licence",
        "licenses",
        "licences",
        "semiconductor",
        "semiconductors",
        "gpu",
        "gpus",
        "smuggle",
        "smuggling",
        "hbm",
        "tariff",
        "accelerator",
        "accelerators",
        "sale",
        "sales",
        "ship",
        "shipment",
        "shipments",
        "rare",
        "gallium",
        "germanium",
        "controls",
        "control",
        "entity",
    ],
}
SPEAKER_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country"})
POLICY_SPEAKER_TYPES = frozenset({"government", "country", "person"})
ANNOUNCER_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person"})
ANNOUNCED_TYPES = frozenset({"ai_model", "chip", "policy"})
ACCUSED_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country"})
SUBJECT_DEPS = ("nsubj",)
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


@dataclass
class Mention:
    """An entity reference usable as speaker or target."""

    entity_id: str
    type: str
    token_i: int


class EntityMap:
    """Token index -> (entity id, type) for entities with canonical ids, plus ordered mentions."""

    def __init__(self, doc: Doc, index: KBIndex, discovered: Mapping[str, list[str]] | None) -> None:
        self.by_token: dict[int, Mention] = {}
        self.mentions: list[Mention] = []
        for ent in doc.ents:
            if not ent.kb_id_:
                continue
            etype = index.type_of(ent.kb_id_) or (discovered or {}).get(ent.kb_id_, [None, "other"])[1]
            mention = Mention(ent.kb_id_, etype, ent.root.i)
            self.mentions.append(mention)
            for i in range(ent.start, ent.end):
                self.by_token[i] = mention

    def at(self, token: Token) -> Mention | None:
        return self.by_token.get(token.i)


def quote_regions(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges [start, end) strictly inside quotation marks, pairing “…” and straight quotes."""
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    for token in doc:
        text = token.text
        if text in ("“", "«") or (text == '"' and open_at is None):
            open_at = token.i + 1
        elif text in ("”", "»") or (text == '"' and open_at is not None):
            if open_at is not None and token.i > open_at:
                regions.append((open_at, token.i))
            open_at = None
        elif "\n" in text and open_at is not None:
            open_at = None  # an unclosed quote never runs across paragraphs
    return regions


def _in_regions(i: int, regions: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    return next(((s, e) for s, e in regions if s <= i < e), None)


def is_negated(verb: Token) -> bool:
    """A ``neg`` child ("did not", "never"), or the verb governed by "declined/refused/failed to"."""
    if any(child.dep_ == "neg" for child in verb.children):
        return True
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in {"decline", "refuse", "fail"}


def subject_of(verb: Token) -> tuple[Token | None, bool]:
    """The token that performs ``verb`` and whether the verb is passive (agent "by" X)."""
    current = verb
    for _ in range(4):
        passive = False
        for child in current.children:
            if child.dep_ == "agent":
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj, True
            if child.dep_ == "nsubjpass":
                passive = True
        subj = next((c for c in current.children if c.dep_ in SUBJECT_DEPS), None)
        if subj is not None:
            if subj.lower_ in {"which", "who", "that"} and current.dep_ == "relcl":
                return current.head, False
            return subj, False
        if passive:
            return None, True
        if current.dep_ in ("conj", "xcomp", "advcl") and current.head.pos_ in ("VERB", "AUX"):
            current = current.head
            continue
        if current.dep_ == "relcl":
            return current.head, False
        break
    return None, False


def passive_subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ == "nsubjpass"), None)


def _resolve_reference(
    token: Token, emap: EntityMap, sent_starts: list[int], lex: Mapping[str, list[str]]
) -> tuple[Mention | None, str]:
    """Resolve a pronoun or "the company"-style subject to the nearest compatible earlier mention."""
    word = token.lower_
    if word in PERSON_PRONOUNS:
        allowed = {"person"}
    elif word in ORG_PRONOUNS:
        allowed = ORG_TYPES
    elif token.pos_ == "NOUN" and any(c.lower_ == "the" for c in token.children):
        if token.lemma_.lower() in lex["pronoun_org_nouns"]:
            allowed = ORG_TYPES - {"government"}
        elif token.lemma_.lower() in lex["pronoun_gov_nouns"]:
            allowed = {"government"}
        else:
            return None, ""
    else:
        return None, ""
    sent_index = max(k for k, s in enumerate(sent_starts) if s <= token.i)
    window_start = sent_starts[max(0, sent_index - 2)]
    prev_start = sent_starts[max(0, sent_index - 1)]
    candidates = [
        m
        for m in reversed(emap.mentions)
        if window_start <= m.token_i < token.i and m.type in allowed and m.entity_id
    ]
    # Subjects are the salient antecedents ("Anthropic accused DeepSeek ..., the company said").
    subjects = [m for m in candidates if token.doc[m.token_i].dep_ in ("nsubj", "nsubjpass")]
    for mention in subjects or candidates:
        return mention, "pronoun" if mention.token_i >= prev_start else "pronoun_far"
    return None, ""


def speaker_for(
    token: Token | None, emap: EntityMap, sent_starts: list[int], lex: Mapping[str, list[str]]
) -> tuple[Mention | None, str]:
    """Map a subject token to an entity mention and how it was found."""
    if token is None:
        return None, ""
    mention = emap.at(token)
    if mention is not None:
        return mention, "entity"
    for child in token.children:
        if child.dep_ in ("compound", "poss", "appos", "nmod") and emap.at(child) is not None:
            return emap.at(child), "modifier"
        if child.dep_ == "prep" and child.lower_ in ("for", "at", "of", "from"):
            for pobj in child.children:
                if pobj.dep_ == "pobj" and emap.at(pobj) is not None:
                    return emap.at(pobj), "modifier"
    return _resolve_reference(token, emap, sent_starts, lex)


def _first_entity(
    tokens: Iterable[Token], emap: EntityMap, exclude: set[str], types: frozenset[str] | None = None
) -> Mention | None:
    for tok in tokens:
        mention = emap.at(tok)
        if (
            mention is not None
            and mention.entity_id not in exclude
            and (types is None or mention.type in types)
        ):
            return mention
    return None


def _children(verb: Token, deps: tuple[str, ...]) -> list[Token]:
    return [c for c in verb.children if c.dep_ in deps]


def _prep_objects(verb: Token, preps: tuple[str, ...]) -> list[Token]:
    out = []
    for prep in verb.children:
        if prep.dep_ in ("prep", "dative") and prep.lower_ in preps:
            out.extend(prep.subtree)
    return out


def wrongdoer_in(
    tokens: list[Token], emap: EntityMap, lex: Mapping[str, list[str]], exclude: set[str]
) -> tuple[Mention | None, bool]:
    """Find a wrongdoing cue among ``tokens`` and the entity doing it; also report a negated cue."""
    cues = set(lex["wrongdoing"])
    nouns = set(lex["wrongdoing_nouns"])
    for tok in tokens:
        lemma = tok.lemma_.lower()
        if tok.pos_ in ("VERB", "AUX") and lemma in cues:
            verb = tok
        elif tok.pos_ in ("NOUN", "PROPN") and lemma in nouns:
            verb = tok.head if tok.head.pos_ in ("VERB", "AUX") else None
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is not None and emap.at(poss) is not None and emap.at(poss).entity_id not in exclude:
                return emap.at(poss), False
            if verb is None:
                continue
        else:
            continue
        if is_negated(verb):
            return None, True
        subj, passive = subject_of(verb)
        if passive and subj is None:
            continue
        if subj is not None:
            mention = emap.at(subj)
            if mention is not None and mention.entity_id not in exclude and mention.type in ACCUSED_TYPES:
                return mention, False
    return None, False


def classify_content(
    tokens: list[Token], emap: EntityMap, lex: Mapping[str, list[str]], speaker_id: str
) -> tuple[str, Mention | None]:
    """Kind of a speech verb's content: ``accusation`` (with the accused), ``denial`` or ``statement``."""
    lemmas = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
    denial_verbs = set(lex["denial"])
    accusation_nouns = set(lex["accusation_nouns"])
    if lemmas & set(lex["denial_cues"]):
        return "denial", None
    for tok in tokens:
        if tok.lemma_.lower() in denial_verbs and tok.pos_ == "VERB" and not is_negated(tok):
            objs = _children(tok, ("dobj",))
            if any(o.lemma_.lower() in accusation_nouns for o in objs):
                return "denial", None
    target, negated_cue = wrongdoer_in(tokens, emap, lex, {speaker_id})
    if negated_cue:
        return "denial", None
    if target is not None:
        return "accusation", target
    return "statement", None


def topic_of(
    tokens: Iterable[Token], mentions: Iterable[Mention], lex: Mapping[str, list[str]]
) -> str | None:
    """``distillation`` or ``export-controls`` by cue words and entity types; None on a tie."""
    distill = set(lex["topic_distillation"])
    export = set(lex["topic_export_controls"])
    d = e = 0
    for tok in tokens:
        word, lemma = tok.lower_, tok.lemma_.lower()
        d += word in distill or lemma in distill
        e += word in export or lemma in export
    for mention in mentions:
        d += mention.type == "ai_model"
        e += mention.type in ("chip", "policy")
    if d == e:
        return None
    return "distillation" if d > e else "export-controls"


def _kind_of_verb(verb: Token, lex: Mapping[str, list[str]]) -> str | None:
    lemma = verb.lemma_.lower()
    if lemma == "add":
        has_to = any(c.dep_ in ("prep", "dative") and c.lower_ == "to" for c in verb.children)
        has_obj = any(c.dep_ in ("dobj", "nsubjpass") for c in verb.children)
        return "policy" if has_to and has_obj else "speech"
    if lemma == "deny":
        objs = _children(verb, ("dobj", "nsubjpass", "dative"))
        if any(o.lemma_.lower() in LICENCE_NOUNS for o in objs):
            return "policy"
        return "denial"
    if lemma == "roll" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
        return None
    if lemma == "charge" and not any(c.dep_ == "prep" and c.lower_ in ("with", "of") for c in verb.children):
        return None
    for kind in ("accusation", "denial", "announcement", "policy", "speech"):
        if lemma in lex[kind]:
            return kind
    return None


@dataclass
class _Context:
    doc: Doc
    emap: EntityMap
    lex: Mapping[str, list[str]]
    regions: list[tuple[int, int]]
    sent_starts: list[int]


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
    tokens = list(verb.subtree) + content_tokens + [doc[speaker.token_i]]
    start = max(
        min(t.i for t in tokens), min(sent.start, content_tokens[0].i if content_tokens else sent.start)
    )
    end = min(max(t.i for t in tokens) + 1, max(sent.end, content_tokens[-1].i + 1 if content_tokens else 0))
    span = doc[start:end]
    content_span = doc[content_tokens[0].i : content_tokens[-1].i + 1] if content_tokens else span
    sent_mentions = [ctx.emap.by_token[i] for i in range(sent.start, sent.end) if i in ctx.emap.by_token]
    confidence = round(SPEAKER_CONFIDENCE[how] * KIND_CONFIDENCE[kind_how], 3)
    return Claim(
        speaker_id=speaker.entity_id,
        verb=verb_text,
        kind=kind,
        target_id=target.entity_id if target else None,
        content=content_span.text.strip(),
        is_quote=is_quote,
        start_char=span.start_char,
        end_char=span.end_char,
        sentence=sent.text,
        sentence_start=sent.start_char,
        confidence=confidence,
        topic=topic_of(list(sent) + content_tokens, sent_mentions, ctx.lex),
        how=[how, kind_how],
    )


def _content_tokens(verb: Token, sent: Span, ctx: _Context) -> tuple[list[Token], bool]:
    quote = _quote_for(verb, sent, ctx)
    if quote is not None:
        return list(ctx.doc[quote[0] : quote[1]]), True
    clause = _children(verb, ("ccomp", "parataxis"))
    if not clause:
        clause = [
            c for c in verb.children if c.dep_ in ("dobj", "xcomp", "advcl", "conj") and c.pos_ != "PUNCT"
        ]
    tokens = sorted({t for c in clause for t in c.subtree}, key=lambda t: t.i)
    return tokens, False


def claims_for_verb(verb: Token, sent: Span, ctx: _Context) -> list[Claim]:
    """Claims triggered by one verb (empty when it has no usable speaker or kind)."""
    family = _kind_of_verb(verb, ctx.lex)
    if family is None or verb.dep_ in ("amod", "acl", "compound") or verb.pos_ not in ("VERB",):
        return []
    if _in_regions(verb.i, ctx.regions):
        return []
    subj, passive = subject_of(verb)
    speaker, how = speaker_for(subj, ctx.emap, ctx.sent_starts, ctx.lex)
    if speaker is None or speaker.type not in SPEAKER_TYPES:
        return []
    lemma = verb.lemma_.lower()
    exclude = {speaker.entity_id}
    negated = is_negated(verb)
    if family == "speech":
        content, is_quote = _content_tokens(verb, sent, ctx)
        if negated:
            return [
                _negated(
                    _claim(
                        ctx, sent, verb, speaker, how, "statement", "negated", None, content, is_quote, lemma
                    )
                )
            ]
        kind, target = classify_content(content, ctx.emap, ctx.lex, speaker.entity_id)
        kind_how = "statement" if kind == "statement" else "content"
        return [_claim(ctx, sent, verb, speaker, how, kind, kind_how, target, content, is_quote, lemma)]
    content = [t for t in verb.subtree if t.i >= verb.i]
    if negated:
        return [
            _negated(
                _claim(ctx, sent, verb, speaker, how, "statement", "negated", None, content, False, lemma)
            )
        ]
    obj_tokens = [t for c in _children(verb, ("dobj", "dative")) for t in c.subtree]
    if passive:
        nsp = passive_subject(verb)
        obj_tokens = list(nsp.subtree) if nsp is not None else []
    if family == "accusation":
        target = _first_entity(obj_tokens, ctx.emap, exclude, ACCUSED_TYPES)
        if target is None and lemma == "allege":
            target, _ = wrongdoer_in(content, ctx.emap, ctx.lex, exclude)
        if target is None:
            return []
        return [_claim(ctx, sent, verb, speaker, how, "accusation", "verb", target, content, False, lemma)]
    if family == "denial":
        target = None
        for tok in obj_tokens:
            if tok.lemma_.lower() in ctx.lex["accusation_nouns"]:
                for child in tok.children:
                    cand = (
                        [child]
                        if child.dep_ == "poss"
                        else [
                            t
                            for t in child.subtree
                            if child.dep_ == "prep" and child.lower_ in ("by", "from")
                        ]
                    )
                    target = target or _first_entity(cand, ctx.emap, exclude, SPEAKER_TYPES)
        clause = _children(verb, ("ccomp",))
        accusation_like = any(t.lemma_.lower() in ctx.lex["accusation_nouns"] for t in obj_tokens)
        if not (accusation_like or clause or lemma == "deny"):
            return []
        return [_claim(ctx, sent, verb, speaker, how, "denial", "verb", target, content, False, lemma)]
    if family == "policy":
        if speaker.type not in POLICY_SPEAKER_TYPES:
            return []
        target = _first_entity(obj_tokens, ctx.emap, exclude) or _first_entity(
            _prep_objects(verb, ("to", "on", "against", "from")), ctx.emap, exclude
        )
        return [_claim(ctx, sent, verb, speaker, how, "policy_action", "verb", target, content, False, lemma)]
    if family == "announcement":
        if speaker.type not in ANNOUNCER_TYPES:
            return []
        target = _first_entity(obj_tokens, ctx.emap, exclude, ANNOUNCED_TYPES)
        return [_claim(ctx, sent, verb, speaker, how, "announcement", "verb", target, content, False, lemma)]
    return []


def _negated(claim: Claim) -> Claim:
    """Mark a claim negated: it stays a ``statement`` without a target."""
    claim.negated = True
    claim.target_id = None
    return claim


def claims_according_to(sent: Span, ctx: _Context) -> list[Claim]:
    """Claims of the form "According to X, ..." (X is the speaker; the rest of the sentence the content)."""
    out = []
    for tok in sent:
        if tok.lower_ != "according" or tok.i + 1 >= sent.end or ctx.doc[tok.i + 1].lower_ != "to":
            continue
        if _in_regions(tok.i, ctx.regions):
            continue
        pobj = next((c for c in ctx.doc[tok.i + 1].children if c.dep_ == "pobj"), None)
        speaker, how = speaker_for(pobj, ctx.emap, ctx.sent_starts, ctx.lex)
        if speaker is None or speaker.type not in SPEAKER_TYPES:
            continue
        phrase = {t.i for t in tok.subtree}
        content = [
            t for t in sent if t.i not in phrase and not (t.is_punct and t.i in (sent.start, sent.end - 1))
        ]
        kind, target = classify_content(content, ctx.emap, ctx.lex, speaker.entity_id)
        kind_how = "statement" if kind == "statement" else "content"
        claim = _claim(
            ctx,
            sent,
            tok,
            speaker,
            "according" if how == "entity" else how,
            kind,
            kind_how,
            target,
            content,
            False,
            "according to",
        )
        out.append(claim)
    return out


def extract_claims(
    doc: Doc,
    index: KBIndex,
    lexicons: Mapping[str, list[str]] | None = None,
    min_confidence: float = 0.5,
    discovered: Mapping[str, list[str]] | None = None,
) -> list[Claim]:
    """All claims of ``doc`` with confidence >= ``min_confidence``, in text order."""
    lex = {**DEFAULT_LEXICONS, **(lexicons or {})}
    ctx = _Context(
        doc, EntityMap(doc, index, discovered), lex, quote_regions(doc), [s.start for s in doc.sents]
    )
    claims: list[Claim] = []
    for sent in doc.sents:
        found: list[Claim] = []
        for tok in sent:
            if tok.pos_ == "VERB":
                found.extend(claims_for_verb(tok, sent, ctx))
        found.extend(claims_according_to(sent, ctx))
        claims.extend(drop_attributions(found))
    return [c for c in claims if c.confidence >= min_confidence]


def drop_attributions(claims: list[Claim]) -> list[Claim]:
    """Drop a plain statement that only attributes another claim of the same speaker in the sentence
    ("Anthropic accused DeepSeek of ..., the company said" is one accusation, not also a statement)."""
    strong = {c.speaker_id for c in claims if c.kind != "statement" and not c.negated}
    return [c for c in claims if c.kind != "statement" or c.negated or c.speaker_id not in strong]
