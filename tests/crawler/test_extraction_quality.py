"""Extraction quality: the benchmark metric, the F1 gate on the shared real pages, and hand-written pages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from aiwatch.crawler.page.article import ExtractedPage, decode_html, extract_page

REPO_ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = REPO_ROOT.parent / "shared" / "eval" / "extraction"


def _load_benchmark_module():
    path = REPO_ROOT / "benchmarks" / "extraction_f1.py"
    spec = importlib.util.spec_from_file_location("extraction_f1", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extraction_f1", module)
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark_module()


# --- the metric -------------------------------------------------------------------------------------------

def test_shingles_are_word_4grams_and_short_texts_make_one_shingle():
    assert bench.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert bench.shingles("two words!") == {("two", "words"): 1}
    assert bench.shingles("  ...  ") == {}


def test_identical_texts_score_one_and_disjoint_texts_zero():
    text = "Nvidia said the new rules would cut its China sales sharply this quarter."
    assert bench.score_document(text, text) == (1.0, 1.0)
    assert bench.score_document("one two three four five", "six seven eight nine ten") == (0.0, 0.0)


def test_partial_overlap_counts_multisets_and_normalises_per_document():
    truth = "a b c d e f"  # shingles: abcd bcde cdef
    predicted = "a b c d e x y"  # shingles: abcd bcde cdex dexy -> TP 2, FP 2, FN 1
    precision, recall = bench.score_document(predicted, truth)
    assert precision == pytest.approx(2 / 4)
    assert recall == pytest.approx(2 / 3)
    # a repeated shingle only matches as often as the truth has it
    p, r = bench.score_document("a b c d a b c d", "a b c d")
    assert r == 1.0 and p == pytest.approx(1 / 5)


def test_undefined_precision_is_skipped_in_the_mean():
    assert bench.score_document("", "some text of five words") == (None, 0.0)
    assert bench.score_document("", "") == (1.0, 1.0)
    score = bench.aggregate([("", "alpha beta gamma delta"), ("w x y z", "w x y z")])
    assert score.precision == 1.0  # only the second document has a defined precision
    assert score.recall == 0.5
    assert score.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert score.documents == 2


# --- the gate on the shared real-page benchmark -----------------------------------------------------------

@pytest.mark.slow  # all 181 real pages of the shared benchmark
@pytest.mark.skipif(not (EVAL_DIR / "ground-truth.json").exists(), reason=f"no benchmark data at {EVAL_DIR}")
def test_extraction_f1_on_shared_benchmark_is_at_least_096():
    pages = bench.load_benchmark(EVAL_DIR)
    assert len(pages) == 181
    score, ms_per_page = bench.run_extractor(bench.project_extract, pages)
    print(f"extract_page P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f} "
          f"{ms_per_page:.1f} ms/page")
    assert score.f1 >= 0.96


# --- hand-written pages -----------------------------------------------------------------------------------

BODY = [
    "The Commerce Department widened its rules on advanced accelerators on Tuesday, adding high-bandwidth "
    "memory stacks to the list of parts that need a licence before they can be shipped to Chinese buyers.",
    "Officials said the change closes a gap that let resellers bundle memory with older processors and sell "
    "the package as a general-purpose server, a practice that trade lawyers had flagged for months.",
    "Chipmakers were given thirty days to comply. Analysts at two brokerages estimated that the "
    "measure touches less than a tenth of annual memory revenue, though the data-centre share is rising.",
    "Beijing's commerce ministry called the move discriminatory and said it would defend the interests of "
    "domestic companies, without naming any specific countermeasure or timetable for a response.",
    "Industry groups in Washington asked for a longer transition, arguing that suppliers in allied countries "
    "need time to audit distributors in Southeast Asia before the new paperwork can be filed.",
]
NAV = "Home World Business Technology Markets Opinion Subscribe Sign in"
COOKIE = "We use cookies to improve your experience. Accept all cookies or manage your preferences here."
COMMENT = "Reader comment: this policy will backfire within a year and everyone at the agency knows it."
RELATED = "Related stories: Ten gadgets for your kitchen this winter season that readers actually loved"


def news_page(*, head_extra: str = "", byline_html: str = "", date_html: str = "", charset: str = "utf-8",
              body: list[str] | None = None) -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in (BODY if body is None else body))
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="{charset}">
<title>Memory chips join export rules | The Ledger</title>
<meta property="og:site_name" content="The Ledger">
{head_extra}
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>{COOKIE}</p><button>Accept</button></div>
<header><nav class="main-nav"><ul>{"".join(f"<li><a href='/{w}'>{w}</a></li>" for w in NAV.split())}</ul>
</nav>
</header>
<main><article>
<h1>Memory chips join export rules</h1>
{byline_html}
{date_html}
{paragraphs}
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/x">{RELATED}</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>{COMMENT}</p></div></section>
</main>
<footer><p>Copyright The Ledger. All rights reserved. Terms and privacy.</p></footer>
</body></html>"""


def test_article_text_excludes_navigation_cookie_banner_related_and_comments():
    page = extract_page(news_page(), url="https://ledger.example/tech/memory-rules")
    assert isinstance(page, ExtractedPage)
    for paragraph in BODY:
        assert paragraph in page.text
    for boilerplate in (COOKIE, COMMENT, RELATED, "Subscribe Sign in", "All rights reserved"):
        assert boilerplate not in page.text
    assert not page.text.startswith("Memory chips join export rules")  # title not prepended
    assert page.title == "Memory chips join export rules"
    assert page.site_name == "The Ledger"
    assert page.language == "en"


def test_byline_and_date_from_meta_tags():
    head = ('<meta name="author" content="Priya Raman">'
            '<meta property="article:published_time" content="2025-01-13T09:30:00+00:00">')
    page = extract_page(news_page(head_extra=head))
    assert page.byline == "Priya Raman"
    assert page.published == "2025-01-13"


def test_byline_and_date_from_visible_markup():
    byline = '<p class="byline">By <a rel="author" href="/staff/tom-okafor">Tom Okafor</a></p>'
    date = '<time class="published" datetime="2024-12-02T14:00:00Z">December 2, 2024</time>'
    page = extract_page(news_page(byline_html=byline, date_html=date))
    assert page.byline == "Tom Okafor"
    assert page.published == "2024-12-02"


def test_byline_and_date_from_json_ld():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
          '"headline": "Memory chips join export rules", "datePublished": "2025-03-04", '
          '"author": {"@type": "Person", "name": "Lena Fischer"}}</script>')
    page = extract_page(news_page(head_extra=ld))
    assert page.byline == "Lena Fischer"
    assert page.published == "2025-03-04"


def test_date_from_url_when_markup_has_none():
    page = extract_page(news_page(), url="https://ledger.example/2025/02/17/memory-rules.html")
    assert page.published == "2025-02-17"


def test_broken_html_still_yields_the_text():
    html = news_page().replace("</p>", "").replace("</article>", "").replace("</main>", "<div><span>")
    html = html.replace("</body></html>", "<p unclosed='")
    page = extract_page(html)
    assert page is not None
    assert BODY[0] in page.text and BODY[4] in page.text


def test_bytes_with_wrong_declared_charset_are_decoded():
    body = [p.replace("Beijing's", "Beijing’s") + " Café owners in Zürich shrugged." for p in BODY]
    # cp1252 bytes that claim to be UTF-8
    raw = news_page(body=body, charset="utf-8").encode("cp1252")
    page = extract_page(raw)
    assert page is not None and "Zürich" in page.text and "Beijing’s" in page.text
    # UTF-8 bytes that claim to be latin-1 (a common mislabel)
    raw = news_page(body=body, charset="iso-8859-1").encode("utf-8")
    page = extract_page(raw)
    assert page is not None and "Zürich" in page.text and "Ã" not in page.text
    # an HTTP-declared charset wins over a missing in-page one, an unknown label is ignored
    raw = news_page(body=body, charset="no-such-charset").encode("cp1252")
    assert "Zürich" in decode_html(raw, encoding="windows-1252")
    assert "Zürich" in extract_page(raw, encoding="windows-1252").text


def test_decode_never_raises_on_odd_bytes():
    assert decode_html(b"\xef\xbb\xbf<p>bom \xc3\xa9</p>") == "<p>bom é</p>"
    assert "é" in decode_html("<p>é</p>".encode("utf-16"))
    assert isinstance(decode_html(bytes(range(256)) * 4), str)
    assert decode_html(b"") == ""


@pytest.mark.parametrize("html", [
    "",
    b"",
    "   \n  ",
    "<html><head><title>Nothing</title></head><body></body></html>",
    "<html><body><nav></nav><div><script>var a = 1;</script></div></body></html>",
    b"\x00\x01\x02\xff\xfe garbage \x89PNG\r\n\x1a\n",
    bytes(range(256)) * 50,
    "<<<>>><!-- unterminated",
])
def test_empty_or_garbage_input_gives_none_without_raising(html):
    assert extract_page(html) is None


def test_truncated_and_corrupted_pages_never_raise():
    import random

    rng = random.Random(7)
    raw = news_page().encode("utf-8")
    for _ in range(25):
        cut = raw[: rng.randrange(len(raw))]
        noisy = bytearray(raw)
        for _ in range(40):
            noisy[rng.randrange(len(noisy))] = rng.randrange(256)
        for sample in (cut, bytes(noisy)):
            result = extract_page(sample)
            assert result is None or isinstance(result.text, str)
