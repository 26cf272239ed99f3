"""Entity resolution on hand-built docs: KB lookups, surname linking, discovered entities, junk removal."""

from __future__ import annotations

import pytest
import spacy
from aiwatch.extract.fuzzy import FuzzyLinker
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
    index = KBIndex.build(kb)
    resolve_entities(doc, index, list(DEFAULT_STOP_NAMES), fuzzy=FuzzyLinker(index))
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


# --- structure: headings, credits, labels -------------------------------------------------------------


def test_title_case_line_creates_no_entity(mini_kb) -> None:
    text = "Widget Makers Face New Rules\nMarta Quill said the rules were new."
    doc = doc_with(text, [("Widget Makers", "ORG"), ("Marta Quill", "PERSON")])
    assert resolved(doc, mini_kb) == [("Widget Makers", "ORG", ""), ("Marta Quill", "PERSON", "marta-quill")]
    assert doc._.discovered == {"marta-quill": ["Marta Quill", "person"]}


def test_title_case_person_neither_created_nor_anchoring(mini_kb) -> None:
    text = "Quill Warns Zorbex Over Widgets\nLater, Quill said more."
    doc = doc_with(text, [("Quill Warns", "PERSON"), ("Quill", "PERSON")])
    assert resolved(doc, mini_kb) == [("Quill Warns", "PERSON", ""), ("Quill", "PERSON", "")]
    assert doc._.discovered == {}


def test_heading_reuses_a_name_the_prose_introduced(mini_kb) -> None:
    text = "Marta Quill Speaks Out\nMarta Quill said the rules were new."
    doc = doc_with(text, [("Marta Quill", "PERSON"), ("Marta Quill", "PERSON")])
    assert [r[2] for r in resolved(doc, mini_kb)] == ["marta-quill", "marta-quill"]


def test_credit_and_contact_lines_create_no_entity(mini_kb) -> None:
    text = "A hall of servers. Photo: Blipwire Agency\nWrite to us: desk@example.org, Gadget Desk"
    doc = doc_with(text, [("Blipwire Agency", "ORG"), ("Gadget Desk", "ORG")])
    assert [r[2] for r in resolved(doc, mini_kb)] == ["", ""]
    assert doc._.discovered == {}


def test_field_labels_and_time_zones_are_dropped(mini_kb) -> None:
    text = "Press Desk: call now\nUpdated 9:03 AM GMT on Monday"
    doc = doc_with(text, [("Press Desk", "ORG"), ("GMT", "ORG")])
    assert resolved(doc, mini_kb) == []


@pytest.mark.parametrize("name", ["Section 12", "TONS OF WIDGETS", "Widget Academy of", "The Quiet N"])
def test_fragments_are_dropped(mini_kb, name: str) -> None:
    doc = doc_with(f"They cited {name} today.", [(name, "ORG")])
    assert resolved(doc, mini_kb) == []


def test_adjective_and_generic_words_are_no_name(mini_kb) -> None:
    doc = doc_with(
        "It protects Zembian AI labs and Zembian Widget labs.",
        [("Zembian AI", "ORG"), ("Zembian Widget", "ORG")],
    )
    for token in doc:
        token.tag_ = "JJ" if token.text == "Zembian" else "NNP"
    assert [r[2] for r in resolved(doc, mini_kb)] == ["zembian-widget"]


# --- people: surnames, families -------------------------------------------------------------------------


def test_father_and_son_stay_apart(mini_kb) -> None:
    text = "Marta Quill and Marta Quill Jr. met. Quill spoke, then Quill Jr. left."
    doc = doc_with(
        text,
        [
            ("Marta Quill", "PERSON"),
            ("Marta Quill Jr.", "PERSON"),
            ("Quill", "PERSON"),
            ("Quill Jr.", "PERSON"),
        ],
    )
    assert [r[2] for r in resolved(doc, mini_kb)] == ["marta-quill", "marta-quill-jr", "", "marta-quill-jr"]


def test_relatives_sharing_a_surname_leave_it_unlinked(mini_kb) -> None:
    text = "Dario Rusk and Hunter Rusk met. Rusk spoke."
    doc = doc_with(text, [("Dario Rusk", "PERSON"), ("Hunter Rusk", "PERSON")])
    assert resolved(doc, mini_kb) == [
        ("Dario Rusk", "PERSON", "dario-rusk"),
        ("Hunter Rusk", "PERSON", "hunter-rusk"),
    ]


def test_a_relative_in_the_prose_wins_over_the_kb_person(mini_kb) -> None:
    text = "Mei Huang, a researcher, spoke. Huang said more."
    doc = doc_with(text, [("Mei Huang", "PERSON"), ("Huang", "PERSON")])
    assert [r[2] for r in resolved(doc, mini_kb)] == ["mei-huang", "mei-huang"]


def test_name_cut_at_a_particle_runs_on(mini_kb) -> None:
    text = "Widget maker Marta van Quill spoke. Van Quill said more."
    doc = doc_with(text, [("Marta van", "PERSON"), ("Van Quill", "PERSON")])
    assert resolved(doc, mini_kb) == [
        ("Marta van Quill", "PERSON", "marta-van-quill"),
        ("Van Quill", "PERSON", "marta-van-quill"),
    ]


def test_near_miss_spelling_links_to_the_kb(mini_kb) -> None:
    doc = doc_with("Jensn Huang spoke. Huang left.", [("Jensn Huang", "PERSON")])
    assert [r[2] for r in resolved(doc, mini_kb)] == ["jensen-huang", "jensen-huang"]
    assert doc._.discovered == {}


# --- acronyms, laws, places ------------------------------------------------------------------------------


def test_acronym_takes_the_id_of_its_kb_long_form(mini_kb) -> None:
    text = "The Bureau of Industry and Security (BIS) acted. BIS said so."
    doc = doc_with(
        text,
        [("Bureau of Industry and Security", "ORG"), ("BIS", "ORG"), ("BIS", "ORG")],
        {"Bureau of Industry and Security": "us-bis"},
    )
    assert [r[2] for r in resolved(doc, mini_kb)] == ["us-bis"] * 3


def test_an_articles_own_definition_wins_over_a_kb_acronym(mini_kb) -> None:
    text = "The Board of International Standards (BIS) met. BIS agreed."
    doc = doc_with(
        text, [("Board of International Standards", "ORG"), ("BIS", "ORG"), ("BIS", "ORG")], {"BIS": "us-bis"}
    )
    assert [r[2] for r in resolved(doc, mini_kb)] == ["board-of-international-standards"] * 3
    assert list(doc._.discovered) == ["board-of-international-standards"]


def test_new_organisation_and_its_acronym_are_one_entity(mini_kb) -> None:
    text = "The Widget Safety Institute of Zembla (WSIZ) spoke. WSIZ warned."
    doc = doc_with(
        text, [("Widget Safety Institute of", "ORG"), ("Zembla", "GPE"), ("WSIZ", "ORG"), ("WSIZ", "ORG")]
    )
    assert resolved(doc, mini_kb) == [
        ("Widget Safety Institute of Zembla", "ORG", "widget-safety-institute-of-zembla"),
        ("WSIZ", "ORG", "widget-safety-institute-of-zembla"),
        ("WSIZ", "ORG", "widget-safety-institute-of-zembla"),
    ]


def test_acronym_of_a_common_noun_is_no_entity(mini_kb) -> None:
    text = "They build flying delivery robots (FDRs). The FDRs fly."
    doc = doc_with(text, [("FDRs", "ORG"), ("FDRs", "ORG")])
    assert resolved(doc, mini_kb) == []


def test_laws_are_policies(mini_kb) -> None:
    text = "Lawmakers backed the Keep Widgets Home Act and the Quiet Trade Act."
    doc = doc_with(text, [("Keep Widgets", "ORG"), ("the Quiet Trade Act", "ORG")])
    assert resolved(doc, mini_kb) == [
        ("Keep Widgets Home Act", "LAW", "keep-widgets-home-act"),
        ("the Quiet Trade Act", "LAW", "quiet-trade-act"),
    ]
    assert {v[1] for v in doc._.discovered.values()} == {"policy"}


def test_longer_law_name_overrides_a_kb_policy_inside_it(mini_kb, make_entity) -> None:
    kb = [*mini_kb, make_entity("widgets-act", "Widgets Act", "policy")]
    doc = doc_with(
        "They debated the Stop Selling Widgets Act.", [("Widgets Act", "LAW")], {"Widgets Act": "widgets-act"}
    )
    assert resolved(doc, kb) == [("Stop Selling Widgets Act", "LAW", "stop-selling-widgets-act")]


def test_cities_are_no_entities_countries_are(mini_kb) -> None:
    doc = doc_with(
        "Officials in Springfield and Kazakhstan met.", [("Springfield", "GPE"), ("Kazakhstan", "GPE")]
    )
    assert resolved(doc, mini_kb) == [("Springfield", "GPE", ""), ("Kazakhstan", "GPE", "kazakhstan")]
    assert doc._.discovered == {"kazakhstan": ["Kazakhstan", "country"]}


def test_a_place_the_article_also_names_as_an_organisation_is_one(mini_kb) -> None:
    text = "Blipwire reported it. Officials spoke to Blipwire."
    doc = doc_with(text, [("Blipwire", "ORG"), ("Blipwire", "GPE")])
    assert [r[2] for r in resolved(doc, mini_kb)] == ["blipwire", "blipwire"]


def test_a_short_form_of_one_curated_organisation_is_that_organisation(mini_kb, make_entity) -> None:
    """A discovered "Cyberspace Administration" would stand beside the curated CAC as a second node."""
    kb = [*mini_kb, make_entity("cac", "Cyberspace Administration of China", "government"),
          make_entity("china-state-council", "State Council of China", "government"),
          make_entity("un-security-council", "UN Security Council", "organization"),
          make_entity("state-council-hk", "State Council Information Office", "government")]
    doc = doc_with(
        "The Cyberspace Administration and the Industry and Security bureau met the Security Council and "
        "the State Council.",
        [("Cyberspace Administration", "ORG"), ("Industry and Security", "ORG"), ("Security Council", "ORG"),
         ("State Council", "ORG")],
    )
    assert resolved(doc, kb) == [
        ("Cyberspace Administration", "ORG", "cac"),
        ("Industry and Security", "ORG", "us-bis"),
        ("Security Council", "ORG", "un-security-council"),
        ("State Council", "ORG", "state-council"),  # "State Council" names two entities: left as discovered
    ]
