"""extract_page parses each page once: metadata and text come from one tree, as they would from the HTML."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from aiwatch.crawler.page.article import extract_page
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata, set_date_params
from trafilatura.utils import load_html

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PAGES = sorted((REPO_ROOT / "crawler" / "sample_site" / "site").rglob("*.html"))
EVAL_PAGES = sorted((REPO_ROOT.parent / "shared" / "eval" / "extraction" / "html").glob("*.html.gz"))
FIELDS = ("title", "author", "url", "hostname", "date", "sitename", "filedate", "language")

HAND_WRITTEN = [
    # meta author without a space (dropped), JSON-LD author, og:site_name in lower case (title-cased)
    """<html><head><title>Chip rules widen | ledger</title><meta name="author" content="desk">
    <meta property="og:site_name" content="ledger"><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "NewsArticle",
     "author": {"@type": "Person", "name": "Mara Quint"}, "datePublished": "2025-03-04"}</script>
    </head><body><article><h1>Chip rules widen</h1>
    <p>The Commerce Department widened its rules on accelerators this week.</p></article></body></html>""",
    # broken JSON-LD, a byline in the markup, the date only in the URL
    """<html><head><title>Distillation claims</title><script type="application/ld+json">{"@type": </script>
    </head><body><div class="byline">By Ada Perrin</div><p>OpenAI said a rival trained on its outputs.</p>
    </body></html>""",
    # nothing at all but a body
    "<html><body><p>Plain text with no metadata anywhere in the page at all.</p></body></html>",
]


def _fields(document: object) -> dict[str, object]:
    return {name: getattr(document, name, None) for name in FIELDS}


def _pages() -> list[tuple[str, str]]:
    pages = [(f"hand{i}", html) for i, html in enumerate(HAND_WRITTEN)]
    pages += [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in SAMPLE_PAGES]
    pages += [(p.name, gzip.decompress(p.read_bytes()).decode("utf-8", "replace")) for p in EVAL_PAGES[:60]]
    return pages


@pytest.mark.parametrize("url", [None, "https://ledger.example/2025/02/17/story.html"])
def test_metadata_pass_leaves_the_tree_for_the_text_pass_unchanged(url: str | None) -> None:
    pages = _pages()
    assert len(pages) > 60
    for name, html in pages:
        tree = load_html(html)
        if tree is None:
            continue
        before = etree.tostring(tree)
        fresh = extract_metadata(load_html(html), default_url=url)
        assert _fields(extract_metadata(tree, default_url=url)) == _fields(fresh), name
        assert etree.tostring(tree) == before, name


def test_extract_page_reads_metadata_from_the_parsed_tree() -> None:
    body = " ".join(["More words about export licences."] * 40)
    page = extract_page(HAND_WRITTEN[0].replace("</p>", f" {body}</p>"), url="https://ledger.example/tech/chip")
    assert page is not None
    assert (page.title, page.byline, page.published, page.site_name) == (
        "Chip rules widen", "Mara Quint", "2025-03-04", "Ledger")


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:8000/policy/story.html"])
def test_one_parsed_tree_gives_what_bare_extraction_gives_from_the_html_string(url: str | None) -> None:
    """extract_page parses once and hands the tree on; trafilatura from the string finds the same."""
    for path in SAMPLE_PAGES:
        html = path.read_text(encoding="utf-8")
        page = extract_page(html, url=url)
        # The date from the markup alone (extract_page searches the text apart, to know the date's source).
        doc = bare_extraction(html, url=url, include_comments=False, favor_precision=True, with_metadata=True,
                              date_extraction_params=set_date_params(False))
        if page is None or doc is None or len((doc.text or "").split()) < 100:
            continue  # short pages take the balanced-mode path, covered by the extraction tests
        assert page.text in doc.text, path.name  # the same text, less a first line repeating the title
        markup_date = page.published[:10] if page.published and page.date_source == "markup" else None
        assert (page.byline, markup_date) == (
            " ".join(doc.author.split()) if doc.author else None, doc.date), path.name
        assert page.title == (" ".join(doc.title.split()) if doc.title else None), path.name
