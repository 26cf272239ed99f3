"""Claim model v2 on the published site: speaker kinds, channels and speakers that are no known entity.

Through Datasette's own test client over the fixture database (``conftest.py``): its last article has a
policy action by "Chinese regulators" reported by the Wall Street Journal (an entity), a statement by "a
ministry spokesperson" told to Reuters (no entity), and Howard Lutnick speaking as "He" about "Chinese AI
labs" (a named group, no entity).
"""

from __future__ import annotations

import re

import feedparser
import pytest


def claim_row(page: str, text: str) -> str:
    """The table row of a claims table that contains ``text``."""
    rows = [r for r in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if text in r]
    assert len(rows) == 1, (text, rows)
    return rows[0]


def test_overview_shows_kind_channel_and_unresolved_speakers(get):
    page = get("/-/aiwatch/overview").text
    row = claim_row(page, "Chinese regulators")
    assert '<span class="aiwatch-as-written">Chinese regulators</span>' in row
    assert '<span class="aiwatch-speaker-kind" title="speaker kind">group</span>' in row
    via = '<small class="aiwatch-via">via <a href="/-/aiwatch/entity/wsj">The Wall Street Journal</a></small>'
    assert via in row
    assert '<a href="/-/aiwatch/entity/nvidia-h20">Nvidia H20</a>' in row
    # Resolved speakers carry their kind too, and the channel when they have one (the overview lists
    # accusations as events; the accuser's page lists the claim).
    row = claim_row(get("/-/aiwatch/entity/google").text, "distillation too")
    assert '<a href="/-/aiwatch/entity/google">Google</a>' in row
    assert ">entity</span>" in row and "via people familiar with the matter" in row
    row = claim_row(page, "rescinded the AI Diffusion Rule")
    assert ">person</span>" in row and "aiwatch-via" not in row


def test_entity_pages_show_kind_channel_and_speaker_as_written(get):
    nvidia = get("/-/aiwatch/entity/nvidia").text
    row = claim_row(nvidia, "A ministry spokesperson")
    assert '<span class="aiwatch-as-written">A ministry spokesperson</span>' in row
    assert ">role</span>" in row
    assert '<small class="aiwatch-via">via Reuters</small>' in row  # a channel that is no entity: no link
    lutnick = get("/-/aiwatch/entity/howard-lutnick").text
    row = claim_row(lutnick, "shell companies")
    assert '<a href="/-/aiwatch/entity/howard-lutnick">Howard Lutnick</a>' in row
    assert '<small class="aiwatch-as-written">as “He”</small>' in row and ">person</span>" in row
    assert '<span class="aiwatch-as-written">Chinese AI labs</span>' in row  # the target, as written
    # A speaker written as its name gets no "as ...".
    assert "as “" not in claim_row(lutnick, "rescinded the AI Diffusion Rule")


def test_an_outlet_page_lists_the_claims_reported_through_it(get):
    page = get("/-/aiwatch/entity/wsj").text
    assert "<dt>Reported via</dt><dd>1 claims came through The Wall Street Journal</dd>" in page
    assert "Claims reported via The Wall Street Journal" in page
    assert "Chinese regulators" in claim_row(page, "state firms to stop buying")
    # Entities no claim came through have no such section.
    assert "Claims reported via" not in get("/-/aiwatch/entity/deepseek").text


def test_views_filter_by_speaker_kind_and_show_the_channel(get):
    params = {"actor_kind": "group", "_shape": "objects"}
    rows = get("/aiwatch/policy_actions.json", params=params).json()["rows"]
    regulators = [r for r in rows if r["actor_text"] == "Chinese regulators"]
    assert len(regulators) == 1
    found = [regulators[0][k] for k in ("actor_id", "actor", "via_id", "via")]
    assert found == [None, "Chinese regulators", "wsj", "The Wall Street Journal"]
    assert {r["actor_kind"] for r in rows} == {"group"}
    accusations = get("/aiwatch/accusations.json", params={"_shape": "objects"}).json()
    google = [r for r in accusations["rows"] if r["accuser_id"] == "google"]
    assert [(r["accuser_kind"], r["via"]) for r in google] == [("entity", "people familiar with the matter")]
    page = get("/aiwatch/accusations").text
    assert 'data-column="accuser_kind"' in page or "accuser_kind" in page


def test_claims_table_facets_and_links_the_new_columns(get):
    claims = get("/aiwatch/claims.json", params={"_shape": "objects"}).json()
    facets = claims["facet_results"]
    assert set(facets) >= {"speaker_kind", "via_id"}
    kinds = {f["value"]: f["count"] for f in facets["speaker_kind"]["results"]}
    assert kinds["group"] == 2 and kinds["role"] == 1 and kinds["person"] == 2 and kinds["entity"] > 10
    assert [f["value"] for f in facets["via_id"]["results"]] == ["wsj"]
    filtered = get("/aiwatch/claims.json", params={"speaker_kind": "role", "_shape": "objects"}).json()
    assert [r["speaker_text"] for r in filtered["rows"]] == ["A ministry spokesperson"]
    wsj_claim = get("/aiwatch/claims.json", params={"via_id": "wsj", "_shape": "objects"}).json()["rows"][0]
    row = get(f"/aiwatch/claims/{wsj_claim['id']}").text
    assert '<a href="/aiwatch/entities/wsj">The Wall Street Journal</a>' in row


@pytest.mark.parametrize("kind, expected", [("role", "A ministry spokesperson"),
                                            ("group", "Chinese regulators")])
def test_latest_claims_by_speaker_kind(get, kind, expected):
    rows = get("/aiwatch/latest_claims.json",
               params={"kind": "", "speaker_kind": kind, "_shape": "objects"}).json()["rows"]
    assert rows and {r["speaker_kind"] for r in rows} == {kind}
    assert expected in {r["speaker"] for r in rows}


def test_canned_queries_show_the_speaker_as_written_and_the_channel(get):
    def rows_of(name: str, **params: str) -> list[dict]:
        return get(f"/aiwatch/{name}.json", params={**params, "_shape": "objects"}).json()["rows"]

    rows = rows_of("who_accused_whom", accuser="google")
    assert [(r["accuser"], r["accuser_kind"], r["via"]) for r in rows] == [
        ("Google", "entity", "people familiar with the matter")]
    rows = rows_of("search_claims", q="security risks")
    assert [(r["speaker"], r["speaker_kind"], r["via"], r["target"]) for r in rows] == [
        ("A ministry spokesperson", "role", "Reuters", "Nvidia")]
    rows = rows_of("entity_profile", entity="howard-lutnick")
    made = [r for r in rows if r["relation"] == "claim made" and r["kind"] == "statement"]
    assert [r["other"] for r in made] == ["Chinese AI labs"]
    rows = rows_of("policy_actions_by_date", **{"from": "2025-08-01", "to": "2025-08-31"})
    assert [(r["actor"], r["actor_kind"], r["via"]) for r in rows] == [
        ("Chinese regulators", "group", "The Wall Street Journal")]


def test_policy_feed_names_unresolved_speakers_and_the_channel(get):
    response = get("/aiwatch/feed_policy_actions.atom")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    entry = next(e for e in feed.entries if e.title.startswith("Chinese regulators"))
    assert entry.title.startswith("Chinese regulators (tell) Nvidia H20: state firms")
    assert "<b>Chinese regulators</b> (via The Wall Street Journal): tell" in entry.content[0].value


def test_who_accused_whom_finds_accusers_and_accused_as_written(fixture_db, tmp_path):
    import asyncio
    import shutil

    from aiwatch.config import load_config
    from aiwatch.db import connect
    from aiwatch.serve import build_datasette

    path = tmp_path / "copy.db"
    shutil.copy(fixture_db[0], path)
    conn = connect(path)
    conn.execute(
        "INSERT INTO claims (article_id, speaker_id, speaker_text, speaker_kind, via_id, via_text, verb,"
        " kind, target_id, target_text, content, sentence, start_char, end_char)"
        " VALUES (12, NULL, 'US officials', 'group', 'wsj', 'the WSJ', 'accuse', 'accusation', NULL,"
        " 'Chinese AI labs', 'smuggling chips',"
        " 'US officials accused Chinese AI labs of smuggling chips, the WSJ reported.', 0, 10)")
    from aiwatch.graph.events.pipeline import update_events

    update_events(conn)  # as the graph stage does after extraction
    conn.close()
    ds = build_datasette(path, load_config(environ={}))

    def rows(**params: str) -> list[dict]:
        response = asyncio.run(ds.client.get("/aiwatch/who_accused_whom.json",
                                             params={**params, "_shape": "objects"}))
        return response.json()["rows"]

    for params in ({"accuser": "us officials"}, {"accused": "Chinese AI Labs"}):
        found = rows(**params)
        assert [(r["accuser"], r["accuser_kind"], r["via"], r["accused"], r["accuser_id"], r["accused_id"])
                for r in found] == [("US officials", "group", "The Wall Street Journal", "Chinese AI labs",
                                     None, None)], params
    # Names of entities still match entities only.
    assert {r["accuser"] for r in rows(accuser="anthropic")} == {"Anthropic"}
    feed = feedparser.parse(asyncio.run(ds.client.get("/aiwatch/feed_accusations.atom")).content)
    titles = [e.title for e in feed.entries]
    assert "US officials accused Chinese AI labs: smuggling chips" in titles
    overview = asyncio.run(ds.client.get("/-/aiwatch/overview")).text
    events = [r for r in re.findall(r'<tr class="aiwatch-event".*?</tr>', overview, flags=re.S)
              if "smuggling chips" in r]
    assert len(events) == 1 and '<span class="aiwatch-as-written">US officials</span>' in events[0]
