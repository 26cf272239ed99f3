"""Topic relevance: score a page's title and text against configurable topic lexicons.

Provisional scorer; the lexicons live in ``crawler/topics.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TOPIC_IDS = ("distillation", "export-controls")


@dataclass(frozen=True)
class TopicScore:
    topics: list[str]
    relevance: float
    scores: dict[str, float] = field(default_factory=dict)


_TERMS = {
    "distillation": [r"distill\w*", r"deepseek", r"anthropic", r"openai", r"training on (?:the )?outputs?"],
    "export-controls": [r"export controls?", r"entity list", r"\bH20\b", r"\bH200\b", r"nvidia", r"\bBIS\b"],
}


def score_topics(title: str, text: str) -> TopicScore:
    """Score ``title`` and ``text`` per topic; relevance is the best topic's score."""
    blob = f"{title or ''}\n{title or ''}\n{text or ''}"
    scores = {
        topic: float(sum(len(re.findall(p, blob, flags=re.I)) for p in patterns))
        for topic, patterns in _TERMS.items()
    }
    topics = [t for t, s in scores.items() if s >= 3]
    return TopicScore(topics=topics, relevance=max(scores.values(), default=0.0), scores=scores)
