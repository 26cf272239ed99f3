"""What a reported clause asserts: wrongdoing by a named party, a denial, or neither; and its topic.

Pure helpers over tokens of a parsed ``Doc``; word lists come from :mod:`aiwatch.extract.lexicons`.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiwatch.extract.cues import attributed_to
from aiwatch.extract.kbindex import ORG_TYPES
from aiwatch.extract.references import (
    EntityMap,
    Lexicons,
    Mention,
    children_with,
    cleft_doers,
    is_negated,
    resolve_reference,
    subject_of,
)
from spacy.tokens import Token

ACCUSED_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country"})


def _governing_verb(token: Token, stop: set[str]) -> Token | None:
    """The nearest verb at or above ``token`` that has a subject, within the cue's own clause: never climbing
    past a speech verb, nor out of a subordinate clause into the clause that embeds it ("Microsoft was
    examining whether accounts ... had extracted data" does not make Microsoft the extractor)."""
    current = token
    for _ in range(8):
        if current.pos_ in ("VERB", "AUX") and (
            any(c.dep_ in ("nsubj", "nsubjpass", "agent") for c in current.children) or cleft_doers(current)
        ):
            return current
        if current.head.i == current.i or current.head.lemma_.lower() in stop:
            return current if current.pos_ in ("VERB", "AUX") else None
        if current.dep_ in ("ccomp", "csubj", "relcl") and current.pos_ in ("VERB", "AUX"):
            return None
        current = current.head
    return None


DOUBT_NOUNS = frozenset(
    {
        "doubt", "question", "concern", "suspicion", "speculation", "rumor", "rumour", "allegation",
        "accusation", "claim", "charge", "fear", "worry", "debate", "risk", "possibility",
    }
)


def _evidenced(noun: Token, lex: Lexicons) -> bool:
    """ "evidence of distillation", "signs of smuggling": a finding that the wrongdoing happened."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in lex["evidence_nouns"]:
        return not any(c.lower_ in ("no", "little") for c in head.head.children)
    return False


def _happened(noun: Token, lex: Lexicons) -> bool:
    """ "IP theft had occurred": the wrongdoing noun is the subject of a verb of happening."""
    return (
        noun.dep_ == "nsubj"
        and noun.head.lemma_.lower() in ("occur", "happen", "take")
        and not is_negated(noun.head)
    )


COPULAS = frozenset({"be", "constitute", "amount", "represent", "equal"})
EQUATING_ADJECTIVES = frozenset({"tantamount", "equivalent", "akin", "equal", "comparable"})


def _discovered(noun: Token, lex: Lexicons) -> bool:
    """ "detected obfuscated methods", "identified distillation attempts": the object of a verb of finding,
    so the wrongdoing it is marked with is asserted, not merely mentioned."""
    while noun.dep_ == "conj":
        noun = noun.head
    verb = noun.head
    return (
        noun.dep_ == "dobj"
        and verb.pos_ == "VERB"
        and verb.lemma_.lower() in lex["discovery_verbs"]
        and not is_negated(verb)
        and not _modal(verb, lex)
        and not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)  # "tools to detect ..."
        and not any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in noun.children)
    )


def _predicated(noun: Token) -> bool:
    """ "such actions constitute economic coercion", "this is theft", "amounts to bullying": the wrongdoing
    noun is said of something, asserted rather than mentioned."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ == "to" and head.head.lemma_.lower() == "amount":
        head = head.head
    elif noun.dep_ == "pobj" and head.lower_ == "to" and head.head.lemma_.lower() in EQUATING_ADJECTIVES:
        head = head.head.head  # "this is tantamount to free-riding"
    elif noun.dep_ not in ("attr", "dobj"):
        return False
    if head.lemma_.lower() not in COPULAS or head.pos_ not in ("VERB", "AUX"):
        return False
    return not is_negated(head) and not any(
        c.dep_ in ("aux", "auxpass") and c.tag_ == "MD" for c in head.children
    )


def _agentive(subject: Token | None, emap: EntityMap, lex: Lexicons) -> bool:
    """A subject that can do wrong: a named entity, a named group, or a personal pronoun."""
    if subject is None:
        return False
    if subject.lower_ in ("that", "which", "who") and subject.head.dep_ == "relcl":
        subject = subject.head.head
    if emap.at(subject) is not None:
        return True
    return subject.lower_ in ("they", "he", "she", "we") or is_group_doer(subject, lex)


def _modal(verb: Token, lex: Lexicons) -> bool:
    """ "could copy", "may be smuggled": possibility, not assertion."""
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in lex["modal_aux"] for c in verb.children)


def _suspected(verb: Token, lex: Lexicons) -> bool:
    """ "may have used", "might have copied": a past act suspected (a hedged accusation), unlike a
    possibility to come ("could copy")."""
    auxes = [c.lower_ for c in verb.children if c.dep_ == "aux"]
    return "have" in auxes and any(a in ("may", "might", "could") for a in auxes)


def _in_question(token: Token, inside: set[int] | None = None) -> bool:
    """True inside a "whether"/"if" clause or under a noun of doubt ("doubts regarding using OpenAI's
    outputs", "concerns about smuggling"): what it describes is asked or discussed, not asserted."""
    for node in (token, *token.ancestors):
        if inside is not None and node.i not in inside:
            return False  # the content ends here: what embeds it ("the allegation that ...") is its cue
        if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in node.children):
            return True
        if node.i != token.i and node.pos_ == "NOUN" and node.lemma_.lower() in DOUBT_NOUNS:
            return True
        if node.dep_ == "prep" and node.lower_ in ("regarding", "about", "concerning", "surrounding"):
            return True  # "addressed doubts regarding using OpenAI's data": a topic, not an assertion
        if node.pos_ in ("VERB", "AUX") and node.i != token.i and any(
            c.dep_ in ("nsubj", "nsubjpass") for c in node.children
        ):
            return False  # reached the clause that asserts
    return False


def is_wrongdoing_cue(tok: Token, lex: Lexicons) -> bool:
    """A word that marks wrongdoing: a wrongdoing verb or noun, a modifier such as "fraudulent", copying a
    model, using its outputs to train."""
    return _is_cue(tok, lex)


def _is_cue(tok: Token, lex: Lexicons) -> bool:
    lemma = tok.lemma_.lower()
    if lemma in ("ride", "rider", "riding") and tok.i >= 2 and tok.doc[tok.i - 2].lower_ == "free":
        return True  # "free-riding", split by the tokenizer
    if tok.pos_ in ("VERB", "AUX") and lemma in lex["wrongdoing"]:
        return True
    if tok.pos_ == "VERB" and lemma == "fail" and children_with(tok, ("xcomp",)):
        return True  # "had failed to honour commitments"
    if lemma in lex["wrongdoing_modifiers"] or tok.lower_ in lex["wrongdoing_modifiers"]:
        return True
    if tok.pos_ in ("NOUN", "PROPN") and lemma in lex["wrongdoing_nouns"]:
        return True
    if tok.pos_ == "VERB" and lemma in lex["imitation_verbs"] and lemma not in lex["wrongdoing"]:
        return any(
            t.lemma_.lower() in lex["imitated_nouns"]
            for c in tok.children
            if c.dep_ in ("dobj", "prep")
            for t in c.subtree
        )
    if tok.pos_ == "VERB" and lemma in lex["use_verbs"]:
        if any(
            t.lemma_.lower() in lex["output_nouns"]
            for c in tok.children
            if c.dep_ in ("dobj", "prep")
            for t in c.subtree
        ):
            return True
        # "used its proprietary model for training", "used OpenAI's models to train R1"
        model_object = any(
            c.dep_ == "dobj" and c.lemma_.lower() in ("model", "data", "system")
            and not any(g.lower_ == "own" for g in c.children)  # "used its own model": its own
            for c in tok.children
        )
        objects = [c for c in tok.children if c.dep_ == "dobj"]
        purpose = any(
            (c.dep_ == "prep" and any(t.lemma_.lower() in ("training", "train") for t in c.subtree))
            or (c.dep_ in ("xcomp", "advcl") and c.lemma_.lower() in ("train", "build", "develop"))
            # "used its proprietary model for training": the parser may hang the purpose on the object
            for c in (*tok.children, *[g for o in objects for g in o.children if g.dep_ == "prep"])
        )
        return lemma == "use" and model_object and purpose
    return False


def doers(
    subject: Token, emap: EntityMap, exclude: set[str], ctx_starts: list[int], lex: Lexicons
) -> list[Mention]:
    """Entities a subject phrase names: the entity itself and its conjuncts ("DeepSeek and MiniMax"), or
    the organisations inside it ("accounts linked to DeepSeek, Moonshot AI and MiniMax")."""
    direct = emap.at(subject)
    # a plural nominal ("the attackers", "the firms") is a group, never the one organisation named last
    plural_noun = subject.pos_ == "NOUN" and subject.tag_ == "NNS"
    mention = direct or (None if plural_noun else resolve_reference(subject, emap, ctx_starts, lex)[0])
    if mention is not None:
        # "DeepSeek and MiniMax", "three developers, DeepSeek, Moonshot AI and MiniMax"
        named = [subject, *subject.conjuncts]
        for token in list(named):
            for appos in (c for c in token.children if c.dep_ == "appos"):
                named.extend([appos, *appos.conjuncts])
        found = [mention] + [emap.at(c) for c in named if emap.at(c) is not None]
    else:  # organisations inside the phrase, never a country adjective ("PRC-based companies") nor an
        # owner ("a weapon in the Party's arsenal": the Party owns the arsenal, the weapon acts)
        # not the source of an "according to" the parser hung on this noun
        aside = {t.i for c in subject.children if c.lower_ == "according" for t in c.subtree}
        found = [
            emap.at(t)
            for t in subject.subtree
            if t.i not in aside
            and emap.at(t) is not None
            and emap.at(t).type != "country"
            and t.doc[emap.at(t).token_i].dep_ != "poss"
        ]
    out: dict[str, Mention] = {}
    for m in found:
        if m.entity_id not in exclude and m.type in ACCUSED_TYPES:
            out.setdefault(m.entity_id, m)
    if any(m.type != "country" for m in out.values()):
        out = {k: m for k, m in out.items() if m.type != "country"}
    acting_nouns = {*lex["policy_nouns"], *lex["conduct_nouns"]}
    if not out and mention is None and subject.lemma_.lower() in acting_nouns:
        # "US export curbs weaponise trade", "the U.S. bullying behavior undermines ...": a country's policy
        # or conduct acts for that country
        for child in subject.children:
            owner = emap.at(child) if child.dep_ in ("compound", "poss", "amod", "nmod") else None
            if owner is not None and owner.type == "country" and owner.entity_id not in exclude:
                return [owner]
    if not out and direct is None and is_group_doer(subject, lex):
        # "PRC-based companies", "these operations", "three Chinese AI labs": a named group, kept by its text
        return [group_mention(subject)]
    return list(out.values())


GROUP = "group"  # the type of a target named only as a group (entity id empty, text as written)


def _as_group(token: Token) -> list[Mention]:
    """A party named by a plural common noun only ("operators"), kept by its text."""
    return [group_mention(token)] if token.pos_ == "NOUN" and token.tag_ == "NNS" else []


def group_mention(token: Token) -> Mention:
    """A target that is a group named by a noun phrase, with no entity id."""
    return Mention("", GROUP, token.i, token.lower_)


def is_group_doer(token: Token, lex: Lexicons) -> bool:
    """A noun phrase naming parties that can do wrong ("Chinese AI firms", "the operations", "the
    defendants"); not things ("the data", "its models") and not a bare determiner-less singular."""
    if token.pos_ not in ("NOUN", "PROPN") or token.ent_type_ in ("DATE", "MONEY", "CARDINAL", "PERCENT"):
        return False
    lemma = token.lemma_.lower()
    if lemma not in lex["doer_nouns"] and lemma not in lex["group_nouns"]:
        return False
    # a bare plural is generic ("a technique used by developers"), a determined one names a group, as does
    # one placed somewhere ("groups in the PRC", "firms based in China")
    if any(c.dep_ in ("det", "nummod", "amod", "compound", "poss") for c in token.children):
        return True
    return any(
        c.dep_ in ("prep", "acl") and c.lower_ in ("in", "from", "based", "linked", "tied", "connected")
        for c in token.children
    )


def _acl_noun_between(token: Token, verb: Token) -> Token | None:
    """The noun modified by a participle (``acl``) on the way from ``token`` up to ``verb``, if any."""
    current = token
    while current.i != verb.i and current.head.i != current.i:
        if current.dep_ == "acl" and current.pos_ == "VERB" and current.head.pos_ in ("NOUN", "PROPN"):
            return current.head
        current = current.head
    return None


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
    any_cue = asserted = strong = False
    inside = {t.i for t in tokens}
    for tok in tokens:
        if not _is_cue(tok, lex) or _in_question(tok, inside):
            continue
        strong = strong or tok.pos_ in ("VERB", "AUX", "NOUN", "PROPN")
        # the single-organisation fallback needs a cue that asserts something: not "the distilled version"
        # (a product) and not a noun merely mentioned ("standards for detecting distillation")
        any_cue = any_cue or (tok.dep_ not in ("amod", "compound") and tok.pos_ not in ("NOUN", "PROPN"))
        if tok.dep_ == "amod" and tok.head.pos_ == "NOUN":
            # "its wrongful practices", "DeepSeek's fraudulent accounts": the owner of the marked thing
            for cand in (c for c in tok.head.children if c.dep_ == "poss"):
                found = doers(cand, emap, exclude, sent_starts, lex)
                if found and found[0].type != GROUP:
                    return found, True, True
            if _discovered(tok.head, lex):
                cue_seen = any_cue = asserted = True  # "detected new, obfuscated methods"
            maker = tok.head.head
            if (
                tok.head.dep_ == "dobj"
                and maker.lemma_.lower() in lex["instrument_verbs"]
                and not is_negated(maker)
                and not _modal(maker, lex)
            ):
                # "the firms created 24,000 fraudulent accounts", "used fake accounts": who made or used
                # the marked instrument
                subject, passive = subject_of(maker)
                usable = subject is not None and not passive
                found = doers(subject, emap, exclude, sent_starts, lex) if usable else []
                if found:
                    return found, True, True
        if tok.pos_ in ("NOUN", "PROPN"):
            # "DeepSeek's distillation", "distillation by DeepSeek"; a governing verb's subject only counts
            # when the verb is one of doing ("engaged in distillation"), not "opposes the abuse of ..."
            by_doers = _by_doers(tok)
            # "the U.S. abuse of control measures", "DeepSeek's distillation": a named owner or modifier
            named_modifiers = [c for c in tok.children if c.dep_ == "compound" and emap.at(c) is not None]
            for cand in [c for c in tok.children if c.dep_ == "poss"] + named_modifiers + by_doers:
                found = doers(cand, emap, exclude, sent_starts, lex)
                if found:
                    return found, True, True
            noun = tok.head if tok.dep_ in ("compound", "amod") and tok.head.pos_ == "NOUN" else tok
            if noun.dep_ == "dobj" and noun.head.lemma_.lower() in lex["attribution_verbs"]:
                # "traced the distillation campaign back to operators connected with Alibaba"
                found = [
                    m
                    for o in attributed_to(noun.head)
                    for m in doers(o, emap, exclude, sent_starts, lex) or _as_group(o)
                ]
                if found:
                    return found, True, True
            governing = noun.head  # "ran distillation campaigns": the campaigns' verb
            while governing.pos_ == "ADP" and governing.head.i != governing.i:
                governing = governing.head
            no_det = any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in tok.children)
            # "does not have backdoors", "did not engage in distillation": the noun is what is negated
            direct = noun.dep_ == "dobj" or (noun.dep_ == "pobj" and noun.head.lower_ == "in")
            if no_det or (direct and governing.pos_ in ("VERB", "AUX") and is_negated(governing)):
                return (
                    [],
                    "negated",
                    True,
                )  # "Nvidia does not have backdoors", "the H20 contains no backdoors"
            if by_doers or governing.lemma_.lower() in lex["doing_verbs"]:
                cue_seen = any_cue = True
            if _evidenced(noun, lex) or _happened(noun, lex) or _predicated(noun) or _discovered(noun, lex):
                # "saw evidence of distillation", "theft had occurred", "the measures constitute coercion"
                cue_seen = any_cue = asserted = True
            if governing.lemma_.lower() not in lex["doing_verbs"]:
                continue
        elif tok.tag_ == "VBG" and tok.dep_ == "pcomp" and tok.head.lower_ in ("for", "of"):
            # "clamp down on Chinese rivals for extracting outputs": the noun the gerund hangs on did it
            owner = tok.head.head
            if owner.pos_ in ("VERB", "AUX"):
                # "clamp down on Chinese rivals for extracting", "sued X for copying": the party acted on
                acted = [
                    o for c in owner.children
                    for o in ([c] if c.dep_ == "dobj" else children_with(c, ("pobj",)) if c.dep_ == "prep"
                              and c.lower_ in ("on", "against") else [])
                ]
                owner = acted[0] if acted else owner
            if owner.pos_ in ("NOUN", "PROPN"):
                found = doers(owner, emap, exclude, sent_starts, lex)
                if found:
                    return found, True, True
                continue  # "the subject of hacking": a topic, asserted of nobody
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
            if _discovered(tok.head, lex):
                cue_seen = any_cue = asserted = True  # "disrupted an attempt to extract its IP"
            infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
            if tok.dep_ == "acl" and not infinitive and not children_with(tok, ("nsubj", "nsubjpass")):
                # "individuals linked to DeepSeek exfiltrating data": the participle's doer is the noun
                found = doers(tok.head, emap, exclude, sent_starts, lex)
                if found:
                    return found, True, True
        controller = tok
        while controller.dep_ == "xcomp" and controller.head.pos_ in ("VERB", "AUX"):
            controller = controller.head  # "are trying to distill": the subject of "trying" distils
        own_clause = _governing_verb(tok, stop) is controller
        if tok.pos_ not in ("VERB", "AUX", "NOUN", "PROPN") or own_clause:
            # a cue verb with its own (unnamed) doer ("PRC-based companies distilled ...") or a modifier
            # ("fraudulent accounts") asserts wrongdoing; a cue verb governed by another verb ("meant to stop
            # smuggling") does not
            cue_seen = True
        acts = not _modal(controller, lex) or _suspected(controller, lex)
        if own_clause and tok.pos_ in ("VERB", "AUX") and acts:
            # a wrongdoing verb in a clause of its own with an agent: "the firms copied Claude"; not a
            # definition ("a technique that uses a teacher's outputs")
            subject, passive = subject_of(controller)
            # "the method is being exploited": a passive wrongdoing with no agent still says it happened
            asserted = asserted or _agentive(subject, emap, lex) or (passive and subject is None)
        verb = _governing_verb(tok, stop)
        if verb is None:
            # "observed attempts by accounts linked to DeepSeek to circumvent ...": the participle's noun
            modified = _acl_noun_between(tok, tok.sent.root) if tok.pos_ in ("VERB", "AUX") else None
            found = doers(modified, emap, exclude, sent_starts, lex) if modified is not None else []
            purpose = tok.dep_ == "acl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
            if purpose and modified is not None and tok.head.i == modified.i:
                # "curbs as part of a campaign to weaponize trade": the campaign's purpose names no party
                found = [m for m in found if m.type != GROUP]
            if found:
                return found, True, True
            continue
        if is_negated(verb) and (tok.pos_ in ("VERB", "AUX") or verb.i == tok.head.i):
            return [], "negated", True
        modified = _acl_noun_between(tok, verb)
        if modified is not None:
            # "accounts linked to DeepSeek ... through fraudulent accounts": the participle's noun acts
            found = doers(modified, emap, exclude, sent_starts, lex)
            if found:
                return found, True, True
        subj, _passive = subject_of(verb)
        if subj is None or (_modal(verb, lex) and not _suspected(verb, lex)):
            continue  # no doer, or a possibility ("DeepSeek could copy the model") rather than an act
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
        if len(orgs) == 1 and asserted:
            return list(orgs.values()), True, False
    if asserted:
        return [], "asserted", False
    # a lone modifier ("an inappropriate timing") asserts nothing
    return [], cue_seen if strong else False, False


def classify_content(
    tokens: list[Token], emap: EntityMap, lex: Lexicons, own_side: set[str], sent_starts: list[int]
) -> tuple[str, list[Mention], str]:
    """Kind of a speech verb's content: (kind, accused, confidence key); ``own_side`` is never accused.

    A wrongdoing cue asserted of nobody named gives kind ``unnamed``: an accusation whose target the text
    does not name. A wrongdoing word asserted of no one ("methods designed to evade its defenses") leaves a
    statement: the attribution is kept with what is known, never dropped.
    """
    words = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
    accusation_noun = bool(words & set(lex["accusation_nouns"]))
    conditional = bool(words & {"if", "whether", "unless"})
    weak = accusation_noun and bool(words & set(lex["weak_denial_cues"])) and not conditional
    if words & set(lex["denial_cues"]) or weak:
        return "denial", [], "content"
    for tok in tokens:
        if (
            tok.lemma_.lower() in lex["denial"]
            and tok.pos_ == "VERB"
            and not is_negated(tok)
            and any(o.lemma_.lower() in lex["accusation_nouns"] for o in children_with(tok, ("dobj",)))
        ):
            return "denial", [], "content"
    targets, cue, syntactic = wrongdoer_in(tokens, emap, lex, own_side, sent_starts)
    if cue == "negated":
        return "denial", [], "content"
    if targets:
        return "accusation", targets, "content" if syntactic else "content_weak"
    if cue == "asserted":
        return "unnamed", [], "content_weak"  # wrongdoing asserted, its doer not named
    return "statement", [], "statement"


def topic_counts(
    tokens: Iterable[Token], mentions: Iterable[Mention], lex: Lexicons
) -> tuple[int, int]:
    """(distillation, export-controls) cue counts of some tokens and entity mentions."""
    distill, export = set(lex["topic_distillation"]), set(lex["topic_export_controls"])
    d = e = 0
    for tok in tokens:
        word, lemma = tok.lower_, tok.lemma_.lower()
        d += word in distill or lemma in distill
        e += word in export or lemma in export
    for mention in mentions:
        d += mention.type == "ai_model"
        e += mention.type in ("chip", "policy")
    return d, e


def topic_of(tokens: Iterable[Token], mentions: Iterable[Mention], lex: Lexicons) -> str | None:
    """``distillation`` or ``export-controls`` by cue words and entity types; None on a tie."""
    return topic_from(*topic_counts(tokens, mentions, lex))


def topic_from(d: int, e: int) -> str | None:
    if d == e:
        return None
    return "distillation" if d > e else "export-controls"
