"""A newcomer's first run: busy ports fail at once with one line, and the sample site never moves port."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from aiwatch.cli import cli


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other program is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        yield other.getsockname()[1]


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_demo_checks_the_datasette_port_before_any_work(tmp_path, busy_port):
    db = tmp_path / "aiwatch.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--port", str(busy_port), "--site-port", "0"])
    line = _one_line_error(result)
    assert f"port {busy_port} on 127.0.0.1 is busy" in line and "--port N" in line
    assert not db.exists()  # nothing crawled, extracted or built


def test_demo_refuses_a_busy_sample_site_port_instead_of_moving(tmp_path, busy_port):
    db = tmp_path / "aiwatch.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--no-serve", "--site-port", str(busy_port)])
    line = _one_line_error(result)
    assert f"sample site port {busy_port} is busy" in line and "--site-port N" in line
    assert not db.exists()


def test_serve_checks_the_port_first(tmp_path, busy_port, fixture_db):
    result = CliRunner().invoke(cli, ["--db", str(fixture_db[0]), "serve", "--port", str(busy_port)])
    line = _one_line_error(result)
    assert f"port {busy_port} on 127.0.0.1 is busy" in line


@pytest.mark.model
@pytest.mark.slow
def test_demo_shows_live_progress_per_stage_in_words_a_newcomer_reads(demo_run):
    """At a terminal: a live crawl line (pages fetched, stored, rejected), the extraction's bar, and each
    stage's summary as that stage ends; no Scrapy 'Crawled 0 pages' lines, no '48 already seen'."""
    _, output = demo_run
    updates = re.findall(r"crawl: (\d+) pages fetched \[[\d:]+\], stored (\d+).*?, rejected (\d+)", output)
    assert updates, output[-2000:]
    assert int(updates[-1][0]) > 0 and int(updates[-1][1]) > 0 and int(updates[-1][2]) > 0, updates
    summary = re.search(r"crawl: \d+ pages fetched, (\d+) articles stored \((\d+) of them syndicated "
                        r"copies\), "
                        r"(\d+) rejected \((\d+) off-topic, (\d+) not articles\), 0 errors in [\d.]+s; "
                        r"(\d+) links not fetched again \(already stored, or listed by more than one feed or "
                        r"sitemap\)", output)
    assert summary, output[-2000:]
    assert re.search(r"extract: +\d+%\|", output), "no extraction progress bar"
    # The crawl's summary comes when the crawl ends, before extraction starts; not all at the end.
    assert summary.start() < output.index("extract: ") < output.index("graph: ")
    assert "Crawled " not in output and "already seen" not in output and "Traceback" not in output


@pytest.mark.model
@pytest.mark.slow
def test_cron_runs_show_no_progress_and_q_prints_nothing(tmp_path):
    """Without a terminal (cron): no bars and no Scrapy progress lines, the three summaries on stdout;
    with -q nothing at all on success."""
    from aiwatch.crawler.sample_site import serve

    db = tmp_path / "aiwatch.db"
    command = [sys.executable, "-c", "from aiwatch.cli import main; main()", "--db", str(db)]
    with serve(port=0) as base:
        url = f"{base}/tech/2025/01/29/openai-says-deepseek-may-have-distilled-its-models.html"
        first = subprocess.run([*command, "update", "--url", url], capture_output=True, text=True,
                               timeout=300)
        quiet = subprocess.run([*command, "-q", "update", "--url", url], capture_output=True, text=True,
                               timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    lines = first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["crawl", "extract", "graph"], first.stdout
    assert "1 articles stored" in lines[0]
    for stream in (first.stdout, first.stderr):
        assert "\r" not in stream and "%|" not in stream and "pages fetched [" not in stream
        assert "Crawled " not in stream
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == "", (quiet.stdout, quiet.stderr)
