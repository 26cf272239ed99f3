"""Operations test kit: ``aiwatch update`` as a real subprocess over the bundled sample site on 127.0.0.1.

Fixtures:

* ``sample_url``: base URL of the sample site, served once per session (one port, so URLs and digests match
  across every database of the session);
* ``ops``: an :class:`Ops` helper to start ``aiwatch update`` (own process group, fast crawl settings, output
  in files), check a database's integrity and compute its content digest over natural keys;
* ``reference``: one uninterrupted update into a fresh database, with its digest and stage timings.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FAST_SETTINGS = {"AIWATCH_DOWNLOAD_DELAY": "0", "AIWATCH_AUTOTHROTTLE": "false"}
RUN_TIMEOUT = 180
# The console script, run by this interpreter (same environment as the tests).
AIWATCH = [sys.executable, "-c", "import sys; from aiwatch.cli import main; sys.argv[0] = 'aiwatch'; main()"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without ``AIWATCH_*`` variables, plus fast crawl settings and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(FAST_SETTINGS)
    env.update(extra)
    return env


@dataclass
class Update:
    """A running or finished ``aiwatch update`` subprocess."""

    proc: subprocess.Popen[bytes]
    out: Path
    err: Path
    started: float

    def wait(self, timeout: float = RUN_TIMEOUT) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the whole process group (the update and its crawl child)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    @property
    def output(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")


_SEQ = iter(range(1_000_000))


class Ops:
    """Start updates, read run rows, check integrity and digest content."""

    def __init__(self, workdir: Path, sample_url: str) -> None:
        self.workdir = workdir
        self.sample_url = sample_url

    @property
    def feed(self) -> str:
        return f"{self.sample_url}/feed.xml"

    def start(self, db: Path, *args: str, env: dict[str, str] | None = None, quiet: bool = False) -> Update:
        """Start ``aiwatch --db DB [-q] update ARGS`` (default: the sample site's feed) in its own session."""
        n = next(_SEQ)
        out, err = self.workdir / f"update{n}.out", self.workdir / f"update{n}.err"
        cmd = [*AIWATCH, "--db", str(db), *(["-q"] if quiet else []), "update",
               *(args or ("--feed", self.feed))]
        with out.open("wb") as fo, err.open("wb") as fe:
            proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=env or clean_env(), cwd=self.workdir,
                                    start_new_session=True)
        return Update(proc, out, err, time.monotonic())

    def run(self, db: Path, *args: str, env: dict[str, str] | None = None,
            quiet: bool = False) -> tuple[int, str]:
        """Run an update to the end; returns (exit status, stdout+stderr)."""
        upd = self.start(db, *args, env=env, quiet=quiet)
        return upd.wait(), upd.output


def last_run(db: Path) -> dict[str, Any] | None:
    """The latest ``update`` row of ``runs`` (stats decoded), or None; opened read-only."""
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT id, status, stats, error, finished_at FROM runs WHERE command = 'update' "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # schema not created yet
        return None
    finally:
        conn.close()
    if row is None:
        return None
    return {"id": row[0], "status": row[1], "stats": json.loads(row[2] or "{}"), "error": row[3],
            "finished_at": row[4]}


def integrity_problems(db: Path) -> list[str]:
    """What is wrong with the database: integrity check, foreign keys, dangling rows ([] when sound)."""
    conn = sqlite3.connect(db)
    try:
        problems = []
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            problems.append(f"integrity_check: {check[:5]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        queries = {
            "mentions without article": "SELECT count(*) FROM mentions m LEFT JOIN articles a "
                                        "ON a.id = m.article_id WHERE a.id IS NULL",
            "claims without article": "SELECT count(*) FROM claims c LEFT JOIN articles a "
                                      "ON a.id = c.article_id WHERE a.id IS NULL",
            "raw_pages without article": "SELECT count(*) FROM raw_pages r LEFT JOIN articles a ON "
                                         "a.id = r.article_id WHERE r.article_id IS NOT NULL "
                                         "AND a.id IS NULL",
            "edges without nodes": "SELECT count(*) FROM graph_edges e WHERE e.source_id NOT IN "
                                   "(SELECT entity_id FROM graph_nodes) OR e.target_id NOT IN "
                                   "(SELECT entity_id FROM graph_nodes)",
            "edges without entities": "SELECT count(*) FROM graph_edges e WHERE e.source_id NOT IN "
                                      "(SELECT id FROM entities) OR e.target_id NOT IN "
                                      "(SELECT id FROM entities)",
            "nodes without entities": "SELECT count(*) FROM graph_nodes WHERE entity_id NOT IN "
                                      "(SELECT id FROM entities)",
        }
        for name, sql in queries.items():
            n = conn.execute(sql).fetchone()[0]
            if n:
                problems.append(f"{n} {name}")
        return problems
    finally:
        conn.close()


def _r(value: Any) -> Any:
    return round(value, 9) if isinstance(value, float) else value


def content(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The database's content over natural keys: no timestamps of fetching, run ids or autoincrement ids."""
    conn = sqlite3.connect(db)
    try:
        url_of = dict(conn.execute("SELECT id, url FROM articles"))
        claim_key = {cid: (url_of.get(aid), s, e, kind, verb) for cid, aid, s, e, kind, verb in conn.execute(
            "SELECT id, article_id, start_char, end_char, kind, verb FROM claims")}
        tables: dict[str, list[tuple[Any, ...]]] = {}
        tables["articles"] = [(*row, url_of.get(dup)) for *row, dup in conn.execute(
            "SELECT url, title, text, published, topics, duplicate_of FROM articles")]
        tables["entities"] = conn.execute(
            "SELECT id, name, type, wikidata, description FROM entities").fetchall()
        tables["mentions"] = [(url_of.get(aid), *rest) for aid, *rest in conn.execute(
            "SELECT article_id, entity_id, text, start_char, end_char, sentence FROM mentions")]
        tables["claims"] = [(url_of.get(aid), *rest) for aid, *rest in conn.execute(
            "SELECT article_id, speaker_id, verb, kind, target_id, content, sentence, is_quote, start_char, "
            "end_char, confidence, topic, negated FROM claims")]
        tables["graph_nodes"] = [tuple(_r(v) for v in row) for row in conn.execute(
            "SELECT entity_id, degree, pagerank, betweenness, community, article_count, first_seen, "
            "last_seen FROM graph_nodes")]
        edges = []
        for src, dst, kind, weight, first, last, evidence in conn.execute(
                "SELECT source_id, target_id, kind, weight, first_seen, last_seen, evidence "
                "FROM graph_edges"):
            ids = json.loads(evidence or "[]")
            keys = [url_of.get(i) if kind == "co_mention" else claim_key.get(i) for i in ids]
            edges.append((src, dst, kind, _r(weight), first, last, json.dumps(sorted(map(str, keys)))))
        tables["graph_edges"] = edges
        return {name: sorted(rows, key=repr) for name, rows in tables.items()}
    finally:
        conn.close()


def digest(db: Path) -> str:
    """SHA-256 over :func:`content`."""
    return hashlib.sha256(repr(content(db)).encode()).hexdigest()


def diff_content(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> str:
    """A short description of how two :func:`content` results differ ('' when equal)."""
    lines = []
    for table in a:
        only_a = set(a[table]) - set(b.get(table, []))
        only_b = set(b.get(table, [])) - set(a[table])
        if only_a or only_b:
            lines.append(f"{table}: {len(only_a)} rows only in first, {len(only_b)} only in second; "
                         f"e.g. {sorted(only_a, key=repr)[:1]} / {sorted(only_b, key=repr)[:1]}")
    return "\n".join(lines)


Ops.last_run = staticmethod(last_run)  # type: ignore[attr-defined]
Ops.integrity_problems = staticmethod(integrity_problems)  # type: ignore[attr-defined]
Ops.content = staticmethod(content)  # type: ignore[attr-defined]
Ops.digest = staticmethod(digest)  # type: ignore[attr-defined]
Ops.diff_content = staticmethod(diff_content)  # type: ignore[attr-defined]
Ops.clean_env = staticmethod(clean_env)  # type: ignore[attr-defined]


@dataclass
class Reference:
    """An uninterrupted update: its database, content, wall time and per-stage seconds."""

    db: Path
    content: dict[str, list[tuple[Any, ...]]]
    seconds: float
    stage_seconds: dict[str, float]


@pytest.fixture(scope="session")
def sample_url() -> Iterator[str]:
    from aiwatch.crawler.sample_site import serve

    with serve() as base_url:
        yield base_url


@pytest.fixture
def ops(tmp_path: Path, sample_url: str) -> Ops:
    return Ops(tmp_path, sample_url)


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory, sample_url: str) -> Reference:
    workdir = tmp_path_factory.mktemp("reference")
    db = workdir / "reference.db"
    kit = Ops(workdir, sample_url)
    upd = kit.start(db)
    code = upd.wait()
    seconds = time.monotonic() - upd.started
    assert code == 0, upd.output[-3000:]
    run = last_run(db)
    assert run and run["status"] == "ok", run
    stats = run["stats"]
    stages = {"crawl": float(stats["crawl"]["elapsed"]), "extract": float(stats["extract"]["seconds"]),
              "graph": float(stats["graph"]["seconds"])}
    return Reference(db, content(db), seconds, stages)
