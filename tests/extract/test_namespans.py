"""Acronyms defined in brackets and law names, found by token shape (blank tokenizer, no model)."""

from __future__ import annotations

import pytest
import spacy
from aiwatch.extract.namespans import acronym_definitions, acronym_occurrences, initials_match, law_name_spans

NLP = spacy.blank("en")


def definitions(text: str) -> list[tuple[str, str, bool]]:
    doc = NLP(text)
    return [(a.text, doc[a.long_start : a.long_end].text, a.common) for a in acronym_definitions(doc)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Office of Widget Control (OWC) said", [("OWC", "Office of Widget Control", False)]),
        ("the Agency's Bureau for Quiet Trade (‘BQT’) said", [("BQT", "Bureau for Quiet Trade", False)]),
        ("Grand Republic of Zembla’s (GRZ’s) army", [("GRZ", "Grand Republic of Zembla", False)]),
        ("the Zorbex Threat Analysis Team (ZTAT) found", [("ZTAT", "Zorbex Threat Analysis Team", False)]),
        ("QuantaHold Memory (QHM) grew", [("QHM", "QuantaHold Memory", False)]),  # inner capital
        ("the Department of Widgets (DOW) said", [("DOW", "Department of Widgets", False)]),  # "of" gives O
        ("flying delivery robots (FDRs) and more", [("FDR", "flying delivery robots", True)]),
    ],
)
def test_acronym_definitions(text: str, expected: list) -> None:
    assert definitions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the Office of Widget Control (OW) said",  # initials do not spell it
        "the company (Zorbex) said",  # not an acronym
        "the new Office of widget control (OWC)",  # mixed case: no definition
        "Office of Widget Control\n(OWC)",  # a line break in between
        "the Office of Widget Control (OWC rules) said",  # more than the acronym in brackets
    ],
)
def test_no_acronym_definition(text: str) -> None:
    assert definitions(text) == []


def test_first_definition_wins() -> None:
    assert definitions("Office of Widget Control (OWC) and Order of Wise Cats (OWC)") == [
        ("OWC", "Office of Widget Control", False)
    ]


def test_initials_match() -> None:
    assert initials_match(("Office", "of", "Widget", "Control"), "OWC")
    assert initials_match(("Office", "of", "Widget", "Control"), "OOWC")
    assert not initials_match(("of", "Widget", "Control"), "OWC")  # must start with a word that counts
    assert not initials_match(("Office", "Widget"), "OWC")


def test_acronym_occurrences_include_plurals() -> None:
    doc = NLP("The FDR flew; two FDRs flew; fdr is no match")
    assert [doc[i].text for i in acronym_occurrences(doc, "FDR")] == ["FDR", "FDRs"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lawmakers backed the Keep Widgets Home Act this week.", ["Keep Widgets Home Act"]),
        ("It cited the Widget Export Reform Act of 2019 again.", ["Widget Export Reform Act of 2019"]),
        ("Under the Quiet Trade Act 2011 it is banned.", ["Quiet Trade Act 2011"]),
        ("The Anti-Widget Law applies.", ["Anti-Widget Law"]),
        ("the Widgets and Gadgets Act passed", ["Widgets and Gadgets Act"]),
        ("the Act itself, and an act of kindness", []),
        ("They met Zorbex's Widget Act team", ["Widget Act"]),
    ],
)
def test_law_name_spans(text: str, expected: list[str]) -> None:
    doc = NLP(text)
    assert [doc[s:e].text for s, e in law_name_spans(doc)] == expected
