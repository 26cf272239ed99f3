"""Bad databases, settings and options are refused in one line (issue 18, points 9 and 10)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from click.testing import CliRunner

from aiwatch.cli import cli
from aiwatch.config import SETTINGS, ConfigError, load_config
from aiwatch.db import connect

WRITING_COMMANDS = (
    ["crawl", "--url", "http://127.0.0.1:9/never-fetched"],
    ["extract"],
    ["graph"],
    ["update", "--url", "http://127.0.0.1:9/never-fetched"],
    ["ingest", "--redis", "redis://127.0.0.1:9/0", "--idle-exit", "1"],
)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env={"AIWATCH_CONFIG": "", **(env or {})})


def one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output[-3000:]
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def read_only_db(tmp_path):
    path = tmp_path / "published.db"
    connect(path).close()
    path.chmod(0o444)
    return path


@pytest.mark.parametrize("command", WRITING_COMMANDS, ids=lambda c: c[0])
def test_every_writing_command_refuses_a_read_only_database(read_only_db, command):
    """Root ignores chmod 444, so the file mode is checked explicitly, the same way by every command."""
    before = hashlib.sha256(read_only_db.read_bytes()).hexdigest()
    line = one_line_error(run("--db", str(read_only_db), *command))
    assert line == f"Error: database {read_only_db}: file is read-only"
    assert hashlib.sha256(read_only_db.read_bytes()).hexdigest() == before
    conn = sqlite3.connect(f"file:{read_only_db}?mode=ro", uri=True)
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_a_non_utf8_config_file_is_one_line(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b"# r\xe9glages\ndownload_timeout = 5\n")
    line = one_line_error(run("--config", str(bad), "graph"))
    assert "not UTF-8" in line and str(bad) in line
    line = one_line_error(run("graph", env={"AIWATCH_CONFIG": str(bad)}))
    assert "not UTF-8" in line and str(bad) in line


@pytest.mark.parametrize(("text", "name"), [("download_timeout = -5", "download_timeout"),
                                             ("concurrent_requests = 1e23", "concurrent_requests"),
                                             ("concurrent_requests = 100000000000000000000",
                                              "concurrent_requests"),
                                             ("download_delay = nan", "download_delay"),
                                             ("update_max_minutes = 1000000000", "update_max_minutes"),
                                             ('user_agent = "a\\r\\nX-Injected: 1"', "user_agent")])
def test_out_of_range_settings_in_a_file_name_setting_and_file(tmp_path, text, name):
    config = tmp_path / "aiwatch.toml"
    config.write_text(text + "\n", encoding="utf-8")
    line = one_line_error(run("--db", str(tmp_path / "a.db"), "--config", str(config), "graph"))
    assert name in line and f"config {config}" in line


def test_out_of_range_environment_names_the_variable(tmp_path):
    line = one_line_error(run("--db", str(tmp_path / "a.db"), "graph",
                              env={"AIWATCH_DOWNLOAD_TIMEOUT": "-5"}))
    assert "environment AIWATCH_DOWNLOAD_TIMEOUT: download_timeout" in line


def test_every_numeric_setting_has_a_range_that_is_enforced():
    for setting in SETTINGS:
        if setting.kind not in (int, float):
            continue
        assert setting.minimum is not None and setting.maximum is not None, setting.name
        assert setting.minimum <= setting.default <= setting.maximum, setting.name
        key = f"AIWATCH_{setting.name.upper()}"
        for bad in (setting.maximum * 10 + 1, setting.minimum - 1):
            with pytest.raises(ConfigError, match=f"environment {key}: {setting.name}: must be"):
                load_config(environ={key: str(bad)})


@pytest.mark.parametrize(("args", "option"), [
    (["extract", "--workers", "99999999999999999999"], "--workers"),
    (["extract", "--batch-size", "99999999999999999999"], "--batch-size"),
    (["update", "--max-minutes", "1e308"], "--max-minutes"),
    (["ingest", "--redis", "redis://127.0.0.1:9/0", "--idle-exit", "nan"], "--idle-exit"),
])
def test_huge_option_values_are_refused(tmp_path, args, option):
    result = run("--db", str(tmp_path / "a.db"), *args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and option in errors[0], result.output[-2000:]
