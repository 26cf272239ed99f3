"""``aiwatch_entity_resolver_v2``: give NER entities that are not in the KB a canonical id, or none.

For each statistical entity (PERSON, ORG, GPE, PRODUCT, LAW; NORP, dates and numbers are skipped) the name
is normalised (possessive, leading article, corporate suffix), then resolved in this order:

1. a KB entity whose normalised alias equals it ("Nvidia Corp." -> ``nvidia``; "&" reads "and");
2. for a one-word name, the single full-name person of the article's prose with that surname ("Huang"
   after "Jensen Huang"), else the single KB person with that surname; two people sharing the surname
   (a father and son, "Donald Trump Jr.") leave it unlinked;
3. a near-miss spelling of a KB alias of a compatible type (:mod:`aiwatch.extract.fuzzy`);
4. for an organisation, the single KB organisation whose name or an alias contains it as a run of whole words
   ("Cyberspace Administration" -> ``cac``), so a short form never becomes a second node beside the curated
   one;
5. otherwise, if it passes the junk filters, a discovered entity with id ``slugify(name)`` (so variants
   of one name merge across articles), recorded in ``doc._.discovered`` as ``{id: [name, type]}``.

Before that, names the NER cuts are repaired (:mod:`aiwatch.extract.namespans`): law names become ``LAW``
spans (type ``policy``), and an acronym defined in brackets takes the id of its long form everywhere in the
article ("Bureau of Industry and Security (BIS)"), or none when the long form is a common noun.

Structure decides what may become an entity (:mod:`aiwatch.extract.chrome`): a mention on a heading,
credit, caption, contact or menu line may link to the KB or to a name the prose introduced, but never
creates a discovered entity nor anchors a surname; field labels ("Media Contact:") and time zones after a
clock time are dropped. A place is no actor (:mod:`aiwatch.extract.places`): cities and regions get no id,
countries outside the KB become discovered ``country`` entities.

Entities that resolve to nothing keep an empty ``kb_id_`` and produce no mention; junk ones ("AI" tagged
as a country, "API" as an organisation, "American AI", "Section 12") are removed from ``doc.ents``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from aiwatch.extract.chrome import Lines, follows_clock_time, is_field_label
from aiwatch.extract.fuzzy import FuzzyLinker
from aiwatch.extract.kbindex import LABEL_TYPES, KBIndex
from aiwatch.extract.namespans import (
    LAW_HEADS,
    Acronym,
    acronym_definitions,
    acronym_occurrences,
    law_name_spans,
)
from aiwatch.extract.normalize import (
    DEFAULT_STOP_NAMES,
    GENERATIONAL,
    NAME_PARTICLES,
    is_junk_name,
    is_policy_name,
    is_section_reference,
    is_shouted_phrase,
    is_truncated_name,
    normalize_name,
    person_parts,
    slugify,
    without_year,
)
from aiwatch.extract.places import place_type
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
# Parts of speech that make a word a modifier or a function word rather than part of a name.
_MODIFIER_TAGS = frozenset({"JJ", "JJR", "JJS", "DT", "PRP$", "CD"})

if not Doc.has_extension("discovered"):
    Doc.set_extension("discovered", default=None)


@dataclass
class Context:
    """What the rules need to know about one document while its entities are resolved."""

    doc: Doc
    index: KBIndex
    stops: frozenset[str]
    min_person_words: int
    lines: Lines
    fuzzy: FuzzyLinker | None
    lowercase_words: frozenset[str]
    persons: dict[str, set[str]] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)  # slug -> type of non-place NER readings
    discovered: dict[str, list[str]] = field(default_factory=dict)

    def person_for(self, word: str) -> str | None:
        """The single person of the prose (else of the KB) a lone name means."""
        ids = self.persons.get(word.lower())
        if ids:
            return next(iter(ids)) if len(ids) == 1 else None
        return self.index.by_surname(word)


# --- name-level rules ----------------------------------------------------------------------------------


def is_generic_span(span: Span, stops: Collection[str]) -> bool:
    """Nothing is left once modifiers and generic words are removed ("American AI", "the U.S. Department"):
    a description, not a name. Needs part-of-speech tags; a doc without them is never generic."""
    if not any(t.tag_ for t in span):
        return False
    rest = [t for t in span if t.tag_ not in _MODIFIER_TAGS and t.lower_ not in stops and not t.is_punct]
    return not rest


def is_discoverable(span: Span, name: str, stops: Collection[str]) -> bool:
    """``name`` (normalised text of ``span``) is worth a discovered entity, by its form alone."""
    return not (
        is_junk_name(name, stops)
        or is_truncated_name(name)
        or is_shouted_phrase(name)
        or is_section_reference(name)
        or is_generic_span(span, stops)
    )


def is_structural_junk(span: Span) -> bool:
    """A field label ("Media Contact:") or a time zone after a clock time ("9:03 AM UTC")."""
    return is_field_label(span) or follows_clock_time(span)


def discovered_type(span: Span, name: str, readings: Mapping[str, str] | None = None) -> str | None:
    """Entity type of a new name by its label; None for a place (see :func:`places.place_type`), unless
    the article also names it as an organisation, person or product (``readings``: slug -> type), as the
    NER does with "Bloomberg" now a place, now a company."""
    if span.label_ == "GPE":
        return place_type(span, name) or (readings or {}).get(slugify(name))
    return LABEL_TYPES[span.label_]


def non_place_readings(ents: Iterable[Span]) -> dict[str, str]:
    """Slug -> type of the names labelled ``ORG``, ``PERSON`` or ``PRODUCT`` somewhere in a document."""
    return {
        slugify(normalize_name(e.text, e.label_)): LABEL_TYPES[e.label_]
        for e in ents
        if e.label_ in ("ORG", "PERSON", "PRODUCT") and not e.kb_id_
    }


# --- person names --------------------------------------------------------------------------------------


def person_keys(name: str) -> list[str]:
    """Lone words that may stand for a person: the surname, and the first word of a surname-first name
    ("Lin Jian"), the surname with its particle ("van Oosterom"); a name with a generational suffix gives
    its surname (which the father may share: two people make it ambiguous) and the surname with the suffix.

    >>> person_keys("Crystal van Oosterom"), person_keys("Donald Trump Jr.")
    (['oosterom', 'crystal', 'van oosterom'], ['trump', 'trump jr'])
    """
    given, surname, suffix = person_parts(name)
    if not given:
        return []  # a lone surname ("Quill Jr.") is a reference, not a full name
    if suffix:
        return [surname, f"{surname} {suffix}"]
    keys = [surname]
    if given[0] not in STOP_WORDS:
        keys.append(given[0])
    words = [*given, surname]
    keys.extend(" ".join(words[i:]) for i in range(1, len(words) - 1) if words[i] in NAME_PARTICLES)
    return keys


def prose_persons(
    ents: Iterable[Span],
    index: KBIndex,
    lines: Lines,
    stops: Collection[str],
    min_words: int,
    fuzzy: FuzzyLinker | None = None,
) -> dict[str, set[str]]:
    """Lone surname (lower case) -> ids of the full-name people of the article's prose lines; KB people
    count under their canonical name ("President Trump" anchors "trump" and "donald", not "president")."""
    persons: dict[str, set[str]] = defaultdict(set)
    for ent in ents:
        if ent.label_ != "PERSON" or not lines.is_body(ent):
            continue
        if ent.kb_id_:
            if index.type_of(ent.kb_id_) != "person":
                continue
            name, person_id = index.names.get(ent.kb_id_, ent.text), ent.kb_id_
        else:
            name = normalize_name(ent.text, ent.label_)
            if len(name.split()) < min_words or ent[-1].text in ORG_FINAL_WORDS:
                continue
            if is_structural_junk(ent) or not is_discoverable(ent, name, stops):
                continue
            person_id = index.by_key(name) or (fuzzy and fuzzy.link(name, "PERSON")) or slugify(name)
        for key in person_keys(name):
            persons[key].add(person_id)
    return dict(persons)


def surname_mentions(doc: Doc, ents: list[Span], persons: dict[str, set[str]]) -> list[Span]:
    """Capitalised surnames of people named in full in the prose that no entity covers ("Sacks told Fox
    News" after "David Sacks"); the NER often tags such lone surnames as nothing or a noun."""
    if not persons:
        return []
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    spans = []
    for token in doc:
        if token.i in taken or not token.text[:1].isupper() or len(persons.get(token.lower_, ())) != 1:
            continue
        if token.i + 1 < len(doc) and doc[token.i + 1].is_title and not doc[token.i + 1].is_sent_start:
            continue  # part of a longer name the NER missed
        if token.i + 1 < len(doc) and doc[token.i + 1].text.rstrip(".").lower() in ("jr", "sr"):
            continue  # "Trump Jr."
        entity_id = next(iter(persons[token.lower_]))
        spans.append(Span(doc, token.i, token.i + 1, label="PERSON", kb_id=entity_id, span_id=entity_id))
    return spans


# --- spans the NER cuts ----------------------------------------------------------------------------------


def with_particle_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """A person the NER cut at a surname particle ("Crystal van" | "Oosterom") runs on to the capitalised
    word after the particle."""
    taken = {i for e in ents for i in range(e.start, e.end)}
    out = []
    for ent in ents:
        after = ent.end
        if (
            ent.label_ == "PERSON"
            and not ent.kb_id_
            and len(ent) > 1
            and ent[-1].lower_ in NAME_PARTICLES
            and after < len(doc)
            and after not in taken
            and doc[after].is_title
            and "\n" not in ent[-1].whitespace_
        ):
            ent = Span(doc, ent.start, after + 1, label="PERSON")
        out.append(ent)
    return out


def replace_spans(ents: list[Span], new: Span) -> list[Span]:
    """``ents`` without those overlapping ``new``, plus ``new``."""
    kept = [e for e in ents if e.end <= new.start or e.start >= new.end]
    return [*kept, new]


def with_law_names(doc: Doc, ents: list[Span], index: KBIndex, lines: Lines) -> list[Span]:
    """Law names on prose lines become ``LAW`` spans replacing what the NER or the KB made of their
    parts ("Chips Act" inside "Stop Stealing Our Chips Act"); a KB policy keeps its match when the words
    before it are other KB names ("U.S. Chip Security Act")."""
    for start, end in law_name_spans(doc):
        span = Span(doc, start, end, label="LAW")
        if not lines.is_body(span):
            continue
        head_end = max(i for i in range(start, end) if doc[i].text in LAW_HEADS) + 1  # "of 2018" aside
        inside = [e for e in ents if e.start < end and e.end > start]
        same = [e for e in inside if e.start <= start and e.end == end and not _crosses(e, span)]
        if same:  # the NER found the name ("the Quiet Trade Act"): only its label changes
            ents = [Span(doc, e.start, e.end, label="LAW") if e in same and not e.kb_id_ else e for e in ents]
            continue
        kb_policy = [
            e for e in inside if e.kb_id_ and index.type_of(e.kb_id_) == "policy" and e.end in (end, head_end)
        ]
        if kb_policy:
            extra = [t for t in doc[start : kb_policy[0].start] if not t.is_punct]
            if all(any(e.kb_id_ and e.start <= t.i < e.end for e in inside) for t in extra):
                continue
        if any(_crosses(e, span) for e in inside):
            continue  # a name that runs across the boundary: leave the NER's reading
        ents = replace_spans(ents, span)
    return ents


def with_acronyms(doc: Doc, ents: list[Span], definitions: list[Acronym], lines: Lines) -> list[Span]:
    """Long forms of defined acronyms as single spans (their parts replaced) when they hold no other
    entity's full span; acronyms of common nouns lose their entities."""
    for acronym in definitions:
        if acronym.common:
            occurrences = set(acronym_occurrences(doc, acronym.text))
            ents = [e for e in ents if not (e.start in occurrences and e.end == e.start + 1 and not e.kb_id_)]
            continue
        long_form = Span(doc, acronym.long_start, acronym.long_end, label="ORG")
        inside = [e for e in ents if e.start < long_form.end and e.end > long_form.start]
        exact = [e for e in inside if e.start <= long_form.start and e.end >= long_form.end]
        if exact or any(_crosses(e, long_form) for e in inside):
            continue  # already one entity, or part of a longer one
        if inside and inside[-1].end == long_form.end and inside[-1].label_ in ("LAW", "PRODUCT"):
            long_form = Span(doc, long_form.start, long_form.end, label=inside[-1].label_)
        ents = replace_spans(ents, long_form)
    return ents


def _crosses(ent: Span, long_form: Span) -> bool:
    """``ent`` reaches outside ``long_form`` by more than a leading stop word ("the")."""
    before = ent.doc[ent.start : long_form.start] if ent.start < long_form.start else []
    return ent.end > long_form.end or any(not t.is_stop for t in before)


def acronym_links(doc: Doc, ents: list[Span], definitions: list[Acronym]) -> list[Span]:
    """Every occurrence of a defined acronym takes the id of its long form (an article's own definition
    wins over a KB alias of the same letters)."""
    for acronym in definitions:
        if acronym.common:
            continue
        covering = (e for e in ents if e.start <= acronym.long_start and e.end >= acronym.long_end)
        long_form = next((e for e in covering if e.kb_id_), None)
        if long_form is None:
            continue
        for i in acronym_occurrences(doc, acronym.text):
            if long_form.start <= i < long_form.end:
                continue
            entity_id, label = long_form.kb_id_, long_form.label_
            ents = replace_spans(ents, Span(doc, i, i + 1, label=label, kb_id=entity_id, span_id=entity_id))
    return ents


# --- one entity ------------------------------------------------------------------------------------------


def resolve_span(ent: Span, ctx: Context) -> Span | None:
    """``ent`` with its canonical id, without one (a plausible name we cannot resolve, or a place), or
    None when it is junk."""
    doc, index = ctx.doc, ctx.index
    if ent.kb_id_:
        return ent
    key = normalize_name(ent.text, "PERSON").lower()
    suffixed = len(ent) == 2 and ent[1].lower_.strip(".") in GENERATIONAL  # "Trump Jr."
    lone = ent[0].text[:1].isupper() and (len(ent) == 1 or suffixed)
    if (lone or (ent.label_ == "PERSON" and " " in key)) and key in ctx.persons:
        entity_id = ctx.person_for(key)  # a lone name of a person of the prose, whatever the label
        if entity_id is None:
            return Span(doc, ent.start, ent.end, label="PERSON")
        return Span(doc, ent.start, ent.end, label="PERSON", kb_id=entity_id, span_id=entity_id)
    if ent.label_ not in LABEL_TYPES:
        return ent
    if is_structural_junk(ent):
        return None
    on_body = ctx.lines.is_body(ent)
    label = ent.label_
    if label == "PERSON" and ent[-1].text in ORG_FINAL_WORDS:
        label = "ORG"  # "Halvard AI" is no person
    name = normalize_name(ent.text, label)
    if label != "PERSON" and is_policy_name(name):
        label = "LAW"
    if label == "LAW":
        name = without_year(name)
    if label != ent.label_:
        ent = Span(doc, ent.start, ent.end, label=label)
    entity_id = index.by_key(name, label)
    words = name.split()
    if entity_id is None and len(words) == 1:
        entity_id = ctx.person_for(words[0]) if label == "PERSON" or words[0].lower() in ctx.persons else None
        if entity_id is not None:
            ent = Span(doc, ent.start, ent.end, label="PERSON")
    if entity_id is None and ctx.fuzzy is not None:
        entity_id = ctx.fuzzy.link(name, label, ctx.lowercase_words)
    if entity_id is None and label == "ORG":
        # A short form of one curated organisation ("Cyberspace Administration" for the Cyberspace
        # Administration of China) is that organisation, never a second, discovered one.
        entity_id = index.containing(name)
    if entity_id is None:
        if not is_discoverable(ent, name, ctx.stops):
            return None
        long_enough = label != "PERSON" or len(words) >= ctx.min_person_words
        # a capitalised common word ("Latency", "Gallium") also appears in lower case in the article
        common_word = len(words) == 1 and name.lower() in ctx.lowercase_words
        slug = slugify(name)
        entity_type = discovered_type(ent, name, ctx.readings)
        if long_enough and not common_word and entity_type and slug and slug not in index.types:
            if on_body:
                ctx.discovered.setdefault(slug, [name, entity_type])
            if slug in ctx.discovered:  # a chrome line only reuses a name the prose introduced
                entity_id = slug
    if entity_id:
        return Span(doc, ent.start, ent.end, label=ent.label_, kb_id=entity_id, span_id=entity_id)
    return ent


def resolve_entities(
    doc: Doc,
    index: KBIndex,
    stop_names: list[str],
    min_person_words: int = 2,
    fuzzy: FuzzyLinker | None = None,
) -> Doc:
    """Set ``kb_id_`` on resolvable entities of ``doc`` and fill ``doc._.discovered`` (pure over the doc)."""
    lines = Lines(doc.text)
    stops = frozenset(s.lower() for s in stop_names)
    ents = with_particle_names(doc, list(doc.ents))
    ents = with_law_names(doc, ents, index, lines)
    definitions = acronym_definitions(doc)
    ents = with_acronyms(doc, ents, definitions, lines)
    ctx = Context(
        doc=doc,
        index=index,
        stops=stops,
        min_person_words=min_person_words,
        lines=lines,
        fuzzy=fuzzy,
        lowercase_words=frozenset(t.text for t in doc if t.is_lower and t.is_alpha),
        persons=prose_persons(ents, index, lines, stops, min_person_words, fuzzy),
        readings=non_place_readings(ents),
    )
    # prose first, so that a heading or caption can reuse a name its article introduces
    ordered = sorted(ents, key=lambda e: (not lines.is_body(e), e.start))
    resolved = [r for e in ordered if (r := resolve_span(e, ctx)) is not None]
    resolved = acronym_links(doc, resolved, definitions)
    resolved.extend(surname_mentions(doc, resolved, ctx.persons))
    doc.ents = sorted(resolved, key=lambda e: e.start)
    used = {e.kb_id_ for e in resolved}
    doc._.discovered = {k: v for k, v in ctx.discovered.items() if k in used}
    return doc


class EntityResolver:
    """Pipeline wrapper around :func:`resolve_entities`; call :meth:`set_kb` before use."""

    def __init__(
        self,
        name: str,
        stop_names: list[str],
        min_person_words: int,
        fuzzy_min_chars: int,
        fuzzy_long_chars: int,
    ) -> None:
        self.name = name
        self.stop_names = stop_names
        self.min_person_words = min_person_words
        self.fuzzy_min_chars = fuzzy_min_chars
        self.fuzzy_long_chars = fuzzy_long_chars
        self.index = KBIndex()
        self.fuzzy: FuzzyLinker | None = None

    def set_kb(self, index: KBIndex) -> None:
        self.index = index
        self.fuzzy = None
        if self.fuzzy_min_chars > 0:
            self.fuzzy = FuzzyLinker(index, self.fuzzy_min_chars, self.fuzzy_long_chars)

    def __call__(self, doc: Doc) -> Doc:
        return resolve_entities(doc, self.index, self.stop_names, self.min_person_words, self.fuzzy)


@Language.factory(
    "aiwatch_entity_resolver_v2",
    requires=["doc.ents"],
    assigns=["doc.ents", "token.ent_kb_id", "doc._.discovered"],
    default_config={
        "stop_names": list(DEFAULT_STOP_NAMES),
        "min_person_words": 2,
        "fuzzy_min_chars": 6,  # 0 turns near-miss linking off
        "fuzzy_long_chars": 12,  # names this long may be two edits from a KB alias, shorter ones one
    },
)
def make_entity_resolver(
    nlp: Language,
    name: str,
    stop_names: list[str],
    min_person_words: int,
    fuzzy_min_chars: int,
    fuzzy_long_chars: int,
) -> EntityResolver:
    return EntityResolver(name, stop_names, min_person_words, fuzzy_min_chars, fuzzy_long_chars)
