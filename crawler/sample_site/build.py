"""Build the static sample site and its manifest from the page sources in ``content/``.

``python -m aiwatch.crawler.sample_site.build`` regenerates ``site/`` and ``manifest.json`` (both are
committed, so installs need no build step). Derived pages: syndicated wire copies (title re-cased, editor's
note added, last
paragraph trimmed), the AMP variant and the exact duplicate are produced from their originals here.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from aiwatch.crawler.sample_site import MANIFEST_PATH, SITE_DIR
from aiwatch.crawler.sample_site.outlets import OUTLETS, attr, esc, render_amp
from aiwatch.crawler.sample_site.pages import Page, load_sources

CONTENT_DIR = Path(__file__).resolve().parent / "content"
STATIC_DIR = Path(__file__).resolve().parent / "static"
TRACKING = "?utm_source=rss&amp;utm_medium=feed"
NETWORK = "aiwatch sample news network"
MIN_WORDS = {"article": 300, "offtopic": 200}
MAX_WORDS = 900
_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "over",
          "from"}


def headline_case(title: str) -> str:
    """Title Case a headline, leaving small words and mixed-case tokens (H20, DeepSeek) alone."""
    words = title.split()
    out = []
    for i, word in enumerate(words):
        if word.islower() and (i == 0 or word not in _SMALL):
            word = word[0].upper() + word[1:]
        out.append(word)
    return " ".join(out)


def derive_pages(pages: list[Page]) -> list[Page]:
    """Fill in pages derived from an original: syndicated copies, AMP variants, exact duplicates."""
    by_path = {p.path: p for p in pages}
    out = []
    for page in pages:
        if page.derive:
            if page.duplicate_of not in by_path:
                raise ValueError(f"{page.source}: duplicate_of {page.duplicate_of!r} is not a page")
            orig = by_path[page.duplicate_of]
            if page.derive == "syndicate":
                page = replace(
                    page, title=page.title or headline_case(orig.title), byline=page.byline or orig.byline,
                    topics=orig.topics, summary=page.summary or orig.summary,
                    published=page.published
                    or (orig.published + timedelta(hours=3) if orig.published else None),
                    blocks=orig.blocks[:-1] if orig.blocks[-1][0] == "p" else orig.blocks[:-2],
                )
            elif page.derive in ("amp", "exact"):
                page = replace(page, title=orig.title, byline=orig.byline, topics=orig.topics,
                               summary=orig.summary, published=orig.published, blocks=orig.blocks)
            else:
                raise ValueError(f"{page.source}: unknown derive {page.derive!r}")
        out.append(page)
    return out


def check_page(page: Page) -> None:
    """Raise ValueError when a written page breaks the site's rules (length, dates, feeds)."""
    if page.kind in MIN_WORDS and not page.derive:
        n = page.words()
        if not MIN_WORDS[page.kind] <= n <= MAX_WORDS:
            raise ValueError(f"{page.source}: {n} words, want {MIN_WORDS[page.kind]}-{MAX_WORDS}")
    if page.kind in ("article", "offtopic", "duplicate", "amp") and page.published is None:
        raise ValueError(f"{page.source}: no published date")
    if page.outlet not in OUTLETS:
        raise ValueError(f"{page.source}: unknown outlet {page.outlet!r}")


def related_for(page: Page, pages: list[Page], n: int = 3) -> list[tuple[str, str]]:
    """Up to ``n`` related links: same outlet first, then shared topics, nearest in time."""
    if page.published is None:
        return []
    candidates = [
        p for p in pages if p.kind in ("article", "offtopic") and p.path != page.path and p.published
    ]

    def key(p: Page) -> tuple[int, int, float]:
        assert p.published and page.published
        return (p.outlet != page.outlet, not set(p.topics) & set(page.topics),
                abs((p.published - page.published).total_seconds()))

    return [(p.path, p.title) for p in sorted(candidates, key=key)[:n]]


def author_path(byline: str) -> str:
    """The newsletter's author page for ``byline`` (linked with rel=author from its posts)."""
    return f"/policy/authors/{byline.lower().replace(' ', '-')}.html"


def write(root: Path, url_path: str, text: str) -> None:
    """Write a page at ``url_path`` under ``root``."""
    target = root / url_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def listing_page(title: str, intro: str, items: list[Page], path: str) -> str:
    """A plain index page (home, section or tag) listing headlines with dates."""
    rows = "\n".join(
        f'<li><a href="{attr(p.path)}">{esc(p.title)}</a> <span class="src">{esc(OUTLETS[p.outlet].name)}'
        f"</span> <span class=\"when\">{p.date}</span></li>"
        for p in items
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<link rel="canonical" href="{{{{BASE_URL}}}}{attr(path)}">
<link rel="alternate" type="application/rss+xml" title="RSS" href="{{{{BASE_URL}}}}/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="{{{{BASE_URL}}}}/atom.xml">
<link rel="stylesheet" href="/static/site.css"></head>
<body class="listing">
<header><a href="/">{esc(NETWORK)}</a> <nav>{" ".join(
        f'<a href="{o.section}">{esc(o.name)}</a>' for o in OUTLETS.values())}
<a href="/tags/distillation.html">#distillation</a> <a href="/tags/export-controls.html">#export-controls</a>
<a href="/about.html">About</a></nav></header>
<main><h1>{esc(title)}</h1><p>{esc(intro)}</p>
<ul class="headlines">
{rows}
</ul></main>
<footer><a href="/feed.xml">RSS</a> &middot; <a href="/atom.xml">Atom</a> &middot;
<a href="/sitemap_index.xml">Sitemap</a></footer>
</body></html>
"""


ABOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>About this site</title>
<link rel="canonical" href="{{BASE_URL}}/about.html"></head>
<body><header><a href="/">aiwatch sample news network</a></header>
<main><h1>About this site</h1>
<p>This is the offline sample site bundled with aiwatch. It imitates several kinds of outlets (a
technology news site, a policy newsletter, a wire service, a company newsroom, a public research agency, a
personal blog and a regional paper) so that the crawler, the extractor and the graph can be exercised
without the internet.</p>
<p>The articles were written for aiwatch. They describe real events in the disputes over AI model distillation
and AI chip export controls, but the outlets, reporters, analysts and commenters are invented, as are
Halvard AI and the Congressional Technology Assessment Service. Quotations from invented people are invented.
Statements by real companies and officials follow their public statements, mostly in paraphrase; direct
quotations may not be verbatim, so check the originals before citing them.</p>
<h2 id="privacy">Privacy</h2><p>The sample site sets no cookies; the banners are decoration.</p>
</main></body></html>
"""


def rss(items: list[Page]) -> str:
    """RSS 2.0 feed with guid, pubDate, link (tracking parameters on some items) and description."""
    entries = []
    for p in items:
        assert p.published
        link = "{{BASE_URL}}" + p.path + (TRACKING if p.tracking else "")
        author = f"<dc:creator>{xml_escape(p.byline)}</dc:creator>" if p.byline else ""
        entries.append(
            f"<item><title>{xml_escape(p.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{{{{BASE_URL}}}}{xml_escape(p.path)}</guid>'
            f"<pubDate>{format_datetime(p.published)}</pubDate>{author}"
            f"<category>{xml_escape(OUTLETS[p.outlet].name)}</category>"
            f"<description>{xml_escape(p.summary)}</description></item>"
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{NETWORK}</title>
<link>{{{{BASE_URL}}}}/</link>
<description>Latest stories from the aiwatch sample news network</description>
<language>en</language>
<atom:link href="{{{{BASE_URL}}}}/feed.xml" rel="self" type="application/rss+xml"/>
{body}
</channel>
</rss>
"""


def atom(items: list[Page]) -> str:
    """Atom 1.0 feed with id, updated and published per entry."""
    entries = []
    for p in items:
        assert p.published
        updated = (p.updated or p.published).isoformat()
        author = f"<author><name>{xml_escape(p.byline or OUTLETS[p.outlet].name)}</name></author>"
        entries.append(
            f"<entry><title>{xml_escape(p.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{{{{BASE_URL}}}}{xml_escape(p.path)}'
            f'{TRACKING if p.tracking else ""}"/>'
            f"<id>tag:sample.aiwatch.example,{p.published.year}:{xml_escape(p.path)}</id>"
            f"<published>{p.published.isoformat()}</published><updated>{updated}</updated>{author}"
            f"<summary>{xml_escape(p.summary)}</summary></entry>"
        )
    newest = max(((p.updated or p.published) for p in items if p.published), default=None)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{NETWORK}</title>
<id>tag:sample.aiwatch.example,2023:feed</id>
<updated>{newest.isoformat() if newest else "2026-01-01T00:00:00+00:00"}</updated>
<link rel="self" type="application/atom+xml" href="{{{{BASE_URL}}}}/atom.xml"/>
<link rel="alternate" type="text/html" href="{{{{BASE_URL}}}}/"/>
{chr(10).join(entries)}
</feed>
"""


def sitemap(items: list[Page]) -> str:
    """A urlset sitemap with lastmod."""
    urls = "\n".join(
        f"<url><loc>{{{{BASE_URL}}}}{xml_escape(p.path)}</loc>"
        + (f"<lastmod>{(p.updated or p.published).date().isoformat()}</lastmod>" if p.published else "")
        + "</url>"
        for p in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""


def news_sitemap(items: list[Page]) -> str:
    """A Google News sitemap with news:publication_date and news:title."""
    urls = []
    for p in items:
        assert p.published
        urls.append(
            f"<url><loc>{{{{BASE_URL}}}}{xml_escape(p.path)}</loc><news:news><news:publication>"
            f"<news:name>{xml_escape(OUTLETS[p.outlet].name)}</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{p.published.isoformat()}</news:publication_date>"
            f"<news:title>{xml_escape(p.title)}</news:title></news:news></url>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{chr(10).join(urls)}
</urlset>
"""


def sitemap_index(lastmod: str) -> str:
    """The sitemap index pointing at the plain and the news sitemap."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{{{{BASE_URL}}}}/sitemap.xml</loc><lastmod>{lastmod}</lastmod></sitemap>
<sitemap><loc>{{{{BASE_URL}}}}/news-sitemap.xml</loc><lastmod>{lastmod}</lastmod></sitemap>
</sitemapindex>
"""

ROBOTS = """# aiwatch sample site
User-agent: *
Disallow: /private/

Sitemap: {{BASE_URL}}/sitemap_index.xml
"""


def manifest_entry(page: Page) -> dict[str, Any]:
    """The manifest record for a page."""
    outlet = OUTLETS[page.outlet].name if page.outlet in OUTLETS else NETWORK
    return {
        "path": page.path, "kind": page.kind, "outlet": outlet, "title": page.title, "published": page.date,
        "byline": page.byline, "topics": page.topics, "duplicate_of": page.duplicate_of, "in": page.feeds,
    }


def nonarticle(path: str, title: str, feeds: list[str] | None = None) -> Page:
    """A manifest record for an index or about page."""
    return Page(path=path, kind="nonarticle", outlet="network", title=title, published=None, byline=None,
                topics=[], feeds=feeds or [], summary="", blocks=[])


def build(root: Path = SITE_DIR, manifest_path: Path | None = MANIFEST_PATH) -> list[dict[str, Any]]:
    """Regenerate the site under ``root`` and return (and write, unless None) the manifest."""
    pages = derive_pages(load_sources(CONTENT_DIR))
    for page in pages:
        check_page(page)
    paths = [p.path for p in pages]
    if len(paths) != len(set(paths)):
        raise ValueError("duplicate page paths in content/")
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(STATIC_DIR, root / "static")
    amp_of = {p.duplicate_of: p.path for p in pages if p.kind == "amp"}
    rendered: dict[str, str] = {}
    by_path = {p.path: p for p in pages}
    for page in [p for p in pages if p.derive != "exact"]:
        ctx: dict[str, Any] = {"related": related_for(page, pages), "amp": amp_of.get(page.path),
                               "reading_time": max(1, page.words() // 220)}
        if page.kind == "amp":
            ctx["canonical"] = page.duplicate_of
            rendered[page.path] = render_amp(page, ctx)
        else:
            rendered[page.path] = OUTLETS[page.outlet].render(page, ctx)
    for page in pages:
        if page.derive == "exact":
            assert page.duplicate_of
            rendered[page.path] = rendered[page.duplicate_of]
    for path, text in rendered.items():
        write(root, path, text)

    listed = sorted((p for p in pages if p.kind in ("article", "offtopic")), key=lambda p: p.published,
                    reverse=True)
    extra: list[Page] = [nonarticle("/", NETWORK),
                         nonarticle("/about.html", "About this site", ["sitemap.xml"])]
    write(root, "/index.html",
          listing_page(NETWORK, "Latest from every outlet in the network.", listed[:25], "/"))
    write(root, "/about.html", ABOUT)
    for outlet in OUTLETS.values():
        own = [p for p in listed if p.outlet == outlet.key]
        write(root, outlet.section + "index.html",
              listing_page(outlet.name, outlet.description, own, outlet.section))
        extra.append(nonarticle(outlet.section, outlet.name))
    for author in sorted({p.byline for p in listed if p.outlet == "dispatch" and p.byline}):
        path = author_path(author)
        theirs = [p for p in listed if p.outlet == "dispatch" and p.byline == author]
        write(root, path, listing_page(f"{author}, Export Control Dispatch", f"Issues written by {author}.",
                                       theirs, path))
        extra.append(nonarticle(path, f"{author}, Export Control Dispatch"))
    for topic in ("distillation", "export-controls"):
        path = f"/tags/{topic}.html"
        tagged = [p for p in listed if topic in p.topics]
        write(root, path, listing_page(f"Tag: {topic}", f"Stories tagged {topic}.", tagged, path))
        extra.append(nonarticle(path, f"Tag: {topic}"))

    def members(name: str) -> list[Page]:
        chosen = [p for p in pages if name in p.feeds] + [p for p in extra if name in p.feeds]
        return sorted(chosen, key=lambda p: (p.published is None, p.published), reverse=True)

    write(root, "/feed.xml", rss(members("feed.xml")))
    write(root, "/atom.xml", atom(members("atom.xml")))
    write(root, "/sitemap.xml", sitemap(members("sitemap.xml")))
    write(root, "/news-sitemap.xml", news_sitemap(members("news-sitemap.xml")))
    newest = max(p.published for p in pages if p.published and p.feeds)
    write(root, "/sitemap_index.xml", sitemap_index(newest.date().isoformat()))
    write(root, "/robots.txt", ROBOTS)

    manifest = [manifest_entry(p) for p in sorted(pages, key=lambda p: p.path)]
    manifest += [manifest_entry(p) for p in extra]
    for entry in manifest:
        if entry["kind"] == "duplicate" or entry["kind"] == "amp":
            assert by_path.get(entry["duplicate_of"]), entry
    if manifest_path is not None:
        manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: rebuild the site and print a one-line summary."""
    parser = argparse.ArgumentParser(prog="python -m aiwatch.crawler.sample_site.build", description=__doc__)
    parser.parse_args(argv)
    try:
        manifest = build()
    except ValueError as exc:
        raise SystemExit(f"sample site build: {exc}") from None
    kinds: dict[str, int] = {}
    for entry in manifest:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    counts = ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
    print(f"built {SITE_DIR}: {len(manifest)} pages ({counts})")


if __name__ == "__main__":
    main()
