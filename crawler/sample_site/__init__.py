"""The bundled offline sample news site that ``aiwatch demo`` and the tests crawl.

``SITE_DIR`` is the document root; ``serve()`` runs it on 127.0.0.1 and yields the base URL.
``MANIFEST_PATH`` lists every page with its expected metadata (see ``load_manifest``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SITE_DIR: Path = Path(__file__).resolve().parent / "site"
MANIFEST_PATH: Path = Path(__file__).resolve().parent / "manifest.json"


def load_manifest() -> list[dict[str, Any]]:
    """The manifest: one dict per page (path, kind, outlet, title, published, byline, topics, ...)."""
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


from aiwatch.crawler.sample_site.server import serve  # noqa: E402  (server imports SITE_DIR from here)

__all__ = ["MANIFEST_PATH", "SITE_DIR", "load_manifest", "serve"]
