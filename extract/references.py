"""Who a phrase names: entity mentions, subjects, pronoun and nominal references, head entities, quotes.

Pure helpers over a parsed spaCy ``Doc`` whose entities carry canonical ids in ``kb_id_``; used by
:mod:`aiwatch.extract.content`, :mod:`aiwatch.extract.claims` and the detectors it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiwatch.extract.kbindex import ORG_TYPES, KBIndex
from spacy.tokens import Doc, Token

PERSON_PRONOUNS = frozenset({"he", "she"})
PRONOUN_GENDER = {"he": "m", "she": "f"}
HONORIFIC_GENDER = {"mr": "m", "mr.": "m", "ms": "f", "ms.": "f", "mrs": "f", "mrs.": "f", "sir": "m"}
ORG_PRONOUNS = frozenset({"it"})


SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Verbs whose object does what their infinitive says ("urged the US to stop", "asked Nvidia to explain").
OBJECT_CONTROL = frozenset(
    {"urge", "ask", "tell", "order", "force", "press", "call", "demand", "push", "instruct", "require"}
)
# Adjectives whose infinitive the subject of the clause performs, as a done act ("made sure to mention",
# "was quick to deny"); "likely/ready to announce" are forecasts and not among them.
CONTROL_ADJECTIVES = frozenset({"sure", "quick", "careful", "keen", "eager", "swift"})
# Children of a subject noun that can name the speaker, best first ("Moonshot's founder, Yang Zhilin").
MODIFIER_ORDER = ("appos", "compound", "amod", "nmod", "poss")


Lexicons = Mapping[str, list[str]]


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
        # Grammatical gender learnt from honorifics ("Ms. Chen") and resolved pronouns, by entity id.
        self.gender: dict[str, str] = {}
        # Tokens that never anchor a pronoun or nominal (mentions on Title-Case headline lines).
        self.non_anchors: set[int] = set()
        # Who speaks for a country ("China said" -> the Chinese government), and speaker-only names.
        self.governments: Mapping[str, str] = index.governments
        self.speaker_names: Mapping[str, str] = index.speaker_names
        self.types: Mapping[str, str] = index.types
        for ent in doc.ents:
            if not ent.kb_id_:
                continue
            name, etype = index.names.get(ent.kb_id_), index.type_of(ent.kb_id_)
            if etype is None:
                name, etype = (discovered or {}).get(ent.kb_id_, [ent.text, "other"])
            mention = Mention(ent.kb_id_, etype, ent.root.i, f"{name} {ent.text}".lower())
            self.mentions.append(mention)
            if etype == "person" and ent.start > 0:
                gender = HONORIFIC_GENDER.get(doc[ent.start - 1].lower_)
                if gender:
                    self.gender.setdefault(ent.kb_id_, gender)
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


OPEN_QUOTES = frozenset({"“", "«", "``", "„"})
CLOSE_QUOTES = frozenset({"”", "»", "''"})


def quote_regions(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges [start, end) strictly inside quotation marks: curly “…”, guillemets, straight "…" and the
    doubled ``…'' of converted text. An unclosed quote never runs across paragraphs."""
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    for token in doc:
        text = token.text
        if text in OPEN_QUOTES or (text == '"' and open_at is None):
            open_at = token.i + 1
        elif text in CLOSE_QUOTES or (text == '"' and open_at is not None):
            if open_at is not None and token.i > open_at:
                regions.append((open_at, token.i))
            open_at = None
        elif "\n\n" in text and open_at is not None:
            open_at = None
    return regions


def in_regions(i: int, regions: Iterable[tuple[int, int]]) -> bool:
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


def cleft_doers(verb: Token) -> list[Token]:
    """ "what DeepSeek is doing here is extracting knowledge": the doer of the pseudo-cleft's "do"."""
    return [
        s
        for c in verb.children
        if c.dep_ == "csubj" and c.lemma_.lower() == "do" and any(w.lower_ == "what" for w in c.children)
        for s in c.children
        if s.dep_ == "nsubj"
    ]


def _noun_before(token: Token) -> Token | None:
    """The noun a relative pronoun follows, past one comma ("Democrats and Republicans, who ...")."""
    k = token.i - 1
    if k >= 0 and token.doc[k].text == ",":
        k -= 1
    if k < 0 or token.doc[k].pos_ not in ("NOUN", "PROPN"):
        return None
    return token.doc[k]


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
        subjects = [c for c in current.children if c.dep_ == "nsubj"] or cleft_doers(current)
        # "SAN FRANCISCO, Jan 29 - OpenAI said": the subject nearest the verb wins.
        subj = min(subjects, key=lambda c: abs(c.i - current.i)) if subjects else None
        if subj is not None:
            if subj.lower_ == "who" and (named := _noun_before(subj)) is not None:
                # "Democrats and Republicans, who have expressed concerns": the noun "who" follows, even
                # when the parser hangs the clause elsewhere or misses it
                return named, False
            if subj.lower_ in {"which", "who", "that"} and current.dep_ == "relcl":
                return current.head, False
            return subj, False
        if passive:
            return None, True
        if current.dep_ == "xcomp" and current.head.pos_ == "VERB":
            # object control: "urged the US to correct its practices" (the US would correct them)
            controller = next(
                (c for c in current.head.children if c.dep_ == "dobj" and c.i < current.i), None
            )
            if controller is not None and current.head.lemma_.lower() in OBJECT_CONTROL:
                return controller, False
        if current.dep_ in ("conj", "xcomp", "advcl") and current.head.pos_ in ("VERB", "AUX"):
            current = current.head
            continue
        if (
            current.dep_ == "xcomp" and current.head.lemma_.lower() in CONTROL_ADJECTIVES
            and current.head.dep_ in ("acomp", "oprd") and current.head.head.pos_ in ("VERB", "AUX")
        ):
            current = current.head.head  # "made sure to mention", "was quick to deny": the one who did
            continue
        if current.dep_ == "pcomp" and current.head.head.pos_ in ("VERB", "AUX"):
            current = current.head.head  # "responded by saying ...": the subject of "responded"
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
        if definite and lemma in lex["person_role_nouns"]:
            return frozenset({"person"})  # "the chairman said": the person holding the post, named earlier
        if definite or lemma in ("spokesperson", "spokesman", "spokeswoman"):
            return ORG_TYPES  # "the spokesperson", "A spokesperson said": the organisation last speaking
    return None


def _salience(doc: Doc, mention: Mention) -> int:
    token = doc[mention.token_i]
    if token.dep_ in ("poss", "appos", "compound") and token.head.dep_ in SUBJECT_DEPS:
        # "DeepSeek's R1 model topped the charts", "Nvidia's chief executive, Jensen Huang, said": the
        # possessor or the apposed name is as salient as the subject noun itself
        token = token.head
    if token.dep_ in SUBJECT_DEPS and token.head.lemma_.lower() == "report":
        return 2  # "PANews reported that OpenAI said ...": the outlet relays, the company is the topic
    if token.dep_ in SUBJECT_DEPS and _inside_report(token):
        return 2  # "OpenAI said DeepSeek copied ...": DeepSeek is talked about; OpenAI keeps the floor
    if token.dep_ in SUBJECT_DEPS:
        return 0 if token.head.dep_ == "ROOT" else 1
    return 2


REPORT_LEMMAS = frozenset(
    {"say", "tell", "claim", "allege", "report", "argue", "add", "write", "state", "note"}
)


def _inside_report(subject: Token) -> bool:
    """The subject of a clause that an earlier speech verb reports ("OpenAI said it found evidence that
    DeepSeek used ..." for DeepSeek); the subject of a relayed speech verb itself is not."""
    verb = subject.head
    if verb.lemma_.lower() in REPORT_LEMMAS:
        return False
    return any(
        a.lemma_.lower() in REPORT_LEMMAS | {"find", "believe", "allege", "accuse"} and a.i < subject.i
        for a in verb.ancestors
    )


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


def _is_role_reference(token: Token, role_nouns: set[str]) -> bool:
    """A role noun resolved to the body it speaks for ("a ministry spokesman" -> the ministry)."""
    return token.lemma_.lower() in role_nouns and not token.ent_type_


def titles_of(name: Token) -> set[str]:
    """The title words written before a name ("President Donald Trump", "Commerce Secretary Howard
    Lutnick"): what "the president" or "the secretary" can stand for."""
    return {c.lemma_.lower() for c in name.children if c.dep_ == "compound" and c.i < name.i}


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
    gender = PRONOUN_GENDER.get(token.lower_)
    doc = token.doc
    role_nouns = set(lex["role_nouns"]) if token.lower_ in PERSON_PRONOUNS else set()
    candidates = [
        m
        for m in emap.mentions
        if window_start <= m.token_i < token.i
        # "a ministry spokesman said ... he added": "he" is the spokesman, who speaks for the ministry
        and (m.type in allowed or _is_role_reference(doc[m.token_i], role_nouns))
        and m.entity_id
        and m.token_i not in emap.non_anchors
        and not (gender and emap.gender.get(m.entity_id, gender) != gender)
    ]
    if not candidates:
        return None, ""
    # "the ministry" prefers an entity whose name holds the word ("Ministry of Commerce"), then salience.
    words = {token.lower_, token.lemma_.lower()} | {
        c.lower_ for c in token.children if c.dep_ in ("compound", "amod", "nmod")
    }
    words -= {"spokesperson", "spokesman", "spokeswoman", "official"}

    def rank(m: Mention) -> tuple[int, int, int, int, int]:
        # name match first; then subjects of the same sentence, then subjects of earlier sentences, then
        # other mentions of earlier sentences, and last the non-subjects of the same sentence ("In a filing
        # with the SEC, the chipmaker said" is not the SEC); nearest first within each group
        named = any(w in m.name.split() for w in words) or bool(words & titles_of(token.doc[m.token_i]))
        distance = sent_index - max(k for k, s in enumerate(sent_starts) if s <= m.token_i)
        salience = _salience(token.doc, m)
        group = (0 if salience < 2 else 3) if distance == 0 else (1 if salience < 2 else 2)
        return (0 if named else 1, group, distance, salience, -m.token_i)

    best = min(candidates, key=rank)
    best_sentence = max(k for k, s in enumerate(sent_starts) if s <= best.token_i)
    if rank(best)[0] == 1 and sent_index - best_sentence > 2:
        return None, ""
    if rank(best)[0] == 1 and words & set(lex["named_gov_nouns"]):
        # "the bureau" must name-match ("Bureau of Industry and Security"), never guess; unless one body
        # alone was named since the sentence before ("SAMR announced ... The agency said")
        recent = {m.entity_id for m in candidates if m.token_i >= prev_start}
        if recent != {best.entity_id}:
            return None, ""
    emap.add_reference(token, best)
    if gender and best.type == "person":
        emap.gender.setdefault(best.entity_id, gender)
    return best, "pronoun" if best.token_i >= prev_start else "pronoun_far"


def agent_nouns(lex: Lexicons) -> set[str]:
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
    agentive = token.lemma_.lower() in agent_nouns(lex) or token.pos_ == "PROPN"
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
        if child.dep_ == "acl" and child.tag_ == "VBN":
            # "a technical report published by the company": the document's author speaks
            for agent in (c for c in child.children if c.dep_ == "agent"):
                for pobj in (c for c in agent.children if c.dep_ == "pobj"):
                    found = emap.at(pobj) or resolve_reference(pobj, emap, sent_starts, lex)[0]
                    if found is not None:
                        return found, "modifier"
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
        if token.dep_ == "prep" and token.lower_ in ("including", "like", "excluding"):
            return True  # examples in passing ("a D5 country (including Hong Kong)") are not the head
        token = token.head
    return False


CLAUSE_DEPS = frozenset({"relcl", "ccomp", "advcl", "xcomp"})


def head_entity(
    phrase_head: Token,
    emap: EntityMap,
    exclude: set[str],
    types: frozenset[str] | None = None,
    clause_deps: frozenset[str] = CLAUSE_DEPS,
    max_depth: int = 99,
) -> Mention | None:
    """The entity closest to the head of a phrase ("AMD's MI308 accelerator" -> MI308; possessors last),
    at most ``max_depth`` arcs below it."""
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
        if _depth(root, phrase_head) > max_depth:
            continue
        if best is None or (score, tok.i) < best[:2]:
            best = (score, tok.i, mention)
    return best[2] if best else None


def children_with(verb: Token, deps: tuple[str, ...]) -> list[Token]:
    """The children of ``verb`` whose dependency label is in ``deps``."""
    return [c for c in verb.children if c.dep_ in deps]
