"""Route handlers for ``/-/aiwatch/entity/<id>`` and ``/-/aiwatch/overview``.

Handlers fetch rows with :mod:`aiwatch.datasette_plugin.data`, add links and picture geometry
(:mod:`aiwatch.datasette_plugin.svg`) and render the plugin's Jinja templates (autoescaped).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response

from aiwatch.datasette_plugin import data, events, svg
from aiwatch.datasette_plugin.summary_cache import cached_fn

DEFAULT_DATABASE = "aiwatch"
TOPIC_ORDER = ("distillation", "export-controls")
WIKIDATA_QID = re.compile(r"^Q[1-9][0-9]*$")


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) URL (safe as a link target), else ``None``.

    >>> safe_url("https://example.com/a"), safe_url("javascript:alert(1)")
    ('https://example.com/a', None)
    """
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


class Links:
    """Builds the URLs the pages point to, honouring Datasette's ``base_url``."""

    def __init__(self, datasette: Any, database: str) -> None:
        self.ds = datasette
        self.database = database

    def entity(self, entity_id: str) -> str:
        return self.ds.urls.path(f"/-/aiwatch/entity/{tilde_encode(str(entity_id))}")

    def overview(self) -> str:
        return self.ds.urls.path("/-/aiwatch/overview")

    def thread(self, thread_id: Any) -> str:
        return self.ds.urls.path(f"/-/aiwatch/thread/{int(thread_id)}")

    def row(self, table: str, pk: Any) -> str:
        return self.ds.urls.row(self.database, table, tilde_encode(str(pk)))

    def table(self, table: str, **args: str) -> str:
        url = self.ds.urls.table(self.database, table)
        return f"{url}?{urlencode(args)}" if args else url

    def query(self, name: str, fmt: str | None = None, **args: str) -> str:
        url = self.ds.urls.query(self.database, name, format=fmt)
        return f"{url}?{urlencode(args)}" if args else url


def find_database(datasette: Any):
    """The database holding the aiwatch tables: the configured name, else the first file-backed one."""
    config = datasette.plugin_config("aiwatch") or {}
    name = config.get("database") or DEFAULT_DATABASE
    if name in datasette.databases:
        return datasette.databases[name]
    for db in datasette.databases.values():
        if db.name and not db.name.startswith("_") and db.path:
            return db
    raise NotFound("No aiwatch database is being served")


def _link_claims(claims: list[dict[str, Any]], links: Links) -> list[dict[str, Any]]:
    for c in claims:
        c["speaker_href"] = links.entity(c["speaker_id"]) if c.get("speaker_id") else None
        c["target_href"] = links.entity(c["target_id"]) if c.get("target_id") else None
        c["via_href"] = links.entity(c["via_id"]) if c.get("via_id") else None
        c["claim_href"] = links.row("claims", c["claim_id"])
        c["article_href"] = links.row("articles", c["article_id"])
        c["safe_url"] = safe_url(c.get("article_url"))
    return claims


def _link_events(rows: list[dict[str, Any]], links: Links) -> list[dict[str, Any]]:
    """Links of event rows: thread page, speaker and targets' entity pages, the first report and its row."""
    for e in rows:
        e["thread_href"] = links.thread(e["event_id"]) if e.get("kind") == "accusation" else None
        e["speaker_href"] = links.entity(e["speaker_id"]) if e.get("speaker_id") else None
        for t in e.get("targets", []):
            t["href"] = links.entity(t["id"]) if t["id"] else None
        e["first_href"] = links.row("articles", e["first_article_id"]) if e.get("first_article_id") else None
        e["first_safe_url"] = safe_url(e.get("first_url"))
        for report in e.get("reports_list", []):
            report["href"] = links.row("articles", report["article_id"])
            report["safe_url"] = safe_url(report.get("url"))
            for sentence in report["sentences"]:
                sentence["claim_href"] = links.row("claims", sentence["claim_id"])
    return rows


def _network_nodes(nodes: dict[str, dict[str, Any]], links: Links) -> dict[str, dict[str, Any]]:
    return {k: {**v, "href": links.entity(k)} for k, v in nodes.items()}


def _entity_info(conn: Any, entity_id: str) -> dict[str, Any] | None:
    info = data.entity_page(conn, entity_id)
    if info is not None:
        info["threads"] = events.entity_threads(conn, entity_id)
    return info


def _overview_info(conn: Any) -> dict[str, Any]:
    info = data.overview_page(conn)
    info["accusation_events"] = events.latest_events(conn, "accusation")
    info["accusation_event_count"] = events.event_count(conn, "accusation")
    return info


async def entity_view(datasette: Any, request: Any) -> Response:
    """The page about one entity: facts, claims made and received, articles per month, network."""
    entity_id = tilde_decode(request.url_vars["entity_id"])
    db = find_database(datasette)
    info = await cached_fn(db, ("entity", entity_id), lambda conn: _entity_info(conn, entity_id))
    links = Links(datasette, db.name)
    if info is None:
        # Reachable by name or alias too (/-/aiwatch/entity/DeepSeek): redirect to the stable id's page.
        found = await db.execute_fn(lambda conn: data.entity_by_name(conn, entity_id))
        if found is not None:
            return Response.redirect(links.entity(found))
        raise NotFound(f"No entity with id, name or alias {entity_id!r}")
    _link_claims(info["accusations_made"], links)
    _link_claims(info["accusations_received"], links)
    _link_claims(info["claims_made"], links)
    _link_claims(info["claims_received"], links)
    _link_claims(info["claims_relayed"], links)
    for article in info["articles"]:
        article["safe_url"] = safe_url(article["url"])
        article["href"] = links.row("articles", article["id"])
    _link_events(info["threads"], links)
    wikidata = info["entity"].get("wikidata")
    context = {
        **info,
        "chart": svg.stacked_bars((r["month"], "articles", r["n"]) for r in info["per_month"]),
        "network": svg.network(
            entity_id, _network_nodes(info["neighbour_nodes"], links), info["neighbour_edges"]
        ),
        "wikidata_href": f"https://www.wikidata.org/wiki/{wikidata}"
        if wikidata and WIKIDATA_QID.match(wikidata)
        else None,
        "row_href": links.row("entities", entity_id),
        "profile_href": links.query("entity_profile", entity=entity_id),
        "claims_href": links.table("claims", speaker_id=entity_id),
        "accusations_made_href": links.query("who_accused_whom", accuser=entity_id),
        "accusations_received_href": links.query("who_accused_whom", accused=entity_id),
        "claims_received_href": links.table("claims", target_id=entity_id),
        "claims_relayed_href": links.table("claims", via_id=entity_id),
        "entities_href": links.table("entities"),
        "overview_href": links.overview(),
        "home_href": datasette.urls.instance(),
    }
    html = await datasette.render_template("aiwatch_entity.html", context, request=request)
    return Response.html(html)


async def overview_view(datasette: Any, request: Any) -> Response:
    """The dispute overview: totals, monthly timeline per topic, central entities, latest claims."""
    db = find_database(datasette)
    info = await cached_fn(db, ("overview",), _overview_info)
    links = Links(datasette, db.name)
    _link_events(info["accusation_events"], links)
    _link_claims(info["accusations"], links)
    _link_claims(info["policy_actions"], links)
    nodes = {r["id"]: {"name": r["name"], "type": r["type"]} for r in info["central"]}
    context = {
        **info,
        "chart": svg.stacked_bars(
            ((r["month"], r["topic"], r["n"]) for r in info["per_month"]), series=TOPIC_ORDER
        ),
        "rank": svg.hbars(
            [(r["name"], r["pagerank"] or 0.0, links.entity(r["id"])) for r in info["central"]], percent=True
        ),
        "network": svg.network(None, _network_nodes(nodes, links), info["central_edges"], width=560),
        "accusations_href": links.query("who_accused_whom"),
        "accusation_events_href": links.table("accusation_events", _sort_desc="event_date"),
        "actions_href": links.query("policy_actions_by_date"),
        "undated_href": links.table("articles", published__isnull="1", duplicate_of__isnull="1"),
        # Each total links to a list whose row count is the same number.
        "articles_href": links.table("articles", duplicate_of__isnull="1"),
        "entities_href": links.table("entities"),
        "accusations_view_href": links.table("accusations"),
        "actions_view_href": links.table("policy_actions"),
        "search_claims_href": links.query("search_claims"),
        "search_articles_href": links.query("search_articles"),
        "feed_accusations_href": links.query("feed_accusations", "atom"),
        "feed_actions_href": links.query("feed_policy_actions", "atom"),
        "home_href": datasette.urls.instance(),
    }
    html = await datasette.render_template("aiwatch_overview.html", context, request=request)
    return Response.html(html)


async def thread_view(datasette: Any, request: Any) -> Response:
    """One accusation and what followed it: responses, evidence and actions, each with every report."""
    raw = request.url_vars["thread_id"]
    if not raw.isdigit():
        raise NotFound(f"No thread with id {raw!r}")
    thread_id = int(raw)
    db = find_database(datasette)
    info = await cached_fn(db, ("thread", thread_id), lambda conn: events.thread_page(conn, thread_id))
    if info is None:
        raise NotFound(f"No thread with id {thread_id}")
    links = Links(datasette, db.name)
    _link_events([info["event"]], links)
    info["event"]["reports_list"] = info["reports_list"]
    _link_events([info["event"]], links)
    _link_events(info["links"], links)
    context = {
        **info,
        "threads_href": links.table("threads"),
        "timeline_href": links.table("thread_timeline", thread_id=str(thread_id)),
        "sentences_href": links.table("event_sentences", event_id=str(thread_id)),
        "overview_href": links.overview(),
        "home_href": datasette.urls.instance(),
    }
    html = await datasette.render_template("aiwatch_thread.html", context, request=request)
    return Response.html(html)
