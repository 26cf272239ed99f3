"""Claims of act verbs, one function per kind: accusations ("accused DeepSeek of ..."), denials ("denied
the claims"), policy actions (only with a governmental actor) and announcements, each with what it acts
upon. Called from :mod:`aiwatch.extract.verb_claims` once the verb's speaker is known and the act is not
negated, reported or hypothetical. The entity types that may speak, act or be announced are defined here.
"""

from __future__ import annotations

from aiwatch.extract.claim_model import Claim, ClaimContext, build_claim
from aiwatch.extract.content import ACCUSED_TYPES, GROUP, doers, wrongdoer_in
from aiwatch.extract.cues import LICENCE_NOUNS, acts_against_wrongdoing, attributed_to, trigger_family
from aiwatch.extract.references import (
    CLAUSE_DEPS,
    EntityMap,
    Mention,
    children_with,
    head_entity,
    resolve_reference,
    subject_of,
)
from aiwatch.extract.speakers import Speaker, as_mention
from spacy.tokens import Span, Token

SPEAKER_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person", "country"})
POLICY_SPEAKER_TYPES = frozenset({"government", "country", "person"})
ANNOUNCER_TYPES = frozenset({"ai_lab", "company", "organization", "government", "person"})
ANNOUNCED_TYPES = frozenset({"ai_model", "chip", "policy"})
# Unnamed actors a policy action can have: "the regulator summoned", "authorities banned".
GOVERNMENT_HEADS = frozenset(
    {
        "regulator", "regulators", "watchdog", "authorities", "authority", "agency", "ministry", "department",
        "administration", "government", "bureau", "commission", "committee", "prosecutors", "prosecutor",
        "court", "judge", "customs", "police", "officials", "lawmakers", "congress", "senate", "house",
        "cabinet", "council", "office", "embassy", "legislature", "parliament", "regime", "enforcement",
    }
)


# Acts that undo an earlier act ("reversed the decision", "lifted the ban").
REVERSAL_VERBS = frozenset({"reverse", "lift", "rescind", "revoke", "ease", "loosen", "relax", "suspend"})
# Trade acts that a licence is required for ("a licence is required to export its H20 chips").
TRADE_VERBS = frozenset({"export", "sell", "ship", "supply", "import", "buy", "transfer"})
# How far below a policy verb's object the entity acted upon may sit, and clauses it may not sit in.
POLICY_TARGET_DEPTH = 4
POLICY_CLAUSE_DEPS = CLAUSE_DEPS | {"appos", "parataxis"}


def claims_of_accusation(
    verb: Token,
    sent: Span,
    ctx: ClaimContext,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
) -> list[Claim]:
    """Accusations by verb: the accused are the doers named in the object, after "against", in an alleged
    clause or before the charge; with neither side named there is no claim."""
    lex = ctx.lex
    lemma = verb.lemma_.lower()
    if lemma in lex["attribution_verbs"]:
        # "links the campaign to operators connected with Alibaba": the party after "to" did it
        objects = attributed_to(verb)
    targets = [m for o in objects for m in doers(o, ctx.emap, exclude, ctx.sent_starts, lex)]
    if not targets and trigger_family(verb, {**lex, "accusation": []}) != "accusation":
        against = ("against", "on") if acts_against_wrongdoing(verb, lex) else ("against",)
        targets = [
            m
            for p in children_with(verb, ("prep",))
            if p.lower_ in against
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
        build_claim(ctx, sent, cue, speaker, "accusation", "verb", t, content, False, lemma)
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
        if usable and mention.type == "country" and tok.dep_ in ("compound", "amod", "nmod"):
            usable = False  # "charges two U.S. citizens with ...": the country only describes them
        if usable and all(m.entity_id != mention.entity_id for m in out):
            out.append(mention)
    return []


def claims_of_denial(
    verb: Token,
    sent: Span,
    ctx: ClaimContext,
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
    claim_noun = verb.head if verb.dep_ == "relcl" else None
    if target is None and claim_noun is not None and claim_noun.lemma_.lower() in lex["accusation_nouns"]:
        # "Washington has framed it as a threat, a claim the companies have denied": the claim's maker
        maker = claim_noun.head
        subject = subject_of(maker)[0] if maker.pos_ in ("VERB", "AUX") and maker.i < claim_noun.i else None
        found = ctx.speaker(subject) if subject is not None else None
        if found is not None and found.entity_id and found.entity_id not in exclude:
            target = as_mention(found)
    return [
        build_claim(ctx, sent, cue, speaker, "denial", "verb", target, content, False, verb.lemma_.lower())
    ]


def policy_actor(speaker: Speaker, ctx: ClaimContext) -> bool:
    """A policy action needs a governmental actor: a government entity, a country or person, or an unnamed
    agency ("the regulator", "authorities", "Chinese regulators")."""
    if speaker.entity_id is not None:
        return speaker.type in POLICY_SPEAKER_TYPES
    head = ctx.doc[speaker.token_i]
    return head.lower_ in GOVERNMENT_HEADS or head.lemma_.lower() in GOVERNMENT_HEADS


def claims_of_policy(
    verb: Token,
    sent: Span,
    ctx: ClaimContext,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
) -> list[Claim]:
    """Policy actions: a governmental actor acting on an object or through a preposition; the target is the
    entity acted upon, never the list a party is added to."""
    if not policy_actor(speaker, ctx):
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
        found = head_entity(obj, ctx.emap, exclude, None, deep, POLICY_TARGET_DEPTH)
        if found is not None and _country_of_thing(obj, found, ctx):
            found = None  # "summoned the US chipmaker", "seized a PRC fishing boat": the thing is acted on
        if found is not None and (_maker_of_thing(obj, found, ctx) or _in_purpose(found, obj, ctx)):
            found = None
        target = target or found or _described(obj, ctx, exclude)
        if target is not None and target.type == "policy" and listing:
            target = None  # "added X to the Entity List": X is acted upon, not the list
        if target is not None and listing and target.type == "country" and target.token_i != obj.i:
            # "added 40 entities from China": the country is where the listed parties come from
            target = _group_object(obj) or target
        if target is None and listing and obj.pos_ == "NOUN":
            target = _group_object(obj)
    for prep in preps:
        if listing and prep.lower_ in ("to", "from"):
            continue  # the list itself, or where the listed parties come from ("80 entities from China")
        target = target or head_entity(prep, ctx.emap, exclude, None, deep, POLICY_TARGET_DEPTH)
    if target is None:
        # "unveiled new export controls to curb China's chipmaking": the party the act's purpose names;
        # "a licence is required to export its H20 chips": the goods a licence is required for
        licensed = any(o.lemma_.lower() in LICENCE_NOUNS for o in objects)
        for purpose in children_with(verb, ("advcl", "xcomp")):
            infinitive = any(a.lower_ == "to" for a in purpose.children)
            trade = licensed and purpose.lemma_.lower() in TRADE_VERBS
            if infinitive and (purpose.lemma_.lower() in ctx.lex["policy"] or trade):
                for obj in children_with(purpose, ("dobj",)):
                    target = target or head_entity(obj, ctx.emap, exclude, None, deep, 2)
    if target is None and lemma in REVERSAL_VERBS:
        target = _reversed_act_target(verb, objects, ctx, exclude)
    targets = [target, *_conjoined(target, ctx, exclude)] if target is not None else [None]
    return [build_claim(ctx, sent, cue, speaker, "policy_action", "verb", t, content, False, lemma)
            for t in targets]


def _reversed_act_target(
    verb: Token, objects: list[Token], ctx: ClaimContext, exclude: set[str]
) -> Mention | None:
    """ "banned H20 sales in April, but later reversed the decision": undoing a definite act named just
    before by the same actor acts on what that act did (the entity of the first conjunct's object)."""
    earlier = verb.head
    pointing = any(
        o.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in o.children)
        and (o.lemma_.lower() in ("decision", "move") or o.lemma_.lower() in ctx.lex["policy_nouns"])
        for o in objects
    )
    if verb.dep_ != "conj" or not pointing or ctx.family(earlier) != "policy":
        return None
    acted_on = children_with(earlier, ("dobj",))
    found = (head_entity(o, ctx.emap, exclude, None, POLICY_CLAUSE_DEPS, 2) for o in acted_on)
    return next((m for m in found if m is not None), None)


def _described(obj: Token, ctx: ClaimContext, exclude: set[str]) -> Mention | None:
    """ "summoned the US chipmaker", "fined the company": a definite description of an organisation named
    before, resolved like a pronoun."""
    definite = any(c.dep_ == "det" and c.lower_ == "the" for c in obj.children)
    if not definite or obj.pos_ != "NOUN" or obj.lemma_.lower() not in ctx.lex["org_nouns"]:
        return None
    found = resolve_reference(obj, ctx.emap, ctx.sent_starts, ctx.lex)[0]
    return found if found is not None and found.entity_id not in exclude else None


def _conjoined(target: Mention, ctx: ClaimContext, exclude: set[str]) -> list[Mention]:
    """Parties conjoined with the target, acted on alike ("restrictions on Nvidia's H20 chips and AMD's
    MI308 chips"): the entity heading each conjunct of the target's phrase."""
    phrase = ctx.doc[target.token_i]
    while phrase.dep_ in ("compound", "poss", "nmod", "amod") and phrase.head.i != phrase.i:
        phrase = phrase.head
    out: list[Mention] = []
    for conj in phrase.conjuncts:
        # of the target's type: "AMD's MI308 chips" is the MI308, not AMD
        found = head_entity(conj, ctx.emap, exclude, frozenset({target.type}), POLICY_CLAUSE_DEPS, 1)
        if found is not None and found.entity_id != target.entity_id:
            out.append(found)
    return out


def _country_of_thing(obj: Token, found: Mention, ctx: ClaimContext) -> bool:
    """The found entity is only a country modifying a common-noun object ("the US chipmaker"), unless the
    same country also owns the object ("curb China's (PRC) ability": the bracketed name repeats the owner)."""
    token = ctx.doc[found.token_i]
    owned = any(
        c.dep_ == "poss" and (m := ctx.emap.at(c)) is not None and m.entity_id == found.entity_id
        for c in obj.children
    )
    return found.type == "country" and obj.pos_ == "NOUN" and token.head.i == obj.i and not owned and (
        token.dep_ in ("compound", "amod", "nmod")
    )


def _maker_of_thing(obj: Token, found: Mention, ctx: ClaimContext) -> bool:
    """The found entity is only the maker of the goods acted on ("seized 200 Nvidia GPUs"): a company or lab
    compounded with a common noun that names no party ("summoned Nvidia representatives" acts on Nvidia)."""
    token = ctx.doc[found.token_i]
    parties = ("org_nouns", "doer_nouns", "group_nouns", "role_nouns", "person_role_nouns")
    lemma = obj.lemma_.lower()
    party = any(lemma in ctx.lex[key] or obj.lower_ in ctx.lex[key] for key in parties)
    return (
        found.type in ("company", "ai_lab")
        and obj.dep_ == "dobj"  # goods handled, not an inquiry's subject ("whether Nvidia chips ...")
        and obj.pos_ == "NOUN"
        and not party
        and token.head.i == obj.i
        and token.dep_ in ("compound", "nmod")
        and not any(c.dep_ == "case" for c in token.children)
    )


def _in_purpose(found: Mention, obj: Token, ctx: ClaimContext) -> bool:
    """The found entity sits in an infinitive describing the object ("stopped attempts to export servers
    through Vietnam"): the attempt is acted on, not the places it names."""
    token = ctx.doc[found.token_i]
    while token.i != obj.i and token.head.i != token.i:
        if token.dep_ == "acl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
            return True
        token = token.head
    return False


def _group_object(obj: Token) -> Mention | None:
    """"added 80 entities to the Entity List": the listed parties as a group named by its text."""
    if obj.tag_ in ("NNS", "NNPS") and any(c.dep_ in ("nummod", "amod") for c in obj.children):
        return Mention("", GROUP, obj.i, obj.lower_)
    return None


def claims_of_announcement(
    verb: Token,
    sent: Span,
    ctx: ClaimContext,
    speaker: Speaker,
    objects: list[Token],
    content: list[Token],
    exclude: set[str],
    cue: list[Token],
) -> list[Claim]:
    """Announcements: an announcer announcing a model, chip or policy, something announceable, or a clause."""
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
    return [build_claim(ctx, sent, cue, speaker, "announcement", "verb", target, content, False, lemma)]
