"""Page load times in headless Chromium over a database built by ``aiwatch demo --no-serve``.

Starts a real ``aiwatch serve`` on a free loopback port and opens each page people read (overview, an entity
page, the accusations view, the latest claims) in Debian's Chromium; each figure is the median over
``--repeat`` loads (after one warm-up) of the navigation's load event, with the page's height in pixels and
its HTML size. Prints a table, then one JSON line.

    python benchmarks/page_load.py --db aiwatch.db
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request

PAGES = {
    "overview": "-/aiwatch/overview",
    "entity_page": "-/aiwatch/entity/deepseek",
    "accusations_view": "aiwatch/accusations",
    "latest_claims": "aiwatch/latest_claims",
}


def serve(db: str) -> tuple[subprocess.Popen, str]:
    """``aiwatch serve`` on a free port; returns (process, base URL) once it answers."""
    command = [sys.executable, "-c", "from aiwatch.cli import main; main()", "--db", db, "serve",
               "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"serve did not start: {line}")
    url = match.group(1)
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "-/versions.json", timeout=5).read()
            break
        except OSError:
            time.sleep(0.1)
    return proc, url


def measure(url: str, repeat: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path in PAGES.items():
            times = []
            for i in range(repeat + 1):
                page.goto(url + path, wait_until="load")
                ms = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                                   " return n.loadEventEnd - n.startTime; }")
                if i:
                    times.append(ms)
            height = page.evaluate("() => document.documentElement.scrollHeight")
            size = len(page.content().encode())
            results[name] = {"ms": round(statistics.median(times), 1), "height_px": height, "html_kb":
                             round(size / 1024, 1)}
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database built by aiwatch demo --no-serve")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    proc, url = serve(args.db)
    try:
        results = measure(url, args.repeat)
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"{'page':<18}{'load ms':>9}{'height px':>11}{'HTML KB':>9}")
    for name, r in results.items():
        print(f"{name:<18}{r['ms']:>9}{r['height_px']:>11}{r['html_kb']:>9}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
