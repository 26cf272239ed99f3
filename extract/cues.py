"""Cues and their content: which tokens report or act, and which tokens are what they report.

Pure helpers over a parsed ``Doc``; word lists from :mod:`aiwatch.extract.lexicons`. Used by
:mod:`aiwatch.extract.claims` and the detectors it runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiwatch.extract.references import Lexicons, children_with
from spacy.tokens import Span, Token

LICENCE_NOUNS = frozenset({"license", "licence", "permit", "application", "request", "approval", "waiver"})
# Families whose content is a clause or a quotation and whose kind is read from that content.
REPORTING = frozenset({"speech", "cognition", "evidence"})
FINAL_MARKS = frozenset({".", "!", "?", '"', "”", "'", "’", ")", ":", "''"})
Region = tuple[int, int]


def trigger_family(verb: Token, lex: Lexicons) -> str | None:
    """Which family a verb cues (speech, cognition, evidence, accusation, denial, policy, announcement)."""
    lemma = verb.lemma_.lower()
    if lemma == "add":
        has_to = any(c.dep_ in ("prep", "dative") and c.lower_ == "to" for c in verb.children)
        has_obj = any(c.dep_ in ("dobj", "nsubjpass") for c in verb.children)
        listed = any(c.dep_ == "nsubjpass" for c in verb.children) and not children_with(verb, ("ccomp",))
        return "policy" if (has_to and has_obj) or listed else "speech"  # "12 entities are added for ..."
    objs = children_with(verb, ("dobj", "nsubjpass", "dative"))
    if lemma == "deny":
        licence = any(o.lemma_.lower() in LICENCE_NOUNS for o in objs)
        return "policy" if licence or children_with(verb, ("dative",)) else "denial"  # "deny China the chips"
    if lemma in lex["opening_verbs"] and any(o.lemma_.lower() in lex["probe_nouns"] for o in objs):
        return "policy"  # "opened an antitrust investigation into Nvidia"
    if lemma in lex["making_verbs"] and any(o.lemma_.lower() in lex["accusation_nouns"] for o in objs):
        return "accusation"  # "made similar accusations against DeepSeek"
    if lemma in lex["echoing_verbs"] and any(o.lemma_.lower() in lex["accusation_cue_nouns"] for o in objs):
        return "accusation"  # "the White House echoed similar allegations"
    if acts_against_wrongdoing(verb, lex):
        return "accusation"  # "clamp down on Chinese competitors for extracting results"
    if voices_stance(verb, lex):
        return "speech"  # "OpenAI and Anthropic have raised similar concerns"
    if lemma == "call" and any(c.dep_ == "prt" and c.lower_ == "in" for c in verb.children) and objs:
        return "policy"  # "the regulator called in Nvidia's representatives": a summons
    if objs and any(_inquiring_purpose(c, lex) for c in children_with(verb, ("advcl", "xcomp"))):
        return "policy"  # "met Nvidia executives to question whether the H20 chips contained a backdoor"
    if lemma in lex["prevention_verbs"] and any(o.pos_ == "NOUN" for o in objs) and any(
        p.lower_ == "from" and children_with(p, ("pcomp",)) for p in children_with(verb, ("prep",))
    ):
        # "moved to keep the most advanced chips from being sold to China": goods kept from a trade act
        return "policy"
    if lemma in lex["act_verbs"] and any(is_policy_noun(o, lex) for o in objs):
        return "policy"  # "instituted new restrictions on the H20", "released export control measures"
    if lemma == "roll" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
        return None
    if lemma == "charge" and not any(c.dep_ == "prep" and c.lower_ in ("with", "of") for c in verb.children):
        # "prosecutors charged four people": an indictment, a policy act (its actor must be governmental);
        # "critics charged that ...": an allegation
        if children_with(verb, ("ccomp",)):
            return "accusation"
        return "policy" if children_with(verb, ("dobj", "nsubjpass")) else None
    if lemma == "call" and not (
        children_with(verb, ("ccomp", "oprd"))
        or any(
            c.dep_ in ("dobj",) and any(g.dep_ in ("oprd", "acomp", "amod") for g in c.children)
            for c in verb.children
        )
        or any(c.dep_ in ("oprd", "acomp") for c in verb.children)
        or calls_for(verb)
    ):
        return None
    if lemma == "point" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
        return None
    if lemma == "continue" and children_with(verb, ("xcomp",)):
        return None  # "the race continues to escalate": aspect, not "he continued"
    if lemma in lex["attribution_verbs"] and attributes_wrongdoing(verb, lex):
        return "accusation"  # "Anthropic links the campaign to operators connected with Alibaba"
    if lemma in HOLDING_VERBS and holds_evidence(verb, lex):
        return "evidence"  # "OpenAI has evidence that DeepSeek used its models", "saw signs that ..."
    for family in ("accusation", "denial", "announcement", "policy", "speech", "evidence", "cognition"):
        if lemma in lex[family]:
            return family
    if in_statement(verb, lex):
        return "speech"  # "In a blog post, Anthropic detailed ..."
    return None


def _inquiring_purpose(clause: Token, lex: Lexicons) -> bool:
    """ "to question whether ...", "to investigate whether ...": an infinitive of inquiry with an open
    question, the purpose of meeting or calling in a party (a policy act when an authority does it)."""
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)
    asking = clause.lemma_.lower() in lex["inquiry_verbs"] or clause.lemma_.lower() == "question"
    return infinitive and asking and any(
        m.lower_ in ("whether", "if") for c in children_with(clause, ("ccomp",)) for m in c.children
    )


def inquires(verb: Token, lex: Lexicons) -> bool:
    """ "investigating whether data was obtained ...": an inquiry verb with an open question."""
    return verb.lemma_.lower() in lex["inquiry_verbs"] and any(
        m.lower_ in ("whether", "if") for c in children_with(verb, ("ccomp",)) for m in c.children
    )


def acts_against_wrongdoing(verb: Token, lex: Lexicons) -> bool:
    """ "clamp down on Chinese rivals for extracting results", "act against X for smuggling": acting on a
    party for a wrongdoing accuses it (the "for" phrase names the wrongdoing)."""
    preps = {c.lower_: c for c in verb.children if c.dep_ == "prep"}
    acted = [o for p in ("on", "against") if p in preps for o in children_with(preps[p], ("pobj",))]
    if not acted:
        return False
    # the "for" phrase hangs on the verb or, misparsed, on the party acted on
    reasons = [preps.get("for")]
    reasons += [c for o in acted for c in o.children if c.dep_ == "prep" and c.lower_ == "for"]
    wrong = set(lex["wrongdoing"]) | set(lex["wrongdoing_nouns"])
    return any(
        t.lemma_.lower() in wrong and (t.tag_ == "VBG" or t.pos_ == "NOUN")
        for reason in reasons if reason is not None
        for t in reason.subtree
    )


def voices_stance(verb: Token, lex: Lexicons) -> bool:
    """ "raised similar concerns", "voiced skepticism about DeepSeek", "expressed concerns that ..."."""
    return verb.lemma_.lower() in lex["stance_verbs"] and any(
        o.lemma_.lower() in lex["stance_nouns"] for o in children_with(verb, ("dobj",))
    )


def directed_party(verb: Token) -> Token | None:
    """ "asked Nvidia to explain", "instructed Alibaba and ByteDance to cancel": the object told to act."""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    for clause in verb.children:
        if clause.dep_ not in ("xcomp", "ccomp") or not any(a.lower_ == "to" for a in clause.children):
            continue
        # the parser hangs the object either on the verb or, as a subject, on the infinitive
        told = objects or [c for c in clause.children if c.dep_ == "nsubj" and c.i > verb.i]
        if told and told[0].i < clause.i:
            return told[0]
    return None


def is_policy_noun(noun: Token, lex: Lexicons) -> bool:
    """A noun naming a policy act, or a head such as "measures" compounded with one ("export control
    measures", "licence requirements") or aimed at one ("a series of updates to its export controls")."""
    if noun.lemma_.lower() in lex["policy_nouns"]:
        return True
    holders = [noun, noun.head] if noun.dep_ == "dobj" else [noun]  # "to" on the noun or on its verb
    if noun.lemma_.lower() == "series":
        of = [o for p in noun.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
        noun = of[0] if of else noun
        holders.append(noun)
    if noun.lemma_.lower() not in lex["policy_heads"]:
        return False
    compounded = any(c.dep_ == "compound" and c.lemma_.lower() in lex["policy_nouns"] for c in noun.children)
    return compounded or any(
        o.lemma_.lower() in lex["policy_nouns"]
        for h in holders for p in h.children if p.dep_ == "prep" and p.lower_ == "to"
        for o in p.children if o.dep_ == "pobj"
    )


def attributed_to(verb: Token) -> list[Token]:
    """The parties after "to" of an attribution verb, wherever the parser hung the "to": on the verb, on its
    object or on "back" ("traced the campaign back to operators ...")."""
    holders = [verb, *children_with(verb, ("dobj", "advmod", "prt"))]
    parties = [
        o
        for h in holders
        for p in h.children
        if p.dep_ in ("prep", "dative") and p.lower_ == "to"
        for o in children_with(p, ("pobj",))
    ]
    # "... back to operators with connections to Alibaba": the party the connections lead to
    linked = [
        o
        for h in (verb, *parties)
        for w in h.children
        if w.dep_ == "prep" and w.lower_ == "with"
        for tie in children_with(w, ("pobj",))
        if tie.lemma_.lower() in ("connection", "link", "tie")
        for p in tie.children
        if p.dep_ == "prep" and p.lower_ == "to"
        for o in children_with(p, ("pobj",))
    ]
    return linked or parties


def attributes_wrongdoing(verb: Token, lex: Lexicons) -> bool:
    """ "links the campaign to operators ...", "attributed the attacks to APT31": an act of wrongdoing (or
    the actors behind one) put down to a party named after "to"."""
    acts = set(lex["doer_nouns"]) | set(lex["wrongdoing_nouns"]) | set(lex["attributed_nouns"])
    objects = children_with(verb, ("dobj",))
    return bool(attributed_to(verb)) and any(
        o.lemma_.lower() in acts or any(c.dep_ == "compound" and c.lemma_.lower() in acts for c in o.children)
        for o in objects
    )


HOLDING_VERBS = frozenset(
    {"have", "see", "gather", "obtain", "collect", "possess", "cite", "present", "find"}
)


def holds_evidence(verb: Token, lex: Lexicons) -> bool:
    """The verb's object is a piece of evidence with the clause it supports ("has proof that DeepSeek
    used ...", "saw evidence DeepSeek distilled ...")."""
    return any(
        o.lemma_.lower() in lex["evidence_nouns"]
        and any(c.dep_ in ("acl", "ccomp", "relcl") and c.pos_ in ("VERB", "AUX") for c in o.children)
        for o in children_with(verb, ("dobj",))
    )


def calls_for(verb: Token) -> bool:
    """ "called for a ban", "called on Congress to act": a demand, reported like speech."""
    return verb.lemma_.lower() == "call" and any(
        c.dep_ == "prep" and c.lower_ in ("for", "on") for c in verb.children
    )


def heading_blocks(sent: Span, verb: Token) -> bool:
    """A heading line gives no claim unless it is a sentence-case headline whose main verb is the cue
    ("Pentagon says it will review the deal"): not Title Case, not a question ("How X says it ..."),
    not a caption or a dateline."""
    if not is_heading(sent):
        return False
    first = next((t for t in sent if not t.is_space and not t.is_punct), None)
    if first is None or first.tag_ in ("WRB", "WP", "WDT") or is_title_case(sent):
        return True
    return verb.dep_ != "ROOT"


def in_statement(verb: Token, lex: Lexicons) -> bool:
    """The verb carries "in a statement/memo/post/interview" (the place a claim was made)."""
    return any(
        p.dep_ == "prep" and p.lower_ == "in" and any(
            o.dep_ == "pobj" and o.lemma_.lower() in lex["statement_nouns"] for o in p.children
        )
        for p in verb.children
    )


def is_heading(sent: Span) -> bool:
    """A line without final punctuation (sub-heading, caption, dateline) carries no claim."""
    last = next((t for t in reversed(sent) if not t.is_space), None)
    return last is None or last.text not in FINAL_MARKS


def is_title_case(sent: Span) -> bool:
    """A heading in Title Case ("Anthropic Accuses Three Labs Of Theft"): most words capitalised."""
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return len(words) >= 2 and sum(t.text[0].isupper() for t in words) >= 0.8 * len(words)


def own_participle(verb: Token, lex: Lexicons) -> bool:
    """ "..., adding that ...", "..., noting ...": a participle after another cue that reports a claim of
    its own (unlike "saying", which belongs to the claim it hangs on)."""
    return (
        verb.tag_ == "VBG"
        and verb.dep_ in ("advcl", "xcomp", "conj")
        and verb.lemma_.lower() in lex["own_participles"]
        and verb.head.i < verb.i
    )


_REPORTING_HEADS = frozenset({"speech", "accusation", "cognition", "evidence"})


def _contrast_clause(clause: Token) -> bool:
    """A "while"/"whereas" clause with a subject of its own: set beside the report, not inside it."""
    return (
        clause.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ in ("while", "whereas") for c in clause.children)
        and any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
    )


def reporting_head(verb: Token, lex: Lexicons) -> Token | None:
    """The earlier speech verb in whose clause ``verb`` sits ("X said it would ban Y" -> "said"), or None."""
    speech = {w for family in _REPORTING_HEADS for w in lex[family]} | {"accord"}
    if own_participle(verb, lex):
        return None
    child = verb
    for ancestor in verb.ancestors:
        if _contrast_clause(child):
            return None  # "X alleged that ..., while OpenAI has warned that ...": a report of its own
        # a verb of the lists that cues nothing here does not report ("the race continues to escalate")
        reports = ancestor.lemma_.lower() in speech and (
            ancestor.pos_ not in ("VERB", "AUX") or trigger_family(ancestor, lex) is not None
        )
        if ancestor.pos_ in ("NOUN", "PROPN") and child.dep_ == "relcl":
            reports = False  # "a claim the companies have denied": a relative clause is no claim's content
        if reports and ancestor.i < verb.i and child.dep_ not in ("conj", "cc"):
            own = child.dep_ == "advcl" and child.tag_ == "VBG" and own_participle(child, lex)
            return None if own else ancestor
        child = ancestor
    return None


def is_reported(verb: Token, lex: Lexicons) -> bool:
    """True when ``verb`` sits in the clause of an earlier speech verb ("X said it would ban Y")."""
    return reporting_head(verb, lex) is not None


def is_hypothetical(verb: Token, lex: Lexicons) -> bool:
    """A modal ("would require") or a governing plan/threat ("plans to ban", "urged Commerce to restrict")."""
    if any(c.dep_ == "aux" and c.lemma_.lower() in lex["modal_aux"] for c in verb.children):
        return True
    return verb.dep_ in ("xcomp", "ccomp") and verb.head.lemma_.lower() in lex["hypothetical_heads"]


def interrupts(verb: Token) -> bool:
    """A speech verb set into the clause it reports ("If controls are enforced, he argued, the US ...")."""
    return verb.dep_ == "parataxis" or (verb.dep_ == "ccomp" and verb.head.i < verb.i)


def quotes_for(verb: Token, sent: Span, regions: Sequence[Region], next_sent: Span | None) -> list[Region]:
    """The quotation(s) a speech verb introduces: regions in its sentence with the verb outside them (both
    halves of a quote split around the cue), or, after "said:", a quote opening the next line."""
    if any(s <= verb.i < e for s, e in regions):
        return []
    inside = [(s, e) for s, e in regions if e >= sent.start and s < sent.end]
    if inside:
        before = [r for r in inside if r[1] <= verb.i]
        after = [r for r in inside if r[0] > verb.i]
        nearest_before = before[-1:] if before else []
        nearest_after = after[:1] if after else []
        split = nearest_before and nearest_after
        if split and _only_attribution_between(nearest_before[0], nearest_after[0], verb):
            return nearest_before + nearest_after  # '"A," he said, "B."'
        picked = min(inside, key=lambda r: abs(r[0] - verb.i))
        return [picked]
    if verb.i - sent.start <= 4 and not children_with(verb, ("ccomp", "dobj", "xcomp")):
        # '"Does anybody know?" Graham asked.': a quote ending in "?", "!" or "," closed just before this
        # short sentence
        doc = verb.doc
        closing = [
            r
            for r in regions
            if sent.start - 2 <= r[1] <= sent.start and doc[r[1] - 1].text in ("?", "!", ",")
        ]
        if closing:
            return closing[-1:]
    last = next((t for t in reversed(sent) if not t.is_space), None)
    if last is not None and last.text == ":" and next_sent is not None:
        opening = [r for r in regions if next_sent.start <= r[0] <= next_sent.start + 2]
        if opening:
            return opening[:1]
    return []


def _only_attribution_between(first: Region, second: Region, verb: Token) -> bool:
    """Between the two halves only the cue and its speaker stand ("…," he said, "…")."""
    doc = verb.doc
    between = doc[first[1] : second[0]]
    return len(between) <= 8 and all(
        t.i == verb.i or t.head.i == verb.i or t.is_punct or t.head.head.i == verb.i for t in between
    )


def content_tokens(
    verb: Token, sent: Span, regions: Sequence[Region], next_sent: Span | None
) -> tuple[list[Token], bool]:
    """What a reporting cue reports, and whether it is (partly) quoted. A quote inside the reported clause
    ("said the chips were "unsafe"") makes the whole clause the content."""
    doc = verb.doc
    clause = children_with(verb, ("ccomp", "parataxis"))
    quotes = quotes_for(verb, sent, regions, next_sent)
    if quotes and clause:
        lo = min(t.left_edge.i for t in clause)
        hi = max(t.right_edge.i for t in clause) + 1
        if all(lo <= s and e <= hi + 1 for s, e in quotes) and lo > verb.i:
            tokens = sorted({t for c in clause for t in c.subtree}, key=lambda t: t.i)
            return tokens, True  # a mixed quote: the clause is the content
        participle = verb.tag_ == "VBG" and verb.dep_ in ("advcl", "conj", "xcomp") and verb.head.i < verb.i
        if lo > verb.i and all(e <= verb.i and (participle or e - s <= 4) for s, e in quotes):
            # 'adding entities to the "Entity List", a spokesperson said that ...': a short name in
            # quotation marks before the cue, while the cue reports the clause after it; and '"...," he
            # said, adding that ...': the participle reports its own clause, the quote is the other cue's
            quotes = []
        elif lo > verb.i and all(any(t.pos_ == "VERB" for t in doc[hi:s]) for s, e in quotes):
            # '... stressed that the company offers a way ..., but said: "The problem is ..."': a quote after
            # this cue's own clause and another verb belongs to that verb
            quotes = []
    if quotes:
        return [t for s, e in quotes for t in doc[s:e]], True
    if not clause and interrupts(verb):
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
