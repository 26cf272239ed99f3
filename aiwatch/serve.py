"""Build the Datasette instance that publishes an aiwatch database: metadata, settings and safe limits.

Everything here is a pure function of the settings (:mod:`aiwatch.config`) and the packaged metadata file,
so tests build exactly what ``aiwatch serve`` runs. Decisions for a public instance:

* The database is served **live** (mutable, opened ``mode=ro`` by Datasette), never ``-i``/immutable: cron
  keeps writing through WAL while readers see each committed state.
* It is always mounted under the name ``aiwatch`` whatever the file is called, so URLs such as
  ``/aiwatch/claims`` and the canned queries in the metadata are stable.
* ``sql_time_limit_ms``, ``max_returned_rows`` and ``facet_time_limit_ms`` come from the ``serve_*`` settings;
  suggested facets are off (they run extra queries on every table page); database download is off (Datasette
  never offers it for a mutable file anyway); template and trace debugging stay off; table cells are cut at
  400 characters (article texts would fill the page; the row page shows the whole text).
* Table counts and facet counts are cached until the database file changes
  (:mod:`aiwatch.datasette_plugin.summary_cache`), so table pages of a large archive do not recount 100k rows
  on every view.
* Every SQLite connection gets a cap on string/blob length (``serve_max_string_bytes``), applied by the
  plugin's ``prepare_connection`` hook, so one query cannot build a huge value in memory.
* ``serve_allow_sql = false`` (``aiwatch serve --no-sql``) denies arbitrary SQL; canned queries still run.
* Slow clients: a request header must arrive within ``serve_header_timeout`` seconds and at most
  ``serve_max_connections`` connections stay open (the oldest idle one makes room); see
  :mod:`aiwatch.http_guard`.

The metadata file lives in the package, ``aiwatch/datasette_metadata.json``, so a plain ``pip install .``
ships it (package data); the repository root's ``datasette_metadata.json`` is a symlink to it for people who
run ``datasette aiwatch.db -m datasette_metadata.json`` by hand (the plugin is found through its entry point
either way). View descriptions are owned by ``aiwatch.views.VIEW_DOCS`` and override the file's copy.
"""

from __future__ import annotations

import copy
import errno
import json
import logging
import socket
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from aiwatch.config import Config

log = logging.getLogger(__name__)

DATABASE_NAME = "aiwatch"
METADATA_FILE = "datasette_metadata.json"
PLUGIN_NAME = "aiwatch"


def load_metadata(path: str | Path | None = None) -> dict[str, Any]:
    """Read the project's Datasette metadata (the packaged ``aiwatch/datasette_metadata.json`` by default)."""
    if path is None:
        text = resources.files("aiwatch").joinpath(METADATA_FILE).read_text(encoding="utf-8")
        origin = f"aiwatch/{METADATA_FILE}"
    else:
        origin = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"metadata {origin}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"metadata {origin}: invalid JSON (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"metadata {origin}: top level must be an object")
    return data


def view_docs() -> dict[str, dict[str, Any]]:
    """Descriptions of the SQL views declared next to them in ``aiwatch.views.VIEW_DOCS``.

    Returns ``{view: {"description": str | None, "columns": {column: text}}}``; accepts either that shape
    or a plain ``{view: {column: text}}`` mapping.
    """
    from aiwatch import views

    docs = getattr(views, "VIEW_DOCS", None) or {}
    result: dict[str, dict[str, Any]] = {}
    for view, entry in docs.items():
        if not isinstance(entry, dict):
            continue
        columns = entry.get("columns") if isinstance(entry.get("columns"), dict) else entry
        description = entry.get("description") if isinstance(entry.get("columns"), dict) else None
        result[view] = {
            "description": description if isinstance(description, str) else None,
            "columns": {str(k): str(v) for k, v in columns.items() if isinstance(v, str)},
        }
    return result


def build_metadata(config: Config, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metadata for a served instance: the packaged file plus settings-dependent parts.

    View descriptions come from ``aiwatch.views.VIEW_DOCS`` when it has them (they live next to the view SQL,
    so they win over the copy in the file), then the plugin's limits and ``allow_sql: false`` when arbitrary
    SQL is switched off.
    """
    meta = copy.deepcopy(base if base is not None else load_metadata())
    database = meta.setdefault("databases", {}).setdefault(DATABASE_NAME, {})
    tables = database.setdefault("tables", {})
    for view, docs in view_docs().items():
        entry = tables.setdefault(view, {})
        if docs["description"]:
            entry["description"] = docs["description"]
        entry.setdefault("columns", {}).update(docs["columns"])
    plugin = meta.setdefault("plugins", {}).setdefault(PLUGIN_NAME, {})
    plugin["database"] = DATABASE_NAME
    plugin["max_string_bytes"] = int(config.serve_max_string_bytes)
    plugin["max_response_bytes"] = int(config.serve_max_response_bytes)
    if not config.serve_allow_sql:
        meta["allow_sql"] = False
    return meta


def datasette_settings(config: Config) -> dict[str, Any]:
    """Datasette settings for a public instance, from the ``serve_*`` settings."""
    return {
        "sql_time_limit_ms": int(config.serve_sql_time_limit_ms),
        "max_returned_rows": int(config.serve_max_returned_rows),
        "facet_time_limit_ms": int(config.serve_facet_time_limit_ms),
        "facet_suggest_time_limit_ms": 50,
        "suggest_facets": False,
        "allow_download": False,
        "default_allow_sql": bool(config.serve_allow_sql),
        "template_debug": False,
        "trace_debug": False,
        "truncate_cells_html": 400,  # article texts would otherwise fill table pages; row pages show all
    }


def build_datasette(db_path: str | Path, config: Config, metadata: dict[str, Any] | None = None):
    """A :class:`datasette.app.Datasette` serving ``db_path`` live as database ``aiwatch``.

    The file must exist (open it once with :func:`aiwatch.db.connect` to create and migrate it).
    """
    from datasette.app import Datasette

    from aiwatch.datasette_plugin.summary_cache import SummaryCachingDatabase

    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"database {path}: no such file (run `aiwatch crawl` or `aiwatch demo` first)"
        )
    ds = Datasette(
        files=[],
        metadata=metadata if metadata is not None else build_metadata(config),
        settings=datasette_settings(config),
        cors=False,
    )
    ds.add_database(SummaryCachingDatabase(ds, path=str(path.resolve()), is_mutable=True), name=DATABASE_NAME)
    if "_memory" in ds.databases:
        ds.remove_database("_memory")
    return ds


class PortError(OSError):
    """A port cannot be listened on; the message is one line naming the port and what to do."""


def bind_socket(host: str, port: int, option: str = "--port") -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 picks a free port).

    Raises :class:`PortError` naming the port and ``option`` (the command-line option that chooses another)
    when it is busy or cannot be bound. Callers bind before doing any work, so a busy port fails at once.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortError(f"port {port} on {host} is busy (another server is using it): stop it or choose "
                            f"another port with {option} N") from None
        raise PortError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def server_url(sock: socket.socket) -> str:
    """The http URL a bound socket answers on."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run_server(
    db_path: str | Path,
    config: Config,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    echo: Callable[[str], None] = print,
    sock: socket.socket | None = None,
) -> None:
    """Serve ``db_path`` with uvicorn until interrupted; prints the URL once listening.

    ``sock`` is a socket already bound with :func:`bind_socket` (so a busy port was found before any work);
    without it, ``host:port`` is bound here.
    """
    import uvicorn

    from aiwatch.http_guard import connection_cap, guarded_protocol, raise_open_file_limit

    sock = sock if sock is not None else bind_socket(host, port)
    try:
        ds = build_datasette(db_path, config)
        url = server_url(sock)
        sql_state = "on" if config.serve_allow_sql else "off"
        echo(f"Serving {db_path} at {url} (arbitrary SQL {sql_state}; overview: {url}-/aiwatch/overview)")
        cap = connection_cap(int(config.serve_max_connections), raise_open_file_limit())
        protocol = guarded_protocol(config.serve_header_timeout, cap)
        settings = uvicorn.Config(ds.app(), http=protocol, log_level="warning", lifespan="on",
                                  access_log=False, timeout_keep_alive=5)
        uvicorn.Server(settings).run(sockets=[sock])
    finally:
        sock.close()
