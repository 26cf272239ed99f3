"""Fixtures for the publishing tests: a realistic aiwatch database built through ``aiwatch.db.connect``.

The articles are written for these tests. Several carry hostile payloads (script tags, event handlers,
attribute breakouts, a ``javascript:`` URL) in their title, byline, text, entities and claims, so every page
can be checked for escaping.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aiwatch.config import load_config
from aiwatch.db import connect, transaction

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
ATTR = "' onmouseover='alert(1)' x='"
ATTR2 = '" onfocus="alert(1)" autofocus="'
PAYLOADS = (SCRIPT, IMG, SVG, ATTR, ATTR2)
# What must never appear verbatim in an HTML response (the dangerous part of each payload).
RAW_MARKERS = (
    "<script>alert(1)",
    "<img src=x onerror",
    "<svg onload",
    "onmouseover='alert(1)'",
    'onfocus="alert(1)"',
)

ENTITIES: list[tuple[str, str, str, str | None, str]] = [
    ("anthropic", "Anthropic", "ai_lab", "Q116758847", "US AI lab, maker of the Claude models."),
    ("openai", "OpenAI", "ai_lab", "Q21708200", "US AI lab, maker of ChatGPT."),
    ("deepseek", "DeepSeek", "ai_lab", "Q124311233", "Chinese AI lab based in Hangzhou."),
    ("moonshot-ai", "Moonshot AI", "ai_lab", None, "Chinese AI start-up behind the Kimi models."),
    ("google", "Google", "company", "Q95", "US technology company."),
    ("nvidia", "Nvidia", "company", "Q182477", "US chip designer."),
    ("amd", "AMD", "company", "Q128896", "US chip designer."),
    ("huawei", "Huawei", "company", "Q160120", "Chinese technology company making Ascend accelerators."),
    (
        "us-bis",
        "Bureau of Industry and Security",
        "government",
        "Q4997316",
        "US Commerce Department agency that administers export controls.",
    ),
    ("us-commerce", "US Department of Commerce", "government", "Q503577", "US federal department."),
    ("china-mofcom", "Ministry of Commerce of China", "government", "Q1439440", "Chinese trade ministry."),
    ("china", "China", "country", "Q148", "People's Republic of China."),
    ("united-states", "United States", "country", "Q30", "United States of America."),
    ("nvidia-h20", "Nvidia H20", "chip", None, "Data-centre GPU designed for the Chinese market."),
    ("nvidia-blackwell", "Nvidia Blackwell", "chip", None, "Nvidia's 2025 GPU architecture."),
    ("hbm", "High-bandwidth memory", "chip", "Q17147406", "Stacked DRAM used with AI accelerators."),
    ("ai-diffusion-rule", "AI Diffusion Rule", "policy", None, "January 2025 US rule on AI chip exports."),
    ("deepseek-r1", "DeepSeek-R1", "ai_model", None, "Reasoning model released by DeepSeek in January 2025."),
    ("claude", "Claude", "ai_model", None, "Anthropic's family of language models."),
    ("howard-lutnick", "Howard Lutnick", "person", "Q5918580", "US Secretary of Commerce."),
    ("wsj", "The Wall Street Journal", "organization", "Q164746", "US business newspaper."),
    ("xss-corp", f"Evil {SCRIPT} Corp", "company", f"Q1{SVG}", f"A hostile entity {IMG} {ATTR}"),
]
ALIASES = [
    ("R1", "deepseek-r1"),
    ("BIS", "us-bis"),
    ("Commerce Department", "us-commerce"),
    ("MOFCOM", "china-mofcom"),
    ("Kimi maker", "moonshot-ai"),
    (f"alias {SCRIPT}", "xss-corp"),
    ("Wall Street Journal", "wsj"),
    ("WSJ", "wsj"),
]

# (entity id, surface form) pairs are located in the sentence to make mentions with real offsets.
Mention = tuple[str, str]
# speaker, verb, kind, target, content, is_quote, negated[, claim model v2 fields: speaker_text, speaker_kind,
# via_id, via_text, target_text]. Without them the speaker and target are written as the sentence names them
# (else the entity name) and the speaker kind follows the entity type, as the extract stage stores them.
Claim = tuple
Sentence = tuple[str, list[Mention], list[Claim]]

ARTICLES: list[dict[str, Any]] = [
    {
        "url": "https://news.example.com/2025/02/openai-deepseek-distillation",
        "source": "news.example.com",
        "title": "OpenAI says DeepSeek distilled its models",
        "byline": "Jane Writer",
        "published": "2025-02-03T09:00:00+00:00",
        "topics": ["distillation"],
        "sentences": [
            (
                "OpenAI accused DeepSeek of distilling its models to train DeepSeek-R1.",
                [("openai", "OpenAI"), ("deepseek", "DeepSeek"), ("deepseek-r1", "DeepSeek-R1")],
                [
                    (
                        "openai",
                        "accuse",
                        "accusation",
                        "deepseek",
                        "distilling its models to train DeepSeek-R1",
                        0,
                        0,
                    )
                ],
            ),
            (
                "The company said it had seen evidence of distillation from accounts linked to "
                "the Chinese lab.",
                [],
                [],
            ),
            (
                '"We are aware of and reviewing indications that DeepSeek may have '
                'inappropriately distilled our '
                'models," OpenAI said in a statement.',
                [("deepseek", "DeepSeek"), ("openai", "OpenAI")],
                [
                    (
                        "openai",
                        "say",
                        "statement",
                        "deepseek",
                        "DeepSeek may have inappropriately distilled our models",
                        1,
                        0,
                    )
                ],
            ),
        ],
    },
    {
        "url": "https://wire.example.org/deepseek-rejects-claims",
        "source": "wire.example.org",
        "title": "DeepSeek rejects distillation claims",
        "byline": "Li Reporter",
        "published": "2025-02-10T12:30:00+00:00",
        "topics": ["distillation"],
        "sentences": [
            (
                "DeepSeek denied that it had used OpenAI outputs to build DeepSeek-R1.",
                [("deepseek", "DeepSeek"), ("openai", "OpenAI"), ("deepseek-r1", "DeepSeek-R1")],
                [
                    (
                        "deepseek",
                        "deny",
                        "denial",
                        "openai",
                        "it had used OpenAI outputs to build DeepSeek-R1",
                        0,
                        0,
                    )
                ],
            ),
            (
                "Anthropic did not accuse DeepSeek of anything in its own statement.",
                [("anthropic", "Anthropic"), ("deepseek", "DeepSeek")],
                [("anthropic", "accuse", "accusation", "deepseek", "anything", 0, 1)],
            ),
        ],
    },
    {
        "url": "https://policy.example.net/anthropic-distillation-campaigns",
        "source": "policy.example.net",
        "title": "Anthropic reports distillation campaigns against Claude",
        "byline": "Sam Analyst",
        "published": "2026-02-24T08:00:00+00:00",
        "topics": ["distillation"],
        "sentences": [
            (
                "Anthropic accused DeepSeek and Moonshot AI of running large distillation "
                "campaigns against Claude.",
                [
                    ("anthropic", "Anthropic"),
                    ("deepseek", "DeepSeek"),
                    ("moonshot-ai", "Moonshot AI"),
                    ("claude", "Claude"),
                ],
                [
                    (
                        "anthropic",
                        "accuse",
                        "accusation",
                        "deepseek",
                        "running large distillation campaigns against Claude",
                        0,
                        0,
                    ),
                    (
                        "anthropic",
                        "accuse",
                        "accusation",
                        "moonshot-ai",
                        "running large distillation campaigns against Claude",
                        0,
                        0,
                    ),
                ],
            ),
            (
                "Moonshot AI said it complies with the terms of service of every provider.",
                [("moonshot-ai", "Moonshot AI")],
                [
                    (
                        "moonshot-ai",
                        "say",
                        "statement",
                        None,
                        "it complies with the terms of service of every provider",
                        0,
                        0,
                    )
                ],
            ),
        ],
    },
    {
        "url": "https://news.example.com/2025/04/h20-licence",
        "source": "news.example.com",
        "title": "Commerce requires licences for Nvidia H20 sales to China",
        "byline": "Jane Writer",
        "published": "2025-04-15T17:00:00+00:00",
        "topics": ["export-controls"],
        "sentences": [
            (
                "The Commerce Department restricted exports of the Nvidia H20 to China.",
                [("us-commerce", "Commerce Department"), ("nvidia-h20", "Nvidia H20"), ("china", "China")],
                [
                    (
                        "us-commerce",
                        "restrict",
                        "policy_action",
                        "nvidia-h20",
                        "exports of the Nvidia H20 to China",
                        0,
                        0,
                    )
                ],
            ),
            (
                "Nvidia said the rule would cost it billions of dollars in charges.",
                [("nvidia", "Nvidia")],
                [
                    (
                        "nvidia",
                        "say",
                        "statement",
                        None,
                        "the rule would cost it billions of dollars in charges",
                        0,
                        0,
                    )
                ],
            ),
        ],
    },
    {
        "url": "https://wire.example.org/bis-hbm-rule",
        "source": "wire.example.org",
        "title": "BIS adds high-bandwidth memory to export rules",
        "byline": None,
        "published": "2024-12-02T15:00:00+00:00",
        "topics": ["export-controls"],
        "sentences": [
            (
                "BIS imposed new controls on high-bandwidth memory shipped to China.",
                [("us-bis", "BIS"), ("hbm", "high-bandwidth memory"), ("china", "China")],
                [
                    (
                        "us-bis",
                        "impose",
                        "policy_action",
                        "hbm",
                        "new controls on high-bandwidth memory shipped to China",
                        0,
                        0,
                    )
                ],
            ),
            (
                "MOFCOM condemned the rule and announced export limits on gallium.",
                [("china-mofcom", "MOFCOM")],
                [("china-mofcom", "announce", "announcement", None, "export limits on gallium", 0, 0)],
            ),
        ],
    },
    {
        "url": "https://policy.example.net/diffusion-rule",
        "source": "policy.example.net",
        "title": "US issues AI Diffusion Rule",
        "byline": "Sam Analyst",
        "published": "2025-01-13T10:00:00+00:00",
        "topics": ["export-controls"],
        "sentences": [
            (
                "The Bureau of Industry and Security issued the AI Diffusion Rule covering "
                "Nvidia and AMD accelerators.",
                [
                    ("us-bis", "Bureau of Industry and Security"),
                    ("ai-diffusion-rule", "AI Diffusion Rule"),
                    ("nvidia", "Nvidia"),
                    ("amd", "AMD"),
                ],
                [
                    (
                        "us-bis",
                        "issue",
                        "policy_action",
                        "ai-diffusion-rule",
                        "the AI Diffusion Rule covering Nvidia and AMD accelerators",
                        0,
                        0,
                    )
                ],
            ),
        ],
    },
    {
        "url": "https://news.example.com/2025/05/rescind",
        "source": "news.example.com",
        "title": "Lutnick rescinds diffusion rule, Huawei chips warned",
        "byline": "Jane Writer",
        "published": "2025-05-14T11:00:00+00:00",
        "topics": ["export-controls"],
        "sentences": [
            (
                "Howard Lutnick rescinded the AI Diffusion Rule before it took effect.",
                [("howard-lutnick", "Howard Lutnick"), ("ai-diffusion-rule", "AI Diffusion Rule")],
                [
                    (
                        "howard-lutnick",
                        "rescind",
                        "policy_action",
                        "ai-diffusion-rule",
                        "the AI Diffusion Rule",
                        0,
                        0,
                    )
                ],
            ),
            (
                "The Commerce Department warned that using Huawei Ascend chips anywhere may "
                "break US export rules.",
                [("us-commerce", "Commerce Department"), ("huawei", "Huawei")],
                [
                    (
                        "us-commerce",
                        "warn",
                        "policy_action",
                        "huawei",
                        "using Huawei Ascend chips anywhere may break US export rules",
                        0,
                        0,
                    )
                ],
            ),
        ],
    },
    {
        "url": "https://news.example.com/2025/12/blackwell",
        "source": "news.example.com",
        "title": "Nvidia Blackwell stays off limits for China",
        "byline": "Li Reporter",
        "published": "2025-12-08T09:00:00+00:00",
        "topics": ["export-controls", "distillation"],
        "sentences": [
            (
                "The United States kept Nvidia Blackwell chips off the list of parts Nvidia may "
                "sell to China.",
                [
                    ("united-states", "United States"),
                    ("nvidia-blackwell", "Nvidia Blackwell"),
                    ("nvidia", "Nvidia"),
                    ("china", "China"),
                ],
                [
                    (
                        "united-states",
                        "keep",
                        "policy_action",
                        "nvidia-blackwell",
                        "Nvidia Blackwell chips off the list of parts Nvidia may sell to China",
                        0,
                        0,
                    )
                ],
            ),
            (
                "Google accused DeepSeek of distillation too, according to people familiar with the matter.",
                [("google", "Google"), ("deepseek", "DeepSeek")],
                [
                    (
                        "google",
                        "accuse",
                        "accusation",
                        "deepseek",
                        "distillation too",
                        0,
                        0,
                        {"via_text": "people familiar with the matter"},
                    )
                ],
            ),
        ],
    },
    # Hostile content everywhere a journalist might look.
    {
        "url": f"https://evil.example/{SVG}{SCRIPT}",
        "source": "evil.example",
        "title": f"{SCRIPT} Evil Corp accuses DeepSeek {IMG}",
        "byline": f"{SVG} {ATTR}",
        "published": "2025-06-01T00:00:00+00:00",
        "topics": ["distillation"],
        "sentences": [
            (
                f"Evil {SCRIPT} Corp accused DeepSeek of copying {IMG} outputs {ATTR2}.",
                [("xss-corp", f"Evil {SCRIPT} Corp"), ("deepseek", "DeepSeek")],
                [("xss-corp", "accuse", "accusation", "deepseek", f"copying {IMG} outputs {SVG}", 0, 0)],
            ),
            (
                f"Evil {SCRIPT} Corp restricted exports {ATTR} of Nvidia chips.",
                [("xss-corp", f"Evil {SCRIPT} Corp"), ("nvidia", "Nvidia")],
                [
                    (
                        "xss-corp",
                        "restrict",
                        "policy_action",
                        "nvidia",
                        f"exports {ATTR} of Nvidia chips {SCRIPT}",
                        0,
                        0,
                    )
                ],
            ),
        ],
    },
    {
        "url": "javascript:alert(1)//",
        "source": "evil.example",
        "title": f"Scheme test {ATTR2}",
        "byline": SCRIPT,
        "published": "2025-06-02T00:00:00+00:00",
        "topics": ["distillation"],
        "sentences": [
            (
                "Evil Corp accused OpenAI of hiding something.",
                [("openai", "OpenAI")],
                [
                    (
                        "xss-corp",
                        "accuse",
                        "accusation",
                        "openai",
                        "hiding something",
                        0,
                        0,
                        {"speaker_text": f"Evil {SCRIPT} Corp", "via_text": f"{IMG} Radio {ATTR2}"},
                    )
                ],
            ),
            (
                f"{SVG} officials banned Nvidia chips {ATTR}.",
                [("nvidia", "Nvidia")],
                [
                    (
                        None,
                        "ban",
                        "policy_action",
                        "nvidia",
                        "Nvidia chips",
                        0,
                        0,
                        {"speaker_text": f"{SVG} officials", "speaker_kind": "group", "via_text": ATTR,
                         "target_text": f"Nvidia {SCRIPT}"},
                    )
                ],
            ),
        ],
    },
    # A duplicate of the first article (must not be double counted in the pages).
    {
        "url": "https://mirror.example.com/openai-deepseek",
        "source": "mirror.example.com",
        "title": "OpenAI says DeepSeek distilled its models",
        "byline": "Jane Writer",
        "published": "2025-02-03T10:00:00+00:00",
        "topics": ["distillation"],
        "duplicate_of": 1,
        "sentences": [
            (
                "OpenAI accused DeepSeek of distilling its models to train DeepSeek-R1.",
                [("openai", "OpenAI"), ("deepseek", "DeepSeek")],
                [
                    (
                        "openai",
                        "accuse",
                        "accusation",
                        "deepseek",
                        "distilling its models to train DeepSeek-R1",
                        0,
                        0,
                    )
                ],
            ),
        ],
    },
]
# Claim model v2: speakers that are no entity, channels, targets that are a named group. Added after the
# duplicate so the ids above stay put; no accusation, so the accusation counts above stay put too.
ARTICLES.append(
    {
        "url": "https://news.example.com/2025/08/beijing-h20-guidance",
        "source": "news.example.com",
        "title": "Beijing tells state firms to avoid the Nvidia H20, WSJ reports",
        "byline": "Li Reporter",
        "published": "2025-08-12T08:00:00+00:00",
        "topics": ["export-controls"],
        "sentences": [
            (
                "According to the Wall Street Journal, Chinese regulators told state firms to stop buying "
                "the Nvidia H20.",
                [("wsj", "Wall Street Journal"), ("nvidia-h20", "Nvidia H20")],
                [
                    (
                        None,
                        "tell",
                        "policy_action",
                        "nvidia-h20",
                        "state firms to stop buying the Nvidia H20",
                        0,
                        0,
                        {"speaker_text": "Chinese regulators", "speaker_kind": "group", "via_id": "wsj",
                         "via_text": "the Wall Street Journal"},
                    )
                ],
            ),
            (
                "A ministry spokesperson told Reuters that Nvidia must explain the security risks of its "
                "chips.",
                [("nvidia", "Nvidia")],
                [
                    (
                        None,
                        "tell",
                        "statement",
                        "nvidia",
                        "Nvidia must explain the security risks of its chips",
                        0,
                        0,
                        {"speaker_text": "A ministry spokesperson", "speaker_kind": "role",
                         "via_text": "Reuters"},
                    )
                ],
            ),
            (
                "He said Chinese AI labs were buying chips through shell companies.",
                [],
                [
                    (
                        "howard-lutnick",
                        "say",
                        "statement",
                        None,
                        "Chinese AI labs were buying chips through shell companies",
                        0,
                        0,
                        {"speaker_text": "He", "target_text": "Chinese AI labs"},
                    )
                ],
            ),
        ],
    }
)
# Filler so articles look like real ones (the demo and FTS tests search for these words too).
FILLER = (
    "Officials and analysts disagreed about what the step would mean for the wider industry. "
    "Further details were expected in the coming weeks."
)


NAMES = {eid: name for eid, name, *_ in ENTITIES}
TYPES = {eid: etype for eid, _, etype, *_ in ENTITIES}


def build_database(path: Path) -> dict[str, Any]:
    """Write the fixture database at ``path``; return ids of interesting rows for the tests."""
    conn = connect(path)
    info: dict[str, Any] = {"articles": {}, "claims": {}}
    with transaction(conn):
        for eid, name, etype, qid, desc in ENTITIES:
            conn.execute(
                "INSERT INTO entities (id, name, type, wikidata, description) VALUES (?, ?, ?, ?, ?)",
                (eid, name, etype, qid, desc),
            )
        conn.executemany("INSERT INTO entity_aliases (alias, entity_id) VALUES (?, ?)", ALIASES)
        for number, art in enumerate(ARTICLES, start=1):
            text = ""
            placed: list[tuple[int, Sentence]] = []
            for sentence in art["sentences"]:
                placed.append((len(text), sentence))
                text += sentence[0] + " "
            text += FILLER
            conn.execute(
                "INSERT INTO articles (id, url, source, title, byline, published, fetched_at, "
                "language, text, "
                "topics, relevance, content_hash, duplicate_of, word_count) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'en', ?, ?, 3.0, ?, ?, ?)",
                (
                    number,
                    art["url"],
                    art["source"],
                    art["title"],
                    art["byline"],
                    art["published"],
                    "2026-11-27T10:00:00+00:00",
                    text,
                    json.dumps(art["topics"]),
                    f"hash{number}",
                    art.get("duplicate_of"),
                    len(text.split()),
                ),
            )
            info["articles"][art["url"]] = number
            for start, (sent, mentions, claims) in placed:
                for eid, surface in mentions:
                    offset = sent.index(surface)
                    conn.execute(
                        "INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence, "
                        "sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (number, eid, surface, start + offset, start + offset + len(surface), sent, start),
                    )
                for speaker, verb, kind, target, content, is_quote, negated, *more in claims:
                    v2 = more[0] if more else {}
                    written = dict(mentions)
                    speaker_text = v2.get("speaker_text") or written.get(speaker) or NAMES.get(speaker)
                    speaker_at = sent.find(speaker_text) if speaker_text else -1
                    content_at = sent.find(content)
                    kind_of_speaker = v2.get("speaker_kind") or (
                        "anonymous" if speaker is None
                        else "person" if TYPES[speaker] == "person" else "entity"
                    )
                    cur = conn.execute(
                        "INSERT INTO claims (article_id, speaker_id, speaker_text, speaker_start, "
                        "speaker_end, speaker_kind, via_id, via_text, verb, kind, target_id, target_text, "
                        "content, content_start, content_end, sentence, is_quote, start_char, end_char, "
                        "confidence, topic, negated) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0.9, ?, ?)",
                        (
                            number,
                            speaker,
                            speaker_text,
                            start + speaker_at if speaker_at >= 0 else None,
                            start + speaker_at + len(speaker_text) if speaker_at >= 0 else None,
                            kind_of_speaker,
                            v2.get("via_id"),
                            v2.get("via_text"),
                            verb,
                            kind,
                            target,
                            v2.get("target_text") or written.get(target) or NAMES.get(target),
                            content,
                            start + content_at if content_at >= 0 else None,
                            start + content_at + len(content) if content_at >= 0 else None,
                            sent,
                            is_quote,
                            start,
                            start + len(sent),
                            art["topics"][0],
                            negated,
                        ),
                    )
                    info["claims"].setdefault((speaker, kind, target), cur.lastrowid)
        _build_graph(conn)
    # Claim events, stories and threads as the graph stage builds them from these claims.
    from aiwatch.graph.events.pipeline import update_events

    update_events(conn)
    conn.close()
    return info


def _build_graph(conn) -> None:
    """Graph rows as the graph stage would write them (co-mentions per sentence, claim edges)."""
    pairs: dict[tuple[str, str, str], dict[str, Any]] = {}
    rows = conn.execute(
        "SELECT m1.entity_id, m2.entity_id, m1.article_id, a.published FROM mentions m1 "
        "JOIN mentions m2 ON m1.article_id = m2.article_id AND m1.sentence_start = m2.sentence_start "
        "AND m1.entity_id < m2.entity_id JOIN articles a ON a.id = m1.article_id"
    ).fetchall()
    for a, b, article, published in rows:
        entry = pairs.setdefault((a, b, "co_mention"), {"w": 0, "ev": set(), "dates": []})
        entry["w"] += 1
        entry["ev"].add(article)
        entry["dates"].append(published[:10])
    for cid, s, t, kind, published in conn.execute(
        "SELECT c.id, c.speaker_id, c.target_id, c.kind, a.published FROM claims c "
        "JOIN articles a ON a.id = c.article_id WHERE c.speaker_id IS NOT NULL AND c.target_id IS NOT NULL "
        "AND c.negated = 0"
    ).fetchall():
        entry = pairs.setdefault((s, t, kind), {"w": 0, "ev": set(), "dates": []})
        entry["w"] += 1
        entry["ev"].add(cid)
        entry["dates"].append(published[:10])
    for (a, b, kind), e in sorted(pairs.items()):
        conn.execute(
            "INSERT INTO graph_edges (source_id, target_id, kind, weight, first_seen, last_seen, evidence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (a, b, kind, e["w"], min(e["dates"]), max(e["dates"]), json.dumps(sorted(e["ev"]))),
        )
    degree: dict[str, set[str]] = {}
    for a, b, _ in pairs:
        degree.setdefault(a, set()).add(b)
        degree.setdefault(b, set()).add(a)
    total = sum(len(v) for v in degree.values())
    for eid, neighbours in sorted(degree.items()):
        count = conn.execute(
            "SELECT count(DISTINCT article_id) FROM mentions WHERE entity_id = ?", (eid,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO graph_nodes (entity_id, degree, pagerank, betweenness, community, article_count) "
            "VALUES (?, ?, ?, 0.0, ?, ?)",
            (eid, len(neighbours), len(neighbours) / total, 0 if eid in ("deepseek", "openai") else 1, count),
        )


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The fixture database (built once per session; tests only read it)."""
    path = tmp_path_factory.mktemp("publish") / "fixture.db"
    info = build_database(path)
    return path, info


@pytest.fixture(scope="session")
def datasette_instance(fixture_db):
    """The Datasette that ``aiwatch serve`` would run over the fixture database."""
    from aiwatch.serve import build_datasette

    return build_datasette(fixture_db[0], load_config(environ={}))


@pytest.fixture(scope="session")
def app_and_reference() -> Callable[[Path], tuple[Any, sqlite3.Connection]]:
    """``open(path)`` -> (the ``aiwatch serve`` Datasette over ``path``, a plain connection to the same file
    with the search function ``aiwatch_words``, to run reference query definitions on)."""
    from aiwatch.datasette_plugin.search import fts_words
    from aiwatch.serve import build_datasette

    def _open(path: Path) -> tuple[Any, sqlite3.Connection]:
        reference = sqlite3.connect(path)
        reference.create_function("aiwatch_words", 1, fts_words, deterministic=True)
        return build_datasette(path, load_config(environ={})), reference

    return _open


@pytest.fixture(scope="session")
def get(datasette_instance) -> Callable[..., Any]:
    """``get(path)`` -> httpx response from Datasette's own test client."""

    def _get(path: str, **kwargs: Any):
        return asyncio.run(datasette_instance.client.get(path, **kwargs))

    return _get


@pytest.fixture(scope="session")
def raw_markers() -> tuple[str, ...]:
    """Dangerous fragments of the payloads that must never appear verbatim in a response."""
    return RAW_MARKERS


@contextlib.contextmanager
def serving(db: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen, str]]:
    """A real ``aiwatch serve`` subprocess on a free loopback port; yields (url, process, first line).

    Waits until the server answers; terminates it on exit.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", "from aiwatch.cli import main; main()", "--db", str(db), "serve",
         "--port", "0", "--host", "127.0.0.1", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert match, line + (proc.stdout.read() if proc.poll() is not None else "")
        url = match.group(1)
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "-/versions.json", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url, proc, line
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def serve_process() -> Callable[..., contextlib.AbstractContextManager[tuple[str, subprocess.Popen, str]]]:
    """:func:`serving`, for tests: ``with serve_process(db, "--no-sql") as (url, proc, first_line)``."""
    return serving


def run_in_terminal(args: list[str], timeout: float = 600) -> tuple[int, str]:
    """Run ``aiwatch ARGS`` with a pseudo-terminal (160 columns) as stdout and stderr, as a person would;
    returns (exit status, everything it wrote, carriage returns included)."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", "from aiwatch.cli import main; main()", *args],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """``aiwatch demo --no-serve`` (crawl, extract, graph over the sample site) run once per session at a
    terminal: (database path, what the terminal showed)."""
    db = tmp_path_factory.mktemp("demo") / "aiwatch.db"
    code, output = run_in_terminal(["--db", str(db), "demo", "--no-serve", "--site-port", "0"])
    assert code == 0, output[-3000:]
    return db, output
