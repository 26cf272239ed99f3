"""Synthetic corpus for the scale benchmarks: article text, a servable sample-style site, a ready database.

Sentences come from a bank of templates written for aiwatch with slots for entities of the two disputes
(``{lab}``, ``{gov}``, ``{chip}`` ...), filled from the curated knowledge base, so the extractor finds real
entities and attributions. One generator feeds both benchmarks:

* :func:`build_site` renders N articles of 500-1,500 words through the sample site's outlet templates
  (``aiwatch.crawler.sample_site.outlets``) with an RSS feed and a sitemap; :func:`serve_site` serves it on
  127.0.0.1.
* :func:`generate_db` writes a database of N articles directly (rows, no crawl): ~600 words of text,
  ~15 mentions with real offsets and ~1.5 claims per article, a few thousand entities, graph tables, and every
  article stamped as extracted by the current extractor version (so an update only processes new work).
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2
OUTLET_KEYS = ("circuit", "dispatch", "meridian", "halvard", "straits", "gazette")
SECTION_OF = {"circuit": "/tech/", "dispatch": "/policy/", "meridian": "/wire/", "halvard": "/newsroom/",
              "straits": "/blog/", "gazette": "/local/"}
START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)

# Claim templates: (kind, verb lemma, text). {S} is the speaker, {T} the target, other slots are context.
CLAIM_TEMPLATES: list[tuple[str, str, str]] = [
    ("accusation", "accuse", "{S} accused {T} of using outputs from {model} to train a rival system."),
    ("accusation", "accuse", "In a letter to lawmakers, {S} accused {T} of distilling its models at scale."),
    ("accusation", "allege", "{S} alleged that {T} had harvested millions of answers from {model} through "
                             "fraudulent accounts."),
    ("accusation", "accuse", "{S} has accused {T} of smuggling {chip} accelerators through {country}."),
    ("accusation", "allege", "Officials at {S} alleged that {T} broke the terms of service by copying "
                             "reasoning traces."),
    ("denial", "deny", "{S} denied that it had trained on data taken from {T}."),
    ("denial", "reject", "{S} rejected the claims made by {T} as groundless and politically motivated."),
    ("denial", "deny", "A spokesperson for {S} denied any wrongdoing and said its models were built "
                       "independently."),
    ("statement", "say", "{S} said the dispute with {T} showed how hard it is to police model outputs."),
    ("statement", "warn", "{S} warned that the rules would push buyers in {country} towards {chip2}."),
    ("statement", "say", "\"We will keep shipping to every customer the law allows,\" {S} said on Tuesday."),
    ("statement", "argue", "{S} argued that the {policy} had failed to slow progress at {T}."),
    ("policy_action", "restrict", "{S} restricted exports of {chip} to {country} under the {policy}."),
    ("policy_action", "add", "{S} added {T} to the Entity List, cutting it off from American tooling."),
    ("policy_action", "ban", "{S} banned the sale of {chip} accelerators to customers in {country}."),
    ("policy_action", "impose", "{S} imposed new licence requirements on {chip} and high-bandwidth memory."),
    ("announcement", "announce", "{S} announced a new detection system to block distillation of {model}."),
    ("announcement", "launch", "{S} launched an investigation into purchases of {chip} by {T}."),
    ("announcement", "unveil", "{S} unveiled {model2}, saying it was trained on domestic hardware."),
]
# Context sentences: entities but no attribution.
CONTEXT_TEMPLATES: list[str] = [
    "{lab} released {model} earlier this year, and its benchmark scores surprised analysts.",
    "Shipments of {chip} to {country} rose sharply before the new rules took effect.",
    "The {policy} covers advanced accelerators as well as the memory stacked beside them.",
    "Engineers at {co} have spent months redesigning boards around the {chip}.",
    "{person} met executives from {co} in Washington last week.",
    "Researchers compared answers from {model} and {model2} on thousands of prompts.",
    "Demand for {chip} in {country} has outstripped supply for most of the year.",
    "{gov} has published several rounds of guidance on cloud access to restricted chips.",
    "Both {lab} and {lab2} have tightened rate limits on their programming interfaces.",
    "Analysts at {org} estimate that the rule affects several billion dollars of annual sales.",
    "The talks between {country} and {country2} touched on semiconductors only briefly.",
    "{co} reported quarterly revenue ahead of expectations despite the restrictions.",
]
# Filler sentences: no entities, realistic length, vocabulary of the two disputes.
FILLER: list[str] = [
    "The practice, known as distillation, lets a smaller model learn from the answers of a larger one.",
    "Lawyers say the terms of service of most chat products forbid using outputs to build competitors.",
    "Export licences for advanced accelerators are reviewed case by case, which can take many months.",
    "Some buyers rent computing power in overseas data centres rather than importing the hardware.",
    "The restrictions apply to chips above a performance threshold measured in total processing power.",
    "Industry groups have asked for clearer definitions and longer notice before rules change.",
    "Tracking how a model was trained is difficult when the training data is never published.",
    "Smuggling cases usually involve shell companies and servers routed through third countries.",
    "Critics argue that the controls encourage domestic chip makers to close the gap faster.",
    "Supporters say the rules buy time while allies align their own licensing systems.",
    "Memory bandwidth has become as important as raw compute for training large systems.",
    "Several start-ups now sell tools that watermark model outputs or detect automated scraping.",
    "The debate has moved from trade lawyers to engineers, who must build the compliance checks.",
    "Prices for second-hand accelerators have swung widely as each new rule was announced.",
    "Open-weight releases complicate enforcement, because anyone can download and adapt them.",
    "Customs data show that server imports into some transit hubs have multiplied in two years.",
    "Investors are watching whether the disputes end up in court or are settled quietly.",
    "Universities have also been asked to review who can access their shared clusters.",
    "A typical training run now needs tens of thousands of accelerators working for weeks.",
    "Policy specialists expect further rounds of rules before the end of the year.",
    "The companies involved did not disclose how many accounts were closed.",
    "Benchmarks alone cannot show whether one system was trained on another's answers.",
    "Cloud providers must now verify where their largest customers are based.",
    "Officials said the measures were aimed at military end uses rather than ordinary commerce.",
    "Rental prices for clusters fell once new capacity came online in the spring.",
    "Several law firms now run workshops on screening customers against restricted-party lists.",
    "Engineers describe the new licensing portal as slow but workable.",
    "The threshold formula multiplies bit length by operations per second, which confuses many buyers.",
    "Distributors in the region say paperwork now takes longer than delivery itself.",
    "A handful of academic groups have published methods for spotting imitation models.",
    "Watermarks in generated text remain easy to strip, researchers have shown.",
    "The dispute has revived an old question about who owns the output of a machine.",
    "Insurance brokers have started asking technology clients about compliance audits.",
    "Hardware resellers advertise refurbished boards with vague descriptions of their origin.",
    "Inference workloads need less memory bandwidth than training, which shapes what buyers order.",
    "Some start-ups rely entirely on rented capacity and never touch the hardware they use.",
    "The cost of a frontier training run has risen roughly tenfold in three years.",
    "Compliance teams often learn about new rules from the news before official guidance arrives.",
    "Shipping manifests rarely name the final customer for server equipment.",
    "Open research papers make it hard to say where one lab's ideas end and another's begin.",
    "Trade associations warned that sudden rule changes strand inventory in warehouses.",
    "Benchmark leaderboards change so quickly that rankings are out of date within weeks.",
    "Chip packaging capacity, not wafer supply, has become the tightest part of the chain.",
    "Government buyers are drafting rules of their own for models trained abroad.",
    "Model cards seldom explain in detail which data a system learned from.",
    "Prosecutors have brought a small number of cases involving diverted servers.",
    "Analysts disagree on whether the rules slowed anyone down or merely raised costs.",
    "Power supply, rather than chips, now limits how fast some data centres can grow.",
    "Several companies have hired former trade officials to advise on licensing.",
    "Rate limits on public interfaces are a blunt tool against automated harvesting.",
    "The secondary market for accelerators is thin, opaque and priced in cash.",
    "Some customers split large orders across many small buyers to avoid attention.",
    "The terms of service of rival products differ in how they treat automated use.",
    "Industry veterans compare the situation to earlier fights over encryption exports.",
]
# Openers that give filler sentences of the served site their own dates, figures, places and people, so
# articles differ as real ones do (without them the crawler's near-duplicate check would, rightly, fold
# articles built from the same small sentence bank together).
OPENERS = [
    "On {month} {day}, ", "By late {month}, ", "In {country}, ", "According to {person}, ",
    "Speaking in {country} on {month} {day}, {person} noted that ", "Last {weekday}, ", "Since {year}, ",
    "With {num} percent of orders delayed, ", "As of {month} {year}, ", "For {co}, ",
    "In a note to clients dated {month} {day}, ", "Across {num} data centres in {country}, ",
    "At a hearing on {weekday}, ", "Two people familiar with {co}'s plans said that ",
]
CLOSERS = [
    "The figure was {num} percent higher than in {year}.", "{co} declined to comment on {weekday}.",
    "Shipments to {country} fell by {num} percent in {month}.", "{person} is expected to testify in {month}.",
    "Orders placed before {month} {day} are exempt.", "A review is due by {month} {year}.",
    "Some {num} companies in {country} are affected.", "{co} said it would study the rule.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
PLAIN_SLOTS = {"month": lambda r: r.choice(MONTHS), "day": lambda r: str(r.randint(1, 28)),
               "year": lambda r: str(r.randint(2019, 2026)), "weekday": lambda r: r.choice(WEEKDAYS),
               "num": lambda r: str(r.randint(2, 95))}
TITLES = [
    "{S} accuses {T} of copying its models",
    "New limits on {chip} shipments to {country}",
    "{S} denies distillation claims",
    "What the {policy} means for chip buyers",
    "{co} braces for tighter export rules",
    "Inside the fight over {model}",
    "{gov} widens controls on AI accelerators",
    "Why {lab} is worried about distillation",
]
FIRST_NAMES = ["Ana", "Ben", "Chen", "Dana", "Eli", "Farah", "Gus", "Hana", "Ivan", "Jia", "Kofi", "Lena",
               "Mateo", "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Victor", "Wen",
               "Ximena", "Yusuf", "Zoe", "Arjun", "Bea", "Carlos", "Dmitri", "Esther", "Felix", "Grace",
               "Hugo", "Iris", "Jonas", "Kira", "Leo", "Mira", "Noah", "Olga", "Pablo", "Rhea", "Stefan",
               "Tara", "Ugo", "Vera", "Walt", "Yara", "Zane"]
LAST_NAMES = ["Abbott", "Brandt", "Castillo", "Dufresne", "Eriksen", "Fontaine", "Gallo", "Hollis", "Ibarra",
              "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero",
              "Rasmussen", "Sorensen", "Tanaka", "Ueda", "Varga", "Whitlock", "Xu", "Yilmaz", "Zeller",
              "Achebe", "Bianchi", "Coates", "Delgado", "Engel", "Fischer", "Greer", "Haddad", "Iqbal",
              "Jovanovic", "Keller", "Lam", "Mbeki", "Novak", "Ortega", "Pires", "Reyes", "Sato", "Toivonen",
              "Ulrich", "Vance", "Weller", "Yoon", "Zhou"]
SLOT_TYPES = {"lab": "ai_lab", "lab2": "ai_lab", "co": "company", "gov": "government", "chip": "chip",
              "chip2": "chip", "model": "ai_model", "model2": "ai_model", "policy": "policy",
              "country": "country", "country2": "country", "person": "person", "org": "organization"}
SPEAKER_TYPES = {"accusation": ("ai_lab", "company", "government", "person"),
                 "denial": ("ai_lab", "company", "government"),
                 "statement": ("ai_lab", "company", "person", "government"),
                 "policy_action": ("government",),
                 "announcement": ("ai_lab", "company", "government")}
TARGET_TYPES = ("ai_lab", "company")


@dataclass(frozen=True)
class Ent:
    """An entity usable in the templates."""

    id: str
    name: str
    type: str


@dataclass
class Sentence:
    """A filled sentence with its entity spans (offsets within the sentence) and optional claim."""

    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    claim: tuple[str, str, str, str | None] | None = None  # kind, verb, speaker id, target id


def kb_entities() -> list[Ent]:
    """Curated entities from the extractor's knowledge base (names it recognises)."""
    from aiwatch.extract.kb import load_kb

    return [Ent(e.id, e.name, e.type) for e in load_kb()]


class Filler:
    """Fills templates with entities drawn with a heavy-tailed (Zipf) popularity per type."""

    def __init__(self, entities: list[Ent], rng: random.Random) -> None:
        self.rng = rng
        self.by_type: dict[str, list[Ent]] = {}
        for e in entities:
            self.by_type.setdefault(e.type, []).append(e)
        self.cum = {t: list(accumulate(1.0 / (r + 1) ** 1.1 for r in range(len(v))))
                    for t, v in self.by_type.items()}

    def pick(self, kind: str, avoid: set[str] = frozenset()) -> Ent:  # type: ignore[assignment]
        pool = self.by_type[kind]
        for _ in range(8):
            chosen = self.rng.choices(pool, cum_weights=self.cum[kind])[0]
            if chosen.id not in avoid:
                return chosen
        return chosen

    def fill(self, template: str, fixed: dict[str, Ent]) -> Sentence:
        """Replace each ``{slot}`` left to right, recording where each entity name lands."""
        out, spans, pos, used = [], [], 0, {e.id for e in fixed.values()}
        rest = template
        while "{" in rest:
            before, _, after = rest.partition("{")
            slot, _, rest = after.partition("}")
            out.append(before)
            pos += len(before)
            if slot in PLAIN_SLOTS:
                word = PLAIN_SLOTS[slot](self.rng)
                out.append(word)
                pos += len(word)
                continue
            ent = fixed.get(slot) or self.pick(SLOT_TYPES[slot], used)
            used.add(ent.id)
            spans.append((ent.id, pos, pos + len(ent.name)))
            out.append(ent.name)
            pos += len(ent.name)
        out.append(rest)
        text = "".join(out)
        return Sentence(text[0].upper() + text[1:], spans)

    def claim_sentence(self) -> Sentence:
        kind, verb, template = self.rng.choice(CLAIM_TEMPLATES)
        speaker = self.pick(self.rng.choice(SPEAKER_TYPES[kind]))
        target = self.pick(self.rng.choice(TARGET_TYPES), {speaker.id})
        sentence = self.fill(template, {"S": speaker, "T": target})
        sentence.claim = (kind, verb, speaker.id, target.id if "{T}" in template else None)
        return sentence

    def context_sentence(self) -> Sentence:
        return self.fill(self.rng.choice(CONTEXT_TEMPLATES), {})

    def filler_sentence(self, varied: bool = False) -> Sentence:
        core = self.rng.choice(FILLER)
        if not varied:
            return Sentence(core)
        opener = self.fill(self.rng.choice(OPENERS), {})
        text = opener.text + core[0].lower() + core[1:]
        if self.rng.random() < 0.5:
            closer = self.fill(self.rng.choice(CLOSERS), {})
            return Sentence(f"{text} {closer.text}", [*opener.spans,
                            *((e, a + len(text) + 1, b + len(text) + 1) for e, a, b in closer.spans)])
        return Sentence(text, opener.spans)

    def title(self) -> str:
        speaker, target = self.pick("ai_lab"), self.pick("ai_lab")
        return self.fill(self.rng.choice(TITLES), {"S": speaker, "T": target}).text


def article_sentences(filler: Filler, words: int, claim_share: float = 0.1,
                      context_share: float = 0.25, varied: bool = False) -> list[list[Sentence]]:
    """Paragraphs of 3-6 sentences adding up to about ``words`` words."""
    rng = filler.rng
    paragraphs, count = [], 0
    while count < words:
        para = []
        for _ in range(rng.randint(3, 6)):
            roll = rng.random()
            if roll < claim_share:
                s = filler.claim_sentence()
            elif roll < claim_share + context_share:
                s = filler.context_sentence()
            else:
                s = filler.filler_sentence(varied)
            para.append(s)
            count += len(s.text.split())
        paragraphs.append(para)
    return paragraphs


# ---------------------------------------------------------------------------------------------------------
# The servable site


def make_pages(n: int, *, seed: int = 11, offset: int = 0, min_words: int = 500, max_words: int = 1500,
               entities: list[Ent] | None = None) -> list[Any]:
    """``n`` sample-site :class:`~aiwatch.crawler.sample_site.pages.Page` records numbered from ``offset``."""
    from aiwatch.crawler.sample_site.pages import Page

    rng = random.Random(seed + offset)
    filler = Filler(entities or kb_entities(), rng)
    pages = []
    for i in range(offset, offset + n):
        outlet = OUTLET_KEYS[i % len(OUTLET_KEYS)]
        paragraphs = article_sentences(filler, rng.randint(min_words, max_words), varied=True)
        blocks = [("p", " ".join(s.text for s in para)) for para in paragraphs]
        published = START + timedelta(minutes=37 * i)
        title = filler.title()
        topics = ["distillation", "export-controls"] if i % 3 else ["export-controls"]
        pages.append(Page(path=f"{SECTION_OF[outlet]}{published:%Y/%m}/story-{i:06d}.html", kind="article",
                          outlet=outlet, title=f"{title} ({i})", published=published,
                          byline=None if outlet == "halvard" else
                          f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                          topics=topics, feeds=["feed.xml", "sitemap.xml"],
                          summary=blocks[0][1][:180], blocks=blocks, section=SECTION_OF[outlet]))
    return pages


def build_site(root: Path, n: int, *, offset: int = 0, seed: int = 11, min_words: int = 500,
               max_words: int = 1500) -> dict[str, Any]:
    """Render ``n`` articles under ``root`` with ``/feed.xml`` and ``/sitemap.xml``; return a summary."""
    from aiwatch.crawler.sample_site.build import rss, sitemap, write
    from aiwatch.crawler.sample_site.outlets import OUTLETS

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    pages = make_pages(n, seed=seed, offset=offset, min_words=min_words, max_words=max_words)
    for page in pages:
        write(root, page.path, OUTLETS[page.outlet].render(page, {"related": [], "amp": None,
                                                                 "reading_time": page.words() // 220}))
    newest_first = sorted(pages, key=lambda p: p.published, reverse=True)
    write(root, "/feed.xml", rss(newest_first))
    write(root, "/sitemap.xml", sitemap(newest_first))
    write(root, "/robots.txt", "User-agent: *\nAllow: /\n")
    words = sum(p.words() for p in pages)
    return {"articles": n, "words": words, "paths": [p.path for p in pages]}


@contextlib.contextmanager
def serve_site(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (threaded, ``{{BASE_URL}}`` substituted); yields the base URL."""
    from aiwatch.crawler.sample_site.server import serve

    with serve(root) as base:
        yield base.rstrip("/")


# ---------------------------------------------------------------------------------------------------------
# The directly generated database


def discovered_entities(count: int) -> list[Ent]:
    """Automatically 'discovered' people (analysts, officials) to bring the entity count to thousands."""
    names = [f"{f} {last}" for last in LAST_NAMES for f in FIRST_NAMES]
    return [Ent(f"person-{name.lower().replace(' ', '-')}", name, "person") for name in names[:count]]


def generate_db(path: Path, articles: int, *, seed: int = 7, words: int = 600, graph: bool = True,
                log: Any = None) -> None:
    """Write a synthetic aiwatch database of ``articles`` articles to ``path`` (rows, no crawl)."""
    from aiwatch.extract.kb import load_kb, save_kb
    from aiwatch.extract.runner import current_version

    from aiwatch.db import connect, transaction

    rng = random.Random(seed)
    kb = load_kb()
    version = current_version(kb)
    extra = discovered_entities(min(2500, max(100, articles // 40)))
    pool = [Ent(e.id, e.name, e.type) for e in kb] + extra
    filler = Filler(pool, rng)
    names, types = {e.id: e.name for e in pool}, {e.id: e.type for e in pool}
    conn = connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    save_kb(conn, kb)
    with transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO entities (id, name, type, description, curated) "
                         "VALUES (?, ?, 'person', 'Person named in the news.', 0)",
                         [(e.id, e.name) for e in extra])
    began = time.perf_counter()
    batch = 2000
    for first in range(0, articles, batch):
        rows, mention_rows, claim_rows = [], [], []
        for a in range(first + 1, min(articles, first + batch) + 1):
            published = START + timedelta(minutes=7 * a + rng.randrange(7))
            paragraphs = article_sentences(filler, rng.randint(words - 150, words + 150), claim_share=0.032,
                                           context_share=0.13)
            parts, pos = [], 0
            for p_index, para in enumerate(paragraphs):
                if p_index:
                    parts.append("\n\n")
                    pos += 2
                for s_index, s in enumerate(para):
                    if s_index:
                        parts.append(" ")
                        pos += 1
                    for ent_id, start, end in s.spans:
                        mention_rows.append(
                            (a, ent_id, s.text[start:end], pos + start, pos + end, s.text, pos))
                    if s.claim:
                        kind, verb, speaker, target = s.claim
                        claim_rows.append((a, speaker, names.get(speaker),
                                           "person" if types.get(speaker) == "person" else "entity", verb,
                                           kind, target, names.get(target), s.text[:200], s.text,
                                           int('"' in s.text), pos, pos + len(s.text),
                                           round(0.6 + 0.4 * rng.random(), 2), int(rng.random() < 0.05)))
                    parts.append(s.text)
                    pos += len(s.text)
            text = "".join(parts)
            outlet = OUTLET_KEYS[a % len(OUTLET_KEYS)]
            source = f"{outlet}.example"
            duplicate_of = rng.randrange(1, a) if a > 20 and rng.random() < 0.03 else None
            topics = '["distillation", "export-controls"]' if a % 3 else '["export-controls"]'
            rows.append((a, f"https://{source}{SECTION_OF[outlet]}{published:%Y/%m}/story-{a:06d}.html",
                         source, f"{filler.title()} ({a})",
                         None if outlet == "halvard" else
                         f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                         published.isoformat(), (published + timedelta(hours=2)).isoformat(), "en", text,
                         topics, round(0.5 + 0.5 * rng.random(), 3), f"{rng.getrandbits(64):016x}",
                         f"{rng.getrandbits(64):016x}", duplicate_of, len(text.split()), version,
                         (published + timedelta(hours=2)).isoformat()))
        with transaction(conn):
            conn.executemany(
                "INSERT INTO articles (id, url, source, title, byline, published, fetched_at, language, text,"
                " topics, relevance, content_hash, simhash, duplicate_of, word_count, extractor_version,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            # As the crawler stores them: the key (here the link itself) and where the date came from.
            conn.execute("UPDATE articles SET url_key = url, date_source = 'markup' WHERE url_key IS NULL")
            conn.executemany(
                "INSERT INTO mentions (article_id, entity_id, text, start_char, end_char, sentence,"
                " sentence_start) VALUES (?, ?, ?, ?, ?, ?, ?)", mention_rows)
            conn.executemany(
                "INSERT INTO claims (article_id, speaker_id, speaker_text, speaker_kind, verb, kind,"
                " target_id, target_text, content, sentence, is_quote, start_char, end_char, confidence,"
                " negated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", claim_rows)
            conn.executemany(
                "INSERT INTO crawl_seen (url, outcome, article_id, first_seen, last_seen) "
                "VALUES (?, 'stored', ?, ?, ?)", [(r[1], r[0], r[6], r[6]) for r in rows])
        if log and (first // batch) % 10 == 0:
            log(f"  {first + len(rows):>7} articles ({time.perf_counter() - began:.0f}s)")
    if graph:
        from aiwatch.graph.pipeline import update_graph

        from aiwatch.config import load_config

        config = load_config()
        update_graph(conn, betweenness_k=config.graph_betweenness_k, seed=config.graph_seed)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def cached_db(cache_dir: Path, articles: int, log: Any = None) -> Path:
    """The synthetic database of ``articles`` articles in ``cache_dir``, generated on first use."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    from aiwatch.db import views_digest
    from aiwatch.views import VIEWS

    schema = views_digest({"v": json.dumps(sorted(VIEWS)), "schema": _schema_digest()})
    path = cache_dir / f"scale_v{GENERATOR_VERSION}_{schema}_{articles}.db"
    return generated_once(path, lambda tmp: generate_db(tmp, articles, log=log), log)


def generated_once(path: Path, generate: Callable[[Path], Any], log: Any = None) -> Path:
    """``path``, written by ``generate(tmp)`` and renamed into place the first time (a killed run leaves no
    half-written database under the final name; its leftovers are removed by the next run)."""
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        for leftover in path.parent.glob(tmp.name + "*"):
            leftover.unlink()
        began = time.perf_counter()
        generate(tmp)
        for side in ("-wal", "-shm"):
            Path(str(tmp) + side).unlink(missing_ok=True)
        tmp.rename(path)
        if log:
            log(f"  generated {path.name} in {time.perf_counter() - began:.1f}s")
    return path


def _schema_digest() -> str:
    import hashlib

    from aiwatch.db import MIGRATIONS

    return hashlib.sha256("\n".join(MIGRATIONS).encode()).hexdigest()[:10]


def words_per_sentence() -> float:
    """Mean words per filler sentence (for sizing)."""
    return sum(len(s.split()) for s in FILLER) / len(FILLER)


if __name__ == "__main__":  # quick look: python benchmarks/synth.py N OUT_DIR
    size, out = int(sys.argv[1]), Path(sys.argv[2])
    print(json.dumps({k: v for k, v in build_site(out, size).items() if k != "paths"}))
    print(f"mean words/sentence {words_per_sentence():.1f}; log10 {math.log10(size):.1f}")
