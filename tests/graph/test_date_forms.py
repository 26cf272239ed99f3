"""The common date forms read apart from dateparser (``graph/events/date_forms.py``) give exactly what
dateparser gives: expressions and offsets found in a sentence, the day and precision they resolve to, and the
whole :func:`resolve_date` result. Phrases are written here and harvested from the sample site's articles
and from synthetic benchmark articles; every comparison runs both paths, and a fast answer that disagrees
fails."""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiwatch.graph.events import date_forms, dates

ROOT = Path(__file__).resolve().parents[2]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# Article days: weekdays, month and year ends, leap days, the first of a year.
BASES = [date(2024, 2, 29), date(2025, 1, 1), date(2025, 3, 31), date(2025, 12, 31), date(2026, 2, 22),
         date(2026, 2, 23), date(2026, 3, 1), date(2023, 6, 15), date(2024, 3, 1), date(2024, 12, 30)]


def _expressions() -> list[str]:
    """Date expressions of every form read apart, and some of forms left to dateparser."""
    out = []
    for weekday in WEEKDAYS:
        out += [weekday, f"on {weekday}", f"Last {weekday}", f"last {weekday.lower()}", f"the {weekday}"]
    for i, month in enumerate(MONTHS):
        for day in (1, 23, 29, 31):
            out += [f"{month} {day}", f"On {month} {day}", f"{day} {month}", f"{month} {day}, {2020 + i % 7}",
                    f"the {month} {day}, 2022", f"{day} {month} 2025"]
        out += [month, f"in {month}", f"{month} 2024", f"of {month} 2026", f"in {month} 2025", month[:3],
                f"{month[:3]} 5", f"the {month} 2023", f"{month}, 2025"]
    for year in (1999, 2019, 2024, 2025, 2026, 2027):
        out += [str(year), f"in {year}", f"of {year}", f"{year}-02-29", f"{year}-11-05"]
    for unit in ("week", "month", "year", "day"):
        out += [f"last {unit}", f"this {unit}", f"a {unit} ago", f"two {unit}s ago", f"3 {unit}s ago"]
    out += ["yesterday", "today", "Yesterday", "Sept 5", "In January of", "Monday the", "Year 2026"]
    return out


def test_resolve_agrees_with_dateparser():
    read = 0
    bases = BASES
    for expression in _expressions():
        for base in bases:
            fast = date_forms.resolve(dates._ARTICLE_WEEKDAY.sub("", expression), base)
            if fast is date_forms.UNKNOWN:
                continue
            read += 1
            assert fast == dates._resolve_dateparser(expression, base), (expression, base)
    assert read > 1500  # the forms are read apart (not all left to dateparser)


def _phrases() -> list[str]:
    """Sentences with one or two expressions in the places news puts them."""
    rng = random.Random(5)
    forms = [e for e in _expressions() if not e.startswith(("two ", "3 "))]
    frames = ["Officials said {} that the rule held.", "{}, Nvidia said it would comply.",
              "The lab said {}, adding that it had no comment.", "Regulators met {} in Washington.",
              "It was announced {}.", "Anthropic told lawmakers {} that DeepSeek copied its models.",
              "The ministry said earlier {} it would act.", "Speaking in Taiwan {}, C.C. Wei noted demand.",
              "\u201cWe will comply,\u201d the company said {}.", "Shares fell {} and again {}.",
              "The agency said {} - a day after the vote - that it would review {}.",
              "Lip-Bu Tan said {} at 9 a.m. EST that {} was the deadline."]
    out = []
    for frame in frames:
        for _ in range(25):
            out.append(frame.format(*(rng.choice(forms) for _ in range(frame.count("{}")))))
    return out


def _sample_site_sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "crawler" / "sample_site" / "content").glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        out += [s for s in re.split(r"(?<=[.!?])\s+", body) if dates.mentions_date(s)]
    return out


def _synthetic_sentences(count: int = 400) -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    filler = synth.Filler([synth.Ent(e.id, e.name, e.type) for e in synth.kb_entities()], random.Random(3))
    out: list[str] = []
    while len(out) < count:
        for paragraph in synth.article_sentences(filler, 400, claim_share=0.2, context_share=0.5):
            out += [s.text for s in paragraph if dates.mentions_date(s.text)]
    return out[:count]


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return _phrases() + _sample_site_sentences() + _synthetic_sentences()


def test_search_agrees_with_dateparser(sentences):
    read = {date_forms.quick_search: 0, date_forms.search: 0}
    for i, sentence in enumerate(sentences):
        text = dates._ABBREVIATION_DOT.sub(r"\1 ", sentence)
        base = BASES[i % len(BASES)]
        slow = dates._search_dateparser(text, base)
        for search in read:
            fast = search(text, dates._CANDIDATE)
            if fast is not date_forms.UNKNOWN:
                read[search] += 1
                assert fast == slow, (search.__name__, text, base)
    assert len(sentences) > 800
    assert read[date_forms.quick_search] > len(sentences) // 6
    assert read[date_forms.search] > len(sentences) // 2


def test_resolve_date_unchanged(sentences, monkeypatch):
    """The whole answer, with the reporting verb placed at a few offsets, the content blanked or not, dated
    and undated articles."""
    cases = []
    for i, sentence in enumerate(sentences[::2]):
        published = None if i % 11 == 0 else BASES[i % len(BASES)].isoformat()
        cue = (i * 7) % max(1, len(sentence))
        content = (cue, min(len(sentence), cue + 30)) if i % 3 == 0 else None
        cases.append((sentence, published, cue, content))
    fast = [dates.resolve_date(s, p, cue=c, content=k) for s, p, c, k in cases]
    monkeypatch.setattr(dates, "FAST_FORMS", False)
    slow = [dates.resolve_date(s, p, cue=c, content=k) for s, p, c, k in cases]
    assert sum(1 for d in slow if d is not None and d.source == "text") > len(cases) // 3
    for case, a, b in zip(cases, fast, slow, strict=True):
        assert a == b, case


def test_a_disagreement_fails(monkeypatch):
    """The comparison can fail: a fast path that reads "last week" as the week before would be caught."""
    monkeypatch.setattr(date_forms, "_back", lambda base, count, unit: (base - timedelta(weeks=count + 1),
                                                                          "week"))
    date_forms.resolve.cache_clear()
    try:
        with pytest.raises(AssertionError):
            test_resolve_agrees_with_dateparser()
    finally:
        monkeypatch.undo()
        date_forms.resolve.cache_clear()
