"""Claim events, threads and outlets on small hand-written databases (no spaCy model)."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from datetime import date

import pytest
from aiwatch.graph.events.dates import resolve_date
from aiwatch.graph.events.pipeline import update_events
from aiwatch.graph.events.threads import Summary, evidence_links

from aiwatch.db import MIGRATIONS, _split_sql, connect, register_functions, transaction

ANTHROPIC = "Anthropic said on Monday that DeepSeek, Moonshot AI and MiniMax ran distillation campaigns."
RETELLING = "In February, Anthropic said that DeepSeek, Moonshot AI and MiniMax had distilled Claude."
DENIAL = "DeepSeek denied that it had distilled Claude."
RULE = "The Commerce Department added DeepSeek to the Entity List."


def _db(path) -> sqlite3.Connection:
    conn = connect(path)
    with transaction(conn):
        conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, ?)", [
            ("anthropic", "Anthropic", "ai_lab"), ("deepseek", "DeepSeek", "ai_lab"),
            ("moonshot-ai", "Moonshot AI", "ai_lab"), ("minimax", "MiniMax", "ai_lab"),
            ("us-commerce", "US Department of Commerce", "government")])
    return conn


def _article(conn, article_id: int, published: str, outlet: str, text: str, duplicate_of=None) -> None:
    conn.execute("INSERT INTO articles (id, url, source, outlet, title, published, fetched_at, text, "
                 "duplicate_of) VALUES (?, ?, 'site.example', ?, ?, ?, ?, ?, ?)",
                 (article_id, f"https://site.example/{article_id}", outlet, f"Article {article_id}",
                  published, published, text, duplicate_of))


def _claims(conn, article_id: int, sentence: str, speaker: str, kind: str, targets: list[str]) -> None:
    for target in targets or [None]:
        conn.execute("INSERT INTO claims (article_id, speaker_id, speaker_text, verb, kind, target_id, "
                     "target_text, content, sentence, start_char, end_char, topic) "
                     "VALUES (?, ?, ?, 'say', ?, ?, ?, ?, ?, 0, ?, 'distillation')",
                     (article_id, speaker, speaker, kind, target, target, sentence, sentence, len(sentence)))


def _story(conn) -> None:
    with transaction(conn):
        _article(conn, 1, "2026-02-23T21:00:00Z", "The Circuit Ledger", ANTHROPIC)
        _claims(conn, 1, ANTHROPIC, "anthropic", "accusation", ["deepseek", "moonshot-ai", "minimax"])
        _article(conn, 2, "2026-02-24T08:00:00Z", "Harbor City Gazette", ANTHROPIC, duplicate_of=1)
        _claims(conn, 2, ANTHROPIC, "anthropic", "accusation", ["deepseek", "moonshot-ai", "minimax"])
        _article(conn, 3, "2026-03-05", "Halvard AI Newsroom", RETELLING)
        _claims(conn, 3, RETELLING, "anthropic", "accusation", ["deepseek", "moonshot-ai", "minimax"])


def test_dates_come_from_the_text_relative_to_the_article():
    assert resolve_date("OpenAI said last week that DeepSeek distilled its models.", "2025-02-07").value == \
        "2025-01-27"  # the week's Monday
    found = resolve_date("On Feb. 12, OpenAI told lawmakers that DeepSeek evaded safeguards.", "2026-02-16")
    assert (found.value, found.precision, found.source) == ("2026-02-12", "day", "text")
    # A date inside what is claimed dates the alleged conduct, not the claim.
    claim = "OpenAI said DeepSeek had used its models in January 2025."
    found = resolve_date(claim, "2026-03-10", cue=7, content=(12, len(claim)))
    assert (found.value, found.source) == ("2026-03-10", "article")
    assert resolve_date("He said it may take a second look now.", "2026-02-23").source == "article"


def test_one_event_per_act_with_first_report_copies_and_retellings(tmp_path):
    conn = _db(tmp_path / "a.db")
    _story(conn)
    stats = update_events(conn)
    assert stats.mode == "full" and stats.accusation_events == 1
    row = conn.execute("SELECT event_id, event_date, date_precision, date_source, accused_ids, "
                       "first_article_id, reports, independent_outlets, retellings FROM accusation_events"
                       ).fetchone()
    accused = json.dumps(["deepseek", "minimax", "moonshot-ai"])
    assert tuple(row)[1:] == ("2026-02-23", "day", "text", accused, 1, 3, 2, 1)
    roles = dict(conn.execute("SELECT article_id, role FROM event_reports"))
    assert roles == {1: "first", 2: "copy", 3: "retelling"}
    assert update_events(conn).mode == "unchanged"


def test_updates_follow_changed_articles_and_match_a_rebuild(tmp_path):
    conn = _db(tmp_path / "a.db")
    _story(conn)
    update_events(conn)
    event_id = conn.execute("SELECT id FROM events WHERE kind = 'accusation'").fetchone()[0]
    with transaction(conn):
        _article(conn, 4, "2026-03-10", "Export Control Dispatch", DENIAL + " " + RULE)
        _claims(conn, 4, DENIAL, "deepseek", "denial", [])
        conn.execute("INSERT INTO claims (article_id, speaker_id, speaker_text, verb, kind, target_id, "
                     "content, sentence, start_char, end_char, topic) VALUES (4, 'us-commerce', 'Commerce', "
                     "'add', 'policy_action', 'deepseek', ?, ?, 0, 10, 'distillation')", (RULE, RULE))
    stats = update_events(conn)
    assert (stats.mode, stats.articles) == ("incremental", 1)
    # The accusation kept its id; its thread now has a denial and an action, each with a reason.
    assert conn.execute("SELECT id FROM events WHERE kind = 'accusation'").fetchone()[0] == event_id
    thread = conn.execute("SELECT status, responses, actions FROM threads WHERE thread_id = ?",
                          (event_id,)).fetchone()
    assert tuple(thread) == ("acted_on", 1, 1)
    reasons = [r[0] for r in conn.execute("SELECT reason FROM thread_links WHERE thread_id = ?", (event_id,))]
    assert any("denial by the accused DeepSeek" in r for r in reasons), reasons
    assert any("naming deepseek" in r for r in reasons), reasons
    incremental = _tables(conn)
    conn.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    rebuilt = connect(tmp_path / "b.db")
    update_events(rebuilt, full=True)
    assert _tables(rebuilt) == incremental


def _accusation(conn, article_id: int, published: str, sentence: str, target: str = "deepseek") -> None:
    _article(conn, article_id, published, f"Outlet {article_id % 3}", sentence)
    _claims(conn, article_id, sentence, "openai", "accusation", [target])


def test_update_regroups_only_the_events_the_new_dates_meet(tmp_path):
    conn = _db(tmp_path / "a.db")
    with transaction(conn):
        conn.execute("INSERT INTO entities (id, name, type) VALUES ('openai', 'OpenAI', 'ai_lab')")
        _accusation(conn, 1, "2025-01-20", "OpenAI accused DeepSeek of distilling its models.")
        _accusation(conn, 2, "2025-06-10", "OpenAI accused DeepSeek of evading its safeguards.")
        _accusation(conn, 3, "2026-02-25", "OpenAI accused DeepSeek of harvesting answers.")
    update_events(conn)
    ids = {r[0]: r[1] for r in conn.execute("SELECT first_article_id, id FROM events")}
    untouched = tuple(conn.execute("SELECT * FROM events WHERE id = ?", (ids[2],)).fetchone())
    with transaction(conn):
        # A retelling dated by its text a year back joins the act it retells, far outside the new days ...
        _accusation(conn, 4, "2026-03-05",
                    "In January 2025, OpenAI accused DeepSeek of distilling its models.")
        # ... and an undated report joins the act first reported before them (it straddles the window's edge).
        _accusation(conn, 5, "2026-03-06", "OpenAI accused DeepSeek of harvesting answers again.")
    stats = update_events(conn)
    assert (stats.mode, stats.articles) == ("incremental", 2)
    # Regrouped: the two new claims and the two events they meet (whole); not the June act.
    assert stats.claims == 4
    reports = dict(conn.execute("SELECT id, reports FROM events"))
    assert reports == {ids[1]: 2, ids[2]: 1, ids[3]: 2}
    assert tuple(conn.execute("SELECT event_date, date_precision FROM events WHERE id = ?",
                              (ids[1],)).fetchone()) == ("2025-01-20", "day")
    assert tuple(conn.execute("SELECT * FROM events WHERE id = ?", (ids[2],)).fetchone()) == untouched
    _assert_matches_rebuild(conn, tmp_path)


def test_an_undated_report_follows_the_one_dated_act_it_can_retell(tmp_path):
    conn = _db(tmp_path / "a.db")
    with transaction(conn):
        conn.execute("INSERT INTO entities (id, name, type) VALUES ('openai', 'OpenAI', 'ai_lab')")
        _accusation(conn, 1, "2025-06-10", "OpenAI accused DeepSeek of evading its safeguards.")
        _accusation(conn, 2, "2026-01-10", "OpenAI accused Moonshot AI of copying.", "moonshot-ai")
    update_events(conn)
    with transaction(conn):  # an article with no date, far from the June act: it retells the only one
        _accusation(conn, 3, None, "OpenAI accused DeepSeek of distilling its models.")
    update_events(conn)
    assert conn.execute("SELECT reports FROM events WHERE first_article_id = 1").fetchone()[0] == 2
    _assert_matches_rebuild(conn, tmp_path)
    with transaction(conn):  # a second dated act against DeepSeek: the undated report can no longer tell
        _accusation(conn, 4, "2026-03-01", "OpenAI accused DeepSeek of harvesting answers.")
    stats = update_events(conn)
    assert conn.execute("SELECT reports FROM events WHERE first_article_id = 1").fetchone()[0] == 1
    assert stats.claims < 5  # not the Moonshot AI act
    _assert_matches_rebuild(conn, tmp_path)


def _assert_matches_rebuild(conn, tmp_path, *, links: bool = True) -> None:
    incremental = _tables(conn)
    rebuilt_path = tmp_path / "rebuilt.db"
    rebuilt_path.unlink(missing_ok=True)
    conn.execute("VACUUM INTO ?", (str(rebuilt_path),))
    rebuilt = connect(rebuilt_path)
    update_events(rebuilt, full=True)
    rebuilt_tables = _tables(rebuilt)
    rebuilt.close()
    if not links:
        del incremental["links"], rebuilt_tables["links"]
    assert rebuilt_tables == incremental


TARGETS = ("deepseek", "moonshot-ai", "minimax")
SAYINGS = ("{s} accused {t} of distilling its models.", "On Monday, {s} accused {t} of copying outputs.",
           "In January 2025, {s} accused {t} of harvesting answers.",
           "{s} said last week that {t} broke rules.", "{s} accused {t} and others of distillation.")


@pytest.mark.parametrize("seed", range(5))
def test_updates_of_the_newest_articles_match_a_rebuild(tmp_path, seed):
    rng = random.Random(seed)
    conn = _db(tmp_path / "a.db")
    with transaction(conn):
        conn.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, 'ai_lab')",
                         [("openai", "OpenAI"), ("google", "Google")])
    day, article = 0, 0
    for _ in range(6):
        with transaction(conn):
            for _ in range(rng.randint(2, 6)):
                day += rng.choice((0, 1, 2, 5, 12, 30))
                article += 1
                published = f"2025-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{article % 24:02d}:00:00Z"
                speaker = rng.choice(("openai", "google"))
                target = rng.choice(TARGETS)
                kind = rng.choice(("accusation", "accusation", "denial"))
                sentence = rng.choice(SAYINGS).format(s=speaker.title(), t=target)
                duplicate = article - 1 if article > 1 and rng.random() < 0.15 else None
                _article(conn, article, published, f"Outlet {rng.randint(1, 3)}", sentence, duplicate)
                targets = [target, "minimax"] if "others" in sentence else [target]
                _claims(conn, article, sentence, speaker, kind, targets)
        assert update_events(conn).mode in ("full", "incremental")
    # Thread links are left out: the thread rules break ties of dates by event id, and a rebuild numbers
    # events by group where updates number new ones after the others.
    _assert_matches_rebuild(conn, tmp_path, links=False)


def _tables(conn) -> dict:
    return {
        "events": sorted((tuple(r) for r in conn.execute(
            "SELECT kind, speaker_key, target_ids, event_date, date_precision, first_article_id, reports, "
            "independent_outlets FROM events")), key=repr),  # repr: an undated event's date is None
        "links": sorted(tuple(r) for r in conn.execute(
            "SELECT a.speaker_key, b.kind, l.relation FROM thread_links l "
            "JOIN events a ON a.id = l.thread_id JOIN events b ON b.id = l.event_id")),
        "stories": sorted(tuple(r) for r in conn.execute("SELECT article_id, story_id FROM article_stories")),
    }


def test_migration_backfills_outlet_with_the_domain(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    register_functions(raw)  # earlier migrations call the URL functions
    version = next(n for n, script in enumerate(MIGRATIONS) if "ADD COLUMN outlet" in script)
    for number in range(version):
        for statement in _split_sql(MIGRATIONS[number]):
            raw.execute(statement)
    raw.execute(f"PRAGMA user_version = {version}")
    raw.execute("INSERT INTO articles (id, url, source, title) VALUES (1, 'https://wire.example/a', "
                "'wire.example', 'A')")
    raw.close()
    conn = connect(path)
    assert conn.execute("SELECT outlet FROM articles").fetchone()[0] == "wire.example"
    assert conn.execute("SELECT article_id FROM events_pending").fetchone()[0] == 1


def test_a_weekday_after_an_article_and_dates_that_name_their_year_in_undated_articles():
    found = resolve_date("The app is a weapon, the chairman said in a Wednesday press release.", "2025-04-17")
    assert (found.value, found.precision, found.source) == ("2025-04-16", "day", "text")
    # An undated article dates an act only by a date that names its year.
    found = resolve_date("The ministry said on Monday, March 2, 2026, that the lab copied its rival.", None)
    assert (found.value, found.precision, found.source) == ("2026-03-02", "day", "text")
    assert resolve_date("The ministry said on Monday that the lab copied its rival.", None) is None
    assert resolve_date("The ministry said that the lab copied its rival.", None) is None


UNDATED = "Anthropic has accused DeepSeek of distilling its Claude models."
AGAIN = "Anthropic said on Tuesday that DeepSeek had distilled Claude again."


def test_an_undated_report_joins_the_one_dated_act_it_can_retell(tmp_path):
    conn = _db(tmp_path / "a.db")
    with transaction(conn):
        _article(conn, 1, "2026-02-23T21:00:00Z", "The Circuit Ledger", ANTHROPIC)
        _claims(conn, 1, ANTHROPIC, "anthropic", "accusation", ["deepseek", "moonshot-ai", "minimax"])
        _article(conn, 2, None, "Undated Weekly", UNDATED)
        _claims(conn, 2, UNDATED, "anthropic", "accusation", ["deepseek"])
    update_events(conn)
    rows = conn.execute("SELECT event_date, first_article_id, reports FROM accusation_events").fetchall()
    assert [tuple(r) for r in rows] == [("2026-02-23", 1, 2)]
    # Once Anthropic has accused DeepSeek twice, an undated mention cannot tell which act it retells.
    with transaction(conn):
        _article(conn, 3, "2026-06-10", "The Circuit Ledger", AGAIN)
        _claims(conn, 3, AGAIN, "anthropic", "accusation", ["deepseek"])
    update_events(conn)
    rows = conn.execute("SELECT event_date, first_article_id, reports FROM accusation_events "
                        "ORDER BY first_article_id").fetchall()
    assert [tuple(r) for r in rows] == [("2026-02-23", 1, 1), (None, 2, 1), ("2026-06-09", 3, 1)]


REPORT = ANTHROPIC + " " + (
    "The San Francisco lab wrote in a blog post that the three Chinese developers opened thousands of"
    " accounts to harvest answers from its Claude models and used them to train rival systems. It "
    "said the traffic came through resellers and proxy networks built to hide where it came from. The"
    " company has closed the accounts and shared what it found with other labs and with officials in "
    "Washington. None of the three Chinese firms answered requests for comment on Monday evening."
)
REWRITE_LEAD = "On Monday, Anthropic accused DeepSeek, Moonshot AI and MiniMax of distilling its models."
REWRITE = REWRITE_LEAD + " " + (
    "In a post on its website the maker of Claude described a pattern of automated queries from fake "
    "accounts, which it said were meant to copy the reasoning and coding skills of its models. "
    "Engineers spotted the activity because the requests arrived in bursts from a small set of "
    "payment cards. Lawmakers in Washington have asked for tighter rules on model access, and the lab"
    " said it supported that push. Representatives of the Chinese companies could not be reached."
)


def test_an_independent_rewrite_of_the_same_news_is_one_story(tmp_path):
    # Reports of one event by two outlets in their own words share few word 3-shingles (here 0.017, as the
    # independent reports of the real-news set do: 0.0025 to 0.031).
    conn = _db(tmp_path / "a.db")
    with transaction(conn):
        _article(conn, 1, "2026-02-23T21:00:00Z", "The Circuit Ledger", REPORT)
        _claims(conn, 1, ANTHROPIC, "anthropic", "accusation", ["deepseek", "moonshot-ai", "minimax"])
        _article(conn, 2, "2026-02-24T07:00:00Z", "Harbor City Gazette", REWRITE)
        _claims(conn, 2, REWRITE_LEAD, "anthropic", "accusation", ["deepseek", "moonshot-ai", "minimax"])
    update_events(conn)
    assert dict(conn.execute("SELECT article_id, story_id FROM article_stories")) == {1: 1, 2: 1}
    assert [r[0] for r in conn.execute("SELECT reason FROM story_links")] == ["rewrite"]


def test_corroboration_needs_the_same_known_topic():
    lab = Summary(1, "accusation", "openai", "OpenAI", frozenset({"deepseek"}), "distillation",
                  date(2025, 1, 29), date(2025, 1, 29))
    # "The app is a weapon built to spy on Americans": the same party accused, of something with no topic.
    spying = Summary(2, "accusation", "john-moolenaar", "John Moolenaar", frozenset({"deepseek"}), None,
                     date(2025, 4, 16), date(2025, 4, 16))
    distilled = Summary(3, "accusation", "house-select-committee-ccp", "House Select Committee",
                        frozenset({"deepseek"}), "distillation", date(2025, 4, 16), date(2025, 4, 16))
    assert evidence_links(spying, [lab], window=180) == []
    assert [(x.thread_id, x.relation) for x in evidence_links(distilled, [lab], window=180)] == \
        [(1, "corroboration")]
