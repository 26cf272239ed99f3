"""``aiwatch_entity_resolver_v1``: give NER entities that are not in the KB a canonical id, or none.

For each statistical entity (PERSON, ORG, GPE, PRODUCT, LAW; NORP, dates and numbers are skipped) the name
is normalised (possessive, leading article, corporate suffix), then resolved in this order:

1. a KB entity whose normalised alias equals it ("Nvidia Corp." -> ``nvidia``);
2. for a one-word person name, the full name of a person seen in the same article ("Huang" after
   "Jensen Huang"), else the single KB person with that surname;
3. otherwise, if it passes the junk filters, a discovered entity with id ``slugify(name)`` (so variants
   of one name merge across articles), recorded in ``doc._.discovered`` as ``{id: [name, type]}``.

Entities that resolve to nothing keep an empty ``kb_id_`` and produce no mention; junk ones ("AI" tagged
as a country, "API" as an organisation) are removed from ``doc.ents``.
"""

from __future__ import annotations

from aiwatch.extract.kbindex import LABEL_TYPES, KBIndex
from aiwatch.extract.normalize import DEFAULT_STOP_NAMES, is_junk_name, normalize_name, slugify
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

# Last words that make a "PERSON" from the NER an organisation.
ORG_FINAL_WORDS = frozenset(
    {
        "AI",
        "Labs",
        "Lab",
        "Technologies",
        "Technology",
        "Group",
        "Inc",
        "Inc.",
        "Corp",
        "Corp.",
        "Ltd",
        "Ltd.",
        "LLC",
        "Research",
        "Systems",
        "Semiconductor",
        "Robotics",
    }
)

if not Doc.has_extension("discovered"):
    Doc.set_extension("discovered", default=None)


def resolve_entities(doc: Doc, index: KBIndex, stop_names: list[str], min_person_words: int = 2) -> Doc:
    """Set ``kb_id_`` on resolvable entities of ``doc`` and fill ``doc._.discovered`` (pure over the doc)."""
    discovered: dict[str, list[str]] = {}
    persons: dict[str, str] = {}  # lower-cased surname -> id of a full person name in this doc
    for ent in doc.ents:
        full = normalize_name(ent.text, ent.label_).split()
        if ent.label_ == "PERSON" and len(full) >= min_person_words:
            person_id = ent.kb_id_ or index.by_key(" ".join(full)) or slugify(" ".join(full))
            if not ent.kb_id_ and is_junk_name(" ".join(full), stop_names):
                continue
            persons.setdefault(full[-1].lower(), person_id)
            if full[0].lower() not in STOP_WORDS:  # Chinese names put the surname first ("Lin Jian")
                persons.setdefault(full[0].lower(), person_id)
    lowercase_words = {t.text for t in doc if t.is_lower and t.is_alpha}
    new_ents: list[Span] = []
    for ent in doc.ents:
        if not ent.kb_id_ and len(ent) == 1 and ent[0].text[:1].isupper() and ent[0].lower_ in persons:
            # a lone surname of a person named in full in this article, whatever the NER called it
            entity_id = persons[ent[0].lower_]
            new_ents.append(Span(doc, ent.start, ent.end, label="PERSON", kb_id=entity_id, span_id=entity_id))
            continue
        if ent.kb_id_ or ent.label_ not in LABEL_TYPES:
            new_ents.append(ent)
            continue
        if ent.label_ == "PERSON" and ent[-1].text in ORG_FINAL_WORDS:
            ent = Span(doc, ent.start, ent.end, label="ORG")  # "Halvard AI" is no person
        name = normalize_name(ent.text, ent.label_)
        entity_id = index.by_key(name, ent.label_)
        words = name.split()
        if entity_id is None and len(words) == 1:
            entity_id = persons.get(words[0].lower())
            if entity_id is None and ent.label_ == "PERSON":
                entity_id = index.by_surname(words[0])
            if entity_id is not None:
                ent = Span(doc, ent.start, ent.end, label="PERSON")
        long_enough = ent.label_ != "PERSON" or len(words) >= min_person_words
        # a capitalised common word ("Latency", "Gallium") also appears in lower case in the article
        common_word = len(words) == 1 and name.lower() in lowercase_words
        if entity_id is None and long_enough and not common_word and not is_junk_name(name, stop_names):
            entity_id = slugify(name)
            if entity_id and entity_id not in index.types:
                discovered.setdefault(entity_id, [name, LABEL_TYPES[ent.label_]])
            else:
                entity_id = None
        if entity_id:
            new_ents.append(
                Span(doc, ent.start, ent.end, label=ent.label_, kb_id=entity_id, span_id=entity_id)
            )
        elif not is_junk_name(name, stop_names):
            new_ents.append(ent)  # a plausible name we cannot resolve (e.g. a lone surname): keep, no id
    new_ents.extend(surname_mentions(doc, new_ents, persons))
    doc.ents = sorted(new_ents, key=lambda e: e.start)
    doc._.discovered = discovered
    return doc


def surname_mentions(doc: Doc, ents: list[Span], persons: dict[str, str]) -> list[Span]:
    """Capitalised surnames of people named in full elsewhere in ``doc`` that no entity covers ("Sacks
    told Fox News" after "David Sacks"); the NER often tags such lone surnames as nothing or a noun."""
    if not persons:
        return []
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    spans = []
    for token in doc:
        if token.i in taken or not token.text[:1].isupper() or token.lower_ not in persons:
            continue
        if token.i + 1 < len(doc) and doc[token.i + 1].is_title and not doc[token.i + 1].is_sent_start:
            continue  # part of a longer name the NER missed
        entity_id = persons[token.lower_]
        spans.append(Span(doc, token.i, token.i + 1, label="PERSON", kb_id=entity_id, span_id=entity_id))
    return spans


class EntityResolver:
    """Pipeline wrapper around :func:`resolve_entities`; call :meth:`set_kb` before use."""

    def __init__(self, name: str, stop_names: list[str], min_person_words: int) -> None:
        self.name = name
        self.stop_names = stop_names
        self.min_person_words = min_person_words
        self.index = KBIndex()

    def set_kb(self, index: KBIndex) -> None:
        self.index = index

    def __call__(self, doc: Doc) -> Doc:
        return resolve_entities(doc, self.index, self.stop_names, self.min_person_words)


@Language.factory(
    "aiwatch_entity_resolver_v1",
    requires=["doc.ents"],
    assigns=["doc.ents", "token.ent_kb_id", "doc._.discovered"],
    default_config={"stop_names": list(DEFAULT_STOP_NAMES), "min_person_words": 2},
)
def make_entity_resolver(
    nlp: Language, name: str, stop_names: list[str], min_person_words: int
) -> EntityResolver:
    return EntityResolver(name, stop_names, min_person_words)
