"""Places are not actors: countries, cities, and places the sentence makes actors (hand-built parses)."""

from __future__ import annotations

import pytest
import spacy
from aiwatch.extract.places import acts_as_actor, has_no_place_shape, is_country, place_type
from spacy.tokens import Doc, Span

VOCAB = spacy.blank("en").vocab


def parsed(words: list[str], heads: list[int], deps: list[str], name: str) -> Span:
    """A doc with the given parse, and the span of the words of ``name``."""
    doc = Doc(VOCAB, words=words, heads=heads, deps=deps)
    start = words.index(name.split()[0])
    return doc[start : start + len(name.split())]


@pytest.mark.parametrize("name", ["Kazakhstan", "Brazil", "burma", "Bosnia and Herzegovina", "Macao"])
def test_countries(name: str) -> None:
    assert is_country(name)


@pytest.mark.parametrize("name", ["Springfield", "Ohio", "European Union", "United Nations", "world"])
def test_not_countries(name: str) -> None:
    assert not is_country(name)


def test_brand_shapes() -> None:
    assert has_no_place_shape("ZorbexNet") and has_no_place_shape("GRP7")
    assert not has_no_place_shape("Springfield") and not has_no_place_shape("NEW HAVEN")


def test_subject_of_a_verb_is_an_actor() -> None:
    span = parsed(["Springfield", "sued", "Zorbex"], [1, 1, 1], ["nsubj", "ROOT", "dobj"], "Springfield")
    assert acts_as_actor(span)
    assert place_type(span, "Springfield") == "other"


def test_according_to_is_an_actor() -> None:
    words = ["according", "to", "Blipwire", ",", "sales", "fell"]
    span = parsed(words, [5, 0, 1, 5, 5, 5], ["prep", "prep", "pobj", "punct", "nsubj", "ROOT"], "Blipwire")
    assert acts_as_actor(span)


def test_a_place_in_a_prepositional_phrase_is_no_entity() -> None:
    words = ["Based", "in", "Springfield", ",", "Zorbex", "grew"]
    span = parsed(
        words, [5, 0, 1, 5, 5, 5], ["advcl", "prep", "pobj", "punct", "nsubj", "ROOT"], "Springfield"
    )
    assert not acts_as_actor(span)
    assert place_type(span, "Springfield") is None


def test_a_country_is_a_country_wherever_it_stands() -> None:
    words = ["Based", "in", "Kazakhstan", ",", "Zorbex", "grew"]
    span = parsed(
        words, [5, 0, 1, 5, 5, 5], ["advcl", "prep", "pobj", "punct", "nsubj", "ROOT"], "Kazakhstan"
    )
    assert place_type(span, "Kazakhstan") == "country"


def test_a_dateline_is_never_an_actor() -> None:
    words = ["SPRINGFIELD", "–", "Officials", "said", "so"]
    span = parsed(words, [3, 3, 3, 3, 3], ["nsubj", "punct", "nsubj", "ROOT", "advmod"], "SPRINGFIELD")
    assert acts_as_actor(span)
    assert place_type(span, "SPRINGFIELD") is None
