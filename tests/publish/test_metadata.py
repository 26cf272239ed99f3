"""The metadata documents the schema, and the metadata file ships inside the package."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from aiwatch.config import load_config
from aiwatch.db import connect
from aiwatch.serve import build_metadata, load_metadata

REPO = Path(__file__).resolve().parents[2]
SKIP_PREFIXES = ("articles_fts", "article_copies_fts", "claims_fts", "sqlite_")


def test_root_file_is_the_packaged_file():
    root = REPO / "datasette_metadata.json"
    packaged = REPO / "aiwatch" / "datasette_metadata.json"
    assert root.resolve() == packaged.resolve() or root.read_bytes() == packaged.read_bytes()
    assert json.loads(packaged.read_text()) == load_metadata()


def test_every_table_view_and_column_is_documented(db_path):
    conn = connect(db_path)
    meta = build_metadata(load_config(environ={}))
    tables = meta["databases"]["aiwatch"]["tables"]
    missing = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"):
        if name.startswith(SKIP_PREFIXES):
            continue
        entry = tables.get(name)
        if not entry or not entry.get("description"):
            missing.append(name)
            continue
        for row in conn.execute(f"PRAGMA table_info([{name}])"):
            if not entry.get("columns", {}).get(row[1]):
                missing.append(f"{name}.{row[1]}")
    conn.close()
    assert missing == []


def test_documented_columns_exist(db_path):
    """No stale docs: every documented column of an existing table or view is real."""
    conn = connect(db_path)
    meta = load_metadata()
    stale = []
    for name, entry in meta["databases"]["aiwatch"]["tables"].items():
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")}
        if columns:
            stale += [f"{name}.{c}" for c in entry.get("columns", {}) if c not in columns]
    conn.close()
    assert stale == []


def test_the_file_describes_the_views_as_views_py_does():
    """The file is read by people running plain ``datasette -m``; ``aiwatch serve`` takes the docs from
    :data:`aiwatch.views.VIEW_DOCS`. Both must say the same."""
    from aiwatch.views import VIEW_DOCS

    tables = load_metadata()["databases"]["aiwatch"]["tables"]
    for view, doc in VIEW_DOCS.items():
        assert tables[view]["description"] == "View: " + doc["description"], view
        assert tables[view]["columns"] == doc["columns"], view


def test_canned_queries_compile_on_an_empty_database(db_path):
    conn = connect(db_path)
    conn.create_function("escape_fts", 1, lambda q: q)
    conn.create_function("aiwatch_words", 1, lambda q: q)
    conn.create_function("aiwatch_cut", 2, lambda text, n: text)
    for name, query in load_metadata()["databases"]["aiwatch"]["queries"].items():
        params = {p: "" for p in query.get("params", [])}
        try:
            conn.execute(f"EXPLAIN {query['sql']}", params)
        except sqlite3.Error as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"{name}: {exc}")
    conn.close()


@pytest.mark.slow
def test_built_package_contains_metadata_templates_and_entry_point(tmp_path):
    """What ``pip install .`` (not editable) ships: the metadata file, the templates and the entry point.

    Runs setuptools' own ``egg_info`` and ``build_py`` (the steps a wheel build runs) into ``tmp_path``.
    """
    import subprocess
    import sys

    script = (
        "import sys; from setuptools import setup; "
        f"sys.argv = ['setup.py', 'egg_info', '--egg-base', {str(tmp_path)!r}, "
        f"'build_py', '--build-lib', {str(tmp_path / 'lib')!r}]; setup()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lib = tmp_path / "lib" / "aiwatch"
    assert json.loads((lib / "datasette_metadata.json").read_text()) == load_metadata()
    for template in ("_aiwatch_macros.html", "aiwatch_entity.html", "aiwatch_overview.html"):
        assert (lib / "datasette_plugin" / "templates" / template).is_file()
    entry_points = (tmp_path / "aiwatch.egg-info" / "entry_points.txt").read_text()
    assert "[datasette]" in entry_points and "aiwatch = aiwatch.datasette_plugin" in entry_points
