"""Claims of the form "According to X, ..." or "..., per X" (:func:`claims_according_to`): X is the speaker
and the rest of the sentence the content, or X is only the channel of a claim the rest of the sentence holds.
"""

from __future__ import annotations

from aiwatch.extract.claim_model import Claim, ClaimContext, build_claim
from aiwatch.extract.content import classify_content
from aiwatch.extract.cues import is_heading
from aiwatch.extract.references import in_regions
from spacy.tokens import Span, Token


def claims_according_to(sent: Span, ctx: ClaimContext, inner: list[Claim]) -> list[Claim]:
    """Claims of the form "According to X, ..." (X is the speaker; the rest of the sentence the content).
    When the rest holds a claim of its own ("According to the WSJ, Anthropic claimed ..."), X is that
    claim's channel instead and makes no claim."""
    out = []
    doc = ctx.doc
    for tok in sent:
        per = tok.lower_ == "per" and _per_source(tok, ctx)
        if not per and (tok.lower_ != "according" or tok.i + 1 >= sent.end or doc[tok.i + 1].lower_ != "to"):
            continue
        if in_regions(tok.i, ctx.regions) or is_heading(sent):
            continue
        pobj = next((c for c in (tok if per else doc[tok.i + 1]).children if c.dep_ == "pobj"), None)
        if pobj is None and not per:
            # a misparsed source ("according to show insiders"): the last noun before the punctuation
            after = []
            for t in doc[tok.i + 2 : min(tok.i + 8, sent.end)]:
                if t.is_punct:
                    break
                after.append(t)
            pobj = next((t for t in reversed(after) if t.pos_ in ("NOUN", "PROPN")), None)
        speaker = ctx.speaker(pobj, speaking=True)
        if speaker is None or (per and speaker.kind not in ("outlet", "document", "entity", "person")):
            continue
        phrase = {t.i for t in tok.subtree} | _title_after(pobj)
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
        cue = [tok] if per else [tok, doc[tok.i + 1]]
        out.extend(
            build_claim(ctx, sent, cue, speaker, kind, kind_how, t, content, False,
                        "per" if per else "according to")
            for t in (targets or [None])
        )
    return out


def _per_source(tok: Token, ctx: ClaimContext) -> bool:
    """ "..., per NBC News", "per the filing": "per" naming a source (a name or a document), not a rate
    ("$5 per chip", "per cent")."""
    pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
    if tok.dep_ != "prep" or pobj is None:
        return False
    return pobj.pos_ == "PROPN" or pobj.lemma_.lower() in ctx.lex["document_nouns"] and any(
        c.dep_ in ("det", "poss") for c in pobj.children
    )


def _title_after(source: Token) -> set[int]:
    """The source's title, set off by commas, wherever the parser hung it ("According to Hultquist, Chief
    Analyst at GTIG, the attackers ..."): its employer speaks through it and is never the accused."""
    doc, sent = source.doc, source.sent
    out = {t.i for c in source.children if c.dep_ == "appos" for t in c.subtree}
    comma = source.right_edge.i + 1
    if comma >= sent.end or doc[comma].text != ",":
        return out
    for end in range(comma + 1, min(comma + 10, sent.end)):
        if doc[end].pos_ in ("VERB", "AUX"):
            break
        if doc[end].text == ",":
            return out | set(range(comma, end + 1))
    return out
