"""The published site through Datasette's own test client: canned queries, search, labels, feeds, pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from aiwatch.serve import load_metadata

QUERIES = load_metadata()["databases"]["aiwatch"]["queries"]
# Sample parameters for every canned query, and a value each result must contain.
SAMPLES: dict[str, tuple[dict[str, str], str]] = {
    "who_accused_whom": (
        {"accuser": "", "accused": "deepseek", "about": "distill", "since": "2025-01-01", "page": ""},
        "OpenAI",
    ),
    "entity_profile": ({"entity": "R1"}, "DeepSeek-R1"),
    "dispute_timeline": ({"topic": "export-controls", "page": "1"}, "AI Diffusion Rule"),
    "policy_actions_by_date": ({"from": "2025-01-01", "to": "2025-06-30", "page": ""}, "Nvidia H20"),
    "latest_claims": ({"kind": "denial", "speaker_kind": "", "page": ""}, "DeepSeek"),
    "responses_to_accusation": ({"claim_id": "1"}, "deny"),
    "connection_between": ({"a": "Nvidia", "b": "BIS", "page": ""}, "AI Diffusion Rule"),
    "search_claims": ({"q": "distilled", "sort": ""}, "OpenAI"),
    "search_articles": ({"q": "distilled", "sort": "relevance"}, "OpenAI says DeepSeek distilled its models"),
    "feed_accusations": ({}, "accused"),
    "feed_policy_actions": ({}, "restrict"),
}


def test_every_canned_query_has_a_sample_title_and_description():
    assert set(QUERIES) == set(SAMPLES)
    for name, query in QUERIES.items():
        assert query.get("title") and query.get("description"), name
        named = set(re.findall(r"(?<!:):(\w+)", re.sub(r"'[^']*'", "", query["sql"])))
        assert named == set(query.get("params", [])), name
        assert named == set(SAMPLES[name][0]), name


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_canned_query_returns_rows(get, name):
    params, expected = SAMPLES[name]
    response = get(f"/aiwatch/{name}.json", params={**params, "_shape": "objects"})
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert rows, f"{name} returned no rows"
    assert any(expected in " ".join(str(v) for v in row.values()) for row in rows), rows[:3]
    page = get(f"/aiwatch/{name}", params=params)
    assert page.status_code == 200
    assert QUERIES[name]["title"] in page.text


def test_who_accused_whom_drops_negated_and_duplicate_accusations(get):
    rows = get("/aiwatch/who_accused_whom.json", params={"_shape": "objects"}).json()["rows"]
    pairs = {(r["accuser"], r["accused"]) for r in rows}
    assert ("OpenAI", "DeepSeek") in pairs
    assert ("Anthropic", "Moonshot AI") in pairs
    # "Anthropic did not accuse DeepSeek of anything" must not become an accusation row.
    assert not [r for r in rows if r["alleged"] == "anything"]
    # The mirrored copy of the OpenAI article is not counted twice.
    assert len([r for r in rows if r["accuser"] == "OpenAI"]) == 1


def test_entities_can_be_named_by_id_name_or_alias(get):
    for accused in ("deepseek", "DeepSeek", "DEEPSEEK"):
        rows = get("/aiwatch/who_accused_whom.json", params={"accused": accused, "_shape": "objects"}).json()[
            "rows"
        ]
        assert {r["accused"] for r in rows} == {"DeepSeek"}, accused
    rows = get("/aiwatch/who_accused_whom.json", params={"accuser": "anthropic", "_shape": "objects"}).json()[
        "rows"
    ]
    assert {r["accused"] for r in rows} == {"DeepSeek", "Moonshot AI"}
    rows = get(
        "/aiwatch/connection_between.json", params={"a": "kimi maker", "b": "Anthropic", "_shape": "objects"}
    )
    assert {r["link"] for r in rows.json()["rows"]} >= {"claim", "graph edge", "both mentioned"}


def test_entity_profile_by_id_name_or_alias(get):
    for value in ("deepseek-r1", "deepseek-r1".upper(), "R1", "r1"):
        rows = get("/aiwatch/entity_profile.json", params={"entity": value, "_shape": "objects"}).json()[
            "rows"
        ]
        assert rows and rows[0]["relation"] == "entity" and rows[0]["other"] == "DeepSeek-R1", value


def test_responses_to_accusation_finds_the_denial(get, fixture_db):
    _, info = fixture_db
    accusation = info["claims"][("openai", "accusation", "deepseek")]
    rows = get(
        "/aiwatch/responses_to_accusation.json", params={"claim_id": accusation, "_shape": "objects"}
    ).json()["rows"]
    assert rows[0]["kind"] == "denial" and rows[0]["responder"] == "DeepSeek"


def test_fts_on_articles_and_claims_from_table_pages(get):
    response = get("/aiwatch/articles.json", params={"_search": "diffusion", "_shape": "objects"})
    titles = [r["title"] for r in response.json()["rows"]]
    assert "US issues AI Diffusion Rule" in titles
    response = get("/aiwatch/claims.json", params={"_search": "gallium", "_shape": "objects"})
    assert [r["verb"] for r in response.json()["rows"]] == ["announce"]
    # The plain search box goes to the search_articles canned query (newest first, with an excerpt) ...
    page = get("/aiwatch/articles", params={"_search": "diffusion"})
    assert page.status_code == 302
    assert page.headers["location"] == "/aiwatch/search_articles?q=diffusion"
    page = get(page.headers["location"])
    assert page.status_code == 200 and "US issues AI Diffusion Rule" in page.text
    rows = get("/aiwatch/search_articles.json", params={"q": "diffusion", "_shape": "objects"}).json()["rows"]
    assert rows and all(r["matches"] == len(rows) for r in rows)
    assert all("diffusion" in (r["excerpt"] + r["title"]).lower() for r in rows)
    # ... while a search with a filter (or a format) keeps the table page.
    page = get("/aiwatch/articles", params={"_search": "diffusion", "language": "en"})
    assert 'name="_search"' in page.text and "US issues AI Diffusion Rule" in page.text
    assert get("/aiwatch/articles.json", params={"_search": "diffusion"}).status_code == 200
    assert get("/aiwatch/search_articles.json", params={"q": 'AND "( OR'}).status_code == 200
    # User input with FTS syntax characters is escaped, not an error.
    assert get("/aiwatch/claims.json", params={"_search": 'AND "( OR'}).status_code == 200
    assert get("/aiwatch/search_claims.json", params={"q": 'AND "( OR'}).status_code == 200


def test_labels_and_links(get):
    page = get("/aiwatch/claims", params={"kind": "denial"}).text
    # speaker_id shows the entity name and links to the entity row.
    assert re.search(r'<a href="/aiwatch/entities/deepseek">DeepSeek</a>', page), page[:2000]
    row = get("/aiwatch/claims/1").text
    assert '<a href="/aiwatch/articles/1">' in row and '<a href="/aiwatch/entities/openai">OpenAI</a>' in row
    entities = get("/aiwatch/entities").text
    assert (
        '<a href="/-/aiwatch/entity/deepseek" title="Entity page: claims, timeline, network">DeepSeek</a>'
        in entities
    )
    assert "/-/aiwatch/overview" in get("/").text
    # Canned queries and views link ids: claims and articles to their rows, entities to their pages.
    query = get("/aiwatch/who_accused_whom", params={"accused": "moonshot-ai"}).text
    assert '<a href="/aiwatch/claims/6">6</a>' in query
    assert '<a href="/-/aiwatch/entity/moonshot-ai">moonshot-ai</a>' in query
    view = get("/aiwatch/accusations").text
    assert '<a href="/aiwatch/articles/3">3</a>' in view


def test_metadata_descriptions_facets_and_hidden_tables(get):
    page = get("/aiwatch/articles").text
    assert "News articles, press releases" in page
    assert 'data-column="topics"' in page or "topics (array)" in page
    claims = get("/aiwatch/claims.json", params={"_shape": "objects"}).json()
    assert set(claims["facet_results"]) >= {"kind", "speaker_id", "target_id"}
    assert "facet_results" in claims and "kind" in claims["facet_results"]
    database = get("/aiwatch").text
    assert "raw_pages" not in database.split("hidden tables")[0]


def _entries(get, path):
    response = get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


def test_atom_feeds_parse(get):
    _, feed = _entries(get, "/aiwatch/feed_accusations.atom")
    assert feed.feed.title == "aiwatch: new accusations"
    titles = [e.title for e in feed.entries]
    # One entry per accusation event, not per target: Anthropic's sentence names DeepSeek and Moonshot AI.
    expected = "Anthropic accused DeepSeek, Moonshot AI: running large distillation campaigns against Claude"
    assert expected in titles
    assert sum(t.startswith("Anthropic accused") for t in titles) == 1
    # The syndicated copy of OpenAI's accusation is a report of the same event, not a second entry.
    assert sum(t.startswith("OpenAI accused DeepSeek") for t in titles) == 1
    assert all(e.link for e in feed.entries)
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    newest = feed.entries[0]
    assert newest.updated.startswith("2026-02-24")
    assert "/-/aiwatch/thread/" in newest.content[0].value
    _, actions = _entries(get, "/aiwatch/feed_policy_actions.atom")
    assert any("Nvidia H20" in e.title for e in actions.entries)


def test_empty_database_feeds_and_pages(tmp_path):
    import asyncio

    from aiwatch.config import load_config
    from aiwatch.db import connect
    from aiwatch.serve import build_datasette

    path = tmp_path / "empty.db"
    connect(path).close()
    ds = build_datasette(path, load_config(environ={}))
    response = asyncio.run(ds.client.get("/aiwatch/feed_accusations.atom"))
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo and len(feed.entries) == 1
    assert feed.entries[0].title == "No accusations recorded yet"
    for page_path in ("/-/aiwatch/overview", "/aiwatch/who_accused_whom", "/"):
        assert asyncio.run(ds.client.get(page_path)).status_code == 200, page_path
    # An entity with no articles, claims or graph rows still has a page.
    conn = connect(path)
    conn.execute("INSERT INTO entities (id, name, type) VALUES ('lonely', 'Lonely Lab', 'ai_lab')")
    conn.close()
    page = asyncio.run(ds.client.get("/-/aiwatch/entity/lonely"))
    assert page.status_code == 200
    assert "No dated articles yet." in page.text and "No links in the graph yet." in page.text


def test_atom_content_html_is_escaped_and_links_are_http(get):
    response, _ = _entries(get, "/aiwatch/feed_accusations.atom")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    contents = [c.text or "" for c in root.iterfind("a:entry/a:content", ns)]
    hostile = [c for c in contents if "Evil" in c]
    assert hostile, contents
    for html in contents:
        # The HTML a feed reader renders: only our own tags, payloads as text.
        assert "<script" not in html and "<img" not in html and "<svg" not in html
        assert "javascript:" not in html.lower()
        assert re.findall(r"<(\w+)", html) and set(re.findall(r"<(\w+)", html)) <= {
            "p",
            "b",
            "blockquote",
            "a",
        }
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in html for html in hostile)
    links = [link.get("href") for link in root.iterfind("a:entry/a:link", ns)]
    assert all(h.startswith(("https://", "http://", "/aiwatch/")) for h in links), links


def test_entity_page_renders_chart_and_network(get):
    response = get("/-/aiwatch/entity/deepseek")
    assert response.status_code == 200
    page = response.text
    assert "<h1>DeepSeek" in page and "Chinese AI lab based in Hangzhou." in page
    # Counts leave out the negated sentence and the duplicate article's copy.
    assert "<dd>1 made, 5 received</dd>" in page
    assert 'href="https://www.wikidata.org/wiki/Q124311233"' in page
    assert 'class="aiwatch-chart"' in page and "<rect" in page
    assert 'class="aiwatch-network"' in page and "<circle" in page and "<line" in page
    assert "distilling its models to train DeepSeek-R1" in page
    assert 'href="https://news.example.com/2025/02/openai-deepseek-distillation"' in page
    assert 'href="/-/aiwatch/entity/openai"' in page
    # The negated "did not accuse" sentence is not listed as a claim received.
    assert "Anthropic did not accuse DeepSeek" not in page
    assert get("/-/aiwatch/entity/no-such-entity").status_code == 404


def test_overview_page(get):
    response = get("/-/aiwatch/overview")
    assert response.status_code == 200
    page = response.text
    assert page.count('class="aiwatch-chart"') == 2  # timeline and PageRank bars
    assert 'class="aiwatch-network"' in page
    assert "distillation" in page and "export-controls" in page  # legend of the monthly chart per topic
    assert "Latest accusations" in page and "Howard Lutnick" in page
    # Totals leave out the duplicate article's copy of OpenAI's accusation (6 accusations, not 7).
    assert re.search(r"<b><a href=\"/aiwatch/accusations\">6</a></b>accusations", page)
    assert 'href="/aiwatch/feed_accusations.atom"' in page
    assert "<script" not in page.split("</footer>")[0].split("<footer")[0]  # no JS libraries, no CDN
    assert "cdn" not in page.lower() and "https://unpkg" not in page
