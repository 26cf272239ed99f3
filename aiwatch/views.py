"""SQL views for journalists and researchers, recreated by :func:`aiwatch.db.ensure_views` when changed.

Each entry maps a view name to its ``SELECT``. Document every view in the README and in
``datasette_metadata.json``.
"""

from __future__ import annotations

VIEWS: dict[str, str] = {}
