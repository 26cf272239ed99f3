"""``aiwatch crawl`` through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiwatch.cli import cli

FAST = {"AIWATCH_DOWNLOAD_DELAY": "0", "AIWATCH_AUTOTHROTTLE": "false"}


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and stdout on success, or the error output (stderr) on failure."""
    result = CliRunner().invoke(cli, list(args), env=FAST, catch_exceptions=False)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.stderr


@pytest.mark.slow  # a crawl in a child process
def test_crawl_feed_fills_articles(news_site, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    code, out = invoke("--db", str(db), "crawl", "--feed", news_site.url("/feed.xml"))
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("crawl: ")
    assert "3 articles stored" in out
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    missing = "SELECT count(*) FROM articles WHERE title IS NULL OR text IS NULL"
    assert conn.execute(missing).fetchone()[0] == 0


@pytest.mark.parametrize(("args", "message"), [
    (["crawl", "--feed", "notaurl"], "--feed notaurl: not an http(s) URL"),
    (["crawl", "--url", "ftp://x"], "--url ftp://x: not an http(s) URL"),
    (["crawl", "--url", "http://127.0.0.1:8/a", "--since", "last tuesday"], "--since: not a date"),
    (["crawl", "--url", "http://127.0.0.1:8/a", "--spider", "bogus"], "unknown spider 'bogus'"),
    (["crawl", "--sources", "/nonexistent/sources.toml"], "sources /nonexistent/sources.toml: cannot read"),
    (["crawl", "--url", "http://127.0.0.1:8/a", "--spider", "feeds"], "nothing to crawl"),
])
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    code, out = invoke("--db", str(tmp_path / "x.db"), *args)
    assert code != 0
    lines = out.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("Error: ")


def test_bad_input_is_refused_before_the_database_is_touched(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    code, out = invoke("--db", str(db), "crawl", "--feed", "notaurl")
    assert code != 0 and "notaurl" in out
    assert not db.exists()  # so no runs row either


def test_bad_sources_file_names_the_line(tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nkind = "feed"\nurl = "http://a.test/f"\n\n[[source]]\nkind = "podcast"\n'
                       'url = "http://a.test/p"\n')
    code, out = invoke("--db", str(tmp_path / "x.db"), "crawl", "--sources", str(sources))
    assert code != 0
    assert out.strip() == f"Error: sources {sources}: entry 2 (line 5): unknown kind 'podcast' " \
                          "(expected one of feed, sitemap, url, gdelt, federal_register)"


@pytest.mark.slow  # a crawl in a child process
def test_bad_db_paths(tmp_path: Path, news_site) -> None:
    feed = news_site.url("/feed.xml")
    code, out = invoke("--db", str(tmp_path / "missing" / "x.db"), "crawl", "--feed", feed)
    assert code != 0 and len(out.strip().splitlines()) == 1 and "does not exist" in out
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an sqlite database at all" * 100)
    code, out = invoke("--db", str(garbage), "crawl", "--feed", feed)
    assert code != 0 and len(out.strip().splitlines()) == 1 and "not a database" in out
    readonly = tmp_path / "ro.db"
    sqlite3.connect(readonly).execute("CREATE TABLE t (x)").connection.close()
    readonly.chmod(0o444)
    if os.access(readonly, os.W_OK):
        pytest.skip("running as a user who can write read-only files")
    code, out = invoke("--db", str(readonly), "crawl", "--feed", feed)
    assert code != 0 and len(out.strip().splitlines()) == 1 and "Traceback" not in out


@pytest.mark.slow  # a crawl in a child process
def test_all_sources_failing_exits_non_zero(site, tmp_path: Path) -> None:
    site.add("/feed.xml", "<html><body>gone</body></html>", "text/html")
    code, out = invoke("--db", str(tmp_path / "x.db"), "crawl", "--feed", site.url("/feed.xml"))
    assert code != 0
    assert out.strip().splitlines()[-1].endswith("every source failed")


@pytest.mark.slow
def test_console_script_and_scrapy_crawl(news_site, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    env = {**os.environ, **FAST}
    db = tmp_path / "cli.db"
    proc = subprocess.run([sys.executable, "-m", "aiwatch.cli", "--db", str(db), "crawl", "--feed",
                           news_site.url("/feed.xml")], capture_output=True, text=True, env=env, timeout=120)
    if "No module named aiwatch.cli.__main__" in proc.stderr:
        proc = subprocess.run(["aiwatch", "--db", str(db), "crawl", "--feed", news_site.url("/feed.xml")],
                              capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "3 articles stored" in proc.stdout

    # `scrapy crawl feeds -a feed=URL` from the repository root writes to $AIWATCH_DB.
    scrapy_db = tmp_path / "scrapy.db"
    root = Path(request.config.rootpath)
    feed_arg = f"feed={news_site.url('/feed.xml')}"
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "feeds", "-a", feed_arg], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={**env, "AIWATCH_DB": str(scrapy_db)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sqlite3.connect(scrapy_db).execute("SELECT count(*) FROM articles").fetchone()[0] == 3
