"""Claims in Title-Case headlines ("Anthropic Accuses DeepSeek, Moonshot, and MiniMax of Stealing ...").

The trained parser reads capitalised verbs as proper nouns, so a Title-Case line is read on its surface
instead, and only in its plainest shape: the line opens with one named entity, the next word is an
accusation, denial or policy verb in the present or past tense, and the parties acted upon are the named
entities after it, up to the first preposition ("of", "with", "over" ...). Anything else on such a line
makes no claim (and, see :func:`aiwatch.extract.claims.extract_claims`, anchors no pronoun).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiwatch.extract.references import EntityMap, Mention
from spacy.tokens import Span

# Surface verb -> (lemma, family). "Charges" accuses only with "with"/"of" after its object.
TITLE_VERBS: dict[str, tuple[str, str]] = {
    **{w: ("accuse", "accusation") for w in ("accuses", "accused", "accuse")},
    **{w: ("charge", "accusation") for w in ("charges", "charged")},
    **{w: ("blame", "accusation") for w in ("blames", "blamed")},
    **{w: ("deny", "denial") for w in ("denies", "denied")},
    **{w: ("reject", "denial") for w in ("rejects", "rejected")},
    **{w: ("dismiss", "denial") for w in ("dismisses", "dismissed")},
    **{w: ("ban", "policy") for w in ("bans", "banned")},
    **{w: ("restrict", "policy") for w in ("restricts", "restricted")},
    **{w: ("block", "policy") for w in ("blocks", "blocked")},
    **{w: ("blacklist", "policy") for w in ("blacklists", "blacklisted")},
    **{w: ("sanction", "policy") for w in ("sanctions", "sanctioned")},
    **{w: ("summon", "policy") for w in ("summons", "summoned")},
}
STOP_WORDS = frozenset({"of", "with", "over", "for", "from", "in", "on", "amid", "after", "as", "to", "into"})
LEADING = frozenset({"the"})
POSSESSIVES = frozenset({"'s", "’s"})


@dataclass
class TitleCue:
    """What a headline says: speaker token range, cue token, lemma, family and the parties acted upon."""

    speaker: Mention
    speaker_span: tuple[int, int]
    cue_i: int
    lemma: str
    family: str
    targets: list[Mention]


def title_cue(line: Span, emap: EntityMap) -> TitleCue | None:
    """The claim a Title-Case headline makes, or None when the line has not the plain shape."""
    words = [t for t in line if not t.is_space]
    start = 1 if words and words[0].lower_ in LEADING else 0
    if len(words) < start + 3:
        return None
    first = emap.at(words[start])
    if first is None:
        return None
    k = start
    while k < len(words) and emap.at(words[k]) is first:
        k += 1
    if k >= len(words) or words[k].lower_ not in TITLE_VERBS:
        return None
    lemma, family = TITLE_VERBS[words[k].lower_]
    targets: list[Mention] = []
    stopped_by = None
    rest = words[k + 1 :]
    for n, tok in enumerate(rest):
        if tok.lower_ in STOP_WORDS:
            stopped_by = tok.lower_
            break
        mention = emap.at(tok)
        if mention is None or mention.entity_id == first.entity_id or mention in targets:
            continue
        if n + 1 < len(rest) and rest[n + 1].lower_ in POSSESSIVES:
            continue  # "Accuses China's DeepSeek": the possessor only says whose the party is
        targets.append(mention)
    if lemma == "charge" and stopped_by not in ("of", "with"):
        return None  # "Nvidia Charges Higher Prices" accuses nobody
    return TitleCue(first, (words[start].i, words[k - 1].i + 1), words[k].i, lemma, family, targets)
