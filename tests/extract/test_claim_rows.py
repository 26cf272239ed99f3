"""Claim dicts -> ``claims`` rows: every v2 column written, v1 dicts filled from what the document tells.

No spaCy model: the dicts are written by hand as the claims component produces them, and saved into a real
database through :func:`aiwatch.extract.runner.save_rows`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from aiwatch.extract.runner import prune_discovered, save_rows
from aiwatch.extract.workers import CLAIM_COLUMNS, ArticleRows, claim_row

from aiwatch.db import connect

TEXT = (
    "According to the Wall Street Journal, Anthropic accused Chinese AI labs of distilling Claude. "
    "A ministry spokesperson told Reuters that the rules were unfair. "
    "Jensen Huang said sales would fall."
)


def at(text: str, part: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(part, after)
    return start, start + len(part)


def v1(speaker: str | None, verb: str, kind: str, target: str | None, content: str, sentence: str) -> dict:
    """A claim as ``aiwatch_claims_v1`` produced it before claim model v2 (the claim spans its sentence)."""
    start, end = at(TEXT, sentence)
    return {"speaker_id": speaker, "verb": verb, "kind": kind, "target_id": target, "content": content,
            "is_quote": False, "start_char": start, "end_char": end, "sentence": sentence,
            "sentence_start": start, "confidence": 0.9, "topic": "distillation", "negated": False,
            "how": ["entity", "verb"]}


SENT1 = "According to the Wall Street Journal, Anthropic accused Chinese AI labs of distilling Claude."
SENT2 = "A ministry spokesperson told Reuters that the rules were unfair."
SENT3 = "Jensen Huang said sales would fall."
# Where the KB names entities in TEXT, as doc_rows collects them from doc.ents.
MENTIONS = {
    "wsj": [(*at(TEXT, "Wall Street Journal"), "Wall Street Journal")],
    "anthropic": [(*at(TEXT, "Anthropic"), "Anthropic")],
    "claude": [(*at(TEXT, "Claude"), "Claude")],
    "reuters": [(*at(TEXT, "Reuters"), "Reuters")],
    "jensen-huang": [(*at(TEXT, "Jensen Huang"), "Jensen Huang")],
}


def v2_accusation() -> dict:
    claim = v1("anthropic", "accuse", "accusation", None, "distilling Claude", SENT1)
    claim.update(
        speaker_text="Anthropic", speaker_start=at(TEXT, "Anthropic")[0],
        speaker_end=at(TEXT, "Anthropic")[1],
        speaker_kind="entity", via_id="wsj", via_text="the Wall Street Journal",
        cue_start=at(TEXT, "accused")[0], cue_end=at(TEXT, "accused")[1],
        target_text="Chinese AI labs", content_start=at(TEXT, "distilling Claude")[0],
        content_end=at(TEXT, "distilling Claude")[1],
    )
    return claim


def v2_unresolved() -> dict:
    claim = v1(None, "tell", "statement", None, "the rules were unfair", SENT2)
    claim.update(
        speaker_text="A ministry spokesperson", speaker_start=at(TEXT, "A ministry spokesperson")[0],
        speaker_end=at(TEXT, "A ministry spokesperson")[1], speaker_kind="role", via_id="reuters",
        via_text="Reuters", cue_start=at(TEXT, "told")[0], cue_end=at(TEXT, "told")[1], target_text=None,
        content_start=at(TEXT, "the rules were unfair")[0], content_end=at(TEXT, "the rules were unfair")[1],
    )
    return claim


def row_dict(row: tuple) -> dict:
    assert len(row) == len(CLAIM_COLUMNS)
    return dict(zip(CLAIM_COLUMNS, row, strict=True))


def test_a_v2_claim_fills_every_column():
    row = row_dict(claim_row(v2_accusation(), 3, TEXT, MENTIONS))
    speaker = (row["speaker_id"], row["speaker_text"], row["speaker_kind"])
    assert speaker == ("anthropic", "Anthropic", "entity")
    assert (row["via_id"], row["via_text"]) == ("wsj", "the Wall Street Journal")
    assert (row["target_id"], row["target_text"]) == (None, "Chinese AI labs")
    for name, expected in (("speaker", "Anthropic"), ("cue", "accused"), ("content", "distilling Claude")):
        assert TEXT[row[f"{name}_start"] : row[f"{name}_end"]] == expected
    assert row["article_id"] == 3 and row["is_quote"] == 0 and row["negated"] == 0


def test_a_speaker_that_does_not_resolve_keeps_its_text():
    row = row_dict(claim_row(v2_unresolved(), 3, TEXT, MENTIONS))
    assert (row["speaker_id"], row["speaker_text"], row["speaker_kind"]) == (None, "A ministry spokesperson",
                                                                            "role")
    assert TEXT[row["speaker_start"] : row["speaker_end"]] == "A ministry spokesperson"
    assert (row["via_id"], row["via_text"]) == ("reuters", "Reuters")


def test_a_v1_claim_gets_what_the_document_tells():
    row = row_dict(claim_row(v1("jensen-huang", "say", "statement", None, "sales would fall", SENT3), 3, TEXT,
                             MENTIONS))
    assert row["speaker_text"] == "Jensen Huang"
    assert TEXT[row["speaker_start"] : row["speaker_end"]] == "Jensen Huang"
    assert TEXT[row["content_start"] : row["content_end"]] == "sales would fall"
    # Unknown to a v1 dict: left for the insert (kind from the entity type) or empty.
    assert row["speaker_kind"] is None and row["via_id"] is None and row["via_text"] is None
    assert row["cue_start"] is None and row["target_text"] is None
    according = v1("anthropic", "according to", "accusation", "claude", "distilling Claude", SENT1)
    according = row_dict(claim_row(according, 3, TEXT, MENTIONS))
    assert TEXT[according["cue_start"] : according["cue_end"]] == "According to"
    assert according["target_text"] == "Claude"
    # A speaker named only outside the claim's span (a pronoun resolved earlier) has no text yet.
    far = row_dict(claim_row(v1("anthropic", "say", "statement", None, "sales would fall", SENT3), 3, TEXT,
                             MENTIONS))
    assert far["speaker_text"] is None and far["speaker_start"] is None


def test_an_unknown_speaker_kind_counts_as_unknown(caplog):
    claim = {**v2_unresolved(), "speaker_kind": "spokesman"}
    assert row_dict(claim_row(claim, 3, TEXT, MENTIONS))["speaker_kind"] is None
    assert "unknown speaker_kind 'spokesman'" in caplog.text


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    conn = connect(db_path)
    conn.executemany(
        "INSERT INTO entities (id, name, type) VALUES (?, ?, ?)",
        [("anthropic", "Anthropic", "ai_lab"), ("claude", "Claude", "ai_model"),
         ("jensen-huang", "Jensen Huang", "person")],
    )
    conn.execute("INSERT INTO articles (id, url, text) VALUES (3, 'https://news.example/3', ?)", (TEXT,))
    return conn


def saved(conn: sqlite3.Connection) -> dict[str, dict]:
    return {r["verb"]: dict(r) for r in conn.execute("SELECT * FROM claims ORDER BY id")}


def test_save_rows_writes_v2_claims_and_their_discovered_channels(conn):
    # Reuters and the WSJ are not in this KB: the resolver discovered them in the article.
    entities = [("wsj", "Wall Street Journal", "organization"), ("reuters", "Reuters", "organization")]
    claims = [claim_row(c, 3, TEXT, MENTIONS) for c in (v2_accusation(), v2_unresolved())]
    _, count, kinds, added = save_rows(conn, ArticleRows(3, entities, [], claims, 30), "test-version")
    assert (count, kinds, added) == (2, {"accusation": 1, "statement": 1}, 2)
    rows = saved(conn)
    columns = ("speaker_text", "speaker_kind", "via_id", "via_text", "target_text")
    assert [rows["accuse"][k] for k in columns] == [
        "Anthropic", "entity", "wsj", "the Wall Street Journal", "Chinese AI labs"]
    tell = rows["tell"]
    assert (tell["speaker_id"], tell["speaker_text"], tell["speaker_kind"], tell["via_id"]) == (
        None, "A ministry spokesperson", "role", "reuters")
    for row in rows.values():
        for name in ("speaker", "cue", "content"):
            assert row[f"{name}_start"] is not None and TEXT[row[f"{name}_start"] : row[f"{name}_end"]]
    # A discovered outlet that only relays a claim is still referred to: the prune keeps it ...
    assert prune_discovered(conn) == 0
    assert {r[0] for r in conn.execute("SELECT id FROM entities WHERE curated = 0")} == {"wsj", "reuters"}
    # ... until re-extraction drops the claims that name it.
    save_rows(conn, ArticleRows(3, [], [], [], 30), "test-version")
    assert prune_discovered(conn) == 2


def test_save_rows_fills_what_a_v1_claim_lacks_from_the_entities(conn):
    claims = [
        claim_row(v1("jensen-huang", "say", "statement", None, "sales would fall", SENT3), 3, TEXT, MENTIONS),
        # Named outside its span: the text falls back to the entity's name.
        claim_row(v1("anthropic", "accuse", "accusation", "claude", "distilling Claude", SENT3), 3, TEXT, {}),
    ]
    save_rows(conn, ArticleRows(3, [], [], claims, 30), "test-version")
    rows = saved(conn)
    assert (rows["say"]["speaker_text"], rows["say"]["speaker_kind"]) == ("Jensen Huang", "person")
    assert TEXT[rows["say"]["speaker_start"] : rows["say"]["speaker_end"]] == "Jensen Huang"
    accuse = rows["accuse"]
    assert (accuse["speaker_text"], accuse["speaker_kind"], accuse["target_text"]) == ("Anthropic", "entity",
                                                                                     "Claude")
    assert accuse["speaker_start"] is None and accuse["via_id"] is None and accuse["via_text"] is None


def test_an_id_that_names_no_entity_is_kept_as_text(conn, caplog):
    """A channel (or speaker, or target) id the entities table lacks must not lose the article's rows."""
    claims = [claim_row(v2_accusation(), 3, TEXT, MENTIONS)]  # via_id 'wsj': not discovered, not in the KB
    _, count, _, _ = save_rows(conn, ArticleRows(3, [], [], claims, 30), "test-version")
    assert count == 1
    row = saved(conn)["accuse"]
    assert [row[k] for k in ("via_id", "via_text", "speaker_id")] == [None, "the Wall Street Journal",
                                                                      "anthropic"]
    assert "claim via_id 'wsj' is no entity" in caplog.text
    assert conn.execute("SELECT extractor_version FROM articles WHERE id = 3").fetchone()[0] == "test-version"
