"""Claims cued by a verb (:func:`claims_for_verb`): which verbs cue at all, the speaker (subject, passive
agent, a speaker after the verb or stranded before it, the named members of a group, conjoined speakers),
the channel ("told Reuters", an outlet relaying someone's speech) and, for reporting cues (speech,
cognition, evidence), the kind their content makes. Act verbs (accusation, denial, policy, announcement)
are labelled in :mod:`aiwatch.extract.acts`. Called per verb by :func:`aiwatch.extract.claims.extract_claims`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from aiwatch.extract.acts import (
    GOVERNMENT_HEADS,
    claims_of_accusation,
    claims_of_announcement,
    claims_of_denial,
    claims_of_policy,
    policy_actor,
)
from aiwatch.extract.claim_model import IN_SPEECH, Claim, ClaimContext, build_claim, mark_negated
from aiwatch.extract.content import ACCUSED_TYPES, classify_content, doers, is_wrongdoing_cue
from aiwatch.extract.cues import (
    REPORTING,
    calls_for,
    content_tokens,
    directed_party,
    heading_blocks,
    holds_evidence,
    inquires,
    interrupts,
    is_hypothetical,
    is_policy_noun,
    is_reported,
    own_participle,
    reporting_head,
    voices_stance,
)
from aiwatch.extract.references import (
    EntityMap,
    Lexicons,
    Mention,
    children_with,
    head_entity,
    in_regions,
    is_negated,
    subject_of,
)
from aiwatch.extract.speakers import Speaker, is_outlet, phrase_tokens, speaker_of
from spacy.tokens import Span, Token

PRODUCT_TYPES = frozenset({"chip", "ai_model"})
SCARE_QUOTE_TOKENS = 3  # a quotation this short marks words, it does not quote speech
QUOTING_VERBS = frozenset({"cite", "quote"})
RULE_DETERMINERS = frozenset({"these", "the", "this", "such", "those"})
DECIDED_MODALS = frozenset({"will", "would", "'ll", "wo"})  # a decision told, not a possibility
PLAN_HEADS = frozenset({"plan", "intend", "prepare", "aim"})  # "plans to launch": an announced plan
# Cue families a speaker voices, so an outlet can relay them ("Bloomberg reported that OpenAI accused ...").
SPOKEN = REPORTING | {"accusation", "denial"}
# Speaker kinds that can only report (say, find, show), never act (ban, accuse by verb, announce).
REPORTING_ONLY_KINDS = frozenset({"document", "outlet", "anonymous"})


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


def inverted_speaker(verb: Token, ctx: ClaimContext) -> Token | None:
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


TIME_SPANS = frozenset({"days", "weeks", "months", "years", "shortly", "soon", "just", "long", "day", "week"})


def settled_background(verb: Token) -> bool:
    """A past act set beside the report as its background ("said it could resume sales, months after the
    Commerce Department restricted them", "since Washington banned ..."): a fact the sentence states, not
    the speaker's words. Only a past-tense clause after "since"/"because", or after "after"/"when" measured
    back from the report ("months after", "shortly after"), never an open "after X lifts the ban"."""
    if verb.dep_ != "advcl" or verb.tag_ != "VBD":
        return False
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    measured = any(c.dep_ in ("npadvmod", "advmod") and c.lower_ in TIME_SPANS for c in verb.children)
    return bool(marks & {"since", "because"}) or (bool(marks & {"after", "when"}) and measured)


def _subject_ok(verb: Token, ctx: ClaimContext) -> tuple[Speaker | None, Token | None, bool]:
    subj, passive = subject_of(verb)
    if subj is None and not passive and verb.lemma_.lower() in ctx.lex["speaking_verbs"]:
        subj = inverted_speaker(verb, ctx) or stranded_subject(verb)
    speaking = verb.lemma_.lower() in ctx.lex["speaking_verbs"] and not passive and subj is not None
    speaker = ctx.speaker(subj, speaking)
    return speaker, subj, passive


def document_sender(verb: Token, lex: Lexicons) -> Token | None:
    """The verb that delivered a document this participle speaks for ("OpenAI sent a memo to lawmakers
    accusing DeepSeek of ...", "submitted a letter warning that ..."): the sender is its subject."""
    if verb.tag_ != "VBG" or verb.dep_ not in ("acl", "advcl"):
        return None
    head = verb.head
    if verb.dep_ == "acl" and head.dep_ == "pobj" and head.head.dep_ in ("prep", "dative"):
        head = head.head.head  # "a letter to lawmakers warning ...": the participle hangs on the addressee
    if verb.dep_ == "acl" and head.lemma_.lower() in lex["document_nouns"] and head.dep_ == "dobj":
        head = head.head  # "a memo accusing ...": the noun's verb
    if head.pos_ != "VERB" or head.lemma_.lower() not in lex["delivery_verbs"]:
        return None
    sent_document = any(o.lemma_.lower() in lex["document_nouns"] for o in children_with(head, ("dobj",)))
    return head if sent_document else None


def directed_objects(verb: Token, ctx: ClaimContext) -> list[Token]:
    """What a directive acts on: the chip or model the directed act concerns ("instructed Alibaba to
    terminate its orders for the RTX Pro 6000D"), else the party told ("asked Nvidia to explain")."""
    told = directed_party(verb)
    if told is None:
        return []
    for clause in (c for c in verb.children if c.dep_ in ("xcomp", "ccomp")):
        for obj in children_with(clause, ("dobj",)):
            if head_entity(obj, ctx.emap, set(), PRODUCT_TYPES, max_depth=3) is not None:
                return [obj]
    return [told]


def is_rule(subject: Token, ctx: ClaimContext) -> bool:
    """ "these updates", "the new rules", "the measures": a policy named by a definite or demonstrative
    noun, not by its issuer ("the US rules" names theirs)."""
    lemma = subject.lemma_.lower()
    policy = lemma in ctx.lex["policy_nouns"] or lemma in ctx.lex["policy_heads"]
    pointed = any(c.dep_ == "det" and c.lower_ in RULE_DETERMINERS for c in subject.children)
    unowned = not any(ctx.emap.at(t) is not None for t in subject.subtree)
    return subject.pos_ == "NOUN" and policy and pointed and unowned


def _quoted_claims(verb: Token, quoted: Token, sent: Span, ctx: ClaimContext, family: str) -> list[Claim]:
    speaker = ctx.speaker(quoted, True)
    if speaker is None or in_regions(verb.i, ctx.regions):
        return []
    claims = _claims_by(verb, sent, ctx, family, speaker, False)
    outlet = ctx.speaker(subject_of(verb.head.head)[0])
    for claim in claims:
        if outlet is not None:
            claim.via_id, claim.via_text = outlet.entity_id, outlet.text
    return claims


def _imposing_teller(verb: Token, thing: Token, ctx: ClaimContext) -> Speaker | None:
    """The authority that tells a party its product "would require a licence": the teller of the clause
    when the requirement's subject is a thing (a chip, a product), not an actor."""
    named = ctx.emap.at(thing)
    if verb.lemma_.lower() != "require" or (named is not None and named.type not in PRODUCT_TYPES):
        return None
    head = reporting_head(verb, ctx.lex)
    if head is None or head.lemma_.lower() not in ("inform", "tell", "notify"):
        return None
    teller_token, _ = subject_of(head)
    teller = ctx.speaker(teller_token, True) if teller_token is not None else None
    return teller if teller is not None and policy_actor(teller, ctx) else None


def _subordinate(party: Token, ctx: ClaimContext) -> bool:
    """A party an authority can direct: a company, lab, organisation or person, named or not; never a
    country or government ("asked the US to correct its practices" is diplomacy, not a policy act)."""
    mention = ctx.emap.at(party)
    return mention is None or mention.type not in ("country", "government")


def withdraws_permission(verb: Token, lex: Lexicons) -> bool:
    """A negated permission that bans: "will no longer allow", "would not permit" (not "has not approved
    yet", a decision still to come)."""
    if verb.lemma_.lower() not in lex["permission_verbs"]:
        return False
    no_longer = any(c.lower_ == "longer" for c in verb.children if c.dep_ == "advmod")
    decided = any(c.dep_ == "aux" and c.lower_ in DECIDED_MODALS for c in verb.children)
    return no_longer or decided


def finding_gerund(verb: Token, lex: Lexicons) -> Token | None:
    """ "opened proceedings against Nvidia on finding it had failed to comply", "drew attention after
    launching AI models": a finding (or saying, or launch) made in the course of the main act; returns that
    act's verb, whose subject did it."""
    if verb.tag_ != "VBG" or verb.dep_ != "pcomp" or verb.head.lower_ not in ("on", "upon", "after"):
        return None
    act = verb.head.head
    said = children_with(verb, ("ccomp",)) or (
        verb.lemma_.lower() in lex["announcement"] and children_with(verb, ("dobj",))
    )
    return act if act.pos_ == "VERB" and said else None


def announcing_actor(verb: Token, ctx: ClaimContext) -> Speaker | None:
    """The authority announcing an agentless act on a policy ("the ministry announced that controls on
    graphite will be strengthened"): the subject of the announcing verb, when governmental; whether the act
    is decided or only possible is judged as for any act it announces (:func:`_self_announced`)."""
    policy_subject = any(
        is_policy_noun(s, ctx.lex) for s in children_with(verb, ("nsubjpass",))
    )
    if not policy_subject or verb.dep_ != "ccomp" or ctx.family(verb.head) not in ("announcement", "speech"):
        return None
    teller, passive = subject_of(verb.head)
    actor = ctx.speaker(teller, True) if teller is not None and not passive else None
    return actor if actor is not None and actor.entity_id is not None and policy_actor(actor, ctx) else None


DECISION_NOUNS = frozenset({"announcement", "decision"})


def decision_owner(verb: Token, lex: Lexicons) -> Token | None:
    """The owner of a decision or announcement whose act the verb names: "the department's announcement of
    adding 80 entities", "the ministry's decision to ban the H20" (not a plan or a proposal to act)."""
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.lower_ == "of":
        noun = verb.head.head
    elif verb.dep_ == "acl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        noun = verb.head
    else:
        return None
    if noun.pos_ != "NOUN" or noun.lemma_.lower() not in DECISION_NOUNS:
        return None
    return next((c for c in noun.children if c.dep_ == "poss"), None)


def included_act(verb: Token) -> bool:
    """ "took measures, including restricting China's access", "responded by banning ...": a gerund naming
    an act done as part of the main verb's (its subject is the actor)."""
    prep = verb.head
    return verb.dep_ == "pcomp" and prep.lower_ in ("including", "by") and prep.head.pos_ in ("VERB", "AUX")


def telegraphic_subject(verb: Token) -> Token | None:
    """ "Seven entities added for missile work": a headline-style line (a noun heading the sentence, a bare
    participle after it, no agent) says the noun was acted on; returns that noun."""
    head = verb.head
    bare = not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children)
    line = head.dep_ == "ROOT" and head.pos_ in ("NOUN", "PROPN") and head.i < verb.i
    return head if verb.dep_ == "acl" and verb.tag_ == "VBN" and bare and line else None


def quoted_as_saying(verb: Token) -> Token | None:
    """ "Bloomberg cited people familiar with the matter as saying ...", "quoted Lin as saying ...": the
    party quoted (the object of "cite"/"quote"), whose claim "saying" introduces."""
    if verb.dep_ != "pcomp" or verb.head.lower_ != "as" or verb.head.head.lemma_.lower() not in QUOTING_VERBS:
        return None
    return next(iter(children_with(verb.head.head, ("dobj",))), None)


def _cut_at(speaker: Speaker | None, verb: Token) -> Speaker | None:
    """The speaker phrase up to the participle it speaks through ("a report by the FT" of "a report by the
    FT claiming that ...")."""
    if speaker is None or speaker.start is None or speaker.end is None or speaker.end <= verb.idx:
        return speaker
    kept = [t for t in verb.doc[verb.head.left_edge.i : verb.i] if not t.is_punct and not t.is_space]
    if not kept:
        return speaker
    end = kept[-1].idx + len(kept[-1])
    return replace(speaker, text=verb.doc.text[speaker.start : end], end=end)


STANCE_PREPOSITIONS = frozenset({"about", "over", "regarding", "on", "toward", "towards", "of"})


def stance_target(verb: Token, ctx: ClaimContext, exclude: set[str]) -> Mention | None:
    """The party a stance is about, named in the cue's own phrase: "voiced skepticism about DeepSeek",
    "praised DeepSeek's models", "questioned whether DeepSeek trained its models itself". Never the subject
    of a reported clause ("said China was only receiving ..." has no target)."""
    lex, lemma = ctx.lex, verb.lemma_.lower()
    if voices_stance(verb, lex):
        phrases = [
            o
            for noun in children_with(verb, ("dobj",))
            for prep in children_with(noun, ("prep",))
            if prep.lower_ in STANCE_PREPOSITIONS
            for o in children_with(prep, ("pobj",))
        ]
    elif lemma in lex["appraisal_verbs"]:
        phrases = children_with(verb, ("dobj",))
    elif lemma in lex["doubt_verbs"] or lemma in lex["inquiry_verbs"]:
        # the doer the question is about: the agent of a passive clause ("whether data was obtained by a
        # group linked to DeepSeek"), else its active subject; never what was done to ("whether OpenAI's
        # data was misused")
        phrases = [
            s
            for clause in children_with(verb, ("ccomp", "advcl"))
            if any(m.lower_ in ("whether", "if") for m in children_with(clause, ("mark",)))
            for s in (
                [o for a in children_with(clause, ("agent",)) for o in children_with(a, ("pobj",))]
                or children_with(clause, ("nsubj",))
            )
        ]
    else:
        return None
    return next((m for p in phrases if (m := head_entity(p, ctx.emap, exclude, ACCUSED_TYPES))), None)


def _outlet_agent(verb: Token, lex: Lexicons) -> bool:
    """A participle whose agent is a news outlet ("first reported by the Financial Times")."""
    agents = [o for a in children_with(verb, ("agent",)) for o in children_with(a, ("pobj",))]
    return any(is_outlet(verb.doc[slice(*phrase_tokens(o))].text, lex) for o in agents)


def claims_for_verb(verb: Token, sent: Span, ctx: ClaimContext) -> list[Claim]:
    """Claims cued by one verb (empty when it has no usable speaker or kind)."""
    lex = ctx.lex
    family = ctx.family(verb)
    if verb.lemma_.lower() in QUOTING_VERBS and any(quoted_as_saying(t) is not None for t in verb.subtree):
        return []  # the outlet is the channel of the quoted party's claim (see :func:`quoted_as_saying`)
    quoted = quoted_as_saying(verb) if family in REPORTING else None
    if quoted is not None:
        return _quoted_claims(verb, quoted, sent, ctx, family)
    by_saying = verb.dep_ == "pcomp" and verb.head.lower_ == "by"  # "responded by saying ..."
    # "has taken measures, including restricting China's access to chips": an act of the main verb's subject
    by_saying = by_saying or (family == "policy" and verb.tag_ == "VBG" and included_act(verb))
    decider = decision_owner(verb, lex) if family == "policy" else None
    by_saying = by_saying or decider is not None
    participle = own_participle(verb, lex)
    sender = document_sender(verb, lex) if family in SPOKEN else None
    if family in SPOKEN | {"announcement"}:
        sender = sender or finding_gerund(verb, lex)
    told = directed_party(verb) if verb.lemma_.lower() in lex["directive_verbs"] else None
    directive = told is not None and _subordinate(told, ctx)
    family = family or ("policy" if directive else None)
    listed = telegraphic_subject(verb) if verb.lemma_.lower() in lex["policy"] else None
    if listed is not None and not in_regions(verb.i, ctx.regions):
        # "• Seven entities added for ...": a list line continuing the same act just before
        actor = ctx.recent_actor(sent, verb.lemma_.lower())
        if actor is None:
            return []
        content = [t for t in verb.subtree if sent.start <= t.i < sent.end]
        return claims_of_policy(verb, sent, ctx, actor, [listed], content, ctx.own_side(actor), [verb])
    reported_by = family in REPORTING and verb.dep_ == "acl" and _outlet_agent(verb, lex)
    # "a report by the Financial Times claiming that ...": the document speaks (for its author)
    document_says = (
        family in SPOKEN and sender is None and verb.tag_ == "VBG" and verb.dep_ == "acl"
        and verb.head.lemma_.lower() in lex["document_nouns"]
    )
    # "given that American experts had said ...": a clause with its own subject under a preposition
    clause_of_its_own = verb.dep_ == "pcomp" and bool(children_with(verb, ("nsubj",)))
    if (
        family is None
        or verb.pos_ != "VERB"
        or (verb.dep_ in ("amod", "acl", "compound", "pcomp") and not by_saying and sender is None
            and not reported_by and not document_says and not clause_of_its_own)
    ):
        return []
    reported = is_reported(sender or verb, lex) and not by_saying
    if document_says and (head := reporting_head(verb, lex)) is not None and head.i == verb.head.i:
        reported = False  # "a report claiming ...": the report noun is the speaker, not an outer report
    if reported and family in SPOKEN and relay_of(sender or verb, ctx) is not None:
        reported = False  # relayed by an outlet: the inner speaker's own claim
    in_speech = reported and family == "policy" and (
        verb.dep_ in ("ccomp", "conj", "relcl") or settled_background(verb)
    )
    if in_speech:
        # "Nvidia said the US government informed it that the H20 would require a licence": the act is
        # reported, but it is the government's act (a future one only per :func:`_self_announced`)
        reported = False
    in_quote = in_regions(verb.i, [r for r in ctx.regions if r[1] - r[0] > SCARE_QUOTE_TOKENS])
    if in_quote or reported or heading_blocks(sent, verb):
        return []  # (a verb in scare quotes, 'to "clamp down" on', is still the sentence's own)
    if verb.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children):
        return []  # a bare participle modifies ("a version, called R1-0528"); it reports nothing
    # "Nvidia denied any wrongdoing, saying ..." is one claim; after an act ("suspended downloads, saying
    # ...") or a non-cue verb ("attacked Clinton, saying ...") the participle reports on its own
    merged = ctx.family(verb.head) in SPOKEN and sender is None
    if verb.tag_ == "VBG" and verb.dep_ == "advcl" and not participle and merged:
        return []  # "Nvidia denied any wrongdoing, saying ..." is one claim
    if verb.dep_ in ("xcomp", "ccomp") and verb.head.lemma_.lower() == "be":
        return []  # "US policy was to deny China the best chips" describes, it does not act
    base = verb  # "asked the company to list ... and to explain": judge the first conjunct's attachment
    while base.dep_ == "conj" and base.head.pos_ in ("VERB", "AUX"):
        base = base.head
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in (*verb.children, *base.children))
    if infinitive and base.dep_ == "xcomp" and any(o.i < base.i for o in children_with(base.head, ("dobj",))):
        return []  # object control: "asked Nvidia to explain" (Nvidia would explain, not the subject)
    if base.dep_ == "advcl" and infinitive and children_with(base.head, ("dobj",)):
        return []  # purpose clause: "summoned Nvidia to explain" (the doer is not the subject)
    if document_says:
        if _inner_speech(verb, ctx):
            return []  # "reports suggesting that OpenAI researchers believed ...": the inner claim carries it
        speaker, subj, passive = _cut_at(ctx.speaker(verb.head, True), verb), verb.head, False
    elif participle and verb.head.dep_ == "ccomp" and (outer := reporting_head(verb.head, lex)) is not None:
        # "Lutnick argued that China was only receiving ..., emphasizing ...": a participle the parser hangs
        # on the reported clause adds to the report, so its speaker is the reporter, not that clause's subject
        speaker, subj, passive = _subject_ok(outer, ctx)
    else:
        speaker, subj, passive = _subject_ok(sender or verb, ctx)
    if decider is not None:
        # "the department's announcement of adding 80 entities": the owner of the decision acts
        speaker, subj, passive = ctx.speaker(decider, True), decider, False
        if speaker is None or speaker.entity_id is None:
            return []
    if speaker is None and subj is None and passive and family == "policy":
        # "BIS added 80 entities ... 12 entities are added for ...": an agentless act goes on the last list
        actor = ctx.recent_actor(sent, verb.lemma_.lower()) or announcing_actor(verb, ctx)
        return _claims_by(verb, sent, ctx, family, actor, passive) if actor is not None else []
    if family == "policy" and subj is not None and not passive and is_rule(subj, ctx):
        # "These updates will restrict the PRC's ability to ...": a rule acts for whoever issued it last
        issuer = ctx.recent_actor(sent, None)
        return _claims_by(verb, sent, ctx, family, replace(issuer, how="issuer"), passive) if issuer else []
    if speaker is None and subj is not None and family == "policy":
        # "the government informed it that the H20 chip would require a licence": the teller imposes it
        teller = _imposing_teller(verb, subj, ctx)
        if teller is not None and not is_negated(verb):
            content = [t for t in verb.subtree if sent.start <= t.i < sent.end]
            acts = claims_of_policy(verb, sent, ctx, teller, [subj], content, ctx.own_side(teller), [verb])
            for act in acts:
                act.how.extend([IN_SPEECH] if in_speech else [])
            return acts
    if speaker is None or subj is None:
        return []
    if directive and policy_actor(speaker, ctx):
        family = "policy"  # "the regulator wants Nvidia to explain the risks": an authority's directive
    elif family == "policy" and inquires(verb, lex) and not policy_actor(speaker, ctx):
        family = "cognition"  # "Microsoft is investigating whether ...": a company's inquiry, not a probe
    if speaker.kind == "document" and speaker.entity_id is None:
        _author_from_outer_cue(speaker, verb, ctx)
        author = _author_of_document(subj, ctx)
        if author is not None and family in ("policy", "accusation"):
            speaker = author  # "The indictment, which the Justice Department announced, charges four ..."
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
    relay = relay_of(sender or verb, ctx) if family in SPOKEN else None
    if relay is not None:
        via = (relay.entity_id, relay.text)
    if via is not None:
        for claim in claims:
            claim.via_id, claim.via_text = via
    return claims


def _author_from_outer_cue(speaker: Speaker, verb: Token, ctx: ClaimContext) -> None:
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


def _author_of_document(document: Token, ctx: ClaimContext) -> Speaker | None:
    """The party a relative clause says issued the document ("the indictment, which the Justice Department
    announced on Thursday"), as a speaker that can act."""
    for clause in children_with(document, ("relcl",)):
        issued = clause.lemma_.lower() in ctx.lex["delivery_verbs"] or ctx.family(clause) == "announcement"
        subject, passive = subject_of(clause)
        if not issued or passive or subject is None or subject.lower_ in ("which", "that", "who"):
            continue
        author = ctx.speaker(subject)
        if author is not None and author.entity_id is not None and author.kind not in REPORTING_ONLY_KINDS:
            return replace(author, how="modifier")
    return None


def _relay_speaker(verb: Token, ctx: ClaimContext) -> Speaker | None:
    """The speaker of a reporting verb when it relays others: an outlet ("Bloomberg reported"), or unnamed
    sources and reports ("people familiar with the matter said", "reports said")."""
    subj, _ = subject_of(verb)
    unsent = document_sender(verb, ctx.lex) is None  # "released a report concluding": the sender speaks
    on_document = verb.dep_ == "acl" and verb.head.lemma_.lower() in ctx.lex["document_nouns"]
    if subj is None and unsent and on_document:
        subj = verb.head  # "there were reports suggesting that ..."
    speaker = ctx.speaker(subj)
    if speaker is None:
        return None
    if speaker.kind == "outlet":
        return speaker
    if speaker.entity_id is None and speaker.kind in ("anonymous", "document"):
        return speaker  # "reports said OpenAI researchers thought ...", "sources said Nvidia believes ..."
    # "PANews reported that ...": an organisation outside the KB whose verb is "report" acts as an outlet
    if verb.lemma_.lower() == "report" and speaker.type == "organization" and speaker.how == "entity":
        return speaker
    return None


def relay_of(verb: Token, ctx: ClaimContext) -> Speaker | None:
    """The outlet whose report carries this speech verb ("Bloomberg reported that OpenAI said"), if any."""
    child = verb
    for ancestor in verb.ancestors:
        if child.dep_ not in ("ccomp", "conj", "xcomp", "advcl"):  # "... claimed that X began working to"
            return None
        if ctx.family(ancestor) in REPORTING and child.dep_ != "conj":  # "said ... and stressed": no relay
            return _relay_speaker(ancestor, ctx)
        child = ancestor
    return None


def _inner_speakers(verb: Token, ctx: ClaimContext) -> Iterator[tuple[Token, Speaker]]:
    """The speech or belief verbs, with their speakers, in the clause ``verb`` reports (conjuncts too)."""
    for clause in children_with(verb, ("ccomp",)):
        for node in (clause, *[c for c in clause.children if c.dep_ == "conj"]):
            subj = subject_of(node)[0] if ctx.family(node) in SPOKEN else None
            if subj is not None and (inner := ctx.speaker(subj)) is not None:
                yield node, inner


def _inner_speech(verb: Token, ctx: ClaimContext) -> bool:
    """The clause ``verb`` reports holds a speech or belief verb with a speaker of its own."""
    return next(_inner_speakers(verb, ctx), None) is not None


def relayed_speech(verb: Token, ctx: ClaimContext) -> Token | None:
    """A speech verb with its own speaker inside an outlet's report ("Bloomberg reported that OpenAI
    said ..."): the outlet then makes no claim of its own."""
    relay = _relay_speaker(verb, ctx)
    if relay is None or relay.kind in ("anonymous", "document"):
        return None  # unnamed sources and reports keep a claim of their own; "PANews reported" relays
    return next((node for node, inner in _inner_speakers(verb, ctx) if inner.kind != "outlet"), None)


def _members(subj: Token, emap: EntityMap, lex: Lexicons) -> list[Speaker]:
    """Named members of a group subject: "agencies such as NASA and the Navy", "firms including X". Members
    of a governmental group are government bodies even when known only as organisations ("agencies such
    as NASA": NASA is an agency)."""
    governmental = subj.lemma_.lower() in GOVERNMENT_HEADS or subj.lower_ in GOVERNMENT_HEADS
    out = []
    for prep in subj.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("as", "like", "including"):
            continue
        for pobj in children_with(prep, ("pobj",)):
            for tok in (pobj, *pobj.conjuncts):
                member = speaker_of(tok, emap, [], lex) if emap.at(tok) is not None else None
                if member is not None and member.entity_id:
                    if governmental and member.type == "organization":
                        member = replace(member, type="government")
                    out.append(member)
    return out or _named_pair(subj, emap, lex)


PAIR_WORDS = frozenset({"both", "two"})
PAIR_REACH = 150  # tokens back to the pair a "both firms" refers to (a few sentences)


def _named_pair(subj: Token, emap: EntityMap, lex: Lexicons) -> list[Speaker]:
    """ "Nvidia and AMD ... both firms said": the two organisations last named together, for a plural
    organisation noun counted as two ("both firms", "the two companies")."""
    if subj.tag_ != "NNS" or subj.lemma_.lower() not in lex["org_nouns"]:
        return []
    if not any(c.lower_ in PAIR_WORDS for c in subj.children if c.dep_ in ("det", "predet", "nummod")):
        return []
    doc = subj.doc
    for tok in reversed(doc[max(0, subj.i - PAIR_REACH) : subj.left_edge.i]):
        first = emap.at(tok)
        if first is None or tok.dep_ == "conj" or len(tok.conjuncts) != 1:
            continue
        pair = [speaker_of(t, emap, [], lex) for t in (tok, *tok.conjuncts)]
        if all(m is not None and m.entity_id and m.kind == "entity" for m in pair):
            lo, hi = phrase_tokens(subj)
            start, end = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)
            return [
                replace(m, text=doc.text[start:end], start=start, end=end, how="pronoun", token_i=subj.i)
                for m in pair
            ]
        return []
    return []


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
    as_clauses = [c for c in children_with(verb, ("advcl",)) if any(
        m.dep_ == "mark" and m.lower_ == "as" for m in c.children)]
    if objects and (as_clauses or any(c.dep_ == "prep" and c.lower_ == "as" for c in verb.children)):
        # "described the campaigns as organised, utilising fake accounts": the "as" clause, and the
        # participle that goes on naming
        predicate += [t for c in children_with(verb, ("advcl",))
                      if c.tag_ == "VBG" or c in as_clauses for t in c.subtree]
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
    if calls_for(verb) or voices_stance(verb, lex):
        return True
    if lemma in ("tell", "urge", "warn", "advise", "instruct") and children_with(verb, ("xcomp",)):
        return True  # "told his advisers to find a way", "urged Congress to act"
    if lemma in ("claim", "deny", "admit", "pledge", "promise", "vow", "threaten") and any(
        c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in verb.children
    ):
        return True  # "the firm claimed to have built the model in two months"
    if family == "cognition":
        return lemma in lex["wish_verbs"] and any(
            c.dep_ == "xcomp" or (c.dep_ == "dobj" and children_with(c, ("xcomp",)))
            for c in verb.children
        ) or bool(children_with(verb, ("xcomp",)) and lemma in lex["wish_verbs"])
    if family == "evidence":
        found = bool(children_with(verb, ("dobj",))) and lemma in ("find", "show", "reveal")
        return found or holds_evidence(verb, lex)
    object_deps = ("dobj", "oprd", "prep") if lemma == "warn" and verb.dep_ != "relcl" else ("dobj", "oprd")
    return lemma in lex["object_speech"] and bool(children_with(verb, object_deps))


def _claims_by(
    verb: Token, sent: Span, ctx: ClaimContext, family: str, speaker: Speaker, passive: bool
) -> list[Claim]:
    """The claims of one speaker for one cue verb."""
    lex = ctx.lex
    lemma = verb.lemma_.lower()
    exclude = ctx.own_side(speaker)
    negated = is_negated(verb)
    cue = [verb] + [c for c in verb.children if c.dep_ == "prt"]
    if family in REPORTING and passive and speaker.kind == "outlet" and verb.dep_ == "acl":
        # "The arrangement, first reported by the Financial Times, ...": the outlet reported what it names
        own = {t.i for t in verb.subtree}
        reported = [t for t in verb.head.subtree if t.i < verb.i and t.i not in own and not t.is_punct]
        if reported:
            return [
                build_claim(ctx, sent, cue, speaker, "statement", "statement", None, reported, False, lemma)
            ]
    if family in REPORTING:
        content, is_quote = content_tokens(verb, sent, ctx.regions, ctx.next_sentence(sent))
        if not _has_clause(verb, family, is_quote, lex):
            return []  # "Google added its voice", "Lin was responding to a question"
        if negated:
            claim = build_claim(
                ctx, sent, cue, speaker, "statement", "negated", None, content, is_quote, lemma
            )
            return [mark_negated(claim)]
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
        if kind == "statement" and not targets:
            about = stance_target(verb, ctx, exclude)
            targets = [about] if about is not None else targets
        if kind == "unnamed":
            kind, targets, kind_how = "accusation", [], "content_weak"  # wrongdoing, doer not named
        if speaker.kind == "outlet" and kind == "accusation":
            kind, targets, kind_how = "statement", [], "statement"  # an outlet reports; it does not accuse
        return [
            build_claim(ctx, sent, cue, speaker, kind, kind_how, t, content, is_quote, lemma)
            for t in (targets or [None])
        ]
    content = [t for t in verb.subtree if t.i >= verb.i and sent.start <= t.i < sent.end]
    if negated and family == "policy" and withdraws_permission(verb, lex):
        negated = False  # "will no longer allow sales of gallium to the US": a ban
    if negated:
        claim = build_claim(ctx, sent, cue, speaker, "statement", "negated", None, content, False, lemma)
        return [mark_negated(claim)]
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
        if family == "announcement" and verb.dep_ == "xcomp" and verb.head.lemma_.lower() in PLAN_HEADS:
            hypothetical = False  # "Foster plans to introduce a bill": a plan announced is an announcement
        possible = {**lex, "modal_aux": ["could", "might", "may"]}
        if speaker.how == "issuer" and not is_hypothetical(verb, possible):
            hypothetical = False  # "these rules will restrict ...": what an issued rule does
        if hypothetical or (verb.tag_ == "VBN" and no_aux) or habitual:
            return []
    objects = children_with(verb, ("dobj", "dative"))
    if family == "policy" and lemma in set(lex["directive_verbs"]) | set(lex["permission_verbs"]):
        # "instructed Alibaba to cancel orders for the RTX Pro 6000D", "allowing Nvidia to sell its H200"
        objects = directed_objects(verb, ctx) or objects
    if family == "policy" and not objects and inquires(verb, lex):
        # "is investigating whether Nvidia chips were smuggled": the party the question is about
        clauses = children_with(verb, ("ccomp",))
        objects = [s for c in clauses for s in children_with(c, ("nsubj", "nsubjpass"))]
    if passive:
        objects = children_with(verb, ("nsubjpass",))
    if family == "accusation":
        return claims_of_accusation(verb, sent, ctx, speaker, objects, content, exclude, cue)
    if family == "denial":
        return claims_of_denial(verb, sent, ctx, speaker, objects, content, exclude, cue)
    if family == "policy":
        acts = claims_of_policy(verb, sent, ctx, speaker, objects, content, exclude, cue)
        if acts:
            ctx.acts.append((verb.i, lemma, speaker))
        if acts or lemma not in lex["announcement"]:
            return acts
        # "Nvidia released new export-compliance rules": no government, so the release is an announcement
    if family == "announcement" and children_with(verb, ("ccomp",)):
        # "GTIG announced that it had disrupted an attempt to extract ...": an announced finding of
        # wrongdoing (or a denial) is that claim; anything else stays an announcement
        said, _ = content_tokens(verb, sent, ctx.regions, ctx.next_sentence(sent))
        kind, targets, kind_how = classify_content(said, ctx.emap, lex, exclude, ctx.sent_starts)
        if kind in ("accusation", "denial", "unnamed"):
            kind = "accusation" if kind == "unnamed" else kind
            return [build_claim(ctx, sent, cue, speaker, kind, kind_how, t, said, False, lemma)
                    for t in (targets or [None])]
    return claims_of_announcement(verb, sent, ctx, speaker, objects, content, exclude, cue)


def _self_announced(verb: Token, speaker: Speaker, ctx: ClaimContext) -> bool:
    """A future act reported by its own actor or told by it to the party concerned ("Commerce said it would
    require licences", "the government informed Nvidia that the H20 would require a licence"): announced
    policy, not speculation. Only "will"/"would", never "may" or "could", and never under a plan verb."""
    if verb.dep_ in ("xcomp",) or verb.head.lemma_.lower() in ctx.lex["hypothetical_heads"]:
        return False
    modals = {c.lower_ for c in verb.children if c.dep_ == "aux" and c.tag_ == "MD"}
    if not modals or not modals <= DECIDED_MODALS:
        return False
    head = reporting_head(verb, ctx.lex)
    if head is None and verb.dep_ == "ccomp" and ctx.family(verb.head) == "announcement":
        if ctx.family(verb) != "policy":
            return False  # "announced that it will launch a chip" is one announcement, not two
        head = verb.head  # "MOFCOM announced that it will no longer allow ..."
    if head is None or speaker.entity_id is None:
        return False
    outer, _ = subject_of(head)
    teller = ctx.speaker(outer, True) if outer is not None else None
    return teller is not None and teller.entity_id in ctx.own_side(speaker) | {speaker.entity_id}
