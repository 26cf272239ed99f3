"""Bad configuration and command-line input to ``aiwatch update``: exit non-zero with one line, no traceback.

Each case runs the real command in a subprocess; none of them reaches the network (the feed given is never
fetched: the run stops at the bad value first).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

AIWATCH = [sys.executable, "-c", "import sys; from aiwatch.cli import main; sys.argv[0] = 'aiwatch'; main()"]
FEED = "http://127.0.0.1:9/feed.xml"  # the discard port: never contacted by these cases


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
        db: Path | None = None) -> tuple[int, str]:
    """``aiwatch --db DB update ARGS`` with only ``env``'s AIWATCH_* variables; (exit status, output)."""
    cmd = [*AIWATCH, "--db", str(db or tmp_path / "aiwatch.db"), "update", *args]
    base = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**base, **(env or {})}, cwd=tmp_path,
                          timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


def assert_one_line_error(code: int, output: str, *names: str) -> str:
    assert code != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


BAD_SOURCES = {
    "syntax": ('[[source]]\nname = "x"\nurl = \n', ["line 3"]),
    "binary": (b"\xff\xfe\x00garbage", ["not UTF-8"]),
    "wrong table": ('[[feeds]]\nurl = "http://127.0.0.1:9/f.xml"\n', ["'feeds'"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_invalid_sources_file_is_named_with_the_problem(tmp_path, case):
    text, names = BAD_SOURCES[case]
    path = write(tmp_path / "sources.toml", text)
    code, output = run(tmp_path, "--sources", str(path))
    line = assert_one_line_error(code, output, "sources.toml", *names)
    assert code == 1, line
    with sqlite3.connect(tmp_path / "aiwatch.db") as conn:  # the run is recorded as failed, not left running
        rows = conn.execute("SELECT status, error FROM runs").fetchall()
    assert rows == [("failed", line.split("update failed: ")[1])]
    conn.close()


def test_unreadable_sources_file(tmp_path):
    (tmp_path / "sources.d").mkdir()
    code, output = run(tmp_path, "--sources", str(tmp_path / "sources.d"))
    assert_one_line_error(code, output, "sources.d", "cannot read")
    code, output = run(tmp_path, "--sources", str(tmp_path / "missing.toml"))
    assert_one_line_error(code, output, "missing.toml", "cannot read")


@pytest.mark.parametrize(("args", "env", "names"), [
    (["--spider", "nope", "--feed", FEED], {}, ["'nope'", "unknown spider"]),
    (["--max-minutes", "abc", "--feed", FEED], {}, ["--max-minutes", "'abc'"]),
    (["--max-minutes", "-3", "--feed", FEED], {}, ["--max-minutes", "'-3'"]),
    (["--feed", FEED], {"AIWATCH_MAX_PAGES": "x"}, ["AIWATCH_MAX_PAGES", "'x'"]),
    (["--feed", FEED], {"AIWATCH_CRAWL_MEMORY_MB": "lots"}, ["AIWATCH_CRAWL_MEMORY_MB", "'lots'"]),
    (["--feed", FEED], {"AIWATCH_UPDATE_MAX_MINUTES": "soon"}, ["AIWATCH_UPDATE_MAX_MINUTES", "'soon'"]),
    (["--feed", "notaurl"], {}, ["notaurl"]),
    (["--since", "2026-13-45", "--feed", FEED], {}, ["--since", "'2026-13-45'"]),
], ids=["spider", "minutes-abc", "minutes-negative", "max-pages", "memory", "update-minutes", "url", "since"])
def test_bad_option_or_setting_is_named(tmp_path, args, env, names):
    code, output = run(tmp_path, *args, env=env)
    assert_one_line_error(code, output, *names)


def test_bad_config_file_is_named(tmp_path):
    cfg = write(tmp_path / "aiwatch-settings.toml", 'max_pages = "many"\n')
    code, output = run(tmp_path, "--feed", FEED, env={"AIWATCH_CONFIG": str(cfg)})
    assert_one_line_error(code, output, "aiwatch-settings.toml", "max_pages", "'many'")


def test_database_in_a_missing_directory(tmp_path):
    db = tmp_path / "no" / "such" / "dir" / "aiwatch.db"
    code, output = run(tmp_path, "--feed", FEED, db=db)
    assert_one_line_error(code, output, str(db), "does not exist")
    assert not db.parent.exists()


def test_read_only_database_file_is_refused_untouched(tmp_path):
    from aiwatch.db import connect

    db = tmp_path / "published.db"
    connect(db).close()
    db.chmod(0o444)
    before = db.read_bytes()
    code, output = run(tmp_path, "--feed", FEED, db=db)
    assert_one_line_error(code, output, str(db), "read-only")
    assert db.read_bytes() == before
    assert not Path(f"{db}.lock").exists()


def test_database_that_is_not_sqlite(tmp_path):
    db = write(tmp_path / "notes.db", "these are my notes, not a database\n" * 100)
    code, output = run(tmp_path, "--feed", FEED, db=db)
    assert_one_line_error(code, output, "notes.db", "not a database")


def test_database_from_a_newer_schema_version_is_refused_untouched(tmp_path):
    from aiwatch.db import connect

    db = tmp_path / "future.db"
    connect(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    code, output = run(tmp_path, "--feed", FEED, db=db)
    assert_one_line_error(code, output, "99", "newer")
    assert db.read_bytes() == before
