"""The README documents every setting, command and view users rely on."""

from __future__ import annotations

import re
from pathlib import Path

from aiwatch.cli import cli
from aiwatch.config import SETTINGS, settings_markdown
from aiwatch.views import VIEWS

REPO_ROOT = Path(__file__).resolve().parent.parent
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README]
    assert not missing, f"README lacks settings: {missing}"


def test_settings_table_is_current():
    assert settings_markdown() in README, "regenerate the table with: python -m aiwatch.config"


def test_every_command_is_documented():
    missing = [name for name in cli.commands if not re.search(rf"aiwatch {name}\b", README)]
    assert not missing, f"README lacks commands: {missing}"


def test_every_view_is_documented():
    missing = [name for name in VIEWS if f"`{name}`" not in README]
    assert not missing, f"README lacks views: {missing}"


def test_readme_gives_run_and_test_commands():
    assert "aiwatch demo" in README
    assert "python -m pytest" in README
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "python -m pytest" in ci
