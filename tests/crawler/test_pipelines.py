"""The per-article pipeline steps as plain functions (no Scrapy engine)."""

from __future__ import annotations

import pytest
from aiwatch.crawler.items import PageItem, Rejected
from aiwatch.crawler.page.fingerprints import content_hash, simhash, text_words
from aiwatch.crawler.pipelines.article import extract_item, more_precise
from aiwatch.crawler.pipelines.fingerprint import fingerprint_item
from aiwatch.crawler.pipelines.topics import score_item

from aiwatch.urls import canonical_candidate

PARAS = [
    "The Bureau of Industry and Security added high-bandwidth memory to its export controls on Tuesday, "
    "and placed several Chinese chip firms on the entity list for diverting Nvidia accelerators.",
    "Nvidia said the H20 licence requirement would cost it billions of dollars, and officials said the "
    "export controls target chips able to train frontier AI models.",
    "Industry groups warned the export controls would push Chinese buyers toward domestic accelerators, "
    "while lawmakers asked BIS to tighten enforcement against smuggling through third countries.",
]


def page(body: str, *, url: str = "http://a.test/story.html", kind: str = "article",
         content_type: str = "text/html; charset=utf-8", **hints: str) -> PageItem:
    return PageItem(url=url, seen_key=url, response_url=url, status=200, headers={}, body=body.encode(),
                    content_type=content_type, kind=kind, hints=dict(hints))


def html(paragraphs: list[str], title: str = "BIS adds HBM to export controls", date: str = "2024-12-02",
         ) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html><head><title>{title}</title><meta property="article:published_time" content="{date}">'
            f'<meta name="author" content="Li Wei"></head><body><article><h1>{title}</h1>{body}</article>'
            "</body></html>")


def test_article_is_extracted_and_kept() -> None:
    item = extract_item(page(html(PARAS)), min_words=50)
    assert item.title == "BIS adds HBM to export controls"
    assert item.published == "2024-12-02" and item.byline == "Li Wei"
    assert item.word_count >= 50 and "entity list" in item.text
    item = score_item(item, min_relevance=1.0)
    assert "export-controls" in item.topics
    assert item.word_count == len(item.words) == len(text_words(item.text))  # counted once, hashed next
    item = fingerprint_item(item)
    assert item.article_url == item.url_key == "http://a.test/story.html"
    assert item.content_hash and item.simhash is not None
    assert (item.content_hash, item.simhash) == (content_hash(item.text), simhash(item.text))
    assert item.words is None  # not carried back to the crawl process


@pytest.mark.parametrize(("link", "expected"), [
    ('<link rel="canonical" href="/news/story?utm_source=feed">', "http://a.test/news/story"),
    ('<link rel="alternate canonical" href="http://www.a.test/news/story">', "http://www.a.test/news/story"),
    ('<link rel="canonical" href="https://elsewhere.test/story">', None),
    ('<link rel="canonical" href="javascript:void(0)">', None),
    ('<link rel="canonical" href="/story.html#top">', None),  # the page itself
    ("", None),
])
def test_canonical_link_read_by_the_extract_step_is_the_candidate(link: str, expected: str | None) -> None:
    """The extract step reads ``rel=canonical`` from its parsed tree, as from the markup parsed on its own;
    the page keeps the address it was fetched from until the crawl has seen the canonical answer."""
    from .test_dedupe import candidate

    body = html(PARAS).replace("<head>", f"<head>{link}")
    item = fingerprint_item(score_item(extract_item(page(body), min_words=50), min_relevance=1.0))
    assert item.article_url == "http://a.test/story.html"
    assert canonical_candidate(item.response_url, item.canonical_link) == expected
    assert expected == candidate("http://a.test/story.html", body.encode())


@pytest.mark.parametrize(("body", "content_type", "detail"), [
    (html(PARAS[:1]), "text/html", "words"),
    ("", "text/html", "empty body"),
    ("%PDF-1.7 binary", "application/pdf", "content type application/pdf"),
    ("<html><body><nav><a href='/'>Home</a></nav></body></html>", "text/html", ""),
])
def test_non_articles_are_rejected(body: str, content_type: str, detail: str) -> None:
    with pytest.raises(Rejected) as info:
        extract_item(page(body, content_type=content_type), min_words=50)
    assert info.value.reason == "not_article" and detail in str(info.value)


def test_an_undated_page_is_an_article_only_by_its_markup() -> None:
    undated = html(PARAS).replace('<meta property="article:published_time" content="2024-12-02">', "")
    kept = extract_item(page(undated), min_words=50)  # one <article> element: stored as undated
    assert (kept.published, kept.date_source) == (None, "none")
    plain = undated.replace("<article>", "<div>").replace("</article>", "</div>")
    with pytest.raises(Rejected, match="no publication date and no article markup"):
        extract_item(page(plain), min_words=50)
    hinted = extract_item(page(plain, published="2024-12-03T10:00:00+00:00", published_from="sitemap"),
                          min_words=50)
    assert (hinted.published, hinted.date_source) == ("2024-12-03T10:00:00+00:00", "sitemap")


def test_a_feed_date_wins_over_a_date_found_only_in_the_page_text() -> None:
    """The markup's date wins; a page without one takes its feed's date rather than searching its text (where
    "As of December 2021" is as findable as the dateline), and is searched only when there is no feed date."""
    dateline = ["WASHINGTON, March 3, 2025 (Wire) - As of December 2021, " + PARAS[0], *PARAS[1:]]
    meta = '<meta property="article:published_time" content="2024-12-02">'
    no_markup_date = html(dateline).replace(meta, "")
    hinted = extract_item(page(no_markup_date, published="2025-03-05T10:00:00+00:00"), min_words=50)
    assert hinted.published == "2025-03-05T10:00:00+00:00"
    assert extract_item(page(no_markup_date), min_words=50).published == "2025-03-03"
    marked = extract_item(page(html(dateline), published="2025-03-05T10:00:00+00:00"), min_words=50)
    assert marked.published == "2024-12-02"


def test_feed_time_refines_page_date() -> None:
    assert more_precise("2025-04-16", "2025-04-16T18:20:00+00:00") == "2025-04-16T18:20:00+00:00"
    assert more_precise("2025-04-16", "2025-04-17T01:00:00+00:00") == "2025-04-16"
    assert more_precise(None, "2025-04-17") == "2025-04-17"


def test_off_topic_is_rejected() -> None:
    bikes = [
        "The council approved a new bicycle lane along the harbour road after a long public consultation "
        "that drew hundreds of comments from residents and shop owners across the old town.",
        "Construction starts in the spring and lasts about six months, with temporary parking moved to the "
        "ferry terminal while crews repave the road and rebuild the pavements.",
        "Cyclists welcomed the vote, while some shop owners worried that deliveries would become harder "
        "during the busiest weeks of the summer season and asked for loading bays.",
    ]
    item = extract_item(page(html(bikes, title="Council approves bike lane")), min_words=50)
    with pytest.raises(Rejected) as info:
        score_item(item, min_relevance=1.0)
    assert info.value.reason == "off_topic"


def test_policy_documents_use_api_metadata_and_source_bonus() -> None:
    body = "<html><body><div><p>This rule amends the Export Administration Regulations.</p></div></body>"
    item = page(body, kind="policy_document", title="Revisions to License Exception ACA",
                published="2025-01-16", abstract="BIS revises controls on advanced computing items.")
    item = extract_item(item, min_words=80)  # policy documents are exempt from the length floor
    assert item.title == "Revisions to License Exception ACA" and item.published == "2025-01-16"
    item = score_item(item, min_relevance=1.0)
    assert "export-controls" in item.topics and item.relevance >= 1.0
    unrelated = page("<html><body><p>Shotgun shells for sporting use.</p></body></html>",
                     kind="policy_document", title="Sporting shotguns", published="2025-01-16",
                     abstract="Hunting rifles.")
    with pytest.raises(Rejected):
        score_item(extract_item(unrelated, min_words=80), min_relevance=1.0)
