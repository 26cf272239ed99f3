"""HTML templates of the sample site's outlets: each has its own chrome and its own byline/date markup.

- circuit, The Circuit Ledger (tech news): ``<span class="byline">By ...``; ``article:published_time`` and
  ``<time datetime>``.
- dispatch, Export Control Dispatch (policy newsletter): ``<meta name="author">`` and ``rel="author"``;
  ``<time datetime>``.
- meridian, Meridian Wire (wire service): ``<p class="wire-byline">By ...``; plain-text dateline only.
- halvard, Halvard AI Newsroom (company newsroom): JSON-LD ``author`` and ``datePublished``.
- ctas, Congressional Technology Assessment Service (fictional agency): no byline; ``dcterms.issued`` and a
  plain-text release date.
- straits, Silicon Straits (blog): JSON-LD ``BlogPosting`` plus "Posted on ... by ..." text.
- gazette, Harbor City Gazette (regional paper, syndicates wire copy): ``<span class="byline">`` and
  ``<meta name="author">``; ``article:published_time`` and a "Published ..." text date.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiwatch.crawler.sample_site.pages import Page

BASE = "{{BASE_URL}}"

COOKIE_BANNERS = {
    "circuit": "We use cookies to measure readership and to remember your preferences. "
               "You can change your choice at any time in Privacy Settings.",
    "dispatch": "This site uses strictly necessary cookies and, with your consent, analytics cookies.",
    "meridian": "Meridian Wire and its partners use cookies to personalise content and analyse traffic.",
    "halvard": "We use cookies to keep this site secure and to understand how it is used.",
    "ctas": "This website uses session cookies only. No tracking cookies are set.",
    "straits": "This blog uses a single cookie to remember that you dismissed this notice.",
    "gazette": "The Gazette uses cookies and similar technologies for advertising and site analytics.",
}


@dataclass(frozen=True)
class Outlet:
    """An outlet: its name, home section and the template that renders its article pages."""

    key: str
    name: str
    section: str
    description: str
    render: Callable[[Page, dict], str]


def esc(text: str) -> str:
    """Escape text content (quotes and apostrophes stay literal)."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """Escape an attribute value."""
    return html.escape(text, quote=True)


def long_date(page: Page) -> str:
    """``March 3, 2025``."""
    assert page.published
    return f"{page.published:%B} {page.published.day}, {page.published.year}"


def day_first_date(page: Page) -> str:
    """``3 March 2025``."""
    assert page.published
    return f"{page.published.day} {page.published:%B %Y}"


def iso(page: Page) -> str:
    """ISO 8601 timestamp with offset."""
    assert page.published
    return page.published.isoformat().replace("+00:00", "Z")


def body_html(page: Page, first_prefix: str = "") -> str:
    """The article body as HTML paragraphs, subheadings and pull quotes."""
    out = []
    for i, (kind, text) in enumerate(page.blocks):
        if kind == "h2":
            out.append(f"<h2>{esc(text)}</h2>")
        elif kind == "quote":
            out.append(f'<blockquote class="pullquote"><p>{esc(text)}</p></blockquote>')
        else:
            prefix = first_prefix if i == 0 else ""
            out.append(f"<p>{prefix}{esc(text)}</p>")
    return "\n".join(out)


def related_html(ctx: dict, heading: str, css: str) -> str:
    """A related-links block."""
    items = "".join(f'<li><a href="{attr(p)}">{esc(t)}</a></li>' for p, t in ctx.get("related", []))
    return f'<aside class="{css}"><h3>{esc(heading)}</h3><ul>{items}</ul></aside>' if items else ""


def comments_html(page: Page, heading: str = "Comments") -> str:
    """Reader comments, clearly outside the article element."""
    if not page.comments:
        return ""
    items = "\n".join(
        f'<li class="comment"><div class="comment-meta"><span class="comment-author">{esc(n)}</span> '
        f'<span class="comment-time">{i + 2} hours ago</span></div>'
        f'<div class="comment-body"><p>{esc(t)}</p></div>'
        f'<a class="reply" href="#reply">Reply</a> <a class="report" href="#report">Report</a></li>'
        for i, (n, t) in enumerate(page.comments)
    )
    return (f'<section id="comments" class="comments"><h3>{esc(heading)} ({len(page.comments)})</h3>'
            f'<ol class="comment-list">\n{items}\n</ol>'
            '<form class="comment-form">'
            '<textarea name="comment" placeholder="Join the discussion"></textarea>'
            '<button type="submit">Post comment</button></form></section>')


def share_html(page: Page) -> str:
    """Share buttons."""
    url = attr(BASE + page.path)
    return ('<div class="share"><span>Share</span>'
            f'<a class="share-x" href="https://x.com/intent/tweet?url={url}">X</a>'
            f'<a class="share-li" href="https://www.linkedin.com/sharing/share-offsite/?url={url}">LinkedIn</a>'
            f'<a class="share-mail" href="mailto:?subject={attr(page.title)}&amp;body={url}">Email</a>'
            '<button class="copy-link">Copy link</button></div>')


def cookie_html(outlet: str) -> str:
    """The outlet's cookie banner."""
    return ('<div class="cookie-banner" role="dialog" aria-label="Cookie consent">'
            f'<p>{esc(COOKIE_BANNERS[outlet])}</p><button class="accept">Accept all</button>'
            '<button class="reject">Reject non-essential</button>'
            '<a href="/about.html#privacy">Privacy policy</a></div>')


def head_common(page: Page, ctx: dict, site_name: str, extra: str = "") -> str:
    """The <head> elements every outlet shares: title, description, canonical, Open Graph, AMP link."""
    canonical = ctx.get("canonical", page.path)
    amp = ctx.get("amp")
    amp_link = f'<link rel="amphtml" href="{BASE}{attr(amp)}">' if amp else ""
    return (f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(page.title)} | {esc(site_name)}</title>'
            f'<meta name="description" content="{attr(page.summary)}">'
            f'<link rel="canonical" href="{BASE}{attr(canonical)}">{amp_link}'
            '<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{attr(page.title)}">'
            f'<meta property="og:url" content="{BASE}{attr(canonical)}">'
            f'<meta property="og:site_name" content="{attr(site_name)}">'
            f'<link rel="stylesheet" href="/static/site.css">{extra}')


def jsonld(data: dict) -> str:
    """A JSON-LD script element."""
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def render_circuit(page: Page, ctx: dict) -> str:
    """The Circuit Ledger: tech news with og/article meta, <span class="byline"> and <time>."""
    meta = f'<meta property="article:published_time" content="{iso(page)}">' if page.published else ""
    if page.updated:
        meta += f'<meta property="article:modified_time" content="{page.updated.isoformat()}">'
    for topic in page.topics:
        meta += f'<meta property="article:tag" content="{attr(topic)}">'
    date = (f'<time datetime="{iso(page)}">{page.published:%b}. {page.published.day}, {page.published.year} '
            f'{page.published:%H:%M} UTC</time>') if page.published else ""
    byline = f'<span class="byline">By {esc(page.byline)}</span>' if page.byline else ""
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "The Circuit Ledger", meta)}</head>
<body class="circuit">
{cookie_html("circuit")}
<header class="masthead"><a class="logo" href="/tech/">The Circuit Ledger</a>
<nav class="topnav"><a href="/tech/">Latest</a><a href="/tags/export-controls.html">Chips &amp; Policy</a>
<a href="/tags/distillation.html">AI Models</a><a href="/tech/">Reviews</a><a href="/about.html">About</a>
<a class="subscribe" href="/tech/#subscribe">Subscribe</a></nav></header>
<main>
<article class="story">
<p class="kicker">{esc(ctx.get("kicker", "Technology"))}</p>
<h1 class="headline">{esc(page.title)}</h1>
<p class="dek">{esc(page.summary)}</p>
<div class="story-meta">{byline} {date}</div>
{share_html(page)}
<div class="story-body">
{body_html(page)}
</div>
<p class="corrections">Spotted an error? Email corrections@circuitledger.example.</p>
</article>
{related_html(ctx, "More from The Circuit Ledger", "related")}
<div class="ad-slot">Advertisement</div>
{comments_html(page)}
</main>
<footer class="site-footer"><p>&copy; {page.published.year if page.published else 2025} The Circuit Ledger.
 All rights reserved.</p><nav><a href="/about.html">About</a> <a href="/about.html#privacy">Privacy</a>
 <a href="/feed.xml">RSS</a></nav></footer>
</body></html>
"""


def render_dispatch(page: Page, ctx: dict) -> str:
    """Export Control Dispatch: policy newsletter with <meta name="author">, rel=author and <time>."""
    author_href = f"/policy/authors/{(page.byline or 'staff').lower().replace(' ', '-')}.html"
    meta = f'<meta name="author" content="{attr(page.byline)}">' if page.byline else ""
    date = f'<time datetime="{page.date}">{day_first_date(page)}</time>' if page.published else ""
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "Export Control Dispatch", meta)}</head>
<body class="dispatch">
{cookie_html("dispatch")}
<header><div class="brand"><a href="/policy/">Export Control Dispatch</a>
<span class="tagline">Weekly notes on trade, technology and national security</span></div>
<nav><ul><li><a href="/policy/">Issues</a></li>
<li><a href="/tags/export-controls.html">Export controls</a></li>
<li><a href="/tags/distillation.html">Model security</a></li>
<li><a href="/about.html">About</a></li></ul></nav>
</header>
<div class="layout">
<main>
<article class="post">
<header class="post-header">
<h1>{esc(page.title)}</h1>
<div class="post-meta">Written by
 <a rel="author" href="{attr(author_href)}">{esc(page.byline or "Staff")}</a>
 &middot; {date} &middot; {ctx.get("reading_time", 4)} min read</div>
</header>
<div class="post-content">
{body_html(page)}
</div>
<footer class="post-footer">
<p class="tags">Filed under: {esc(", ".join(page.topics) or "general")}</p></footer>
</article>
<div class="newsletter-signup"><h3>Get the Dispatch every Friday</h3>
<p>One email a week. Unsubscribe any time.</p>
<form><input type="email" placeholder="you@example.org"><button>Sign up</button></form></div>
{share_html(page)}
</main>
<aside class="sidebar">{related_html(ctx, "Recent issues", "recent")}
<div class="sponsor">This issue is reader-supported.</div></aside>
</div>
<footer class="site-footer">Export Control Dispatch is an independent newsletter. Views are the authors' own.
 <a href="/atom.xml">Atom feed</a></footer>
</body></html>
"""


def render_meridian(page: Page, ctx: dict) -> str:
    """Meridian Wire: wire copy with a plain-text dateline and a <p class="wire-byline">."""
    dateline = f"{esc(page.dateline or 'WASHINGTON')}, {long_date(page)} (Meridian Wire) &ndash; "
    byline = f'<p class="wire-byline">By {esc(page.byline)}</p>' if page.byline else ""
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "Meridian Wire")}</head>
<body class="meridian">
{cookie_html("meridian")}
<div class="topbar"><a href="/wire/">Meridian Wire</a> <span>Markets &middot; World &middot; Technology</span>
<a class="login" href="/wire/#login">Client login</a></div>
<nav class="wire-nav"><a href="/wire/">Top news</a> <a href="/wire/">Business</a>
<a href="/tags/export-controls.html">Trade</a> <a href="/tags/distillation.html">Tech</a></nav>
<div class="container">
<div class="story-column">
<h1>{esc(page.title)}</h1>
{byline}
<div class="wire-text">
{body_html(page, first_prefix=dateline)}
</div>
<p class="wire-trailer">(Editing by {esc(ctx.get("editor", "Daniel Brandt"))})</p>
<p class="trust">Our Standards: The Meridian Wire Trust Principles.</p>
</div>
{related_html(ctx, "Related coverage", "related-coverage")}
</div>
<div class="licensing">Purchase licensing rights for this story.</div>
<footer><p>All quotes delayed a minimum of 15 minutes. &copy; Meridian Wire. All rights reserved.</p>
<p><a href="/about.html">About Meridian Wire</a> | <a href="/about.html#privacy">Privacy</a></p></footer>
</body></html>
"""


def render_halvard(page: Page, ctx: dict) -> str:
    """Halvard AI Newsroom: company press releases with JSON-LD author and datePublished."""
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": page.title,
        "datePublished": iso(page),
        "author": {"@type": "Person", "name": page.byline} if page.byline
        else {"@type": "Organization", "name": "Halvard AI"},
        "publisher": {"@type": "Organization", "name": "Halvard AI"},
        "mainEntityOfPage": BASE + page.path,
    }
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "Halvard AI Newsroom")}{jsonld(data)}</head>
<body class="halvard">
{cookie_html("halvard")}
<header class="corp"><a href="/newsroom/" class="wordmark">Halvard AI</a>
<nav><a href="/newsroom/">Products</a><a href="/newsroom/">Research</a><a href="/newsroom/">Safety</a>
<a href="/newsroom/">Newsroom</a><a href="/newsroom/">Careers</a></nav></header>
<main class="release">
<div class="release-meta"><span class="label">Press release</span> &middot; {day_first_date(page)}</div>
<h1>{esc(page.title)}</h1>
<div class="release-body">
{body_html(page)}
</div>
<section class="boilerplate"><h2>About Halvard AI</h2><p>Halvard AI builds language models for
 enterprise document work. It is headquartered in Oslo and Boston.</p>
<p>Media contact: press@halvard.example</p></section>
{related_html(ctx, "Latest news", "latest")}
</main>
<footer class="corp-footer"><p>&copy; Halvard AI AS. <a href="/about.html#privacy">Privacy</a>
 &middot; Terms &middot;
 Responsible disclosure</p></footer>
</body></html>
"""


def render_ctas(page: Page, ctx: dict) -> str:
    """Congressional Technology Assessment Service: government-style release, plain-text release date."""
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "Congressional Technology Assessment Service",
                                   f'<meta name="dcterms.issued" content="{page.date}">')}</head>
<body class="ctas">
<div class="gov-banner">An official website of the Congressional Technology Assessment Service
 (sample site)</div>
{cookie_html("ctas")}
<header><a href="/ctas/" class="seal">Congressional Technology Assessment Service</a>
<nav><a href="/ctas/">Home</a> <a href="/ctas/">Reports</a> <a href="/ctas/">Press releases</a>
<a href="/ctas/">Testimony</a> <a href="/about.html">Contact</a></nav></header>
<div class="breadcrumb"><a href="/ctas/">Home</a> &rsaquo; <a href="/ctas/">Press releases</a></div>
<main id="main-content">
<p class="release-type">FOR IMMEDIATE RELEASE</p>
<p class="release-date">Release date: {long_date(page)}</p>
<h1>{esc(page.title)}</h1>
<div class="field-body">
{body_html(page)}
</div>
<p class="endmark">###</p>
<p class="contact">Media inquiries: Office of Communications, (202) 555-0143</p>
</main>
{related_html(ctx, "Related releases", "related-releases")}
<footer class="gov-footer"><p>Congressional Technology Assessment Service is a fictional agency in the aiwatch
 sample site.</p><p><a href="/about.html">Accessibility</a> | <a href="/about.html">FOIA</a> |
 <a href="/about.html#privacy">Privacy policy</a></p></footer>
</body></html>
"""


def render_straits(page: Page, ctx: dict) -> str:
    """Silicon Straits: a personal analysis blog with JSON-LD BlogPosting and "Posted on" text."""
    data = {
        "@context": "https://schema.org", "@type": "BlogPosting", "headline": page.title,
        "datePublished": page.date, "author": [{"@type": "Person", "name": page.byline}],
    }
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "Silicon Straits")}{jsonld(data)}</head>
<body class="straits">
{cookie_html("straits")}
<div class="site-title"><a href="/blog/">Silicon Straits</a>
<p>Chips, models and the geopolitics in between</p></div>
<nav class="menu"><a href="/blog/">Home</a> <a href="/blog/">Archive</a>
<a href="/about.html">About me</a></nav>
<div class="wrap">
<div class="entry">
<h1 class="entry-title">{esc(page.title)}</h1>
<div class="entry-meta">Posted on {long_date(page)} by {esc(page.byline or "")}</div>
<div class="entry-content">
{body_html(page)}
</div>
<div class="entry-footer">Categories: {esc(", ".join(page.topics) or "Uncategorized")}</div>
{share_html(page)}
</div>
<div class="widget-area">{related_html(ctx, "Recent posts", "widget recent-posts")}
<div class="widget"><h3>Blogroll</h3>
<ul><li>Export Control Dispatch</li><li>The Circuit Ledger</li></ul></div></div>
</div>
{comments_html(page, "Responses")}
<footer class="site-info">Proudly powered by a static site generator. Theme: Minimal Straits.</footer>
</body></html>
"""


def render_gazette(page: Page, ctx: dict) -> str:
    """Harbor City Gazette: regional paper; syndicates wire copy; <span class="byline"> plus meta tags."""
    meta = (f'<meta property="article:published_time" content="{iso(page)}">'
            + (f'<meta name="author" content="{attr(page.byline)}">' if page.byline else ""))
    note = (f'<p class="editors-note"><em>Editor\'s note: {esc(page.editor_note)}</em></p>'
            if page.editor_note else "")
    byline = f'<span class="byline">By {esc(page.byline)}</span>' if page.byline else ""
    section = esc(page.section or "Business")
    return f"""<!doctype html>
<html lang="en"><head>{head_common(page, ctx, "Harbor City Gazette", meta)}</head>
<body class="gazette">
{cookie_html("gazette")}
<header class="gazette-top"><div class="weather">Harbor City 14&deg;C</div>
<a class="nameplate" href="/gazette/">Harbor City Gazette</a>
<nav><a href="/gazette/">Local</a> <a href="/gazette/">Business</a> <a href="/gazette/">Sports</a>
<a href="/gazette/">Arts</a> <a href="/gazette/">Opinion</a>
<a href="/gazette/#subscribe">Subscribe for $1</a></nav>
</header>
<main>
<p class="section-label">{section}</p>
<h1>{esc(page.title)}</h1>
<div class="meta">{byline} <span class="pubdate">Published {long_date(page)}</span></div>
{note}
<div class="article-body">
{body_html(page)}
</div>
{share_html(page)}
{related_html(ctx, "Most read", "most-read")}
{comments_html(page, "Reader comments")}
</main>
<footer><p>Harbor City Gazette &middot; 200 Quay Street &middot;
 Letters to the editor: letters@gazette.example</p>
<p>Copyright &copy; Harbor City Gazette. Wire stories are republished under licence.</p></footer>
</body></html>
"""


OUTLETS: dict[str, Outlet] = {
    o.key: o
    for o in (
        Outlet("circuit", "The Circuit Ledger", "/tech/", "Technology news and reviews.", render_circuit),
        Outlet("dispatch", "Export Control Dispatch", "/policy/", "A weekly policy newsletter.",
               render_dispatch),
        Outlet("meridian", "Meridian Wire", "/wire/", "A news wire service.", render_meridian),
        Outlet("halvard", "Halvard AI Newsroom", "/newsroom/", "A company newsroom.", render_halvard),
        Outlet("ctas", "Congressional Technology Assessment Service", "/ctas/",
               "A (fictional) public research agency's press releases.", render_ctas),
        Outlet("straits", "Silicon Straits", "/blog/", "An analyst's personal blog.", render_straits),
        Outlet("gazette", "Harbor City Gazette", "/gazette/", "A regional daily.", render_gazette),
    )
}


def render_amp(page: Page, ctx: dict) -> str:
    """An AMP variant of an article, with rel=canonical to the original."""
    byline = f'<span class="byline">By {esc(page.byline)}</span>' if page.byline else ""
    return f"""<!doctype html>
<html amp lang="en"><head><meta charset="utf-8">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<title>{esc(page.title)}</title>
<link rel="canonical" href="{BASE}{attr(ctx["canonical"])}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<meta property="article:published_time" content="{iso(page)}">
<style amp-boilerplate>body{{visibility:hidden}}</style><style amp-custom>body{{font-family:serif}}</style>
</head>
<body>
<header class="amp-header"><a href="/tech/">The Circuit Ledger</a></header>
<article>
<h1>{esc(page.title)}</h1>
<p class="meta">{byline} <time datetime="{iso(page)}">{long_date(page)}</time></p>
{body_html(page)}
</article>
<amp-analytics type="gtag"></amp-analytics>
<footer><a href="{BASE}{attr(ctx["canonical"])}">View full site</a></footer>
</body></html>
"""
