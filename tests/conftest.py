"""Fixtures shared by every test area (each area keeps its own in ``tests/<area>/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite database path in the test's temporary directory (not yet created)."""
    return tmp_path / "aiwatch.db"
