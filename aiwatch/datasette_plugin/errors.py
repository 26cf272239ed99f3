"""Error responses that stay cheap: one log line per client error, no traceback printer.

Datasette 0.65's default ``handle_exception`` prints every exception, 404s included, with ``rich`` and
``show_locals=True`` whenever ``rich`` is importable (it arrives through a dependency): ~14 KB and ~300 ms of
event-loop time per bad URL, and outside an ``except`` block (the 404 of an unknown path) ``rich`` raises,
so the client gets a 500. The plugin's ``handle_exception`` wrapper (see :mod:`aiwatch.datasette_plugin`)
drops that default and answers with :func:`error_response` instead: the same page (Datasette's
``error.html``, or JSON for ``.json`` paths), the same statuses, one ``INFO`` line for a client error
(``404 GET /path: message``) and a plain traceback (no local variables) only for a real server error.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import datasette
from datasette.database import QueryInterrupted
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

log = logging.getLogger("aiwatch.serve")
MAX_LOGGED_PATH = 200


def classify(exception: BaseException) -> tuple[int, str, dict[str, Any], str | None, bool]:
    """(status, message, extra info, title, message is HTML) for an exception, as Datasette shows it."""
    if isinstance(exception, Base400):
        message = exception.args[0] if exception.args else "Error"
        return exception.status, str(message), {}, None, False
    if isinstance(exception, DatasetteError):
        # Datasette raises DatasetteError without a status (500) for bad parameters: an unknown sort column,
        # a bad _through. Every DatasetteError is about the request, so it is a 400.
        status = exception.status if 400 <= exception.status < 500 else 400
        return (status, str(exception.message), dict(exception.error_dict or {}), exception.title,
                bool(exception.message_is_html))
    if isinstance(exception, QueryInterrupted | sqlite3.OperationalError | sqlite3.DataError):
        # A query the request asked for failed (bad column, time limit, a value or response too big).
        return 400, str(exception), {}, "Invalid query", False
    if isinstance(exception, ValueError | LookupError | TypeError) and raised_in_datasette(exception):
        # Datasette 0.65 trips over some malformed parameters (``_through={"table": "x"}`` is a KeyError).
        return 400, f"Bad request: invalid parameter ({type(exception).__name__})", {}, None, False
    return 500, "Internal server error", {}, None, False


DATASETTE_DIR = str(Path(datasette.__file__).resolve().parent) + os.sep
AIWATCH_DIR = str(Path(__file__).resolve().parent.parent) + os.sep


def raised_in_datasette(exception: BaseException) -> bool:
    """True when the innermost frame of ``exception`` that belongs to Datasette or aiwatch is Datasette's."""
    owner = None
    tb = exception.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(DATASETTE_DIR):
            owner = "datasette"
        elif filename.startswith(AIWATCH_DIR):
            owner = "aiwatch"
        tb = tb.tb_next
    return owner == "datasette"


def log_line(status: int, request: Any, message: str) -> str:
    """The one line logged for an error response.

    >>> class R: method, path, query_string = "GET", "/-/aiwatch/entity/x", "a=1"
    >>> log_line(404, R, "No entity with id 'x'")
    "404 GET /-/aiwatch/entity/x?a=1: No entity with id 'x'"
    """
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    if len(target) > MAX_LOGGED_PATH:
        target = target[:MAX_LOGGED_PATH] + "..."
    text = " ".join(str(message).split())
    return f"{status} {request.method} {target}: {text[:300]}"


def error_response(
    datasette: Any, request: Any, exception: BaseException
) -> Callable[[], Awaitable[Response]]:
    """What the ``handle_exception`` hook returns: a coroutine function giving the error response."""

    async def respond() -> Response:
        status, message, info, title, is_html = classify(exception)
        if status >= 500:
            log.error(log_line(status, request, f"{type(exception).__name__}: {exception}"),
                      exc_info=(type(exception), exception, exception.__traceback__))
        else:
            log.info(log_line(status, request, message))
        info = {**info, "ok": False, "error": Markup(message) if is_html else message, "status": status,
                "title": title}
        headers: dict[str, str] = {}
        if datasette.cors:
            add_cors_headers(headers)
        if request.path.split("?")[0].endswith(".json"):
            return Response.json({**info, "error": message}, status=status, headers=headers)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        html = await template.render_async({**info, "urls": datasette.urls,
                                            "app_css_hash": datasette.app_css_hash(),
                                            "menu_links": lambda: []})
        return Response.html(html, status=status, headers=headers)

    return respond


def is_datasette_default(result: Any) -> bool:
    """True for what Datasette's own ``handle_exception`` returned (the one that prints with ``rich``)."""
    return getattr(result, "__module__", "") == "datasette.handle_exception"
