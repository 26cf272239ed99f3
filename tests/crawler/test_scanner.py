"""Topic scanners: RE2 where it reads a pattern as Python does, the same matches as ``re`` on real texts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aiwatch.crawler.page.scanner import ScanText, compile_scanner, engine_of, re2_compatible
from aiwatch.crawler.page.topics import default_lexicons, load_lexicons, score_topics

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES_FILE = REPO_ROOT / "tests" / "data" / "topics" / "labelled_pages.jsonl"
GOLD_DIR = REPO_ROOT / "tests" / "data" / "extraction_gold"


def corpus() -> list[str]:
    """Every text we wrote for the topic and claim evaluations: labelled pages and gold articles."""
    texts = []
    for line in PAGES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            page = json.loads(line)
            texts.append(f"{page['title']}\n{page['text']}")
    for path in sorted(GOLD_DIR.rglob("*.json*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("text"), str):
                texts.append(row["text"])
    return texts


def python_twin(lexicons):
    """The same concepts compiled by Python's ``re`` only."""
    return {name: re.compile(scanner.pattern.removeprefix("(?i:").removesuffix(")"), re.IGNORECASE)
            if engine_of(scanner) == "re2" else scanner for name, scanner in lexicons.concepts.items()}


def test_bundled_concepts_all_run_on_re2():
    engines = {name: engine_of(s) for name, s in default_lexicons().concepts.items()}
    assert set(engines.values()) == {"re2"}, engines


def test_re2_finds_exactly_what_python_re_finds_on_every_evaluation_text():
    texts = corpus()
    assert len(texts) >= 84 + 40
    concepts = default_lexicons().concepts
    twins = python_twin(default_lexicons())
    compared = 0
    scans = [ScanText(text) for text in texts]
    for name, scanner in concepts.items():
        for scan in scans:
            text = scan.text
            ours = [(m.start(), m.end()) for m in scanner.finditer(text)]
            assert ours == [(m.start(), m.end()) for m in twins[name].finditer(text)], (name, text[:80])
            assert scan.starts(scanner) == [start for start, _ in ours], (name, text[:80])
            compared += len(ours)
    assert compared > 2000
    assert any(not scan.text.isascii() for scan in scans)  # the byte-to-character mapping is exercised


def test_offsets_are_character_offsets_in_non_ascii_text():
    scanner = compile_scanner(r"\bexport controls?\b")
    text = "Beijing’s “response” to US export controls — and 出口管制 — came fast: export control."
    assert [text[m.start():m.end()] for m in scanner.finditer(text)] == ["export controls", "export control"]
    assert engine_of(scanner) == "re2"


@pytest.mark.parametrize("source", [
    r"(?<=\.)\s+export",  # lookbehind: RE2 has none
    r"(export)\s+\1",  # backreference
    r"chips{,3}",  # Python: a repeat; RE2: the literal text "{,3}"
    r"^export",  # anchors: multiline rules differ
    r"controls$",
    r"\Aexport",
])
def test_patterns_re2_would_reject_or_misread_stay_on_python_re(source):
    assert not re2_compatible(source)
    scanner = compile_scanner(source)
    assert engine_of(scanner) == "re"
    assert scanner.flags & re.IGNORECASE


def test_escaped_anchor_characters_do_not_force_the_fallback():
    assert re2_compatible(r"\$\d+ billion|\^")


def test_invalid_pattern_is_a_re_error():
    with pytest.raises(re.error):
        compile_scanner(r"(unclosed")


def test_scores_do_not_depend_on_the_engine(tmp_path):
    """A topics file whose concepts use lookbehind (so Python's re) scores like the RE2 one."""
    lexicons = default_lexicons()
    source = (REPO_ROOT / "crawler" / "page" / "topics.toml").read_text(encoding="utf-8")
    forced = source.replace(r"'\bsmuggl\w*',", r"'\bsmuggl\w*', '(?<=zzz)zzz',", 1)
    assert forced != source
    path = tmp_path / "topics.toml"
    path.write_text(forced, encoding="utf-8")
    python_lexicons = load_lexicons(path)
    assert engine_of(python_lexicons.concepts["export_ctrl"]) == "re"
    for text in corpus()[:60]:
        title, _, body = text.partition("\n")
        assert score_topics(title, body, lexicons) == score_topics(title, body, python_lexicons)


@pytest.mark.parametrize("source", [r"x*", r"(?:’|é)?", r"export|", r"[’é]*"])
def test_scan_text_steps_over_empty_matches_one_character_at_a_time(source):
    """Python's re semantics, also inside multi-byte characters (no topic concept matches empty)."""
    text = "Beijing’s réponse: export controls, é x’x — done"
    scanner = compile_scanner(source)
    assert engine_of(scanner) == "re2"
    assert ScanText(text).starts(scanner) == [m.start() for m in re.finditer(source, text, re.IGNORECASE)]
