"""The site in a real headless Chromium (Debian's /usr/bin/chromium) against a real ``aiwatch serve``.

Screenshots go to ``test-artifacts/screenshots/`` (gitignored) for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
