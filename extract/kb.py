"""The curated knowledge base: canonical entities of the two disputes, loaded from ``data/entities.jsonl``.

One JSON object per line::

    {"id": "deepseek", "name": "DeepSeek", "type": "ai_lab", "aliases": ["深度求索"],
     "strict_aliases": [], "wikidata": null, "description": "...", "parent": null}

Two optional fields serve claim attribution only. ``governs`` (on a government) names the country it speaks
for: "China said" is credited to the Chinese government. ``speaker_aliases`` are names that denote the entity
only as the one who speaks or acts ("Beijing said", "Washington imposed", "the Chinese side opposes"), never
as a place or a mention elsewhere.

The name and ``aliases`` match case-insensitively; ``strict_aliases`` (short or ambiguous forms such as "R1",
"BIS" or "Oracle") match case-sensitively only; a name that is also listed in ``strict_aliases`` is strict.
:func:`load_kb` validates the file and raises :class:`KBError` naming the file and line of the first
problem; :func:`save_kb` upserts the entities into the ``entities`` and ``entity_aliases`` tables.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from aiwatch.db import ENTITY_TYPES, transaction

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID_RE = re.compile(r"^Q[1-9]\d*$")
FIELDS = {
    "id", "name", "type", "aliases", "strict_aliases", "wikidata", "description", "parent", "governs",
    "speaker_aliases",
}
REQUIRED = ("id", "name", "type", "description")


class KBError(Exception):
    """The knowledge-base file is invalid; the message names the file and line."""


@dataclass(frozen=True)
class KBEntity:
    """One curated canonical entity."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    strict_aliases: tuple[str, ...]
    wikidata: str | None
    description: str
    parent: str | None
    governs: str | None = None
    speaker_aliases: tuple[str, ...] = ()

    def normal_aliases(self) -> tuple[str, ...]:
        """Name and aliases matched case-insensitively (the name only when it is not a strict alias)."""
        names = () if self.name in self.strict_aliases else (self.name,)
        return tuple(dict.fromkeys((*names, *self.aliases)))

    def all_aliases(self) -> tuple[str, ...]:
        """Name, aliases and strict aliases, name first, without duplicates."""
        seen: dict[str, None] = {self.name: None}
        for alias in (*self.aliases, *self.strict_aliases):
            seen.setdefault(alias, None)
        return tuple(seen)


def default_kb_path() -> Path:
    """Path of the knowledge base bundled with the package."""
    return Path(str(resources.files(__package__).joinpath("data", "entities.jsonl")))


def _string_list(value: Any, field: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KBError(f"{where}: {field!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_entity(record: Any, where: str) -> KBEntity:
    """Validate one decoded JSON line (everything that needs no other line) and build the entity."""
    if not isinstance(record, dict):
        raise KBError(f"{where}: expected a JSON object")
    unknown = set(record) - FIELDS
    if unknown:
        raise KBError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for field in REQUIRED:
        if not isinstance(record.get(field), str) or not record[field].strip():
            raise KBError(f"{where}: missing or empty {field!r}")
    entity_id = record["id"]
    if not SLUG_RE.match(entity_id):
        raise KBError(f"{where}: id {entity_id!r} is not a lowercase slug")
    if record["type"] not in ENTITY_TYPES:
        allowed = ", ".join(ENTITY_TYPES)
        raise KBError(f"{where}: {entity_id}: type {record['type']!r} is not one of {allowed}")
    qid = record.get("wikidata")
    if qid is not None and (not isinstance(qid, str) or not QID_RE.match(qid)):
        raise KBError(f"{where}: {entity_id}: wikidata {qid!r} is not a QID like Q42")
    parent = record.get("parent")
    if parent is not None and (not isinstance(parent, str) or not SLUG_RE.match(parent)):
        raise KBError(f"{where}: {entity_id}: parent {parent!r} is not an entity id")
    governs = record.get("governs")
    if governs is not None and (not isinstance(governs, str) or not SLUG_RE.match(governs)):
        raise KBError(f"{where}: {entity_id}: governs {governs!r} is not an entity id")
    if governs is not None and record["type"] != "government":
        raise KBError(f"{where}: {entity_id}: only a government can govern a country")
    return KBEntity(
        id=entity_id,
        name=record["name"].strip(),
        type=record["type"],
        aliases=_string_list(record.get("aliases"), "aliases", where),
        strict_aliases=_string_list(record.get("strict_aliases"), "strict_aliases", where),
        wikidata=qid,
        description=record["description"].strip(),
        parent=parent,
        governs=governs,
        speaker_aliases=_string_list(record.get("speaker_aliases"), "speaker_aliases", where),
    )


def _check_aliases(entity: KBEntity, where: str, folded: dict[str, str], exact: dict[str, str]) -> None:
    """Record the entity's aliases; raise when one already belongs to another entity.

    ``folded`` maps lower-cased normal aliases, ``exact`` maps strict aliases verbatim. A normal alias
    collides with any alias equal ignoring case; a strict alias collides with a normal alias equal
    ignoring case (the normal one would match it) or with an identical strict alias.
    """
    for alias in entity.normal_aliases():
        key = alias.casefold()
        owner = folded.get(key) or next((o for a, o in exact.items() if a.casefold() == key), None)
        if owner is not None and owner != entity.id:
            raise KBError(f"{where}: {entity.id}: alias {alias!r} already belongs to {owner}")
        folded[key] = entity.id
    for alias in entity.strict_aliases:
        owner = exact.get(alias) or folded.get(alias.casefold())
        if owner is not None and owner != entity.id:
            raise KBError(f"{where}: {entity.id}: strict alias {alias!r} already belongs to {owner}")
        exact[alias] = entity.id


def parse_kb(lines: Iterable[str], source: str) -> list[KBEntity]:
    """Parse and validate knowledge-base lines; ``source`` names the file in error messages."""
    entities: list[KBEntity] = []
    lines_of: dict[str, int] = {}
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KBError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})") from None
        entity = parse_entity(record, where)
        if entity.id in lines_of:
            raise KBError(f"{where}: duplicate id {entity.id!r} (first on line {lines_of[entity.id]})")
        lines_of[entity.id] = number
        _check_aliases(entity, where, folded, exact)
        entities.append(entity)
    types = {e.id: e.type for e in entities}
    for entity in entities:
        where = f"{source}:{lines_of[entity.id]}"
        if entity.parent is not None and entity.parent not in lines_of:
            raise KBError(f"{where}: {entity.id}: parent {entity.parent!r} does not exist")
        if entity.parent == entity.id:
            raise KBError(f"{where}: {entity.id}: is its own parent")
        if entity.governs is not None and types.get(entity.governs) != "country":
            raise KBError(f"{where}: {entity.id}: governs {entity.governs!r}, which is not a country")
    return entities


def load_kb(path: Path | None = None) -> list[KBEntity]:
    """Load and validate the knowledge base at ``path`` (default: the bundled file)."""
    target = Path(path) if path is not None else default_kb_path()
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise KBError(f"{target}: cannot read knowledge base ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise KBError(f"{target}: not UTF-8 ({exc.reason})") from None
    return parse_kb(text.splitlines(), str(target))


def kb_rows(entities: Iterable[KBEntity]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    """Rows for ``entities`` (id, name, type, wikidata, description, curated) and ``entity_aliases``
    (alias, entity_id); the aliases include the name itself and the strict aliases."""
    entity_rows: list[tuple[Any, ...]] = []
    alias_rows: list[tuple[str, str]] = []
    for entity in entities:
        entity_rows.append((entity.id, entity.name, entity.type, entity.wikidata, entity.description, 1))
        alias_rows.extend((alias, entity.id) for alias in entity.all_aliases())
    return entity_rows, alias_rows


def save_kb(conn: sqlite3.Connection, entities: Iterable[KBEntity]) -> dict[str, int]:
    """Upsert the curated entities and their aliases in one transaction; return counts.

    Aliases of curated entities that are no longer in the file are removed, so editing the KB and re-running
    converges. Entities dropped from the file stay (mentions may still point at them) but lose their aliases.
    """
    entity_rows, alias_rows = kb_rows(entities)
    with transaction(conn):
        conn.executemany(
            "INSERT INTO entities (id, name, type, wikidata, description, curated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, "
            "wikidata = excluded.wikidata, description = excluded.description, curated = 1",
            entity_rows,
        )
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _kb_aliases (alias TEXT, entity_id TEXT)")
        conn.execute("DELETE FROM _kb_aliases")
        conn.executemany("INSERT INTO _kb_aliases (alias, entity_id) VALUES (?, ?)", alias_rows)
        removed = conn.execute(
            "DELETE FROM entity_aliases WHERE entity_id IN (SELECT id FROM entities WHERE curated = 1) "
            "AND NOT EXISTS (SELECT 1 FROM _kb_aliases k "
            "WHERE k.alias = entity_aliases.alias AND k.entity_id = entity_aliases.entity_id)"
        ).rowcount
        added = conn.execute(
            "INSERT OR IGNORE INTO entity_aliases (alias, entity_id) SELECT alias, entity_id FROM _kb_aliases"
        ).rowcount
        conn.execute("DROP TABLE _kb_aliases")
    log.debug("knowledge base saved: %d entities, %d aliases added, %d removed",
              len(entity_rows), added, removed)
    return {"entities": len(entity_rows), "aliases_added": added, "aliases_removed": removed}
