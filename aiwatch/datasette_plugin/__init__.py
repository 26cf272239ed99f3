"""Datasette plugin for aiwatch (entry point ``datasette: aiwatch``).

* ``prepare_connection``: maps the file into memory (one map shared by the serving connections), caps SQLite
  string/blob length (and SQL text length) on every connection, guards ``printf``/``format``, denies
  ``fts3_tokenizer`` and ``load_extension`` and caps the bytes one query may return, so one anonymous query
  cannot build a huge value or response in memory, spin for seconds or read a pointer (plugin config
  ``max_string_bytes`` and ``max_response_bytes``, defaults the ``serve_max_string_bytes`` and
  ``serve_max_response_bytes`` settings; see :mod:`.limits`).
* ``register_routes``: ``/-/aiwatch/entity/<id>``, ``/-/aiwatch/overview`` and ``/-/aiwatch/thread/<id>``
  (see :mod:`.pages`).
* ``render_cell``: entity names and ids link to their entity page; ids in canned-query results and views link
  to claim/article rows and entity pages; foreign keys left bare on row pages get a label and a link.
* ``menu_links``: the overview in the navigation menu.
* ``handle_exception`` (a wrapper): error pages without Datasette's ``rich`` traceback printer; one log line
  per client error (see :mod:`.errors`).
* ``register_facet_classes`` (a wrapper): Datasette's array facet replaced by a grouped one
  (see :mod:`.facets`).
* ``asgi_wrapper``: a plain search of the articles table goes to the ``search_articles`` canned query, which
  stays fast on a large archive (see :mod:`.search`).

Importing this module is cheap and has no side effects: every installed Datasette loads it.
"""

from __future__ import annotations

import logging
import sqlite3
from functools import lru_cache
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode  # (loaded with datasette itself)
from markupsafe import Markup

from aiwatch.datasette_plugin import cells

log = logging.getLogger(__name__)

MAX_SQL_LENGTH = 1_000_000
# Serving connections read the database through a shared memory map (up to this many bytes of the file):
# Datasette keeps several connections, and each copied the pages a request needed into its own small cache,
# so a page read by one request was read and copied again by each connection (e2e: the article search and
# the articles table page ~35% faster). The mapped pages are the operating system's file cache.
SERVE_MMAP_BYTES = 1 << 30


def max_string_bytes(datasette: Any) -> int:
    """The per-value length cap from the plugin config, else the aiwatch setting's default."""
    config = datasette.plugin_config("aiwatch") or {}
    value = config.get("max_string_bytes")
    if value is None:
        from aiwatch.config import default

        value = default("serve_max_string_bytes")
    return max(int(value), 1_000)


def max_response_bytes(datasette: Any) -> int:
    """The per-query response cap from the plugin config, else the aiwatch setting's default."""
    value = (datasette.plugin_config("aiwatch") or {}).get("max_response_bytes")
    if value is None:
        from aiwatch.config import default

        value = default("serve_max_response_bytes")
    return max(int(value), 100_000)


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    from aiwatch.datasette_plugin.cells import cut_words
    from aiwatch.datasette_plugin.limits import apply_limits
    from aiwatch.datasette_plugin.search import fts_words

    conn.execute(f"PRAGMA mmap_size = {SERVE_MMAP_BYTES}")
    apply_limits(conn, max_string_bytes(datasette), MAX_SQL_LENGTH, max_response_bytes(datasette))
    conn.create_function("aiwatch_words", 1, fts_words, deterministic=True)
    conn.create_function("aiwatch_cut", 2, cut_words, deterministic=True)


@hookimpl(hookwrapper=True)
def handle_exception(datasette: Any, request: Any, exception: BaseException):
    """Answer errors with :func:`.errors.error_response` instead of Datasette's default, which prints each
    one, 404s included, with ``rich`` and its local variables (see :mod:`.errors`)."""
    outcome = yield
    from aiwatch.datasette_plugin.errors import error_response, is_datasette_default

    kept = [r for r in outcome.get_result() if r is not None and not is_datasette_default(r)]
    outcome.force_result([*kept, error_response(datasette, request, exception)])


@hookimpl(hookwrapper=True)
def register_facet_classes():
    """Swap Datasette's array facet for the grouped one (same output, milliseconds at 100k rows)."""
    outcome = yield
    from aiwatch.datasette_plugin.facets import replace_array_facet

    outcome.force_result(replace_array_facet(outcome.get_result()))


@hookimpl
def asgi_wrapper(datasette: Any):
    """Send plain article searches to the ``search_articles`` canned query (see :mod:`.search`)."""
    database = (datasette.plugin_config("aiwatch") or {}).get("database")

    def wrapper(app: Any) -> Any:
        if not database:
            return app
        from aiwatch.datasette_plugin.search import wrap

        return wrap(app, database, datasette.setting("base_url") or "/")

    return wrapper


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    from aiwatch.datasette_plugin import pages

    return [
        (r"^/-/aiwatch/entity/(?P<entity_id>[^/]+)$", pages.entity_view),
        (r"^/-/aiwatch/overview$", pages.overview_view),
        (r"^/-/aiwatch/thread/(?P<thread_id>[^/]+)$", pages.thread_view),
    ]


# Foreign-key columns that Datasette 0.65 leaves unlabelled on row pages: (table, column) -> target table.
ROW_PAGE_LINKS = {
    ("claims", "speaker_id"): "entities",
    ("claims", "target_id"): "entities",
    ("claims", "via_id"): "entities",
    ("claims", "article_id"): "articles",
    ("mentions", "entity_id"): "entities",
    ("mentions", "article_id"): "articles",
    ("entity_aliases", "entity_id"): "entities",
    ("graph_nodes", "entity_id"): "entities",
    ("graph_edges", "source_id"): "entities",
    ("graph_edges", "target_id"): "entities",
    ("event_claims", "claim_id"): "claims",
    ("event_claims", "article_id"): "articles",
}
# Id columns in canned-query results and views: claim and article ids link to their rows, entity ids to
# their entity page.
QUERY_ROW_LINKS = {"claim_id": "claims", "article_id": "articles", "first_article_id": "articles"}
QUERY_ENTITY_COLUMNS = {"accuser_id", "accused_id", "speaker_id", "target_id", "actor_id", "entity_id",
                        "source_id", "via_id"}
VIEW_NAMES = {"accusations", "entity_timeline", "co_mentions", "policy_actions", "accusation_events",
              "threads", "thread_timeline", "first_reports", "event_sentences"}
THREAD_VIEWS = {"accusation_events", "threads"}  # their event_id is a thread's id
DATE_COLUMNS = frozenset({"published", "fetched_at", "first_seen", "last_seen", "started_at", "finished_at",
                          "updated_at", "date"})
# The columns of canned queries and views that render_cell changes (besides search matches, marked in any
# column): the rest return at once.
QUERY_COLUMNS = frozenset({*cells.NAME_IDS, *cells.TITLE_URLS, *cells.DATE_COLUMNS, "atom_content_html",
                           "thread_id", "event_id", *QUERY_ROW_LINKS, *QUERY_ENTITY_COLUMNS})
LABELS = {
    "entities": "SELECT name FROM entities WHERE id = ?",
    "articles": "SELECT title FROM articles WHERE id = ?",
}


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str, database: str, datasette: Any) -> Any:
    """Entity ids link to their entity page; unexpanded foreign keys (row pages) show a label and link.

    Called once per cell (a 500-row canned query has ~7,500), so columns it leaves alone return at once.
    """
    if table is None or table in VIEW_NAMES:
        if column not in QUERY_COLUMNS and not (isinstance(value, str) and cells.MATCH_START in value):
            return None
        cell = cells.query_cell(row, value, column, lambda entity: _entity_href(datasette, entity))
        return cell if cell is not None else _query_cell_link(value, column, database, datasette, table)
    if table == "entities" and column in ("id", "name") and isinstance(value, str) and value:
        entity_id = value if column == "id" else _row_value(row, "id")
        if not isinstance(entity_id, str):
            return None
        return cells.link(_entity_href(datasette, entity_id), value,
                          ' title="Entity page: claims, timeline, network"')
    if column in DATE_COLUMNS:
        return cells.date_cell(value)
    target = ROW_PAGE_LINKS.get((table, column))
    if target is None or not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        return None

    async def labelled() -> Markup:
        result = await datasette.get_database(database).execute(LABELS[target], [value])
        first = result.first()
        label = first[0] if first and first[0] else str(value)
        href = datasette.urls.row(database, target, tilde_encode(str(value)))
        return Markup('<a href="{}">{}</a>').format(href, label)

    return labelled


def _entity_href(datasette: Any, entity_id: str) -> str:
    """The entity page's path (``base_url`` included)."""
    return datasette.urls.path("/-/aiwatch/entity/") + _tilde(entity_id)


@lru_cache(maxsize=8192)
def _tilde(value: str) -> str:
    return tilde_encode(value)


def _query_cell_link(value: Any, column: str, database: str, datasette: Any,
                     table: str | None = None) -> Markup | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    if column == "thread_id" or (column == "event_id" and table in THREAD_VIEWS):
        if not str(value).isdigit():
            return None
        href = datasette.urls.path(f"/-/aiwatch/thread/{int(value)}")
        return cells.link(href, value, ' title="Thread page: the accusation and what followed"')
    if column in QUERY_ROW_LINKS:
        href = datasette.urls.row(database, QUERY_ROW_LINKS[column], _tilde(str(value)))
    elif column in QUERY_ENTITY_COLUMNS and isinstance(value, str):
        href = _entity_href(datasette, value)
    else:
        return None
    return cells.link(href, value)


def _row_value(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    """Wide sentence columns, the bookkeeping toggle and search highlights (see ``static/aiwatch.css``)."""
    return [datasette.urls.static_plugins("aiwatch", "aiwatch.css")]


@hookimpl
def extra_js_urls(template: str, datasette: Any) -> list[dict[str, Any]]:
    """The bookkeeping-column toggle and folded column descriptions (see ``static/aiwatch.js``), on table
    and query pages only (the plugin's own pages run no script); a module script, so it never blocks the
    page from parsing."""
    if not template.startswith(("table", "query")):
        return []
    return [{"url": datasette.urls.static_plugins("aiwatch", "aiwatch.js"), "module": True}]


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    """``aw_date``: one date format in the plugin's pages (see :func:`.cells.display_date`)."""
    from aiwatch.datasette_plugin.cells import display_date

    env.filters["aw_date"] = lambda value: display_date(value) or (value or "")


@hookimpl
def menu_links(datasette: Any, actor: Any, request: Any) -> list[dict[str, str]]:
    return [{"href": datasette.urls.path("/-/aiwatch/overview"), "label": "aiwatch: dispute overview"}]
