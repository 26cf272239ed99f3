"""Claims of the form "According to X, ..." (:func:`claims_according_to`): X is the speaker and the rest of
the sentence the content, or X is only the channel of a claim the rest of the sentence holds.
"""

from __future__ import annotations

from aiwatch.extract.claim_model import Claim, ClaimContext, build_claim
from aiwatch.extract.content import classify_content
from aiwatch.extract.cues import is_heading
from aiwatch.extract.references import in_regions
from spacy.tokens import Span


def claims_according_to(sent: Span, ctx: ClaimContext, inner: list[Claim]) -> list[Claim]:
    """Claims of the form "According to X, ..." (X is the speaker; the rest of the sentence the content).
    When the rest holds a claim of its own ("According to the WSJ, Anthropic claimed ..."), X is that
    claim's channel instead and makes no claim."""
    out = []
    doc = ctx.doc
    for tok in sent:
        if tok.lower_ != "according" or tok.i + 1 >= sent.end or doc[tok.i + 1].lower_ != "to":
            continue
        if in_regions(tok.i, ctx.regions) or is_heading(sent):
            continue
        pobj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
        if pobj is None:
            # a misparsed source ("according to show insiders"): the last noun before the punctuation
            after = []
            for t in doc[tok.i + 2 : min(tok.i + 8, sent.end)]:
                if t.is_punct:
                    break
                after.append(t)
            pobj = next((t for t in reversed(after) if t.pos_ in ("NOUN", "PROPN")), None)
        speaker = ctx.speaker(pobj, speaking=True)
        if speaker is None:
            continue
        phrase = {t.i for t in tok.subtree}
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
        cue = [tok, doc[tok.i + 1]]
        out.extend(
            build_claim(ctx, sent, cue, speaker, kind, kind_how, t, content, False, "according to")
            for t in (targets or [None])
        )
    return out
