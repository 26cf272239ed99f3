"""Topic filter: precision/recall gate on the labelled set, held-out figures, rules, lexicon files."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from aiwatch.crawler.page.topics import (
    DEFAULT_LEXICON_PATH,
    TOPIC_IDS,
    TopicLexiconError,
    cached_lexicons,
    load_lexicons,
    score_topics,
)

from aiwatch.config import load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES_FILE = REPO_ROOT / "tests" / "data" / "topics" / "labelled_pages.jsonl"
MANIFEST = REPO_ROOT / "crawler" / "sample_site" / "manifest.json"


def _load_eval_module():
    path = REPO_ROOT / "benchmarks" / "topic_eval.py"
    spec = importlib.util.spec_from_file_location("topic_eval", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("topic_eval", module)
    spec.loader.exec_module(module)
    return module


topic_eval = _load_eval_module()


@pytest.fixture(scope="module")
def pages():
    return topic_eval.load_pages(PAGES_FILE)


@pytest.fixture(scope="module")
def scores(pages):
    return topic_eval.score_pages(pages)


# --- the labelled set itself ------------------------------------------------------------------------------

def test_labelled_set_shape(pages):
    assert len(pages) >= 70
    assert len({p.id for p in pages}) == len(pages)
    for page in pages:
        assert 80 <= len(page.text.split()) <= 300, page.id
        assert page.split in ("dev", "test") and page.title
        assert set(page.topics) <= set(TOPIC_IDS), page.id
    splits = Counter(p.split for p in pages)
    assert 0.25 <= splits["test"] / len(pages) <= 0.4
    kinds = Counter(p.id.split("-")[0] for p in pages)
    assert kinds["near"] >= 20 and kinds["off"] >= 8
    assert sum(1 for p in pages if p.topics == ("distillation",)) >= 10
    assert sum(1 for p in pages if p.topics == ("export-controls",)) >= 10
    assert all(not p.topics for p in pages if p.id.startswith(("near", "off")))


# --- the gate ---------------------------------------------------------------------------------------------

def test_precision_and_recall_on_the_whole_labelled_set(pages, scores):
    overall = topic_eval.on_topic_metrics(pages, scores)
    print(overall.line("all"))
    assert overall.precision >= 0.95
    assert overall.recall >= 0.90


def test_report_held_out_split(pages, scores):
    """Figures on the test split, which the lexicons were not tuned on (printed; gated loosely)."""
    held = [(p, s) for p, s in zip(pages, scores, strict=True) if p.split == "test"]
    figures = topic_eval.on_topic_metrics([p for p, _ in held], [s for _, s in held])
    print(figures.line(f"held-out test (n={len(held)})"))
    assert figures.precision >= 0.9 and figures.recall >= 0.8


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_each_topic_is_assigned_to_its_own_pages(pages, scores, topic):
    figures = topic_eval.topic_metrics(pages, scores, topic)
    print(figures.line(topic))
    assert figures.precision >= 0.9 and figures.recall >= 0.85


def test_relevance_is_the_best_topic_score_and_matches_the_storage_threshold(pages, scores):
    threshold = load_config(environ={}).topic_min_relevance
    for page, score in zip(pages, scores, strict=True):
        assert score.relevance == max(score.scores.values())
        assert set(score.scores) == set(TOPIC_IDS)
        assert (score.relevance >= threshold) == bool(score.topics), page.id
        assert score.topics == sorted(score.topics, key=lambda t: -score.scores[t])


@pytest.mark.skipif(not MANIFEST.exists(), reason="sample site manifest not present")
def test_sample_site_pages_are_filtered_correctly():
    site = topic_eval.sample_site_pages()
    assert len(site) >= 20
    site_scores = topic_eval.score_pages(site)
    figures = topic_eval.on_topic_metrics(site, site_scores)
    print(figures.line(f"sample site (n={len(site)})"))
    assert figures.precision >= 0.95 and figures.recall >= 0.90


# --- rule behaviour on small hand-written cases -----------------------------------------------------------

def test_chip_sales_to_china_count_without_the_word_export():
    score = score_topics(
        "Washington lets Nvidia sell H200 processors to Chinese customers",
        "The administration said it would allow sales of the H200 to approved buyers in China, with the "
        "government taking a cut of the revenue. Lawmakers said the decision was a mistake.",
    )
    assert score.topics == ["export-controls"]
    assert any("chip-china-policy" in e for e in score.evidence["export-controls"])


def test_copying_accusation_counts_without_the_word_distillation():
    score = score_topics(
        "OpenAI says a Chinese rival copied its chatbot",
        "OpenAI accused DeepSeek of copying ChatGPT's answers at scale through accounts that broke its "
        "terms of service, and said it had cut off access.",
    )
    assert "distillation" in score.topics


def test_distillation_tutorial_is_not_the_dispute():
    text = (
        "In this tutorial we use knowledge distillation to train a student network from a teacher. The loss "
        "mixes cross-entropy with the KL divergence of softened logits at a temperature of four. After ten "
        "epochs the student matches the teacher within a point of accuracy."
    )
    assert score_topics("Knowledge distillation with PyTorch", text).topics == []
    whisky = "The distillery runs its spirit still twice; distillation separates the heads and tails."
    assert score_topics("Inside a whisky distillery", whisky).topics == []


def test_gpu_review_and_plain_trade_dispute_are_off_topic():
    review = ("The GeForce RTX 5090 is the fastest gaming GPU we have tested, with high frame rates at 4K, "
              "strong ray tracing and DLSS frame generation. Gamers on a budget should look elsewhere.")
    assert score_topics("RTX 5090 review", review).relevance < 1.0
    steel = "The United States raised tariffs on Chinese steel, and Beijing promised countermeasures."
    assert score_topics("Steel tariffs rise", steel).relevance < 1.0


def test_title_evidence_counts_more_than_the_same_words_in_the_text():
    sentence = "The Commerce Department tightened export controls on AI chips."
    in_title = score_topics(sentence, "Officials spoke on Tuesday.")
    in_text = score_topics("Officials spoke on Tuesday", sentence)
    assert in_title.scores["export-controls"] > in_text.scores["export-controls"] > 0
    assert any(e.startswith("title:") for e in in_title.evidence["export-controls"])


def test_empty_and_huge_inputs():
    empty = score_topics("", "")
    assert empty.topics == [] and empty.relevance == 0.0
    assert score_topics(None, None).relevance == 0.0  # type: ignore[arg-type]
    huge = score_topics("x", "export controls on AI chips to China. " * 50_000)
    assert huge.topics == ["export-controls"]


# --- lexicon files and configuration ----------------------------------------------------------------------

def test_bundled_lexicons_define_both_topics():
    lexicons = load_lexicons()
    assert set(TOPIC_IDS) <= set(lexicons.topics)
    assert lexicons.source == str(DEFAULT_LEXICON_PATH)


def test_custom_lexicon_file_replaces_the_bundled_one(tmp_path):
    path = tmp_path / "mytopics.toml"
    path.write_text(
        "[concepts]\n"
        "bird = ['\\bpuffins?\\b']\n"
        "place = ['\\bIceland\\b']\n"
        "[topics.puffins]\n"
        "[[topics.puffins.rules]]\n"
        "name = 'puffin-in-iceland'\n"
        "all = ['bird', 'place']\n"
        "weight = 0.6\n"
        "cap = 2\n",
        encoding="utf-8",
    )
    lexicons = load_lexicons(path)
    score = score_topics("Puffins return", "Puffins nest in Iceland. More puffins reached Iceland.", lexicons)
    assert score.scores == {"puffins": 1.2} and score.topics == ["puffins"]
    assert score_topics("export controls on H20 chips to China", "", lexicons).topics == []


@pytest.mark.parametrize(("content", "message"), [
    ("not = [toml", "not TOML"),
    ("[topics.x]\n", "no [concepts]"),
    ("[concepts]\na = ['(unclosed']\n[topics.x]\n", "bad regular expression"),
    ("[concepts]\na = ['x']\n[topics.x]\n[[topics.x.rules]]\nname = 'r'\nall = ['b']\n", "concept 'b'"),
    ("[concepts]\na = ['x']\n[topics.x]\n[[topics.x.rules]]\nall = ['a']\nwindow = 'page'\n", "window"),
    ("[concepts]\na = ['x']\n[topics.x]\nlabel = 'no rules'\n", "has no rules"),
])
def test_bad_lexicon_files_raise_one_line_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TopicLexiconError) as info:
        load_lexicons(path)
    text = str(info.value)
    assert str(path) in text and message in text and "\n" not in text


def test_missing_lexicon_file_is_a_clear_error(tmp_path):
    with pytest.raises(TopicLexiconError, match="cannot read"):
        load_lexicons(tmp_path / "absent.toml")


def test_topics_file_setting_exists_and_defaults_to_the_bundled_file(tmp_path):
    config = load_config(environ={})
    assert config.topics_file == ""
    assert config.topic_min_relevance == 1.0
    assert cached_lexicons(config.topics_file) is cached_lexicons(None)
    assert set(cached_lexicons(config.topics_file).topics) >= set(TOPIC_IDS)
    custom = tmp_path / "t.toml"
    custom.write_text("[concepts]\na = ['alpha']\n[topics.a]\n[[topics.a.rules]]\nall = ['a']\n",
                      encoding="utf-8")
    configured = load_config(environ={"AIWATCH_TOPICS_FILE": str(custom)})
    assert list(cached_lexicons(configured.topics_file).topics) == ["a"]


def test_labelled_file_is_plain_jsonl():
    for line in PAGES_FILE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"id", "split", "title", "text", "topics"}


def test_sentence_windows_start_where_the_look_behind_definition_puts_them():
    """The sentence splitter matches the punctuation instead of looking behind at it: same window starts."""
    import random
    import re

    from aiwatch.crawler.page.topics import _SENTENCE_END, _window_starts

    look_behind = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")
    rng = random.Random(3)
    alphabet = [*"ab .!?\"')]\n\t", "”", "’", "\u00a0", "\u2029", "Dr. ", "U.S. ", "?!"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert _window_starts(text, _SENTENCE_END) == _window_starts(text, look_behind), repr(text)
