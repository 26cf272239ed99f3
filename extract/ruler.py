"""``aiwatch_kb_ruler_v1``: mark knowledge-base aliases as entities before the statistical NER runs.

Aliases are matched on tokens (``LOWER`` for normal aliases, ``ORTH`` for strict ones), so a possessive
"'s" or a leading "the" are separate tokens and never part of a match. Matched spans become ``doc.ents``
with ``kb_id_`` and ``ent_id_`` set to the canonical id; the NER that follows keeps them and only labels
the rest. Aliases match with either apostrophe ("People's" and "People’s"), and a KB person's name
followed by "Jr." is left to the NER (the son is not the father). (Marking stop words such as "AI" as
outside does not stop the NER from tagging them, so the resolver removes such junk entities after the NER
instead.)
"""

from __future__ import annotations

import logging

from aiwatch.extract.kbindex import TYPE_LABELS, KBIndex
from aiwatch.extract.normalize import GENERATIONAL
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


def apostrophe_variants(alias: str) -> tuple[str, ...]:
    """The alias as written and with the other apostrophe ("People's" / "People’s"): news text uses both.

    >>> apostrophe_variants("People's Daily")
    ("People's Daily", 'People’s Daily')
    """
    if "'" in alias:
        return alias, alias.replace("'", "\u2019")
    if "\u2019" in alias:
        return alias, alias.replace("\u2019", "'")
    return (alias,)


def has_generational_suffix(doc: Doc, end: int) -> bool:
    """The token at ``end`` (after a name) is "Jr.", "Sr.", "II", "III" or "IV", a comma allowed before."""
    i = end + 1 if end < len(doc) and doc[end].text == "," else end
    return i < len(doc) and doc[i].text.rstrip(".").lower() in GENERATIONAL


class KBRuler:
    """Phrase matcher over KB aliases; call :meth:`set_kb` before use."""

    def __init__(self, nlp: Language, name: str, overwrite_ents: bool) -> None:
        self.nlp = nlp
        self.name = name
        self.overwrite_ents = overwrite_ents
        self.index = KBIndex()
        self.normal = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.strict = PhraseMatcher(nlp.vocab, attr="ORTH")

    def set_kb(self, index: KBIndex) -> None:
        """Replace the patterns with the aliases of ``index`` (ambiguous aliases are left out)."""
        self.index = index
        self.normal = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.strict = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        folded: dict[str, set[str]] = {}
        for alias, ids in index.aliases.items():
            for variant in apostrophe_variants(alias):
                folded.setdefault(variant.lower(), set()).update(ids)
        strict: dict[str, set[str]] = {}
        for alias, ids in index.strict_aliases.items():
            for variant in apostrophe_variants(alias):
                strict.setdefault(variant, set()).update(ids)
        for matcher, table in ((self.normal, folded), (self.strict, strict)):
            by_id: dict[str, list[str]] = {}
            for alias, ids in table.items():
                if len(ids) != 1:
                    log.warning(
                        "alias %r names several entities (%s); not matched", alias, ", ".join(sorted(ids))
                    )
                    continue
                by_id.setdefault(next(iter(ids)), []).append(alias)
            for entity_id, aliases in by_id.items():
                matcher.add(entity_id, list(self.nlp.tokenizer.pipe(aliases)))

    def kb_spans(self, doc: Doc) -> list[Span]:
        """Longest non-overlapping alias matches as labelled spans carrying the canonical id; a person's
        name followed by "Jr." or "III" names someone else (the son) and is not matched."""
        spans = []
        for matcher in (self.normal, self.strict):
            for match_id, start, end in matcher(doc):
                entity_id = self.nlp.vocab.strings[match_id]
                entity_type = self.index.type_of(entity_id) or "other"
                if entity_type == "person" and has_generational_suffix(doc, end):
                    continue
                label = TYPE_LABELS.get(entity_type, "MISC")
                spans.append(Span(doc, start, end, label=label, kb_id=entity_id, span_id=entity_id))
        return filter_spans(spans)

    def __call__(self, doc: Doc) -> Doc:
        spans = self.kb_spans(doc)
        if not self.overwrite_ents:
            existing = list(doc.ents)
            spans = filter_spans(existing + spans)
        doc.set_ents(spans, default="missing")
        return doc


@Language.factory(
    "aiwatch_kb_ruler_v1",
    assigns=["doc.ents", "token.ent_type", "token.ent_iob", "token.ent_kb_id", "token.ent_id"],
    default_config={"overwrite_ents": True},
)
def make_kb_ruler(nlp: Language, name: str, overwrite_ents: bool) -> KBRuler:
    return KBRuler(nlp, name, overwrite_ents)
