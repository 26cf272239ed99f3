"""End to end: articles in a real SQLite file -> run_extract / ``aiwatch extract`` -> rows with offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.db import connect

ARTICLES = [
    (
        "https://news.example/a1",
        "Anthropic accused DeepSeek of distilling Claude through thousands of fraudulent "
        "accounts, the company said on Monday. Mary Chen, a researcher at Zhipu AI Co., Ltd., said the "
        "claims "
        'deserved scrutiny. "We did not copy anything," Liang Wenfeng told reporters.',
    ),
    (
        "https://news.example/a2",
        "The Commerce Department added Huawei to the Entity List on Tuesday. Nvidia's "
        "Jensen Huang said the rules would hurt American companies. Huang warned that China would build "
        "its own "
        "chips. The AI lab's API was not affected.",
    ),
    ("https://news.example/a3", ""),
]


def seed(db_path: Path, duplicate: bool = True) -> None:
    conn = connect(db_path)
    for url, text in ARTICLES:
        conn.execute("INSERT INTO articles (url, title, text) VALUES (?, ?, ?)", (url, "t", text))
    if duplicate:
        conn.execute(
            "INSERT INTO articles (url, text, duplicate_of) VALUES (?, ?, 1)",
            ("https://mirror.example/a1", ARTICLES[0][1]),
        )
    conn.close()


@pytest.fixture(scope="module")
def kb():
    from aiwatch.extract.kb import load_kb

    return load_kb()


@pytest.mark.model
def test_run_extract_writes_rows_with_provenance(db_path: Path, nlp, kb) -> None:
    from aiwatch.extract.runner import EXTRACTOR_VERSION, current_version, run_extract

    seed(db_path)
    conn = connect(db_path)
    stats = run_extract(conn, nlp=nlp, entities=kb)
    assert stats.articles == 4 and stats.errors == 0
    assert conn.execute("SELECT count(*) FROM entities WHERE curated = 1").fetchone()[0] == len(kb)
    assert conn.execute("SELECT count(*) FROM entity_aliases").fetchone()[0] >= len(kb)
    # every mention's offsets slice the article text to the mention text, and the sentence contains it
    rows = conn.execute(
        "SELECT m.*, a.text AS article FROM mentions m JOIN articles a ON a.id = m.article_id"
    )
    rows = rows.fetchall()
    assert len(rows) == stats.mentions > 10
    for row in rows:
        assert row["article"][row["start_char"] : row["end_char"]] == row["text"]
        assert row["article"][row["sentence_start"] :].startswith(row["sentence"].strip()[:20])
    ids = {r["entity_id"] for r in rows}
    assert {"anthropic", "deepseek", "us-commerce", "huawei", "entity-list", "jensen-huang"} <= ids
    assert "ai" not in ids and "api" not in ids
    # discovered entities are stored as non-curated, with slug ids
    discovered = {
        r["id"]: (r["name"], r["type"])
        for r in conn.execute("SELECT id, name, type FROM entities WHERE curated = 0")
    }
    assert discovered.get("mary-chen") == ("Mary Chen", "person")
    assert discovered.get("zhipu-ai", ("Zhipu AI", "ai_lab"))[0] == "Zhipu AI"
    # claims carry offsets into the text and the sentence
    claims = conn.execute(
        "SELECT c.*, a.text AS article FROM claims c JOIN articles a ON a.id = c.article_id "
        "WHERE c.article_id = 1"
    ).fetchall()
    keys = {(c["speaker_id"], c["kind"], c["target_id"]) for c in claims}
    assert ("anthropic", "accusation", "deepseek") in keys
    assert ("liang-wenfeng", "denial", None) in keys
    for c in claims:
        assert c["sentence"] in c["article"]
        assert c["article"][c["start_char"] : c["end_char"]].strip()
        assert c["confidence"] >= 0.5 and c["topic"] in ("distillation", "export-controls", None)
    # the duplicate is processed too, and every article is stamped
    assert conn.execute("SELECT count(*) FROM claims WHERE article_id = 4").fetchone()[0] == len(claims)
    versions = {r[0] for r in conn.execute("SELECT extractor_version FROM articles")}
    assert versions == {current_version(kb)} and current_version(kb).startswith(EXTRACTOR_VERSION + "+kb.")


@pytest.mark.model
def test_rerun_is_incremental_and_rebuild_reprocesses(db_path: Path, nlp, kb) -> None:
    from aiwatch.extract.runner import run_extract

    seed(db_path, duplicate=False)
    conn = connect(db_path)
    first = run_extract(conn, nlp=nlp, entities=kb)
    snapshot = conn.execute("SELECT article_id, entity_id, start_char FROM mentions ORDER BY id").fetchall()
    claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    assert run_extract(conn, nlp=nlp, entities=kb).articles == 0
    # a discovered name that no article supports any more is pruned by the next run
    conn.execute("INSERT INTO entities (id, name, type, curated) VALUES ('stale-name', 'Stale', 'person', 0)")
    assert run_extract(conn, nlp=nlp, entities=kb).pruned == 1
    assert conn.execute("SELECT count(*) FROM entities WHERE id = 'stale-name'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM entities WHERE id = 'mary-chen'").fetchone()[0] == 1
    conn.execute(
        "INSERT INTO articles (url, text) VALUES ('https://news.example/new', 'OpenAI said nothing.')"
    )
    assert run_extract(conn, nlp=nlp, entities=kb).articles == 1
    again = run_extract(conn, nlp=nlp, entities=kb, rebuild=True)
    assert again.articles == first.articles + 1
    rows = conn.execute(
        "SELECT article_id, entity_id, start_char FROM mentions WHERE article_id <= 3 ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [tuple(r) for r in snapshot]  # replaced, not duplicated
    assert conn.execute("SELECT count(*) FROM claims WHERE article_id <= 3").fetchone()[0] == claims


@pytest.mark.model
def test_kb_change_reprocesses_everything(db_path: Path, nlp, kb, make_entity) -> None:
    from aiwatch.extract.runner import run_extract

    seed(db_path, duplicate=False)
    conn = connect(db_path)
    run_extract(conn, nlp=nlp, entities=kb)
    assert run_extract(conn, nlp=nlp, entities=kb).articles == 0
    edited = [*kb, make_entity("zz-test-lab", "Zz Test Lab", "ai_lab")]
    assert run_extract(conn, nlp=nlp, entities=edited).articles == 3


@pytest.mark.model
def test_giant_text_is_cut_not_fatal(db_path: Path, nlp, kb, monkeypatch) -> None:
    import aiwatch.extract.runner as runner

    monkeypatch.setattr(runner, "MAX_TEXT_CHARS", 200)
    conn = connect(db_path)
    text = "Anthropic accused DeepSeek of distilling Claude. " * 40
    conn.execute("INSERT INTO articles (url, text) VALUES ('https://news.example/big', ?)", (text,))
    stats = runner.run_extract(conn, nlp=nlp, entities=kb)
    assert stats.articles == 1 and stats.errors == 0
    ends = [r[0] for r in conn.execute("SELECT end_char FROM mentions")]
    assert ends and max(ends) <= 200


@pytest.mark.model
def test_limit_processes_a_prefix(db_path: Path, nlp, kb) -> None:
    from aiwatch.extract.runner import run_extract

    seed(db_path, duplicate=False)
    conn = connect(db_path)
    assert run_extract(conn, nlp=nlp, entities=kb, limit=2).articles == 2
    assert run_extract(conn, nlp=nlp, entities=kb).articles == 1


@pytest.mark.model
def test_cli_extract_runs_and_records_a_run(db_path: Path) -> None:
    seed(db_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db_path), "extract", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "extract: 4 articles," in result.output and "0 errors in" in result.output
    again = runner.invoke(cli, ["--db", str(db_path), "extract"])
    assert "extract: 0 articles, 0 mentions, 0 claims (0 accusations), 0 errors" in again.output
    rebuilt = runner.invoke(cli, ["--db", str(db_path), "-q", "extract", "--rebuild", "--limit", "1"])
    assert rebuilt.exit_code == 0 and rebuilt.output == ""
    conn = connect(db_path)
    runs = conn.execute("SELECT command, status, stats FROM runs ORDER BY id").fetchall()
    assert [(r["command"], r["status"]) for r in runs] == [
        ("extract", "ok"),
        ("extract", "ok"),
        ("extract --rebuild", "ok"),
    ]
    assert json.loads(runs[0]["stats"])["articles"] == 4
    assert json.loads(runs[2]["stats"])["articles"] == 1


def test_cli_missing_model_is_one_line_error(db_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "extract"], env={"AIWATCH_SPACY_MODEL": "no_such_model_xyz"}
    )
    assert result.exit_code == 1
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith("Error: spaCy model 'no_such_model_xyz' is not installed")
    )
    assert "Traceback" not in result.output


@pytest.mark.model
@pytest.mark.slow
def test_workers_give_the_same_rows(tmp_path: Path, kb) -> None:
    from aiwatch.extract.runner import run_extract

    results = []
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.db"
        seed(path)
        conn = connect(path)
        run_extract(conn, entities=kb, workers=workers, batch_size=1)
        results.append(
            conn.execute(
                "SELECT article_id, speaker_id, kind, target_id, start_char FROM claims "
                "ORDER BY article_id, start_char, speaker_id"
            ).fetchall()
        )
    assert [tuple(r) for r in results[0]] == [tuple(r) for r in results[1]] and results[0]


@pytest.mark.model
def test_claims_keep_the_speaker_as_written_with_offsets(db_path: Path, nlp, kb) -> None:
    from aiwatch.extract.runner import run_extract

    from aiwatch.db import SPEAKER_KINDS

    seed(db_path, duplicate=False)
    conn = connect(db_path)
    run_extract(conn, nlp=nlp, entities=kb)
    claims = conn.execute(
        "SELECT c.*, a.text AS article FROM claims c JOIN articles a ON a.id = c.article_id"
    ).fetchall()
    assert claims
    for c in claims:
        assert c["speaker_kind"] in SPEAKER_KINDS and c["speaker_text"], dict(c)
        spans = {"speaker": c["speaker_text"], "cue": None, "content": c["content"]}
        for name, written in spans.items():
            start, end = c[f"{name}_start"], c[f"{name}_end"]
            if start is None:
                continue
            assert c["start_char"] <= start < end <= c["end_char"] or name == "speaker", (name, dict(c))
            assert c["article"][start:end].strip(), (name, dict(c))
            if written is not None:
                assert c["article"][start:end].strip() == written.strip(), (name, dict(c))
    by_key = {(c["speaker_id"], c["kind"]): c for c in claims}
    # Anthropic accuses by name, and again as "the company" (a nominal resolved to it): the named one here
    accusation = next(c for c in claims if (c["speaker_id"], c["kind"], c["speaker_text"])
                      == ("anthropic", "accusation", "Anthropic"))
    assert accusation["speaker_kind"] == "entity"
    assert accusation["article"][accusation["speaker_start"] : accusation["speaker_end"]] == "Anthropic"
    assert accusation["target_text"] == "DeepSeek"
    assert by_key[("jensen-huang", "statement")]["speaker_kind"] == "person"
