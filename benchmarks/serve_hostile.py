"""Hostile-traffic figures for a real ``aiwatch serve`` process (issue 18): error floods, the printf bypass,
a huge response, slow clients.

    python benchmarks/serve_hostile.py [--db PATH] [--python PYTHON] [--only flood,printf,rows,slow]

Starts ``aiwatch serve`` on a free loopback port over ``--db`` (default: the publishing tests' fixture
database, built in a temporary directory), runs each scenario against it and prints one JSON object on its
last line:

* ``flood``: 100 bad URLs (unknown entity, nested and ``..`` entity paths, unknown sort column, unknown
  table, empty search), 10 at a time, while a cheap request (``/-/versions.json``) repeats: bad requests per
  second, the cheap request's worst wait, server log bytes per bad request, statuses seen; then the median
  time of an entity page and of a 404, one at a time.
* ``printf``: seconds until ``printf('%.*c','1000000000x','x')`` is answered.
* ``rows``: 40 rows of ``hex(zeroblob(4990000))`` as ``.json``: status, body bytes, the server's peak RSS and
  the cheap request's worst wait meanwhile.
* ``slow``: 1,100 connections that send half a request header, against a server whose open-file limit is
  1,024: whether a legitimate request is answered while they are open and how long it takes.

``--python`` runs the server with another interpreter (for example an older checkout's venv), so before and
after figures come from the same script.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BAD_PATHS = (
    "/-/aiwatch/entity/no-such-entity-{i}",
    "/-/aiwatch/entity/a/b{i}",
    "/-/aiwatch/entity/../../etc/passwd{i}",
    "/aiwatch/claims?_sort=nosuch{i}",
    "/aiwatch/no_such_table_{i}",
    "/aiwatch/articles?_search=&_sort=id&x={i}",
    "/aiwatch/claims?_next={i}zz&_sort=id",
    "/aiwatch/claims.json?_size=-{i}",
    "/aiwatch/claims?_facet=nosuch{i}",
    "/-/aiwatch/entity/%00{i}",
)


def fetch(url: str, timeout: float = 120) -> tuple[int, int, float]:
    """(status, body bytes, seconds); status 0 when the connection failed or timed out."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            size = len(response.read())
            return response.status, size, time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read()), time.monotonic() - start
    except (OSError, ValueError):
        return 0, 0, time.monotonic() - start


class CheapProbe:
    """Repeats a cheap request in a thread and keeps the worst wait."""

    def __init__(self, url: str) -> None:
        self.url = url + "-/versions.json"
        self.worst = 0.0
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            status, _, seconds = fetch(self.url, timeout=60)
            self.worst = max(self.worst, seconds)
            self.failures += status != 200
            time.sleep(0.05)

    def __enter__(self) -> CheapProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(90)


class Server:
    """``aiwatch serve`` in a subprocess, stderr to a file, optional open-file limit."""

    def __init__(self, python: str, db: Path, log: Path, nofile: int | None = None) -> None:
        self.log = log

        def limit() -> None:
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        output = log.open("wb")  # stdout too: rich prints tracebacks there, and a full pipe would block it
        self.proc = subprocess.Popen(
            [python, "-c", "from aiwatch.cli import main; main()", "--db", str(db), "serve", "--port", "0"],
            stdout=output, stderr=subprocess.STDOUT, preexec_fn=limit, cwd=tempfile.gettempdir())
        match = None
        for _ in range(600):
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", log.read_text(errors="replace"))
            if match or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not match:
            raise SystemExit(f"server did not start: {log.read_text(errors='replace')[-2000:]}")
        self.url = match.group(1)
        for _ in range(200):
            if fetch(self.url + "-/versions.json", timeout=5)[0] == 200:
                break
            time.sleep(0.1)

    def log_bytes(self) -> int:
        return self.log.stat().st_size

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def flood(server: Server, count: int = 100, parallel: int = 10) -> dict:
    urls = [server.url.rstrip("/") + BAD_PATHS[i % len(BAD_PATHS)].format(i=i) for i in range(count)]
    log_before = server.log_bytes()
    with CheapProbe(server.url) as probe:
        start = time.monotonic()
        with ThreadPoolExecutor(parallel) as pool:
            results = list(pool.map(fetch, urls))
        elapsed = time.monotonic() - start
    costs = {}
    pages = (("entity_page", "/-/aiwatch/entity/deepseek"), ("not_found", "/-/aiwatch/entity/nope"))
    for label, path in pages:
        times = sorted(fetch(server.url.rstrip("/") + path)[2] for _ in range(21))
        costs[f"{label}_median_ms"] = round(times[10] * 1000, 1)
    statuses: dict[str, int] = {}
    for status, _, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"bad_requests_per_s": round(count / elapsed, 1), "cheap_worst_wait_s": round(probe.worst, 2),
            "log_bytes_per_bad_request": round((server.log_bytes() - log_before) / count),
            "statuses": statuses, **costs}


def printf_bypass(server: Server) -> dict:
    sql = "select length(printf('%.*c','1000000000x','x')) as n"
    status, _, seconds = fetch(server.url + "aiwatch.json?" + urllib.parse.urlencode({"sql": sql}), 120)
    return {"status": status, "seconds": round(seconds, 2)}


def huge_rows(server: Server) -> dict:
    sql = ("with recursive n(i) as (select 1 union all select i + 1 from n where i < 40) "
           "select i, hex(zeroblob(4990000)) as h from n")
    process = psutil.Process(server.proc.pid)
    base = process.memory_info().rss
    peak = base
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with CheapProbe(server.url) as probe:
        status, size, seconds = fetch(server.url + "aiwatch.json?" + urllib.parse.urlencode(
            {"sql": sql, "_shape": "array"}), 300)
    done.set()
    sampler.join()
    return {"status": status, "body_bytes": size, "seconds": round(seconds, 2),
            "rss_before_mb": round(base / 1e6), "rss_peak_mb": round(peak / 1e6),
            "cheap_worst_wait_s": round(probe.worst, 2)}


def slow_clients(server: Server, count: int = 1100) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 512)), hard))
    host, port = urllib.parse.urlsplit(server.url).hostname, urllib.parse.urlsplit(server.url).port
    held: list[socket.socket] = []
    for _ in range(count):
        try:
            sock = socket.create_connection((host, port), timeout=5)
            sock.sendall(b"GET /-/versions.json HTTP/1.1\r\nHost: x\r\n")  # never finished
            held.append(sock)
        except OSError:
            break
    time.sleep(1.0)
    during = fetch(server.url + "-/versions.json", timeout=20)
    time.sleep(12.0)
    later = fetch(server.url + "-/versions.json", timeout=20)
    still_open = 0
    for sock in held:
        try:
            sock.setblocking(False)
            sock.recv(1)  # b"" or data: the server has answered or closed it
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        sock.close()
    return {"held_connections": len(held),
            "request_during": {"status": during[0], "seconds": round(during[2], 2)},
            "request_after_12s": {"status": later[0], "seconds": round(later[2], 2)},
            "half_open_still_open_after_13s": still_open, "server_alive": server.proc.poll() is None}


def fixture_database(directory: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.publish.conftest import build_database

    path = directory / "hostile.db"
    build_database(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", default="flood,printf,rows,slow")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        db = args.db or fixture_database(directory)
        scenarios = [("flood", flood), ("printf", printf_bypass), ("rows", huge_rows)]
        for name, scenario in scenarios:
            if name not in wanted:
                continue
            server = Server(args.python, db, directory / f"{name}.log")
            try:
                out[name] = scenario(server)
            finally:
                server.close()
            print(name, json.dumps(out[name]), file=sys.stderr)
        if "slow" in wanted:
            server = Server(args.python, db, directory / "slow.log", nofile=1024)
            try:
                out["slow"] = slow_clients(server)
            finally:
                server.close()
            print("slow", json.dumps(out["slow"]), file=sys.stderr)
    os.sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
