"""Pipeline step 2: topic relevance; pages below ``topic_min_relevance`` are dropped as off-topic."""

from __future__ import annotations

from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.topics import score_topics

# Federal Register documents from the Bureau of Industry and Security are export-control documents by
# source: one that mentions any topic term at all is raised to the storage threshold and tagged
# ``export-controls``. A BIS rule with no topic term anywhere in its title, abstract or text (say, on
# firearms) is "clearly unrelated" and still dropped.
POLICY_SOURCE_TOPIC = "export-controls"


def score_item(item: PageItem, min_relevance: float, brief_min_relevance: float | None = None) -> PageItem:
    """Set ``topics`` and ``relevance`` on ``item`` or raise ``Rejected('off_topic')``.

    A short brief (``item.brief``, set by the extract step) needs ``brief_min_relevance`` (when higher than
    ``min_relevance``): a 60-word page is kept only when it is clearly on topic.
    """
    title = item.title or ""
    text = item.text or ""
    if item.kind == "policy_document":
        abstract = item.hints.get("abstract") or ""
        score = score_topics(title, f"{abstract}\n{text}")
        topics = list(score.topics)
        relevance = score.relevance
        if any(v > 0 for v in score.scores.values()):
            relevance = max(relevance, min_relevance)
            if POLICY_SOURCE_TOPIC not in topics:
                topics.append(POLICY_SOURCE_TOPIC)
    else:
        score = score_topics(title, text)
        topics, relevance = list(score.topics), score.relevance
    if relevance < min_relevance:
        raise Rejected("off_topic", f"relevance {relevance:.2f} < {min_relevance}")
    if item.brief and brief_min_relevance is not None and relevance < brief_min_relevance:
        raise Rejected("off_topic", f"relevance {relevance:.2f} < {brief_min_relevance} "
                                    f"for a {item.word_count}-word brief")
    item.topics = topics
    item.relevance = float(relevance)
    return item
