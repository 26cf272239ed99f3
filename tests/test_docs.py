"""The README documents every setting, command and view users rely on."""

from __future__ import annotations

import re
from pathlib import Path

from aiwatch.cli import cli
from aiwatch.config import SETTINGS, settings_markdown
from aiwatch.views import VIEWS

REPO_ROOT = Path(__file__).resolve().parent.parent
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
# The README is the front page; the reference lives in docs/.
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "docs").glob("*.md")))


def test_every_setting_is_documented():
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in DOCS]
    assert not missing, f"docs lack settings: {missing}"


def test_settings_table_is_current():
    configuration = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings_markdown() in configuration, "regenerate the table with: python -m aiwatch.config"


def test_every_command_is_documented():
    missing = [name for name in cli.commands if not re.search(rf"aiwatch {name}\b", README)]
    assert not missing, f"README lacks commands: {missing}"


def test_every_view_is_documented():
    missing = [name for name in VIEWS if f"`{name}`" not in DOCS]
    assert not missing, f"docs lack views: {missing}"


def test_readme_gives_run_and_test_commands():
    assert "aiwatch demo" in README
    assert "python -m pytest" in README
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "python -m pytest" in ci


def test_readme_is_a_front_page_and_its_links_resolve():
    assert len(README.encode()) <= 8192, "keep the README a front page: move reference material to docs/"
    for page in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_repository_housekeeping():
    """The update lock file stays out of git; the licence is an SPDX expression (no setuptools warning)."""
    import subprocess
    import tomllib

    ignored = subprocess.run(["git", "check-ignore", "-q", "aiwatch.db.lock"], cwd=REPO_ROOT)
    assert ignored.returncode == 0, "aiwatch.db.lock is not ignored by .gitignore"
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    assert not any(c.startswith("License ::") for c in project["project"].get("classifiers", []))
    backend = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert backend == ["setuptools>=77"], backend  # PEP 639 licence strings need setuptools 77


def test_readme_cron_example_names_the_sample_sites_real_addresses():
    """The cron example runs against the bundled sample site: its feed and sitemap exist there."""
    site = REPO_ROOT / "crawler" / "sample_site" / "site"
    paths = re.findall(r"http://127\.0\.0\.1:8765/([\w./-]+)", README)
    assert "feed.xml" in paths and "sitemap_index.xml" in paths
    assert all((site / path).is_file() for path in paths), paths
    assert "python -m aiwatch.crawler.sample_site --port 8765" in README
    assert "(docs/overview.png)" in README and (REPO_ROOT / "docs" / "overview.png").stat().st_size < 200_000
