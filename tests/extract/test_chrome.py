"""Page chrome by line structure: headings, credits, contact blocks, menus, field labels, time zones."""

from __future__ import annotations

import pytest
import spacy
from aiwatch.extract.chrome import (
    BODY,
    CONTACT,
    CREDIT,
    MENU,
    TITLE,
    Lines,
    follows_clock_time,
    is_dateline,
    is_field_label,
    line_kind,
)

NLP = spacy.blank("en")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Why the Quiet Part Matters", TITLE),
        ("Senator Blasts Chipmaker Over Sales", TITLE),
        ("WEEKLY ROUNDUP", TITLE),
        ("Zorbex said on Friday that it would appeal.", BODY),
        ("Zorbex wins a contract, people familiar say", BODY),  # sentence-case headline: capitals inform
        ("Pictured: a server hall. Photo: Some Agency", CREDIT),
        ("FILE PHOTO: a logo on a wall", CREDIT),
        ("A data centre at night. WIRE/Jan Novak", CREDIT),
        ("Press office: press@example.org", CONTACT),
        ("Call (555) 010-2030 for details", CONTACT),
        ("Media Contact: the press desk", CONTACT),
        ("- Springfield", MENU),
        ("• Latest stories", MENU),
        ("- Zorbex said on Friday that it would appeal to the court.", BODY),
        ("", BODY),
    ],
)
def test_line_kind(line: str, kind: str) -> None:
    assert line_kind(line) == kind


def test_slash_in_prose_is_no_credit() -> None:
    assert line_kind("Buyers and/or sellers of CPU/GPU servers must register.") == BODY


def test_lines_by_offset() -> None:
    text = "A Heading In Title Case\nThe prose says Zorbex won.\n- Menu"
    lines = Lines(text)
    assert [lines.kind_at(text.index(w)) for w in ("Heading", "Zorbex", "Menu")] == [TITLE, BODY, MENU]
    doc = NLP(text)
    assert lines.is_body(doc.char_span(text.index("Zorbex"), text.index("Zorbex") + 6))


def test_field_label_opens_its_line_or_segment() -> None:
    doc = NLP("Released today | Press Desk: call us\nPress Desk: again\nWe met the Press Desk: yes")
    spans = [doc[i : i + 2] for i, t in enumerate(doc) if t.text == "Press"]
    assert [is_field_label(s) for s in spans] == [True, True, False]


def test_time_zone_after_a_clock_time() -> None:
    doc = NLP("Updated 9:03 AM GMT, Monday; the GMT rules")
    zones = [doc[i : i + 1] for i, t in enumerate(doc) if t.text == "GMT"]
    assert [follows_clock_time(s) for s in zones] == [True, False]


def test_dateline_place() -> None:
    doc = NLP("SPRINGFIELD – Officials said so.\nThey met in SPRINGFIELD – again.")
    places = [doc[i : i + 1] for i, t in enumerate(doc) if t.text == "SPRINGFIELD"]
    assert [is_dateline(s) for s in places] == [True, False]
