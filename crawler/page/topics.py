"""Topic relevance: score a page's title and text against configurable topic lexicons.

The lexicons (``crawler/page/topics.toml`` by default; any file with the same shape via the ``topics_file``
setting) declare *concepts*, named lists of regular expressions, and per topic a list of *rules*. A rule fires
in a window (sentence, paragraph or whole document) where every concept in ``all`` and at least one concept in
``any`` (when given) match, in a document where every concept in ``needs`` matches somewhere; it adds
``weight`` for each firing window, counting at most ``cap`` windows. The title is the first paragraph of the
document and, in addition, its firings add ``title_weight`` times the weight. *Suppressors* then multiply a
topic's score by ``factor`` when a concept (say, ML-tutorial vocabulary) matches at least ``min_count`` times
and none of the ``unless`` concepts match at all.

Scale: a topic's score is the sum of its rule contributions; **1.0 is one clear piece of evidence** (e.g.
"export controls" in the same sentence as an AI chip name, or "distillation" next to an accusation) and is the
threshold at which a topic is assigned. ``relevance`` is the best topic score, so the crawler's
``topic_min_relevance`` of 1.0 stores exactly the pages that have at least one topic. ``evidence`` lists what
fired (``rule`` or ``rule x3``; ``title:rule``; ``suppressed:name``) so a score can be explained.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiwatch.crawler.page.scanner import Scanner, ScanText, compile_scanner

TOPIC_IDS = ("distillation", "export-controls")
MAX_CHARS = 100_000  # text scored per page: a long article's first ~15,000 words; bounds time on huge pages
DEFAULT_LEXICON_PATH = Path(__file__).with_name("topics.toml")
WINDOWS = ("sentence", "paragraph", "document")
# Sentence ends: closing quotes/brackets and whitespace after . ! or ?, or newlines. Only the ends of the
# matches are used (window starts), so the punctuation is matched rather than looked behind at: the same
# ends, and the regex engine can skip straight to the candidate characters.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n+")
_PARAGRAPH_END = re.compile(r"\n\s*")


class TopicLexiconError(ValueError):
    """The topics file is missing or malformed (the message names the file and the offending entry)."""


@dataclass(frozen=True)
class TopicScore:
    """Topics assigned (best first), relevance (best topic score) and every topic's score."""

    topics: list[str]
    relevance: float
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """Co-occurrence of concepts inside one window."""

    name: str
    all: tuple[str, ...]
    any: tuple[str, ...] = ()
    window: str = "sentence"
    weight: float = 1.0
    cap: int = 1
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suppressor:
    """Damp a topic when ``when`` is frequent and no ``unless`` concept occurs."""

    name: str
    when: str
    min_count: int
    unless: tuple[str, ...]
    factor: float


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    rules: tuple[Rule, ...]
    suppressors: tuple[Suppressor, ...] = ()
    threshold: float = 1.0
    title_weight: float = 1.0


@dataclass(frozen=True)
class Lexicons:
    """Compiled concepts and topics from one topics file."""

    concepts: Mapping[str, Scanner]
    topics: Mapping[str, Topic]
    source: str = "<memory>"


# --- loading ----------------------------------------------------------------------------------------------

def load_lexicons(path: str | Path | None = None) -> Lexicons:
    """Read and compile a topics TOML file (default: the bundled ``crawler/page/topics.toml``)."""
    path = Path(path) if path else DEFAULT_LEXICON_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicLexiconError(f"topics file {path}: cannot read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TopicLexiconError(f"topics file {path}: not TOML ({exc})") from None
    return parse_lexicons(data, source=str(path))


def cached_lexicons(path: str | Path | None = None) -> Lexicons:
    """Lexicons for a ``topics_file`` setting value ("" or None: the bundled file), loaded once per path.

    The crawler's topic step calls ``score_topics(title, text, cached_lexicons(config.topics_file))``.
    """
    return _cached(str(Path(path).resolve()) if path else str(DEFAULT_LEXICON_PATH))


@lru_cache(maxsize=8)
def _cached(path: str) -> Lexicons:
    return load_lexicons(path)


def default_lexicons() -> Lexicons:
    """The bundled lexicons, loaded once."""
    return cached_lexicons(None)


def parse_lexicons(data: Mapping[str, Any], source: str = "<memory>") -> Lexicons:
    """Validate and compile lexicons already parsed from TOML."""

    def fail(what: str) -> TopicLexiconError:
        return TopicLexiconError(f"topics file {source}: {what}")

    raw_concepts = data.get("concepts")
    if not isinstance(raw_concepts, dict) or not raw_concepts:
        raise fail("no [concepts] table")
    concepts = {name: _compile(name, patterns, fail) for name, patterns in raw_concepts.items()}
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, dict) or not raw_topics:
        raise fail("no [topics] table")
    topics = {}
    for topic_id, spec in raw_topics.items():
        if not isinstance(spec, dict):
            raise fail(f"topic {topic_id!r} is not a table")
        topics[topic_id] = _topic(topic_id, spec, concepts, fail)
    return Lexicons(concepts=concepts, topics=topics, source=source)


def _compile(name: str, patterns: Any, fail) -> Scanner:
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
        raise fail(f"concept {name!r} must be a non-empty list of regular expressions")
    for i, pattern in enumerate(patterns, 1):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail(f"concept {name!r} pattern {i} {pattern!r}: bad regular expression ({exc})") from None
    return compile_scanner("|".join(f"(?:{p})" for p in patterns))


def _names(value: Any, where: str, concepts: Mapping[str, Any], fail) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else list(value or [])
    for name in names:
        if name not in concepts:
            raise fail(f"{where} names unknown concept {name!r}")
    return tuple(names)


def _topic(topic_id: str, spec: Mapping[str, Any], concepts: Mapping[str, Any], fail) -> Topic:
    rules = []
    for i, raw in enumerate(spec.get("rules") or [], 1):
        name = str(raw.get("name") or f"rule{i}")
        where = f"topic {topic_id!r} rule {name!r}"
        window = raw.get("window", "sentence")
        if window not in WINDOWS:
            raise fail(f"{where}: window must be one of {', '.join(WINDOWS)}")
        required = _names(raw.get("all"), where, concepts, fail)
        optional = _names(raw.get("any"), where, concepts, fail)
        needs = _names(raw.get("needs"), where, concepts, fail)
        if not required and not optional:
            raise fail(f"{where}: needs 'all' or 'any' concepts")
        try:
            weight, cap = float(raw.get("weight", 1.0)), int(raw.get("cap", 1))
        except (TypeError, ValueError):
            raise fail(f"{where}: weight and cap must be numbers") from None
        rules.append(Rule(name, required, optional, window, weight, max(cap, 1), needs))
    if not rules:
        raise fail(f"topic {topic_id!r} has no rules")
    suppressors = []
    for i, raw in enumerate(spec.get("suppress") or [], 1):
        name = str(raw.get("name") or f"suppress{i}")
        where = f"topic {topic_id!r} suppressor {name!r}"
        (when,) = _names(raw.get("when"), where, concepts, fail) or (None,)
        if when is None:
            raise fail(f"{where}: needs a 'when' concept")
        unless = _names(raw.get("unless"), where, concepts, fail)
        suppressors.append(
            Suppressor(name, when, int(raw.get("min_count", 1)), unless, float(raw.get("factor", 0.0)))
        )
    return Topic(
        id=topic_id,
        label=str(spec.get("label", topic_id)),
        rules=tuple(rules),
        suppressors=tuple(suppressors),
        threshold=float(spec.get("threshold", 1.0)),
        title_weight=float(spec.get("title_weight", 1.0)),
    )


# --- scoring ----------------------------------------------------------------------------------------------

def _window_starts(text: str, boundary: re.Pattern[str]) -> list[int]:
    """Start offsets of the windows ``boundary`` splits ``text`` into."""
    return [0] + [m.end() for m in boundary.finditer(text) if m.end() < len(text)]


@dataclass
class _Hits:
    """Where each concept matches in one text: match offsets, mapped to window indexes on demand."""

    text: str
    concepts: Mapping[str, Scanner]
    offsets: dict[str, list[int]] = field(default_factory=dict)
    starts: dict[str, list[int]] = field(default_factory=dict)
    scan: ScanText | None = None

    def positions(self, concept: str) -> list[int]:
        if concept not in self.offsets:
            if self.scan is None:
                self.scan = ScanText(self.text)
            self.offsets[concept] = self.scan.starts(self.concepts[concept])
        return self.offsets[concept]

    def windows(self, concept: str, window: str) -> set[int]:
        positions = self.positions(concept)
        if not positions:
            return set()
        if window == "document":
            return {0}
        if window not in self.starts:
            boundary = _SENTENCE_END if window == "sentence" else _PARAGRAPH_END
            self.starts[window] = _window_starts(self.text, boundary)
        starts = self.starts[window]
        return {bisect.bisect_right(starts, p) - 1 for p in positions}

    def firing_windows(self, rule: Rule) -> set[int]:
        if not all(self.positions(c) for c in rule.needs):
            return set()
        found: set[int] | None = None
        for concept in rule.all:
            windows = self.windows(concept, rule.window)
            found = windows if found is None else found & windows
            if not found:
                return set()
        if rule.any:
            either: set[int] = set().union(*(self.windows(c, rule.window) for c in rule.any))
            found = either if found is None else found & either
        return found or set()


def _score_topic(topic: Topic, title_hits: _Hits, doc_hits: _Hits) -> tuple[float, list[str]]:
    score, evidence = 0.0, []
    for rule in topic.rules:
        count = min(len(doc_hits.firing_windows(rule)), rule.cap)
        if count:
            score += rule.weight * count
            evidence.append(rule.name if count == 1 else f"{rule.name} x{count}")
        if topic.title_weight and title_hits.firing_windows(rule):
            score += rule.weight * topic.title_weight
            evidence.append(f"title:{rule.name}")
    for sup in topic.suppressors:
        frequent = len(doc_hits.positions(sup.when)) >= sup.min_count
        excused = any(doc_hits.positions(c) for c in sup.unless)
        if score and frequent and not excused:
            score *= sup.factor
            evidence.append(f"suppressed:{sup.name}")
    return round(score, 3), evidence


def score_topics(
    title: str, text: str, lexicons: Lexicons | None = None, max_chars: int = MAX_CHARS
) -> TopicScore:
    """Score ``title`` and ``text`` per topic; relevance is the best topic's score (1.0 = on-topic).

    Only the first ``max_chars`` characters of ``text`` are read.

    >>> s = score_topics("US tightens export controls on Nvidia H20 chips", "")
    >>> s.topics, s.relevance >= 1.0
    (['export-controls'], True)
    """
    lexicons = lexicons or default_lexicons()
    title = " ".join((title or "").split())
    title_hits = _Hits(title, lexicons.concepts)
    text = (text or "")[:max_chars]
    doc_hits = _Hits(f"{title}\n{text}" if title else text, lexicons.concepts)
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for topic in lexicons.topics.values():
        scores[topic.id], evidence[topic.id] = _score_topic(topic, title_hits, doc_hits)
    assigned = sorted(
        (t.id for t in lexicons.topics.values() if scores[t.id] >= t.threshold), key=lambda t: -scores[t]
    )
    return TopicScore(
        topics=assigned, relevance=max(scores.values(), default=0.0), scores=scores, evidence=evidence
    )


def topic_ids(lexicons: Lexicons | None = None) -> Iterable[str]:
    """Ids of the topics the lexicons define."""
    return tuple((lexicons or default_lexicons()).topics)
