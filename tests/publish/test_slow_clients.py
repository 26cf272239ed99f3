"""Slow clients cannot hold ``aiwatch serve`` (issue 18, point 4): a header-read timeout and a connection cap,
checked on a real server process under a 1,024-file limit."""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def test_connection_cap_stays_under_the_file_limit():
    from aiwatch.http_guard import connection_cap

    assert connection_cap(500, 1024) == 500
    assert connection_cap(100_000, 1024) < 1024


def _serve(db, env_extra: dict[str, str], nofile: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    env = {**os.environ, **env_extra}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from aiwatch.cli import main; main()", "--db", str(db), "serve",
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, preexec_fn=limit)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line
    port = int(match.group(1))
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5).read()
            break
        except OSError:
            time.sleep(0.1)
    return proc, port


def _half_open(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /-/versions.json HTTP/1.1\r\nHost: x\r\n")  # the blank line never comes
    return sock


def _closed_by_server(sock: socket.socket, wait: float) -> bool:
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


@pytest.mark.slow
def test_half_sent_headers_cannot_starve_real_requests(fixture_db, tmp_path):
    db = tmp_path / "slow.db"
    shutil.copy(fixture_db[0], db)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2048)), hard))
    proc, port = _serve(db, {"AIWATCH_SERVE_HEADER_TIMEOUT": "3"}, nofile=1024)
    held: list[socket.socket] = []
    try:
        # One slow client is disconnected once the header timeout passes.
        first = _half_open(port)
        assert _closed_by_server(first, 8.0), "a half-sent header kept its connection open"
        first.close()
        # 1,100 of them under a 1,024-file limit: a real request is still answered at once.
        for _ in range(1100):
            try:
                held.append(_half_open(port))
            except OSError:
                break
        assert len(held) == 1100
        start = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - start < 5
        assert proc.poll() is None
    finally:
        for sock in held:
            sock.close()
        proc.terminate()
        proc.wait(15)
