"""``aiwatch_attribute_ruler_v1`` gives exactly the token attributes of spaCy's own ``AttributeRuler``.

Fast tests compare the two on hand-built docs and hand-written patterns (every supported predicate,
multi-token patterns, negative indices, later rules winning); model tests compare the trained model's stock
pipeline with ours over every text the project has: gold articles, labelled topic pages, sample-site pages,
tricky strings.
"""

from __future__ import annotations

import json
import logging
from html.parser import HTMLParser
from pathlib import Path

import pytest
import spacy
from aiwatch.extract.attributes import (
    FACTORY,
    CompiledRules,
    UnsupportedPattern,
    use_compiled_attribute_ruler,
)
from spacy.tokens import Doc

DATA = Path(__file__).resolve().parents[1] / "data"
SITE = Path(__file__).resolve().parents[2] / "crawler" / "sample_site" / "site"

TRICKY = [
    "I ain't gonna say it. Let's go, y'all! There's nothin' here, c'mon.",
    "Y'all gotta see this: we're gonna win and you're not.  Ain't that so? Nuthin' doing.",
    "Let's not.\n\n\n   Lets go.   There are    runs of   spaces\t\tand tabs.\n \n",
    "C'm on, it's him and it is me; give it to me, not to I. They did it, didn't they? Don't.",
    "He does, she has, they had had it; 'd you've 'm 're 've n't nt n’t wo n't.",
    "Whether or not, that which was there -- whose is it? All that remains is that.",
    "US$ 3.5bn, 20% -- (see above) [1] {x} #tag @user ... !!! ??",
    "",
    " ",
    "\n\n",
    "ok",
]


def word_attrs(doc: Doc) -> list[tuple[str, str, str, str, str, str]]:
    return [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_) for t in doc]


# -- semantics on hand-built docs (no trained model) --------------------------------------------------------

PATTERNS = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"TAG": {"IN": ["NN", "NNS"]}, "LOWER": {"IN": ["chips", "chip"]}}]],
     "attrs": {"LEMMA": "chip", "MORPH": "Number=Plur"}},
    {"patterns": [[{"lower": {"REGEX": "^n[ou]t?h?in'?$"}}]], "attrs": {"LEMMA": "nothing", "POS": "PRON"}},
    {"patterns": [[{"DEP": {"NOT_IN": ["det", ""]}, "TAG": "DT"}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "go"}, "index": 0},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": -1},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "'s"]}}]], "attrs": {"POS": "VERB"}, "index": 1},
    {"patterns": [[{"ORTH": "US"}], [{"TEXT": "EU"}]], "attrs": {"POS": "PROPN", "TAG": "NNP"}},
    {"patterns": [[{"IS_SPACE": True, "DEP": {"NOT_IN": [""]}}]], "attrs": {"DEP": "dep"}},
    {"patterns": [[{}, {"LOWER": "chips"}, {"IS_PUNCT": True}]], "attrs": {"MORPH": "Case=Nom"}, "index": 1},
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "X"}},  # a later rule overrides POS only
]
WORDS = ["There", "'s", "nothin'", "gon", "na", "stop", "the", "chips", "that", "US", "and", "EU", "buy",
         "\n", "chip", "chips", ".", "gon", "na"]
TAGS = ["EX", "VBZ", "NN", "VBG", "TO", "VB", "DT", "NNS", "DT", "NNP", "CC", "NNP", "VBP", "_SP",
        "NN", "NNS", ".", "VBG", "TO"]
HEADS = [1, 1, 1, 5, 5, 1, 7, 5, 12, 12, 9, 9, 7, 12, 15, 12, 1, 18, 16]
DEPS = ["expl", "ROOT", "attr", "aux", "aux", "xcomp", "det", "dobj", "nsubj", "nsubj", "cc", "conj", "relcl",
        "dep", "compound", "dobj", "punct", "aux", "dep"]


def blank_doc(nlp) -> Doc:
    return Doc(nlp.vocab, words=WORDS, tags=TAGS, heads=HEADS, deps=DEPS)


def test_compiled_matches_stock_on_hand_written_patterns() -> None:
    stock = spacy.blank("en")
    stock.add_pipe("attribute_ruler").add_patterns(PATTERNS)
    ours = spacy.blank("en")
    ours.add_pipe("attribute_ruler").add_patterns(PATTERNS)
    assert use_compiled_attribute_ruler(ours)
    assert ours.get_pipe_meta("attribute_ruler").factory == FACTORY
    expected, got = word_attrs(stock(blank_doc(stock))), word_attrs(ours(blank_doc(ours)))
    assert got == expected
    by_word = {(w, i): row for i, (w, row) in enumerate(zip(WORDS, got, strict=True))}
    assert by_word[("nothin'", 2)][1] == "X" and by_word[("nothin'", 2)][4] == "nothing"  # later rule wins
    assert by_word[("gon", 3)][4] == "go" and by_word[("na", 4)][4] == "to"  # index 0 and -1
    assert by_word[("'s", 1)][1] == "VERB" and by_word[("that", 8)][1] == "PRON"
    assert by_word[("EU", 11)][1:3] == ("PROPN", "NNP") and by_word[("chips", 15)][3] == "Case=Nom"


def test_attributes_are_read_before_any_rule_writes() -> None:
    """A rule that changes DEP must not change what another rule sees (the Matcher runs first)."""
    patterns = [
        {"patterns": [[{"DEP": "expl"}]], "attrs": {"DEP": "nsubj"}},
        {"patterns": [[{"DEP": "expl"}, {"LOWER": "'s"}]], "attrs": {"LEMMA": "be"}, "index": 1},
        {"patterns": [[{"DEP": "nsubj"}]], "attrs": {"POS": "NOUN"}},
    ]
    results = []
    for compiled in (False, True):
        nlp = spacy.blank("en")
        nlp.add_pipe("attribute_ruler").add_patterns(patterns)
        if compiled:
            assert use_compiled_attribute_ruler(nlp)
        results.append(word_attrs(nlp(blank_doc(nlp))))
    assert results[0] == results[1]
    assert results[1][0][5] == "nsubj" and results[1][0][1] == "" and results[1][1][4] == "be"


@pytest.mark.parametrize(
    "token",
    [
        {"LOWER": "x", "OP": "+"},  # operators
        {"LENGTH": 3},  # an attribute the compiler does not read
        {"LOWER": {"FUZZY": "chip"}},  # a predicate it does not reproduce
        {"MORPH": {"IS_SUPERSET": ["Number=Sing"]}},
        {"_": {"flag": True}},  # extension attributes
        {"LOWER": {"REGEX": {"IN": ["^a", "^b"]}}},
    ],
)
def test_unsupported_pattern_keeps_the_stock_component(token, caplog) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns([
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
        {"patterns": [[token]], "attrs": {"POS": "X"}},
    ])
    with caplog.at_level(logging.DEBUG, logger="aiwatch.extract.attributes"):
        assert not use_compiled_attribute_ruler(nlp)
    assert nlp.get_pipe_meta("attribute_ruler").factory == "attribute_ruler"
    assert "keeping the stock attribute_ruler" in caplog.text
    with pytest.raises(UnsupportedPattern):
        CompiledRules(nlp.vocab, nlp.get_pipe("attribute_ruler").patterns)


def test_index_outside_the_pattern_keeps_the_stock_component() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns([{"patterns": [[{"LOWER": "a"}]], "attrs": {}, "index": 2}])
    assert not use_compiled_attribute_ruler(nlp)


def test_no_attribute_ruler_is_left_alone() -> None:
    nlp = spacy.blank("en")
    assert not use_compiled_attribute_ruler(nlp)
    assert nlp.pipe_names == []


# -- the trained model, stock vs compiled, over every text we have ------------------------------------------


class _Text(HTMLParser):
    """All character data of a page, script and style left out (boilerplate kept: more varied text)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data) -> None:
        if not self.skip:
            self.parts.append(data)


def corpus() -> list[str]:
    texts = []
    for name in ("extraction_gold/articles.jsonl", "topics/labelled_pages.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts += [row.get("title") or "", row["text"]]
    for page in sorted(SITE.rglob("*.html")):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        texts.append("".join(parser.parts))
    return texts + TRICKY


@pytest.fixture(scope="module")
def models():
    """The trained model twice (NER left out: it neither reads nor writes these attributes)."""
    from aiwatch.extract.pipeline import load_model

    stock = load_model(compiled_attributes=False)
    ours = load_model()
    for nlp in (stock, ours):
        nlp.disable_pipe("ner")
    return stock, ours


@pytest.mark.model
@pytest.mark.slow  # the trained model twice over every sample-site page
def test_trained_model_attributes_identical_on_every_text(models) -> None:
    stock, ours = models
    assert stock.get_pipe_meta("attribute_ruler").factory == "attribute_ruler"
    assert ours.get_pipe_meta("attribute_ruler").factory == FACTORY
    assert ours.pipe_names == stock.pipe_names
    texts = corpus()
    assert len(texts) > 250
    compared = 0
    for text, a, b in zip(texts, stock.pipe(texts), ours.pipe(texts), strict=True):
        expected, got = word_attrs(a), word_attrs(b)
        if got != expected:
            diff = next((x, y) for x, y in zip(expected, got, strict=True) if x != y)
            pytest.fail(f"attributes differ in {text[:60]!r}: stock {diff[0]} ours {diff[1]}")
        compared += len(got)
    assert compared > 50_000


@pytest.mark.model
def test_tricky_strings_exercise_multi_token_rules(models) -> None:
    stock, ours = models
    docs = list(ours.pipe(TRICKY))
    lemmas = {(t.lower_, t.lemma_) for doc in docs for t in doc}
    assert {("gon", "go"), ("na", "to"), ("ai", "be"), ("nothin'", "nothing"), ("y'", "you")} <= lemmas
    assert [word_attrs(d) for d in docs] == [word_attrs(d) for d in stock.pipe(TRICKY)]


@pytest.mark.model
def test_saved_pipeline_reloads_the_compiled_ruler(models, tmp_path) -> None:
    stock, ours = models
    ours.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert reloaded.get_pipe_meta("attribute_ruler").factory == FACTORY
    assert [word_attrs(d) for d in reloaded.pipe(TRICKY)] == [word_attrs(d) for d in stock.pipe(TRICKY)]
