"""Attributed claims from a parsed ``Doc``: who said or did what to whom, in which sentence.

Pure functions over a spaCy ``Doc`` whose entities carry canonical ids in ``kb_id_`` (set by the KB ruler
and the entity resolver). The ``aiwatch_claims_v1`` component in :mod:`extract.pipeline` calls
:func:`extract_claims` and stores the result in ``doc._.claims`` as plain dicts. Word lists live in
:mod:`extract.lexicons`.

How a claim is found, per sentence:

* a *trigger* is a verb whose lemma is in one of the lexicons (speech, accusation, denial, policy,
  announcement), or the phrase "according to X";
* the *speaker* is the verb's ``nsubj`` (inherited through ``conj``/``xcomp``/``relcl``), the ``pobj`` of
  the ``agent`` "by" in a passive, or X in "according to X"; the token must lie in an entity, name one
  through a ``compound``/``poss``/``appos``/"for/of/at" child ("a spokesperson for Anthropic"), or be a
  pronoun or a nominal ("the company", "a ministry spokesperson"), resolved to the most salient compatible
  entity earlier in the same sentence or the two before it (subjects of main clauses first, then other
  subjects, then any mention; nearest first);
* the *kind* comes from the verb's lexicon; speech verbs (and "according to") look at their content (the
  ``ccomp`` clause or the quotation): a wrongdoing cue ("distilled", "smuggled", "fraudulent accounts",
  "used its outputs to train") makes an accusation against the wrongdoer, a denial cue ("baseless",
  "we did not copy") a denial, anything else a statement;
* *negation* (a ``neg`` child, or "declined/refused to") never yields the positive kind: the claim is kept as
  a ``statement`` with ``negated = True`` and no target, so "did not accuse" is on record but never counted
  as an accusation;
* not triggers: verbs inside quotation marks (the quote belongs to the outer speaker), verbs reported
  inside another speech verb's clause ("X said it would ban Y" is X's statement, not a ban), hypothetical
  actions ("would require", "plans to ban"), participles without an auxiliary ("China ... effectively
  barred"), and "saying"/"arguing" participles hanging off another trigger of the same speaker.

Confidence is a product of documented factors (:data:`SPEAKER_CONFIDENCE` x :data:`KIND_CONFIDENCE`);
claims under ``min_confidence`` are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from spacy.tokens import Doc, Span, Token

from extract.kbindex import ORG_TYPES, KBIndex
from extract.lexicons import DEFAULT_LEXICONS

PERSON_PRONOUNS = frozenset({"he", "she"})
ORG_PRONOUNS = frozenset({"it"})
# How the speaker was found -> confidence factor.
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
ACCUSED_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country"})
LICENCE_NOUNS = frozenset({"license", "licence", "permit", "application", "request", "approval", "waiver"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Children of a subject noun that can name the speaker, best first ("Moonshot's founder, Yang Zhilin").
MODIFIER_ORDER = ("appos", "compound", "amod", "nmod", "poss")

Lexicons = Mapping[str, list[str]]


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
    """An entity reference usable as speaker or target (``token_i`` is its root token)."""

    entity_id: str
    type: str
    token_i: int
    name: str = ""


class EntityMap:
    """Token index -> mention for entities with canonical ids, plus mentions in text order.

    Resolved pronoun/nominal speakers are added as mentions too, so a chain "The committee ... It said"
    resolves through them.
    """

    def __init__(self, doc: Doc, index: KBIndex, discovered: Mapping[str, list[str]] | None) -> None:
        self.by_token: dict[int, Mention] = {}
        self.mentions: list[Mention] = []
        for ent in doc.ents:
            if not ent.kb_id_:
                continue
            name, etype = index.names.get(ent.kb_id_), index.type_of(ent.kb_id_)
            if etype is None:
                name, etype = (discovered or {}).get(ent.kb_id_, [ent.text, "other"])
            mention = Mention(ent.kb_id_, etype, ent.root.i, f"{name} {ent.text}".lower())
            self.mentions.append(mention)
            for i in range(ent.start, ent.end):
                self.by_token[i] = mention

    def at(self, token: Token) -> Mention | None:
        return self.by_token.get(token.i)

    def add_reference(self, token: Token, mention: Mention) -> None:
        if token.i not in self.by_token:
            ref = Mention(mention.entity_id, mention.type, token.i, mention.name)
            self.by_token[token.i] = ref
            self.mentions.append(ref)
            self.mentions.sort(key=lambda m: m.token_i)


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
        elif "\n\n" in text and open_at is not None:
            open_at = None  # an unclosed quote never runs across paragraphs
    return regions


def _in_regions(i: int, regions: Iterable[tuple[int, int]]) -> bool:
    return any(s <= i < e for s, e in regions)


def is_negated(verb: Token) -> bool:
    """A ``neg`` child ("did not", "never"), or the verb governed by "declined/refused/failed to"."""
    if any(child.dep_ == "neg" for child in verb.children):
        return True
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS and (
            child.lower_ in {"nobody", "none", "neither"}
            or any(d.dep_ == "det" and d.lower_ in {"no", "neither"} for d in child.children)
        ):
            return True
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in {"decline", "refuse", "fail"}


def subject_of(verb: Token) -> tuple[Token | None, bool]:
    """The token that performs ``verb`` and whether the verb is passive (the doer is the agent "by" X)."""
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
        subjects = [c for c in current.children if c.dep_ == "nsubj"]
        # "SAN FRANCISCO, Jan 29 - OpenAI said": the subject nearest the verb wins.
        subj = min(subjects, key=lambda c: abs(c.i - current.i)) if subjects else None
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


def _reference_types(token: Token, lex: Lexicons) -> frozenset[str] | None:
    """Entity types a pronoun or nominal can refer to, or None if it is not a reference."""
    word = token.lower_
    if word in PERSON_PRONOUNS:
        return frozenset({"person"})
    if word in ORG_PRONOUNS:
        return ORG_TYPES
    if token.pos_ not in ("NOUN", "PROPN"):
        return None
    lemma = token.lemma_.lower()
    definite = any(c.lower_ in ("the", "its", "this", "that") for c in token.children)
    org_nouns, gov_nouns = set(lex["org_nouns"]), set(lex["gov_nouns"])
    if definite and lemma in org_nouns:
        return ORG_TYPES - {"government"}
    if definite and lemma in gov_nouns:
        return frozenset({"government"})
    if lemma in lex["role_nouns"]:
        for child in token.children:
            if child.dep_ in ("compound", "amod", "nmod"):
                if child.lemma_.lower() in org_nouns:
                    return ORG_TYPES - {"government"}
                if child.lemma_.lower() in gov_nouns:
                    return frozenset({"government"})
        if definite or lemma in ("spokesperson", "spokesman", "spokeswoman"):
            return ORG_TYPES  # "the spokesperson", "A spokesperson said": the organisation last speaking
    return None


def _salience(doc: Doc, mention: Mention) -> int:
    token = doc[mention.token_i]
    if token.dep_ in SUBJECT_DEPS:
        return 0 if token.head.dep_ == "ROOT" else 1
    return 2


def _bound_to_unnamed(pronoun: Token, emap: EntityMap, lex: Lexicons) -> bool:
    """True when an embedded pronoun most likely refers to the unnamed subject of its governing clause
    ("Beijing has rejected what it calls ..." where Beijing is no entity)."""
    for ancestor in pronoun.ancestors:
        if ancestor.pos_ not in ("VERB", "AUX"):
            continue
        subjects = [c for c in ancestor.children if c.dep_ in SUBJECT_DEPS and c.i < pronoun.i]
        subjects = [c for c in subjects if pronoun not in c.subtree]
        if subjects:
            subj = subjects[-1]
            return (
                subj.pos_ in ("PROPN", "NOUN")
                and emap.at(subj) is None
                and _reference_types(subj, lex) is None
                and not any(emap.at(t) for t in subj.subtree)
            )
    return False


def resolve_reference(
    token: Token, emap: EntityMap, sent_starts: list[int], lex: Lexicons
) -> tuple[Mention | None, str]:
    """Resolve a pronoun or nominal to the most salient compatible mention before it (two sentences)."""
    allowed = _reference_types(token, lex)
    if allowed is None:
        return None, ""
    if token.pos_ == "PRON" and _bound_to_unnamed(token, emap, lex):
        return None, ""
    sent_index = max(k for k, s in enumerate(sent_starts) if s <= token.i)
    # Pronouns reach two sentences back; definite nominals ("the committee") six, but only to an entity whose
    # name holds the noun ("the ministry" -> "Ministry of Commerce"); otherwise two, like pronouns.
    reach = 2 if token.pos_ == "PRON" else 6
    window_start = sent_starts[max(0, sent_index - reach)]
    prev_start = sent_starts[max(0, sent_index - 1)]
    candidates = [
        m for m in emap.mentions if window_start <= m.token_i < token.i and m.type in allowed and m.entity_id
    ]
    if not candidates:
        return None, ""
    # "the ministry" prefers an entity whose name holds the word ("Ministry of Commerce"), then salience.
    words = {token.lower_, token.lemma_.lower()} | {
        c.lower_ for c in token.children if c.dep_ in ("compound", "amod", "nmod")
    }
    words -= {"spokesperson", "spokesman", "spokeswoman", "official"}

    def rank(m: Mention) -> tuple[int, int, int, int]:
        # name match first; then subjects of the same sentence, then earlier sentences nearest first (subjects
        # before other mentions), and last the non-subjects of the same sentence ("In a filing with the SEC,
        # the chipmaker said" is not the SEC)
        named = any(w in m.name.split() for w in words)
        distance = sent_index - max(k for k, s in enumerate(sent_starts) if s <= m.token_i)
        salience = _salience(token.doc, m)
        tier = 0 if distance == 0 and salience < 2 else distance if distance else reach + 1
        return (0 if named else 1, tier, salience, -m.token_i)

    best = min(candidates, key=rank)
    best_sentence = max(k for k, s in enumerate(sent_starts) if s <= best.token_i)
    if rank(best)[0] == 1 and sent_index - best_sentence > 2:
        return None, ""
    if rank(best)[0] == 1 and words & set(lex["named_gov_nouns"]):
        return None, ""  # "the bureau" must name-match ("Bureau of Industry and Security"), never guess
    emap.add_reference(token, best)
    return best, "pronoun" if best.token_i >= prev_start else "pronoun_far"


def _agent_nouns(lex: Lexicons) -> set[str]:
    return set(lex["agent_nouns"]) | set(lex["role_nouns"]) | set(lex["org_nouns"]) | set(lex["gov_nouns"])


def speaker_for(
    token: Token | None, emap: EntityMap, sent_starts: list[int], lex: Lexicons
) -> tuple[Mention | None, str]:
    """Map a subject token to an entity mention and how it was found."""
    if token is None:
        return None, ""
    mention = emap.at(token)
    if mention is not None:
        return mention, "entity"
    ranked = sorted(
        token.children, key=lambda c: MODIFIER_ORDER.index(c.dep_) if c.dep_ in MODIFIER_ORDER else 9
    )
    agentive = token.lemma_.lower() in _agent_nouns(lex) or token.pos_ == "PROPN"
    for child in ranked:
        if child.dep_ == "appos" and emap.at(child) is not None:
            return emap.at(child), "modifier"  # "The committee's chairman, John Moolenaar"
        if not agentive:
            continue  # "US policy was to deny ..." names no speaker
        if child.dep_ in MODIFIER_ORDER and emap.at(child) is not None:
            if emap.at(child).type == "country" and child.dep_ != "poss":
                continue  # "The US Copyright Office said", "US officials said": not the country speaking
            return emap.at(child), "modifier"
        if child.dep_ == "prep" and child.lower_ in ("for", "at", "of", "from"):
            for pobj in child.children:
                if pobj.dep_ != "pobj":
                    continue
                # "a spokesperson for Anthropic", "a report from Google's threat intelligence group"
                for cand in (pobj, *[g for g in pobj.children if g.dep_ in ("poss", "compound")]):
                    if emap.at(cand) is not None:
                        return emap.at(cand), "modifier"
    return resolve_reference(token, emap, sent_starts, lex)


def _depth(token: Token, head: Token) -> int:
    depth = 0
    while token.i != head.i and token.head.i != token.i and depth < 20:
        token = token.head
        depth += 1
    return depth


def _in_clause(token: Token, phrase_head: Token, deps: frozenset[str]) -> bool:
    """True when ``token`` sits in a clause inside the phrase ("rules that will block the A800")."""
    while token.i != phrase_head.i and token.head.i != token.i:
        if token.dep_ in deps:
            return True
        token = token.head
    return False


CLAUSE_DEPS = frozenset({"relcl", "ccomp", "advcl", "xcomp"})


def head_entity(
    phrase_head: Token,
    emap: EntityMap,
    exclude: set[str],
    types: frozenset[str] | None = None,
    clause_deps: frozenset[str] = CLAUSE_DEPS,
) -> Mention | None:
    """The entity closest to the head of a phrase ("AMD's MI308 accelerator" -> MI308; possessors last)."""
    best: tuple[int, int, Mention] | None = None
    for tok in phrase_head.subtree:
        mention = emap.at(tok)
        if (
            mention is None
            or mention.entity_id in exclude
            or (types is not None and mention.type not in types)
            or _in_clause(tok, phrase_head, clause_deps)
        ):
            continue
        root = tok.doc[mention.token_i]
        score = _depth(root, phrase_head) + (1 if root.dep_ == "poss" else 0)
        if best is None or (score, tok.i) < best[:2]:
            best = (score, tok.i, mention)
    return best[2] if best else None


def _children(verb: Token, deps: tuple[str, ...]) -> list[Token]:
    return [c for c in verb.children if c.dep_ in deps]


def _governing_verb(token: Token, stop: set[str]) -> Token | None:
    """The nearest verb at or above ``token`` that has a subject (never climbing past a speech verb)."""
    current = token
    for _ in range(8):
        if current.pos_ in ("VERB", "AUX") and any(
            c.dep_ in ("nsubj", "nsubjpass", "agent") for c in current.children
        ):
            return current
        if current.head.i == current.i or current.head.lemma_.lower() in stop:
            return current if current.pos_ in ("VERB", "AUX") else None
        current = current.head
    return None


def _is_cue(tok: Token, lex: Lexicons) -> bool:
    lemma = tok.lemma_.lower()
    if tok.pos_ in ("VERB", "AUX") and lemma in lex["wrongdoing"]:
        return True
    if tok.pos_ == "VERB" and lemma == "fail" and _children(tok, ("xcomp",)):
        return True  # "had failed to honour commitments"
    if lemma in lex["wrongdoing_modifiers"] or tok.lower_ in lex["wrongdoing_modifiers"]:
        return True
    if tok.pos_ in ("NOUN", "PROPN") and lemma in lex["wrongdoing_nouns"]:
        return True
    if tok.pos_ == "VERB" and lemma in lex["use_verbs"]:
        return any(
            t.lemma_.lower() in lex["output_nouns"]
            for c in tok.children
            if c.dep_ in ("dobj", "prep")
            for t in c.subtree
        )
    return False


def doers(
    subject: Token, emap: EntityMap, exclude: set[str], ctx_starts: list[int], lex: Lexicons
) -> list[Mention]:
    """Entities a subject phrase names: the entity itself and its conjuncts ("DeepSeek and MiniMax"), or
    the organisations inside it ("accounts linked to DeepSeek, Moonshot AI and MiniMax")."""
    mention = emap.at(subject) or resolve_reference(subject, emap, ctx_starts, lex)[0]
    if mention is not None:
        found = [mention] + [emap.at(c) for c in subject.conjuncts if emap.at(c) is not None]
    else:  # organisations inside the phrase, never a country adjective ("PRC-based companies")
        found = [
            emap.at(t) for t in subject.subtree if emap.at(t) is not None and emap.at(t).type != "country"
        ]
    out: dict[str, Mention] = {}
    for m in found:
        if m.entity_id not in exclude and m.type in ACCUSED_TYPES:
            out.setdefault(m.entity_id, m)
    if any(m.type != "country" for m in out.values()):
        out = {k: m for k, m in out.items() if m.type != "country"}
    return list(out.values())


def _by_doers(noun: Token) -> list[Token]:
    """The objects of "by" attached to a noun ("efforts by three Chinese AI companies")."""
    return [
        g
        for c in noun.children
        if c.dep_ == "prep" and c.lower_ == "by"
        for g in c.children
        if g.dep_ == "pobj"
    ]


def wrongdoer_in(
    tokens: list[Token], emap: EntityMap, lex: Lexicons, exclude: set[str], sent_starts: list[int]
) -> tuple[list[Mention], bool, bool]:
    """Find a wrongdoing cue among ``tokens`` and who does it.

    Returns (wrongdoers, cue seen, found syntactically); with a negated cue ("we did not copy") the list is
    empty and ``cue seen`` is ``"negated"``. The doers are the subject (or passive agent) of the verb
    governing the cue, or the possessor of a wrongdoing noun ("DeepSeek's distillation"); when no doer is
    found syntactically but a cue is present, the single organisation in the content is used.
    """
    stop = set(lex["speech"]) | set(lex["accusation"])
    cue_seen: bool | str = False
    any_cue = False
    for tok in tokens:
        if not _is_cue(tok, lex):
            continue
        any_cue = any_cue or tok.dep_ not in ("amod", "compound")  # "the distilled version" is a product
        if tok.pos_ in ("NOUN", "PROPN"):
            # "DeepSeek's distillation", "distillation by DeepSeek"; a governing verb's subject only counts
            # when the verb is one of doing ("engaged in distillation"), not "opposes the abuse of ..."
            by_doers = _by_doers(tok)
            for cand in [c for c in tok.children if c.dep_ == "poss"] + by_doers:
                found = doers(cand, emap, exclude, sent_starts, lex)
                if found:
                    return found, True, True
            governing = tok.head
            while governing.pos_ == "ADP" and governing.head.i != governing.i:
                governing = governing.head
            no_det = any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in tok.children)
            if no_det or (governing.pos_ in ("VERB", "AUX") and is_negated(governing)):
                return (
                    [],
                    "negated",
                    True,
                )  # "Nvidia does not have backdoors", "the H20 contains no backdoors"
            if by_doers or governing.lemma_.lower() in lex["doing_verbs"]:
                cue_seen = True
            if governing.lemma_.lower() not in lex["doing_verbs"]:
                continue
        elif tok.pos_ in ("VERB", "AUX") and tok.dep_ in ("acl", "xcomp") and tok.head.pos_ == "NOUN":
            # "attempts by accounts linked to DeepSeek to circumvent ...": the doer hangs off the noun
            by_doers = _by_doers(tok.head)
            for cand in by_doers:
                found = doers(cand, emap, exclude, sent_starts, lex)
                if found:
                    return found, True, True
            if by_doers:
                cue_seen = True
                continue
        controller = tok
        while controller.dep_ == "xcomp" and controller.head.pos_ in ("VERB", "AUX"):
            controller = controller.head  # "are trying to distill": the subject of "trying" distils
        if tok.pos_ not in ("VERB", "AUX", "NOUN", "PROPN") or _governing_verb(tok, stop) is controller:
            # a cue verb with its own (unnamed) doer ("PRC-based companies distilled ...") or a modifier
            # ("fraudulent accounts") asserts wrongdoing; a cue verb governed by another verb ("meant to stop
            # smuggling") does not
            cue_seen = True
        verb = _governing_verb(tok, stop)
        if verb is None:
            continue
        if is_negated(verb):
            return [], "negated", True
        subj, _passive = subject_of(verb)
        if subj is None:
            continue
        found = doers(subj, emap, exclude, sent_starts, lex)
        if found:
            return found, True, True
    if any_cue:
        orgs = {  # possessors are owners, usually the victims ("OpenAI's models"), never the doers here
            emap.at(t).entity_id: emap.at(t)
            for t in tokens
            if emap.at(t) is not None
            and emap.at(t).entity_id not in exclude
            and emap.at(t).type in ORG_TYPES - {"government"}
            and t.doc[emap.at(t).token_i].dep_ != "poss"
        }
        if len(orgs) == 1:
            return list(orgs.values()), True, False
    return [], cue_seen, False


def classify_content(
    tokens: list[Token], emap: EntityMap, lex: Lexicons, own_side: set[str], sent_starts: list[int]
) -> tuple[str, list[Mention], str]:
    """Kind of a speech verb's content: (kind, accused, confidence key); ``own_side`` is never accused.

    A wrongdoing cue without a named wrongdoer gives kind ``unnamed``: an accusation against nobody we can
    name, which the guidelines skip (it is neither a recordable accusation nor a neutral statement).
    """
    words = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
    if words & set(lex["denial_cues"]):
        return "denial", [], "content"
    for tok in tokens:
        if (
            tok.lemma_.lower() in lex["denial"]
            and tok.pos_ == "VERB"
            and not is_negated(tok)
            and any(o.lemma_.lower() in lex["accusation_nouns"] for o in _children(tok, ("dobj",)))
        ):
            return "denial", [], "content"
    targets, cue, syntactic = wrongdoer_in(tokens, emap, lex, own_side, sent_starts)
    if cue == "negated":
        return "denial", [], "content"
    if targets:
        return "accusation", targets, "content" if syntactic else "content_weak"
    if cue:
        return "unnamed", [], "statement"
    return "statement", [], "statement"


def topic_of(tokens: Iterable[Token], mentions: Iterable[Mention], lex: Lexicons) -> str | None:
    """``distillation`` or ``export-controls`` by cue words and entity types; None on a tie."""
    distill, export = set(lex["topic_distillation"]), set(lex["topic_export_controls"])
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


def trigger_family(verb: Token, lex: Lexicons) -> str | None:
    """Which lexicon family a verb triggers (speech, accusation, denial, policy, announcement), or None."""
    lemma = verb.lemma_.lower()
    if lemma == "add":
        has_to = any(c.dep_ in ("prep", "dative") and c.lower_ == "to" for c in verb.children)
        has_obj = any(c.dep_ in ("dobj", "nsubjpass") for c in verb.children)
        return "policy" if has_to and has_obj else "speech"
    objs = _children(verb, ("dobj", "nsubjpass", "dative"))
    if lemma == "deny":
        licence = any(o.lemma_.lower() in LICENCE_NOUNS for o in objs)
        return "policy" if licence or _children(verb, ("dative",)) else "denial"  # "deny China the chips"
    if lemma in lex["opening_verbs"] and any(o.lemma_.lower() in lex["probe_nouns"] for o in objs):
        return "policy"  # "opened an antitrust investigation into Nvidia"
    if lemma in lex["making_verbs"] and any(o.lemma_.lower() in lex["accusation_nouns"] for o in objs):
        return "accusation"  # "made similar accusations against DeepSeek"
    if lemma == "roll" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
        return None
    if lemma == "charge" and not any(c.dep_ == "prep" and c.lower_ in ("with", "of") for c in verb.children):
        return None
    if lemma == "call" and not (
        _children(verb, ("ccomp", "oprd"))
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


def _content_tokens(verb: Token, sent: Span, ctx: _Context) -> tuple[list[Token], bool]:
    quote = _quote_for(verb, sent, ctx)
    if quote is not None:
        return list(ctx.doc[quote[0] : quote[1]]), True
    clause = _children(verb, ("ccomp", "parataxis"))
    if not clause and verb.dep_ in ("parataxis", "ccomp") and verb.head.i < verb.i:
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
    if family is None or verb.pos_ != "VERB" or verb.dep_ in ("amod", "acl", "compound", "pcomp"):
        return []
    if _in_regions(verb.i, ctx.regions) or is_reported(verb, lex) or is_heading(sent):
        return []
    if verb.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children):
        return []  # a bare participle modifies ("a version, called R1-0528"); it reports nothing
    if verb.tag_ == "VBG" and verb.dep_ == "advcl" and trigger_family(verb.head, lex) is not None:
        return []  # "Nvidia denied any wrongdoing, saying ..." is one claim
    if verb.dep_ in ("xcomp", "ccomp") and verb.head.lemma_.lower() == "be":
        return []  # "US policy was to deny China the best chips" describes, it does not act
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    if infinitive and verb.dep_ == "xcomp" and _children(verb.head, ("dobj",)):
        return []  # object control: "asked Nvidia to explain" (Nvidia would explain, not the subject)
    if verb.dep_ == "advcl" and infinitive:
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
            or bool(_children(verb, ("ccomp", "parataxis")))
            or (verb.dep_ in ("parataxis", "ccomp") and verb.head.i < verb.i)
        )
        object_deps = ("dobj", "oprd", "prep") if lemma == "warn" else ("dobj", "oprd")
        if not has_clause and not (lemma in lex["object_speech"] and _children(verb, object_deps)):
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
                for o in _children(verb, ("dobj",))
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
    objects = _children(verb, ("dobj", "dative"))
    if passive:
        objects = _children(verb, ("nsubjpass",))
    if family == "accusation":
        targets = [m for o in objects for m in doers(o, ctx.emap, exclude, ctx.sent_starts, lex)]
        if not targets and trigger_family(verb, {**lex, "accusation": []}) != "accusation":
            targets = [
                m
                for p in _children(verb, ("prep",))
                if p.lower_ == "against"
                for o in _children(p, ("pobj",))
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
    if target is None and not objects:
        # a misparsed object ("launched Kimi K2, an open-weight model ...") still follows the verb
        target = next(
            (
                ctx.emap.at(t)
                for t in verb.subtree
                if t.i > verb.i and ctx.emap.at(t) is not None and ctx.emap.at(t).type in ANNOUNCED_TYPES
            ),
            None,
        )
    if target is None and not any({o.lemma_.lower(), o.lower_} & set(lex["announceable"]) for o in objects):
        return []
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
    if not (accusation_like or _children(verb, ("ccomp",)) or verb.lemma_.lower() == "deny"):
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
        if _in_regions(tok.i, ctx.regions):
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
    min_confidence: float = 0.5,
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
