"""Claims cued by a noun: nominal reports with their owner and a "that" clause ("OpenAI's allegation that
DeepSeek copied its models") and nominal policy acts with a named governmental actor ("the Commerce
Department's ban on H20 sales").
"""

from __future__ import annotations

from aiwatch.extract.acts import POLICY_CLAUSE_DEPS
from aiwatch.extract.claim_model import Claim, ClaimContext, build_claim
from aiwatch.extract.content import classify_content
from aiwatch.extract.cues import heading_blocks
from aiwatch.extract.references import Mention, children_with, head_entity, in_regions
from aiwatch.extract.speakers import Speaker, entity_tokens
from spacy.tokens import Span, Token


def claims_of_claim_nouns(sent: Span, ctx: ClaimContext, candidates: list[Token]) -> list[Claim]:
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
            build_claim(ctx, sent, [noun], speaker, kind, kind_how, t, content, quoted, lemma)
            for t in (targets or [None])
        )
    return out


HYPOTHETICAL_MODIFIERS = frozenset(
    {"proposed", "possible", "potential", "planned", "threatened", "future", "mooted", "draft", "looming"}
)


def claims_of_policy_nouns(
    sent: Span, ctx: ClaimContext, candidates: list[Token] | None = None
) -> list[Claim]:
    """Nominal policy actions with a named actor: "the Commerce Department's ban on H20 sales", "White House
    curbs on memory chips", "restrictions imposed by the bureau". The actor must be a government body or
    official named in the phrase ("China's export ban" is the Chinese government's); a country only as a
    modifier ("US chip export curbs") is background, not a reported act; a proposal is no act."""
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
        actor, agent_speaker = None, None
        for child in noun.children:
            if child.dep_ in ("poss", "compound") and ctx.emap.at(child) is not None:
                actor = actor or ctx.emap.at(child)
            if child.dep_ == "acl" and child.tag_ == "VBN":
                for agent in children_with(child, ("agent",)):
                    for pobj in children_with(agent, ("pobj",)):
                        actor = actor or ctx.emap.at(pobj)
                        # "restrictions imposed by Washington": a name that only speaks for a government
                        agent_speaker = agent_speaker or ctx.speaker(pobj)
        if actor is None and agent_speaker is not None and agent_speaker.entity_id is not None:
            actor = Mention(agent_speaker.entity_id, agent_speaker.type or "", agent_speaker.token_i, "")
        possessive = actor is not None and ctx.doc[actor.token_i].dep_ == "poss"
        if possessive and actor.type == "country" and actor.entity_id in ctx.emap.governments:
            # "US export curbs", "China's export ban": the country's government acts
            actor = Mention(ctx.emap.governments[actor.entity_id], "government", actor.token_i, actor.name)
        if actor is None or actor.type not in ("government", "person"):
            continue
        start, end = entity_tokens(doc[actor.token_i], ctx.emap)
        kind = "person" if actor.type == "person" else "entity"
        end_char = doc[end - 1].idx + len(doc[end - 1])
        text, begin = doc[start:end].text, doc[start].idx
        speaker = Speaker(actor.entity_id, actor.type, text, begin, end_char, kind, "modifier", actor.token_i)
        if agent_speaker is not None and agent_speaker.entity_id == actor.entity_id:
            speaker = agent_speaker
        exclude = ctx.own_side(speaker)
        target = None
        # "restrictions on X", or "restrictions imposed by the bureau on X"
        imposing = [c for c in children_with(noun, ("acl",)) if children_with(c, ("agent",))]
        for prep in [p for holder in (noun, *imposing) for p in children_with(holder, ("prep",))]:
            if prep.lower_ in ("on", "against", "to", "targeting"):
                target = target or head_entity(prep, ctx.emap, exclude, None, POLICY_CLAUSE_DEPS, 3)
        for child in children_with(noun, ("compound",)):
            found = ctx.emap.at(child)
            if target is None and found is not None and found.entity_id != actor.entity_id:
                target = found if found.type in ("chip", "ai_model", "company", "ai_lab") else None
        target = target or _trade_destination(noun, ctx, exclude)
        content = [t for t in noun.subtree if not t.is_space]
        lemma = noun.lemma_.lower()
        out.append(
            build_claim(ctx, sent, [noun], speaker, "policy_action", "verb", target, content, False, lemma)
        )
    return out


TRADE_NOUNS = frozenset({"sale", "sales", "export", "exports", "shipment", "shipments"})


def _trade_destination(noun: Token, ctx: ClaimContext, exclude: set[str]) -> Mention | None:
    """ "restrictions on the sale of memory chips made in the US to China": the country a restricted trade
    goes to, wherever the parser hung its "to" inside the trade phrase."""
    for prep in noun.subtree:
        if prep.dep_ != "prep" or prep.lower_ != "to":
            continue
        trade, head = False, prep.head
        while head.i != noun.i:  # the words between the policy noun and the "to"
            trade = trade or head.lower_ in TRADE_NOUNS
            head = head.head
        found = head_entity(prep, ctx.emap, exclude, frozenset({"country"}), POLICY_CLAUSE_DEPS, 1)
        if trade and found is not None:
            return found
    return None
