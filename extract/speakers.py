"""Who speaks: a trigger's subject as written, what kind of speaker it is, and the entity it names if any.

A speaker is kept even when it resolves to no entity ("officials said", "a ministry spokesperson",
"the report says", "people familiar with the matter"): :class:`Speaker` holds its text and character span
as written (the pronoun "he", not the antecedent) and, when known, the entity id. Kinds:

* ``entity`` / ``person``: a named organisation or person, a pronoun or a definite nominal ("the company")
  standing for one;
* ``group``: plural people or bodies ("officials", "lawmakers", "the campaign", "they");
* ``role``: one unnamed office holder ("a ministry spokesperson", "the official");
* ``document``: "the report", "the survey", "a memo", a bill;
* ``outlet``: a news outlet or wire agency ("Bloomberg reported"); as a channel it is a ``via`` instead;
* ``anonymous``: "people familiar with the matter", "sources", "a person close to the company".

Pure functions over a parsed ``Doc``; entity mentions come from :class:`aiwatch.extract.references.EntityMap`.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiwatch.extract.chrome import is_dateline
from aiwatch.extract.kbindex import speaker_key
from aiwatch.extract.references import (
    MODIFIER_ORDER,
    EntityMap,
    Lexicons,
    Mention,
    agent_nouns,
    resolve_reference,
)
from spacy.tokens import Token

SPEAKER_KINDS = ("entity", "person", "group", "role", "document", "outlet", "anonymous")
# Entity types that speak as themselves; a ``policy`` entity (a bill, a rule) speaks as a document.
SPEAKING_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country", "other"})
FIRST_PERSON = frozenset({"i", "we", "me", "us", "you"})
PLURAL_PRONOUNS = frozenset({"they", "them"})
# Children that end a speaker phrase: "Sacks, the White House adviser, ..." is "Sacks".
PHRASE_STOP_DEPS = frozenset({"relcl", "appos", "punct", "cc", "conj", "advcl", "parataxis"})


@dataclass
class Speaker:
    """The speaker of a claim: as written (``text`` and its span) and, when resolved, the entity."""

    entity_id: str | None
    type: str | None  # entity type when resolved
    text: str
    start: int | None  # character offsets into the doc text
    end: int | None
    kind: str  # one of SPEAKER_KINDS
    how: str  # confidence key (see aiwatch.extract.claim_model.SPEAKER_CONFIDENCE)
    token_i: int


def phrase_tokens(token: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase headed by ``token``, without relative clauses,
    appositions, conjuncts or anything after a comma ("people familiar with the matter" stays whole)."""
    keep = [token.i]
    stack = [token]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.dep_ in PHRASE_STOP_DEPS:
                continue
            between = token.doc[token.i : child.i] if child.i > token.i else []
            if any(t.text in (",", "(", "—", "–") for t in between):
                continue
            keep.append(child.i)
            stack.append(child)
    start, end = min(keep), max(keep) + 1
    doc = token.doc
    while start < token.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end - 1 > token.i and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def entity_tokens(token: Token, emap: EntityMap) -> tuple[int, int]:
    """Token range of the entity mention ``token`` is part of (the token alone for a resolved pronoun)."""
    mention = emap.at(token)
    start = end = token.i
    while start > 0 and emap.by_token.get(start - 1) is mention:
        start -= 1
    while end + 1 < len(token.doc) and emap.by_token.get(end + 1) is mention:
        end += 1
    return start, end + 1


def is_outlet(text: str, lex: Lexicons) -> bool:
    """A news outlet or wire agency by name ("Reuters", "the Financial Times", "Bloomberg News")."""
    words = text.lower().replace("’", "'").strip()
    for prefix in ("the ",):
        if words.startswith(prefix):
            words = words[len(prefix) :]
    words = words.removesuffix("'s").strip()
    return words in lex["outlets"] or f"the {words}" in lex["outlets"]


def is_anonymous(token: Token, lex: Lexicons) -> bool:
    """"people familiar with the matter", "sources", "a person close to the company", "insiders"."""
    lemma = token.lemma_.lower()
    if lemma in ("source", "insider") and token.pos_ == "NOUN":
        return True
    if lemma not in lex["anonymous_heads"] and token.lower_ not in lex["anonymous_heads"]:
        return False
    markers = set(lex["anonymous_markers"])
    return any(t.lower_ in markers for t in token.subtree if t.i != token.i)


def nominal_kind(token: Token, lex: Lexicons) -> str | None:
    """The speaker kind a common noun names, or None when it names no speaker ("the move", "sales")."""
    if token.pos_ not in ("NOUN", "PROPN"):
        return None
    lemma, word = token.lemma_.lower(), token.lower_
    if is_anonymous(token, lex):
        return "anonymous"
    if lemma in lex["document_nouns"] or word in lex["document_nouns"]:
        return "document"
    plural = token.tag_ in ("NNS", "NNPS")
    if lemma in lex["role_nouns"] or lemma in lex["person_role_nouns"]:
        return "group" if plural else "role"
    if word in lex["group_nouns"] or lemma in lex["group_nouns"]:
        if not plural and lemma in set(lex["org_nouns"]) | set(lex["gov_nouns"]):
            return "entity"  # "the company", "the administration"
        return "group"
    if lemma in lex["org_nouns"] or lemma in lex["gov_nouns"] or lemma in ("regulator", "watchdog"):
        return "group" if plural else "entity"
    return None


def _modifier_entity(
    token: Token, emap: EntityMap, lex: Lexicons, kind: str | None, sent_starts: list[int]
) -> Mention | None:
    """An entity named through the subject's modifiers: "a spokesperson for Anthropic", "Nvidia's chief
    executive", "Commerce Department officials". A country or a person never stands for an agency or a company
    ("China's cyberspace regulator" is the regulator, "the administration of President Trump" the
    administration)."""
    ranked = sorted(
        token.children, key=lambda c: MODIFIER_ORDER.index(c.dep_) if c.dep_ in MODIFIER_ORDER else 9
    )
    agentive = token.lemma_.lower() in agent_nouns(lex) or kind is not None
    institution = kind == "entity" or token.lemma_.lower() in ("regulator", "watchdog")

    def usable(m: Mention | None, dep: str) -> bool:
        if m is None or m.type not in SPEAKING_TYPES - {"other"}:
            return False
        if institution and m.type in ("country", "person"):
            return False
        return not (m.type == "country" and dep != "poss")  # "US officials said" is not the country

    for child in ranked:
        if child.dep_ == "appos" and emap.at(child) is not None:
            return emap.at(child)  # "The committee's chairman, John Moolenaar"
        if not agentive:
            continue
        if child.dep_ in MODIFIER_ORDER and usable(emap.at(child), child.dep_):
            return emap.at(child)
        if child.dep_ == "prep" and child.lower_ in ("for", "at", "of", "from", "with", "by"):
            if child.lower_ == "with" and kind != "anonymous" or child.lower_ == "by" and kind != "document":
                continue  # "a report by the Financial Times": its author
            for pobj in (c for c in child.children if c.dep_ == "pobj"):
                for cand in (pobj, *[g for g in pobj.children if g.dep_ in ("poss", "compound")]):
                    if usable(emap.at(cand), "poss"):
                        return emap.at(cand)
        if child.dep_ == "acl" and child.tag_ == "VBN" and kind == "document":
            # "a technical report published by the company": the document's author speaks
            for agent in (c for c in child.children if c.dep_ == "agent"):
                for pobj in (c for c in agent.children if c.dep_ == "pobj"):
                    found = emap.at(pobj) or resolve_reference(pobj, emap, sent_starts, lex)[0]
                    if usable(found, "poss"):
                        return found
    return None


def document_author(token: Token, emap: EntityMap, sent_starts: list[int], lex: Lexicons) -> Mention | None:
    """The author of "the memo", "the complaint": the same noun met in the last three sentences with a
    named owner ("OpenAI's memo") or as the object of a named subject ("the Justice Department filed a
    complaint")."""
    if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.children):
        return None
    k = max(j for j, s in enumerate(sent_starts) if s <= token.i) if sent_starts else 0
    lo = sent_starts[max(0, k - 3)] if sent_starts else 0
    lemma = token.lemma_.lower()
    for earlier in reversed(token.doc[lo : token.i]):
        if earlier.lemma_.lower() != lemma or earlier.pos_ != "NOUN":
            continue
        for child in earlier.children:
            if child.dep_ in ("poss", "compound") and emap.at(child) is not None:
                return emap.at(child)
        if earlier.dep_ in ("dobj", "nsubjpass") and earlier.head.pos_ == "VERB":
            for subj in earlier.head.children:
                if subj.dep_ in ("nsubj", "agent"):
                    cand = subj if subj.dep_ == "nsubj" else next(
                        (c for c in subj.children if c.dep_ == "pobj"), subj
                    )
                    found = emap.at(cand)
                    if found is not None and found.type in SPEAKING_TYPES - {"other", "country"}:
                        return found
        return None
    return None


def _mention_text(token: Token, mention: Mention, emap: EntityMap) -> str:
    for tok in token.subtree:
        if emap.at(tok) is mention:
            start, end = entity_tokens(tok, emap)
            return token.doc[start:end].text
    return ""


def as_mention(speaker: Speaker) -> Mention:
    """A resolved speaker as a mention (to be a target, or a group's member)."""
    return Mention(speaker.entity_id or "", speaker.type or "", speaker.token_i)


def plural_antecedent(pronoun: Token, sent_starts: list[int]) -> Token | None:
    """The plural noun subject "they" most likely refers to: the nearest one before it in its sentence
    (outside the pronoun's own clause) or, failing that, the previous sentence's ("Microsoft's researchers
    observed individuals they believe ...")."""
    doc = pronoun.doc
    k = max(j for j, s in enumerate(sent_starts) if s <= pronoun.i)
    lo = sent_starts[max(0, k - 1)]
    candidates = [
        t
        for t in doc[lo : pronoun.i]
        if t.dep_ in ("nsubj", "nsubjpass") and t.tag_ in ("NNS", "NNPS") and t.pos_ in ("NOUN", "PROPN")
    ]
    return candidates[-1] if candidates else None


def _make(
    token: Token, span: tuple[int, int], kind: str, mention: Mention | None, how: str
) -> Speaker:
    doc = token.doc
    start, end = span
    text = doc[start:end].text
    return Speaker(
        entity_id=mention.entity_id if mention else None,
        type=mention.type if mention else None,
        text=text,
        start=doc[start].idx,
        end=doc[end - 1].idx + len(doc[end - 1]),
        kind=kind,
        how=how,
        token_i=token.i,
    )


def _speaker_name(token: Token, emap: EntityMap) -> Speaker | None:
    """A speaker-only name of a KB entity: "Beijing", "the Chinese side", "U.S. officials" (the head with its
    determiners and name modifiers)."""
    if not emap.speaker_names or token.pos_ not in ("NOUN", "PROPN"):
        return None
    left = [c for c in token.lefts if c.dep_ in ("det", "compound", "amod", "nmod")]
    start = min((t.left_edge.i for t in left), default=token.i)
    if token.i - start > 4:
        return None
    entity_id = emap.speaker_names.get(speaker_key(token.doc[start : token.i + 1].text))
    if entity_id is None or is_dateline(token.doc[start : token.i + 1]):
        return None  # "Washington, D.C.—The department ...": a dateline's place speaks for no one
    kind = "group" if token.tag_ in ("NNS", "NNPS") else "entity"
    mention = Mention(entity_id, emap.types.get(entity_id, "government"), token.i, "")
    return _make(token, (start, token.i + 1), kind, mention, "speaker_alias")


def speaker_of(
    token: Token | None, emap: EntityMap, sent_starts: list[int], lex: Lexicons, speaking: bool = False
) -> Speaker | None:
    """The speaker a subject token names, resolved as far as the text allows; None when it names none
    (first person, "the move", "sales"). With ``speaking`` (the subject of "say", "tell", "argue"), any noun
    names a speaker: "the mayor said", "the ad's narrator says", "Merrill said"."""
    if token is None:
        return None
    named = _speaker_name(token, emap)
    if named is not None:
        return named
    mention = emap.at(token)
    if mention is not None and mention.type == "country" and mention.entity_id in emap.governments:
        # "China said", "the US imposed": a country speaks and acts through its government
        government = emap.governments[mention.entity_id]
        mention = Mention(government, "government", mention.token_i, mention.name)
    if mention is not None and token.pos_ != "PRON":
        span = entity_tokens(token, emap)
        text = token.doc[span[0] : span[1]].text
        if is_outlet(text, lex):
            return _make(token, span, "outlet", mention, "entity")
        if mention.type == "policy":
            return _make(token, span, "document", mention, "modifier")
        if mention.type not in SPEAKING_TYPES:
            return None
        return _make(token, span, "person" if mention.type == "person" else "entity", mention, "entity")
    word = token.lower_
    if token.pos_ == "PRON" or word in ("he", "she", "it", "they"):
        if word in FIRST_PERSON or word not in ("he", "she", "it", "they", "who"):
            return None
        span = (token.i, token.i + 1)
        if word in PLURAL_PRONOUNS:
            antecedent = plural_antecedent(token, sent_starts)
            group = speaker_of(antecedent, emap, sent_starts, lex) if antecedent is not None else None
            if group is not None and group.entity_id is not None and group.kind == "group":
                return _make(token, span, "group", as_mention(group), "pronoun")
            return _make(token, span, "group", None, "unresolved")
        found, how = resolve_reference(token, emap, sent_starts, lex)
        kind = "person" if word in ("he", "she") else "entity"
        if kind == "person" and found is not None and found.type != "person":
            kind = "role"  # "he added", after "a ministry spokesman said": the spokesman again
        return _make(token, span, kind, found, how or "unresolved")
    span = phrase_tokens(token)
    if is_outlet(token.doc[span[0] : span[1]].text, lex):
        return _make(token, span, "outlet", None, "unresolved")
    kind = nominal_kind(token, lex)
    named = _modifier_entity(token, emap, lex, kind, sent_starts)
    if named is None and kind == "document":
        named = document_author(token, emap, sent_starts, lex)
    if named is not None:
        if kind == "document" and is_outlet(_mention_text(token, named, emap), lex):
            kind = "outlet"  # "a Bloomberg report": the outlet speaks
        if kind is None:
            kind = "person" if named.type == "person" else "entity"
        return _make(token, span, kind, named, "modifier")
    country = next(
        (m for c in token.children
         if c.dep_ in ("compound", "amod", "poss") and (m := emap.at(c)) is not None and m.type == "country"),
        None,
    )
    institution = token.lemma_.lower() in lex["gov_nouns"] + ["regulator", "watchdog"]
    country_bound = country is not None and institution
    government = emap.governments.get(country.entity_id) if country_bound else None
    if government is not None and token.lemma_.lower() in ("government", "administration"):
        # "the U.S. government", "China's government": the KB government that speaks for that country
        return _make(token, span, "entity", Mention(government, "government", token.i, ""), "modifier")
    if kind in ("entity", "role") and not country_bound:
        # "the U.S. government", "China's cyberspace regulator": a country's institution is not whichever
        # agency was named last
        found, how = resolve_reference(token, emap, sent_starts, lex)
        if found is not None and found.type == "person":
            kind = "person"  # "the president" standing for "President Donald Trump" is that person
        return _make(token, span, kind, found, how or "unresolved")
    if kind is not None:
        return _make(token, span, kind, None, "unresolved")
    if token.ent_type_ in ("PERSON", "ORG", "NORP") and token.pos_ == "PROPN":
        kind = {"PERSON": "person", "ORG": "entity", "NORP": "group"}[token.ent_type_]
        return _make(token, span, kind, None, "unresolved")
    if speaking and token.pos_ == "PROPN" and token.text[:1].isupper() and not token.ent_type_:
        return _make(token, span, "person", None, "unresolved")  # a name the NER missed
    if speaking and token.pos_ == "NOUN" and token.ent_type_ in ("", "PERCENT", "CARDINAL"):
        plural = token.tag_ in ("NNS", "NNPS")
        return _make(token, span, "group" if plural else "role", None, "unresolved")
    return None
