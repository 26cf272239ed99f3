"""Claim events, first reports, threads and stories on the real-news set, scored against its event annotation.

Usage: ``python benchmarks/real_news_events.py [--manifest benchmarks/real_news/manifest.jsonl] [--events
benchmarks/real_news/events.jsonl] --pages DIR [--db PATH] [--errors] [--json]``.

The pages (``DIR/<id>.txt``, see ``benchmarks/real_news/README.md``) go into a fresh SQLite database the way
the crawl stores articles (topic score, fingerprints, :func:`~aiwatch.crawler.store.articles.store_article`
with the manifest's ``outlet`` and ``published``); then the real extract stage and the graph stage (which
builds events, stories and threads) run on it. Predicted claims are paired with gold claims one to one per
article by ``benchmarks/real_news.py``'s strict match (same kind, matching speaker and target), and the events
are scored over those pairs only: extraction recall is reported as coverage, not charged to the events.

* grouping: pairwise precision, recall and F1 over the matched gold claims: a pair is gold when both claims
  report the same gold event, predicted when both predicted claims are in the same stored event (a claim in
  no event is alone). Over all matched claims, over accusations, over pairs from different articles, and
  over pairs from different dated articles.
* event date: each gold event with a date and a matched claim is mapped to the stored event most of its
  matched claims are in; right when ``(event_date, date_precision)`` equal the gold ones. Split by the gold
  ``date_basis`` (``text``: a report's text dates it; ``first_report``: news of the day, undated).
* first report: for each mapped gold event whose matched reports include a dated article, the stored
  ``first_article_id`` must be one of the earliest dated of those reports (the articles the event can know).
* thread links: each stored link's two events are mapped to gold events by a majority of their matched claims;
  a link between two mapped events is right when the gold thread of the first lists the second (strict:
  ``answers``; lenient: ``answers`` or ``related``); a link joining two parts of one gold event is wrong.
  Links with an unmapped end are counted, not scored. Recall: gold links whose two events are both mapped.
* stories: pairs of articles in one stored story against the manifest's ``story`` ids.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import real_news as rn  # noqa: E402
from aiwatch.crawler.items import PageItem  # noqa: E402
from aiwatch.crawler.pipelines.fingerprint import fingerprint_item  # noqa: E402
from aiwatch.crawler.pipelines.topics import score_item  # noqa: E402
from aiwatch.crawler.store.articles import load_simhash_index, store_article  # noqa: E402
from aiwatch.extract import kb  # noqa: E402
from aiwatch.extract.runner import run_extract  # noqa: E402
from aiwatch.graph.events.pipeline import EventSettings  # noqa: E402
from aiwatch.graph.pipeline import update_graph  # noqa: E402

from aiwatch.config import load_config  # noqa: E402
from aiwatch.db import connect, transaction  # noqa: E402

HERE = Path(__file__).resolve().parent / "real_news"


@dataclass(frozen=True)
class GoldEvent:
    id: str
    kind: str
    event_date: str | None
    precision: str | None
    basis: str | None
    links: dict[str, str]  # later event -> strength


@dataclass
class Pairs:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, same_gold: bool, same_pred: bool) -> None:
        self.tp += same_gold and same_pred
        self.predicted += same_pred
        self.gold += same_gold

    def figures(self) -> dict[str, float | int | None]:
        p = self.tp / self.predicted if self.predicted else None
        r = self.tp / self.gold if self.gold else None
        f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else None
        return {"precision": p, "recall": r, "f1": f, "tp": self.tp, "predicted": self.predicted,
                "gold": self.gold}


@dataclass
class Report:
    articles: int = 0
    gold_claims: int = 0
    predicted_claims: int = 0
    matched: rn.Ratio = field(default_factory=rn.Ratio)
    gold_events: int = 0
    events_covered: rn.Ratio = field(default_factory=rn.Ratio)
    grouping: Pairs = field(default_factory=Pairs)
    grouping_accusations: Pairs = field(default_factory=Pairs)
    grouping_cross_article: Pairs = field(default_factory=Pairs)
    grouping_cross_dated: Pairs = field(default_factory=Pairs)
    date_accuracy: rn.Ratio = field(default_factory=rn.Ratio)
    date_accuracy_text: rn.Ratio = field(default_factory=rn.Ratio)
    date_accuracy_first_report: rn.Ratio = field(default_factory=rn.Ratio)
    first_report_accuracy: rn.Ratio = field(default_factory=rn.Ratio)
    first_report_accuracy_multi: rn.Ratio = field(default_factory=rn.Ratio)
    thread_links: int = 0
    thread_links_unscored: int = 0
    thread_link_precision_strict: rn.Ratio = field(default_factory=rn.Ratio)
    thread_link_precision_lenient: rn.Ratio = field(default_factory=rn.Ratio)
    thread_link_recall_lenient: rn.Ratio = field(default_factory=rn.Ratio)
    stories: Pairs = field(default_factory=Pairs)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {}
        for name, value in vars(self).items():
            if isinstance(value, rn.Ratio):
                out[name] = {"value": value.value, "k": value.k, "n": value.n}
            elif isinstance(value, Pairs):
                out[name] = value.figures()
            else:
                out[name] = value
        return out


# --- loading ---------------------------------------------------------------------------------------------


def load_rows(paths: Iterable[Path]) -> dict[str, dict]:
    """Raw manifest rows by id (the event fields :func:`real_news.load_manifests` does not keep)."""
    rows: dict[str, dict] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def load_events(path: Path) -> dict[str, GoldEvent]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            out[e["event"]] = GoldEvent(e["event"], e["kind"], e.get("event_date"), e.get("precision"),
                                        e.get("date_basis"), {x["event"]: x["strength"] for x in e["links"]})
    return out


# --- the pipeline ----------------------------------------------------------------------------------------


def store_pages(conn: sqlite3.Connection, pairs: list[tuple[rn.Article, str]], rows: dict[str, dict]
                ) -> dict[str, int]:
    """Store every page as the crawl would (topics, fingerprints, duplicates); manifest id -> article id."""
    index = load_simhash_index(conn, max_distance=load_config().near_duplicate_distance)
    ids = {}
    with transaction(conn):
        for article, text in pairs:
            row = rows[article.id]
            item = PageItem(url=row["url"], seen_key=row["url"], response_url=row["url"], status=200,
                            headers={}, body=text.encode("utf-8"), content_type="text/plain; charset=utf-8",
                            outlet=row.get("outlet"), published=row.get("published"),
                            date_source="markup" if row.get("published") else "none", text=text,
                            language="en", word_count=len(text.split()))
            item = fingerprint_item(score_item(item, 0.0))
            ids[article.id] = store_article(conn, item, index).article_id
    return ids


def run_pipeline(conn: sqlite3.Connection, pairs, rows, report: Report) -> dict[str, int]:
    config = load_config()
    mark = time.perf_counter()
    ids = store_pages(conn, pairs, rows)
    report.seconds["store"] = round(time.perf_counter() - mark, 2)
    mark = time.perf_counter()
    run_extract(conn, entities=kb.load_kb(), batch_size=8)
    report.seconds["extract"] = round(time.perf_counter() - mark, 2)
    mark = time.perf_counter()
    update_graph(conn, betweenness_k=config.graph_betweenness_k, seed=config.graph_seed,
                 events=EventSettings.from_config(config))
    report.seconds["graph_and_events"] = round(time.perf_counter() - mark, 2)
    return ids


# --- matching --------------------------------------------------------------------------------------------


def predicted_claims(conn: sqlite3.Connection, article_id: int) -> list[tuple[int, rn.Predicted]]:
    rows = conn.execute(
        "SELECT id, speaker_id, speaker_text, speaker_kind, kind, target_id, target_text, sentence "
        "FROM claims WHERE article_id = ? AND negated = 0 ORDER BY start_char, id", (article_id,)).fetchall()
    return [(r[0], rn.Predicted(*r[1:])) for r in rows]


def match(article: rn.Article, preds: list[rn.Predicted], aliases) -> dict[int, int]:
    """Gold claim index -> predicted index: ``real_news``'s strict one-to-one pairing."""

    def strict(p: rn.Predicted, g: rn.GoldClaim) -> int:
        if p.kind != g.kind or not (s := rn.speaker_match(p, g, aliases)):
            return 0
        t = rn.target_match(p, g, aliases, empty_ok=g.target is None)
        return s + t if t else 0

    return rn.one_to_one(preds, article.claims, strict)


# --- scoring ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A matched gold claim: its article, gold event and kind; the stored claim it was paired with and the
    stored event that claim is in."""

    article: str
    gold_event: str
    kind: str
    claim_id: int
    event_id: int | None


def score(conn: sqlite3.Connection, pairs, rows: dict[str, dict], events: dict[str, GoldEvent],
          ids: dict[str, int], entities, report: Report, errors: list[str]) -> None:
    aliases = {e.id: frozenset(rn.norm(a) for a in e.all_aliases()) for e in entities}
    event_of_claim = dict(conn.execute("SELECT claim_id, event_id FROM event_claims"))
    items: list[Item] = []
    covered: set[str] = set()
    for article, _ in pairs:
        raw = rows[article.id]["claims"]
        preds = predicted_claims(conn, ids[article.id])
        found = match(article, [p for _, p in preds], aliases)
        report.articles += 1
        report.gold_claims += len(article.claims)
        report.predicted_claims += len(preds)
        report.matched.add(len(found), len(article.claims))
        for j, i in sorted(found.items()):
            claim_id = preds[i][0]
            items.append(Item(article.id, raw[j]["event"], raw[j]["kind"], claim_id,
                              event_of_claim.get(claim_id)))
            covered.add(raw[j]["event"])
    report.gold_events = len(events)
    report.events_covered.add(len(covered & set(events)), len(events))

    # Grouping: pairs of matched gold claims.
    for a, b in combinations(items, 2):
        same_gold = a.gold_event == b.gold_event
        same_pred = a.event_id is not None and a.event_id == b.event_id
        report.grouping.add(same_gold, same_pred)
        if a.kind == b.kind == "accusation":
            report.grouping_accusations.add(same_gold, same_pred)
        if a.article != b.article:
            report.grouping_cross_article.add(same_gold, same_pred)
            if rows[a.article].get("published") and rows[b.article].get("published"):
                report.grouping_cross_dated.add(same_gold, same_pred)
        if same_gold != same_pred and a.article != b.article and "accusation" in (a.kind, b.kind):
            errors.append(f"grouping {'split' if same_gold else 'merged'}: {a.article} {a.gold_event} "
                          f"(event {a.event_id}) / {b.article} {b.gold_event} (event {b.event_id})")

    # Gold event -> stored event (most of its matched claims), stored event -> gold event.
    votes: dict[str, Counter] = defaultdict(Counter)
    back: dict[int, Counter] = defaultdict(Counter)
    reports: dict[str, set[str]] = defaultdict(set)
    for item in items:
        reports[item.gold_event].add(item.article)
        if item.event_id is not None:
            votes[item.gold_event][item.event_id] += 1
            back[item.event_id][item.gold_event] += 1
    mapped = {g: c.most_common(1)[0][0] for g, c in votes.items()}
    gold_of = {e: c.most_common(1)[0][0] for e, c in back.items()}
    stored = {r[0]: r[1:] for r in conn.execute(
        "SELECT id, event_date, date_precision, date_source, date_expression, first_article_id FROM events")}
    by_article = {v: k for k, v in ids.items()}
    published = {k: rows[k].get("published") for k in ids}

    for gold_id, event in sorted(events.items()):
        if gold_id not in mapped:
            continue
        value, precision, source, expression, first = stored[mapped[gold_id]]
        if event.event_date is not None:
            ok = (value, precision) == (event.event_date, event.precision)
            report.date_accuracy.add(ok, 1)
            text_dated = event.basis == "text"
            (report.date_accuracy_text if text_dated else report.date_accuracy_first_report).add(ok, 1)
            if not ok:
                errors.append(f"date {gold_id}: stored {value} {precision} ({source}: {expression!r}), gold "
                              f"{event.event_date} {event.precision} ({event.basis})")
        dated = sorted((published[a], a) for a in reports[gold_id] if published[a])
        if dated:
            earliest = {a for day, a in dated if day[:10] == dated[0][0][:10]}
            ok = by_article.get(first) in earliest
            report.first_report_accuracy.add(ok, 1)
            if len(reports[gold_id]) > 1:
                report.first_report_accuracy_multi.add(ok, 1)
            if not ok:
                errors.append(f"first report {gold_id}: stored {by_article.get(first)}, "
                              f"gold {sorted(earliest)}")

    # Thread links.
    for thread_id, event_id, relation, reason in conn.execute(
            "SELECT thread_id, event_id, relation, reason FROM thread_links ORDER BY thread_id, event_id"):
        report.thread_links += 1
        head, follower = gold_of.get(thread_id), gold_of.get(event_id)
        if head is None or follower is None:
            report.thread_links_unscored += 1
            continue
        strength = events[head].links.get(follower) if head in events else None
        report.thread_link_precision_strict.add(strength == "answers", 1)
        report.thread_link_precision_lenient.add(strength is not None, 1)
        if strength != "answers":
            errors.append(f"thread link {relation} {head} -> {follower} ({strength or 'not gold'}): {reason}")
    found = {(gold_of.get(t), gold_of.get(e))
             for t, e in conn.execute("SELECT thread_id, event_id FROM thread_links")}
    for head, event in sorted(events.items()):
        for follower in sorted(event.links):
            if head in mapped and follower in mapped:
                ok = (head, follower) in found
                report.thread_link_recall_lenient.add(ok, 1)
                if not ok:
                    errors.append(f"thread link missed: {head} -> {follower} ({event.links[follower]})")

    # Stories.
    story_of = {by_article[a]: s for a, s in conn.execute("SELECT article_id, story_id FROM article_stories")
                if a in by_article}
    for a, b in combinations(sorted(story_of), 2):
        gold_a, gold_b = rows[a].get("story"), rows[b].get("story")
        same_gold = gold_a is not None and gold_a == gold_b
        same_pred = story_of[a] == story_of[b]
        report.stories.add(same_gold, same_pred)
        if same_pred and not same_gold:
            errors.append(f"story merged: {a} / {b}")


def format_report(r: Report) -> str:
    def pairs(p: Pairs) -> str:
        f = p.figures()
        show = (lambda v: f"{v:.3f}" if v is not None else "n/a")  # noqa: E731
        return (f"P {show(f['precision'])} R {show(f['recall'])} F1 {show(f['f1'])} "
                f"({p.tp} right of {p.predicted} predicted, {p.gold} gold pairs)")

    return "\n".join([
        f"{r.articles} articles, {r.gold_claims} gold claims, {r.predicted_claims} predicted, "
        f"{r.gold_events} gold events; seconds {r.seconds}",
        f"  claims matched (coverage)        {r.matched}",
        f"  gold events with a match         {r.events_covered}",
        f"  grouping, all matched claims     {pairs(r.grouping)}",
        f"  grouping, accusations            {pairs(r.grouping_accusations)}",
        f"  grouping, across articles        {pairs(r.grouping_cross_article)}",
        f"    both articles dated            {pairs(r.grouping_cross_dated)}",
        f"  event-date accuracy              {r.date_accuracy}",
        f"    dated by a report's text       {r.date_accuracy_text}",
        f"    news of the day (first report) {r.date_accuracy_first_report}",
        f"  first-report accuracy            {r.first_report_accuracy}",
        f"    events in several articles     {r.first_report_accuracy_multi}",
        f"  thread links stored              {r.thread_links} "
        f"({r.thread_links_unscored} with an unmapped end)",
        f"  thread-link precision strict     {r.thread_link_precision_strict}",
        f"  thread-link precision lenient    {r.thread_link_precision_lenient}",
        f"  thread-link recall (lenient)     {r.thread_link_recall_lenient}",
        f"  story pairs                      {pairs(r.stories)}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, action="append", help="gold JSONL (repeat)")
    parser.add_argument("--events", type=Path, default=HERE / "events.jsonl", help="gold events JSONL")
    parser.add_argument("--pages", type=Path, required=True, help="folder of <id>.txt page texts")
    parser.add_argument("--db", type=Path, help="database to build (a fresh file; default: a temp dir)")
    parser.add_argument("--errors", action="store_true", help="list the disagreements")
    parser.add_argument("--json", action="store_true", help="print one JSON line of all figures")
    args = parser.parse_args()
    manifests = args.manifest or [HERE / "manifest.jsonl"]
    rows = load_rows(manifests)
    events = load_events(args.events)
    pairs = rn.read_pages(rn.load_manifests(manifests), args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "real_news.db"
        if path.exists():
            sys.exit(f"error: {path} exists; give a new file")
        conn = connect(path)
        report = Report()
        ids = run_pipeline(conn, pairs, rows, report)
        errors: list[str] = []
        score(conn, pairs, rows, events, ids, kb.load_kb(), report, errors)
        conn.close()
    print(json.dumps(report.as_dict(), sort_keys=True) if args.json else format_report(report))
    if args.errors:
        print("\n".join(errors), file=sys.stderr if args.json else sys.stdout)


if __name__ == "__main__":
    main()
