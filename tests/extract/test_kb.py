"""The curated knowledge base (validation, database load) and the consistency of the extraction gold set."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from aiwatch.extract.kb import KBEntity, KBError, kb_rows, load_kb, save_kb

from aiwatch.db import CLAIM_KINDS, ENTITY_TYPES, connect

GOLD_DIR = Path(__file__).resolve().parent.parent / "data" / "extraction_gold"
GOLD_FILE = GOLD_DIR / "articles.jsonl"


def _line(**overrides: object) -> str:
    record: dict[str, object] = {
        "id": "acme-labs", "name": "Acme Labs", "type": "ai_lab", "aliases": ["Acme"],
        "strict_aliases": [], "wikidata": None, "description": "A lab.", "parent": None,
    }
    record.update(overrides)
    return json.dumps(record, ensure_ascii=False)


def _beta(**overrides: object) -> str:
    fields: dict[str, object] = {"id": "beta", "name": "Beta", "aliases": []}
    fields.update(overrides)
    return _line(**fields)


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "entities.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def slugify(name: str) -> str:
    """The guidelines' id for a discovered entity: NFKD to ASCII, lowercase, non-alphanumeric runs to "-"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def alias_scan(text: str, kb: list[KBEntity]) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping matches of KB aliases in ``text`` as (start, end, entity id).

    Normal aliases (and the name unless it is strict) match case-insensitively, strict aliases exactly;
    a match must not be glued to a neighbouring letter or digit.
    """
    candidates: list[tuple[int, int, int, str]] = []
    for entity in kb:
        patterns = [(a, re.IGNORECASE) for a in entity.normal_aliases()]
        patterns += [(a, 0) for a in entity.strict_aliases]
        for alias, flags in patterns:
            for m in re.finditer(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, flags):
                candidates.append((m.start(), -(m.end() - m.start()), m.end(), entity.id))
    chosen: list[tuple[int, int, str]] = []
    end = -1
    for start, _, stop, entity_id in sorted(candidates):
        if start >= end:
            chosen.append((start, stop, entity_id))
            end = stop
    return chosen


@pytest.fixture(scope="module")
def kb() -> list[KBEntity]:
    return load_kb()


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    with GOLD_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --- the bundled knowledge base

def test_bundled_kb_loads_and_is_large_enough(kb: list[KBEntity]) -> None:
    assert len(kb) >= 150
    assert len({e.id for e in kb}) == len(kb)
    types = Counter(e.type for e in kb)
    for needed in ENTITY_TYPES:
        assert types[needed] >= 1, f"no entity of type {needed}"
    for needed, floor in {"ai_lab": 8, "company": 25, "ai_model": 20, "chip": 15, "government": 20,
                          "person": 30, "policy": 12, "country": 12}.items():
        assert types[needed] >= floor, (needed, types[needed])


def test_bundled_kb_covers_what_the_plain_model_mislabels(kb: list[KBEntity]) -> None:
    by_alias = {a.casefold(): e.id for e in kb for a in e.normal_aliases()}
    strict = {a: e.id for e in kb for a in e.strict_aliases}
    for alias, expected in {"claude": "claude", "claude 3": "claude-3", "blackwell": "nvidia-blackwell",
                            "hbm": "hbm", "anthropic": "anthropic", "h20": "nvidia-h20",
                            "英伟达": "nvidia", "深度求索": "deepseek", "商务部": "mofcom"}.items():
        assert by_alias.get(alias) == expected, alias
    assert strict["R1"] == "deepseek-r1" and strict["BIS"] == "us-bis" and strict["US"] == "united-states"
    assert "us" not in by_alias, "the pronoun 'us' must not match the United States"


def test_bundled_kb_fields_are_clean(kb: list[KBEntity]) -> None:
    ids = {e.id for e in kb}
    for entity in kb:
        assert entity.description and len(entity.description) < 300, entity.id
        assert entity.parent is None or entity.parent in ids
        assert entity.wikidata is None or re.fullmatch(r"Q[1-9]\d*", entity.wikidata)
        assert not any(a.endswith(("'s", "’s")) and a[:-2] in entity.normal_aliases() for a in entity.aliases)


# --- validation errors name the file and line

@pytest.mark.parametrize(
    ("lines", "line_no", "fragment"),
    [
        ([_line(), _line(name="Other")], 2, "duplicate id 'acme-labs'"),
        ([_line(), _beta(type="startup")], 2, "type 'startup'"),
        ([_line(wikidata="42")], 1, "wikidata '42'"),
        ([_line(), _beta(aliases=["ACME"])], 2, "'ACME' already belongs to acme-labs"),
        ([_line(), _beta(strict_aliases=["Acme Labs"])], 2, "strict alias"),
        ([_line(id="Acme_Labs")], 1, "not a lowercase slug"),
        ([_line(), _beta(parent="nobody")], 2, "parent 'nobody' does not"),
        ([_line(), _beta(governs="acme-labs")], 2, "only a government can govern"),
        ([_line(), _beta(type="government", governs="acme-labs")], 2, "'acme-labs', which is not a country"),
        ([_line(speaker_aliases=["ok", ""])], 1, "'speaker_aliases' must be a list"),
        ([_line(), "{not json"], 2, "not valid JSON"),
        ([_line(description="")], 1, "missing or empty 'description'"),
        ([_line(colour="red")], 1, "unknown field(s) colour"),
    ],
)
def test_invalid_kb_raises_with_file_and_line(tmp_path: Path, lines: list[str], line_no: int,
                                              fragment: str) -> None:
    path = _write(tmp_path, *lines)
    with pytest.raises(KBError) as info:
        load_kb(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line_no}:"), message
    assert fragment in message


def test_strict_aliases_may_differ_only_in_case(tmp_path: Path) -> None:
    path = _write(tmp_path, _line(), _line(id="ear", name="Export Administration Regulations", type="policy",
                                           aliases=[], strict_aliases=["EAR"]),
                  _line(id="ear-clinic", name="Ear Clinic", type="organization", aliases=[],
                        strict_aliases=["Ear"]))
    assert [e.id for e in load_kb(path)] == ["acme-labs", "ear", "ear-clinic"]


def test_missing_file_is_a_kb_error(tmp_path: Path) -> None:
    with pytest.raises(KBError, match="cannot read knowledge base"):
        load_kb(tmp_path / "absent.jsonl")


# --- loading into the database

def test_kb_rows_include_name_and_strict_aliases(tmp_path: Path) -> None:
    path = _write(tmp_path, _line(strict_aliases=["AL"]))
    entity_rows, alias_rows = kb_rows(load_kb(path))
    assert entity_rows == [("acme-labs", "Acme Labs", "ai_lab", None, "A lab.", 1)]
    assert sorted(alias_rows) == [("AL", "acme-labs"), ("Acme", "acme-labs"), ("Acme Labs", "acme-labs")]


def test_save_kb_upserts_and_drops_removed_aliases(tmp_path: Path, db_path: Path) -> None:
    conn = connect(db_path)
    first = load_kb(_write(tmp_path, _line(aliases=["Acme", "Acme AI"])))
    save_kb(conn, first)
    conn.execute("INSERT INTO entities (id, name, type, curated) "
                 "VALUES ('found-co', 'Found Co', 'company', 0)")
    conn.execute("INSERT INTO entity_aliases (alias, entity_id) VALUES ('Found', 'found-co')")
    second = load_kb(_write(tmp_path, _line(name="Acme Labs Inc", aliases=["Acme"], wikidata="Q1")))
    stats = save_kb(conn, second)
    assert stats["aliases_removed"] == 2  # "Acme AI" and the old name
    row = conn.execute("SELECT name, wikidata, curated FROM entities WHERE id = 'acme-labs'").fetchone()
    assert tuple(row) == ("Acme Labs Inc", "Q1", 1)
    aliases = {tuple(r) for r in conn.execute("SELECT alias, entity_id FROM entity_aliases")}
    assert aliases == {("Acme", "acme-labs"), ("Acme Labs Inc", "acme-labs"), ("Found", "found-co")}
    again = save_kb(conn, second)
    assert again["aliases_added"] == 0 and again["aliases_removed"] == 0


def test_save_bundled_kb(db_path: Path, kb: list[KBEntity]) -> None:
    conn = connect(db_path)
    save_kb(conn, kb)
    assert conn.execute("SELECT count(*) FROM entities WHERE curated = 1").fetchone()[0] == len(kb)
    alias = conn.execute("SELECT entity_id FROM entity_aliases WHERE alias = '英伟达'").fetchone()
    assert alias[0] == "nvidia"


# --- the gold set

def test_alias_scan_prefers_longest_and_respects_case(kb: list[KBEntity]) -> None:
    text = "The Senate Banking Committee asked us about DeepSeek-R1, R1 and r1 at the US Commerce Department."
    assert [eid for _, _, eid in alias_scan(text, kb)] == [
        "senate-banking-committee", "deepseek-r1", "deepseek-r1", "us-commerce"]


def test_gold_set_size_and_splits(gold: list[dict]) -> None:
    assert len(gold) >= 44
    ids = [a["id"] for a in gold]
    assert len(ids) == len(set(ids))
    splits = Counter(a["split"] for a in gold)
    assert set(splits) == {"dev", "test"}
    assert 10 <= splits["dev"] <= 14
    for article in gold:
        words = len(article["text"].split())
        assert 200 <= words <= 600, (article["id"], words)


def test_gold_claims_are_well_formed(gold: list[dict], kb: list[KBEntity]) -> None:
    kb_ids = {e.id for e in kb}
    kinds = Counter()
    for article in gold:
        for claim in article["claims"]:
            where = (article["id"], claim.get("sentence", "")[:60])
            assert claim["kind"] in CLAIM_KINDS, where
            kinds[claim["kind"]] += 1
            assert claim["sentence"] in article["text"], where
            assert isinstance(claim["is_quote"], bool) and claim["verb"], where
            for role in ("speaker", "target"):
                value = claim[role]
                assert value is None or value in kb_ids or value == slugify(value), where
            assert claim["speaker"] is not None, where  # unattributed claims are not annotated
            if claim["kind"] == "statement":
                assert claim["target"] is None, where
            if claim["kind"] == "accusation":
                assert claim["target"] is not None, where
    for kind in CLAIM_KINDS:
        assert kinds[kind] >= 10, (kind, kinds[kind])


def test_gold_ids_outside_the_kb_are_named_in_the_text(gold: list[dict], kb: list[KBEntity]) -> None:
    kb_ids = {e.id for e in kb}
    for article in gold:
        slugged = f"-{slugify(article['text'])}-"
        for claim in article["claims"]:
            for value in (claim["speaker"], claim["target"]):
                if value is not None and value not in kb_ids:
                    assert f"-{value}-" in slugged, (article["id"], value)


def test_gold_entities_match_an_alias_scan(gold: list[dict], kb: list[KBEntity]) -> None:
    kb_ids = {e.id for e in kb}
    for article in gold:
        assert set(article["entities"]) <= kb_ids, article["id"]
        found = sorted({eid for _, _, eid in alias_scan(article["text"], kb)})
        assert sorted(article["entities"]) == found, article["id"]


def test_gold_kb_speakers_and_targets_are_in_the_article(gold: list[dict], kb: list[KBEntity]) -> None:
    kb_ids = {e.id for e in kb}
    for article in gold:
        present = set(article["entities"])
        for claim in article["claims"]:
            for value in (claim["speaker"], claim["target"]):
                if value in kb_ids:
                    assert value in present, (article["id"], value, claim["sentence"][:60])
