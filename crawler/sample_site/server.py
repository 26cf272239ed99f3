"""A tiny static HTTP server for the bundled sample site, with ``{{BASE_URL}}`` substitution.

Feeds, sitemaps and canonical links need absolute URLs, but the port is only known once the server is
bound, so text files carry the literal placeholder ``{{BASE_URL}}`` and are rewritten on the way out.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import threading
from collections.abc import Iterator
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aiwatch.crawler.sample_site import SITE_DIR

logger = logging.getLogger(__name__)

PLACEHOLDER = "{{BASE_URL}}"

_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
_FEED_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
}
_SUBSTITUTED = {".html", ".htm", ".xml", ".txt"}


def content_type(path: Path) -> str:
    """The Content-Type header for a site file (RSS/Atom feeds get their specific feed types)."""
    if path.name in _FEED_TYPES:
        return _FEED_TYPES[path.name]
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "application/xml; charset=utf-8"
    return _TEXT_TYPES.get(suffix, "application/octet-stream")


def resolve(root: Path, url_path: str) -> Path | None:
    """Map a request path to a file under ``root``: ``/`` and directories serve ``index.html``.

    Returns None when nothing exists there or the path tries to escape the root.
    """
    clean = posixpath.normpath(unquote(urlsplit(url_path).path))
    parts = [p for p in clean.split("/") if p and p not in (".", "..")]
    candidate = root.joinpath(*parts) if parts else root
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def render(path: Path, base_url: str) -> bytes:
    """The bytes to send for ``path``: text files get ``{{BASE_URL}}`` replaced by ``base_url``."""
    data = path.read_bytes()
    if path.suffix.lower() in _SUBSTITUTED:
        data = data.replace(PLACEHOLDER.encode(), base_url.encode())
    return data


class _Handler(BaseHTTPRequestHandler):
    """GET/HEAD handler serving ``root`` with placeholder substitution; request logging silenced."""

    server_version = "aiwatch-sample-site/1.0"

    def __init__(self, *args: object, root: Path, **kwargs: object) -> None:
        self.root = root
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature from base class
        """Silence the default stderr request log."""

    def _base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _respond(self, send_body: bool) -> None:
        path = resolve(self.root, self.path)
        if path is None:
            body = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>\n"
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
            return
        body = render(path, self._base_url())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._respond(send_body=False)


@contextlib.contextmanager
def serve(directory: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``directory`` (default: the bundled site) on ``host:port`` in a daemon thread.

    Yields the base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``; port 0 picks a free port.
    The server is shut down when the context exits.
    """
    root = Path(directory) if directory is not None else SITE_DIR
    httpd = ThreadingHTTPServer((host, port), partial(_Handler, root=root))
    httpd.daemon_threads = True
    bound_host, bound_port = httpd.server_address[:2]
    base_url = f"http://{bound_host}:{bound_port}"
    thread = threading.Thread(target=httpd.serve_forever, name=f"sample-site:{bound_port}", daemon=True)
    thread.start()
    logger.debug("sample site %s serving %s", base_url, root)
    try:
        yield base_url
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
