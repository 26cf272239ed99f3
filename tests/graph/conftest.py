"""A small, realistic dispute database built row by row, for graph tests.

The articles are written for these tests. One is a syndicated copy (``duplicate_of``) that repeats an
accusation and adds a mention that must not reach the graph; one sentence holds a negated accusation.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aiwatch.db import connect

ENTITIES = [
    ("anthropic", "Anthropic", "ai_lab"),
    ("openai", "OpenAI", "ai_lab"),
    ("deepseek", "DeepSeek", "ai_lab"),
    ("deepseek-r1", "DeepSeek-R1", "ai_model"),
    ("nvidia", "Nvidia", "company"),
    ("nvidia-h20", "Nvidia H20", "chip"),
    ("huawei", "Huawei", "company"),
    ("us-bis", "Bureau of Industry and Security", "government"),
    ("us-commerce", "US Department of Commerce", "government"),
    ("china", "China", "country"),
    ("microsoft", "Microsoft", "company"),
]
ALIASES = [
    ("BIS", "us-bis"),
    ("Commerce", "us-bis"),
    ("Commerce", "us-commerce"),
    ("R1", "deepseek-r1"),
    ("H20", "nvidia-h20"),
    ("PRC", "china"),
]


@dataclass
class FixtureDB:
    """Inserts articles, mentions and claims with consistent offsets into a real aiwatch database."""

    conn: sqlite3.Connection
    sentences: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    def article(self, url: str, title: str, published: str | None, sentences: list[str],
                duplicate_of: int | None = None) -> int:
        text, spans = "", []
        for sentence in sentences:
            if text:
                text += " "
            spans.append((len(text), sentence))
            text += sentence
        cur = self.conn.execute(
            "INSERT INTO articles (url, source, title, published, fetched_at, language, text, topics,"
            " duplicate_of) VALUES (?, ?, ?, ?, '2026-03-01T00:00:00+00:00', 'en', ?, '[]', ?)",
            (url, url.split("/")[2], title, published, text, duplicate_of))
        self.sentences[cur.lastrowid] = spans
        return int(cur.lastrowid)

    def mention(self, article_id: int, index: int, surface: str, entity_id: str) -> None:
        start, sentence = self.sentences[article_id][index]
        offset = start + sentence.index(surface)
        self.conn.execute(
            "INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
            " sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, entity_id, surface, offset, offset + len(surface), sentence, start))

    def claim(self, article_id: int, index: int, speaker: str | None, verb: str, kind: str,
              target: str | None, content: str, *, negated: bool = False, confidence: float = 0.8,
              is_quote: bool = False) -> int:
        start, sentence = self.sentences[article_id][index]
        cur = self.conn.execute(
            "INSERT INTO claims (article_id, speaker_id, verb, kind, target_id, content, sentence, is_quote,"
            " start_char, end_char, confidence, topic, negated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article_id, speaker, verb, kind, target, content, sentence, int(is_quote), start,
             start + len(sentence), confidence, "distillation", int(negated)))
        return int(cur.lastrowid)


def build_fixture(path: Path) -> dict[str, int]:
    """Write the fixture database at ``path``; return the ids of its articles and claims by label."""
    conn = connect(path)
    db = FixtureDB(conn)
    ids: dict[str, int] = {}
    conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, ?)", ENTITIES)
    conn.executemany("INSERT INTO entity_aliases (alias, entity_id) VALUES (?, ?)", ALIASES)

    a1 = ids["a1"] = db.article(
        "https://news.example/2025/01/openai-deepseek",
        "OpenAI says it has evidence DeepSeek distilled its models", "2025-01-29", [
            "OpenAI said it had found evidence that DeepSeek used distillation to train on the outputs "
            "of its models.",
            "DeepSeek's R1 reasoning model was trained on Nvidia hardware, the company has said.",
        ])
    db.mention(a1, 0, "OpenAI", "openai")
    db.mention(a1, 0, "DeepSeek", "deepseek")
    db.mention(a1, 1, "DeepSeek", "deepseek")
    db.mention(a1, 1, "R1", "deepseek-r1")
    db.mention(a1, 1, "Nvidia", "nvidia")
    ids["c1"] = db.claim(a1, 0, "openai", "say", "accusation", "deepseek",
                         "DeepSeek used distillation to train on the outputs of its models", confidence=0.9)

    # A syndicated copy of a1 with an extra line: nothing in it may reach the graph.
    a2 = ids["a2"] = db.article(
        "https://wire.example/syndicated/openai-deepseek", "OpenAI says it has evidence DeepSeek distilled",
        "2025-02-03", [
            "OpenAI said it had found evidence that DeepSeek used distillation to train on the outputs "
            "of its models.",
            "DeepSeek's R1 reasoning model was trained on Nvidia hardware, the company has said.",
            "Microsoft, an OpenAI investor, is also looking into the matter.",
        ], duplicate_of=a1)
    db.mention(a2, 0, "OpenAI", "openai")
    db.mention(a2, 0, "DeepSeek", "deepseek")
    db.mention(a2, 1, "DeepSeek", "deepseek")
    db.mention(a2, 1, "R1", "deepseek-r1")
    db.mention(a2, 1, "Nvidia", "nvidia")
    db.mention(a2, 2, "Microsoft", "microsoft")
    db.mention(a2, 2, "OpenAI", "openai")
    ids["c2"] = db.claim(a2, 0, "openai", "say", "accusation", "deepseek",
                         "DeepSeek used distillation to train on the outputs of its models", confidence=0.9)

    a3 = ids["a3"] = db.article(
        "https://policy.example/h20-licence", "US requires licence for Nvidia H20 sales to China",
        "2025-04-15", [
            "The Bureau of Industry and Security told Nvidia that sales of its H20 chip to China now need a "
            "licence.",
            "Nvidia said the rule would cost it billions of dollars in charges.",
        ])
    db.mention(a3, 0, "Bureau of Industry and Security", "us-bis")
    db.mention(a3, 0, "Nvidia", "nvidia")
    db.mention(a3, 0, "H20", "nvidia-h20")
    db.mention(a3, 0, "China", "china")
    db.mention(a3, 1, "Nvidia", "nvidia")
    ids["c3"] = db.claim(a3, 0, "us-bis", "require", "policy_action", "nvidia",
                         "sales of its H20 chip to China now need a licence", confidence=0.85)
    ids["c3b"] = db.claim(a3, 1, "nvidia", "say", "statement", None,
                          "the rule would cost it billions of dollars in charges")

    a4 = ids["a4"] = db.article(
        "https://news.example/2026/02/anthropic-distillation",
        "Anthropic accuses DeepSeek of distillation attacks", "2026-02-12T09:30:00+00:00", [
            "Anthropic accused DeepSeek of running large-scale distillation campaigns against its "
            "Claude models.",
            "Anthropic did not accuse OpenAI of taking part in the campaigns.",
            "DeepSeek rejected Anthropic's account in a brief statement.",
        ])
    db.mention(a4, 0, "Anthropic", "anthropic")
    db.mention(a4, 0, "DeepSeek", "deepseek")
    db.mention(a4, 1, "Anthropic", "anthropic")
    db.mention(a4, 1, "OpenAI", "openai")
    db.mention(a4, 2, "DeepSeek", "deepseek")
    db.mention(a4, 2, "Anthropic", "anthropic")
    ids["c4"] = db.claim(a4, 0, "anthropic", "accuse", "accusation", "deepseek",
                         "running large-scale distillation campaigns against its Claude models",
                         confidence=0.95, is_quote=False)
    ids["c4neg"] = db.claim(a4, 1, "anthropic", "accuse", "accusation", "openai",
                            "taking part in the campaigns", negated=True)
    ids["c4d"] = db.claim(a4, 2, "deepseek", "reject", "denial", "anthropic", "Anthropic's account")

    a5 = ids["a5"] = db.article(
        "https://policy.example/ascend-guidance", "BIS warns on Huawei Ascend chips", "2025-05-13", [
            "BIS said that using Huawei Ascend chips anywhere in the world risks breaking US export "
            "controls.",
        ])
    db.mention(a5, 0, "BIS", "us-bis")
    db.mention(a5, 0, "Huawei", "huawei")
    ids["c5"] = db.claim(a5, 0, "us-bis", "warn", "policy_action", "huawei",
                         "using Huawei Ascend chips anywhere in the world risks breaking US export controls")

    a6 = ids["a6"] = db.article(
        "https://tech.example/openai-memo", "OpenAI memo to lawmakers repeats distillation charge",
        "2025-03-01", [
            "In a memo to lawmakers, OpenAI accused DeepSeek of free-riding on US models through "
            "distillation.",
        ])
    db.mention(a6, 0, "OpenAI", "openai")
    db.mention(a6, 0, "DeepSeek", "deepseek")
    ids["c6"] = db.claim(a6, 0, "openai", "accuse", "accusation", "deepseek",
                         "free-riding on US models through distillation", confidence=0.7, is_quote=False)
    conn.close()
    return ids


@pytest.fixture
def graph_db(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """Path of a fresh fixture database and the ids of its articles and claims."""
    path = tmp_path / "graph.db"
    return path, build_fixture(path)
