"""A newcomer's first run: busy ports fail at once with one line, and the sample site never moves port."""

from __future__ import annotations

import socket
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
