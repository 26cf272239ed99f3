"""The KB ruler on a blank English pipeline: token-level alias matching, no trained model."""

from __future__ import annotations

import aiwatch.extract.ruler  # noqa: F401  (registers the factory)
import spacy
from aiwatch.extract.kbindex import KBIndex


def make(kb):
    nlp = spacy.blank("en")
    nlp.add_pipe("aiwatch_kb_ruler_v1").set_kb(KBIndex.build(kb))
    return nlp


def ents(doc):
    return [(e.text, e.label_, e.kb_id_) for e in doc.ents]


def test_possessive_and_article_are_not_part_of_the_match(mini_kb) -> None:
    doc = make(mini_kb)("Anthropic's model and the Entity List.")
    assert ents(doc) == [("Anthropic", "ORG", "anthropic"), ("Entity List", "LAW", "entity-list")]
    assert doc.ents[0].id_ == "anthropic"  # ent_id_ as well as kb_id_


def test_normal_aliases_ignore_case_strict_aliases_do_not(mini_kb) -> None:
    nlp = make(mini_kb)
    assert ents(nlp("DEEPSEEK AI and deepseek released R1 via BIS."))[:2] == [
        ("DEEPSEEK AI", "ORG", "deepseek"),
        ("deepseek", "ORG", "deepseek"),
    ]
    assert [e.kb_id_ for e in nlp("It released R1, said BIS.").ents] == ["deepseek-r1", "us-bis"]
    assert list(nlp("the r1 form and the bis rule").ents) == []


def test_longest_match_wins(mini_kb) -> None:
    doc = make(mini_kb)("Nvidia H20 chips and Claude 3 outputs")
    assert ents(doc) == [("Nvidia H20", "PRODUCT", "nvidia-h20"), ("Claude 3", "PRODUCT", "claude")]


def test_types_map_to_labels(mini_kb) -> None:
    doc = make(mini_kb)("Jensen Huang of Nvidia met the Bureau of Industry and Security about China.")
    assert ents(doc) == [
        ("Jensen Huang", "PERSON", "jensen-huang"),
        ("Nvidia", "ORG", "nvidia"),
        ("Bureau of Industry and Security", "ORG", "us-bis"),
        ("China", "GPE", "china"),
    ]


def test_ambiguous_alias_is_not_matched(mini_kb, make_entity) -> None:
    kb = [*mini_kb, make_entity("other", "Other", "company", ("Anthropic PBC",))]
    doc = make(kb)("Anthropic PBC said so.")
    assert ents(doc) == [("Anthropic", "ORG", "anthropic")]


def test_either_apostrophe_matches(mini_kb, make_entity) -> None:
    kb = [*mini_kb, make_entity("widgets-daily", "Widget's Daily", "organization", (), ("Zembla’s Desk",))]
    nlp = make(kb)
    assert [e.kb_id_ for e in nlp("Widget’s Daily and Widget's Daily ran it.").ents] == ["widgets-daily"] * 2
    assert [e.kb_id_ for e in nlp("Zembla's Desk and Zembla’s Desk").ents] == ["widgets-daily"] * 2


def test_a_kb_person_followed_by_jr_is_someone_else(mini_kb) -> None:
    nlp = make(mini_kb)
    assert ents(nlp("Jensen Huang Jr. spoke, and Jensen Huang, III wrote.")) == []
    assert ents(nlp("Jensen Huang spoke.")) == [("Jensen Huang", "PERSON", "jensen-huang")]
