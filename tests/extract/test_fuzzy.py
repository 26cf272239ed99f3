"""Near-miss spellings link to KB aliases only when type, length, digits and uniqueness all agree."""

from __future__ import annotations

import pytest
from aiwatch.extract.fuzzy import FuzzyLinker
from aiwatch.extract.kbindex import KBIndex


@pytest.fixture(scope="module")
def linker(mini_kb, make_entity) -> FuzzyLinker:
    kb = [
        *mini_kb,
        make_entity("zorbex", "Zorbex Labs", "ai_lab", ("Zorbex",)),
        make_entity("quillon", "Quillon Systems", "company"),
        make_entity("quillan", "Quillan Systems", "company"),
        make_entity("model-7", "Orbis Model 7", "ai_model"),
        make_entity("marta-quill", "Marta Quill", "person"),
        make_entity("jeffrey-tamm", "Jeffrey Tamm", "person"),
        make_entity("daniela-rusk", "Daniela Rusk", "person"),
        make_entity("dario-rusk", "Dario Rusk", "person"),
        make_entity("tiny", "Tiny", "company"),
    ]
    return FuzzyLinker(KBIndex.build(kb))


@pytest.mark.parametrize(
    ("name", "label", "expected"),
    [
        ("Anthropik", "ORG", "anthropic"),  # one substitution
        ("Antrhopic", "ORG", "anthropic"),  # one transposition
        ("DeepSeekk", "ORG", "deepseek"),  # one insertion
        ("Zorbex Lab", "ORG", "zorbex"),
        ("Jeffery Tamm", "PERSON", "jeffrey-tamm"),  # transposed given name
        ("Bureau of Industry & Securty", "ORG", "us-bis"),  # "&" reads "and"
        ("Bureau of Industri and Securty", "ORG", "us-bis"),  # long names allow two edits
    ],
)
def test_near_misses_link(linker: FuzzyLinker, name: str, label: str, expected: str) -> None:
    assert linker.link(name, label) == expected


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("DeepSeat", "ORG"),  # two edits in eight letters
        ("Anthropik", "PERSON"),  # a person is never a company
        ("Anthropik", "GPE"),
        ("Tinyy", "ORG"),  # too short to guess
        ("Orbis Model 8", "PRODUCT"),  # other digits: another model
        ("Quillen Systems", "ORG"),  # as near to two KB entities
        ("Xnthropic", "ORG"),  # first letter differs
        ("Daniel Rusk", "PERSON"),  # not Daniela: the last letter differs
        ("Hunter Quill", "PERSON"),  # a relative, not Marta
        ("Marta Quill Jr.", "PERSON"),  # suffix: someone else
        ("Marta Quell", "PERSON"),  # surnames must be equal
        ("Jeffery", "PERSON"),  # one word: nothing to compare
        ("Claude 3", "DATE"),  # labels outside the table never link
    ],
)
def test_guards_hold(linker: FuzzyLinker, name: str, label: str) -> None:
    assert linker.link(name, label) is None


def test_a_word_the_text_uses_in_lower_case_is_no_misspelling(linker: FuzzyLinker) -> None:
    assert linker.link("Anthropik", "ORG", lowercase_words={"anthropik"}) is None


def test_strict_aliases_are_not_candidates(linker: FuzzyLinker) -> None:
    aliases = {alias for group in linker.aliases.values() for alias in group}
    assert "bis" not in aliases and "r1" not in aliases  # strict aliases of the mini KB


def test_minimum_length_is_configurable(mini_kb) -> None:
    assert FuzzyLinker(KBIndex.build(mini_kb), min_chars=12).link("Anthropik", "ORG") is None
