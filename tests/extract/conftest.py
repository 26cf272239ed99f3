"""Fixtures for the extraction tests: a tiny hand-written KB, and the real pipeline (once per module)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiwatch.extract.kb import KBEntity

GOLD_PATH = Path(__file__).resolve().parents[1] / "data" / "extraction_gold" / "articles.jsonl"


def entity(
    id: str, name: str, type: str, aliases: tuple[str, ...] = (), strict: tuple[str, ...] = ()
) -> KBEntity:
    return KBEntity(
        id=id,
        name=name,
        type=type,
        aliases=aliases,
        strict_aliases=strict,
        wikidata=None,
        description=f"{name} (test entity)",
        parent=None,
    )


@pytest.fixture(scope="session")
def make_entity():
    """Factory for KB entities in tests."""
    return entity


@pytest.fixture(scope="session")
def mini_kb() -> list[KBEntity]:
    """A handful of entities exercising aliases, strict aliases, multi-token names and people."""
    return [
        entity("anthropic", "Anthropic", "ai_lab", ("Anthropic PBC",)),
        entity("deepseek", "DeepSeek", "ai_lab", ("DeepSeek AI",)),
        entity("deepseek-r1", "DeepSeek-R1", "ai_model", (), ("R1",)),
        entity("claude", "Claude", "ai_model", ("Claude 3",)),
        entity("nvidia", "Nvidia", "company", ("NVIDIA Corporation",)),
        entity("nvidia-h20", "H20", "chip", ("Nvidia H20",)),
        entity("us-bis", "Bureau of Industry and Security", "government", (), ("BIS",)),
        entity("entity-list", "Entity List", "policy"),
        entity("jensen-huang", "Jensen Huang", "person"),
        entity("china", "China", "country", ("PRC",)),
    ]


@pytest.fixture(scope="module")
def nlp():
    """The full pipeline over the trained model and the bundled KB (slow: model-marked tests only)."""
    from aiwatch.extract.kb import load_kb
    from aiwatch.extract.pipeline import build_nlp

    return build_nlp(load_kb())
