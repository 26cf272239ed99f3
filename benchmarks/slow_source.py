"""Hourly ``aiwatch update`` runs with a slow source present (issue 18, point 7): articles extracted per run.

    python benchmarks/slow_source.py [--python PYTHON] [--runs 3] [--minutes 1] [--slow 30] [--fast 30]

Serves a synthetic site on 127.0.0.1 (``benchmarks/synth.py`` articles) whose feed lists ``--fast`` articles
answered at once and ``--slow`` articles that answer after 45 s (past the 30 s download timeout), then runs
``aiwatch update --max-minutes M --feed ...`` ``--runs`` times into one database, as cron would, and prints
per run: exit status, seconds, articles stored in total, articles extracted by the run, graph edges. The
last line is a JSON object with the same. ``--python`` runs ``aiwatch`` with another interpreter (an older
checkout's venv), so before and after figures come from the same script and site.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

SLOW_SECONDS = 45.0


class Handler(BaseHTTPRequestHandler):
    """The sample site's static serving (``{{BASE_URL}}`` substituted), with some paths answering late."""

    root: Path
    base: str = ""
    slow_paths: frozenset[str] = frozenset()

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        from aiwatch.crawler.sample_site.server import content_type, render, resolve

        if self.path.split("?")[0] in self.slow_paths:
            time.sleep(SLOW_SECONDS)
        found = resolve(self.root, self.path)
        try:
            if found is None:
                self.send_error(404)
                return
            body = render(found, self.base)
            self.send_response(200)
            self.send_header("Content-Type", content_type(found))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


def serve(root: Path, slow: set[str]) -> tuple[ThreadingHTTPServer, str]:
    handler = type("SlowHandler", (Handler,), {"slow_paths": frozenset(slow), "root": root})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    handler.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.base


def run_update(python: str, db: Path, feeds: list[str], minutes: float, workdir: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "AIWATCH_CONFIG": ""}
    start = time.monotonic()
    done = subprocess.run([python, "-c", "from aiwatch.cli import main; main()", "--db", str(db), "-q",
                           "update", "--max-minutes", str(minutes), *(f"--feed={f}" for f in feeds)],
                          capture_output=True, text=True, env=env, cwd=workdir, timeout=minutes * 60 + 300)
    seconds = time.monotonic() - start
    conn = sqlite3.connect(db)
    try:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        extracted_total = conn.execute(
            "SELECT count(*) FROM articles WHERE extractor_version IS NOT NULL").fetchone()[0]
        edges = conn.execute("SELECT count(*) FROM graph_edges").fetchone()[0]
        row = conn.execute("SELECT status, stats FROM runs WHERE command = 'update' ORDER BY id DESC LIMIT 1"
                           ).fetchone()
    finally:
        conn.close()
    stats = json.loads(row[1] or "{}") if row else {}
    return {"exit": done.returncode, "seconds": round(seconds, 1), "status": row[0] if row else None,
            "stage_at_end": stats.get("stage"), "stored_total": stored, "extracted_total": extracted_total,
            "graph_edges": edges, "last_line": (done.stderr.strip().splitlines() or [""])[-1][:200]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--fast", type=int, default=30)
    parser.add_argument("--separate", action="store_true",
                        help="Serve the slow articles as a second site with its own feed (one slow "
                             "source beside "
                             "a good one) instead of mixing them into one feed.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        if args.separate:
            synth.build_site(root, args.fast, min_words=400, max_words=600)
            slow_root = Path(tmp) / "slow-site"
            slow_paths = synth.build_site(slow_root, args.slow, offset=args.fast, min_words=400,
                                          max_words=600)["paths"]
            servers = [serve(root, set()), serve(slow_root, set(slow_paths))]
            slow = set(slow_paths)
        else:
            paths = synth.build_site(root, args.slow + args.fast, min_words=400, max_words=600)["paths"]
            slow = set(paths[::2][: args.slow]) if args.slow else set()
            servers = [serve(root, slow)]
        feeds = [f"{base}/feed.xml" for _, base in servers]
        db = Path(tmp) / "hourly.db"
        runs = []
        extracted_before = 0
        for number in range(1, args.runs + 1):
            result = run_update(args.python, db, feeds, args.minutes, Path(tmp))
            result["extracted_by_run"] = result["extracted_total"] - extracted_before
            extracted_before = result["extracted_total"]
            runs.append(result)
            print(f"run {number}: {json.dumps(result)}", file=sys.stderr)
        for server, _ in servers:
            server.shutdown()
    print(json.dumps({"slow_links": len(slow), "fast_links": args.fast, "separate": args.separate,
                      "runs": runs}))


if __name__ == "__main__":
    main()
