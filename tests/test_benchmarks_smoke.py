"""The scale benchmarks run end to end at tiny sizes, so they cannot rot (figures are not checked here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))


def run_script(name: str, *args: str, timeout: float = 240) -> dict:
    """Run ``benchmarks/<name>`` and return the JSON object on its last line."""
    done = subprocess.run([sys.executable, str(BENCHMARKS / name), *args], capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_synthetic_database_rows_are_consistent(tmp_path):
    import sqlite3

    import synth

    path = tmp_path / "s.db"
    synth.generate_db(path, 60, graph=False)
    conn = sqlite3.connect(path)
    bad = conn.execute("SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id "
                       "WHERE substr(a.text, m.start_char + 1, m.end_char - m.start_char) != m.text"
                       ).fetchone()[0]
    assert bad == 0
    assert conn.execute("SELECT count(*) FROM articles WHERE extractor_version IS NULL").fetchone()[0] == 0
    per_article = conn.execute("SELECT (SELECT count(*) FROM mentions) * 1.0 / count(*), "
                               "(SELECT count(*) FROM claims) * 1.0 / count(*) FROM articles").fetchone()
    assert 5 <= per_article[0] <= 40 and 0.3 <= per_article[1] <= 5


def test_synthetic_site_renders_articles_and_feed(tmp_path):
    import synth

    site = synth.build_site(tmp_path / "site", 5, min_words=500, max_words=600)
    assert site["articles"] == 5 and site["words"] >= 5 * 500
    feed = (tmp_path / "site" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 5
    for path in site["paths"]:
        assert (tmp_path / "site" / path.lstrip("/")).is_file()


@pytest.mark.slow
def test_datasette_scale_benchmark_runs(tmp_path):
    result = run_script("datasette_scale.py", "--articles", "200", "--repeat", "1",
                        "--cache-dir", str(tmp_path))
    assert result["articles"] == 200 and result["non_200"] == []
    for key in ("table_page_ms", "fts_ms", "entity_page_ms", "canned_query_ms_max", "stock_table_page_ms"):
        assert result[key] > 0, key


@pytest.mark.slow
@pytest.mark.model
def test_e2e_benchmark_runs(tmp_path):
    result = run_script("e2e.py", "--articles", "6", "--skip-incremental", "--repeat", "1",
                        "--min-words", "300", "--max-words", "400", "--cache-dir", str(tmp_path), timeout=400)
    assert result["articles"] == 6 and result["stored"] == 6 and result["baseline_pages"] == 6
    assert result["extract"]["articles"] == 6 and result["extract"]["mentions"] > 0
    assert result["non_200"] == []
    for key in ("articles_per_min", "crawl_ratio", "extract_ratio", "table_page_ms", "fts_ms",
                "entity_page_ms", "canned_query_ms_max"):
        assert result[key] > 0, key
    assert set(result["peak_rss_mb"]) >= {"crawl", "extract", "graph", "crawl_process"}
    assert result["incremental_ratio"] is None


@pytest.mark.slow
@pytest.mark.model
def test_e2e_incremental_only_runs(tmp_path):
    result = run_script("e2e.py", "--incremental-only", "--incremental-base", "40", "--new-articles", "3",
                        "--cache-dir", str(tmp_path), timeout=400)
    assert result["base_articles"] == 40 and result["incremental_ratio"] > 0
    assert result["big"]["stored"] == 3 and result["big"]["extracted"] == 3
    assert result["big"]["events"]["mode"] == "incremental" and result["big"]["events"]["articles"] == 3


@pytest.mark.slow
def test_e2e_crawl_only_runs(tmp_path):
    result = run_script("e2e.py", "--articles", "8", "--crawl-only", "--min-words", "300",
                        "--max-words", "400")
    assert 6 <= result["stored"] <= 8 and result["crawl_ratio"] > 0
    assert result["crawl_process_peak_rss_mb"] > 0


@pytest.mark.model
@pytest.mark.slow
def test_real_news_events_benchmark_runs(tmp_path):
    """Two articles written for this test stand in for the real pages (never stored in the repository)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    texts = {
        "t-1": "Anthropic said on Monday that DeepSeek had distilled its Claude models through thousands of "
               "fake accounts. DeepSeek denied the accusation in a statement on Monday evening.",
        "t-2": "Anthropic accused DeepSeek of distilling Claude, the lab wrote in a blog post.",
    }
    for name, text in texts.items():
        (pages / f"{name}.txt").write_text(text, encoding="utf-8")

    def claim(speaker, kind, target, event):
        return {"speaker": speaker, "speaker_text": speaker.capitalize(), "speaker_kind": "entity",
                "kind": kind, "target": target, "target_text": target and target.capitalize(), "gist": "",
                "event": event}

    rows = [
        {"id": "t-1", "url": "https://one.test/a", "outlet": "One", "topic": "distillation",
         "published": "2026-02-23", "story": "s", "names": [],
         "claims": [claim("anthropic", "accusation", "deepseek", "acc"),
                    claim("deepseek", "denial", None, "den")]},
        {"id": "t-2", "url": "https://two.test/b", "outlet": "Two", "topic": "distillation",
         "published": "2026-02-24", "story": "s", "names": [],
         "claims": [claim("anthropic", "accusation", "deepseek", "acc")]},
    ]
    events = [
        {"event": "acc", "kind": "accusation", "event_date": "2026-02-23", "precision": "day",
         "date_basis": "text", "links": [{"event": "den", "relation": "denial", "strength": "answers"}]},
        {"event": "den", "kind": "denial", "event_date": "2026-02-23", "precision": "day",
         "date_basis": "text", "links": []},
    ]
    manifest, gold = tmp_path / "manifest.jsonl", tmp_path / "events.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    gold.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    result = run_script("real_news_events.py", "--manifest", str(manifest), "--events", str(gold),
                        "--pages", str(pages), "--json")
    assert (result["articles"], result["gold_claims"], result["gold_events"]) == (2, 3, 2)
    for key in ("grouping", "date_accuracy", "first_report_accuracy", "thread_link_precision_strict",
                "stories"):
        assert key in result, key
