"""Name normalisation, slugs and junk filters (pure functions)."""

from __future__ import annotations

import pytest
from aiwatch.extract.normalize import (
    is_junk_name,
    is_policy_name,
    is_section_reference,
    is_shouted_phrase,
    is_truncated_name,
    name_key,
    normalize_name,
    person_parts,
    slugify,
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Mary Chen", "mary-chen"),
        ("Zhipu AI, Inc.", "zhipu-ai-inc"),
        ("Ren Zhengfei", "ren-zhengfei"),
        ("José  Núñez", "jose-nunez"),
        ("  --Moonshot--  ", "moonshot"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("Anthropic's", "ORG", "Anthropic"),
        ("the Zhipu AI Co., Ltd.", "ORG", "Zhipu AI"),
        ("Huawei Technologies Co. Ltd", "ORG", "Huawei Technologies"),
        ("Nvidia Corp.", "ORG", "Nvidia"),
        ("Huang’s", "PERSON", "Huang"),
        ("The Information", "ORG", "Information"),
        ("Moonshot AI Inc", "ORG", "Moonshot AI"),
    ],
)
def test_normalize_name(text: str, label: str, expected: str) -> None:
    assert normalize_name(text, label) == expected


def test_person_names_keep_suffix_like_words() -> None:
    assert normalize_name("Sam Co", "PERSON") == "Sam Co"


def test_variants_share_a_key() -> None:
    assert name_key("Zhipu AI Co., Ltd.", "ORG") == name_key("the Zhipu AI", "ORG") == "zhipu-ai"


@pytest.mark.parametrize(
    "name",
    [
        "AI",
        "API",
        "CoT",
        "2025",
        "42",
        "March 3, 2025",
        "Q3 2024",
        "EU",
        "X",
        "export",
        "Read more:",
        "the company",
        "Related coverage | more",
    ],
)
def test_junk(name: str) -> None:
    assert is_junk_name(name)


@pytest.mark.parametrize(
    "name", ["Mary Chen", "Zhipu AI", "Moonshot", "Tencent Holdings", "SMIC", "Liang Wenfeng"]
)
def test_not_junk(name: str) -> None:
    assert not is_junk_name(name)


def test_stop_list_is_configurable() -> None:
    assert is_junk_name("Acme", stop_names=["acme"])
    assert not is_junk_name("AI Lab Group", stop_names=[])


def test_ampersand_reads_and() -> None:
    assert name_key("Office of Widgets & Gadgets") == name_key("the Office of Widgets and Gadgets")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Marta Quill", (("marta",), "quill", "")),
        ("Marta Quill Jr.", (("marta",), "quill", "jr")),
        ("Marta Quill III", (("marta",), "quill", "iii")),
        ("Quill", ((), "quill", "")),
    ],
)
def test_person_parts(name: str, parts: tuple) -> None:
    assert person_parts(name) == parts


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Keep Widgets Home Act", True),
        ("Widget Reform Act of 2019", True),
        ("Anti-Widget Regulations", True),
        ("Quiet Items List", True),
        ("Act", False),
        ("Widget Acts Inc", False),
        ("acting director", False),
    ],
)
def test_policy_names(name: str, expected: bool) -> None:
    assert is_policy_name(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Section 12", True),
        ("Article 5", True),
        ("Sec. 3", True),
        ("Title IX", True),
        ("Title Vanguard", False),
        ("Section Chief", False),
    ],
)
def test_section_references(name: str, expected: bool) -> None:
    assert is_section_reference(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Quiet N", True),
        ("Widget Academy of", True),
        ("Marta van", True),
        ("Daily Widget - The", True),
        ("Marta van Quill", False),
        ("Widget 7 mini", False),
        ("Zorbex", False),
    ],
)
def test_truncated_names(name: str, expected: bool) -> None:
    assert is_truncated_name(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("TONS OF WIDGETS", True), ("FOR RELEASE", True), ("OWC ZTAT", False), ("Zorbex Labs", False)],
)
def test_shouted_phrases(name: str, expected: bool) -> None:
    assert is_shouted_phrase(name) is expected
