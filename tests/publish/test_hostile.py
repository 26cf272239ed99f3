"""Hostile article, entity and claim content is shown escaped on every page a reader can reach."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest


class Tags(HTMLParser):
    """What a browser would build from the page: handler attributes, script bodies, links, images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[tuple[str, str]] = []
        self.bad_links: list[str] = []
        self.images: list[list] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.bad_links.append(value or "")
        if tag == "img":
            self.images.append(attrs)
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


PAGES = [
    "/",
    "/aiwatch",
    "/aiwatch/articles",
    "/aiwatch/articles?_search=Evil",
    "/aiwatch/articles/9",
    "/aiwatch/articles/10",
    "/aiwatch/entities",
    "/aiwatch/entities/xss-corp",
    "/aiwatch/entity_aliases",
    "/aiwatch/claims",
    "/aiwatch/claims?_search=copying",
    "/aiwatch/claims?_facet=speaker_id&_facet=target_id",
    "/aiwatch/mentions",
    "/aiwatch/graph_edges",
    "/aiwatch/graph_nodes",
    "/aiwatch/who_accused_whom",
    "/aiwatch/entity_profile?entity=xss-corp",
    "/aiwatch/dispute_timeline?topic=distillation",
    "/aiwatch/latest_claims",
    "/aiwatch/policy_actions_by_date",
    "/aiwatch/search_claims?q=copying",
    "/aiwatch/connection_between?a=xss-corp&b=deepseek",
    "/aiwatch/feed_accusations",
    "/-/aiwatch/overview",
    "/-/aiwatch/entity/xss-corp",
    "/-/aiwatch/entity/deepseek",
    "/-/aiwatch/entity/nvidia",
    "/-/aiwatch/entity/openai",
    # Claim model v2: speakers, channels and targets as written (hostile ones in article 10).
    "/aiwatch/accusations",
    "/aiwatch/policy_actions",
    "/aiwatch/latest_claims?kind=&speaker_kind=group",
    "/aiwatch/claims?_facet=speaker_kind&_facet=via_id",
    "/aiwatch/feed_policy_actions",
    "/-/aiwatch/entity/" + quote("<script>alert(1)</script>", safe=""),
]


@pytest.mark.parametrize("path", PAGES)
def test_payloads_are_escaped(get, raw_markers, path):
    response = get(path, follow_redirects=True)
    assert response.status_code in (200, 404), (path, response.status_code)
    body = response.text
    for marker in raw_markers:
        assert marker not in body, f"{path}: unescaped {marker!r}"
    parsed = Tags()
    parsed.feed(body)
    assert not parsed.handlers, f"{path}: event-handler attributes {parsed.handlers}"
    assert not parsed.bad_links, f"{path}: script links {parsed.bad_links}"
    assert not [s for s in parsed.scripts if "alert(" in s], path
    assert not parsed.images, f"{path}: img tags {parsed.images}"


def test_hostile_rows_are_visible_escaped(get):
    """Escaping must not mean hiding: the hostile text is shown as text."""
    entity = get("/-/aiwatch/entity/xss-corp").text
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; Corp" in entity
    assert "copying &lt;img src=x onerror=alert(1)&gt; outputs" in entity
    # The entity's hostile Wikidata id is not turned into a link.
    assert "wikidata.org" not in entity
    # Speakers, channels and targets as written are shown as text too.
    nvidia = get("/-/aiwatch/entity/nvidia").text
    assert '<span class="aiwatch-as-written">&#34;&gt;&lt;svg onload=alert(1)&gt; officials</span>' in nvidia
    assert "via &#39; onmouseover=&#39;alert(1)&#39; x=&#39;</small>" in nvidia
    openai = get("/-/aiwatch/entity/openai").text
    assert "via &lt;img src=x onerror=alert(1)&gt; Radio" in openai
    article = get("/aiwatch/articles/9").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evil Corp accuses DeepSeek" in article
    # A javascript: article URL is never a link on our pages.
    overview = get("/-/aiwatch/overview").text
    assert "Scheme test" in get("/aiwatch/articles/10").text
    assert 'href="javascript' not in overview.lower()


def test_atom_feed_has_no_raw_payload(get, raw_markers):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for path in ("/aiwatch/feed_accusations.atom", "/aiwatch/feed_policy_actions.atom"):
        body = get(path).text
        # Markup payloads appear only XML-escaped; titles are type="text" so quotes in them are inert.
        for marker in raw_markers:
            if marker.startswith("<"):
                assert marker not in body, (path, marker)
        root = ET.fromstring(body.encode())
        assert {t.get("type") for t in root.iterfind("a:entry/a:title", ns)} <= {None, "text"}
        contents = [c.text or "" for c in root.iterfind("a:entry/a:content", ns)]
        assert any("Evil" in c for c in contents), path
        for html in contents:
            parsed = Tags()
            parsed.feed(html)
            assert not (parsed.handlers or parsed.bad_links or parsed.scripts or parsed.images), (path, html)


def test_rendered_feed_html_and_search_marks_stay_escaped(get, raw_markers):
    """Feed entry HTML is rendered only after the feed's cleaning, and match markers only wrap escaped text,
    even in arbitrary SQL that names its columns like ours."""
    payloads = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
                '<a href="javascript:alert(1)">x</a>', "<p onmouseover='alert(1)'>x</p>")
    for payload in payloads:
        quoted = "'" + payload.replace("'", "''") + "'"
        sql = f"select {quoted} as atom_content_html, char(2) || {quoted} || char(3) as sentence"
        page = get("/aiwatch", params={"sql": sql}).text
        body = page.split("</textarea>")[-1]
        for marker in raw_markers:
            assert marker not in body, (payload, marker)
        tags = Tags()
        tags.feed(body)
        assert not tags.handlers and not tags.bad_links and not tags.images, payload
    page = get("/aiwatch/search_claims", params={"q": "evil", "sort": ""}).text
    assert "<mark>" in page
    for marker in raw_markers:
        assert marker not in page
