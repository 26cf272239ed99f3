"""Error responses of the served app (issue 18, point 1): no path or parameter gives a 500, and a client error
costs one log line, not a ``rich`` traceback with local variables (issue 15: quiet serving)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import pytest

TABLES = ("articles", "claims", "entities", "mentions", "graph_edges", "runs", "accusations")
BAD_PARAMS = (
    "_sort=nosuch", "_sort_desc=nosuch", "_sort=id&_sort_desc=id", "_next=zz", "_next=", "_size=-5",
    "_size=999999999999999999999", "_size=abc", "_facet=nosuch", "_facet_array=nosuch", "_facet_date=nosuch",
    '_through={"table":"x"}', "_through=notjson", '_through={"table":"entities","column":"id","value":"x"}',
    "_col=nosuch", "_nocol=nosuch", "_search=", '_search="', "_search=AND", "_where=nosuch(", "_labels=x",
    "_shape=nosuch", "_json=nosuch", "id__gt=x", "id__nosuch=1", "nosuch__exact=1", "_fts_table=nosuch",
    "_search_nosuch=x", "_sort=rowid&_next=%00", "_trace=1", "_timelimit=-1", "_ttl=abc", "_stream=1",
)
PATHS = (
    "/-/aiwatch/entity/a/b",
    "/-/aiwatch/entity/../../etc/passwd",
    "/-/aiwatch/entity/" + quote("../../etc/passwd", safe=""),
    "/-/aiwatch/entity/no-such-entity",
    "/-/aiwatch/entity/%00",
    "/-/aiwatch/entity/~",
    "/-/aiwatch/entity/" + "x" * 5000,
    "/-/aiwatch/overview?x=%00",
    "/-/aiwatch/overview/extra",
    "/nosuch",
    "/aiwatch/nosuch",
    "/aiwatch/nosuch/1",
    "/aiwatch/articles/999999999",
    "/aiwatch/articles/abc",
    "/aiwatch/articles/%00.json",
    "/aiwatch/claims.nosuchformat",
    "/aiwatch/entity_profile?entity=",
    "/aiwatch/entity_profile.json?entity=%00",
    "/aiwatch/search_claims?q=%22",
    "/aiwatch/search_articles?q=AND%20OR",
    "/aiwatch/connection_between",
    "/aiwatch/feed_accusations.atom?_size=-1",
    "/aiwatch.json?sql=select+nosuch",
    "/aiwatch.json?sql=select+1;select+2",
    "/aiwatch?sql=select+*+from+nosuch",
    "/-/nosuch",
    "/-/static/../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
)


def _urls() -> list[str]:
    urls = list(PATHS)
    for table in TABLES:
        for params in BAD_PARAMS:
            urls.append(f"/aiwatch/{table}?{params}")
        urls.append(f"/aiwatch/{table}.json?{BAD_PARAMS[0]}")
    return urls


def test_no_path_or_parameter_gives_a_server_error(datasette_instance):
    async def statuses() -> dict[str, int]:
        found = {}
        for url in _urls():
            try:
                response = await datasette_instance.client.get(url)
            except Exception as exc:  # noqa: BLE001 - a crash inside the app is what this test looks for
                found[url] = f"crashed: {type(exc).__name__}: {exc}"
                continue
            found[url] = response.status_code
        return found

    bad = {url: status for url, status in asyncio.run(statuses()).items()
           if not isinstance(status, int) or status >= 500}
    assert not bad, bad


@pytest.mark.parametrize("url", ["/-/aiwatch/entity/no-such-entity", "/aiwatch/claims?_sort=nosuch",
                                 "/aiwatch/nosuch", "/nosuch", "/aiwatch/articles?_search=",
                                 "/-/aiwatch/entity/a/b"])
def test_a_client_error_logs_one_line(datasette_instance, capfd, caplog, url):
    caplog.set_level(logging.INFO)
    response = asyncio.run(datasette_instance.client.get(url))
    assert 400 <= response.status_code < 500
    out, err = capfd.readouterr()
    printed = [line for line in (out + err).splitlines() if line.strip()]
    assert printed == [], printed[:20]  # no rich traceback, no "ERROR: conn=..., sql = ..."
    lines = [r.getMessage() for r in caplog.records if r.name == "aiwatch.serve"]
    assert len(lines) == 1 and "\n" not in lines[0], lines
    assert lines[0].startswith(f"{response.status_code} GET /")
    assert all(r.exc_info is None for r in caplog.records)


def test_a_failing_sql_query_prints_nothing(datasette_instance, capfd):
    response = asyncio.run(datasette_instance.client.get("/aiwatch.json?sql=select+nosuch"))
    assert response.status_code == 400 and "no such column" in response.json()["error"]
    out, err = capfd.readouterr()
    assert not (out + err).strip(), (out + err)[:2000]


def test_error_pages_keep_datasette_shape(datasette_instance):
    page = asyncio.run(datasette_instance.client.get("/-/aiwatch/entity/no-such-entity"))
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "No entity with id" in page.text
    data = asyncio.run(datasette_instance.client.get("/aiwatch/claims.json?_sort=nosuch"))
    assert data.status_code == 400
    assert data.json()["ok"] is False and "Cannot sort table by nosuch" in data.json()["error"]
