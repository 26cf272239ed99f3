"""An in-memory index over the curated entities, shared by the pipeline components.

It answers the questions the components ask of the knowledge base: which entity does this alias name,
what type is this id, which KB person has this surname. Built once per pipeline from
:func:`aiwatch.extract.kb.load_kb` (or any list of objects with the same attributes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from aiwatch.extract.normalize import name_key

# spaCy entity label used for each KB type (the KB type itself stays available through the index).
TYPE_LABELS: dict[str, str] = {
    "ai_lab": "ORG",
    "company": "ORG",
    "organization": "ORG",
    "government": "ORG",
    "person": "PERSON",
    "ai_model": "PRODUCT",
    "chip": "PRODUCT",
    "policy": "LAW",
    "country": "GPE",
    "other": "MISC",
}
# Entity type given to a discovered (non-KB) entity from its NER label; labels not listed are not resolved.
LABEL_TYPES: dict[str, str] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "other",
    "PRODUCT": "other",
    "LAW": "policy",
}
ORG_TYPES = frozenset({"ai_lab", "company", "organization", "government"})
_WORD = re.compile(r"\w+")


def speaker_key(text: str) -> str:
    """How a speaker-only name is looked up: lower case, no leading article, no dots.

    >>> speaker_key("The U.S. side"), speaker_key("Beijing")
    ('us side', 'beijing')
    """
    words = text.lower().replace(".", "").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


class EntityLike(Protocol):
    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    strict_aliases: tuple[str, ...]


@dataclass
class KBIndex:
    """Lookup tables over the curated entities."""

    names: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    strict_aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    surnames: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    parents: dict[str, str] = field(default_factory=dict)
    # Organisations' names and aliases as lower-case word tuples, for :meth:`containing`.
    org_words: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    # country id -> the government that speaks for it; speaker-only names ("beijing") -> entity id
    governments: dict[str, str] = field(default_factory=dict)
    speaker_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, entities: Iterable[EntityLike]) -> KBIndex:
        index = cls()
        for entity in entities:
            index.names[entity.id] = entity.name
            index.types[entity.id] = entity.type
            if getattr(entity, "parent", None):
                index.parents[entity.id] = entity.parent
            if getattr(entity, "governs", None):
                index.governments[entity.governs] = entity.id
            for alias in getattr(entity, "speaker_aliases", ()):
                index.speaker_names[speaker_key(alias)] = entity.id
            # A name also listed as a strict alias ("Oracle", "Entity List") matches case-sensitively only.
            for alias in {entity.name, *entity.aliases} - set(entity.strict_aliases):
                index.aliases[alias].add(entity.id)
                key = name_key(alias)
                if alias.isascii() and len(key) > 2:  # "智谱AI" would fold to "ai"
                    index.keys[key].add(entity.id)
            for alias in entity.strict_aliases:
                index.strict_aliases[alias].add(entity.id)
            if entity.type in ORG_TYPES:
                for alias in {entity.name, *entity.aliases}:
                    words = tuple(_WORD.findall(alias.lower()))
                    if alias.isascii() and len(words) > 2:
                        index.org_words.append((words, entity.id))
            if entity.type == "person" and len(entity.name.split()) > 1:
                index.surnames[entity.name.split()[-1].lower()].add(entity.id)
        return index

    def type_of(self, entity_id: str) -> str | None:
        return self.types.get(entity_id)

    def by_key(self, text: str, label: str = "") -> str | None:
        """The single KB id whose normalised alias equals the normalised ``text``, else None."""
        ids = self.keys.get(name_key(text, label), set())
        return next(iter(ids)) if len(ids) == 1 else None

    def containing(self, name: str) -> str | None:
        """The single KB organisation whose name or an alias contains ``name`` as a run of two or more whole
        words ("Cyberspace Administration" in "Cyberspace Administration of China"), else None.

        >>> org = type("E", (), {"id": "cac", "name": "Cyberspace Administration of China",
        ...                      "type": "government", "aliases": (), "strict_aliases": ()})
        >>> index = KBIndex.build([org])
        >>> index.containing("Cyberspace Administration"), index.containing("Administration of Justice")
        ('cac', None)
        """
        words = tuple(_WORD.findall(name.lower()))
        if len(words) < 2:
            return None
        n = len(words)
        ids = {entity_id for alias, entity_id in self.org_words
               if any(alias[i:i + n] == words for i in range(len(alias) - n + 1))}
        return ids.pop() if len(ids) == 1 else None

    def by_surname(self, surname: str) -> str | None:
        """The single KB person with this surname, else None (ambiguous or unknown)."""
        ids = self.surnames.get(surname.lower(), set())
        return next(iter(ids)) if len(ids) == 1 else None
