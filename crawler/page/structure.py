"""What a page's structure says about it being one article: article markup, or a list of links.

Length and a date are weak signs (a wire brief has 60 words, most pages show no date in their text; a tag
page has hundreds of words and dates). The page's own markup is a stronger one:

* **article markup**: ``og:type`` ``article``, a schema.org article type (``NewsArticle``, ``BlogPosting``...)
  in JSON-LD or microdata, or exactly one ``<article>`` element on a page whose ``og:type`` does not say
  otherwise;
* **a list page**: no article markup, and most of the extracted text is the text of links of four or more
  words (the headlines of a section front, tag, author or search page).

Measured on the shared 181-page benchmark (all real articles; ``benchmarks/page_kind.py``): 174 carry
article markup and none reads as a list page, while every list page of the sample site (section fronts,
tags, authors) does, with a link share of 0.90-0.99 (the highest real article without markup: under 0.35).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "report", "scholarlyarticle", "techarticle", "pressrelease",
})
LISTING_SHARE = 0.6  # share of the extracted words that are headline links, from which a page is a list
HEADLINE_LINK_WORDS = 4
_WORD = re.compile(r"\w+")
_LD_TYPE = re.compile(r'"@type"\s*:\s*(?:"([^"]+)"|\[([^\]]*)\])')


@dataclass(frozen=True)
class PageStructure:
    """The structural evidence read from one page."""

    og_type: str | None = None  # lower case
    schema_types: frozenset[str] = frozenset()  # JSON-LD and microdata types, lower case, without the URL
    article_elements: int = 0
    listing_share: float = 0.0  # share of extracted words inside headline links (0 when not measured)

    @property
    def article_markup(self) -> bool:
        """The page declares itself an article."""
        if self.og_type == "article" or self.schema_types & ARTICLE_TYPES:
            return True
        return self.article_elements == 1 and self.og_type in (None, "")

    @property
    def listing(self) -> bool:
        """A list of links (section front, tag, author or search page), not one article."""
        return not self.article_markup and self.listing_share >= LISTING_SHARE


def _schema_types(tree: etree._Element) -> frozenset[str]:
    found: set[str] = set()
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        for single, several in _LD_TYPE.findall(str(script)):
            names = [single] if single else re.findall(r'"([^"]+)"', several)
            found.update(n.rsplit("/", 1)[-1].lower() for n in names)
    for itemtype in tree.xpath("//@itemtype"):
        found.update(t.rstrip("/").rsplit("/", 1)[-1].lower() for t in str(itemtype).split())
    return frozenset(found)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def listing_share(tree: etree._Element, text: str) -> float:
    """Share of the words of ``text`` (one paragraph a line) in lines that begin with a headline link."""
    headlines = set()
    for anchor in tree.xpath("//a[@href][string-length(normalize-space()) > 6]"):  # 4 words: 7 characters
        words = _words(anchor.text_content() or "")
        if len(words) >= HEADLINE_LINK_WORDS:
            headlines.add(" ".join(words))
    if not headlines:
        return 0.0
    total = linked = 0
    for line in text.splitlines():
        words = _words(line)
        total += len(words)
        joined = " ".join(words)
        if joined and any(joined.startswith(h) for h in headlines):
            linked += len(words)
    return linked / total if total else 0.0


def read_structure(tree: etree._Element, text: str) -> PageStructure:
    """The structure of a parsed page whose extracted main text is ``text``.

    Reading stops at the first sign of an article (``og:type``, then schema.org types, then ``<article>``
    elements), and the list-page share is measured only when there is none (it then cannot matter).
    """
    og = tree.xpath("//meta[@property='og:type']/@content")
    og_type = str(og[0]).strip().lower() if og else None
    page = PageStructure(og_type)
    if page.article_markup:
        return page
    page = PageStructure(og_type, _schema_types(tree))
    if page.article_markup:
        return page
    page = PageStructure(og_type, page.schema_types, int(tree.xpath("count(//article)")))
    if page.article_markup:
        return page
    return PageStructure(og_type, page.schema_types, page.article_elements, listing_share(tree, text))
