"""The site in a real headless Chromium (Debian's /usr/bin/chromium) against a real ``aiwatch serve``.

Screenshots go to ``test-artifacts/screenshots/`` (gitignored) for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def server(fixture_db, tmp_path_factory, serve_process):
    """``aiwatch serve`` on a free loopback port over a copy of the fixture database."""
    db = tmp_path_factory.mktemp("browser") / "aiwatch.db"
    shutil.copy(fixture_db[0], db)
    with serve_process(db) as (url, _, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, page errors, dialogs and off-host requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))

    def on_dialog(dialog):
        page.problems.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "request",
        lambda r: (
            r.url.startswith("http://127.0.0.1")
            or r.url.startswith("data:")
            or page.problems.append(f"external request: {r.url}")
        ),
    )
    yield page
    context.close()


def _visit(page, url: str, name: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    # Give any injected handler (onerror, onload, autofocus) a chance to fire.
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert page.problems == [], page.problems


def _drawn(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, (selector, box)


def test_home_page(page, server):
    _visit(page, server, "home")
    assert page.locator("a[href='/-/aiwatch/overview']").count() >= 1
    _visit(page, server + "aiwatch", "database")


def test_entity_page_draws_chart_and_network(page, server):
    _visit(page, server + "-/aiwatch/entity/deepseek", "entity-deepseek")
    _drawn(page, "svg.aiwatch-chart")
    _drawn(page, "svg.aiwatch-network")
    assert page.locator("svg.aiwatch-chart rect").count() >= 2
    assert page.locator("svg.aiwatch-network circle").count() >= 4
    assert page.locator("svg.aiwatch-network line").count() >= 3
    # Clicking a neighbour in the picture opens its page.
    page.locator("svg.aiwatch-network a[href='/-/aiwatch/entity/openai']").first.click()
    page.wait_for_url("**/-/aiwatch/entity/openai")
    assert page.locator("h1").inner_text().startswith("OpenAI")


def test_overview_page(page, server):
    _visit(page, server + "-/aiwatch/overview", "overview")
    _drawn(page, "svg.aiwatch-chart")
    _drawn(page, "svg.aiwatch-network")
    assert page.locator("svg.aiwatch-chart").count() == 2


def test_search_and_hostile_pages_fire_no_dialogs(page, server):
    _visit(page, server + "aiwatch/articles?_search=distillation", "search-articles")
    assert page.locator("table.rows-and-columns tbody tr").count() >= 3
    _visit(page, server + "aiwatch/search_claims?q=copying", "search-claims")
    for path, name in [
        ("-/aiwatch/entity/xss-corp", "entity-hostile"),
        ("aiwatch/articles/9", "article-hostile"),
        ("aiwatch/claims?_search=evil", "claims-hostile"),
        ("aiwatch/entities", "entities"),
        ("aiwatch/who_accused_whom", "who-accused-whom"),
    ]:
        _visit(page, server + path, name)
    # Hover and focus everything so mouseover/focus payloads would fire if they had become attributes.
    page.goto(server + "aiwatch/articles/9")
    for cell in page.locator("td").all()[:40]:
        cell.hover()
    page.wait_for_timeout(200)
    assert page.problems == [], page.problems


def test_claims_show_speaker_kind_and_channel(page, server):
    """Claim model v2 as a reader sees it: the kind label and "via" beside each claim, speakers that are no
    entity as written, and the channel's link opening the outlet's page with the claims reported through
    it."""
    _visit(page, server + "-/aiwatch/overview", "overview-attribution")
    row = page.locator("table.aiwatch-claims tr", has_text="Chinese regulators")
    assert row.count() == 1
    who = row.locator("td").nth(2)
    assert who.locator(".aiwatch-as-written").inner_text() == "Chinese regulators"
    label = who.locator(".aiwatch-speaker-kind")
    assert label.inner_text() == "group" and label.is_visible()
    box = label.bounding_box()
    assert box and 0 < box["height"] < 30, box  # a small label, not a block
    assert who.locator(".aiwatch-via").inner_text() == "via The Wall Street Journal"
    # Every listed claim carries its speaker's kind.
    rows = page.locator("table.aiwatch-claims tbody tr")
    assert rows.count() == page.locator("table.aiwatch-claims tbody .aiwatch-speaker-kind").count() > 5
    who.locator(".aiwatch-via a").click()
    page.wait_for_url("**/-/aiwatch/entity/wsj")
    assert page.locator("h2", has_text="Claims reported via The Wall Street Journal").is_visible()
    _visit(page, server + "-/aiwatch/entity/nvidia", "entity-nvidia-attribution")
    row = page.locator("table.aiwatch-claims tr", has_text="A ministry spokesperson")
    assert row.locator(".aiwatch-speaker-kind").inner_text() == "role"
    assert row.locator(".aiwatch-via").inner_text() == "via Reuters"


# ---- Pages a journalist can use on deadline (issue 15) ---------------------------------------------------
DAY_OR_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$")


def _no_error(page) -> None:
    assert page.locator(".message-error").count() == 0, page.locator(".message-error").all_inner_texts()


def test_empty_search_shows_a_blank_form(page, server):
    for name in ("search_claims", "search_articles"):
        _visit(page, server + f"aiwatch/{name}", f"search-empty-{name}")
        _no_error(page)
        assert page.locator("input[name=q]").input_value() == ""
        assert page.locator(".zero-results").count() == 0
        assert page.locator("table.rows-and-columns").count() == 0
        assert page.locator(".aiwatch-hint").is_visible()


HOSTILE_QUERIES = ['"', 'distilled"', "AND OR (", "NEAR(DeepSeek", "title:x*", "');--", "^-+"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_are_searched_as_words(page, server, query):
    for name in ("search_claims", "search_articles"):
        response = page.goto(server + f"aiwatch/{name}?" + urlencode({"q": query, "sort": ""}))
        assert response is not None and response.status == 200, (name, query)
        _no_error(page)
    page.goto(server + "aiwatch/search_claims?" + urlencode({"q": "DeepSeek OR", "sort": ""}))
    # "OR" is a word here, not an operator: only sentences with both words.
    assert all("or" in t.lower() for t in page.locator("td.col-sentence").all_inner_texts())


def test_search_results_newest_first_or_by_relevance_copies_once_matches_marked(page, server):
    _visit(page, server + "aiwatch/search_articles?" + urlencode({"q": "distilled", "sort": ""}),
           "search-results")
    dates = page.locator("td.col-date time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True), dates
    titles = page.locator("td.col-title").all_inner_texts()
    assert titles.count("OpenAI says DeepSeek distilled its models") == 1  # the mirrored copy is left out
    assert page.locator("td.col-matches").first.inner_text() == str(len(titles))
    marks = page.locator("td.col-excerpt mark")
    assert marks.count() >= len(titles) and marks.first.is_visible()
    assert all(m.lower().startswith("distil") for m in marks.all_inner_texts())  # stemmed: distilling too
    query = urlencode({"q": "DeepSeek distilling", "sort": "relevance"})
    _visit(page, server + "aiwatch/search_claims?" + query, "search-claims-relevance")
    assert page.locator("td.col-sentence mark").count() >= 2
    assert page.locator("tbody tr").count() >= 1


def test_search_boxes_on_home_and_overview(page, server):
    for path, name in (("", "home-search"), ("-/aiwatch/overview", "overview-search")):
        _visit(page, server + path, name)
        box = page.locator("form.aiwatch-search input[name=q]")
        assert box.is_visible()
        box.fill("distilled")
        page.locator("form.aiwatch-search button", has_text="Search claims").click()
        page.wait_for_url("**/aiwatch/search_claims?q=distilled")
        assert page.locator("td.col-sentence mark").count() >= 1
    page.goto(server)
    page.locator("form.aiwatch-search input[name=q]").fill("Blackwell")
    page.locator("form.aiwatch-search button", has_text="Search articles").click()
    page.wait_for_url("**/aiwatch/search_articles?q=Blackwell")
    assert "Nvidia Blackwell stays off limits for China" in page.locator("td.col-title").all_inner_texts()


@pytest.mark.parametrize("path", ["aiwatch/who_accused_whom", "aiwatch/accusations", "aiwatch/latest_claims",
                                  "aiwatch/policy_actions"])
def test_canned_queries_and_views_read_like_the_overview(page, server, path):
    _visit(page, server + path, "reading-" + path.split("/")[-1])
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() >= 2
    # Names link to entity pages.
    names = page.locator("td.col-accuser a, td.col-speaker a, td.col-actor a")
    assert names.count() >= 2 and all("/-/aiwatch/entity/" in (h or "") for h in
                                      names.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    # A wide sentence column and the article link on screen without scrolling sideways.
    assert page.locator("td.col-sentence").first.bounding_box()["width"] >= 300
    link = page.locator("td.col-article a, td.col-article_title a").first
    box = link.bounding_box()
    assert box and box["x"] + box["width"] <= 1280 and link.get_attribute("href").startswith("https://")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # Bookkeeping columns behind a toggle.
    book = page.locator("th.col-claim_id")
    assert book.count() == 1 and not book.is_visible()
    page.locator("#aiwatch-show-all").check()
    assert book.is_visible()
    page.locator("#aiwatch-show-all").uncheck()
    assert not book.is_visible()


def test_column_descriptions_fold_below_the_table(page, server):
    for path in ("aiwatch/accusations", "aiwatch/claims"):
        _visit(page, server + path, "columns-" + path.split("/")[-1])
        fold = page.locator("details.aiwatch-columns")
        assert fold.count() == 1 and fold.get_attribute("open") is None
        assert not page.locator("dl.column-descriptions").is_visible()
        table_bottom = page.locator("table.rows-and-columns").bounding_box()
        assert fold.bounding_box()["y"] > table_bottom["y"] + table_bottom["height"] - 1
        fold.locator("summary").click()
        assert page.locator("dl.column-descriptions").is_visible()


def test_canned_queries_opened_empty_show_a_working_example(page, server):
    for name, expected in (("entity_profile", "DeepSeek"), ("connection_between", "OpenAI"),
                           ("responses_to_accusation", "deny")):
        _visit(page, server + f"aiwatch/{name}", f"example-{name}")
        assert page.locator(".zero-results").count() == 0
        assert page.locator("table.rows-and-columns tbody tr").count() >= 1
        assert expected in page.locator("table.rows-and-columns").inner_text()
        assert page.locator(".aiwatch-example").is_visible()


def test_latest_claims_pages(page, server):
    _visit(page, server + "aiwatch/latest_claims", "latest-claims")
    assert page.locator("tbody tr").count() <= 50
    assert page.locator(".aiwatch-paging").inner_text().startswith("Page 1")
    page.goto(server + "aiwatch/latest_claims?kind=&speaker_kind=&page=2")
    assert page.locator(".aiwatch-paging a", has_text="Previous page").is_visible()


def test_overview_explains_its_pictures_and_its_counts_agree(page, server):
    _visit(page, server + "-/aiwatch/overview", "overview-explained")
    legend = page.locator(".aiwatch-legend", has_text="Dot colour")
    assert legend.is_visible() and "Line colour" in legend.inner_text()
    assert legend.locator(".swatch").count() >= 4
    assert page.get_by_text("share of influence").first.is_visible()
    assert page.locator("svg.aiwatch-chart text", has_text="%").count() >= 3
    # Every name cut short carries its full name as a tooltip.
    for picture in ("svg.aiwatch-chart a", "svg.aiwatch-network g.aiwatch-node"):
        for item in page.locator(picture).all():
            shown = item.locator("text").text_content()
            if shown.endswith("…"):
                assert item.locator("title").first.text_content().startswith(shown[:-1]), shown
    assert page.locator("svg text", has_text="…").count() >= 1
    # Each total opens a list with the same number of rows.
    for label in ("articles", "entities", "accusations", "policy actions"):
        page.goto(server + "-/aiwatch/overview")
        total = page.locator(".aiwatch-totals div", has_text=label).first.locator("b a")
        number = total.inner_text()
        total.click()
        page.wait_for_load_state("load")
        heading = page.locator("h3").first.inner_text()
        assert heading.startswith(f"{number} row"), (label, number, heading)


def test_entity_pages_by_name_or_alias_with_accusations_first(page, server):
    names = (("DeepSeek", "deepseek"), ("R1", "deepseek-r1"), ("bureau of industry and security", "us-bis"))
    for name, entity_id in names:
        response = page.goto(server + "-/aiwatch/entity/" + quote(name))
        assert response is not None and response.status == 200 and page.url.endswith(f"/entity/{entity_id}")
    _visit(page, server + "-/aiwatch/entity/deepseek", "entity-accusations-first")
    order = page.locator("h2").all_inner_texts()
    first_long = min(i for i, h in enumerate(order) if h.startswith(("Articles over time", "Other claims")))
    assert order[0].startswith("Accusations by DeepSeek")
    assert order[1].startswith("Accusations against DeepSeek")
    assert first_long == 2, order
    against = page.locator("h2#accusations-received + .table-wrapper")
    assert against.locator("tbody tr").count() >= 2 and "OpenAI" in against.inner_text()


def test_feed_pages_render_entry_html(page, server):
    _visit(page, server + "aiwatch/feed_accusations", "feed-accusations-page")
    cell = page.locator("td.col-atom_content_html").first
    # an event entry: its sentence, a link to its first report and one to its thread
    assert cell.locator("blockquote").count() == 1 and cell.locator("a").count() == 2
    assert "<p>" not in cell.inner_text() and "&lt;" not in cell.inner_text()


def test_docs_sentences_are_true(page, server):
    _visit(page, server + "aiwatch/entities", "entities-docs")
    description = page.locator(".metadata-description").inner_text()
    assert "Click a name for its entity page" in description
    row = page.locator("tbody tr", has_text="Anthropic").first
    assert row.locator("td.col-id a").get_attribute("href") == "/aiwatch/entities/anthropic"
    row.locator("td.col-name a").click()
    page.wait_for_url("**/-/aiwatch/entity/anthropic")
    _visit(page, server + "aiwatch", "database-docs")
    queries = page.locator("h2#queries").bounding_box()
    assert queries["y"] > page.locator(".metadata-description").bounding_box()["y"]  # "canned queries below"
    _visit(page, server + "aiwatch/articles", "articles-docs")
    assert "search box below" in page.locator(".metadata-description").inner_text()
    below = page.locator(".metadata-description").bounding_box()
    box = page.locator("input[name=_search]").bounding_box()
    assert box["y"] > below["y"] + below["height"] - 1


def test_one_date_format(page, server):
    seen = []
    for path, selector in (("-/aiwatch/overview", "table.aiwatch-claims tbody td:first-child"),
                           ("aiwatch/accusations", "td.col-date"),
                           ("aiwatch/who_accused_whom", "td.col-date"),
                           ("aiwatch/articles", "td.col-published"), ("aiwatch/runs", "td.col-started_at")):
        page.goto(server + path)
        texts = [t.strip() for t in page.locator(selector).all_inner_texts()]
        seen += texts
        assert texts or path.endswith("runs"), path
        assert all(DAY_OR_MINUTE.match(t) for t in texts if t), (path, texts[:5])
    assert any(" " in t for t in seen)  # the time where it is known


# ---- Over the database `aiwatch demo` builds (the sample site through the real stages) ------------------
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "overview.png"


@pytest.fixture(scope="module")
def demo_server(demo_run, tmp_path_factory, serve_process):
    """``aiwatch serve`` over a copy of the demo database."""
    db = tmp_path_factory.mktemp("browser-demo") / "aiwatch.db"
    shutil.copy(demo_run[0], db)
    with serve_process(db) as (url, _, _):
        yield url


@pytest.mark.model
@pytest.mark.slow
def test_demo_overview_screenshot_for_the_readme(browser, demo_server):
    """The README's picture of the overview, taken here: AIWATCH_UPDATE_SCREENSHOT=1 writes docs/overview.png
    (committed); otherwise it goes to test-artifacts/ and the committed one must exist. Kept under 200 KB."""
    context = browser.new_context(viewport={"width": 1200, "height": 1160}, device_scale_factor=0.75)
    page = context.new_page()
    page.goto(demo_server + "-/aiwatch/overview", wait_until="load")
    assert page.locator("svg.aiwatch-network circle").count() >= 10
    update = os.environ.get("AIWATCH_UPDATE_SCREENSHOT") == "1"
    target = DOCS_SCREENSHOT if update else SCREENSHOTS / "overview-readme.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    context.close()
    assert target.stat().st_size < 200_000, target.stat().st_size
    assert DOCS_SCREENSHOT.is_file() and DOCS_SCREENSHOT.stat().st_size < 200_000
    assert "docs/overview.png" in (DOCS_SCREENSHOT.parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.model
@pytest.mark.slow
def test_demo_latest_claims_is_paged(page, demo_server):
    _visit(page, demo_server + "aiwatch/latest_claims", "demo-latest-claims")
    assert page.locator("tbody tr").count() == 50
    first_page = page.locator("td.col-sentence").first.inner_text()
    assert page.evaluate("document.documentElement.scrollHeight") < 20_000  # one response was 68,000 px
    page.locator(".aiwatch-paging a", has_text="Next page").click()
    page.wait_for_url("**page=2")
    assert page.locator("tbody tr").count() == 50
    assert page.locator("td.col-sentence").first.inner_text() != first_page


@pytest.mark.model
@pytest.mark.slow
def test_demo_agency_is_one_node(page, demo_server):
    """The discovered "Cyberspace Administration" is merged into the curated CAC: one entity, one page."""
    _visit(page, demo_server + "aiwatch/entities?name__contains=Cyberspace", "demo-cyberspace")
    assert page.locator("tbody tr").count() == 1
    page.locator("td.col-name a").click()
    page.wait_for_url("**/-/aiwatch/entity/cac")


def test_latest_accusations_lead_to_a_thread_timeline(page, server):
    """The overview lists each accusation once (not per target); its row opens the thread page, whose
    timeline shows the accusation with every report, and the entity page lists the thread."""
    _visit(page, server + "-/aiwatch/overview", "overview-events")
    rows = page.locator("tr.aiwatch-event")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    anthropic = [t for t in texts if t.startswith("2026-02-24") and "Anthropic accused" in t]
    assert len(anthropic) == 1 and "DeepSeek" in anthropic[0] and "Moonshot AI" in anthropic[0], texts
    row = rows.filter(has_text="Anthropic accused").first
    row.locator("a[href^='/-/aiwatch/thread/']").click()
    page.wait_for_url("**/-/aiwatch/thread/*")
    assert page.locator("h1").inner_text().startswith("Anthropic accused")
    assert page.locator("ol.aiwatch-timeline > li").count() >= 1
    assert page.locator("ol.aiwatch-timeline .aiwatch-reports a[href^='https://']").count() >= 1
    _visit(page, page.url, "thread")
    _visit(page, server + "-/aiwatch/entity/deepseek", "entity-threads")
    assert page.locator("#threads + table tr.aiwatch-event").count() >= 2
