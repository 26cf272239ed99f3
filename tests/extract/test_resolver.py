"""Entity resolution on hand-built docs: KB lookups, surname linking, discovered entities, junk removal."""

from __future__ import annotations

import spacy
from aiwatch.extract.kbindex import KBIndex
from aiwatch.extract.normalize import DEFAULT_STOP_NAMES
from aiwatch.extract.resolver import resolve_entities
from spacy.tokens import Doc, Span

NLP = spacy.blank("en")


def doc_with(text: str, ents: list[tuple[str, str]], kb_ids: dict[str, str] | None = None) -> Doc:
    """A doc of ``text`` whose entities are the given (surface, label) pairs, found left to right."""
    doc = NLP(text)
    spans, pos = [], 0
    for surface, label in ents:
        start = text.index(surface, pos)
        pos = start + len(surface)
        span = doc.char_span(start, pos, label=label)
        assert span is not None, surface
        kb_id = (kb_ids or {}).get(surface, "")
        spans.append(Span(doc, span.start, span.end, label=label, kb_id=kb_id, span_id=kb_id))
    doc.ents = spans
    return doc


def resolved(doc: Doc, kb) -> list[tuple[str, str, str]]:
    resolve_entities(doc, KBIndex.build(kb), list(DEFAULT_STOP_NAMES))
    return [(e.text, e.label_, e.kb_id_) for e in doc.ents]


def test_junk_entities_are_removed(mini_kb) -> None:
    doc = doc_with(
        "The AI lab said its API and CoT were fine in 2025.",
        [("AI", "GPE"), ("API", "ORG"), ("CoT", "ORG"), ("2025", "DATE")],
    )
    assert resolved(doc, mini_kb) == [("2025", "DATE", "")]
    assert doc._.discovered == {}


def test_discovered_entities_get_slug_ids_and_types(mini_kb) -> None:
    doc = doc_with(
        "Mary Chen of Zhipu AI Co., Ltd. spoke.", [("Mary Chen", "PERSON"), ("Zhipu AI Co., Ltd.", "ORG")]
    )
    assert resolved(doc, mini_kb) == [
        ("Mary Chen", "PERSON", "mary-chen"),
        ("Zhipu AI Co., Ltd.", "ORG", "zhipu-ai"),
    ]
    assert doc._.discovered == {
        "mary-chen": ["Mary Chen", "person"],
        "zhipu-ai": ["Zhipu AI", "organization"],
    }


def test_corporate_suffix_variant_resolves_to_kb(mini_kb) -> None:
    doc = doc_with(
        "Nvidia Corp. and the Anthropic PBC's lawyers",
        [("Nvidia Corp.", "ORG"), ("the Anthropic PBC's", "ORG")],
    )
    assert [e.kb_id_ for e in doc.ents] == ["", ""]
    assert [r[2] for r in resolved(doc, mini_kb)] == ["nvidia", "anthropic"]


def test_lone_surname_links_to_full_name_in_article(mini_kb) -> None:
    text = "Mary Chen spoke first. Later Chen said more, and Huang agreed."
    doc = doc_with(text, [("Mary Chen", "PERSON"), ("Chen", "ORG"), ("Huang", "PERSON")])
    assert resolved(doc, mini_kb) == [
        ("Mary Chen", "PERSON", "mary-chen"),
        ("Chen", "PERSON", "mary-chen"),
        ("Huang", "PERSON", "jensen-huang"),
    ]


def test_surname_without_entity_is_added(mini_kb) -> None:
    text = "Jensen Huang spoke. Reporters asked Huang again."
    doc = doc_with(text, [("Jensen Huang", "PERSON")], {"Jensen Huang": "jensen-huang"})
    assert resolved(doc, mini_kb) == [
        ("Jensen Huang", "PERSON", "jensen-huang"),
        ("Huang", "PERSON", "jensen-huang"),
    ]


def test_unknown_lone_surname_gets_no_id(mini_kb) -> None:
    doc = doc_with("Smith said so.", [("Smith", "PERSON")])
    assert resolved(doc, mini_kb) == [("Smith", "PERSON", "")]
    assert doc._.discovered == {}


def test_norp_and_dates_are_not_resolved(mini_kb) -> None:
    doc = doc_with("Chinese firms on Monday", [("Chinese", "NORP"), ("Monday", "DATE")])
    assert resolved(doc, mini_kb) == [("Chinese", "NORP", ""), ("Monday", "DATE", "")]


def test_capitalised_common_word_is_not_an_entity(mini_kb) -> None:
    doc = doc_with("Latency matters. The latency of the API was high.", [("Latency", "ORG")])
    assert resolved(doc, mini_kb) == [("Latency", "ORG", "")]
    assert doc._.discovered == {}
