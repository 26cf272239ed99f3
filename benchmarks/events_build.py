"""CPU time of a full events build (``update_events(full=True)``), with and without the common date forms
read apart from dateparser (``graph/events/date_forms.py``), on the same database in the same run.

Each build runs in a fresh process on its own copy of the database (cold caches, as a real run), first with
dateparser throughout (``dates.FAST_FORMS = False``, the old path), then with the fast path; the script prints
the CPU seconds of each, the ratio new/old, the stage timings, and checks that both builds wrote the same
rows in every events table (the fast path must change no result; it exits 1 if they differ).

    python benchmarks/events_build.py                     # synthetic 1,000-article database (cached)
    python benchmarks/events_build.py --articles 10000
    python benchmarks/events_build.py --db some.db        # an existing database (copied, never changed)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TABLES = {
    "events": "SELECT * FROM events ORDER BY id",
    "event_claims": "SELECT * FROM event_claims ORDER BY claim_id",
    "event_reports": "SELECT * FROM event_reports ORDER BY 1, 2",
    "event_parties": "SELECT * FROM event_parties ORDER BY 1, 2, 3",
    "event_threads": "SELECT * FROM event_threads ORDER BY 1",
    "threads": "SELECT * FROM threads ORDER BY 1",
    "thread_links": "SELECT * FROM thread_links ORDER BY 1, 2, 3",
    "article_stories": "SELECT * FROM article_stories ORDER BY 1",
    "story_links": "SELECT * FROM story_links ORDER BY 1, 2",
}
# Columns that hold the time of the build, not its result.
CLOCK_COLUMNS = {"updated_at", "created_at", "changed_at", "built_at"}


def build(path: str, fast: bool) -> dict:
    """One full events build on ``path`` in this process: CPU seconds, timings and a digest per table."""
    import time

    import aiwatch.graph.events.dates as dates
    from aiwatch.graph.events.pipeline import update_events

    from aiwatch.db import connect

    dates.FAST_FORMS = fast
    conn = connect(path)
    conn.execute("SELECT 1").fetchone()
    began = time.process_time()
    stats = update_events(conn, full=True)
    cpu = time.process_time() - began
    digests = {}
    for table, sql in TABLES.items():
        cur = conn.execute(sql)
        keep = [i for i, d in enumerate(cur.description) if d[0] not in CLOCK_COLUMNS]
        rows = [tuple(row[i] for i in keep) for row in cur]
        digests[table] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16]]
    conn.close()
    return {"cpu": round(cpu, 2), "seconds": stats.seconds, "claims": stats.claims, "events": stats.events,
            "timings": {k: round(v, 2) for k, v in stats.timings.items()}, "tables": digests}


def run_child(source: Path, work: Path, fast: bool) -> dict:
    copy = work / f"events_{'new' if fast else 'old'}.db"
    shutil.copyfile(source, copy)
    out = subprocess.run([sys.executable, __file__, "--child", str(copy), "--fast" if fast else "--old"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="size of the synthetic database")
    parser.add_argument("--db", type=Path, help="an existing database to time instead (copied)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "aiwatch-scale")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--fast", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--old", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(build(args.child, fast=args.fast)))
        return 0
    if args.db:
        source = args.db
    else:
        import synth

        source = synth.cached_db(args.cache_dir, args.articles, log=lambda m: print(m, file=sys.stderr))
    with tempfile.TemporaryDirectory() as tmp:
        old = run_child(source, Path(tmp), fast=False)
        new = run_child(source, Path(tmp), fast=True)
    print(f"database: {source} ({new['claims']} claims, {new['events']} events)")
    for name, result in (("dateparser throughout (old)", old), ("common forms apart (new)", new)):
        print(f"  {name:<28} CPU {result['cpu']:>7.2f} s   stages {result['timings']}")
    print(f"  ratio new/old CPU: {new['cpu'] / old['cpu']:.2f} ({old['cpu'] / new['cpu']:.1f}x faster)")
    differ = [t for t in TABLES if old["tables"][t] != new["tables"][t]]
    print("  results identical in every events table" if not differ else f"  RESULTS DIFFER in {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
